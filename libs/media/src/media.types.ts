/**
 * Public types of @hub/media. Other libs (consultations, the hub) import these from '@hub/media' and never from
 * 'mediasoup' directly. The parameter shapes below are mediasoup's own (type-only re-exports: importing them loads
 * nothing at run time); socket payloads are passed through as they come from mediasoup-client.
 */
import type { types as ms } from 'mediasoup';
import type { MediaKind, MediaSource, QualityLevel, TransportDirection } from '@hub/contracts';

export type { MediaKind, MediaSource, QualityLevel, TransportDirection };

export type RtpCapabilities = ms.RtpCapabilities;
export type RtpParameters = ms.RtpParameters;
export type DtlsParameters = ms.DtlsParameters;
export type IceParameters = ms.IceParameters;
export type IceCandidate = ms.IceCandidate;

/** What the client needs to create its mediasoup-client transport (`device.createSendTransport(params)`). */
export interface TransportParams {
  id: string;
  direction: TransportDirection;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

/**
 * What the client needs for `recvTransport.consume(params)`. The consumer starts paused: when it was created before
 * the peer's receive transport completed DTLS (`resumesOnConnect`), the SFU starts it itself once DTLS is up (the
 * client has built its track by then: the handshake begins only after its first consume); otherwise the client
 * resumes it (resumeConsumer) once its track is set up.
 */
export interface ConsumerParams {
  id: string;
  /** The receive transport the consumer lives on. */
  transportId: string;
  /** The SFU starts the consumer when the transport's DTLS connects: no resumeConsumer needed. */
  resumesOnConnect: boolean;
  producerId: string;
  /** The peer that owns the producer. */
  producerPeerId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: RtpParameters;
  /** 'simple' | 'simulcast' | 'svc' | 'pipe' */
  type: string;
  producerPaused: boolean;
}

/** A producer as announced to the other peers of the room. */
export interface ProducerInfo {
  producerId: string;
  peerId: string;
  userId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** Who is in the room (as given to Room.join). */
export interface PeerInfo {
  /** The application user behind the peer (kept on the session record). */
  userId: string;
  displayName: string;
  /** The peer does not want video: it produces none and video consumers are created paused. */
  audioOnly?: boolean;
  /** The client's device.rtpCapabilities; may also be given per consume() call. */
  rtpCapabilities?: RtpCapabilities;
}

/** Quality figures of one peer at a point in time (for the session record and the quality indicator). */
export interface PeerStats {
  peerId: string;
  userId: string;
  at: string;
  /** Bits per second the SFU receives from this peer (sum of its producers). */
  sendBitrate: number;
  /** Bits per second the SFU sends to this peer (sum of its consumers). */
  recvBitrate: number;
  /** Bandwidth estimate towards the peer (transport-cc / REMB), bits per second, when known. */
  availableOutgoingBitrate?: number;
  /** Worst packet loss fraction (0..1) over this peer's consumers (as reported by the peer's RTCP). */
  packetLoss: number;
  /** Round-trip time in milliseconds (max over the peer's streams), when known. */
  rttMs?: number;
  /** Current level on the degradation ladder. */
  quality: QualityLevel;
}

/** What the SFU measures on what a peer sends: its uplink. */
export interface UplinkStats {
  /** Worst loss (0..1) the SFU sees on the peer's producers (streams that carry something). */
  packetLoss: number;
  /** Bit/s arriving from the peer. */
  recvBitrate: number;
  /** The browser's own send-side estimate (from the SFU's transport-cc feedback), if reported in the last 6 s. */
  availableBitrate?: number;
  /** The peer sends video (a camera producer exists). */
  sendsVideo: boolean;
}

/** Payloads of the events a Room emits (Room.on(event, listener)). */
export interface RoomEvents {
  /** A peer started producing: tell the others so they can consume it. */
  newProducer: ProducerInfo;
  /**
   * The room created a consumer by itself for a peer that asked for it (Peer.enableAutoConsume): a producer
   * appeared and that peer has a receive transport. Send the params to that peer's client.
   */
  newConsumer: { peerId: string; consumer: ConsumerParams };
  /**
   * A producer closed (by its peer, or because its peer left). mediasoup already closed the consumers of it;
   * `consumers` lists them per receiving peer so each client can drop its consumer. Not emitted when the
   * worker died (the room emits one `reset` instead).
   */
  producerClosed: { producerId: string; peerId: string; consumers: { peerId: string; consumerId: string }[] };
  producerPaused: { producerId: string; peerId: string };
  producerResumed: { producerId: string; peerId: string };
  /** The simulcast layers a peer's video consumer receives changed (null: none, e.g. paused). */
  consumerLayersChanged: { peerId: string; consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  /** Loudest peer changed (null when everyone is silent). */
  activeSpeaker: { peerId: string | null };
  /** A peer's downlink moved on the degradation ladder (see @hub/contracts media-policy). */
  peerQuality: { peerId: string; level: QualityLevel; previous: QualityLevel; stats: PeerStats };
  /**
   * A peer's UPLINK moved on the ladder, or a probe started or ended: its browser sends the simulcast encodings of
   * `level` (a probe: the lowest one, capped), and its camera is held back from the others while `level` has no video.
   */
  peerUplink: { peerId: string; level: QualityLevel; previous: QualityLevel; probing: boolean; stats: UplinkStats };
  /** A peer left (Room.leave, Peer.close, or replaced by a new join with the same peerId). */
  peerClosed: { peerId: string; userId: string };
  /**
   * The room's worker died and the room got a new router on a live worker. Every peer was dropped: the
   * signalling layer must tell the clients to load the new rtpCapabilities, create new transports and
   * produce/consume again (join again with the same peerId).
   */
  reset: { reason: string; epoch: number };
  /** The room closed (MediaService.closeRoom or shutdown). */
  closed: { reason: string };
}
export type RoomEventName = keyof RoomEvents;
