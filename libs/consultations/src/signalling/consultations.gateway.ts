import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { AbilityFactory, Action, CallerContext, DenialRecorder, PRINCIPAL_RESOLVER, PrincipalResolver, SessionEvents, socketAuthentication, subjectOf } from '@hub/access';
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
  TransportOptions,
} from '@hub/contracts';
import { runWork } from '@hub/database';
import { DatabasePrincipalResolver } from '@hub/identity';
import { MediaService, RtpCapabilities } from '@hub/media';
import { EnterResult, hostRoom, participantRoom, PeerOperation, sessionRoom } from '../cluster/call-host';
import { CallNodes } from '../cluster/call-nodes';
import { NodeUnreachable } from '../cluster/call-rpc';
import { ConsultationEvents } from '../consultation-events';
import { ConsultationsService } from '../consultations.service';
import { ConsultationParticipant } from '../entities/consultation-participant.entity';
import { ConsultationSession } from '../entities/consultation-session.entity';
import { RecordingHandlers } from './recording.handlers';
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
  RecordingConsentDto,
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
  /** `nodeId`: the media node holding the session's room, once admitted into the call. */
  joined?: { sessionId: string; participantId: string; admitted: boolean; host: boolean; nodeId?: string };
}

/** The caller of one event, reloaded from the database, and (for joined sockets) their session and participant. */
interface EventContext {
  socket: Socket;
  state: SocketState;
  caller: CallerContext;
  session?: ConsultationSession;
  participant?: ConsultationParticipant;
}

/** socket.io rooms of every socket of a user, and of one sign-in session (refresh family): session cuts. */
const userRoom = (id: string) => `user:${id}`;
const signInRoom = (id: string) => `signin:${id}`;

