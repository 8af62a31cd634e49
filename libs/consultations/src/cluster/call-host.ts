import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { DomainException, ErrorCode } from '@hub/common';
import type { ConsultationServerEvents, ConsumerOptions, ProducerInfo as CallProducerInfo, RecordingStateView, RtpCapabilities as CallRtpCapabilities, TransportOptions } from '@hub/contracts';
import { ConsumerParams, MediaService, Peer, ProducerInfo as MediaProducerInfo, Room, RtpCapabilities } from '@hub/media';
import { RecordingsService } from '../recording/recordings.service';
import { CallRecording } from './call-recording';

/** Who enters the call and what their client said about its media at `join`. */
export interface EnterRequest {
  sessionId: string;
  socketId: string;
  participant: { id: string; userId: string; displayName: string };
  media: { rtpCapabilities?: RtpCapabilities; audioOnly: boolean };
}

/** The media part of the admitted answer, made on the node that holds the room. */
export interface EnterResult {
  /** The socket that held this participant's peer before (it gets `participantLeft {reason: 'replaced'}`). */
  replacedSocketId: string | null;
  routerRtpCapabilities: CallRtpCapabilities;
  transports: { send: TransportOptions; recv: TransportOptions };
  consumers: ConsumerOptions[];
  producers: CallProducerInfo[];
  /** Participants with a media peer in the room now. */
  livePeers: string[];
  /** Consents and whether the call is recorded (the newcomer has not consented). */
  recording: RecordingStateView;
}

/** One operation of a participant on their own media peer (the signalling events after the join). */
export type PeerOperation =
  | { op: 'createTransport'; direction: 'send' | 'recv' }
  | { op: 'connectTransport'; transportId: string; dtlsParameters: unknown }
  | { op: 'produce'; transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: 'mic' | 'camera' | 'screen'; paused?: boolean }
  | { op: 'consume'; transportId: string; producerId: string; rtpCapabilities: unknown }
  | { op: 'resumeConsumer'; consumerId: string }
  | { op: 'pauseProducer' | 'resumeProducer' | 'closeProducer'; producerId: string }
  | { op: 'restartIce'; transportId: string }
  | { op: 'setPreferredLayers'; consumerId: string; spatialLayer: number; temporalLayer?: number }
  | { op: 'setAudioOnly'; audioOnly: boolean }
  | { op: 'noteUplink'; bps: number };

/** Emits a server event to a socket.io room or socket id, on whichever instance the sockets are (cluster adapter). */
export type ClusterEmit = <E extends keyof ConsultationServerEvents>(target: string, event: E, payload: ConsultationServerEvents[E], except?: string) => void;

/** The calls a media node answers, locally or for another instance (CallRpcServer). */
export interface CallHostApi {
  enter(request: EnterRequest): Promise<EnterResult>;
  peer(sessionId: string, participantId: string, socketId: string, operation: PeerOperation): Promise<unknown>;
  leave(sessionId: string, participantId: string, socketId: string): Promise<{ heldPeer: boolean; empty: boolean }>;
  remove(sessionId: string, participantId: string): Promise<{ hadPeer: boolean }>;
  end(sessionId: string): Promise<void>;
  livePeers(sessionId: string): Promise<string[]>;
  /** The participant (holding the peer on `socketId`) gives or withdraws consent to recording the call. */
  recording(sessionId: string, participantId: string, socketId: string, consent: boolean): Promise<RecordingStateView>;
}

/** A participant's media peer in a room of this node: the socket (on any instance) that holds it and its client's media. */
interface PeerSeat {
  socketId: string;
  userId: string;
  displayName: string;
  media: EnterRequest['media'];
}

interface LiveRoom {
  room: Room;
  seats: Map<string, PeerSeat>;
  recording: CallRecording;
}

export const sessionRoom = (id: string) => `session:${id}`;
export const hostRoom = (id: string) => `host:${id}`;
export const participantRoom = (id: string) => `participant:${id}`;

/** Methods other instances may call over CallRpcServer. */
export const CALL_HOST_METHODS = new Set(['enter', 'peer', 'leave', 'remove', 'end', 'livePeers', 'recording']);

/**
 * The media rooms of consultations placed on this hub instance (a media node), and the media peers in them. The
 * signalling gateway of whichever instance holds a participant's socket calls it — directly when the room is here,
 * over CallRpcServer otherwise — and room events go to the sockets through the socket.io cluster adapter, by socket
 * id or socket.io room, so a participant on another instance is served like a local one.
 *
 * Every operation names (session, participant, socket): the peer is looked up in the session's room only, and only
 * for the socket that holds it, so an id of another room, peer or an older socket answers like an unknown one.
 */
