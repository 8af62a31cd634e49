import { Device, types } from 'mediasoup-client';
import {
  LOW_LAYER_MAX_BPS,
  PROBE_LAYER_MAX_BPS,
  QUALITY_LEVEL_INFO,
  type AdmittedPayload,
  type CallQualityLevel,
  type ChatMessageView,
  type ConsultationSessionView,
  type ConsumerOptions,
  type ParticipantView,
  type ProducerInfo,
  type ProducerSource,
  type RecordingStateView,
  type StatsReport,
  type TransportOptions,
} from '@hub/contracts';
import { post } from '../api/client';
import { callErrorText, callText } from './errors';
import { Signalling, SignallingError, takePreconnected } from './signalling';
import { StatsSampler } from './stats';

export type CallPhase = 'connecting' | 'waiting' | 'declined' | 'joining' | 'in-call' | 'reconnecting' | 'ended' | 'error';

type MediaSource = ProducerSource;

export interface RemoteMedia {
  consumerId: string;
  producerId: string;
  participantId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
  spatialLayer: number | null;
}

export interface CallState {
  phase: CallPhase;
  error: string | null;
  /** Why the call is reconnecting (socket lost, media server restarted, ICE), for the banner. */
  reconnectReason: string | null;
  participantId: string | null;
  session: ConsultationSessionView | null;
  isHost: boolean;
  /** Everyone the hub told us about (admitted, waiting, declined, left), by participant id. */
  participants: ParticipantView[];
  remote: RemoteMedia[];
  activeSpeakerId: string | null;
  localStream: MediaStream | null;
  screenStream: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  audioOnly: boolean;
  /** The server's degradation level for our downlink (libs/contracts media-policy). */
  quality: CallQualityLevel;
  qualityReason: string | null;
  /** The server's level for our UPLINK (what our browser can send) and whether it is probing with a little video. */
  uplink: CallQualityLevel;
  uplinkProbing: boolean;
  /** The uplink level of the others, by participant id (their video is paused while it has no video). */
  remoteUplinks: Record<string, CallQualityLevel>;
  stats: (StatsReport & { jitterMs?: number }) | null;
  chat: ChatMessageView[];
  /** The host ended the session for everyone. */
  endedByHost: boolean;
  /** Media rebuilds after the first join (rejoin after a lost socket, media reset). */
  reconnects: number;
  /** Who consented to recording and whether the call is recorded now (null until admitted). */
  recording: RecordingStateView | null;
}

export interface CallOptions {
  sessionId: string;
  /** Join without a camera (weak link, or chosen on the pre-call page). */
  audioOnly?: boolean;
  invitationToken?: string;
  /** Socket namespace of the consultation gateway (default /consultations). */
  namespace?: string;
  /** The hub's origin when it is not the page's (benchmarks); default the page's own. */
  origin?: string;
  statsIntervalMs?: number;
}

/**
 * Three VP8 simulcast layers: a quarter, half and full resolution (240x135, 480x270, 960x540 from the camera
 * constraints below), each capped so a weak uplink keeps the lowest. Chromium sends only two layers from a
 * 640x480 capture (its resolution-based layer limit), so the camera is asked for 960x540.
 */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: LOW_LAYER_MAX_BPS },
  { scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];
export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 15, max: 24 } };

/**
 * Grace before an ICE restart of a `disconnected` transport; `failed` restarts at once. A weak link with a deep
 * queue can miss a few consent checks and come back by itself: restarting then only costs the call more.
 */
const ICE_RESTART_DELAY_MS = 5000;

/**
 * Opus for the worst link: mono, in-band FEC, DTX, NACK off (a retransmission arrives too late to play). A video
 * call sends 40 ms packets at up to 24 kbit/s; an audio-only call (chosen for a weak link) 60 ms packets at up to
 * 10 kbit/s, so audio with its RTP/SRTP headers stays near 16 kbit/s (8 kbit/s left too little for in-band FEC:
 * more concealment at 2 % loss, not less). The uplink ladder lowers the cap at run time
 * (AUDIO_MAX_BPS_LOW) when the uplink cannot carry video.
 */
