import type { types as ms } from 'mediasoup';
import { QUALITY_LEVEL_INFO, QualityLevel } from '@hub/contracts';
import { MediaError } from './media.errors';
import type {
  ConsumerParams,
  DtlsParameters,
  IceParameters,
  MediaKind,
  MediaSource,
  PeerInfo,
  PeerStats,
  ProducerInfo,
  RtpCapabilities,
  RtpParameters,
  TransportDirection,
  TransportParams,
  UplinkStats,
} from './media.types';
import type { Room } from './room';

/** Limits per peer: a browser needs one transport per direction, one producer per source. */
export const MAX_CONSUMERS_PER_PEER = 64;
/** Upper bound of what one peer may send to the SFU (3 simulcast layers + screen + audio fit well below). */
export const MAX_INCOMING_BITRATE = 4_000_000;
/** Start estimate towards a peer before the bandwidth estimator has data. */
export const INITIAL_OUTGOING_BITRATE = 600_000;

const SOURCE_KIND: Record<MediaSource, MediaKind> = { mic: 'audio', camera: 'video', screen: 'video' };

interface PeerTransport {
  direction: TransportDirection;
  transport: ms.WebRtcTransport;
}

/** A consumer and who holds it paused: the client (until resumeConsumer) and/or the quality policy. */
export interface PeerConsumer {
  consumer: ms.Consumer;
  producerPeerId: string;
  source: MediaSource;
  clientPaused: boolean;
  /** Created before the receive transport's DTLS connected: the SFU starts it when DTLS connects. */
  resumesOnConnect: boolean;
  /** Highest spatial layer the client asked for (setPreferredLayers), e.g. 0 for a thumbnail. */
  maxSpatialLayer?: number;
  maxTemporalLayer?: number;
}

export interface PeerProducer {
  producer: ms.Producer;
  source: MediaSource;
  /** The client paused it (microphone muted, camera off). */
  clientPaused?: boolean;
  /** The uplink policy holds it back from the others (the sender's link cannot carry it, or it is on probation). */
  policyPaused?: boolean;
}

/** How long a browser's reported send-side estimate is trusted. */
const UPLINK_ESTIMATE_TTL_MS = 6000;

/**
 * One participant of a Room: its transports, producers and consumers. Every id a client sends is looked up in
 * this peer's own maps (transports, producers, consumers) or, for consume(), among the producers of this room
 * only; anything else is answered as "not found". close() cascades to everything the peer owns.
 */
export class Peer {
  readonly userId: string;
  readonly displayName: string;
  readonly joinedAt = new Date();
  private _audioOnly: boolean;
  private _rtpCapabilities?: RtpCapabilities;
  private _closed = false;
  private _quality: QualityLevel = 'full';
  private _autoConsume = false;
  private _uplink: QualityLevel = 'full';
  private _uplinkProbing = false;
  private _uplinkEstimate?: { bps: number; at: number };
  private readonly _transports = new Map<string, PeerTransport>();
  private readonly _producers = new Map<string, PeerProducer>();
  private readonly _consumers = new Map<string, PeerConsumer>();

  /** @internal Created by Room.join. */
  constructor(
    readonly id: string,
    info: PeerInfo,
    private readonly room: Room,
  ) {
    this.userId = info.userId;
    this.displayName = info.displayName;
    this._audioOnly = !!info.audioOnly;
    this._rtpCapabilities = info.rtpCapabilities;
  }

  get roomId(): string {
    return this.room.id;
  }
  get closed(): boolean {
    return this._closed;
  }
  /** The peer asked not to receive video (audio-only join or toggle). */
  get audioOnly(): boolean {
    return this._audioOnly;
  }
  /** The peer's level on the degradation ladder (set by the room's quality monitor). */
  get quality(): QualityLevel {
    return this._quality;
  }
  /** The level of the peer's own uplink (set by the room's quality monitor): what its browser sends. */
  get uplink(): { level: QualityLevel; probing: boolean } {
    return { level: this._uplink, probing: this._uplinkProbing };
  }
  /** Transport ids by direction. */
  get transports(): ReadonlyMap<string, { direction: TransportDirection }> {
    return this._transports;
  }
  get producers(): ReadonlyMap<string, PeerProducer> {
    return this._producers;
  }
  get consumers(): ReadonlyMap<string, PeerConsumer> {
    return this._consumers;
  }

  /** The room creates this peer's consumers itself (enableAutoConsume). */
  get autoConsumes(): boolean {
    return this._autoConsume;
  }