@Injectable()
export class CallHost implements CallHostApi, OnModuleDestroy {
  private readonly logger = new Logger('CallHost');
  private readonly live = new Map<string, LiveRoom>();
  private readonly opening = new Map<string, Promise<LiveRoom>>();
  private readonly events = new EventEmitter();
  private emit: ClusterEmit = () => undefined;

  constructor(
    private readonly media: MediaService,
    private readonly recordings: RecordingsService,
  ) {}

  /** The gateway hands its namespace's emitter once the socket.io server exists. */
  attach(emit: ClusterEmit): void {
    this.emit = emit;
  }

  /** `reset`: a room was rebuilt after its worker died; each seat got a new peer (the gateway sends `mediaReset`). */
  onReset(listener: (e: { sessionId: string; participantId: string; socketId: string; result: EnterResult }) => void): void {
    this.events.on('reset', listener);
  }

  /** Rooms and peers on this node: the load the registry announces. */
  load(): number {
    let load = 0;
    for (const live of this.live.values()) load += 1 + live.seats.size;
    return load;
  }

  async enter(request: EnterRequest): Promise<EnterResult> {
    const { sessionId, socketId, participant, media } = request;
    const live = await this.liveRoom(sessionId);
    const previous = live.seats.get(participant.id);
    // Claim the seat before the awaits, so a late leave of an older socket cannot close the new peer.
    live.seats.set(participant.id, { socketId, userId: participant.userId, displayName: participant.displayName, media });
    try {
      // Someone (re)entering has not consented: a recording stops before their peer exists.
      await live.recording.lapse(participant.id, 'joined');
      const result = await this.seat(live, participant.id);
      return { ...result, replacedSocketId: previous && previous.socketId !== socketId ? previous.socketId : null };
    } catch (e) {
      if (live.seats.get(participant.id)?.socketId === socketId) {
        live.seats.delete(participant.id);
        live.room.leave(participant.id);
      }
      throw e;
    }
  }

  /** A (new) peer for a seat: both transports, and consumers of what the room has when the client gave capabilities. */
  private async seat(live: LiveRoom, participantId: string): Promise<Omit<EnterResult, 'replacedSocketId'>> {
    const seat = live.seats.get(participantId)!;
    const peer = await live.room.join(participantId, { userId: seat.userId, displayName: seat.displayName, audioOnly: seat.media.audioOnly });
    const [send, recv] = await Promise.all([peer.createWebRtcTransport('send'), peer.createWebRtcTransport('recv')]);
    const consumers: ConsumerOptions[] = [];
    const caps = seat.media.rtpCapabilities;
    if (caps) {
      peer.enableAutoConsume(caps);
      const made = await Promise.all(
        live.room.listProducers(peer.id).map((p) =>
          peer.consume({ producerId: p.producerId, transportId: recv.id, once: true }).catch((e: Error) => {
            this.logger.debug(`no consumer of ${p.producerId} for ${peer.id}: ${e.message}`);
            return null;
          }),
        ),
      );
      for (const c of made) if (c) consumers.push(consumerOptions(c));
    }
    return {
      routerRtpCapabilities: live.room.rtpCapabilities as never,
      transports: { send: transportOptions(send), recv: transportOptions(recv) },
      consumers,
      producers: live.room.listProducers(participantId).map(producerInfo),
      livePeers: [...live.seats.keys()],
      recording: live.recording.view(),
    };
  }

  async peer(sessionId: string, participantId: string, socketId: string, operation: PeerOperation): Promise<unknown> {
    const live = this.live.get(sessionId);
    const peer = live?.room.getPeer(participantId);
    if (operation.op === 'noteUplink') {
      // A stats report racing a reset has nothing to feed: not an error.
      if (peer && live!.seats.get(participantId)?.socketId === socketId) peer.noteUplinkEstimate(operation.bps);
      return {};
    }
    const seat = live?.seats.get(participantId);
    if (!live || !peer || seat?.socketId !== socketId) {
      throw new DomainException(ErrorCode.Conflict, 'Your media connection was reset: join again');
    }
    // Kept with the seat: a peer rebuilt after a worker death keeps the participant's audio-only choice.
    if (operation.op === 'setAudioOnly') seat.media = { ...seat.media, audioOnly: operation.audioOnly };
    return this.apply(peer, operation);
  }