export function opusOptions(audioOnly: boolean) {
  return audioOnly
    ? { opusStereo: false, opusDtx: true, opusFec: true, opusPtime: 60, opusMaxAverageBitrate: 10_000 }
    : { opusStereo: false, opusDtx: true, opusFec: true, opusPtime: 40, opusMaxAverageBitrate: 24_000 };
}
/**
 * The RTP header extensions that feed the browser's send-side bandwidth estimation (transport-cc, abs-send-time).
 * With them on its audio stream, a browser sending audio alone runs that estimation on it, and in application-limited
 * state (audio never fills a link) it probes the link with padding-only audio packets: measured on an audio-only call
 * at 24 kbit/s, one page sent 1,386 audio packets in 65 s against the other's 1,087 with the same payload bytes, the
 * difference being padding (`headerBytesSent` 52 kB against 30 kB), ~20 kbit/s instead of ~14 on the link, and the
 * relay's 500 ms queue dropped 123 packets a minute, heard as 6 % concealment at the other end.
 */
const BWE_EXTENSIONS = new Set([
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

/**
 * The router's capabilities as the Device of this call loads them: for an audio-only call, without the bandwidth
 * estimation extensions on audio (and the `transport-cc` feedback of audio codecs), so the browser neither probes nor
 * pads an audio-only uplink; its audio is capped by Opus (`opusOptions`), which is all such a link needs. Video
 * keeps them (the uplink ladder reads the browser's estimate from video's transport-cc feedback), so a camera turned
 * on later in the call is estimated as before.
 */
export function deviceCapabilities<T extends types.RtpCapabilities>(router: T, audioOnly: boolean): T {
  if (!audioOnly) return router;
  return {
    ...router,
    codecs: router.codecs?.map((c) => (c.kind === 'audio' ? { ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type !== 'transport-cc') } : c)),
    headerExtensions: router.headerExtensions?.filter((h) => !(h.kind === 'audio' && BWE_EXTENSIONS.has(h.uri))),
  };
}

/** Audio cap while the uplink has no room for video. */
export const AUDIO_MAX_BPS_LOW = 12_000;
/** Interval of further checks (and restarts) while a transport stays disconnected or failed. */
const ICE_RECHECK_MS = 4000;

/**
 * One live consultation from the browser's side: the signalling socket, the mediasoup-client Device, one send and
 * one receive transport, our producers (microphone, camera with simulcast, screen) and the consumers of everyone
 * else's. It keeps the call alive by itself:
 * - the socket reconnects (socket.io) -> we join again; the server readmits an admitted participant and we build
 *   new transports, produce the same tracks again and consume everyone's producers;
 * - a transport goes `disconnected` / `failed` while the socket is up -> ICE restart;
 * - `media:reset` (the media worker died and the room was rebuilt) -> new Device and transports.
 * React reads it through `subscribe` / `getState` (useSyncExternalStore).
 */
export class CallClient {
  private state: CallState;
  private readonly listeners = new Set<() => void>();
  private signalling: Signalling | null = null;
  device: Device | null = null;
  sendTransport: types.Transport | null = null;
  recvTransport: types.Transport | null = null;
  readonly producers = new Map<MediaSource, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  private readonly consumedProducers = new Set<string>();
  /**
   * Every producer of the others we know of (join / reset payloads, newProducer, minus producerClosed). A producer
   * announced while our transports are being (re)built is kept here and consumed when the build finishes.
   */
  private readonly knownProducers = new Map<string, ProducerInfo>();
  /** Consumers the server made (`newConsumer`) before our receive transport existed: used by the build. */
  private readonly pendingConsumers = new Map<string, ConsumerOptions>();
  /** A Device loaded from the `hello` capabilities before join (`capabilities`: its deviceKey). */
  private preloaded: { device: Device; capabilities: string } | null = null;
  /** The server makes our consumers (the last join carried our capabilities): no `consume` requests. */
  private serverConsumes = false;
  /** The camera and microphone being opened (in parallel with connecting and joining). */
  private localMedia: Promise<void> = Promise.resolve();
  /** Bumped by every media (re)build; a build that sees a newer generation stops. */
  private generation = 0;
  private joinedOnce = false;
  /** The current build finished (transports, producers, consumers in place). */
  private mediaReady = false;
  private closed = false;
  private sampler: StatsSampler | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private iceTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: CallOptions) {
    this.state = {
      phase: 'connecting',
      error: null,
      reconnectReason: null,
      participantId: null,
      session: null,
      isHost: false,
      participants: [],
      remote: [],
      activeSpeakerId: null,
      localStream: null,
      screenStream: null,
      micOn: true,
      cameraOn: !options.audioOnly,
      audioOnly: !!options.audioOnly,
      quality: 'full',
      qualityReason: null,
      uplink: 'full',
      uplinkProbing: false,
      remoteUplinks: {},
      stats: null,
      chat: [],
      endedByHost: false,
      reconnects: 0,
      recording: null,
    };
  }

  // ---- state for React -------------------------------------------------------------------------------------

  getState = (): CallState => this.state;
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  private set(patch: Partial<CallState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------

  /**
   * Opens the camera and microphone while the socket connects (a socket opened by the pre-call page is taken over)
   * and joins; the round trips of a join are: join (answered with everything: router capabilities, both transports,
   * consumers of what is already there), then ICE and DTLS of both transports in parallel, then media. Resolves once
   * the socket is set up, not when the call is.
   */
  async start(): Promise<void> {
    this.localMedia = this.openLocalMedia().catch((e) => {
      // No camera or microphone permission: still join (the others can be seen and heard), say why.
      this.set({ error: callText.mediaUnavailable(e) });
    });
    if (this.closed) return;
    const s = takePreconnected(this.options.namespace, this.options.origin) ?? new Signalling(this.options.namespace, this.options.origin);
    this.signalling = s;
    s.socket.on('connect', () => void this.onConnect());
    s.socket.on('disconnect', (reason: string) => {
      if (this.closed || reason === 'io client disconnect') return;
      this.generation++; // any build in progress is void: the server dropped our peer with the socket
      this.knownProducers.clear(); // the rejoin answer lists the live producers
      this.stopStats();
      if (['in-call', 'joining', 'waiting'].includes(this.state.phase) || this.joinedOnce) {
        this.set({ phase: 'reconnecting', reconnectReason: callText.hubLost });
      }
    });
    s.on('waiting', (p) => this.set({ phase: 'waiting', participantId: p.participantId, session: p.session, isHost: p.session.isHost, participants: p.session.participants }));
    s.on('admitted', (p) => void this.buildMedia(p));
    s.on('mediaReset', (p) => void this.onMediaReset(p));
    s.on('declined', () => void this.finish('declined'));
    s.on('sessionEnded', () => {
      this.set({ endedByHost: true });
      void this.finish('ended');
    });
    s.on('participantWaiting', (p) => this.upsertParticipant(p));
    s.on('participantJoined', (p) => this.upsertParticipant(p));
    // Media goes away through producerClosed / consumerClosed (the server closes a leaving peer's producers); a
    // stale "left" of a participant who already came back must not drop their new media.
    s.on('participantLeft', (p) =>
      this.set({
        participants: this.state.participants.map((x) =>
          x.id === p.participantId ? { ...x, connected: false, state: p.reason === 'declined' ? 'declined' : p.reason === 'left' ? 'left' : x.state } : x,
        ),
      }),
    );
    s.on('newProducer', (p) => {
      this.knownProducers.set(p.producerId, p);
      // The server consumes for us (newConsumer follows) when our join carried our capabilities; otherwise consume
      // now with the receive transport in place, or the build consumes every known producer.
      if (this.recvTransport && !this.serverConsumes) void this.consume(p, this.generation);
    });
    s.on('newConsumer', (c) => {
      if (this.recvTransport && c.transportId === this.recvTransport.id) void this.attachConsumer(c, this.generation);
      else this.pendingConsumers.set(c.id, c); // our build has not made that transport yet
    });
    s.on('producerClosed', (p) => {
      this.knownProducers.delete(p.producerId);
      this.dropConsumersOf(p.producerId);
    });
    s.on('producerPaused', (p) => this.patchRemoteByProducer(p.producerId, { paused: true }));
    s.on('producerResumed', (p) => this.patchRemoteByProducer(p.producerId, { paused: false }));
    s.on('consumerClosed', (p) => this.dropConsumer(p.consumerId));
    s.on('consumerLayersChanged', (p) => this.patchRemote(p.consumerId, { spatialLayer: p.spatialLayer }));
    s.on('activeSpeaker', (p) => this.set({ activeSpeakerId: p.participantId }));
    s.on('quality', (p) => this.set({ quality: p.level, qualityReason: p.reason }));
    s.on('uplinkQuality', (p) => {
      if (p.participantId !== this.state.participantId) {
        this.set({ remoteUplinks: { ...this.state.remoteUplinks, [p.participantId]: p.level } });
        return;
      }
      this.set({ uplink: p.level, uplinkProbing: p.probing });
      void this.applyUplink();
    });
    s.on('chat', (m) => this.set({ chat: [...this.state.chat.filter((c) => c.id !== m.id), m] }));
    s.on('recordingState', (r) => this.set({ recording: r }));
    if (s.connected) void this.onConnect(); // a socket opened ahead (pre-call page) is already in
  }

  private async openLocalMedia() {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: this.options.audioOnly ? false : CAMERA_CONSTRAINTS,
    });
    this.set({ localStream: stream });
  }

  private upsertParticipant(p: ParticipantView) {
    this.set({ participants: [...this.state.participants.filter((x) => x.id !== p.id), p] });
  }

  private async onConnect() {
    if (this.closed) return;
    this.set({ phase: this.joinedOnce ? 'reconnecting' : 'connecting' });
    const s = this.signalling!;
    try {
      // The hub sent its routers' capabilities with the connection: load the Device now and join with ours, so the
      // server makes our consumers in the join answer instead of one request each.
      const capabilities = await s.routerCapabilities();
      if (this.closed || s !== this.signalling || !s.connected) return;
      let rtpCapabilities;
      if (capabilities) {
        const key = this.deviceKey(capabilities);
        if (this.preloaded?.capabilities !== key) {
          const device = new Device();
          await device.load({ routerRtpCapabilities: deviceCapabilities(capabilities, this.state.audioOnly) });
          this.preloaded = { device, capabilities: key };
        }
        rtpCapabilities = this.preloaded.device.rtpCapabilities;
      }
      const answer = await s.request('join', {
        sessionId: this.options.sessionId,
        ...(this.options.invitationToken ? { invitationToken: this.options.invitationToken } : {}),
        ...(rtpCapabilities ? { rtpCapabilities } : {}),
        ...(this.state.audioOnly ? { audioOnly: true } : {}),
      });
      this.serverConsumes = !!rtpCapabilities;
      if (answer.status === 'waiting') {
        this.set({ phase: 'waiting', reconnectReason: null, participantId: answer.participantId, session: answer.session, isHost: answer.session.isHost, participants: answer.session.participants });
      } else {
        await this.buildMedia(answer);
      }
    } catch (e) {
      const err = e as SignallingError;
      if (err.code === 'DISCONNECTED' || err.code === 'TIMEOUT') return; // the next connect retries
      await this.finish(err.code === 'SESSION_ENDED' ? 'ended' : 'error', callErrorText(err));
    }
  }

  private async onMediaReset(payload: AdmittedPayload) {
    // The producers we knew died with the old router: the payload lists the live ones, newProducer the rest (without
    // this, every old id was consumed again and failed with "producer not found").
    this.knownProducers.clear();
    this.set({ phase: 'reconnecting', reconnectReason: callText.mediaServerRestarted });
    await this.buildMedia(payload);
  }

  /**
   * (Re)builds everything media from an admitted payload: the Device (the one loaded before join when the
   * capabilities match), both transports from the payload, then at once: the consumers the server made (and any
   * announced meanwhile), and our producers. Each transport connects (ICE, DTLS) on its first use, in parallel.
   */
  private async buildMedia(p: AdmittedPayload) {
    const gen = ++this.generation;
    this.teardownMedia();
    this.set({
      phase: this.joinedOnce ? 'reconnecting' : 'joining',
      participantId: p.participantId,
      session: p.session,
      isHost: p.session.isHost,
      participants: p.participants,
      remote: [],
      ...(p.recording ? { recording: p.recording } : {}),
    });
    try {
      let device = this.preloaded?.capabilities === this.deviceKey(p.routerRtpCapabilities) ? this.preloaded.device : null;
      if (!device) {
        device = new Device();
        await device.load({ routerRtpCapabilities: deviceCapabilities(p.routerRtpCapabilities, this.state.audioOnly) });
        if (gen !== this.generation) return;
      }
      this.device = device;
      const iceServers = p.iceServers as RTCIceServer[];
      this.recvTransport = this.makeTransport('recv', p.transports.recv, iceServers, gen);
      if (device.canProduce('audio') || device.canProduce('video')) this.sendTransport = this.makeTransport('send', p.transports.send, iceServers, gen);
      for (const info of p.producers) this.knownProducers.set(info.producerId, info);
      const given = [...p.consumers, ...this.pendingConsumers.values()];
      this.pendingConsumers.clear();
      // All consumers in one tick: mediasoup-client builds them in one renegotiation, before the DTLS handshake.
      const consumed = Promise.all([
        ...given.map((c) => this.attachConsumer(c, gen)),
        // Without server-side consume (no capabilities at join): ask for each producer we know of.
        ...(this.serverConsumes ? [] : [...this.knownProducers.values()].map((info) => this.consume(info, gen))),
      ]);
      const produced = (async () => {
        await this.localMedia;
        if (gen !== this.generation || !this.sendTransport) return;
        await this.produceLocal(gen);
      })();
      const audioOnly = this.state.audioOnly && !this.serverConsumes ? this.signalling!.request('setAudioOnly', { audioOnly: true }) : undefined;
      await Promise.all([consumed, produced, audioOnly]);
      if (gen !== this.generation) return;
      const rebuilt = this.joinedOnce;
      this.joinedOnce = true;
      this.mediaReady = true;
      this.set({ phase: 'in-call', reconnectReason: null, error: null, reconnects: this.state.reconnects + (rebuilt ? 1 : 0) });
      this.startStats();
    } catch (e) {
      if (gen !== this.generation) return;
      const err = e as SignallingError;
      if (err.code === 'DISCONNECTED' || err.code === 'TIMEOUT') return; // reconnect handles it
      this.set({ phase: 'error', error: callText.mediaSetupFailed(err) });
    }
  }

  /** What a loaded Device stands for: the router's capabilities, and whether this call is audio only (deviceCapabilities). */
  private deviceKey(capabilities: unknown): string {
    return `${this.state.audioOnly ? 'audio' : 'video'} ${JSON.stringify(capabilities)}`;
  }

  private makeTransport(direction: 'send' | 'recv', t: TransportOptions, iceServers: RTCIceServer[] | undefined, gen: number) {
    const s = this.signalling!;
    const opts = { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters, iceServers };
    const transport = direction === 'send' ? this.device!.createSendTransport(opts) : this.device!.createRecvTransport(opts);
    transport.on('connect', ({ dtlsParameters }, ok) => {
      // Go on at once: mediasoup-client sets the local description (and ICE starts) only after this callback, and
      // the SFU needs our DTLS parameters only when our ClientHello arrives, after the ICE round trip: waiting for
      // the answer would add a whole round trip to every join. Refused (the peer was replaced meanwhile): join again.
      ok();
      s.request('connectTransport', { transportId: transport.id, dtlsParameters }).catch((e: SignallingError) => {
        if (gen !== this.generation || e.code === 'DISCONNECTED' || e.code === 'TIMEOUT') return;
        console.warn('connectTransport refused', e.message);
        void this.onConnect();
      });
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        s.request('produce', { transportId: transport.id, kind, rtpParameters, source: appData.source as MediaSource })
          .then((a) => ok({ id: a.producerId }), fail);
      });
    }
    transport.on('connectionstatechange', (st) => {
      if (gen !== this.generation) return;
      if (st === 'disconnected' || st === 'failed') this.scheduleIceRestart(transport, gen, st);
      else if (st === 'connected') {
        clearTimeout(this.iceTimers.get(transport.id));
        if (this.state.phase === 'reconnecting' && this.mediaReady && this.signalling?.connected) this.set({ phase: 'in-call', reconnectReason: null });
      }
    });
    return transport;
  }

  /** ICE restart when a transport loses its path while signalling is still up (network switch, NAT rebinding). */
  private scheduleIceRestart(transport: types.Transport, gen: number, why: string, delayMs = why === 'failed' ? 0 : ICE_RESTART_DELAY_MS) {
    clearTimeout(this.iceTimers.get(transport.id));
    this.iceTimers.set(
      transport.id,
      setTimeout(async () => {
        if (gen !== this.generation || transport.closed || !this.signalling?.connected) return;
        if (!['disconnected', 'failed'].includes(transport.connectionState)) return;
        this.set({ phase: 'reconnecting', reconnectReason: callText.mediaPath(why) });
        try {
          const { iceParameters } = await this.signalling.request('restartIce', { transportId: transport.id });
          if (gen === this.generation && !transport.closed) await transport.restartIce({ iceParameters });
        } catch {
          // The peer may be gone on the server (socket lost meanwhile): the rejoin rebuilds the transports.
        }
        this.scheduleIceRestart(transport, gen, why, ICE_RECHECK_MS); // check again later if still not connected
      }, delayMs),
    );
  }

  private async produceLocal(gen: number) {
    const stream = this.state.localStream;
    const audio = stream?.getAudioTracks()[0];
    if (audio && this.device!.canProduce('audio')) {
      const p = await this.sendTransport!.produce({
        track: audio,
        codecOptions: opusOptions(this.state.audioOnly),
        stopTracks: false,
        appData: { source: 'mic' },
      });
      if (gen !== this.generation) return;
      this.producers.set('mic', p);
      await this.applyUplink();
      if (!this.state.micOn) await this.setProducerPaused('mic', true);
    }
    const video = stream?.getVideoTracks()[0];
    if (video && !this.state.audioOnly && this.device!.canProduce('video')) {
      await this.produceCamera(video, gen);
      if (!this.state.cameraOn) await this.setProducerPaused('camera', true);
    }
    const screen = this.state.screenStream?.getVideoTracks()[0];
    if (screen && screen.readyState === 'live') await this.produceScreen(screen, gen);
  }

  private vp8() {
    return this.device!.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  }

  private async produceCamera(track: MediaStreamTrack, gen: number) {
    const p = await this.sendTransport!.produce({
      track,
      encodings: CAMERA_ENCODINGS,
      codecOptions: { videoGoogleStartBitrate: 600 },
      codec: this.vp8(),
      stopTracks: false,
      appData: { source: 'camera' },
    });
    if (gen !== this.generation) return;
    this.producers.set('camera', p);
    await this.applyUplink();
  }

  private async produceScreen(track: MediaStreamTrack, gen: number) {
    const p = await this.sendTransport!.produce({
      track,
      encodings: [{ maxBitrate: 1_000_000 }],
      codec: this.vp8(),
      stopTracks: false,
      appData: { source: 'screen' },
    });
    if (gen !== this.generation) return;
    this.producers.set('screen', p);
  }

  /** Asks the server for a consumer of one producer (when the join did not carry our capabilities). */
  private async consume(info: ProducerInfo, gen: number) {
    if (gen !== this.generation || !this.recvTransport || !this.device || info.participantId === this.state.participantId) return;
    if (this.consumedProducers.has(info.producerId)) return;
    this.consumedProducers.add(info.producerId);
    try {
      const a = await this.signalling!.request('consume', {
        transportId: this.recvTransport.id,
        producerId: info.producerId,
        rtpCapabilities: this.device.rtpCapabilities,
      });
      await this.attachConsumer(a, gen);
    } catch (e) {
      this.consumedProducers.delete(info.producerId);
      const code = (e as SignallingError).code;
      if (code === 'NOT_FOUND') this.knownProducers.delete(info.producerId); // gone (closed, or lost with a worker)
      if (gen === this.generation) console.warn('consume failed', info.producerId, (e as Error).message);
    }
  }

  /**
   * Builds the track of a consumer the server made. One made before our receive transport's DTLS connected starts
   * by itself once DTLS is up (`resumesOnConnect`); a later one is resumed by us once its track exists, so no
   * keyframe is sent into a track that is not there yet.
   */
  private async attachConsumer(a: ConsumerOptions, gen: number) {
    if (gen !== this.generation || !this.recvTransport || a.transportId !== this.recvTransport.id || this.consumers.has(a.id)) return;
    this.consumedProducers.add(a.producerId);
    try {
      const consumer = await this.recvTransport.consume({
        id: a.id, producerId: a.producerId, kind: a.kind, rtpParameters: a.rtpParameters,
        appData: { participantId: a.participantId, source: a.source },
      });
      if (gen !== this.generation) return;
      this.consumers.set(consumer.id, consumer);
      consumer.on('trackended', () => this.dropConsumer(consumer.id));
      consumer.on('transportclose', () => this.consumers.delete(consumer.id));
      const remote: RemoteMedia = {
        consumerId: consumer.id, producerId: a.producerId, participantId: a.participantId, kind: a.kind, source: a.source,
        track: consumer.track, paused: a.producerPaused, spatialLayer: null,
      };
      this.set({ remote: [...this.state.remote.filter((r) => r.consumerId !== consumer.id), remote] });
      if (!a.resumesOnConnect) await this.signalling!.request('resumeConsumer', { consumerId: consumer.id });
    } catch (e) {
      this.consumedProducers.delete(a.producerId);
      if (gen === this.generation) console.warn('consumer failed', a.producerId, (e as Error).message);
    }
  }

  private dropConsumersOf(producerId: string) {
    this.consumedProducers.delete(producerId);
    for (const c of this.consumers.values()) if (c.producerId === producerId) this.dropConsumer(c.id);
    this.set({ remote: this.state.remote.filter((r) => r.producerId !== producerId) });
  }

  private dropConsumer(consumerId: string) {
    const c = this.consumers.get(consumerId);
    if (c) {
      this.consumedProducers.delete(c.producerId);
      c.close();
      this.consumers.delete(consumerId);
    }
    this.set({ remote: this.state.remote.filter((r) => r.consumerId !== consumerId) });
  }

  private patchRemote(consumerId: string, patch: Partial<RemoteMedia>) {
    this.set({ remote: this.state.remote.map((r) => (r.consumerId === consumerId ? { ...r, ...patch } : r)) });
  }

  private patchRemoteByProducer(producerId: string, patch: Partial<RemoteMedia>) {
    this.set({ remote: this.state.remote.map((r) => (r.producerId === producerId ? { ...r, ...patch } : r)) });
  }

  private teardownMedia() {
    this.mediaReady = false;
    this.stopStats();
    this.iceTimers.forEach((t) => clearTimeout(t));
    this.iceTimers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.producers.clear();
    this.consumers.clear();
    this.consumedProducers.clear();
    this.device = null;
  }

  // ---- user actions ----------------------------------------------------------------------------------------

  private async setProducerPaused(source: MediaSource, paused: boolean) {
    const p = this.producers.get(source);
    if (!p) return;
    if (paused) p.pause();
    else p.resume();
    await this.signalling?.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: p.id }).catch(() => undefined);
  }

  async setMic(on: boolean) {
    this.state.localStream?.getAudioTracks().forEach((t) => (t.enabled = on));
    this.set({ micOn: on });
    await this.setProducerPaused('mic', !on);
  }

  async setCamera(on: boolean) {
    this.state.localStream?.getVideoTracks().forEach((t) => (t.enabled = on));
    this.set({ cameraOn: on });
    await this.setProducerPaused('camera', !on);
  }

  /**
   * Audio only: stop sending the camera and stop receiving video (the server pauses this peer's video consumers),
   * keeping the link for voice. Off again: camera back (opened if we joined without it) and video resumed.
   */
  async setAudioOnly(on: boolean) {
    this.set({ audioOnly: on });
    const gen = this.generation;
    if (on) {
      const cam = this.producers.get('camera');
      if (cam) {
        cam.close();
        this.producers.delete('camera');
        await this.signalling?.request('closeProducer', { producerId: cam.id }).catch(() => undefined);
      }
    } else if (this.sendTransport && this.state.phase === 'in-call' && !this.producers.has('camera')) {
      let video = this.state.localStream?.getVideoTracks().find((t) => t.readyState === 'live');
      if (!video) {
        const s = await navigator.mediaDevices.getUserMedia({ video: CAMERA_CONSTRAINTS });
        video = s.getVideoTracks()[0];
        const local = new MediaStream([...(this.state.localStream?.getAudioTracks() ?? []), video]);
        this.set({ localStream: local, cameraOn: true });
      }
      await this.produceCamera(video, gen);
    }
    // The server pauses (or resumes) this peer's video consumers; mirror it here so the tiles show it at once.
    for (const r of this.state.remote) {
      if (r.kind !== 'video') continue;
      const c = this.consumers.get(r.consumerId);
      if (on) c?.pause();
      else c?.resume();
    }
    if (this.signalling?.connected && this.state.phase === 'in-call') await this.signalling.request('setAudioOnly', { audioOnly: on }).catch(() => undefined);
  }

  async startScreenShare() {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 5 }, audio: false });
    const track = stream.getVideoTracks()[0];
    track.addEventListener('ended', () => void this.stopScreenShare());
    this.set({ screenStream: stream });
    if (this.sendTransport) await this.produceScreen(track, this.generation);
  }

  async stopScreenShare() {
    const p = this.producers.get('screen');
    if (p) {
      p.close();
      this.producers.delete('screen');
      await this.signalling?.request('closeProducer', { producerId: p.id }).catch(() => undefined);
    }
    this.state.screenStream?.getTracks().forEach((t) => t.stop());
    this.set({ screenStream: null });
  }

  admit(participantId: string) {
    return this.signalling!.request('admit', { participantId }).then((p) => this.upsertParticipant(p));
  }
  decline(participantId: string, reason?: string) {
    return this.signalling!.request('decline', { participantId, ...(reason ? { reason } : {}) }).then((p) => this.upsertParticipant(p));
  }
  /** Gives or withdraws our consent to recording the call; the answer is the call's new recording state. */
  async setRecordingConsent(consent: boolean) {
    const r = await this.signalling!.request('recordingConsent', { consent });
    this.set({ recording: r });
  }
  async sendChat(body: string) {
    const m = await this.signalling!.request('chat', { body });
    this.set({ chat: [...this.state.chat.filter((c) => c.id !== m.id), m] });
  }

  /** Leaves the call; the host may end it for everyone (which writes the session record). */
  async leave(endForAll = false) {
    // Ending writes the session record: over REST (retried by the API client after a token refresh); refused ->
    // stay in the call, the caller shows why. Everyone gets `sessionEnded`.
    if (endForAll) await post(`/api/consultations/${this.options.sessionId}/end`);
    else await this.signalling?.request('leave', {}, 3000).catch(() => undefined);
    await this.finish('ended');
  }

  private async finish(phase: CallPhase, error?: string) {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.teardownMedia();
    this.state.localStream?.getTracks().forEach((t) => t.stop());
    this.state.screenStream?.getTracks().forEach((t) => t.stop());
    this.signalling?.close();
    this.signalling = null;
    this.set({ phase, remote: [], localStream: null, screenStream: null, ...(error ? { error } : {}) });
  }

  /** Closes everything without telling the server (page left): the server closes the peer with the socket. */
  dispose() {
    void this.finish('ended');
  }

  // ---- quality ---------------------------------------------------------------------------------------------

  /**
   * Sends what the uplink carries (the server's uplink level): the camera's simulcast encodings switched on or off
   * and capped (`low`: the lowest layer only; a probe: the lowest layer at a few frames a second; no video: none, so
   * the encoder stops), audio first (`priority`, `networkPriority`) and capped lower when video is
   * off. Applied on every change and to each new producer.
   */
  private async applyUplink() {
    const { uplink, uplinkProbing } = this.state;
    const video = QUALITY_LEVEL_INFO[uplink].video;
    const mic = this.producers.get('mic')?.rtpSender;
    if (mic) {
      const params = mic.getParameters();
      for (const e of params.encodings ?? []) {
        e.priority = 'high';
        e.networkPriority = 'high';
        if (!video) e.maxBitrate = AUDIO_MAX_BPS_LOW;
        else delete e.maxBitrate;
      }
      await mic.setParameters(params).catch((e) => console.warn('audio sender parameters', (e as Error).message));
    }
    const cam = this.producers.get('camera')?.rtpSender;
    if (!cam) return;
    const params = cam.getParameters();
    const active = (i: number) => {
      if (!video) return uplinkProbing && i === 0;
      if (uplink === 'low') return i === 0;
      if (uplink === 'reduced') return i <= 1;
      return true;
    };
    (params.encodings ?? []).forEach((e, i) => {
      e.active = active(i);
      e.priority = 'low';
      const base = CAMERA_ENCODINGS[i];
      e.maxBitrate = !video && i === 0 ? PROBE_LAYER_MAX_BPS : base?.maxBitrate;
      if (!video && i === 0) e.maxFramerate = 5;
      else delete e.maxFramerate;
    });
    await cam.setParameters(params).catch((e) => console.warn('camera sender parameters', (e as Error).message));
  }

  private startStats() {
    this.stopStats();
    this.sampler = new StatsSampler();
    const every = this.options.statsIntervalMs ?? 2000;
    let reportedAt = 0;
    let reportedKbps: number | undefined;
    const tick = async () => {
      if (!this.sampler) return;
      const report = await this.sampler.sample(this.sendTransport, this.recvTransport).catch(() => null);
      if (!report || !this.sampler) return;
      this.set({ stats: report });
      // Every `every` ms, and at once when the browser's estimate of its uplink has halved: that estimate feeds the
      // server's uplink ladder, and a link that just collapsed should not wait for the next report.
      const kbps = report.availableOutgoingKbps;
      const collapsed = kbps !== undefined && reportedKbps !== undefined && kbps < reportedKbps / 2;
      if (performance.now() - reportedAt < every - 100 && !collapsed) return;
      reportedAt = performance.now();
      reportedKbps = kbps;
      const { jitterMs: _jitter, ...sent } = report; // the record keeps bitrate, loss and RTT
      this.signalling?.request('stats', sent).catch(() => undefined);
    };
    // sampled every half period (a second by default), reported every period or when the uplink collapses
    this.statsTimer = setInterval(() => void tick(), every / 2);
  }

  private stopStats() {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.sampler = null;
  }

  // ---- test and diagnostics hooks --------------------------------------------------------------------------

  /** The signalling requests sent so far with their times (performance.now()), for diagnostics and benchmarks. */
  sentRequests(): { event: string; at: number }[] {
    return [...(this.signalling?.sent ?? [])];
  }

  /** Drops the signalling link as a network loss would (socket.io reconnects by itself). */
  simulateLinkLoss() {
    this.signalling?.simulateLinkLoss();
  }

  /** Per remote track: what arrives and what is decoded (getStats inbound-rtp). */
  async inbound(): Promise<{ kind: string; source: string; participantId: string; bytesReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number }[]> {
    const out = [];
    for (const r of this.state.remote) {
      const c = this.consumers.get(r.consumerId);
      if (!c) continue;
      const stats = await c.getStats();
      let row = { kind: r.kind, source: r.source, participantId: r.participantId, bytesReceived: 0, framesDecoded: 0, frameWidth: 0, frameHeight: 0 };
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp') {
          row = { ...row, bytesReceived: s.bytesReceived ?? 0, framesDecoded: s.framesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0 };
        }
      });
      out.push(row);
    }
    return out;
  }
}