  /**
   * From now on the room consumes every new producer of the other peers for this peer by itself (one round trip
   * fewer per producer, as mediasoup-demo's server does) and announces it as `newConsumer`, as long as the peer has
   * a receive transport. `rtpCapabilities` are the client's device capabilities.
   */
  enableAutoConsume(rtpCapabilities: RtpCapabilities): void {
    this.assertOpen();
    if (!rtpCapabilities || typeof rtpCapabilities !== 'object' || !Array.isArray(rtpCapabilities.codecs)) {
      throw invalid('rtpCapabilities.codecs must be an array');
    }
    this._rtpCapabilities = rtpCapabilities;
    this._autoConsume = true;
  }

  /** Sets the client's device.rtpCapabilities (needed before consume() unless passed there). */
  setRtpCapabilities(rtpCapabilities: RtpCapabilities): void {
    this._rtpCapabilities = rtpCapabilities;
  }

  /**
   * Creates the peer's transport for one direction on the worker's WebRtcServer (one UDP + TCP port per worker).
   * A second call for the same direction replaces the first (client recreating its transport), also when the calls
   * overlap. SCTP (data channels) is off.
   */
  async createWebRtcTransport(direction: TransportDirection): Promise<TransportParams> {
    this.assertOpen();
    if (direction !== 'send' && direction !== 'recv') throw invalid('direction must be send or recv');
    const transport = await this.room.router.createWebRtcTransport({
      webRtcServer: this.room.worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      enableSctp: false,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { peerId: this.id, direction },
    });
    if (this._closed) {
      transport.close();
      throw new MediaError('PEER_CLOSED', 'peer left');
    }
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE).catch(() => undefined);
    else {
      // Consumers made before DTLS was up start now: the client built their tracks before the handshake began.
      transport.on('dtlsstatechange', (state) => {
        if (state === 'connected') void this.startConsumersOf(transport.id);
      });
    }
    // Replace the previous one only now: requests sent at once all get here, and each closes what the others made,
    // so a burst leaves one transport per direction instead of one per request.
    for (const [id, t] of this._transports) if (t.direction === direction) this.closeTransport(id);
    this._transports.set(transport.id, { direction, transport });
    transport.observer.once('close', () => this._transports.delete(transport.id));
    return {
      id: transport.id,
      direction,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** Completes DTLS for one of this peer's transports. */
  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const { transport } = this.ownTransport(transportId);
    if (!dtlsParameters || !Array.isArray(dtlsParameters.fingerprints)) throw invalid('dtlsParameters are missing');
    try {
      await transport.connect({ dtlsParameters });
    } catch (e) {
      throw invalid(`cannot connect transport: ${(e as Error).message}`);
    }
  }

  /** ICE restart after a network change; returns the new ICE parameters for the client's transport.restartIce(). */
  async restartIce(transportId: string): Promise<IceParameters> {
    const { transport } = this.ownTransport(transportId);
    return transport.restartIce();
  }

  /**
   * Starts a producer on this peer's send transport. One producer per source; `kind` must fit the source
   * (mic = audio; camera, screen = video). Announced to the room as `newProducer`.
   */
  async produce(options: {
    transportId: string;
    kind: MediaKind;
    rtpParameters: RtpParameters;
    source: MediaSource;
  }): Promise<{ producerId: string }> {
    const { transport, direction } = this.ownTransport(options.transportId);
    if (direction !== 'send') throw new MediaError('TRANSPORT_NOT_FOUND', 'transport not found');
    if (!(options.source in SOURCE_KIND)) throw invalid('source must be mic, camera or screen');
    if (SOURCE_KIND[options.source] !== options.kind) throw invalid(`${options.source} must be ${SOURCE_KIND[options.source]}`);
    for (const p of this._producers.values()) {
      if (p.source === options.source) throw new MediaError('LIMIT_REACHED', `already producing ${options.source}`);
    }
    let producer: ms.Producer;
    try {
      producer = await transport.produce({
        kind: options.kind,
        rtpParameters: options.rtpParameters,
        appData: { peerId: this.id, source: options.source },
      });
    } catch (e) {
      throw invalid(`cannot produce: ${(e as Error).message}`);
    }
    if (this._closed) {
      producer.close();
      throw new MediaError('PEER_CLOSED', 'peer left');
    }
    // Two requests for the same source at once both passed the check above: the later one gives way.
    if ([...this._producers.values()].some((p) => p.source === options.source)) {
      producer.close();
      throw new MediaError('LIMIT_REACHED', `already producing ${options.source}`);
    }
    const entry: PeerProducer = { producer, source: options.source };
    // a camera started while the uplink cannot carry video is held back from the others from the start
    if (options.source === 'camera' && !QUALITY_LEVEL_INFO[this._uplink].video) {
      entry.policyPaused = true;
      await producer.pause();
    }
    this._producers.set(producer.id, entry);
    this.room.onProducerAdded(this, producer, options.source);
    producer.once('transportclose', () => this.forgetProducer(producer.id));
    return { producerId: producer.id };
  }