/** Consultation events carried to the other hub instances (serverSideEmit over the cluster adapter). */
const CLUSTER_ADMITTED = 'cluster:admitted';
const CLUSTER_DECLINED = 'cluster:declined';
const CLUSTER_ENDED = 'cluster:ended';

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
export class ConsultationsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('ConsultationsGateway');
  @WebSocketServer() ns: Namespace;

  constructor(
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    private readonly reloader: DatabasePrincipalResolver,
    private readonly abilities: AbilityFactory,
    private readonly denials: DenialRecorder,
    private readonly consultations: ConsultationsService,
    private readonly media: MediaService,
    private readonly calls: CallNodes,
    private readonly recording: RecordingHandlers,
    events: ConsultationEvents,
    sessions: SessionEvents,
  ) {
    // Logout, deactivation, a new password or changed memberships cut the user's consultation sockets at once, on
    // every hub instance (rooms resolved by the socket.io cluster adapter).
    sessions.onChange((change) => {
      if (!this.ns) return;
      this.ns.in(change.sessionId ? signInRoom(change.sessionId) : userRoom(change.userId)).disconnectSockets(true);
    });
    // Admission, refusal and the end of a session concern sockets on any instance: each instance handles its own.
    events.on('admitted', (e) => {
      void this.onAdmitted(e.sessionId, e.participant);
      this.ns?.serverSideEmit(CLUSTER_ADMITTED, e);
    });
    events.on('declined', (e) => {
      void this.onDeclinedHere(e.sessionId, e.participant, e.reason);
      this.onDeclinedLocally(e.sessionId, e.participant, e.reason);
      this.ns?.serverSideEmit(CLUSTER_DECLINED, e);
    });
    events.on('ended', (e) => {
      void this.onEnded(e.sessionId, e.record, true);
      this.ns?.serverSideEmit(CLUSTER_ENDED, e);
    });
    // A media node died: the calls our sockets take part in are placed again and their clients rebuild media.
    calls.registry.on('down', (nodeId) => void this.onNodeDown(nodeId));
    // A room rebuilt on another worker of this node: its participants (sockets on any instance) rebuild media.
    calls.host.onReset((e) => void this.sendMediaReset(e.sessionId, e.participantId, e.socketId, e.result));
  }

  afterInit(ns: Namespace) {
    ns.use(
      socketAuthentication(this.principals, (socket, principal) => {
        const state: SocketState = { userId: principal.userId, familyId: principal.sessionId, fullAccess: true, buckets: new Map() };
        Object.assign(socket.data, state);
      }),
    );
    this.calls.host.attach((target, event, payload, except) => {
      const to = this.ns.to(target);
      (except ? to.except(except) : to).emit(event, payload as never);
    });
    ns.on(CLUSTER_ADMITTED, (e: { sessionId: string; participant: ParticipantView }) => void this.onAdmitted(e.sessionId, e.participant));
    ns.on(CLUSTER_DECLINED, (e: { sessionId: string; participant: ParticipantView; reason: string | null }) => this.onDeclinedLocally(e.sessionId, e.participant, e.reason));
    ns.on(CLUSTER_ENDED, (e: { sessionId: string; record: ConsultationServerEvents['sessionEnded']['record'] }) => void this.onEnded(e.sessionId, e.record, false));
  }

  handleConnection(socket: Socket) {
    const state = stateOf(socket);
    if (!state.userId) {
      socket.disconnect(true);
      return;
    }
    void socket.join([userRoom(state.userId), signInRoom(state.familyId)]);
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

  // ---- events -------------------------------------------------------------------------------------------

  @SignallingEvent({ event: 'join', policy: 'authenticated', dto: JoinDto, rate: 'join' })
  async join(ctx: EventContext, dto: JoinDto): Promise<JoinResult> {
    const joined = ctx.state.joined;
    if (joined && joined.sessionId !== dto.sessionId) throw DomainException.conflict('This connection is in another consultation: leave it first', 'other_consultation');
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
      // Asked of every instance; one that died a moment ago makes the question time out: notify then, to be safe.
      const hostSockets = await this.ns.in(hostRoom(session.id)).timeout(3000).fetchSockets().catch(() => []);
      if (!hostSockets.length) await this.consultations.notifyHostOfWaiting(session, view.displayName);
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
  createTransport(ctx: EventContext, dto: CreateTransportDto): Promise<TransportOptions> {
    return this.onPeer(ctx, { op: 'createTransport', direction: dto.direction }) as Promise<TransportOptions>;
  }

  @SignallingEvent({ event: 'connectTransport', policy: 'admitted', dto: ConnectTransportDto })
  async connectTransport(ctx: EventContext, dto: ConnectTransportDto): Promise<Data<'connectTransport'>> {
    await this.onPeer(ctx, { op: 'connectTransport', transportId: dto.transportId, dtlsParameters: dto.dtlsParameters });
    return {};
  }

  @SignallingEvent({ event: 'produce', policy: 'admitted', dto: ProduceDto })
  produce(ctx: EventContext, dto: ProduceDto): Promise<Data<'produce'>> {
    return this.onPeer(ctx, { op: 'produce', transportId: dto.transportId, kind: dto.kind, rtpParameters: dto.rtpParameters, source: dto.source, paused: dto.paused }) as Promise<Data<'produce'>>;
  }

  @SignallingEvent({ event: 'consume', policy: 'admitted', dto: ConsumeDto })
  consume(ctx: EventContext, dto: ConsumeDto): Promise<ConsumerOptions> {
    return this.onPeer(ctx, { op: 'consume', transportId: dto.transportId, producerId: dto.producerId, rtpCapabilities: dto.rtpCapabilities }) as Promise<ConsumerOptions>;
  }

  @SignallingEvent({ event: 'resumeConsumer', policy: 'admitted', dto: ConsumerRefDto })
  async resumeConsumer(ctx: EventContext, dto: ConsumerRefDto): Promise<Data<'resumeConsumer'>> {
    await this.onPeer(ctx, { op: 'resumeConsumer', consumerId: dto.consumerId });
    return {};
  }

  @SignallingEvent({ event: 'pauseProducer', policy: 'admitted', dto: ProducerRefDto })
  async pauseProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'pauseProducer'>> {
    await this.onPeer(ctx, { op: 'pauseProducer', producerId: dto.producerId });
    return {};
  }

  @SignallingEvent({ event: 'resumeProducer', policy: 'admitted', dto: ProducerRefDto })
  async resumeProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'resumeProducer'>> {
    await this.onPeer(ctx, { op: 'resumeProducer', producerId: dto.producerId });
    return {};
  }

  @SignallingEvent({ event: 'closeProducer', policy: 'admitted', dto: ProducerRefDto })
  async closeProducer(ctx: EventContext, dto: ProducerRefDto): Promise<Data<'closeProducer'>> {
    await this.onPeer(ctx, { op: 'closeProducer', producerId: dto.producerId });
    return {};
  }

  @SignallingEvent({ event: 'restartIce', policy: 'admitted', dto: TransportRefDto })
  restartIce(ctx: EventContext, dto: TransportRefDto): Promise<Data<'restartIce'>> {
    return this.onPeer(ctx, { op: 'restartIce', transportId: dto.transportId }) as Promise<Data<'restartIce'>>;
  }

  @SignallingEvent({ event: 'setPreferredLayers', policy: 'admitted', dto: PreferredLayersDto })
  async setPreferredLayers(ctx: EventContext, dto: PreferredLayersDto): Promise<Data<'setPreferredLayers'>> {
    await this.onPeer(ctx, { op: 'setPreferredLayers', consumerId: dto.consumerId, spatialLayer: dto.spatialLayer, temporalLayer: dto.temporalLayer });
    return {};
  }

  @SignallingEvent({ event: 'setAudioOnly', policy: 'admitted', dto: AudioOnlyDto })
  async setAudioOnly(ctx: EventContext, dto: AudioOnlyDto): Promise<Data<'setAudioOnly'>> {
    await this.onPeer(ctx, { op: 'setAudioOnly', audioOnly: dto.audioOnly });
    if (ctx.state.media) ctx.state.media.audioOnly = dto.audioOnly;
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
    if (dto.availableOutgoingKbps !== undefined && ctx.state.joined?.nodeId) {
      await this.onPeer(ctx, { op: 'noteUplink', bps: dto.availableOutgoingKbps * 1000 }).catch(() => undefined);
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

  @SignallingEvent({ event: 'recordingConsent', policy: 'admitted', dto: RecordingConsentDto, rate: 'consent' })
  recordingConsent(ctx: EventContext, dto: RecordingConsentDto): Promise<Data<'recordingConsent'>> {
    return this.recording.consent({ caller: ctx.caller, session: ctx.session!, participant: ctx.participant!, socketId: ctx.socket.id, nodeId: ctx.state.joined?.nodeId }, dto);
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
    const { session, participant, access } = await this.consultations.admittedParticipant(ctx.caller, joined.sessionId);
    if (!joined.admitted) throw new DomainException(ErrorCode.NotAdmitted, 'Wait until the doctor admits you');
    ctx.session = session;
    ctx.participant = participant;
    // Host events: the consultation policy's update rule (`host`), on the session's access record.
    if (declaration.policy === 'host' && !ctx.caller.ability.can(Action.Update, subjectOf('Consultation', access))) {
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

  /**
   * An operation on the caller's own media peer, on the node holding the session's room (this instance or another):
   * every media id is looked up in that peer and nowhere else.
   */
  private onPeer(ctx: EventContext, operation: PeerOperation): Promise<unknown> {
    const joined = ctx.state.joined!;
    if (!joined.nodeId) throw new DomainException(ErrorCode.Conflict, 'Your media connection was reset: join again');
    return this.calls.api(joined.nodeId).peer(joined.sessionId, joined.participantId, ctx.socket.id, operation);
  }

  // ---- the call -----------------------------------------------------------------------------------------

  /**
   * Puts an admitted participant's socket into the call: the session's room is placed on a media node (or found
   * there), the node makes the peer, transports and consumers, and the socket joins the socket.io rooms.
   */
  private async enterCall(socket: Socket, session: ConsultationSession, participant: ConsultationParticipant): Promise<AdmittedPayload> {
    const state = stateOf(socket);
    const displayName = (await this.consultations.participantViews([participant]))[0].displayName;
    const request = {
      sessionId: session.id,
      socketId: socket.id,
      participant: { id: participant.id, userId: participant.userId, displayName },
      media: state.media ?? { audioOnly: false },
    };
    // A node that died a moment ago may still be placed: once its death is seen, the room goes to a live node.
    let nodeId = await this.calls.place(session.id);
    let result: EnterResult;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await this.calls.api(nodeId).enter(request);
        break;
      } catch (e) {
        const unreachable = e instanceof NodeUnreachable;
        if (!unreachable || attempt * 500 > this.calls.registry.ttlMs) throw e;
        await new Promise((r) => setTimeout(r, 500));
        nodeId = await this.calls.place(session.id);
      }
    }
    if (result.replacedSocketId) this.replaced(result.replacedSocketId, participant, session.id);
    state.joined = { sessionId: session.id, participantId: participant.id, admitted: true, host: session.hostId === participant.userId, nodeId };
    await socket.join([sessionRoom(session.id), participantRoom(participant.id), ...(state.joined.host ? [hostRoom(session.id)] : [])]);
    const view = (await this.consultations.participantViews([participant], new Set(result.livePeers)))[0];
    socket.to(sessionRoom(session.id)).emit('participantJoined', view);
    return this.admittedPayload(session, participant, result);
  }

  /** An older socket of the participant (on any instance) lost the media peer to a newer one. */
  private replaced(socketId: string, participant: ConsultationParticipant, sessionId: string) {
    this.ns.to(socketId).emit('participantLeft', { participantId: participant.id, userId: participant.userId, reason: 'replaced' });
    const old = this.ns.sockets.get(socketId);
    if (old) stateOf(old).joined = undefined;
    // On another instance its state stays, but the node answers its media events "reset" (the peer is not its own).
    this.ns.in(socketId).socketsLeave([sessionRoom(sessionId), participantRoom(participant.id), hostRoom(sessionId)]);
  }

  private async admittedPayload(session: ConsultationSession, participant: ConsultationParticipant, media: EnterResult): Promise<AdmittedPayload> {
    const participants = await this.consultations.participantViews(await this.participantsOf(session.id), new Set(media.livePeers));
    return {
      transports: media.transports,
      consumers: media.consumers,
      recording: media.recording,
      sessionId: session.id,
      participantId: participant.id,
      callRole: participant.callRole,
      routerRtpCapabilities: media.routerRtpCapabilities,
      producers: media.producers,
      participants,
      iceServers: this.consultations.turnFor(participant.userId).iceServers,
      session: await this.consultations.view(participant.userId, session, participant.callRole),
    };
  }

  private participantsOf(sessionId: string): Promise<ConsultationParticipant[]> {
    return this.consultations.participantsOf(sessionId);
  }

  private emitTo<E extends keyof ConsultationServerEvents>(room: string, event: E, payload: ConsultationServerEvents[E]) {
    this.ns.to(room).emit(event, payload as never);
  }

  /**
   * The room's worker died and the room was rebuilt on another worker of its node: each participant got a new peer
   * and gets `mediaReset` with the new capabilities (wherever its socket is); clients re-create transports and
   * produce again, with no admission.
   */
  private async sendMediaReset(sessionId: string, participantId: string, socketId: string, result: EnterResult) {
    const session = await this.consultations.sessionById(sessionId);
    const participant = await this.consultations.participantById(participantId);
    if (!session || !participant) return;
    this.ns.to(socketId).emit('mediaReset', await this.admittedPayload(session, participant, result));
  }

  /**
   * A media node died: every socket of this instance in a call it held enters the call again — the room is placed
   * on a live node — and gets `mediaReset`. The participants whose sockets died with the node reconnect to another
   * instance and join again by themselves (socket.io reconnection, readmitted without the host).
   */
  private async onNodeDown(nodeId: string) {
    const sockets = [...this.ns.sockets.values()].filter((s) => stateOf(s).joined?.admitted && stateOf(s).joined?.nodeId === nodeId);
    if (!sockets.length) return;
    this.logger.warn(`media node ${nodeId} is gone: moving ${sockets.length} participant(s) of its calls`);
    await Promise.all(
      sockets.map((socket) =>
        runWork(async () => {
          const joined = stateOf(socket).joined!;
          try {
            const session = await this.consultations.sessionById(joined.sessionId);
            const participant = await this.consultations.participantById(joined.participantId);
            if (!session || !participant || session.status === 'ended') return;
            const payload = await this.enterCall(socket, session, participant);
            if (socket.connected) socket.emit('mediaReset', payload);
          } catch (e) {
            this.logger.error(`session ${joined.sessionId}: could not move ${joined.participantId}: ${(e as Error).message}`);
          }
        }),
      ),
    );
  }

  /** The host admitted someone: the newest socket of theirs on this instance that waits in that session enters. */
  private async onAdmitted(sessionId: string, participant: ParticipantView) {
    const sockets = [...this.ns.sockets.values()].filter((s) => s.rooms.has(participantRoom(participant.id)) && stateOf(s).joined?.sessionId === sessionId);
    if (!sockets.length) return;
    await runWork(async () => {
      const session = await this.consultations.sessionById(sessionId);
      const row = await this.consultations.participantById(participant.id);
      if (!session || !row) return;
      const socket = sockets[sockets.length - 1];
      try {
        const payload = await this.enterCall(socket, session, row);
        socket.emit('admitted', payload);
      } catch (e) {
        this.logger.error(`session ${sessionId}: admitting ${participant.id} failed: ${(e as Error).message}`);
      }
    });
  }

  /** Once, on the instance where the host declined: the media peer goes, the others are told. */
  private async onDeclinedHere(sessionId: string, participant: ParticipantView, _reason: string | null) {
    const nodeId = await this.calls.registry.placementOf(sessionId);
    const { hadPeer } = nodeId ? await this.calls.api(nodeId).remove(sessionId, participant.id).catch(() => ({ hadPeer: false })) : { hadPeer: false };
    if (hadPeer) this.emitTo(sessionRoom(sessionId), 'participantLeft', { participantId: participant.id, userId: participant.userId, reason: 'declined' });
  }

  /** On every instance: the declined participant's sockets here are told and leave the session. */
  private onDeclinedLocally(sessionId: string, participant: ParticipantView, reason: string | null) {
    for (const socket of this.ns.sockets.values()) {
      if (!socket.rooms.has(participantRoom(participant.id))) continue;
      socket.emit('declined', { sessionId, reason });
      stateOf(socket).joined = undefined;
      for (const r of [...socket.rooms]) if (this.isCallRoom(r)) void socket.leave(r);
    }
  }

  private isCallRoom(room: string): boolean {
    return room.startsWith('session:') || room.startsWith('participant:') || room.startsWith('host:');
  }

  /** On every instance: this instance's sockets of the session are told and leave; `origin` also closes the room. */
  private async onEnded(sessionId: string, record: ConsultationServerEvents['sessionEnded']['record'], origin: boolean) {
    const rooms = [sessionRoom(sessionId), ...record.participants.map((p) => participantRoom(p.id))];
    for (const socket of this.ns.sockets.values()) {
      if (!rooms.some((r) => socket.rooms.has(r))) continue;
      socket.emit('sessionEnded', { sessionId, record });
      stateOf(socket).joined = undefined;
      for (const r of [...socket.rooms]) if (this.isCallRoom(r)) void socket.leave(r);
    }
    if (origin) await runWork(() => this.calls.end(sessionId)).catch((e: Error) => this.logger.warn(`ending ${sessionId}: ${e.message}`));
  }

  /** A socket leaves its session (leave event or disconnect): the participant stays admitted and may come back. */
  private async detach(socket: Socket, reason: 'left' | 'disconnected') {
    const state = stateOf(socket);
    const joined = state.joined;
    if (!joined) return;
    state.joined = undefined;
    let holdsPeer = false;
    if (joined.admitted && joined.nodeId) {
      // A node that cannot be reached took the peer with it: the participant left all the same.
      holdsPeer = await this.calls
        .api(joined.nodeId)
        .leave(joined.sessionId, joined.participantId, socket.id)
        .then((r) => r.heldPeer, () => true);
    }
    if (socket.connected) for (const r of [...socket.rooms]) if (this.isCallRoom(r)) await socket.leave(r);
    if (!joined.admitted || holdsPeer) {
      await this.consultations.markLeft(joined.participantId);
      const target = joined.admitted ? sessionRoom(joined.sessionId) : hostRoom(joined.sessionId);
      this.emitTo(target, 'participantLeft', { participantId: joined.participantId, userId: state.userId, reason });
    }
  }
}
