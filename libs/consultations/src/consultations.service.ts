import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, CallerContext, caseScopeOf, consultationRecordOf, ConsultationRule, consultationScopeOf, isOwnMission, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { caseReference, CasesService } from '@hub/cases';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { NotificationsService } from '@hub/notifications';
import type {
  CallRole,
  ChatMessageView,
  ConsultationRecordView,
  ConsultationSessionView,
  CreatedInvitation,
  InvitationView,
  ParticipantView,
  QualityFigures,
  StatsReport,
  TurnCredentialsView,
} from '@hub/contracts';
import { ConsultationEvents } from './consultation-events';
import { ConsultationsRepository } from './consultations.repository';
import { CreateConsultationDto, CreateInvitationDto } from './dto/consultation.dto';
import { ConsultationInvitation } from './entities/consultation-invitation.entity';
import { ConsultationParticipant, EMPTY_QUALITY, QualityAccumulator } from './entities/consultation-participant.entity';
import { ConsultationSession } from './entities/consultation-session.entity';
import { turnCredentials } from './turn-credentials';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Outcome of `join`: where the caller now stands in the session. */
export interface JoinOutcome {
  session: ConsultationSession;
  participant: ConsultationParticipant;
  status: 'waiting' | 'admitted';
  /** An admitted participant coming back after a drop (no host action needed). */
  rejoined: boolean;
}

/**
 * Live consultation use cases: sessions, who may join, the waiting room, invitations, TURN credentials and the
 * session record. Shared by the REST controller and the signalling gateway; the gateway owns the live sockets and
 * the media room, this service owns what is stored.
 */
/** A refused join, audited as `consultation.join` denied (by the DenialRecorder, after the transaction). */
function joinDenial(s: ConsultationSession, reason: string) {
  return { action: 'consultation.join', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { reason } };
}