  private async apply(peer: Peer, o: PeerOperation): Promise<unknown> {
    switch (o.op) {
      case 'createTransport':
        return transportOptions(await peer.createWebRtcTransport(o.direction));
      case 'connectTransport':
        await peer.connectTransport(o.transportId, o.dtlsParameters as never);
        return {};
      case 'produce': {
        const { producerId } = await peer.produce({ transportId: o.transportId, kind: o.kind, rtpParameters: o.rtpParameters as never, source: o.source });
        if (o.paused) await peer.pauseProducer(producerId);
        return { producerId };
      }
      case 'consume':
        return consumerOptions(await peer.consume({ transportId: o.transportId, producerId: o.producerId, rtpCapabilities: o.rtpCapabilities as never, once: true }));
      case 'resumeConsumer':
        await peer.resumeConsumer(o.consumerId);
        return {};
      case 'pauseProducer':
        await peer.pauseProducer(o.producerId);
        return {};
      case 'resumeProducer':
        await peer.resumeProducer(o.producerId);
        return {};
      case 'closeProducer':
        peer.closeProducer(o.producerId);
        return {};
      case 'restartIce':
        return { iceParameters: await peer.restartIce(o.transportId) };
      case 'setPreferredLayers':
        await peer.setPreferredLayers(o.consumerId, { spatialLayer: o.spatialLayer, temporalLayer: o.temporalLayer });
        return {};
      case 'setAudioOnly':
        await peer.setAudioOnly(o.audioOnly);
        return { audioOnly: o.audioOnly };
      default:
        throw new DomainException(ErrorCode.ValidationFailed, 'Unknown media operation', [{ field: 'op', problems: ['is not a media operation'] }]);
    }
  }

  async leave(sessionId: string, participantId: string, socketId: string): Promise<{ heldPeer: boolean; empty: boolean }> {
    const live = this.live.get(sessionId);
    if (!live || live.seats.get(participantId)?.socketId !== socketId) return { heldPeer: false, empty: !live?.seats.size };
    live.seats.delete(participantId);
    // The recording stops (ffmpeg finalises the file) while the peer's media still flows, then the peer goes.
    await live.recording.lapse(participantId, 'left');
    live.room.leave(participantId);
    // Nobody left in the call: free the router; the next join opens a new room (on this node while it lives).
    if (!live.seats.size && this.live.get(sessionId) === live) {
      this.live.delete(sessionId);
      void live.recording.close('empty');
      live.room.close('empty');
    }
    return { heldPeer: true, empty: !live.seats.size };
  }

  async remove(sessionId: string, participantId: string): Promise<{ hadPeer: boolean }> {
    const live = this.live.get(sessionId);
    if (!live?.seats.has(participantId)) return { hadPeer: false };
    live.seats.delete(participantId);
    await live.recording.lapse(participantId, 'declined');
    live.room.leave(participantId);
    return { hadPeer: true };
  }

  async end(sessionId: string): Promise<void> {
    const live = this.live.get(sessionId);
    this.live.delete(sessionId);
    if (!live) return;
    await live.recording.close('ended');
    live.room.close('ended');
  }

  async livePeers(sessionId: string): Promise<string[]> {
    return [...(this.live.get(sessionId)?.seats.keys() ?? [])];
  }

  async recording(sessionId: string, participantId: string, socketId: string, consent: boolean): Promise<RecordingStateView> {
    const live = this.live.get(sessionId);
    if (!live || live.seats.get(participantId)?.socketId !== socketId) {
      throw new DomainException(ErrorCode.Conflict, 'Your media connection was reset: join again');
    }
    return live.recording.consent(participantId, consent === true);
  }

  /** Answers a call of another instance (CallRpcServer): only the methods of CallHostApi. */
  dispatch(method: string, args: unknown[]): Promise<unknown> {
    if (!CALL_HOST_METHODS.has(method)) throw new DomainException(ErrorCode.NotFound, `No call ${method.slice(0, 40)}`);
    return (this as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args);
  }

  async onModuleDestroy() {
    const rooms = [...this.live.values()];
    this.live.clear();
    // Recordings in progress are finalised and attached before their rooms close.
    await Promise.all(rooms.map((live) => live.recording.close('shutdown').catch(() => undefined)));
    for (const live of rooms) live.room.close('shutdown');
  }

