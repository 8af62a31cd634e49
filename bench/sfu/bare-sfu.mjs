// The baseline of bench/sfu/first-frame.mjs: a bare mediasoup script speaking the hub's /consultations socket
// protocol (libs/contracts/src/consultations.ts) with nothing else — no authentication, no database, no waiting
// room, no policy checks, one router on one worker. The same browser page and call client run against it and
// against the hub, so the difference is what the hub adds on the way to the first frame.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/**
 * Starts the bare SFU on `port` (0 or absent: a free one), serving the static files of `staticDir`, with the hub's codecs (`mediaCodecs`,
 * libs/media MEDIA_CODECS) so both sides negotiate the same. Answers { url, close }.
 */
export async function startBareSfu({ port, staticDir, workerBin, mediaCodecs }) {
  if (workerBin) process.env.MEDIASOUP_WORKER_BIN = workerBin;
  const mediasoup = require('mediasoup');
  const { Server } = require('socket.io');
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  // one UDP and one TCP port for every transport, ephemeral, as the hub's worker pool does (MEDIA_PORT_MIN=0)
  const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }, { protocol: 'tcp', ip: '127.0.0.1' }] });
  const router = await worker.createRouter({ mediaCodecs });
  const http = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = path === '/' ? 'index.html' : path.replace(/^\/+/, '').replace(/\.\.+/g, '');
    try {
      const body = await readFile(join(staticDir, file));
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const io = new Server(http, { path: '/socket.io', cors: { origin: false } });
  const peers = new Map(); // socket id -> { transports, producers, consumers }
  const producers = () => [...peers.entries()].flatMap(([pid, p]) => [...p.producers.values()].map((pr) => ({
    producerId: pr.id, participantId: pid, userId: pid, kind: pr.kind, source: pr.appData.source, paused: pr.paused,
  })));
  const session = { id: 'bare', missionId: 'bare', caseId: null, caseReference: null, title: 'bare', status: 'live', scheduledAt: null,
    startedAt: null, endedAt: null, hostId: 'bare', hostName: 'bare', createdAt: new Date().toISOString(), participants: [], canJoin: true, isHost: true };

  const transportOptions = (t) => ({ id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters });
  const createTransport = async (peer, direction) => {
    const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true, enableSctp: false, initialAvailableOutgoingBitrate: 600_000, appData: { direction } });
    peer.transports.set(t.id, t);
    if (direction === 'recv') {
      peer.recv = t;
      // consumers made before DTLS was up start with it (as libs/media does)
      t.on('dtlsstatechange', (state) => {
        if (state !== 'connected') return;
        for (const c of peer.consumers.values()) if (c.appData.resumesOnConnect && c.appData.transportId === t.id) c.resume().catch(() => undefined);
      });
    }
    return t;
  };
  const consumeFor = async (peer, transport, producerId, rtpCapabilities) => {
    if (!router.canConsume({ producerId, rtpCapabilities })) throw new Error('cannot consume');
    const resumesOnConnect = transport.dtlsState !== 'connected';
    const c = await transport.consume({ producerId, rtpCapabilities, paused: true, appData: { transportId: transport.id, resumesOnConnect } });
    peer.consumers.set(c.id, c);
    if (resumesOnConnect && transport.dtlsState === 'connected') await c.resume();
    const owner = [...peers.entries()].find(([, p]) => p.producers.has(producerId));
    const source = owner?.[1].producers.get(producerId).appData.source ?? 'camera';
    return { id: c.id, transportId: transport.id, resumesOnConnect, producerId, participantId: owner?.[0] ?? '', kind: c.kind, source, rtpParameters: c.rtpParameters, type: c.type, producerPaused: c.producerPaused };
  };

  io.of('/consultations').on('connection', (socket) => {
    const peer = { transports: new Map(), producers: new Map(), consumers: new Map(), socket, recv: null, rtpCapabilities: null };
    socket.emit('hello', { routerRtpCapabilities: router.rtpCapabilities });
    const handle = (event, fn) =>
      socket.on(event, async (payload, ack) => {
        try {
          ack?.({ ok: true, data: (await fn(payload ?? {})) ?? {} });
        } catch (e) {
          ack?.({ ok: false, error: { code: 'ERROR', message: e.message } });
        }
      });
    // the hub's join: everything at once (capabilities, both transports, consumers of what is there)
    handle('join', async ({ rtpCapabilities }) => {
      const others = producers();
      peers.set(socket.id, peer);
      const [send, recv] = await Promise.all([createTransport(peer, 'send'), createTransport(peer, 'recv')]);
      peer.rtpCapabilities = rtpCapabilities ?? null;
      const consumers = rtpCapabilities ? await Promise.all(others.map((o) => consumeFor(peer, recv, o.producerId, rtpCapabilities))) : [];
      return { status: 'admitted', sessionId: 'bare', participantId: socket.id, callRole: 'host', routerRtpCapabilities: router.rtpCapabilities,
        producers: others, participants: [], iceServers: [], session, transports: { send: transportOptions(send), recv: transportOptions(recv) }, consumers };
    });
    handle('createTransport', async ({ direction }) => transportOptions(await createTransport(peer, direction)));
    handle('connectTransport', async ({ transportId, dtlsParameters }) => {
      await peer.transports.get(transportId).connect({ dtlsParameters });
    });
    handle('produce', async ({ transportId, kind, rtpParameters, source }) => {
      const p = await peer.transports.get(transportId).produce({ kind, rtpParameters, appData: { source } });
      peer.producers.set(p.id, p);
      socket.broadcast.to('call').emit('newProducer', { producerId: p.id, participantId: socket.id, userId: socket.id, kind, source, paused: false });
      for (const [id, other] of peers) {
        if (id === socket.id || !other.rtpCapabilities || !other.recv) continue;
        consumeFor(other, other.recv, p.id, other.rtpCapabilities).then((c) => other.socket.emit('newConsumer', c), () => undefined);
      }
      return { producerId: p.id };
    });
    handle('consume', async ({ transportId, producerId, rtpCapabilities }) => consumeFor(peer, peer.transports.get(transportId), producerId, rtpCapabilities));
    handle('resumeConsumer', async ({ consumerId }) => {
      await peer.consumers.get(consumerId).resume();
    });
    for (const e of ['pauseProducer', 'resumeProducer', 'closeProducer', 'setAudioOnly', 'stats', 'leave']) handle(e, () => ({}));
    socket.join('call');
    socket.on('disconnect', () => {
      peers.delete(socket.id);
      for (const t of peer.transports.values()) t.close();
    });
  });

  await new Promise((r) => http.listen(port ?? 0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    async close() {
      io.close();
      http.close();
      worker.close();
    },
  };
}