@Injectable()
export class ConsultationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: ConsultationEvents,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: ConsultationsRepository,
    private readonly records: RecordAccess,
  ) {}

  // ---- sessions ------------------------------------------------------------------------------------------

  async create(caller: CallerContext, dto: CreateConsultationDto): Promise<ConsultationSessionView> {
    const userId = caller.principal.userId;
    const scheduledAt = dto.scheduledAt ? new Date(dto.scheduledAt) : null;
    const session = await this.dataSource.transaction(async (m) => {
      let missionId: string;
      let hostId: string;
      // A sensitive (mental-health) case's call is audio-only by default, as a booked session is.
      let audioOnlyDefault = false;
      if (dto.caseId) {
        if (dto.missionId) throw DomainException.invalid('missionId', 'give either caseId or missionId, not both');
        const c = await this.cases.load(caller, Action.Read, dto.caseId, m, true);
        // The consultation policy's `case-clinic` and `case-specialist` rules (derived from the case's refer and
        // assigned-doctor rules), on the session this would start.
        const call = consultationRecordOf({ id: null, missionId: c.missionId, caseId: c.id, hostId: c.assignedDoctorId ?? '', participantIds: [], invitedParticipantIds: [], invitedUserIds: [] }, { ...c });
        if (!caller.ability.can(Action.Create, subjectOf('Consultation', call))) {
          throw new DomainException(ErrorCode.Forbidden, 'Only the case’s clinic staff and its accepted reference doctor can start a call about it');
        }
        if (!c.assignedDoctorId) throw DomainException.conflict('A call needs a reference doctor: the case has not been accepted yet', 'case_not_accepted');
        if (['closed', 'cancelled', 'draft'].includes(c.status)) throw DomainException.conflict(`The case is ${c.status}; no call can be started`, 'case_no_call', { status: c.status });
        // One open call per case: asking again returns it.
        const open = await m.getRepository(ConsultationSession).findOne({ where: { caseId: c.id, status: In(['waiting', 'live']) }, order: { createdAt: 'DESC' } });
        if (open) return open;
        missionId = c.missionId;
        hostId = c.assignedDoctorId;
        audioOnlyDefault = c.sensitive;
      } else {
        if (!dto.missionId) throw DomainException.invalid('missionId', 'a session without a case needs its mission');
        // The consultation policy's `mission-doctor` rule: a reference doctor of the mission, hosting it.
        const planned = consultationRecordOf({ id: null, missionId: dto.missionId, caseId: null, hostId: userId, participantIds: [], invitedParticipantIds: [], invitedUserIds: [] }, null);
        if (!caller.ability.can(Action.Create, subjectOf('Consultation', planned))) {
          if (!isOwnMission(caller.principal, dto.missionId)) throw DomainException.notFound('Mission');
          throw new DomainException(ErrorCode.Forbidden, 'Only a reference doctor of the mission can schedule a session without a case');
        }
        if (!scheduledAt) throw DomainException.invalid('scheduledAt', 'a session without a case needs its time');
        missionId = dto.missionId;
        hostId = userId;
      }
      const s = await m.getRepository(ConsultationSession).save(
        m.create(ConsultationSession, { missionId, caseId: dto.caseId ?? null, title: dto.title ?? null, scheduledAt, hostId, createdById: userId, status: 'waiting', audioOnlyDefault }),
      );
      await this.audit.record({ ...actorOf(caller), action: 'consultation.create', outcome: 'success', missionId, subjectType: 'Consultation', subjectId: s.id, details: { caseId: s.caseId, scheduledAt: scheduledAt?.toISOString() ?? null } }, m);
      return s;
    });
    return this.view(caller.principal.userId, session, await this.rightOf(caller, session));
  }

  /** Sessions the caller hosts, takes part in, or is invited to by name, not ended (newest first). */
  async mine(caller: CallerContext): Promise<ConsultationSessionView[]> {
    const userId = caller.principal.userId;
    const rows = await this.sessions.mine(consultationScopeOf(caller.principal), 50);
    return Promise.all(rows.map(async (s) => this.view(userId, s, await this.rightOf(caller, s))));
  }

  async get(caller: CallerContext, id: string): Promise<ConsultationSessionView> {
    const { session, access } = await this.loadVisible(caller, id);
    return this.view(caller.principal.userId, session, await this.roleIn(caller, access));
  }

  /** The sessions of a case, with their records: what the case page shows (to whoever may read the case). */
  async forCase(caller: CallerContext, caseId: string): Promise<ConsultationRecordView[]> {
    const c = await this.cases.load(caller, Action.Read, caseId);
    const sessions = await this.sessions.forCase(caseScopeOf(caller.principal), c.id);
    await this.audit.record({ ...actorOf(caller), action: 'consultation.list_for_case', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: c.id, details: { count: sessions.length } });
    return Promise.all(sessions.map((s) => this.record(s)));
  }

  // ---- who may join ---------------------------------------------------------------------------------------

  /**
   * The caller's right to be in a session, without an invitation token: the consultation policy's join rules (host,
   * case-clinic, case-specialist, invited-participant, invited-user), checked by the CASL ability on the session's
   * access record. Null when none allows it.
   */
  async rightOf(caller: CallerContext, s: ConsultationSession, m: EntityManager = this.dataSource.manager): Promise<CallRole | null> {
    const access = await this.sessions.accessOf(consultationScopeOf(caller.principal), s.id, m);
    return access ? this.roleIn(caller, access, m) : null;
  }

  /** The caller's place in the call, by the rule that lets them join; null when none does. */
  private async roleIn(caller: CallerContext, access: Record<string, unknown>, m: EntityManager = this.dataSource.manager): Promise<CallRole | null> {
    if (!caller.ability.can(Action.Join, subjectOf('Consultation', access))) return null;
    const scope = consultationScopeOf(caller.principal);
    const by = (rule: string) => scope.matches(access, { action: Action.Join, only: [rule] });
    if (by(ConsultationRule.Host)) return 'host';
    if (by(ConsultationRule.CaseClinic)) return 'clinic';
    if (by(ConsultationRule.CaseSpecialist)) return 'specialist';
    const sessionId = access.id as string;
    const userId = caller.principal.userId;
    if (by(ConsultationRule.InvitedParticipant)) {
      const p = await m.getRepository(ConsultationParticipant).findOneBy({ sessionId, userId });
      if (p) return p.callRole;
    }
    // Named by an invitation: the role of the newest one still open.
    const named = await m
      .getRepository(ConsultationInvitation)
      .createQueryBuilder('i')
      .where('i.session_id = :sessionId AND i.invited_user_id = :userId AND i.revoked_at IS NULL AND i.expires_at > now()', { sessionId, userId })
      .orderBy('i.created_at', 'DESC')
      .getOne();
    return named?.callRole ?? null;
  }

  /**
   * `join`: the host is admitted at once (and the session goes live); anyone else with a right waits for the host,
   * unless already admitted earlier (a dropped socket, a reload): then they are back in without the host. An invitee
   * presents the token; everyone else is refused (another mission's session: not found).
   */
  async join(caller: CallerContext, sessionId: string, invitationToken?: string): Promise<JoinOutcome> {
    const now = this.clock.now();
    const outcome = await this.dataSource.transaction(async (m) => {
      const s = await m.getRepository(ConsultationSession).findOne({ where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!s) throw DomainException.notFound('Consultation');
      let role = await this.rightOf(caller, s, m);
      let invitation: ConsultationInvitation | null = null;
      if (!role && invitationToken) {
        invitation = await m.getRepository(ConsultationInvitation).findOneBy({ tokenHash: sha256(invitationToken), sessionId: s.id });
        if (invitation && (invitation.revokedAt || (invitation.invitedUserId && invitation.invitedUserId !== caller.principal.userId) || (invitation.usedById && invitation.usedById !== caller.principal.userId))) {
          invitation = null;
        }
        if (invitation && invitation.expiresAt <= now) {
          throw new DomainException(ErrorCode.InvitationExpired, 'This invitation has expired; ask the doctor for a new one').deniedOn(joinDenial(s, 'invitation expired'));
        }
        role = invitation?.callRole ?? null;
      }
      if (!role) {
        const sameMission = isOwnMission(caller.principal, s.missionId);
        // Audited by the DenialRecorder once this transaction has ended (never on a second connection from here).
        if (!sameMission) throw DomainException.notFound('Consultation').deniedOn(joinDenial(s, 'no right to join'));
        throw new DomainException(ErrorCode.Forbidden, 'You are not part of this consultation: only the case’s clinic staff, its reference doctor and people the doctor invited can join').deniedOn(joinDenial(s, 'no right to join'));
      }
      if (s.status === 'ended') throw new DomainException(ErrorCode.SessionEnded, 'This consultation has ended');

      const repo = m.getRepository(ConsultationParticipant);
      let p = await repo.findOneBy({ sessionId: s.id, userId: caller.principal.userId });
      let rejoined = false;
      if (!p) {
        p = repo.create({ sessionId: s.id, userId: caller.principal.userId, callRole: role, state: 'waiting', invitationId: invitation?.id ?? null, quality: { ...EMPTY_QUALITY } });
      } else if (p.state === 'admitted') {
        rejoined = !!p.admittedAt && role !== 'host';
        if (rejoined) p.reconnectCount += 1;
      } else if (p.state === 'declined' || p.state === 'left') {
        p.state = 'waiting'; // knocks again; the host decides again
      }
      if (invitation && !invitation.usedById) {
        invitation.usedById = caller.principal.userId;
        invitation.usedAt = now;
        await m.getRepository(ConsultationInvitation).save(invitation);
        p.invitationId = invitation.id;
      }
      if (role === 'host') {
        p.callRole = 'host';
        if (p.state !== 'admitted') {
          p.state = 'admitted';
          p.admittedAt = now;
          p.admittedById = caller.principal.userId;
        }
        if (s.status === 'waiting') {
          s.status = 'live';
          s.startedAt = s.startedAt ?? now;
          await m.getRepository(ConsultationSession).save(s);
          await this.audit.record({ ...actorOf(caller), action: 'consultation.start', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id }, m);
        }
      }
      p.leftAt = null;
      p = await repo.save(p);
      await this.audit.record(
        { ...actorOf(caller), action: 'consultation.join', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { participantId: p.id, callRole: p.callRole, state: p.state, rejoined, invitationId: invitation?.id ?? null } },
        m,
      );
      return { session: s, participant: p, status: p.state === 'admitted' ? 'admitted' : 'waiting', rejoined } as JoinOutcome;
    });
    return outcome;
  }

  /** Tells the host (a stored, pushed notification) that someone waits while the host is not in the call. */
  async notifyHostOfWaiting(s: ConsultationSession, displayName: string): Promise<void> {
    const where = s.caseId ? ` about ${caseReference(s.caseId)}` : s.title ? ` (${s.title.slice(0, 80)})` : '';
    const saved = await this.notifications.record(
      [s.hostId],
      {
        kind: 'consultation.waiting',
        code: s.caseId ? 'consultation.waiting_case' : s.title ? 'consultation.waiting_titled' : 'consultation.waiting',
        params: { name: displayName.slice(0, 120), ...(s.caseId ? { reference: caseReference(s.caseId) } : {}), ...(s.title ? { title: s.title.slice(0, 80) } : {}) },
        caseId: s.caseId,
        text: `${displayName.slice(0, 120)} is waiting in the consultation${where}` },
      this.dataSource.manager,
    );
    this.notifications.publish(saved);
  }

  /** Host only: let a waiting participant in. */
  async admit(caller: CallerContext, sessionId: string, participantId: string): Promise<ParticipantView> {
    const view = await this.decide(caller, sessionId, participantId, 'admitted', null);
    this.events.emit('admitted', { sessionId, participant: view });
    return view;
  }

  /** Host only: turn a waiting (or admitted) participant away. */
  async decline(caller: CallerContext, sessionId: string, participantId: string, reason: string | null): Promise<ParticipantView> {
    const view = await this.decide(caller, sessionId, participantId, 'declined', reason);
    this.events.emit('declined', { sessionId, participant: view, reason });
    return view;
  }

  private async decide(caller: CallerContext, sessionId: string, participantId: string, to: 'admitted' | 'declined', reason: string | null): Promise<ParticipantView> {
    const p = await this.dataSource.transaction(async (m) => {
      const s = await this.loadAsHost(caller, sessionId, m);
      const p = await m.getRepository(ConsultationParticipant).findOne({ where: { id: participantId, sessionId: s.id }, lock: { mode: 'pessimistic_write' } });
      if (!p) throw DomainException.notFound('Participant');
      if (p.userId === s.hostId) throw DomainException.conflict('The host is always in the call', 'host_always_in_call');
      if (to === 'admitted' && p.state === 'admitted') return p;
      const now = this.clock.now();
      if (to === 'admitted') Object.assign(p, { state: 'admitted', admittedAt: now, admittedById: caller.principal.userId, declinedAt: null, declineReason: null });
      else Object.assign(p, { state: 'declined', declinedAt: now, declineReason: reason });
      await m.getRepository(ConsultationParticipant).save(p);
      await this.audit.record(
        { ...actorOf(caller), action: to === 'admitted' ? 'consultation.admit' : 'consultation.decline', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { participantId: p.id, userId: p.userId } },
        m,
      );
      return p;
    });
    return (await this.participantViews([p]))[0];
  }

  // ---- invitations ----------------------------------------------------------------------------------------

  async invite(caller: CallerContext, sessionId: string, dto: CreateInvitationDto): Promise<CreatedInvitation> {
    const token = randomBytes(24).toString('base64url');
    const inv = await this.dataSource.transaction(async (m) => {
      const s = await this.loadAsHost(caller, sessionId, m);
      if (s.status === 'ended') throw new DomainException(ErrorCode.SessionEnded, 'This consultation has ended');
      if (dto.userId) {
        // Only someone working in the session's mission (directly or at a facility serving it) can be named.
        const [u] = await m.query(
          `SELECT u.id FROM users u WHERE u.id = $1 AND u.active AND EXISTS (
             SELECT 1 FROM memberships ms WHERE ms.user_id = u.id AND (ms.mission_id = $2 OR EXISTS (
               SELECT 1 FROM facility_missions fm WHERE fm.facility_id = ms.facility_id AND fm.mission_id = $2)))`,
          [dto.userId, s.missionId],
        );
        if (!u) throw new DomainException(ErrorCode.NotFound, 'userId: user not found', [{ field: 'userId', problems: ['user not found'] }]);
      }
      const inv = await m.getRepository(ConsultationInvitation).save(
        m.create(ConsultationInvitation, {
          sessionId: s.id,
          callRole: dto.callRole,
          invitedUserId: dto.userId ?? null,
          tokenHash: sha256(token),
          expiresAt: new Date(this.clock.now().getTime() + (dto.expiresInMinutes ?? 60) * 60_000),
          createdById: caller.principal.userId,
        }),
      );
      await this.audit.record(
        { ...actorOf(caller), action: 'consultation.invite', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { invitationId: inv.id, callRole: inv.callRole, invitedUserId: inv.invitedUserId, expiresAt: inv.expiresAt.toISOString() } },
        m,
      );
      return inv;
    });
    return { ...invitationView(inv), token, joinPath: `/consultations/${sessionId}?invitation=${encodeURIComponent(token)}` };
  }

  /**
   * Host only: revoke an invitation. Its link stops working, and whoever it let in loses the right at once (their
   * participant is declined and their sockets leave the room).
   */
  async revokeInvitation(caller: CallerContext, sessionId: string, invitationId: string): Promise<InvitationView> {
    const { inv, declined } = await this.dataSource.transaction(async (m) => {
      const s = await this.loadAsHost(caller, sessionId, m);
      const inv = await m.getRepository(ConsultationInvitation).findOne({ where: { id: invitationId, sessionId: s.id }, lock: { mode: 'pessimistic_write' } });
      if (!inv) throw DomainException.notFound('Invitation');
      if (!inv.revokedAt) {
        inv.revokedAt = this.clock.now();
        await m.getRepository(ConsultationInvitation).save(inv);
      }
      const admitted = await m.getRepository(ConsultationParticipant).find({ where: { sessionId: s.id, invitationId: inv.id } });
      const declined: ConsultationParticipant[] = [];
      for (const p of admitted) {
        if (p.state === 'declined' || p.userId === s.hostId) continue;
        Object.assign(p, { state: 'declined', declinedAt: this.clock.now(), declineReason: 'invitation revoked' });
        declined.push(await m.getRepository(ConsultationParticipant).save(p));
      }
      await this.audit.record(
        { ...actorOf(caller), action: 'consultation.invitation_revoked', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { invitationId: inv.id, participants: declined.map((p) => p.id) } },
        m,
      );
      return { inv, declined };
    });
    for (const view of await this.participantViews(declined)) this.events.emit('declined', { sessionId, participant: view, reason: 'invitation revoked' });
    return invitationView(inv);
  }

  // ---- in the call ----------------------------------------------------------------------------------------

  /** The admitted participant of the caller in the session, or NOT_ADMITTED / not found. */
  async admittedParticipant(
    caller: CallerContext,
    sessionId: string,
  ): Promise<{ session: ConsultationSession; participant: ConsultationParticipant; access: Record<string, unknown> }> {
    const found = await this.sessions.load(consultationScopeOf(caller.principal), sessionId);
    if (!found) throw DomainException.notFound('Consultation');
    const { session: s, access } = found;
    const p = await this.dataSource.getRepository(ConsultationParticipant).findOneBy({ sessionId, userId: caller.principal.userId });
    if (!p) {
      if (!isOwnMission(caller.principal, s.missionId)) throw DomainException.notFound('Consultation');
      throw new DomainException(ErrorCode.NotAdmitted, 'Join the consultation first');
    }
    if (s.status === 'ended') throw new DomainException(ErrorCode.SessionEnded, 'This consultation has ended');
    if (p.state !== 'admitted') throw new DomainException(ErrorCode.NotAdmitted, p.state === 'declined' ? 'The doctor declined your request to join' : 'Wait until the doctor admits you');
    // The right is checked again: a clinic member moved elsewhere, or a case handed over, loses it.
    if (!caller.ability.can(Action.Join, subjectOf('Consultation', access))) throw new DomainException(ErrorCode.Forbidden, 'You are no longer part of this consultation');
    return { session: s, participant: p, access };
  }

  /** TURN credentials, only for an admitted participant of a session that has not ended. */
  async turn(caller: CallerContext, sessionId: string): Promise<TurnCredentialsView> {
    await this.admittedParticipant(caller, sessionId);
    return this.turnFor(caller.principal.userId);
  }

  turnFor(userId: string): TurnCredentialsView {
    return turnCredentials(this.config.turn, userId, this.clock.now().getTime());
  }

  /**
   * Chat: kept in the case thread for a case's session; for a session without a case, or whose patient did not
   * consent to keeping it (`chatInThread` false: mental-health sessions), only relayed to those in the call.
   */
  async chat(caller: CallerContext, s: ConsultationSession, body: string): Promise<ChatMessageView> {
    const base = { sessionId: s.id, caseId: s.caseId, authorId: caller.principal.userId, authorName: caller.principal.displayName, body, kept: !!s.caseId && s.chatInThread };
    if (!s.caseId || !s.chatInThread) return { ...base, id: randomBytes(12).toString('hex'), createdAt: this.clock.now().toISOString() };
    const saved = await this.cases.addConsultationChat(actorOf(caller), s.caseId, body, s.id);
    return { ...base, id: saved.id, createdAt: saved.createdAt.toISOString() };
  }

  /** Folds a client stats report into the participant's running figures. */
  async recordStats(participantId: string, report: StatsReport): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const p = await m.getRepository(ConsultationParticipant).findOne({ where: { id: participantId }, lock: { mode: 'pessimistic_write' } });
      if (!p) return;
      p.quality = accumulate(p.quality ?? { ...EMPTY_QUALITY }, report);
      await m.getRepository(ConsultationParticipant).update({ id: p.id }, { quality: p.quality });
    });
  }

  /** The participant's socket went away (left, dropped): they stay admitted and may come back by themselves. */
  async markLeft(participantId: string): Promise<void> {
    await this.dataSource.getRepository(ConsultationParticipant).update({ id: participantId }, { leftAt: this.clock.now() });
  }

  /** Host only: ends the call for everyone and writes the record. */
  async end(caller: CallerContext, sessionId: string): Promise<ConsultationRecordView> {
    const s = await this.dataSource.transaction(async (m) => {
      const s = await this.loadAsHost(caller, sessionId, m);
      if (s.status === 'ended') throw new DomainException(ErrorCode.SessionEnded, 'This consultation has already ended');
      const now = this.clock.now();
      const participants = await m.getRepository(ConsultationParticipant).findBy({ sessionId: s.id });
      for (const p of participants) if (!p.leftAt) await m.getRepository(ConsultationParticipant).update({ id: p.id }, { leftAt: now });
      s.status = 'ended';
      s.endedAt = now;
      s.startedAt = s.startedAt ?? now;
      s.quality = figures(merge(participants.filter((p) => p.state === 'admitted').map((p) => p.quality ?? EMPTY_QUALITY)));
      await m.getRepository(ConsultationSession).save(s);
      await this.audit.record(
        { ...actorOf(caller), action: 'consultation.end', outcome: 'success', missionId: s.missionId, subjectType: 'Consultation', subjectId: s.id, details: { durationSeconds: Math.round((now.getTime() - s.startedAt.getTime()) / 1000), participants: participants.filter((p) => p.admittedAt).length } },
        m,
      );
      return s;
    });
    const record = await this.record(s);
    this.events.emit('ended', { sessionId: s.id, record });
    return record;
  }

  // ---- views ----------------------------------------------------------------------------------------------

  async view(userId: string, s: ConsultationSession, right: CallRole | null): Promise<ConsultationSessionView> {
    const participants = await this.dataSource.getRepository(ConsultationParticipant).find({ where: { sessionId: s.id }, order: { createdAt: 'ASC' } });
    const [host] = await this.dataSource.query('SELECT display_name FROM users WHERE id = $1', [s.hostId]);
    return {
      id: s.id,
      missionId: s.missionId,
      caseId: s.caseId,
      caseReference: s.caseId ? caseReference(s.caseId) : null,
      title: s.title,
      status: s.status,
      scheduledAt: s.scheduledAt?.toISOString() ?? null,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      hostId: s.hostId,
      hostName: host?.display_name ?? '',
      createdAt: s.createdAt.toISOString(),
      participants: await this.participantViews(participants),
      audioOnlyDefault: s.audioOnlyDefault,
      chatInThread: !!s.caseId && s.chatInThread,
      canJoin: s.status !== 'ended' && !!right,
      isHost: s.hostId === userId,
    };
  }

  async participantViews(ps: ConsultationParticipant[], connected: Set<string> = new Set()): Promise<ParticipantView[]> {
    const ids = [...new Set(ps.map((p) => p.userId))];
    const rows: { id: string; display_name: string }[] = ids.length ? await this.dataSource.query('SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])', [ids]) : [];
    const names = new Map(rows.map((r) => [r.id, r.display_name]));
    return ps.map((p) => ({
      id: p.id,
      userId: p.userId,
      displayName: names.get(p.userId) ?? '',
      callRole: p.callRole,
      state: p.state,
      connected: connected.has(p.id),
      admittedAt: p.admittedAt?.toISOString() ?? null,
      leftAt: p.leftAt?.toISOString() ?? null,
      reconnectCount: p.reconnectCount,
    }));
  }

  async record(s: ConsultationSession): Promise<ConsultationRecordView> {
    const participants = await this.dataSource.getRepository(ConsultationParticipant).find({ where: { sessionId: s.id }, order: { createdAt: 'ASC' } });
    const views = await this.participantViews(participants);
    const [host] = await this.dataSource.query('SELECT display_name FROM users WHERE id = $1', [s.hostId]);
    return {
      sessionId: s.id,
      caseId: s.caseId,
      status: s.status,
      scheduledAt: s.scheduledAt?.toISOString() ?? null,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      durationSeconds: s.startedAt && s.endedAt ? Math.round((s.endedAt.getTime() - s.startedAt.getTime()) / 1000) : null,
      hostId: s.hostId,
      hostName: host?.display_name ?? '',
      participants: views.map((v, i) => ({ ...v, quality: figures(participants[i].quality ?? EMPTY_QUALITY) })),
      quality: s.quality ?? figures(merge(participants.map((p) => p.quality ?? EMPTY_QUALITY))),
    };
  }

  // ---- loading --------------------------------------------------------------------------------------------

  /** Unchecked reads for the signalling layer, which has checked the caller already. */
  sessionById(id: string): Promise<ConsultationSession | null> {
    return this.dataSource.getRepository(ConsultationSession).findOneBy({ id });
  }

  participantById(id: string): Promise<ConsultationParticipant | null> {
    return this.dataSource.getRepository(ConsultationParticipant).findOneBy({ id });
  }

  participantsOf(sessionId: string): Promise<ConsultationParticipant[]> {
    return this.dataSource.getRepository(ConsultationParticipant).find({ where: { sessionId }, order: { createdAt: 'ASC' } });
  }

  /** A session the caller may read (the policy's read rules: a right to join, or a place in it): otherwise not found. */
  private async loadVisible(caller: CallerContext, id: string): Promise<{ session: ConsultationSession; access: Record<string, unknown> }> {
    const found = await this.sessions.load(consultationScopeOf(caller.principal), id);
    await this.records.assert(caller, Action.Read, 'Consultation', found?.access, { id, missionId: found?.session.missionId ?? null });
    return found!;
  }

  /** The session, for its host only (the policy's update rule): others who may join it or work in its mission get 403, everyone else 404. */
  private async loadAsHost(caller: CallerContext, id: string, m: EntityManager): Promise<ConsultationSession> {
    const found = await this.sessions.load(consultationScopeOf(caller.principal), id, m, true);
    if (!found) throw DomainException.notFound('Consultation');
    const subject = subjectOf('Consultation', found.access);
    if (caller.ability.can(Action.Update, subject)) return found.session;
    if (caller.ability.can(Action.Join, subject) || isOwnMission(caller.principal, found.session.missionId)) {
      throw new DomainException(ErrorCode.Forbidden, 'Only the doctor hosting the consultation can do this');
    }
    throw DomainException.notFound('Consultation');
  }
}

