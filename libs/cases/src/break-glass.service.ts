import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Action, actorOf, breakGlassMissionsOf, CallerContext, CASE_RULE_HOLDERS_SQL, CaseRule, clinicalScopeOf, emergencyGrantFor, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException } from '@hub/common';
import { BREAK_GLASS_REASON_MIN, BreakGlassGrantView } from '@hub/contracts';
import { Mission } from '@hub/identity';
import { Notification, NotificationsService } from '@hub/notifications';
import { caseReference, CasesRepository } from './cases.repository';
import { BreakGlassListQuery, BreakGlassReviewDto, OpenBreakGlassDto } from './dto/break-glass.dto';
import { BreakGlassGrant } from './entities/break-glass-grant.entity';

interface Row {
  id: string;
  case_id: string;
  mission_id: string;
  user_id: string;
  user_name: string | null;
  reason: string;
  started_at: Date;
  expires_at: Date;
  review_state: BreakGlassGrantView['reviewState'];
  review_note: string | null;
  reviewed_at: Date | null;
  reviewed_by_name: string | null;
}

const SELECT = `SELECT g.id, g.case_id, g.mission_id, g.user_id, u.display_name AS user_name, g.reason, g.started_at, g.expires_at,
         g.review_state, g.review_note, g.reviewed_at, r.display_name AS reviewed_by_name
    FROM break_glass_grants g LEFT JOIN users u ON u.id = g.user_id LEFT JOIN users r ON r.id = g.reviewed_by_id`;

