import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { MediaError } from './media.errors';
import { Peer, PeerProducer } from './peer';
import type { MediaSource, PeerInfo, ProducerInfo, RoomEventName, RoomEvents, RtpCapabilities } from './media.types';
import type { PoolWorker } from './worker-pool';
import { QualityMonitor } from './quality-monitor';

/** Codecs of every router: Opus and VP8 (simulcast is the client's choice: mediasoup-client sends 3 layers). */
export const MEDIA_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 600 },
  },
];

/** Peers a room accepts (doctor, officer, a second specialist, an interpreter... with headroom). */
export const MAX_PEERS_PER_ROOM = 12;

type Listeners = { [K in RoomEventName]: [RoomEvents[K]] };

/**
 * A consultation room: one mediasoup router on one worker, an ActiveSpeakerObserver, its peers and a quality
 * monitor applying the degradation ladder. Created by MediaService.getOrCreateRoom.
 *
 * Events (`room.on(name, listener)`, payloads in RoomEvents): newProducer, producerClosed, producerPaused,
 * producerResumed, activeSpeaker, peerQuality, peerUplink, peerClosed, reset, closed.
 */
export class Room extends EventEmitter<Listeners> {
  private readonly logger = new Logger('MediaRoom');
  private readonly _peers = new Map<string, Peer>();
  private _router!: ms.Router;
  private _worker!: PoolWorker;
  private speakerObserver?: ms.ActiveSpeakerObserver;
  private _epoch = 0;
  private _closed = false;
  private ready: Promise<void> = Promise.resolve();
  private readonly monitor: QualityMonitor;

  /** @internal Use MediaService.getOrCreateRoom. */
  constructor(
    readonly id: string,
    private readonly onClose: (room: Room) => void,
  ) {
    super();
    this.monitor = new QualityMonitor(this);
  }

