/**
 * Live consultations: REST bodies and the socket.io signalling protocol.
 *
 * Transport: socket.io on the hub's HTTP server, path `/socket.io`, namespace `/consultations`
 * (CONSULTATION_NAMESPACE). The access token goes in the handshake: `io(url + '/consultations', { path: '/socket.io',
 * auth: { token } })`. A bad or missing token refuses the connection (`connect_error` with message starting with the
 * error code, e.g. "UNAUTHENTICATED: ...").
 *
 * One socket takes part in at most one session: send `join` first; every other client event acts on the session the
 * socket joined (no session id in those payloads). Every client event is sent with an acknowledgement callback and
 * answers `Ack<T>`: `{ ok: true, data }` or `{ ok: false, error: { code, message, fields? } }`.
 *
 * mediasoup objects (RTP capabilities and parameters, ICE/DTLS parameters) are passed through as mediasoup-client
 * types (type-only imports; nothing is bundled from here).
 */
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
} from 'mediasoup-client/types';

export type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters, SctpParameters };

import type { MediaKind, MediaSource, QualityLevel } from './media';

type CallMediaKind = MediaKind;

// ---------------------------------------------------------------------------------------------------------------------
// Sessions (REST)
// ---------------------------------------------------------------------------------------------------------------------

export type ConsultationStatus = 'waiting' | 'live' | 'ended';

/** Role of a person in the call (not their hub role). */
export type CallRole = 'host' | 'clinic' | 'specialist' | 'interpreter' | 'guest';

/** Where a participant stands: waiting for the host, admitted (in the call or dropped and allowed back), declined, left. */
export type ParticipantState = 'waiting' | 'admitted' | 'declined' | 'left';

/** Quality figures of one participant over the session (from client stats reports and the SFU's own figures). */
export interface QualityFigures {
  /** Samples the averages are built from. */
  samples: number;
  /** kbit/s received (inbound, all media) averaged over the samples; null with no sample. */
  avgBitrateKbps: number | null;
  /** Lowest inbound bitrate seen, kbit/s. */
  minBitrateKbps: number | null;
  /** Packet loss fraction 0..1. */
  avgLoss: number | null;
  worstLoss: number | null;
  /** Round-trip time, milliseconds. */
  avgRttMs: number | null;
  worstRttMs: number | null;
}

export interface ParticipantView {
  id: string;
  userId: string;
  displayName: string;
  callRole: CallRole;
  state: ParticipantState;
  /** True while a socket of this participant is in the call. */
  connected: boolean;
  admittedAt: string | null;
  leftAt: string | null;
  reconnectCount: number;
}

export interface ConsultationSessionView {
  id: string;
  missionId: string;
  caseId: string | null;
  caseReference: string | null;
  title: string | null;
  status: ConsultationStatus;
  scheduledAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  hostId: string;
  hostName: string;
  createdAt: string;
  participants: ParticipantView[];
  /** Join without camera unless the participant chooses video (sensitive sessions: mental health). */
  audioOnlyDefault: boolean;
  /** Chat in the call is kept in the case thread (false: only relayed; no patient consent, or no case). */
  chatInThread: boolean;
  /** What the caller may do now. */
  canJoin: boolean;
  isHost: boolean;
}

/** `POST /api/consultations`. A case's session (hosted by the case's accepted doctor) or a scheduled session. */
export interface CreateConsultationRequest {
  /** The case this call belongs to; its accepted reference doctor hosts. */
  caseId?: string;
  /** Required without a case: the mission of a scheduled session (e.g. a mental-health follow-up), hosted by the caller. */
  missionId?: string;
  /** ISO 8601; absent = now (ad-hoc call). */
  scheduledAt?: string;
  title?: string;
}

/** `POST /api/consultations/:id/invitations` (host only). */
export interface CreateInvitationRequest {
  callRole: 'specialist' | 'interpreter' | 'guest';
  /** Bind the invitation to this hub user; without it, anyone signed in presenting the token may use it. */
  userId?: string;
  /** Validity in minutes, 5..1440 (default 60). */
  expiresInMinutes?: number;
}

