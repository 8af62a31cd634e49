import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { AbilityFactory, CallerContext, concerns, DenialRecorder, PRINCIPAL_RESOLVER, PrincipalResolver, SessionEvents, socketAuthentication } from '@hub/access';
import { DomainException, ErrorCode, FieldProblem } from '@hub/common';
import {
  Ack,
  AdmittedPayload,
  CONSULTATION_NAMESPACE,
  ConsultationClientEvents,
  ConsultationServerEvents,
  ConsumerOptions,
  JoinResult,
  ParticipantView,
  ProducerInfo as CallProducerInfo,
  TransportOptions,
} from '@hub/contracts';
import { runWork } from '@hub/database';
import { DatabasePrincipalResolver } from '@hub/identity';
import { ConsumerParams, MediaService, Peer, ProducerInfo as MediaProducerInfo, Room, RtpCapabilities } from '@hub/media';
import { ConsultationEvents } from '../consultation-events';
import { ConsultationsService } from '../consultations.service';
import { ConsultationParticipant } from '../entities/consultation-participant.entity';
import { ConsultationSession } from '../entities/consultation-session.entity';
import { SignallingDeclaration, SignallingEvent, SIGNALLING_EVENTS, RATE_LIMITS } from './signalling-policy';
import {
  AudioOnlyDto,
  ChatDto,
  ConnectTransportDto,
  ConsumeDto,
  ConsumerRefDto,
  CreateTransportDto,
  DeclineEventDto,
  EmptyDto,
  JoinDto,
  ParticipantDto,
  PingDto,
  PreferredLayersDto,
  ProduceDto,
  ProducerRefDto,
  StatsDto,
  TransportRefDto,
} from './signalling.dto';
import { TokenBucket } from './token-bucket';

type Data<E extends keyof ConsultationClientEvents> = ConsultationClientEvents[E][1];

/** What a socket carries between events. */
interface SocketState {
  userId: string;
  familyId: string;
  fullAccess: boolean;
  buckets: Map<string, TokenBucket>;
  /** What the join said about the client's media: its device capabilities (server-side consume) and audio-only. */
  media?: { rtpCapabilities?: RtpCapabilities; audioOnly: boolean };
  joined?: { sessionId: string; participantId: string; admitted: boolean; host: boolean };
}

/** The caller of one event, reloaded from the database, and (for joined sockets) their session and participant. */
interface EventContext {
  socket: Socket;
  state: SocketState;
  caller: CallerContext;
  session?: ConsultationSession;
  participant?: ConsultationParticipant;
}

/** A session with a media room on this hub instance. */
interface LiveRoom {
  room: Room;
  /** participantId -> the socket holding its media peer. */
  peerSockets: Map<string, string>;
}

const sessionRoom = (id: string) => `session:${id}`;
const hostRoom = (id: string) => `host:${id}`;
const participantRoom = (id: string) => `participant:${id}`;

