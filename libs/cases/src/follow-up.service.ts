import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Action, actorOf, CallerContext, clinicalScopeOf, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, ErrorCode, HubJobs } from '@hub/common';
import type { CarePlanView, FollowUpCheckState, FollowUpCheckView, FollowUpDueView, VitalSignsView, VitalTrendPoint } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { caseReference, CasesRepository } from './cases.repository';
import { CarePlanDto, RecordCheckDto } from './dto/follow-up.dto';
import { CaseAttachment } from './entities/attachment.entity';
import { CarePlan, FollowUpCheck } from './entities/care-plan.entity';
import { ReferralCase } from './entities/referral-case.entity';
import { PatientsService } from './patients.service';

const DAY_MS = 24 * 3600 * 1000;
export const FOLLOW_UP_SWEEP_INTERVAL_MS = 15 * 60_000;

/** A check is due on its day (the 24 hours from its due time) and overdue once that day has passed unrecorded. */
export function checkState(c: Pick<FollowUpCheck, 'dueAt' | 'recordedAt'>, now: Date): FollowUpCheckState {
  if (c.recordedAt) return 'recorded';
  if (now < c.dueAt) return 'upcoming';
  return now.getTime() < c.dueAt.getTime() + DAY_MS ? 'due' : 'overdue';
}

/**
 * Follow-up plans (docs/cases.md "Follow-up plans"): the specialist sets medications and checks with the answer;
 * the clinic records each check on the case. Plans and checks have no access rule of their own: every entry point
 * loads the case and asks RecordAccess about the case (404 across missions, refusals audited).
 */
@Injectable()
export class FollowUpService {
  private readonly logger = new Logger(FollowUpService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesRepository,
    private readonly patients: PatientsService,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Follow-up sweep', FOLLOW_UP_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  // ---- the specialist sets the plan (inside the answer's transaction) ----------------------------------------

  async setPlan(manager: EntityManager, caller: CallerContext, c: ReferralCase, dto: CarePlanDto): Promise<void> {
    const medications = dto.medications ?? [];
    const checks = dto.checks ?? [];
    if (!medications.length && !checks.length && !dto.instructions?.trim()) {
      throw DomainException.invalid('plan', 'a plan needs medications, checks or instructions (leave plan out for none)');
    }
    checks.forEach((k, i) => {
      if (!k.vitals?.length && !k.photo && !k.question) {
        throw DomainException.invalid(`plan.checks.${i}`, 'a check must ask for vital signs, a photo or a question');
      }
    });
    if (await manager.getRepository(CarePlan).existsBy({ caseId: c.id })) throw DomainException.conflict('This case already has a follow-up plan', 'plan_exists');
    const now = this.clock.now();
    const plan = await manager.getRepository(CarePlan).save(
      manager.create(CarePlan, {
        caseId: c.id,
        missionId: c.missionId,
        createdById: caller.principal.userId,
        instructions: dto.instructions?.trim() ?? '',
        medications: medications.map((m) => ({ drug: m.drug.trim(), dose: m.dose.trim(), route: m.route, frequency: m.frequency.trim(), durationDays: m.durationDays })),
        createdAt: now,
      }),
    );
    if (checks.length) {
      await manager.getRepository(FollowUpCheck).insert(
        checks.map((k) => ({
          planId: plan.id,
          caseId: c.id,
          missionId: c.missionId,
          facilityId: c.facilityId,
          day: k.day,
          dueAt: new Date(now.getTime() + k.day * DAY_MS),
          vitals: k.vitals ?? [],
          photo: k.photo ?? false,
          question: k.question?.trim() ?? null,
        })),
      );
    }
    await this.audit.record(
      { ...actorOf(caller), action: 'case.plan_set', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: c.id, details: { medications: medications.length, checks: checks.length } },
      manager,
    );
  }