export function invitationView(i: ConsultationInvitation): InvitationView {
  return {
    id: i.id,
    sessionId: i.sessionId,
    callRole: i.callRole,
    invitedUserId: i.invitedUserId,
    expiresAt: i.expiresAt.toISOString(),
    usedAt: i.usedAt?.toISOString() ?? null,
    revokedAt: i.revokedAt?.toISOString() ?? null,
    createdAt: i.createdAt.toISOString(),
  };
}

// ---- quality figures (pure) ---------------------------------------------------------------------------------

export function accumulate(q: QualityAccumulator, r: StatsReport): QualityAccumulator {
  const next = { ...EMPTY_QUALITY, ...q, samples: (q.samples ?? 0) + 1 };
  if (r.inboundBitrateKbps !== undefined) {
    next.bitrateSum += r.inboundBitrateKbps;
    next.bitrateSamples += 1;
    next.minBitrate = next.minBitrate === null ? r.inboundBitrateKbps : Math.min(next.minBitrate, r.inboundBitrateKbps);
  }
  if (r.packetLoss !== undefined) {
    next.lossSum += r.packetLoss;
    next.lossSamples += 1;
    next.worstLoss = next.worstLoss === null ? r.packetLoss : Math.max(next.worstLoss, r.packetLoss);
  }
  if (r.rttMs !== undefined) {
    next.rttSum += r.rttMs;
    next.rttSamples += 1;
    next.worstRtt = next.worstRtt === null ? r.rttMs : Math.max(next.worstRtt, r.rttMs);
  }
  return next;
}