  /**
   * Consumes a producer of ANOTHER peer of the SAME room on this peer's receive transport. The consumer starts
   * paused; the client resumes it (resumeConsumer) once its track is set up. A producer id from another room
   * (or unknown) is refused with PRODUCER_NOT_FOUND.
   */
  async consume(options: {
    producerId: string;
    rtpCapabilities?: RtpCapabilities;
    /** The peer's recv transport; optional (a peer has one). */
    transportId?: string;
    /** Answer the peer's existing consumer of this producer instead of making a second one (server-side consume). */
    once?: boolean;
  }): Promise<ConsumerParams> {
    this.assertOpen();
    const recv = options.transportId ? this.ownTransport(options.transportId) : this.recvTransport();
    if (!recv || recv.direction !== 'recv') throw new MediaError('TRANSPORT_NOT_FOUND', 'transport not found');
    const found = this.room.findProducer(options.producerId);
    if (!found) throw new MediaError('PRODUCER_NOT_FOUND', 'producer not found');
    if (found.peer === this) throw invalid('a peer does not consume its own producer');
    if (options.once) {
      for (const entry of this._consumers.values()) {
        if (entry.consumer.producerId === found.entry.producer.id && !entry.consumer.closed) return this.paramsOf(entry);
      }
    }
    if (this._consumers.size >= MAX_CONSUMERS_PER_PEER) throw new MediaError('LIMIT_REACHED', 'too many consumers');
    const rtpCapabilities = options.rtpCapabilities ?? this._rtpCapabilities;
    if (!rtpCapabilities) throw invalid('rtpCapabilities are missing');
    if (options.rtpCapabilities) this._rtpCapabilities = options.rtpCapabilities;
    const { producer } = found.entry;
    if (!this.room.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'this device cannot receive that producer (codecs)');
    }
    const consumer = await recv.transport.consume({
      producerId: producer.id,
      rtpCapabilities,
      paused: true,
      appData: { peerId: this.id, producerPeerId: found.peer.id, transportId: recv.transport.id },
    });
    if (this._closed) {
      consumer.close();
      throw new MediaError('PEER_CLOSED', 'peer left');
    }
    if (this._consumers.size >= MAX_CONSUMERS_PER_PEER) {
      // the limit was reached by requests that overlapped this one
      consumer.close();
      throw new MediaError('LIMIT_REACHED', 'too many consumers');
    }
    const entry: PeerConsumer = {
      consumer,
      producerPeerId: found.peer.id,
      source: found.entry.source,
      clientPaused: true,
      resumesOnConnect: recv.transport.dtlsState !== 'connected',
    };
    this._consumers.set(consumer.id, entry);
    consumer.observer.once('close', () => this._consumers.delete(consumer.id));
    // The simulcast layer the SFU forwards now (bandwidth, the ladder's cap, or the producer's own layers).
    consumer.on('layerschange', (layers) =>
      this.room.emit('consumerLayersChanged', {
        peerId: this.id,
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    await this.applyLayers(entry);
    // DTLS may have connected while the consumer was being made: start it now rather than never.
    if (entry.resumesOnConnect && recv.transport.dtlsState === 'connected') await this.startConsumersOf(recv.transport.id);
    return this.paramsOf(entry);
  }

  private paramsOf(entry: PeerConsumer): ConsumerParams {
    const { consumer } = entry;
    return {
      id: consumer.id,
      transportId: this.transportOf(consumer) ?? '',
      resumesOnConnect: entry.resumesOnConnect,
      producerId: consumer.producerId,
      producerPeerId: entry.producerPeerId,
      kind: consumer.kind,
      source: entry.source,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  private transportOf(consumer: ms.Consumer): string | undefined {
    return (consumer.appData as { transportId?: string }).transportId;
  }

  /** Starts the consumers waiting for this receive transport's DTLS (see ConsumerParams.resumesOnConnect). */
  private async startConsumersOf(transportId: string): Promise<void> {
    await Promise.all(
      [...this._consumers.values()]
        .filter((c) => c.resumesOnConnect && c.clientPaused && this.transportOf(c.consumer) === transportId)
        .map((c) => {
          c.clientPaused = false;
          return this.applyLayers(c).catch(() => undefined);
        }),
    );
  }

  /** The client is ready to render: start sending (unless the quality policy or audio-only holds video back). */
  async resumeConsumer(consumerId: string): Promise<void> {
    const entry = this.ownConsumer(consumerId);
    entry.clientPaused = false;
    await this.applyLayers(entry);
  }

  /** The client stops rendering a consumer (e.g. a hidden tile). */
  async pauseConsumer(consumerId: string): Promise<void> {
    const entry = this.ownConsumer(consumerId);
    entry.clientPaused = true;
    await this.applyLayers(entry);
  }

  /**
   * Caps the simulcast layers of one video consumer (e.g. spatial 0 for a thumbnail). The effective layer is the
   * lower of this and the quality policy's; within it mediasoup picks what the bandwidth allows.
   */
  async setPreferredLayers(consumerId: string, layers: { spatialLayer: number; temporalLayer?: number }): Promise<void> {
    const entry = this.ownConsumer(consumerId);
    if (!Number.isInteger(layers.spatialLayer) || layers.spatialLayer < 0 || layers.spatialLayer > 2) {
      throw invalid('spatialLayer must be 0, 1 or 2');
    }
    if (layers.temporalLayer !== undefined && (!Number.isInteger(layers.temporalLayer) || layers.temporalLayer < 0 || layers.temporalLayer > 2)) {
      throw invalid('temporalLayer must be 0, 1 or 2');
    }
    entry.maxSpatialLayer = layers.spatialLayer;
    entry.maxTemporalLayer = layers.temporalLayer;
    await this.applyLayers(entry);
  }

  async pauseProducer(producerId: string): Promise<void> {
    const entry = this.ownProducer(producerId);
    entry.clientPaused = true;
    await this.applyProducerPause(entry);
  }

  async resumeProducer(producerId: string): Promise<void> {
    const entry = this.ownProducer(producerId);
    entry.clientPaused = false;
    await this.applyProducerPause(entry);
  }

  /** The browser's send-side bandwidth estimate (bit/s), from its stats report. */
  noteUplinkEstimate(bps: number): void {
    if (!Number.isFinite(bps) || bps <= 0) return;
    const before = this._uplinkEstimate;
    this._uplinkEstimate = { bps, at: Date.now() };
    // A collapsed uplink (the browser's estimate halved) is weighed now, not at the next sample: its own audio waits
    // in the same overflowing queue as its video.
    if (before && bps < before.bps / 2) this.room.uplinkChanged(this);
  }

  /**
   * What the SFU sees of this peer's uplink, for the uplink ladder. `seen` (the caller's, kept between its samples:
   * the quality monitor's) holds each stream's cumulative packetsLost at the previous sample, so that an audio
   * stream's lossy report weighs in once (below); without it every figure is taken as it stands.
   */
  async getUplinkStats(seen?: Map<string, number>): Promise<UplinkStats> {
    // Loss weighted by each stream's bitrate: a simulcast layer that just started again (a probe, a resumed camera)
    // reads its jump in sequence numbers as loss at its first report, and must not pass for the whole uplink's; a
    // stream that receives nothing (camera not sent) has nothing to say about loss.
    let lossWeighted = 0;
    let lossWeight = 0;
    let recvBitrate = 0;
    let sendsVideo = false;
    await Promise.all(
      [...this._producers.values()].map(async ({ producer, source }) => {
        if (source === 'camera') sendsVideo = true;
        const stats = await producer.getStats().catch(() => []);
        for (const s of stats) {
          if (s.type !== 'inbound-rtp') continue;
          recvBitrate += s.bitrate ?? 0;
          // The SFU reports an audio stream's loss every 5-7.5 s (mediasoup's RTCP interval for audio), and its
          // stats repeat that figure until the next report: one report of a queue that overflowed before the link
          // was restored read as 5-7 lossy samples in a row and held the next probe back (measured: 22-27 % for
          // 3 s after a 48 kbit/s uplink was restored). A lossy figure already read (its cumulative packetsLost has
          // not moved) says nothing new: it weighs in once.
          const key = `${producer.id}:${s.ssrc}`;
          const lost = s.packetsLost ?? 0;
          const stale = !!seen && producer.kind === 'audio' && (s.fractionLost ?? 0) > 0 && seen.get(key) === lost;
          seen?.set(key, lost);
          if (stale) continue;
          lossWeight += s.bitrate ?? 0;
          lossWeighted += ((s.fractionLost ?? 0) / 256) * (s.bitrate ?? 0);
        }
      }),
    );
    const e = this._uplinkEstimate;
    const availableBitrate = e && Date.now() - e.at < UPLINK_ESTIMATE_TTL_MS ? e.bps : undefined;
    const packetLoss = lossWeight > 0 ? lossWeighted / lossWeight : 0;
    return { packetLoss, recvBitrate, availableBitrate, sendsVideo };
  }

  /** @internal The uplink policy's level: the camera is held back from the others while the level has no video. */
  async setUplink(level: QualityLevel, probing: boolean): Promise<void> {
    this._uplink = level;
    this._uplinkProbing = probing;
    const hold = !QUALITY_LEVEL_INFO[level].video;
    await Promise.all(
      [...this._producers.values()]
        .filter((p) => p.source === 'camera')
        .map((p) => {
          p.policyPaused = hold;
          return this.applyProducerPause(p);
        }),
    );
  }

  private async applyProducerPause(entry: PeerProducer): Promise<void> {
    const { producer } = entry;
    const paused = !!entry.clientPaused || !!entry.policyPaused;
    if (producer.closed || producer.paused === paused) return;
    if (paused) await producer.pause();
    else await producer.resume();
    this.room.emit(paused ? 'producerPaused' : 'producerResumed', { producerId: producer.id, peerId: this.id });
  }

  /** Stops one of this peer's producers; the room announces `producerClosed` with the consumers it took down. */
  closeProducer(producerId: string): void {
    const { producer } = this.ownProducer(producerId);
    this.room.closeProducer(this, producer);
  }

  /** Audio-only toggle: pause (or resume) every video consumer of this peer. */
  async setAudioOnly(audioOnly: boolean): Promise<void> {
    this.assertOpen();
    this._audioOnly = audioOnly;
    await Promise.all([...this._consumers.values()].map((c) => this.applyLayers(c)));
  }

  /** Quality figures for the session record and the quality indicator. */
  async getStats(): Promise<PeerStats> {
    let sendBitrate = 0;
    let recvBitrate = 0;
    let availableOutgoingBitrate: number | undefined;
    let packetLoss = 0;
    let rttMs: number | undefined;
    await Promise.all(
      [...this._transports.values()].map(async ({ direction, transport }) => {
        const [s] = await transport.getStats().catch(() => []);
        if (!s) return;
        if (direction === 'send') sendBitrate += s.recvBitrate;
        else {
          recvBitrate += s.sendBitrate;
          if (s.availableOutgoingBitrate !== undefined) availableOutgoingBitrate = s.availableOutgoingBitrate;
        }
      }),
    );
    await Promise.all(
      [...this._consumers.values()].map(async ({ consumer }) => {
        // A consumer carrying nothing (paused, or its producer paused: a sender whose uplink has no room for video)
        // has only the figures of its last report, from before it stopped.
        if (consumer.paused || consumer.producerPaused) return;
        const stats = await consumer.getStats().catch(() => []);
        // A consumer's stats carry its producer's stream too (inbound-rtp): what was already lost on the way to the
        // SFU (the sender's uplink) shows again in this peer's receiver reports, but is not this downlink's (measured:
        // an officer's 48 kbit/s uplink overflowing took the doctor's downlink to audio_only with 25-33 % "loss",
        // and the doctor then needed a probe of its own before seeing the officer's video again).
        const upstream = stats.reduce((m, s) => (s.type === 'inbound-rtp' ? Math.max(m, s.fractionLost ?? 0) : m), 0);
        for (const s of stats) {
          if (s.type !== 'outbound-rtp') continue;
          packetLoss = Math.max(packetLoss, Math.max(0, (s.fractionLost ?? 0) - upstream) / 256);
          if (s.roundTripTime) rttMs = Math.max(rttMs ?? 0, s.roundTripTime);
        }
      }),
    );
    await Promise.all(
      [...this._producers.values()].map(async ({ producer }) => {
        const stats = await producer.getStats().catch(() => []);
        for (const s of stats) if (s.roundTripTime) rttMs = Math.max(rttMs ?? 0, s.roundTripTime);
      }),
    );
    return {
      peerId: this.id,
      userId: this.userId,
      at: new Date().toISOString(),
      sendBitrate,
      recvBitrate,
      availableOutgoingBitrate,
      packetLoss,
      rttMs,
      quality: this._quality,
    };
  }

  /** Leaves the room: closes transports (and with them producers and consumers). Idempotent. */
  close(): void {
    if (this._closed) return;
    this.room.leave(this.id);
  }

  // ---- internal (used by Room and the quality monitor) ------------------------------------------------------

  /** @internal */
  closeInternal(): PeerProducer[] {
    if (this._closed) return [];
    this._closed = true;
    const producers = [...this._producers.values()];
    for (const { transport } of this._transports.values()) transport.close();
    this._transports.clear();
    this._producers.clear();
    this._consumers.clear();
    return producers;
  }

  /**
   * @internal Registers a producer the SERVER created on this room's router (a PlainTransport fed by ffmpeg in
   * tests and benches). Never reachable from signalling: clients only ever get WebRtcTransports.
   */
  attachServerProducer(producer: ms.Producer, source: MediaSource): void {
    this.assertOpen();
    this._producers.set(producer.id, { producer, source });
    this.room.onProducerAdded(this, producer, source);
  }

  /** @internal */
  forgetProducer(producerId: string): void {
    this._producers.delete(producerId);
  }

  /** @internal The send transport, if created. */
  sendTransport(): PeerTransport | undefined {
    for (const t of this._transports.values()) if (t.direction === 'send') return t;
    return undefined;
  }

  /** @internal The receive transport, if created. */
  recvTransport(): PeerTransport | undefined {
    for (const t of this._transports.values()) if (t.direction === 'recv') return t;
    return undefined;
  }

  /** @internal Applies a new level of the degradation ladder to every video consumer. */
  async setQuality(level: QualityLevel): Promise<void> {
    this._quality = level;
    await Promise.all([...this._consumers.values()].map((c) => this.applyLayers(c)));
  }

  /** Pauses/resumes and caps one consumer from the client's wish, audio-only and the quality level. */
  private async applyLayers(entry: PeerConsumer): Promise<void> {
    const { consumer } = entry;
    if (consumer.closed) return;
    const info = QUALITY_LEVEL_INFO[this._quality];
    const isVideo = consumer.kind === 'video';
    const hold = entry.clientPaused || (isVideo && (this._audioOnly || !info.video));
    try {
      if (hold && !consumer.paused) await consumer.pause();
      if (isVideo && consumer.type !== 'simple' && !hold) {
        const policyLayer = info.spatialLayer ?? 0;
        const spatialLayer = Math.min(policyLayer, entry.maxSpatialLayer ?? 2);
        const temporalLayer = entry.maxTemporalLayer ?? 2;
        const current = consumer.preferredLayers;
        if (current?.spatialLayer !== spatialLayer || current?.temporalLayer !== temporalLayer) {
          await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
        }
      }
      if (!hold && consumer.paused) await consumer.resume();
    } catch (e) {
      if (!consumer.closed) throw e;
    }
  }

  private assertOpen(): void {
    if (this._closed) throw new MediaError('PEER_CLOSED', 'peer left');
    this.room.assertOpen();
  }

  private ownTransport(transportId: string): PeerTransport {
    this.assertOpen();
    const t = typeof transportId === 'string' ? this._transports.get(transportId) : undefined;
    if (!t) throw new MediaError('TRANSPORT_NOT_FOUND', 'transport not found');
    return t;
  }

  private ownProducer(producerId: string): PeerProducer {
    this.assertOpen();
    const p = typeof producerId === 'string' ? this._producers.get(producerId) : undefined;
    if (!p) throw new MediaError('PRODUCER_NOT_FOUND', 'producer not found');
    return p;
  }

  private ownConsumer(consumerId: string): PeerConsumer {
    this.assertOpen();
    const c = typeof consumerId === 'string' ? this._consumers.get(consumerId) : undefined;
    if (!c) throw new MediaError('CONSUMER_NOT_FOUND', 'consumer not found');
    return c;
  }

  private closeTransport(id: string): void {
    this._transports.get(id)?.transport.close();
    this._transports.delete(id);
  }

  /** @internal For Room.listProducers. */
  producerInfos(): ProducerInfo[] {
    return [...this._producers.values()].map(({ producer, source }) => ({
      producerId: producer.id,
      peerId: this.id,
      userId: this.userId,
      kind: producer.kind,
      source,
      paused: producer.paused,
    }));
  }
}

function invalid(message: string): MediaError {
  return new MediaError('INVALID_PARAMETERS', message);
}