  /** The case's plan (the caller of this has checked access to the case). */
  async planView(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<CarePlanView | null> {
    const plan = await manager.getRepository(CarePlan).findOneBy({ caseId });
    if (!plan) return null;
    const checks = await manager.getRepository(FollowUpCheck).find({ where: { planId: plan.id }, order: { day: 'ASC', id: 'ASC' } });
    const who = await this.names(manager, [plan.createdById, ...checks.map((k) => k.recordedById)]);
    const now = this.clock.now();
    return {
      id: plan.id,
      caseId,
      createdAt: plan.createdAt.toISOString(),
      createdByName: who.get(plan.createdById) ?? null,
      instructions: plan.instructions,
      medications: plan.medications,
      checks: checks.map((k) => this.checkView(k, now, who)),
    };
  }

  // ---- the clinic records a check -----------------------------------------------------------------------------

  async record(caller: CallerContext, caseId: string, checkId: string, dto: RecordCheckDto): Promise<CarePlanView> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.cases.findById(caseId, manager, true);
      await this.access.assert(caller, Action.Refer, 'Case', c, { id: caseId, missionId: c?.missionId ?? null });
      const check = await manager.getRepository(FollowUpCheck).createQueryBuilder('k').setLock('pessimistic_write').where('k.id = :checkId AND k.caseId = :caseId', { checkId, caseId }).getOne();
      if (!check) throw DomainException.notFound('FollowUpCheck');
      if (check.recordedAt) throw DomainException.conflict(`This check (day ${check.day}) was already recorded`, 'check_recorded', { day: check.day });
      if (c!.status === 'cancelled') throw DomainException.conflict('The case was cancelled', 'case_closed', { status: 'cancelled' });
      for (const v of check.vitals) {
        if (dto.vitals?.[v] === undefined) throw DomainException.invalid(`vitals.${v}`, `this check asks for ${v}`);
      }
      if (check.question && !dto.answer) throw DomainException.invalid('answer', 'this check asks a question: answer it');
      if (check.photo && !dto.attachmentId) throw DomainException.invalid('attachmentId', 'this check asks for a photo: upload it to the case first');
      if (dto.attachmentId) {
        const a = await manager.getRepository(CaseAttachment).findOneBy({ id: dto.attachmentId, caseId, status: 'ready' });
        if (!a) throw new DomainException(ErrorCode.NotFound, 'attachmentId: attachment not found among the completed uploads to this case');
        if (check.photo && !a.mediaType?.startsWith('image/')) throw DomainException.invalid('attachmentId', 'the photo must be an image');
      }
      check.recordedAt = this.clock.now();
      check.recordedById = caller.principal.userId;
      check.recordedVitals = dto.vitals ? { ...dto.vitals } : null;
      check.answer = dto.answer ?? null;
      check.attachmentId = dto.attachmentId ?? null;
      check.note = dto.note ?? null;
      await manager.getRepository(FollowUpCheck).save(check);
      await this.audit.record(
        { ...actorOf(caller), action: 'case.follow_up_recorded', outcome: 'success', missionId: c!.missionId, subjectType: 'Case', subjectId: caseId, details: { checkId, day: check.day } },
        manager,
      );
      return (await this.planView(caseId, manager))!;
    });
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  /**
   * Checks due or overdue (not recorded, due time passed) that the caller works on: their clinics' cases, and for
   * a health manager their missions'. Same scope as the case lists (clinical-scope.ts).
   */
  async due(caller: CallerContext): Promise<FollowUpDueView[]> {
    const scope = clinicalScopeOf(caller.principal);
    const now = this.clock.now();
    const rows: (FollowUpCheck & { reference?: string })[] = [];
    const raw: { id: string; patient_name: string; facility_name: string }[] = await this.dataSource.query(
      `SELECT k.id, p.last_name || ', ' || p.first_name AS patient_name, f.name AS facility_name
         FROM follow_up_checks k JOIN referral_cases c ON c.id = k.case_id JOIN patients p ON p.id = c.patient_id
         JOIN facilities f ON f.id = k.facility_id
        WHERE k.recorded_at IS NULL AND k.due_at <= $3 AND c.status <> 'cancelled'
          AND (k.facility_id = ANY($1::uuid[]) OR k.mission_id = ANY($2::uuid[]))
        ORDER BY k.due_at LIMIT 200`,
      [scope.clinicFacilityIds, scope.managerMissionIds, now],
    );
    if (!raw.length) return [];
    rows.push(...(await this.dataSource.getRepository(FollowUpCheck).createQueryBuilder('k').where('k.id = ANY(:ids)', { ids: raw.map((r) => r.id) }).orderBy('k.dueAt').getMany()));
    const extra = new Map(raw.map((r) => [r.id, r]));
    const who = new Map<string, string>();
    return rows.map((k) => ({
      ...this.checkView(k, now, who),
      reference: caseReference(k.caseId),
      patientName: extra.get(k.id)!.patient_name,
      facilityName: extra.get(k.id)!.facility_name,
    }));
  }

  /**
   * Vital signs of a patient over time, across every case of theirs the caller may read: each case's vitals at
   * submission and each recorded check's.
   */
  async trends(caller: CallerContext, patientId: string): Promise<VitalTrendPoint[]> {
    const patient = await this.patients.load(caller, Action.Read, patientId);
    const all = await this.dataSource.getRepository(ReferralCase).find({ where: { patientId }, order: { createdAt: 'ASC' } });
    const readable = all.filter((c) => caller.ability.can(Action.Read, subjectOf('Case', c)));
    const points: VitalTrendPoint[] = [];
    for (const c of readable) {
      if (Object.keys(c.vitals ?? {}).length) {
        points.push({ at: (c.submittedAt ?? c.createdAt).toISOString(), caseId: c.id, reference: caseReference(c.id), source: 'case', vitals: c.vitals });
      }
    }
    const ids = readable.map((c) => c.id);
    const checks = ids.length
      ? await this.dataSource.getRepository(FollowUpCheck).createQueryBuilder('k').where('k.caseId = ANY(:ids) AND k.recordedVitals IS NOT NULL', { ids }).getMany()
      : [];
    for (const k of checks) {
      points.push({ at: k.recordedAt!.toISOString(), caseId: k.caseId, reference: caseReference(k.caseId), source: 'check', vitals: k.recordedVitals as VitalSignsView });
    }
    points.sort((a, b) => a.at.localeCompare(b.at));
    await this.audit.record({ ...actorOf(caller), action: 'patient.vital_trends', outcome: 'success', missionId: patient.missionId, subjectType: 'Patient', subjectId: patientId, details: { cases: ids.length } });
    return points;
  }

  // ---- overdue checks: the clinic is told once -------------------------------------------------------------------

  async sweep(): Promise<string[]> {
    const now = this.clock.now();
    const overdue: { id: string; case_id: string; facility_id: string; responsible_officer_id: string | null; day: number }[] = await this.dataSource.query(
      `SELECT k.id, k.case_id, k.facility_id, c.responsible_officer_id, k.day FROM follow_up_checks k JOIN referral_cases c ON c.id = k.case_id
        WHERE k.recorded_at IS NULL AND k.overdue_notified_at IS NULL AND k.due_at < $1::timestamptz - interval '1 day'
          AND c.status <> 'cancelled'
        ORDER BY k.due_at LIMIT 500`,
      [now],
    );
    const told: string[] = [];
    for (const k of overdue) {
      const saved = await this.dataSource.transaction(async (m) => {
        const [, affected] = await m.query(`UPDATE follow_up_checks SET overdue_notified_at = $2 WHERE id = $1 AND overdue_notified_at IS NULL`, [k.id, now]);
        if (!affected) return null;
        const staff = await this.cases.clinicStaff(k.facility_id, m);
        // The officer in charge if they still work there, else the whole clinic.
        const to = k.responsible_officer_id && staff.includes(k.responsible_officer_id) ? [k.responsible_officer_id] : staff;
        return this.notifications.record(to, {
          kind: 'case.follow_up_overdue',
          params: { reference: caseReference(k.case_id), day: k.day },
          caseId: k.case_id,
          text: `${caseReference(k.case_id)}: the day ${k.day} follow-up check is overdue`,
        }, m);
      });
      if (saved) {
        this.notifications.publish(saved);
        told.push(k.id);
      }
    }
    if (told.length) this.logger.log(`Follow-up sweep: ${told.length} overdue checks told`);
    return told;
  }

  private checkView(k: FollowUpCheck, now: Date, who: Map<string, string>): FollowUpCheckView {
    return {
      id: k.id,
      caseId: k.caseId,
      day: k.day,
      dueAt: k.dueAt.toISOString(),
      vitals: k.vitals,
      photo: k.photo,
      question: k.question,
      state: checkState(k, now),
      recordedAt: k.recordedAt?.toISOString() ?? null,
      recordedByName: k.recordedById ? (who.get(k.recordedById) ?? null) : null,
      recordedVitals: k.recordedVitals,
      answer: k.answer,
      attachmentId: k.attachmentId,
      note: k.note,
    };
  }

  private async names(manager: EntityManager, ids: (string | null)[]): Promise<Map<string, string>> {
    const list = [...new Set(ids.filter((x): x is string => !!x))];
    const rows: { id: string; display_name: string }[] = list.length ? await manager.query('SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])', [list]) : [];
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }
}