export function merge(qs: QualityAccumulator[]): QualityAccumulator {
  const worst = (a: number | null, b: number | null, pick: (x: number, y: number) => number) => (a === null ? b : b === null ? a : pick(a, b));
  return qs.reduce<QualityAccumulator>(
    (acc, q) => ({
      samples: acc.samples + (q.samples ?? 0),
      bitrateSum: acc.bitrateSum + (q.bitrateSum ?? 0),
      bitrateSamples: acc.bitrateSamples + (q.bitrateSamples ?? 0),
      minBitrate: worst(acc.minBitrate, q.minBitrate ?? null, Math.min),
      lossSum: acc.lossSum + (q.lossSum ?? 0),
      lossSamples: acc.lossSamples + (q.lossSamples ?? 0),
      worstLoss: worst(acc.worstLoss, q.worstLoss ?? null, Math.max),
      rttSum: acc.rttSum + (q.rttSum ?? 0),
      rttSamples: acc.rttSamples + (q.rttSamples ?? 0),
      worstRtt: worst(acc.worstRtt, q.worstRtt ?? null, Math.max),
    }),
    { ...EMPTY_QUALITY },
  );
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function figures(q: QualityAccumulator): QualityFigures {
  return {
    samples: q.samples,
    avgBitrateKbps: q.bitrateSamples ? round(q.bitrateSum / q.bitrateSamples, 1) : null,
    minBitrateKbps: q.minBitrate,
    avgLoss: q.lossSamples ? round(q.lossSum / q.lossSamples, 4) : null,
    worstLoss: q.worstLoss,
    avgRttMs: q.rttSamples ? round(q.rttSum / q.rttSamples, 1) : null,
    worstRttMs: q.worstRtt,
  };
}