const stateOf = (socket: Socket) => socket.data as SocketState;

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own: FieldProblem[] = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Signalling of live consultations on the `/consultations` namespace (socket.io shares the hub's HTTP server).
 *
 * - Handshake: the access token (`auth.token` or the Authorization header) is verified and the principal loaded,
 *   as the AccessGuard does; every event reloads it (deactivation, ended session, changed memberships apply at once).
 * - Deny by default: an event without a @SignallingEvent declaration is refused before any handler runs.
 * - Per event: token buckets (RATE_LIMITED), class-validator payloads (VALIDATION_FAILED naming fields), the
 *   event's policy (joined / admitted / host, the right to the session re-checked), then the handler.
 * - Media: ids are looked up in the caller's own Peer of the session's Room (@hub/media), never globally, so an id
 *   from another room or peer answers NOT_FOUND.
 * - Every event is acknowledged with `{ ok: true, data }` or `{ ok: false, error: { code, message, fields? } }`.
 */
@WebSocketGateway({ path: '/socket.io', namespace: CONSULTATION_NAMESPACE, cors: { origin: false } })
export class ConsultationsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('ConsultationsGateway');
  @WebSocketServer() ns: Namespace;
  private readonly live = new Map<string, LiveRoom>();
  private readonly opening = new Map<string, Promise<LiveRoom>>();

  constructor(
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    private readonly reloader: DatabasePrincipalResolver,
    private readonly abilities: AbilityFactory,
    private readonly denials: DenialRecorder,
    private readonly consultations: ConsultationsService,
    private readonly media: MediaService,
    events: ConsultationEvents,
    sessions: SessionEvents,
  ) {
    // Logout, deactivation, a new password or changed memberships cut the user's consultation sockets at once.
    sessions.onChange((change) => {
      if (!this.ns) return;
      for (const socket of this.ns.sockets.values()) {
        const state = stateOf(socket);
        if (concerns(change, state.userId, state.familyId)) socket.disconnect(true);
      }
    });
    events.on('admitted', ({ sessionId, participant }) => void this.onAdmitted(sessionId, participant));
    events.on('declined', ({ sessionId, participant, reason }) => this.onDeclined(sessionId, participant, reason));
    events.on('ended', ({ sessionId, record }) => void this.onEnded(sessionId, record));
  }

  afterInit(ns: Namespace) {
    ns.use(
      socketAuthentication(this.principals, (socket, principal) => {
        const state: SocketState = { userId: principal.userId, familyId: principal.sessionId, fullAccess: true, buckets: new Map() };
        Object.assign(socket.data, state);
      }),
    );
  }

  handleConnection(socket: Socket) {
    if (!stateOf(socket).userId) {
      socket.disconnect(true);
      return;
    }
    // Deny by default and rate-limit, before any handler: an undeclared event is refused here.
    socket.use((packet, next) => {
      const [event, ...args] = packet;
      const ack = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as (a: Ack<never>) => void) : undefined;
      const declaration = SIGNALLING_EVENTS.get(event);
      const refuse = (code: string, message: string) => ack?.({ ok: false, error: { code, message } });
      if (!declaration) return refuse(ErrorCode.Forbidden, `Event ${String(event).slice(0, 40)} is not allowed`);
      const wait = this.take(socket, 'all') || (declaration.rate ? this.take(socket, declaration.rate) : 0);
      if (wait) return refuse(ErrorCode.RateLimited, `Too many events; retry in ${wait} ms`);
      next();
    });
    // The routers' capabilities in the same flight as the connection: the client loads its Device before `join`.
    void this.media
      .routerRtpCapabilities()
      .catch(() => null)
      .then((routerRtpCapabilities) => socket.connected && socket.emit('hello', { routerRtpCapabilities }));
  }

  async handleDisconnect(socket: Socket) {
    await this.detach(socket, 'disconnected').catch((e) => this.logger.warn(`disconnect cleanup failed: ${(e as Error).message}`));
  }

  onModuleDestroy() {
    for (const live of this.live.values()) live.room.close('shutdown');
    this.live.clear();
  }

  // ---- events -------------------------------------------------------------------------------------------

  @SignallingEvent({ event: 'join', policy: 'authenticated', dto: JoinDto, rate: 'join' })
  async join(ctx: EventContext, dto: JoinDto): Promise<JoinResult> {
    const joined = ctx.state.joined;
    if (joined && joined.sessionId !== dto.sessionId) throw DomainException.conflict('This connection is in another consultation: leave it first');
    if (dto.rtpCapabilities && !Array.isArray((dto.rtpCapabilities as { codecs?: unknown }).codecs)) {
      throw new DomainException(ErrorCode.ValidationFailed, 'rtpCapabilities.codecs must be an array', [
        { field: 'rtpCapabilities.codecs', problems: ['must be an array'] },
      ]);
    }
    const outcome = await this.consultations.join(ctx.caller, dto.sessionId, dto.invitationToken);
    const { session, participant } = outcome;
    // A session that starts audio-only (mental health) receives no video unless the client asks for it.
    ctx.state.media = { rtpCapabilities: dto.rtpCapabilities as RtpCapabilities | undefined, audioOnly: dto.audioOnly ?? session.audioOnlyDefault };
    ctx.state.joined = { sessionId: session.id, participantId: participant.id, admitted: false, host: participant.callRole === 'host' };
    await ctx.socket.join(participantRoom(participant.id));
    if (outcome.status === 'waiting') {
      const view = (await this.consultations.participantViews([participant]))[0];
      this.ns.to(hostRoom(session.id)).emit('participantWaiting', view);
      if (!(await this.ns.in(hostRoom(session.id)).fetchSockets()).length) await this.consultations.notifyHostOfWaiting(session, view.displayName);
      const payload = { sessionId: session.id, participantId: participant.id, session: await this.consultations.view(ctx.state.userId, session, participant.callRole) };
      ctx.socket.emit('waiting', payload);
      return { status: 'waiting', ...payload };
    }
    return { status: 'admitted', ...(await this.enterCall(ctx.socket, session, participant)) };
  }

  @SignallingEvent({ event: 'admit', policy: 'host', dto: ParticipantDto })
  admit(ctx: EventContext, dto: ParticipantDto): Promise<Data<'admit'>> {
    return this.consultations.admit(ctx.caller, ctx.session!.id, dto.participantId);
  }

  @SignallingEvent({ event: 'decline', policy: 'host', dto: DeclineEventDto })
  decline(ctx: EventContext, dto: DeclineEventDto): Promise<Data<'decline'>> {
    return this.consultations.decline(ctx.caller, ctx.session!.id, dto.participantId, dto.reason ?? null);
  }

  @SignallingEvent({ event: 'createTransport', policy: 'admitted', dto: CreateTransportDto })
  async createTransport(ctx: EventContext, dto: CreateTransportDto): Promise<TransportOptions> {
    const peer = this.peerOf(ctx);
    const t = await peer.createWebRtcTransport(dto.direction);
    return { id: t.id, iceParameters: t.iceParameters as never, iceCandidates: t.iceCandidates as never, dtlsParameters: t.dtlsParameters as never };
  }

  @SignallingEvent({ event: 'connectTransport', policy: 'admitted', dto: ConnectTransportDto })
  async connectTransport(ctx: EventContext, dto: ConnectTransportDto): Promise<Data<'connectTransport'>> {
    await this.peerOf(ctx).connectTransport(dto.transportId, dto.dtlsParameters as never);
    return {};
  }

  @SignallingEvent({ event: 'produce', policy: 'admitted', dto: ProduceDto })
  async produce(ctx: EventContext, dto: ProduceDto): Promise<Data<'produce'>> {
    const peer = this.peerOf(ctx);
    const { producerId } = await peer.produce({ transportId: dto.transportId, kind: dto.kind, rtpParameters: dto.rtpParameters as never, source: dto.source });
    if (dto.paused) await peer.pauseProducer(producerId);
    return { producerId };
  }

  @SignallingEvent({ event: 'consume', policy: 'admitted', dto: ConsumeDto })
  async consume(ctx: EventContext, dto: ConsumeDto): Promise<ConsumerOptions> {
    const c = await this.peerOf(ctx).consume({ transportId: dto.transportId, producerId: dto.producerId, rtpCapabilities: dto.rtpCapabilities as never, once: true });
    return this.consumerOptions(c);
  }

  private consumerOptions(c: ConsumerParams): ConsumerOptions {
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

  @SignallingEvent({ event: 'resumeConsumer', policy: 'admitted', dto: ConsumerRefDto })
  async resumeConsumer(ctx: EventContext, dto: ConsumerRefDto): Promise<Data<'resumeConsumer'>> {
    await this.peerOf(ctx).resumeConsumer(dto.consumerId);
    return {};
  }

  @SignallingEvent({ event: 'pauseProducer', policy: 'admitted', dto: ProducerRefDto })
  async pauseProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'pauseProducer'>> {
    await this.peerOf(ctx).pauseProducer(dto.producerId);
    return {};
  }

  @SignallingEvent({ event: 'resumeProducer', policy: 'admitted', dto: ProducerRefDto })
  async resumeProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'resumeProducer'>> {
    await this.peerOf(ctx).resumeProducer(dto.producerId);
    return {};
  }

  @SignallingEvent({ event: 'closeProducer', policy: 'admitted', dto: ProducerRefDto })
  async closeProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'closeProducer'>> {
    this.peerOf(ctx).closeProducer(dto.producerId);
    return {};
  }

  @SignallingEvent({ event: 'restartIce', policy: 'admitted', dto: TransportRefDto })
  async restartIce(ctx: EventContext, dto: TransportRefDto): Promise<Data<'restartIce'>> {
    return { iceParameters: (await this.peerOf(ctx).restartIce(dto.transportId)) as never };
  }

  @SignallingEvent({ event: 'setPreferredLayers', policy: 'admitted', dto: PreferredLayersDto })
  async setPreferredLayers(ctx: EventContext, dto: PreferredLayersDto): Promise<Data<'setPreferredLayers'>> {
    await this.peerOf(ctx).setPreferredLayers(dto.consumerId, { spatialLayer: dto.spatialLayer, temporalLayer: dto.temporalLayer });
    return {};
  }

  @SignallingEvent({ event: 'setAudioOnly', policy: 'admitted', dto: AudioOnlyDto })
  async setAudioOnly(ctx: EventContext, dto: AudioOnlyDto): Promise<Data<'setAudioOnly'>> {
    await this.peerOf(ctx).setAudioOnly(dto.audioOnly);
    return { audioOnly: dto.audioOnly };
  }

  @SignallingEvent({ event: 'chat', policy: 'admitted', dto: ChatDto, rate: 'chat' })
  async chat(ctx: EventContext, dto: ChatDto): Promise<Data<'chat'>> {
    const message = await this.consultations.chat(ctx.caller, ctx.session!, dto.body);
    this.ns.to(sessionRoom(ctx.session!.id)).emit('chat', message);
    return message;
  }

  @SignallingEvent({ event: 'stats', policy: 'admitted', dto: StatsDto, rate: 'stats' })
  async stats(ctx: EventContext, dto: StatsDto): Promise<Data<'stats'>> {
    await this.consultations.recordStats(ctx.participant!.id, dto);
    // The browser's send-side estimate feeds the uplink ladder (a peer reset meanwhile has nothing to feed).
    if (dto.availableOutgoingKbps !== undefined && ctx.state.joined) {
      this.live.get(ctx.state.joined.sessionId)?.room.getPeer(ctx.state.joined.participantId)?.noteUplinkEstimate(dto.availableOutgoingKbps * 1000);
    }
    return {};
  }

  @SignallingEvent({ event: 'ping', policy: 'authenticated', dto: PingDto, rate: 'ping' })
  async ping(_ctx: EventContext, dto: PingDto): Promise<Data<'ping'>> {
    return { sentAt: dto.sentAt, serverTime: Date.now() };
  }

  @SignallingEvent({ event: 'leave', policy: 'joined', dto: EmptyDto })
  async leave(ctx: EventContext): Promise<Data<'leave'>> {
    await this.detach(ctx.socket, 'left');
    return {};
  }

  @SignallingEvent({ event: 'end', policy: 'host', dto: EmptyDto })
  end(ctx: EventContext): Promise<Data<'end'>> {
    return this.consultations.end(ctx.caller, ctx.session!.id);
  }

  // ---- dispatch -----------------------------------------------------------------------------------------

  /** Runs one declared event: principal reload, validation, policy, handler; always answers an Ack. */
  dispatch(declaration: SignallingDeclaration, socketArg: unknown, payload: unknown, handler: (ctx: EventContext, dto: object) => Promise<unknown>): Promise<Ack<unknown>> {
    // Its own context per event, as an HTTP request has (hold-and-wait on the pool is watched per unit of work).
    return runWork(() => this.run(declaration, socketArg, payload, handler));
  }

  private async run(declaration: SignallingDeclaration, socketArg: unknown, payload: unknown, handler: (ctx: EventContext, dto: object) => Promise<unknown>): Promise<Ack<unknown>> {
    const socket = socketArg as Socket;
    const state = stateOf(socket);
    let principalId: string | null = null;
    try {
      let principal;
      try {
        principal = await this.reloader.load(state.userId, state.familyId, state.fullAccess);
      } catch (e) {
        setImmediate(() => socket.disconnect(true));
        throw e;
      }
      principalId = principal.userId;
      const caller: CallerContext = { principal, ability: this.abilities.createFor(principal), request: { requestId: `ws:${socket.id}`, ip: socket.handshake.address ?? null } };
      const dto = await this.validate(declaration.dto, payload);
      const ctx: EventContext = { socket, state, caller };
      await this.authorize(declaration, ctx);
      const data = await handler(ctx, dto);
      return { ok: true, data };
    } catch (e) {
      if (e instanceof DomainException) {
        // Every refused event is audited here, after its transaction ended: the one place for this namespace.
        if (principalId && e.isRefusal) {
          await this.denials.recordQuietly(e, { actorId: principalId, requestId: `ws:${socket.id}`, ip: socket.handshake.address ?? null, route: `ws:consultations ${declaration.event}` });
        }
        return { ok: false, error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
      }
      const errorId = randomUUID();
      this.logger.error({ errorId, event: declaration.event, err: e }, `signalling error ${errorId}`);
      return { ok: false, error: { code: ErrorCode.Internal, message: `Internal error (${errorId})` } };
    }
  }

  private async validate(cls: new () => object, payload: unknown): Promise<object> {
    const raw = payload === undefined || (Array.isArray(payload) && payload.length === 0) ? {} : payload;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new DomainException(ErrorCode.ValidationFailed, 'The payload must be an object', [{ field: '(payload)', problems: ['must be an object'] }]);
    }
    if (cls === EmptyDto) {
      const extra = Object.keys(raw);
      if (!extra.length) return {};
      throw new DomainException(ErrorCode.ValidationFailed, extra.map((k) => `property ${k} should not exist`).join('; '), extra.map((k) => ({ field: k, problems: [`property ${k} should not exist`] })));
    }
    const dto = plainToInstance(cls, raw);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) {
      const fields = flatten(errors);
      throw new DomainException(ErrorCode.ValidationFailed, fields.map((f) => f.problems.join('; ')).join('; '), fields);
    }
    return dto;
  }

  private async authorize(declaration: SignallingDeclaration, ctx: EventContext): Promise<void> {
    if (declaration.policy === 'authenticated') return;
    const joined = ctx.state.joined;
    if (!joined) throw new DomainException(ErrorCode.NotJoined, `Join a consultation before ${declaration.event}`);
    if (declaration.policy === 'joined') return;
    const { session, participant } = await this.consultations.admittedParticipant(ctx.caller, joined.sessionId);
    if (!joined.admitted) throw new DomainException(ErrorCode.NotAdmitted, 'Wait until the doctor admits you');
    ctx.session = session;
    ctx.participant = participant;
    if (declaration.policy === 'host' && session.hostId !== ctx.caller.principal.userId) {
      throw new DomainException(ErrorCode.Forbidden, `Only the doctor hosting the consultation can ${declaration.event}`).deniedOn({
        missionId: session.missionId,
        subjectType: 'Consultation',
        subjectId: session.id,
        details: { attempted: declaration.event },
      });
    }
  }

  private take(socket: Socket, key: keyof typeof RATE_LIMITS): number {
    const state = stateOf(socket);
    let bucket = state.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(RATE_LIMITS[key].capacity, RATE_LIMITS[key].perSecond);
      state.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  /** The caller's own media peer in the session's room: every media id is looked up there and nowhere else. */
  private peerOf(ctx: EventContext) {
    const joined = ctx.state.joined!;
    const live = this.live.get(joined.sessionId);
    const peer = live?.room.getPeer(joined.participantId);
    if (!live || !peer || live.peerSockets.get(joined.participantId) !== ctx.socket.id) {
      throw new DomainException(ErrorCode.Conflict, 'Your media connection was reset: join again');
    }
    return peer;
  }

  // ---- the call -----------------------------------------------------------------------------------------

  /** Puts an admitted participant's socket into the call: media peer, socket rooms, announcements. */
  private async enterCall(socket: Socket, session: ConsultationSession, participant: ConsultationParticipant): Promise<AdmittedPayload> {
    const state = stateOf(socket);
    const live = await this.liveRoom(session.id);
    const previous = live.peerSockets.get(participant.id);
    if (previous && previous !== socket.id) {
      const old = this.ns.sockets.get(previous);
      if (old) {
        stateOf(old).joined = undefined;
        old.emit('participantLeft', { participantId: participant.id, userId: participant.userId, reason: 'replaced' });
        for (const r of [...old.rooms]) if (r !== old.id) void old.leave(r);
      }
    }
    const principalName = (await this.consultations.participantViews([participant]))[0].displayName;
    // Claim the peer before the await, so a late disconnect of an older socket cannot close the new peer.
    live.peerSockets.set(participant.id, socket.id);
    let media: Pick<AdmittedPayload, 'transports' | 'consumers'>;
    try {
      const peer = await live.room.join(participant.id, { userId: participant.userId, displayName: principalName, audioOnly: state.media?.audioOnly });
      media = await this.setUpMedia(peer, live.room, state);
    } catch (e) {
      if (live.peerSockets.get(participant.id) === socket.id) {
        live.peerSockets.delete(participant.id);
        live.room.leave(participant.id);
      }
      throw e;
    }
    state.joined = { sessionId: session.id, participantId: participant.id, admitted: true, host: session.hostId === participant.userId };
    await socket.join([sessionRoom(session.id), participantRoom(participant.id), ...(state.joined.host ? [hostRoom(session.id)] : [])]);
    const view = (await this.consultations.participantViews([participant], new Set(live.peerSockets.keys())))[0];
    socket.to(sessionRoom(session.id)).emit('participantJoined', view);
    return this.admittedPayload(session, participant, live, media);
  }

  /**
   * Everything media the client needs at once: both transports (made in parallel) and, when the join carried the
   * device's capabilities, consumers of the producers already in the room (server-side consume; new producers
   * follow as `newConsumer`). They start by themselves once the receive transport's DTLS is up.
   */
  private async setUpMedia(peer: Peer, room: Room, state: SocketState): Promise<Pick<AdmittedPayload, 'transports' | 'consumers'>> {
    const [send, recv] = await Promise.all([peer.createWebRtcTransport('send'), peer.createWebRtcTransport('recv')]);
    const transportOptions = (t: typeof send): TransportOptions => ({ id: t.id, iceParameters: t.iceParameters as never, iceCandidates: t.iceCandidates as never, dtlsParameters: t.dtlsParameters as never });
    const consumers: ConsumerOptions[] = [];
    const caps = state.media?.rtpCapabilities;
    if (caps) {
      peer.enableAutoConsume(caps);
      const made = await Promise.all(
        room.listProducers(peer.id).map((p) =>
          peer.consume({ producerId: p.producerId, transportId: recv.id, once: true }).catch((e: Error) => {
            this.logger.debug(`no consumer of ${p.producerId} for ${peer.id}: ${e.message}`);
            return null;
          }),
        ),
      );
      for (const c of made) if (c) consumers.push(this.consumerOptions(c));
    }
    return { transports: { send: transportOptions(send), recv: transportOptions(recv) }, consumers };
  }

  private async admittedPayload(
    session: ConsultationSession,
    participant: ConsultationParticipant,
    live: LiveRoom,
    media: Pick<AdmittedPayload, 'transports' | 'consumers'>,
  ): Promise<AdmittedPayload> {
    const participants = await this.consultations.participantViews(
      await this.participantsOf(session.id),
      new Set(live.peerSockets.keys()),
    );
    return {
      ...media,
      sessionId: session.id,
      participantId: participant.id,
      callRole: participant.callRole,
      routerRtpCapabilities: live.room.rtpCapabilities as never,
      producers: live.room.listProducers(participant.id).map((p) => this.producerInfo(p)),
      participants,
      iceServers: this.consultations.turnFor(participant.userId).iceServers,
      session: await this.consultations.view(participant.userId, session, participant.callRole),
    };
  }

  private participantsOf(sessionId: string): Promise<ConsultationParticipant[]> {
    return this.consultations.participantsOf(sessionId);
  }

  private producerInfo(p: MediaProducerInfo): CallProducerInfo {
    return { producerId: p.producerId, participantId: p.peerId, userId: p.userId, kind: p.kind, source: p.source, paused: p.paused };
  }

  /** The session's media room on this instance, created with its event wiring on first use. */
  private liveRoom(sessionId: string): Promise<LiveRoom> {
    const existing = this.live.get(sessionId);
    if (existing && !existing.room.closed) return Promise.resolve(existing);
    const pending = this.opening.get(sessionId);
    if (pending) return pending;
    const opening = (async () => {
      const room = await this.media.getOrCreateRoom(sessionId);
      const live: LiveRoom = { room, peerSockets: new Map() };
      this.wire(sessionId, live);
      this.live.set(sessionId, live);
      return live;
    })().finally(() => this.opening.delete(sessionId));
    this.opening.set(sessionId, opening);
    return opening;
  }

  private emitTo<E extends keyof ConsultationServerEvents>(room: string, event: E, payload: ConsultationServerEvents[E]) {
    this.ns.to(room).emit(event, payload as never);
  }

  private wire(sessionId: string, live: LiveRoom) {
    const { room } = live;
    const everyone = sessionRoom(sessionId);
    room.on('newProducer', (p) => this.ns.to(everyone).except(participantRoom(p.peerId)).emit('newProducer', this.producerInfo(p)));
    room.on('newConsumer', ({ peerId, consumer }) => {
      const socketId = live.peerSockets.get(peerId);
      this.ns.sockets.get(socketId ?? '')?.emit('newConsumer', this.consumerOptions(consumer));
    });
    room.on('producerClosed', ({ producerId, peerId, consumers }) => {
      this.emitTo(everyone, 'producerClosed', { producerId, participantId: peerId });
      for (const c of consumers) this.emitTo(participantRoom(c.peerId), 'consumerClosed', { consumerId: c.consumerId, producerId });
    });
    room.on('producerPaused', ({ producerId, peerId }) => this.emitTo(everyone, 'producerPaused', { producerId, participantId: peerId }));
    room.on('producerResumed', ({ producerId, peerId }) => this.emitTo(everyone, 'producerResumed', { producerId, participantId: peerId }));
    room.on('consumerLayersChanged', ({ peerId, ...layers }) => this.emitTo(participantRoom(peerId), 'consumerLayersChanged', layers));
    room.on('activeSpeaker', ({ peerId }) => this.emitTo(everyone, 'activeSpeaker', { participantId: peerId, producerId: null, volume: null }));
    room.on('peerQuality', ({ peerId, level, previous }) =>
      this.emitTo(participantRoom(peerId), 'quality', { level, previous, reason: level === previous ? null : `link moved from ${previous} to ${level}` }),
    );
    room.on('peerUplink', ({ peerId, level, previous, probing }) =>
      this.emitTo(everyone, 'uplinkQuality', { participantId: peerId, level, previous, probing }),
    );
    room.on('reset', ({ reason }) => void this.onReset(sessionId, live, reason));
    room.on('closed', () => {
      if (this.live.get(sessionId) === live) this.live.delete(sessionId);
    });
  }

  /**
   * The room's worker died and the room was rebuilt on another worker: every admitted socket gets a new peer and
   * `mediaReset` with the new capabilities; clients re-create transports and produce again, with no admission.
   */
  private async onReset(sessionId: string, live: LiveRoom, reason: string) {
    this.logger.warn(`session ${sessionId}: media reset (${reason})`);
    const session = await this.consultations.sessionById(sessionId);
    if (!session) return;
    const participants = await this.participantsOf(sessionId);
    for (const [participantId, socketId] of [...live.peerSockets]) {
      const socket = this.ns.sockets.get(socketId);
      const participant = participants.find((p) => p.id === participantId);
      if (!socket || !participant) {
        live.peerSockets.delete(participantId);
        continue;
      }
      try {
        const name = (await this.consultations.participantViews([participant]))[0].displayName;
        const state = stateOf(socket);
        const peer = await live.room.join(participantId, { userId: participant.userId, displayName: name, audioOnly: state.media?.audioOnly });
        const media = await this.setUpMedia(peer, live.room, state);
        socket.emit('mediaReset', await this.admittedPayload(session, participant, live, media));
      } catch (e) {
        this.logger.error(`session ${sessionId}: could not rejoin ${participantId} after reset: ${(e as Error).message}`);
      }
    }
  }

  private async onAdmitted(sessionId: string, participant: ParticipantView) {
    const sockets = await this.ns.in(participantRoom(participant.id)).fetchSockets();
    if (!sockets.length) return;
    const session = await this.consultations.sessionById(sessionId);
    const row = await this.consultations.participantById(participant.id);
    if (!session || !row) return;
    // The newest socket of the participant enters the call (one media peer per participant).
    const target = sockets[sockets.length - 1];
    const socket = this.ns.sockets.get(target.id);
    if (!socket || stateOf(socket).joined?.sessionId !== sessionId) return;
    try {
      const payload = await this.enterCall(socket, session, row);
      socket.emit('admitted', payload);
    } catch (e) {
      this.logger.error(`session ${sessionId}: admitting ${participant.id} failed: ${(e as Error).message}`);
    }
  }

  private onDeclined(sessionId: string, participant: ParticipantView, reason: string | null) {
    const live = this.live.get(sessionId);
    if (live?.peerSockets.has(participant.id)) {
      live.room.leave(participant.id);
      live.peerSockets.delete(participant.id);
      this.emitTo(sessionRoom(sessionId), 'participantLeft', { participantId: participant.id, userId: participant.userId, reason: 'declined' });
    }
    this.emitTo(participantRoom(participant.id), 'declined', { sessionId, reason });
    void this.ns.in(participantRoom(participant.id)).fetchSockets().then((sockets) => {
      for (const s of sockets) {
        const socket = this.ns.sockets.get(s.id);
        if (!socket) continue;
        stateOf(socket).joined = undefined;
        for (const r of [...socket.rooms]) if (r !== socket.id) void socket.leave(r);
      }
    });
  }

  private async onEnded(sessionId: string, record: ConsultationServerEvents['sessionEnded']['record']) {
    const sockets = await this.ns.in([sessionRoom(sessionId), ...record.participants.map((p) => participantRoom(p.id))]).fetchSockets();
    for (const s of sockets) {
      const socket = this.ns.sockets.get(s.id);
      if (!socket) continue;
      socket.emit('sessionEnded', { sessionId, record });
      stateOf(socket).joined = undefined;
      for (const r of [...socket.rooms]) if (r !== socket.id) void socket.leave(r);
    }
    this.live.get(sessionId)?.room.close('ended');
    this.live.delete(sessionId);
  }

  /** A socket leaves its session (leave event or disconnect): the participant stays admitted and may come back. */
  private async detach(socket: Socket, reason: 'left' | 'disconnected') {
    const state = stateOf(socket);
    const joined = state.joined;
    if (!joined) return;
    state.joined = undefined;
    const live = this.live.get(joined.sessionId);
    const holdsPeer = live?.peerSockets.get(joined.participantId) === socket.id;
    if (live && holdsPeer) {
      live.peerSockets.delete(joined.participantId);
      live.room.leave(joined.participantId);
      // Nobody left in the call: free the router; the next join opens a new room.
      if (!live.peerSockets.size && this.live.get(joined.sessionId) === live) {
        this.live.delete(joined.sessionId);
        live.room.close('empty');
      }
    }
    for (const r of [...socket.rooms]) if (r !== socket.id) await socket.leave(r);
    if (!joined.admitted || holdsPeer) {
      await this.consultations.markLeft(joined.participantId);
      const target = joined.admitted ? sessionRoom(joined.sessionId) : hostRoom(joined.sessionId);
      this.emitTo(target, 'participantLeft', { participantId: joined.participantId, userId: state.userId, reason });
    }
  }
}