  private liveRoom(sessionId: string): Promise<LiveRoom> {
    const existing = this.live.get(sessionId);
    if (existing && !existing.room.closed) return Promise.resolve(existing);
    const pending = this.opening.get(sessionId);
    if (pending) return pending;
    const opening = (async () => {
      const room = await this.media.getOrCreateRoom(sessionId);
      const recordable = await this.recordings.recordable(sessionId).catch(() => false);
      const seats = new Map<string, PeerSeat>();
      const recording = new CallRecording(sessionId, { room, seats }, this.recordings, recordable, (view) => this.emit(sessionRoom(sessionId), 'recordingState', view));
      const live: LiveRoom = { room, seats, recording };
      this.wire(sessionId, live);
      this.live.set(sessionId, live);
      return live;
    })().finally(() => this.opening.delete(sessionId));
    this.opening.set(sessionId, opening);
    return opening;
  }

  private wire(sessionId: string, live: LiveRoom) {
    const { room } = live;
    const everyone = sessionRoom(sessionId);
    room.on('newProducer', (p) => {
      this.emit(everyone, 'newProducer', producerInfo(p), participantRoom(p.peerId));
      live.recording.trackAdded(p.producerId);
    });
    room.on('newConsumer', ({ peerId, consumer }) => {
      const seat = live.seats.get(peerId);
      if (seat) this.emit(seat.socketId, 'newConsumer', consumerOptions(consumer));
    });
    room.on('producerClosed', ({ producerId, peerId, consumers }) => {
      this.emit(everyone, 'producerClosed', { producerId, participantId: peerId });
      for (const c of consumers) this.emit(participantRoom(c.peerId), 'consumerClosed', { consumerId: c.consumerId, producerId });
    });
    room.on('producerPaused', ({ producerId, peerId }) => this.emit(everyone, 'producerPaused', { producerId, participantId: peerId }));
    room.on('producerResumed', ({ producerId, peerId }) => {
      this.emit(everyone, 'producerResumed', { producerId, participantId: peerId });
      live.recording.trackAdded(producerId);
    });
    room.on('consumerLayersChanged', ({ peerId, ...layers }) => this.emit(participantRoom(peerId), 'consumerLayersChanged', layers));
    room.on('activeSpeaker', ({ peerId }) => this.emit(everyone, 'activeSpeaker', { participantId: peerId, producerId: null, volume: null }));
    room.on('peerQuality', ({ peerId, level, previous }) =>
      this.emit(participantRoom(peerId), 'quality', { level, previous, reason: level === previous ? null : `link moved from ${previous} to ${level}` }),
    );
    room.on('peerUplink', ({ peerId, level, previous, probing }) => this.emit(everyone, 'uplinkQuality', { participantId: peerId, level, previous, probing }));
    room.on('reset', ({ reason }) => {
      live.recording.reset();
      void this.reseat(sessionId, live, reason);
    });
    room.on('closed', () => {
      if (this.live.get(sessionId) === live) this.live.delete(sessionId);
      void live.recording.close('shutdown');
    });
  }

  /** The room's worker died and the room was rebuilt on another worker of this node: every seat gets a new peer. */
  private async reseat(sessionId: string, live: LiveRoom, reason: string) {
    this.logger.warn(`session ${sessionId}: media reset (${reason})`);
    for (const [participantId, seat] of [...live.seats]) {
      try {
        const result = await this.seat(live, participantId);
        this.events.emit('reset', { sessionId, participantId, socketId: seat.socketId, result: { ...result, replacedSocketId: null } });
      } catch (e) {
        this.logger.error(`session ${sessionId}: could not rejoin ${participantId} after reset: ${(e as Error).message}`);
      }
    }
  }
}

export function consumerOptions(c: ConsumerParams): ConsumerOptions {
  return {
    id: c.id,
    transportId: c.transportId,
    resumesOnConnect: c.resumesOnConnect,
    producerId: c.producerId,
    participantId: c.producerPeerId,
    kind: c.kind,
    source: c.source,
    rtpParameters: c.rtpParameters as never,
    type: c.type,
    producerPaused: c.producerPaused,
  };
}

function transportOptions(t: { id: string; iceParameters: unknown; iceCandidates: unknown; dtlsParameters: unknown }): TransportOptions {
  return { id: t.id, iceParameters: t.iceParameters as never, iceCandidates: t.iceCandidates as never, dtlsParameters: t.dtlsParameters as never };
}

export function producerInfo(p: MediaProducerInfo): CallProducerInfo {
  return { producerId: p.producerId, participantId: p.peerId, userId: p.userId, kind: p.kind, source: p.source, paused: p.paused };
}
