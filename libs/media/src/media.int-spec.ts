/**
 * @hub/media against a real mediasoup worker (no mocks): rooms, peers, isolation between rooms and peers,
 * cascading close, and recovery after a worker is killed. Media comes from ffmpeg into server-side
 * PlainTransports (test-kit/rtp-feed.ts) and is drained through PlainTransport consumers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadConfig } from '@hub/config';
import { MediaError, MediaService, Room, RoomEvents } from '.';
import { MAX_CONSUMERS_PER_PEER } from './peer';
import { feedPeer, RtpFeed, RtpSink, sinkProducer } from './test-kit/rtp-feed';

const RECV_CAPS = {
  codecs: [
    { kind: 'audio' as const, mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
    { kind: 'video' as const, mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000 },
  ],
  headerExtensions: [],
};

function mediaConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'media-')), MEDIA_WORKERS: '2', ...env });
}

function nextEvent<K extends keyof RoomEvents>(room: Room, name: K, timeoutMs = 15_000): Promise<RoomEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
    room.once(name, ((payload: RoomEvents[K]) => {
      clearTimeout(timer);
      resolve(payload);
    }) as never);
  });
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<MediaError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    return e as MediaError;
  }
  throw new Error('expected a rejection');
}

describe('MediaService (real mediasoup worker)', () => {
  let media: MediaService;
  const feeds: RtpFeed[] = [];
  const sinks: RtpSink[] = [];

  beforeAll(async () => {
    media = new MediaService(mediaConfig());
    await media.start();
  });
  afterEach(() => {
    for (const f of feeds.splice(0)) f.stop();
    for (const s of sinks.splice(0)) s.close();
  });
  afterAll(() => media.close());

  it('runs one supervised worker per configured slot, each with a WebRtcServer port', () => {
    const status = media.status();
    expect(status).toMatchObject({ enabled: true, available: true, version: '3.12.16' });
    expect(status.workers).toHaveLength(2);
    for (const w of status.workers) expect(w.ports[0]).toBeGreaterThan(0);
    expect(new Set(media.workerPids()).size).toBe(2);
  });

  it('carries media from one peer to another in the same room', async () => {
    const room = await media.getOrCreateRoom('room-flow');
    expect(await media.getOrCreateRoom('room-flow')).toBe(room);
    expect(room.rtpCapabilities.codecs!.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    );
    const officer = await room.join('officer', { userId: 'u-officer', displayName: 'Officer' });
    const doctor = await room.join('doctor', { userId: 'u-doctor', displayName: 'Doctor', rtpCapabilities: RECV_CAPS });

    const announced = nextEvent(room, 'newProducer');
    const feed = await feedPeer(room, officer, 'mic');
    feeds.push(feed);
    expect(await announced).toMatchObject({ producerId: feed.producer.id, peerId: 'officer', kind: 'audio', source: 'mic' });
    expect(room.listProducers('doctor').map((p) => p.producerId)).toEqual([feed.producer.id]);

    const recv = await doctor.createWebRtcTransport('recv');
    expect(recv.iceCandidates.length).toBeGreaterThan(0);
    const serverPorts = media.status().workers.flatMap((w) => w.ports);
    for (const c of recv.iceCandidates) expect(serverPorts).toContain(c.port);
    expect(doctor.transports.get(recv.id)?.direction).toBe('recv');

    const params = await doctor.consume({ producerId: feed.producer.id });
    expect(params).toMatchObject({ producerId: feed.producer.id, producerPeerId: 'officer', kind: 'audio', source: 'mic' });
    const consumer = doctor.consumers.get(params.id)!.consumer;
    expect(consumer.paused).toBe(true);
    await doctor.resumeConsumer(params.id);
    expect(consumer.paused).toBe(false);

    // The same producer through the SFU to a drained PlainTransport: RTP really flows.
    const sink = await sinkProducer(room, feed.producer.id);
    sinks.push(sink);
    await sink.waitForPackets(20);
    const [inbound] = await feed.producer.getStats();
    expect(inbound.byteCount).toBeGreaterThan(0);

    // ICE restart on the peer's own transport gives new ICE credentials.
    const ice = await doctor.restartIce(recv.id);
    expect(ice.usernameFragment).not.toBe(recv.iceParameters.usernameFragment);
    expect((await rejection(doctor.setPreferredLayers(params.id, { spatialLayer: 5 }))).reason).toBe('INVALID_PARAMETERS');

    // Pausing the producer is announced and reaches the consumer.
    const paused = nextEvent(room, 'producerPaused');
    await officer.pauseProducer(feed.producer.id);
    expect(await paused).toEqual({ producerId: feed.producer.id, peerId: 'officer' });
    expect(feed.producer.paused).toBe(true);
    const resumed = nextEvent(room, 'producerResumed');
    await officer.resumeProducer(feed.producer.id);
    expect(await resumed).toEqual({ producerId: feed.producer.id, peerId: 'officer' });

    const stats = await doctor.getStats();
    expect(stats).toMatchObject({ peerId: 'doctor', userId: 'u-doctor', quality: 'full' });
    expect(stats.packetLoss).toBeGreaterThanOrEqual(0);
    media.closeRoom('room-flow');
  });

  it('keeps one transport per direction when a client asks for several at once', async () => {
    const room = await media.getOrCreateRoom('room-transport-burst');
    const peer = await room.join('p', { userId: 'u1', displayName: 'P' });
    const made = await Promise.all(Array.from({ length: 6 }, () => peer.createWebRtcTransport('recv')));
    expect(peer.transports.size).toBe(1);
    expect(made.map((t) => t.id)).toContain([...peer.transports.keys()][0]);
    const dump = (await room.router.dump()) as unknown as { transportIds: string[] };
    expect(dump.transportIds).toHaveLength(1);
    media.closeRoom('room-transport-burst');
  });

  it('keeps one producer per source and the consumer limit when requests overlap', async () => {
    const room = await media.getOrCreateRoom('room-produce-burst');
    const peer = await room.join('p', { userId: 'u1', displayName: 'P' });
    const send = await peer.createWebRtcTransport('send');
    const mic = (ssrc: number) => ({
      transportId: send.id,
      kind: 'audio' as const,
      source: 'mic' as const,
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
    });
    const results = await Promise.allSettled([peer.produce(mic(1111)), peer.produce(mic(2222))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.reason).toBe('LIMIT_REACHED');
    expect(peer.producers.size).toBe(1);
    // the router holds one producer: the one that gave way was closed, not left running
    const dump = (await room.router.dump()) as unknown as { mapProducerIdConsumerIds: Record<string, unknown> };
    expect(Object.keys(dump.mapProducerIdConsumerIds)).toHaveLength(1);

    // the consumer limit holds for overlapping requests too
    const viewer = await room.join('v', { userId: 'u2', displayName: 'V', rtpCapabilities: RECV_CAPS });
    await viewer.createWebRtcTransport('recv');
    const producerId = [...peer.producers.keys()][0];
    const consumed = await Promise.allSettled(Array.from({ length: MAX_CONSUMERS_PER_PEER + 6 }, () => viewer.consume({ producerId })));
    expect(consumed.filter((r) => r.status === 'fulfilled').length).toBe(MAX_CONSUMERS_PER_PEER);
    expect(viewer.consumers.size).toBe(MAX_CONSUMERS_PER_PEER);
    const after = (await room.router.dump()) as unknown as { mapProducerIdConsumerIds: Record<string, string[]> };
    expect(after.mapProducerIdConsumerIds[producerId]).toHaveLength(MAX_CONSUMERS_PER_PEER);
    media.closeRoom('room-produce-burst');
  });

  it('refuses ids of another room or another peer as not found', async () => {
    const roomA = await media.getOrCreateRoom('room-a');
    const roomB = await media.getOrCreateRoom('room-b');
    const a1 = await roomA.join('a1', { userId: 'u1', displayName: 'A1', rtpCapabilities: RECV_CAPS });
    const a2 = await roomA.join('a2', { userId: 'u2', displayName: 'A2', rtpCapabilities: RECV_CAPS });
    const b1 = await roomB.join('b1', { userId: 'u3', displayName: 'B1', rtpCapabilities: RECV_CAPS });
    const feed = await feedPeer(roomA, a1, 'mic');
    feeds.push(feed);
    const a1Send = await a1.createWebRtcTransport('send');
    const a2Recv = await a2.createWebRtcTransport('recv');
    await b1.createWebRtcTransport('recv');
    const a2Consumer = await a2.consume({ producerId: feed.producer.id });

    // Another room's producer: not found (same answer as an unknown id).
    const cross = await rejection(b1.consume({ producerId: feed.producer.id }));
    expect(cross).toBeInstanceOf(MediaError);
    expect(cross.reason).toBe('PRODUCER_NOT_FOUND');
    expect((await rejection(b1.consume({ producerId: 'no-such-producer' }))).reason).toBe('PRODUCER_NOT_FOUND');
    expect(cross.statusCode).toBe(404);

    // Another peer's transports, producers and consumers, even in the same room.
    const dtls = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: 'AA:BB' }] };
    expect((await rejection(b1.connectTransport(a2Recv.id, dtls))).reason).toBe('TRANSPORT_NOT_FOUND');
    expect((await rejection(a2.connectTransport(a1Send.id, dtls))).reason).toBe('TRANSPORT_NOT_FOUND');
    expect((await rejection(a2.restartIce(a1Send.id))).reason).toBe('TRANSPORT_NOT_FOUND');
    expect((await rejection(a2.consume({ producerId: feed.producer.id, transportId: a1Send.id }))).reason).toBe(
      'TRANSPORT_NOT_FOUND',
    );
    expect((await rejection(b1.resumeConsumer(a2Consumer.id))).reason).toBe('CONSUMER_NOT_FOUND');
    expect((await rejection(a2.pauseProducer(feed.producer.id))).reason).toBe('PRODUCER_NOT_FOUND');
    expect((await rejection(() => a2.closeProducer(feed.producer.id))).reason).toBe('PRODUCER_NOT_FOUND');
    expect(
      (await rejection(a2.produce({ transportId: a1Send.id, kind: 'audio', rtpParameters: { codecs: [] }, source: 'mic' })))
        .reason,
    ).toBe('TRANSPORT_NOT_FOUND');
    // Own producer, wrong kind for the source, own send transport used for consuming.
    expect((await rejection(a1.consume({ producerId: feed.producer.id }))).reason).toBe('TRANSPORT_NOT_FOUND');
    expect(
      (await rejection(a1.produce({ transportId: a1Send.id, kind: 'audio', rtpParameters: { codecs: [] }, source: 'camera' })))
        .reason,
    ).toBe('INVALID_PARAMETERS');

    // Nothing was changed by the refused calls.
    expect(feed.producer.paused).toBe(false);
    expect(feed.producer.closed).toBe(false);
    expect(a2.consumers.has(a2Consumer.id)).toBe(true);
    expect(b1.consumers.size).toBe(0);
    media.closeRoom('room-a');
    media.closeRoom('room-b');
  });

  it('cascades close: peer -> transports, producers, other peers\' consumers; room -> everything', async () => {
    const room = await media.getOrCreateRoom('room-close');
    const officer = await room.join('officer', { userId: 'u1', displayName: 'Officer' });
    const doctor = await room.join('doctor', { userId: 'u2', displayName: 'Doctor', rtpCapabilities: RECV_CAPS });
    const feed = await feedPeer(room, officer, 'mic');
    feeds.push(feed);
    const send = await officer.createWebRtcTransport('send');
    await doctor.createWebRtcTransport('recv');
    const consumed = await doctor.consume({ producerId: feed.producer.id });
    const consumer = doctor.consumers.get(consumed.id)!.consumer;

    const producerClosed = nextEvent(room, 'producerClosed');
    const peerClosed = nextEvent(room, 'peerClosed');
    officer.close();
    expect(await producerClosed).toEqual({
      producerId: feed.producer.id,
      peerId: 'officer',
      consumers: [{ peerId: 'doctor', consumerId: consumed.id }],
    });
    expect(await peerClosed).toEqual({ peerId: 'officer', userId: 'u1' });
    expect(feed.producer.closed).toBe(true);
    expect(officer.closed).toBe(true);
    expect(officer.transports.size).toBe(0);
    expect(room.getPeer('officer')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(consumer.closed).toBe(true);
    expect(doctor.consumers.size).toBe(0);
    expect(send.id).toBeTruthy();
    expect((await rejection(officer.createWebRtcTransport('send'))).reason).toBe('PEER_CLOSED');

    // Re-joining with a present peer id replaces the old peer (reconnecting client).
    const first = await room.join('doctor-2', { userId: 'u2', displayName: 'Doctor' });
    await first.createWebRtcTransport('recv');
    const second = await room.join('doctor-2', { userId: 'u2', displayName: 'Doctor' });
    expect(first.closed).toBe(true);
    expect(room.getPeer('doctor-2')).toBe(second);

    const router = room.router;
    const closed = nextEvent(room, 'closed');
    media.closeRoom('room-close');
    expect(await closed).toEqual({ reason: 'closed' });
    expect(router.closed).toBe(true);
    expect(doctor.closed).toBe(true);
    expect(media.getRoom('room-close')).toBeUndefined();
    expect((await rejection(room.join('late', { userId: 'u9', displayName: 'Late' }))).reason).toBe('ROOM_CLOSED');
  });

  it('pauses video for audio-only and for the audio_only quality level, and resumes it', async () => {
    const room = await media.getOrCreateRoom('room-quality');
    const officer = await room.join('officer', { userId: 'u1', displayName: 'Officer' });
    const doctor = await room.join('doctor', { userId: 'u2', displayName: 'Doctor', rtpCapabilities: RECV_CAPS });
    const feed = await feedPeer(room, officer, 'camera');
    feeds.push(feed);
    await doctor.createWebRtcTransport('recv');
    const params = await doctor.consume({ producerId: feed.producer.id });
    expect(params.kind).toBe('video');
    await doctor.resumeConsumer(params.id);
    const consumer = doctor.consumers.get(params.id)!.consumer;
    expect(consumer.paused).toBe(false);

    await doctor.setQuality('audio_only');
    expect(consumer.paused).toBe(true);
    await doctor.setQuality('low');
    expect(consumer.paused).toBe(false);
    await doctor.setAudioOnly(true);
    expect(consumer.paused).toBe(true);
    await doctor.setAudioOnly(false);
    expect(consumer.paused).toBe(false);
    media.closeRoom('room-quality');
  });

  it('replaces a killed worker, rebuilds its rooms (reset) and carries media again', async () => {
    const room = await media.getOrCreateRoom('room-crash');
    const officer = await room.join('officer', { userId: 'u1', displayName: 'Officer' });
    feeds.push(await feedPeer(room, officer, 'mic'));
    const oldPid = room.workerPid;
    const otherPids = media.workerPids().filter((p) => p !== oldPid);
    const oldCaps = room.rtpCapabilities;

    const reset = nextEvent(room, 'reset');
    const perProducer: unknown[] = [];
    room.on('producerClosed', (e) => perProducer.push(e));
    process.kill(oldPid, 'SIGKILL');
    expect(await reset).toMatchObject({ epoch: 1, reason: expect.stringContaining(`worker pid ${oldPid} died`) });
    expect(room.peers.size).toBe(0);
    expect(officer.closed).toBe(true);
    expect(perProducer).toEqual([]); // one `reset`, not a producerClosed per producer
    expect(room.workerPid).not.toBe(oldPid);
    expect(media.workerPids()).toHaveLength(2);
    expect(media.workerPids()).not.toContain(oldPid);
    expect(media.workerPids()).toEqual(expect.arrayContaining(otherPids));
    expect(room.rtpCapabilities.codecs!.length).toBe(oldCaps.codecs!.length);
    for (const f of feeds.splice(0)) f.stop();

    // Clients rejoin with the same peer ids; media flows through the new router.
    const officer2 = await room.join('officer', { userId: 'u1', displayName: 'Officer' });
    const doctor2 = await room.join('doctor', { userId: 'u2', displayName: 'Doctor', rtpCapabilities: RECV_CAPS });
    const feed = await feedPeer(room, officer2, 'mic');
    feeds.push(feed);
    await doctor2.createWebRtcTransport('recv');
    await doctor2.consume({ producerId: feed.producer.id });
    const sink = await sinkProducer(room, feed.producer.id);
    sinks.push(sink);
    await sink.waitForPackets(20);
    expect(media.status().available).toBe(true);
    media.closeRoom('room-crash');
  });

  it('a room closed while its router is being rebuilt leaves no router, room count or timer behind', async () => {
    const room = await media.getOrCreateRoom('room-closed-in-rebuild');
    const pw = room.worker;
    const routers = async () => ((await pw.worker.dump()) as unknown as { routerIds: string[] }).routerIds.length;
    const before = await routers();
    // The call ends while the room is being rebuilt (as right after a worker death): the new router is under way.
    const rebuilt = room.rebuild(pw, 'test');
    room.close('ended');
    await rebuilt;
    expect(await routers()).toBe(before - 1);
    expect(pw.roomIds.has(room.id)).toBe(false);
    expect(media.getRoom(room.id)).toBeUndefined();
  });
});

describe('MediaService without live media', () => {
  it('reports MEDIA_ENABLED=false and refuses rooms with MEDIA_UNAVAILABLE (503)', async () => {
    const media = new MediaService(mediaConfig({ MEDIA_ENABLED: 'false' }));
    await media.start();
    expect(media.status()).toMatchObject({ enabled: false, available: false, reason: expect.stringMatching(/disabled/) });
    const e = await rejection(media.getOrCreateRoom('r'));
    expect(e.reason).toBe('MEDIA_UNAVAILABLE');
    expect(e.statusCode).toBe(503);
    media.close();
  });

  it('reports a missing worker binary and says where it looked', async () => {
    const saved = process.env.MEDIASOUP_WORKER_CACHE;
    process.env.MEDIASOUP_WORKER_CACHE = mkdtempSync(join(tmpdir(), 'no-worker-'));
    try {
      const media = new MediaService(mediaConfig({ MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' }));
      await media.start();
      const status = media.status();
      expect(status.available).toBe(false);
      expect(status.reason).toMatch(/no mediasoup 3\.12\.16 worker binary/);
      expect(status.reason).toContain('/nonexistent/mediasoup-worker');
      expect((await rejection(media.getOrCreateRoom('r'))).reason).toBe('MEDIA_UNAVAILABLE');
      media.close();
    } finally {
      if (saved === undefined) delete process.env.MEDIASOUP_WORKER_CACHE;
      else process.env.MEDIASOUP_WORKER_CACHE = saved;
    }
  });
});