  /** @internal Creates the router (and observer) on `worker`. */
  async attach(worker: PoolWorker): Promise<void> {
    const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: this.id } });
    let speakerObserver: ms.ActiveSpeakerObserver;
    try {
      speakerObserver = await router.createActiveSpeakerObserver({ interval: 300 });
    } catch (e) {
      router.close();
      throw e;
    }
    // Closed while the router was being made (e.g. during a rebuild after a worker death): keep nothing of it,
    // or the router, the worker's room count and the quality timer would outlive the room.
    if (this._closed) {
      router.close();
      throw new MediaError('ROOM_CLOSED', 'the room is closed');
    }
    speakerObserver.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as { peerId?: string }).peerId ?? null;
      this.emit('activeSpeaker', { peerId });
    });
    this._router = router;
    this.speakerObserver = speakerObserver;
    this._worker = worker;
    worker.roomIds.add(this.id);
    worker.load += 1;
    this.monitor.start();
  }

  /** The router's capabilities: the client loads its mediasoup-client Device with them (changes on reset). */
  get rtpCapabilities(): RtpCapabilities {
    this.assertOpen();
    return this._router.rtpCapabilities;
  }
  /** Bumped by each reset; clients of an older epoch must rejoin. */
  get epoch(): number {
    return this._epoch;
  }
  get closed(): boolean {
    return this._closed;
  }
  get peers(): ReadonlyMap<string, Peer> {
    return this._peers;
  }
  /** pid of the worker process carrying this room (tests, logs). */
  get workerPid(): number {
    return this._worker.worker.pid;
  }
  /** @internal */
  get router(): ms.Router {
    return this._router;
  }
  /** @internal */
  get worker(): PoolWorker {
    return this._worker;
  }

  /**
   * Adds a peer. Joining again with the id of a present peer replaces it (a reconnecting client): the old
   * peer's producers close (announced as producerClosed) and it is reported as peerClosed.
   */
  async join(peerId: string, info: PeerInfo): Promise<Peer> {
    await this.ready;
    this.assertOpen();
    if (typeof peerId !== 'string' || !peerId) throw new MediaError('INVALID_PARAMETERS', 'peerId is required');
    if (this._peers.has(peerId)) this.leave(peerId);
    if (this._peers.size >= MAX_PEERS_PER_ROOM) throw new MediaError('LIMIT_REACHED', 'the room is full');
    const peer = new Peer(peerId, info, this);
    this._peers.set(peerId, peer);
    this._worker.load++;
    return peer;
  }

  getPeer(peerId: string): Peer | undefined {
    return this._peers.get(peerId);
  }

  /** Removes a peer, closing everything it owns. Unknown ids are ignored. */
  leave(peerId: string): void {
    const peer = this._peers.get(peerId);
    if (!peer) return;
    for (const { producer } of [...peer.producers.values()]) this.closeProducer(peer, producer);
    peer.closeInternal();
    this._peers.delete(peerId);
    this._worker.load = Math.max(0, this._worker.load - 1);
    this.emit('peerClosed', { peerId, userId: peer.userId });
  }

  /** Producers present in the room (to consume right after joining), optionally without one peer's own. */
  listProducers(exceptPeerId?: string): ProducerInfo[] {
    return [...this._peers.values()].filter((p) => p.id !== exceptPeerId).flatMap((p) => p.producerInfos());
  }

  /** Closes the room: every peer, the router; emits `closed`. */
  close(reason = 'closed'): void {
    if (this._closed) return;
    this._closed = true;
    this.monitor.stop();
    if (this._worker) this._worker.load = Math.max(0, this._worker.load - 1 - this._peers.size);
    for (const peer of this._peers.values()) peer.closeInternal();
    this._peers.clear();
    this._router?.close();
    this._worker?.roomIds.delete(this.id);
    this.onClose(this);
    this.emit('closed', { reason });
    this.removeAllListeners();
  }

  // ---- internal -----------------------------------------------------------------------------------------------

  /** @internal The room's worker died: drop every peer, build a new router on `worker`, emit `reset`. */
  async rebuild(worker: PoolWorker, reason: string): Promise<void> {
    if (this._closed) return;
    this.monitor.stop();
    const dropped = this._peers.size;
    // Transports/producers/consumers died with the worker: drop the state without touching mediasoup objects.
    for (const peer of this._peers.values()) peer.closeInternal();
    this._peers.clear();
    this._worker.roomIds.delete(this.id);
    this._worker.load = 0;
    this.ready = this.attach(worker);
    try {
      await this.ready;
    } catch (e) {
      if (this._closed) return;
      this.logger.error(`room ${this.id}: rebuild failed: ${(e as Error).message}`);
      this.close('rebuild failed');
      return;
    }
    this._epoch++;
    this.logger.warn(
      `room ${this.id} rebuilt on worker pid ${worker.worker.pid} (${reason}); ${dropped} peer(s) must reconnect`,
    );
    this.emit('reset', { reason, epoch: this._epoch });
  }

  /** @internal A peer's uplink estimate collapsed: the quality monitor weighs that uplink now. */
  uplinkChanged(peer: Peer): void {
    if (!this._closed) void this.monitor.sampleUplinkNow(peer);
  }

  /** @internal */
  assertOpen(): void {
    if (this._closed) throw new MediaError('ROOM_CLOSED', 'the room is closed');
  }

  /** @internal A producer of this room's peers (never another room's). */
  findProducer(producerId: string): { peer: Peer; entry: PeerProducer } | undefined {
    if (typeof producerId !== 'string') return undefined;
    for (const peer of this._peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return { peer, entry };
    }
    return undefined;
  }

  /** @internal */
  onProducerAdded(peer: Peer, producer: ms.Producer, source: MediaSource): void {
    producer.once('transportclose', () => this.closeProducer(peer, producer));
    if (producer.kind === 'audio') {
      this.speakerObserver?.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    this.emit('newProducer', {
      producerId: producer.id,
      peerId: peer.id,
      userId: peer.userId,
      kind: producer.kind,
      source,
      paused: producer.paused,
    });
    // Server-side consume (mediasoup-demo's `_createConsumer`): every peer that asked for it gets its consumer
    // without a request of its own; the client only builds the track.
    for (const other of this._peers.values()) {
      if (other === peer || !other.autoConsumes || !other.recvTransport()) continue;
      other
        .consume({ producerId: producer.id, once: true })
        .then((consumer) => {
          if (!other.closed) this.emit('newConsumer', { peerId: other.id, consumer });
        })
        .catch((e) => this.logger.debug(`room ${this.id}: no consumer of ${producer.id} for ${other.id}: ${(e as Error).message}`));
    }
  }

  /** @internal Closes a producer and tells the room which consumers went with it. */
  closeProducer(peer: Peer, producer: ms.Producer): void {
    if (!peer.producers.has(producer.id)) return;
    const consumers: { peerId: string; consumerId: string }[] = [];
    for (const other of this._peers.values()) {
      for (const [consumerId, c] of other.consumers) {
        if (c.consumer.producerId === producer.id) consumers.push({ peerId: other.id, consumerId });
      }
    }
    peer.forgetProducer(producer.id);
    producer.close();
    // When the worker died everything closes at once; clients hear `reset` instead of one event per producer.
    if (!this._router.closed) this.emit('producerClosed', { producerId: producer.id, peerId: peer.id, consumers });
  }
}