/**
 * Break-the-glass (docs/security-model.md): a clinician opens one case of their mission outside their normal scope,
 * stating a reason, for the mission's `breakGlassMinutes`. The grant itself is only a row: the principal resolver
 * loads the running ones and the case policy's `emergency-access` rule turns them into read access, so record checks,
 * lists and the case page honour it alike, and it ends by itself at `expiresAt` (injected Clock). Health managers
 * of the mission review each grant (accept, or flag with a note). Every step is audited with the reason.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notifications: NotificationsService,
  ) {}

  async open(caller: CallerContext, caseId: string, dto: OpenBreakGlassDto): Promise<BreakGlassGrantView> {
    const reason = dto.reason.trim();
    if (reason.length < BREAK_GLASS_REASON_MIN) throw DomainException.invalid('reason', `reason must state why, in at least ${BREAK_GLASS_REASON_MIN} characters`);
    const p = caller.principal;
    let told: Notification[] = [];
    const view = await this.dataSource.transaction(async (manager) => {
      const c = await this.cases.findById(caseId, manager);
      if (c && caller.ability.can(Action.Read, subjectOf('Case', c))) {
        const running = emergencyGrantFor(p, { ...c });
        if (running) return this.one(running.id, manager);
        throw DomainException.conflict('You can read this case already; no emergency access is needed', 'break_glass_not_needed');
      }
      // Never across missions, never for a sensitive case (it stays with its treating clinician and referring
      // officer: the engine's sensitive-record restriction would refuse the read anyway), never for a non-clinician.
      if (!c || c.sensitive || !breakGlassMissionsOf(p).includes(c.missionId)) {
        throw DomainException.notFound('Case').deniedOn({
          action: 'case.break_glass',
          missionId: c?.missionId ?? null,
          subjectType: 'Case',
          subjectId: caseId,
          details: { attempted: 'break_glass' },
        });
      }
      // One grant per (user, case) at a time, even for two simultaneous requests.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`break-glass:${p.userId}:${caseId}`]);
      const now = this.clock.now();
      const existing = await manager
        .getRepository(BreakGlassGrant)
        .createQueryBuilder('g')
        .where('g.user_id = :u AND g.case_id = :c AND g.started_at <= :now AND g.expires_at > :now', { u: p.userId, c: caseId, now })
        .getOne();
      if (existing) return this.one(existing.id, manager);
      const mission = await manager.getRepository(Mission).findOneByOrFail({ id: c.missionId });
      const grant = await manager.getRepository(BreakGlassGrant).save(
        manager.create(BreakGlassGrant, {
          userId: p.userId,
          caseId,
          missionId: c.missionId,
          reason,
          startedAt: now,
          expiresAt: new Date(now.getTime() + mission.breakGlassMinutes * 60_000),
        }),
      );
      await this.audit.record(
        {
          ...actorOf(caller),
          action: 'case.break_glass',
          outcome: 'success',
          missionId: c.missionId,
          subjectType: 'Case',
          subjectId: caseId,
          details: { emergencyAccess: true, grantId: grant.id, reason, expiresAt: grant.expiresAt.toISOString() },
        },
        manager,
      );
      // The mission's health managers are told, to review it (no reason in the notification: it may be clinical).
      const managers: { id: string }[] = await manager.query(CASE_RULE_HOLDERS_SQL[CaseRule.HealthManager], [c.missionId]);
      const reference = caseReference(caseId);
      told = await this.notifications.record(
        managers.map((m) => m.id),
        { kind: 'case.emergency_access', caseId, params: { reference, name: p.displayName }, text: `${reference}: ${p.displayName} opened this case in an emergency — review it` },
        manager,
      );
      return this.one(grant.id, manager);
    });
    this.notifications.publish(told);
    return view;
  }

  /** Grants of the health manager's missions, newest first (`state` pending by default; `all` for every state). */
  async list(caller: CallerContext, q: BreakGlassListQuery): Promise<BreakGlassGrantView[]> {
    const missions = clinicalScopeOf(caller.principal).managerMissionIds;
    const params: unknown[] = [missions];
    let where = 'g.mission_id = ANY($1::uuid[])';
    const state = q.state ?? 'pending';
    if (state !== 'all') where += ` AND g.review_state = $${params.push(state)}`;
    const rows: Row[] = await this.dataSource.query(`${SELECT} WHERE ${where} ORDER BY g.started_at DESC, g.id LIMIT 200`, params);
    await this.audit.record({
      ...actorOf(caller),
      action: 'break_glass.list',
      outcome: 'success',
      missionId: missions.length === 1 ? missions[0] : null,
      subjectType: 'EmergencyAccess',
      details: { count: rows.length, state },
    });
    return rows.map((r) => this.view(r));
  }

  /** A health manager of the grant's mission accepts it, or flags it (with a note); audited with the decision. */
  async review(caller: CallerContext, id: string, dto: BreakGlassReviewDto): Promise<BreakGlassGrantView> {
    const note = dto.note?.trim() || null;
    if (dto.decision === 'flagged' && !note) throw DomainException.invalid('note', 'note must say why the access is flagged');
    return this.dataSource.transaction(async (manager) => {
      const grant = await manager.getRepository(BreakGlassGrant).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!grant || !clinicalScopeOf(caller.principal).managerMissionIds.includes(grant.missionId)) {
        throw DomainException.notFound('Break-the-glass grant').deniedOn({
          action: 'break_glass.review',
          missionId: grant?.missionId ?? null,
          subjectType: 'EmergencyAccess',
          subjectId: id,
          details: { attempted: 'review' },
        });
      }
      grant.reviewState = dto.decision;
      grant.reviewNote = note;
      grant.reviewedById = caller.principal.userId;
      grant.reviewedAt = this.clock.now();
      await manager.getRepository(BreakGlassGrant).save(grant);
      await this.audit.record(
        {
          ...actorOf(caller),
          action: 'break_glass.review',
          outcome: 'success',
          missionId: grant.missionId,
          subjectType: 'EmergencyAccess',
          subjectId: grant.id,
          details: { decision: dto.decision, caseId: grant.caseId, userId: grant.userId, ...(note ? { note } : {}) },
        },
        manager,
      );
      return this.one(grant.id, manager);
    });
  }

  private async one(id: string, manager: EntityManager): Promise<BreakGlassGrantView> {
    const [row]: Row[] = await manager.query(`${SELECT} WHERE g.id = $1`, [id]);
    return this.view(row);
  }

  private view(r: Row): BreakGlassGrantView {
    const now = this.clock.now().getTime();
    return {
      id: r.id,
      caseId: r.case_id,
      caseReference: caseReference(r.case_id),
      missionId: r.mission_id,
      userId: r.user_id,
      userName: r.user_name,
      reason: r.reason,
      startedAt: r.started_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      active: r.started_at.getTime() <= now && r.expires_at.getTime() > now,
      reviewState: r.review_state,
      reviewNote: r.review_note,
      reviewedAt: r.reviewed_at?.toISOString() ?? null,
      reviewedByName: r.reviewed_by_name,
    };
  }
}
