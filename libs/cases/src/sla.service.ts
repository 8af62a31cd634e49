import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '@hub/audit';
import { Clock, HubJobs } from '@hub/common';
import { NotificationsService } from '@hub/notifications';
import { caseReference, CasesRepository } from './cases.repository';
import { ReferralCase } from './entities/referral-case.entity';

export const SLA_SWEEP_INTERVAL_MS = 60_000;

/**
 * SLA clocks. A sweep (every minute, and at start-up) escalates cases still waiting for a specialist past their
 * deadline: level 1 adds the backup (Level 4) hospitals' doctors of the specialty and gives a new deadline; level 2
 * alerts the mission's health managers. Outcome reports missing past the mission's reminder delay are chased once.
 * All state is in the database (escalation rows unique per case and level), so a restart neither forgets nor
 * repeats an escalation, and two hub instances sweeping at once cannot double it.
 */
@Injectable()
export class SlaService {
  private readonly logger = new Logger(SlaService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('SLA sweep', SLA_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  /** One pass; returns what it did (for tests and logs). */
  async sweep(): Promise<{ escalated: { caseId: string; level: number }[]; reminded: string[] }> {
    const now = this.clock.now();
    const escalated: { caseId: string; level: number }[] = [];
    const breached: ReferralCase[] = await this.dataSource
      .getRepository(ReferralCase)
      .createQueryBuilder('c')
      .where(`c.status IN ('submitted', 'accepted', 'resubmitted') AND c.deadlineAt < :now AND c.escalationLevel < 2`, { now })
      .orderBy('c.deadlineAt')
      .limit(500)
      .getMany();
    for (const c of breached) {
      const level = c.escalationLevel + 1;
      const done = await this.dataSource.transaction(async (m) => {
        // The unique (case, level) row makes the escalation happen once, whoever sweeps.
        const inserted: { id: string }[] = await m.query(
          `INSERT INTO case_escalations (case_id, level, reason) VALUES ($1, $2, $3)
           ON CONFLICT (case_id, level) DO NOTHING RETURNING id`,
          [c.id, level, level === 1 ? 'answer deadline passed: backup hospitals added' : 'deadline passed again: health manager alerted'],
        );
        if (!inserted.length) return null;
        const mission: { sla_emergency_minutes: number; sla_urgent_minutes: number; sla_routine_minutes: number }[] = await m.query(
          'SELECT sla_emergency_minutes, sla_urgent_minutes, sla_routine_minutes FROM missions WHERE id = $1',
          [c.missionId],
        );
        const minutes = { emergency: mission[0].sla_emergency_minutes, urgent: mission[0].sla_urgent_minutes, routine: mission[0].sla_routine_minutes }[c.urgency];
        await m.update(ReferralCase, { id: c.id }, { escalationLevel: level, deadlineAt: new Date(now.getTime() + minutes * 60_000) });
        await this.audit.record({ action: 'case.sla_escalation', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: c.id, details: { level } }, m);
        const recipients =
          level === 1
            ? [...(await this.cases.doctorsFor(c.missionId, c.specialtyCode, true, m)), ...(c.assignedDoctorId ? [c.assignedDoctorId] : [])]
            : await this.cases.healthManagers(c.missionId, m);
        return this.notifications.record(
          [...recipients, ...(await this.cases.clinicStaff(c.facilityId, m))],
          {
            kind: 'case.sla_breach',
            code: level === 1 ? 'case.sla_breach_backup' : 'case.sla_breach_manager',
            params: { reference: caseReference(c.id), urgency: c.urgency },
            caseId: c.id,
            text:
              level === 1
                ? `${caseReference(c.id)} (${c.urgency}) is past its answer deadline: backup hospitals can now take it`
                : `${caseReference(c.id)} (${c.urgency}) is past its deadline again: the mission health manager is alerted`,
          },
          m,
        );
      });
      if (done) {
        this.notifications.publish(done);
        escalated.push({ caseId: c.id, level });
      }
    }
    const reminded = await this.remindOutcomes(now);
    if (escalated.length || reminded.length) this.logger.log(`SLA sweep: ${escalated.length} escalated, ${reminded.length} outcome reminders`);
    return { escalated, reminded };
  }

  private async remindOutcomes(now: Date): Promise<string[]> {
    const due: { id: string; facility_id: string; mission_id: string }[] = await this.dataSource.query(
      `SELECT c.id, c.facility_id, c.mission_id FROM referral_cases c JOIN missions ms ON ms.id = c.mission_id
        WHERE c.status = 'answered' AND c.outcome_reminder_sent_at IS NULL
          AND c.answered_at + make_interval(hours => ms.outcome_reminder_hours) < $1
        ORDER BY c.answered_at LIMIT 500`,
      [now],
    );
    const sent: string[] = [];
    for (const c of due) {
      const saved = await this.dataSource.transaction(async (m) => {
        const [, affected] = await m.query(
          `UPDATE referral_cases SET outcome_reminder_sent_at = $2 WHERE id = $1 AND outcome_reminder_sent_at IS NULL`,
          [c.id, now],
        );
        if (!affected) return null;
        await this.audit.record({ action: 'case.outcome_reminder', outcome: 'success', missionId: c.mission_id, subjectType: 'Case', subjectId: c.id }, m);
        return this.notifications.record(await this.cases.clinicStaff(c.facility_id, m), {
          kind: 'case.outcome_overdue',
          params: { reference: caseReference(c.id) },
          caseId: c.id,
          text: `${caseReference(c.id)}: please report what happened to the patient (outcome report overdue)`,
        }, m);
      });
      if (saved) {
        this.notifications.publish(saved);
        sent.push(c.id);
      }
    }
    return sent;
  }
}