export interface InvitationView {
  id: string;
  sessionId: string;
  callRole: CallRole;
  invitedUserId: string | null;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** Answer of `POST /api/consultations/:id/invitations`. The token is shown once (stored hashed). */
export interface CreatedInvitation extends InvitationView {
  token: string;
  /** Path of the web app's join page carrying the token. */
  joinPath: string;
}

/** `POST /api/consultations/:id/participants/:participantId/decline` body (optional). */
export interface DeclineRequest {
  reason?: string;
}

/** Record kept on the case once a session ended: `GET /api/cases/:caseId/consultations` lists these. */
export interface ConsultationRecordView {
  sessionId: string;
  caseId: string | null;
  status: ConsultationStatus;
  scheduledAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  hostId: string;
  hostName: string;
  participants: (ParticipantView & { quality: QualityFigures })[];
  /** Over all participants. */
  quality: QualityFigures;
}

/** TURN REST API credentials (RFC draft "TURN REST API"): username `<expiry>:<userId>`, HMAC-SHA1 credential. */
export interface IceServerView {
  urls: string[];
  username?: string;
  credential?: string;
}

/** `GET /api/consultations/:id/turn-credentials` (admitted participants only). Empty list when TURN is not configured. */
export interface TurnCredentialsView {
  iceServers: IceServerView[];
  /** Unix seconds; null when there is no TURN server. */
  expiresAt: number | null;
}

/**
 * Pre-call probe: `GET /api/consultations/probe/download?kb=N` answers N KB (1..2048) of incompressible bytes;
 * `POST /api/consultations/probe/upload` takes up to 2048 KB (application/octet-stream) and answers this.
 * The socket event `ping` measures RTT.
 */
export interface ProbeUploadResult {
  receivedBytes: number;
  serverMs: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Signalling (socket.io)
// ---------------------------------------------------------------------------------------------------------------------

export const CONSULTATION_NAMESPACE = '/consultations';

export interface AckError {
  /**
   * Stable code: VALIDATION_FAILED (fields name the problems), UNAUTHENTICATED, FORBIDDEN (not allowed to do this in
   * this session, e.g. not the host), NOT_FOUND (session, or a transport/producer/consumer not of this peer/room),
   * NOT_JOINED (join first), NOT_ADMITTED (still waiting), INVITATION_EXPIRED, SESSION_ENDED, CONFLICT,
   * RATE_LIMITED (slow down; retryAfterMs in message), MEDIA_UNAVAILABLE, INTERNAL_ERROR.
   */
  code: string;
  message: string;
  fields?: { field: string; problems: string[] }[];
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

/** What a producer carries (same values as MediaSource of ./media.ts). */
export type ProducerSource = MediaSource;

/** A producer another participant can consume. */
export interface ProducerInfo {
  producerId: string;
  participantId: string;
  userId: string;
  kind: CallMediaKind;
  source: ProducerSource;
  paused: boolean;
}

/** Sent in the join ack when admitted, in the `admitted` event, and again (with new capabilities) after `mediaReset`. */
export interface AdmittedPayload {
  sessionId: string;
  participantId: string;
  callRole: CallRole;
  routerRtpCapabilities: RtpCapabilities;
  /** Producers already in the room (not the caller's own). */
  producers: ProducerInfo[];
  participants: ParticipantView[];
  /** STUN/TURN servers to pass to the transports (short-lived TURN credentials); empty when none is configured. */
  iceServers: IceServerView[];
  session: ConsultationSessionView;
  /** The caller's two transports, made by the server with the answer (no createTransport round trip). */
  transports: { send: TransportOptions; recv: TransportOptions };
  /**
   * Consumers of the producers already in the room, made by the server when the join carried the device's
   * `rtpCapabilities` (empty otherwise: consume them with `consume`). Later producers arrive as `newConsumer`.
   */
  consumers: ConsumerOptions[];
  /** Who consented to recording and whether the call is being recorded now (also sent as `recordingState`). */
  recording?: RecordingStateView;
}

/** One participant present in the call and their recording consent. */
export interface RecordingConsentView {
  participantId: string;
  userId: string;
  displayName: string;
  consented: boolean;
}

/**
 * Recording of a live consultation (docs/consultations.md, "Recording with consent"): the SFU records only while
 * every participant present (at least two) has consented; it stops at once when anyone withdraws, leaves, is
 * declined or someone joins without consent. Each stopped recording is attached to the case.
 */
export interface RecordingStateView {
  sessionId: string;
  /** The session has a case to attach a recording to (sessions without a case cannot be recorded). */
  available: boolean;
  recording: boolean;
  /** When the current recording started (ISO), null when not recording. */
  startedAt: string | null;
  /** Participants present now, with their consent. */
  consents: RecordingConsentView[];
  /**
   * Why the state last changed: 'consent' | 'withdrawn' | 'left' | 'declined' | 'joined' | 'ended' | 'reset' |
   * 'failed' | 'new_track' | null.
   */
  reason: string | null;
}

export interface WaitingPayload {
  sessionId: string;
  participantId: string;
  session: ConsultationSessionView;
}

export type JoinResult = ({ status: 'admitted' } & AdmittedPayload) | ({ status: 'waiting' } & WaitingPayload);

export interface TransportOptions {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: SctpParameters;
}

export interface ConsumerOptions {
  id: string;
  /** The receive transport it lives on (a consumer of an older transport, from before a rebuild, is stale). */
  transportId: string;
  /**
   * Made before the receive transport's DTLS connected: the server starts it once DTLS is up (build its track right
   * away; no `resumeConsumer`). False: send `resumeConsumer` once the track is set up.
   */
  resumesOnConnect: boolean;
  producerId: string;
  participantId: string;
  kind: CallMediaKind;
  source: ProducerSource;
  rtpParameters: RtpParameters;
  /** 'simple' | 'simulcast' | 'svc' | 'pipe'. */
  type: string;
  producerPaused: boolean;
}

export interface ChatMessageView {
  /** The case message id (the chat is kept in the case thread), or a session-local id for a session without case. */
  id: string;
  sessionId: string;
  caseId: string | null;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: string;
  /** Kept in the case thread (false: relayed only). */
  kept: boolean;
}

/** Client stats sample (from RTCPeerConnection.getStats), sent every few seconds; figures feed the session record. */
export interface StatsReport {
  /** Inbound kbit/s over all consumers since the last report. */
  inboundBitrateKbps?: number;
  /** Outbound kbit/s. */
  outboundBitrateKbps?: number;
  /** Fraction 0..1 of packets lost inbound. */
  packetLoss?: number;
  /** Milliseconds (candidate-pair currentRoundTripTime * 1000). */
  rttMs?: number;
  /** Browser's available outgoing bitrate estimate of its send transport, kbit/s (feeds the uplink ladder). */
  availableOutgoingKbps?: number;
}

/**
 * Degradation level, best first (QualityLevel of ./media.ts; thresholds and banner texts in ./media-policy.ts): video
 * layers step down, then video pauses (audio only), then the case thread is suggested.
 */
export type CallQualityLevel = QualityLevel;

/** Client -> server events: name -> [payload, ack data]. */
export interface ConsultationClientEvents {
  /** First event of a socket. Invitees give their invitation token. Answers waiting or admitted. */
  join: [JoinRequest, JoinResult];
  /** Host only. */
  admit: [{ participantId: string }, ParticipantView];
  /** Host only. */
  decline: [{ participantId: string; reason?: string }, ParticipantView];
  createTransport: [{ direction: 'send' | 'recv'; forceTcp?: boolean }, TransportOptions];
  connectTransport: [{ transportId: string; dtlsParameters: DtlsParameters }, Record<string, never>];
  produce: [
    { transportId: string; kind: CallMediaKind; rtpParameters: RtpParameters; source: ProducerSource; paused?: boolean },
    { producerId: string },
  ];
  consume: [{ transportId: string; producerId: string; rtpCapabilities: RtpCapabilities }, ConsumerOptions];
  resumeConsumer: [{ consumerId: string }, Record<string, never>];
  pauseProducer: [{ producerId: string }, Record<string, never>];
  resumeProducer: [{ producerId: string }, Record<string, never>];
  closeProducer: [{ producerId: string }, Record<string, never>];
  restartIce: [{ transportId: string }, { iceParameters: IceParameters }];
  /** spatialLayer 0..2 (simulcast), temporalLayer 0..2. */
  setPreferredLayers: [{ consumerId: string; spatialLayer: number; temporalLayer?: number }, Record<string, never>];
  /** Pauses (true) or resumes (false) every video consumer of the caller: audio-only mode. */
  setAudioOnly: [{ audioOnly: boolean }, { audioOnly: boolean }];
  /** Saved to the case thread (sessions with a case); broadcast as `chat`. 1..4000 characters. */
  chat: [{ body: string }, ChatMessageView];
  stats: [StatsReport, Record<string, never>];
  /** RTT probe: answers the server time; the client measures the round trip. */
  ping: [{ sentAt: number }, { sentAt: number; serverTime: number }];
  /** Leave the call (the participant stays admitted and may come back). */
  leave: [Record<string, never>, Record<string, never>];
  /** Host only: ends the session for everyone and writes the record. */
  end: [Record<string, never>, ConsultationRecordView];
  /** Gives (true) or withdraws (false) the caller's consent to recording the call; answers the new state. */
  recordingConsent: [{ consent: boolean }, RecordingStateView];
}

export interface JoinRequest {
  sessionId: string;
  invitationToken?: string;
  /**
   * The client's `device.rtpCapabilities` (Device loaded with the `hello` capabilities): the server then makes the
   * consumers itself, in the answer and as `newConsumer` for later producers.
   */
  rtpCapabilities?: RtpCapabilities;
  /** Join without receiving video (video consumers stay paused until `setAudioOnly {audioOnly:false}`). */
  audioOnly?: boolean;
}

export type ConsultationClientEventName = keyof ConsultationClientEvents;

export const CONSULTATION_CLIENT_EVENTS: ConsultationClientEventName[] = [
  'join',
  'admit',
  'decline',
  'createTransport',
  'connectTransport',
  'produce',
  'consume',
  'resumeConsumer',
  'pauseProducer',
  'resumeProducer',
  'closeProducer',
  'restartIce',
  'setPreferredLayers',
  'setAudioOnly',
  'chat',
  'stats',
  'ping',
  'leave',
  'end',
  'recordingConsent',
];

/** Server -> client events: name -> payload. */
export interface ConsultationServerEvents {
  /**
   * Right after the connection: the RTP capabilities of the hub's routers (all alike), so the client loads its
   * Device before `join` and joins with its own capabilities. null when live media is unavailable.
   */
  hello: { routerRtpCapabilities: RtpCapabilities | null };
  /** To the joiner (also answered in the join ack). */
  waiting: WaitingPayload;
  /** To the host(s): someone is in the waiting room. */
  participantWaiting: ParticipantView;
  /** To a waiting participant the host admitted: go on with createTransport etc. */
  admitted: AdmittedPayload;
  declined: { sessionId: string; reason: string | null };
  participantJoined: ParticipantView;
  /** `reason`: 'left' | 'disconnected' | 'declined' | 'ended'. A disconnected participant may come back by itself. */
  participantLeft: { participantId: string; userId: string; reason: string };
  newProducer: ProducerInfo;
  /** A consumer the server made for this socket (its join carried rtpCapabilities) of a new producer. */
  newConsumer: ConsumerOptions;
  producerClosed: { producerId: string; participantId: string };
  producerPaused: { producerId: string; participantId: string };
  producerResumed: { producerId: string; participantId: string };
  /** A consumer of this socket was closed by the server (its producer or transport went away). */
  consumerClosed: { consumerId: string; producerId: string };
  /** Layers a simulcast consumer of this socket now receives (null: none). */
  consumerLayersChanged: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  activeSpeaker: { participantId: string | null; producerId: string | null; volume: number | null };
  /** Degradation level the server chose for this socket's video (from libs/media's policy). */
  quality: { level: CallQualityLevel; previous: CallQualityLevel | null; reason: string | null };
  /**
   * To everyone: the level of one participant's UPLINK (what their browser can send) moved, or a probe started or
   * ended. That participant's browser sends the simulcast encodings of the level (probing: the lowest, capped); the
   * others show that the participant's video is paused while the level has no video.
   */
  uplinkQuality: { participantId: string; level: CallQualityLevel; previous: CallQualityLevel; probing: boolean };
  /**
   * The media worker of the room died and the room was rebuilt: close every transport, create new ones with these
   * capabilities and produce again. The participant stays admitted (no host action).
   */
  mediaReset: AdmittedPayload;
  chat: ChatMessageView;
  /** To everyone in the call: consents changed, or a recording started or stopped. */
  recordingState: RecordingStateView;
  sessionEnded: { sessionId: string; record: ConsultationRecordView };
}

export type ConsultationServerEventName = keyof ConsultationServerEvents;
