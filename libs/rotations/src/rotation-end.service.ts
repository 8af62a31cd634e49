import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, CallerContext, scopeFor, SessionEvents } from '@hub/access';
import { AuditService } from '@hub/audit';
import { caseReference } from '@hub/cases';
import { Clock, DomainException, HubJobs } from '@hub/common';
import type { UnassignedCaseView } from '@hub/contracts';
import { Notification, NotificationsService } from '@hub/notifications';
import { CURRENT_OFFICER_SQL } from './hand-over.service';

export const ROTATION_SWEEP_INTERVAL_MS = 5 * 60_000;

/** Open cases whose officer in charge no longer works at the case's clinic (their rotation ended). */
const LEFT_SQL = (now: string) => `
  c.status NOT IN ('closed', 'cancelled') AND c.responsible_officer_id IS NOT NULL
  AND NOT ${CURRENT_OFFICER_SQL('c.responsible_officer_id', 'c.facility_id', now)}`;

/**
 * The end of a rotation. The rights end by themselves at a membership's end date (the principal resolver ignores
 * ended memberships and its cache expires at the next end date, by the injected Clock). This sweep then, once per
 * ended membership: tells the mission's health managers what the officer left with nobody in charge (open cases
 * and their follow-up checks), audits the end, and cuts the user's sockets so they reconnect with their new rights.
 * Marking the membership handled is a write to memberships, so every hub instance drops the user's cached
 * principal too (LISTEN/NOTIFY, principal-cache.ts). State is in the database: a restart neither forgets nor repeats.
 */
@Injectable()
export class RotationEndService {
  private readonly logger = new Logger(RotationEndService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly sessions: SessionEvents,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Rotation end sweep', ROTATION_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  async sweep(): Promise<{ membershipId: string; userId: string; leftCases: number; leftChecks: number }[]> {
    const now = this.clock.now();
    const ended: { id: string; user_id: string; role: string; facility_id: string | null; mission_id: string | null }[] = await this.dataSource.query(
      `SELECT id, user_id, role, facility_id, mission_id FROM memberships WHERE ends_at <= $1 AND end_handled_at IS NULL ORDER BY ends_at LIMIT 200`,
      [now],
    );
    const done: { membershipId: string; userId: string; leftCases: number; leftChecks: number }[] = [];
    for (const e of ended) {
      const outcome = await this.dataSource.transaction(async (m) => {
        const [, affected] = await m.query('UPDATE memberships SET end_handled_at = $2 WHERE id = $1 AND end_handled_at IS NULL', [e.id, now]);
        if (!affected) return null;
        const left: { id: string; mission_id: string; checks: number }[] =
          e.role === 'field_medical_officer' && e.facility_id
            ? await m.query(
                `SELECT c.id, c.mission_id,
                        (SELECT count(*)::int FROM follow_up_checks k WHERE k.case_id = c.id AND k.recorded_at IS NULL) AS checks
                   FROM referral_cases c
                  WHERE c.responsible_officer_id = $1 AND c.facility_id = $2 AND ${LEFT_SQL('$3')}`,
                [e.user_id, e.facility_id, now],
              )
            : [];
        const [{ name }]: { name: string }[] = await m.query('SELECT display_name AS name FROM users WHERE id = $1', [e.user_id]);
        const missions = [...new Set(left.map((c) => c.mission_id))];
        const notices: Notification[] = [];
        for (const missionId of missions) {
          const cases = left.filter((c) => c.mission_id === missionId);
          const checks = cases.reduce((n, c) => n + c.checks, 0);
          const managers: { id: string }[] = await m.query(
            `SELECT DISTINCT u.id FROM users u JOIN memberships ms ON ms.user_id = u.id
              WHERE u.active AND ms.role = 'health_manager' AND ms.mission_id = $1 AND (ms.ends_at IS NULL OR ms.ends_at > $2)`,
            [missionId, now],
          );
          notices.push(
            ...(await this.notifications.record(
              managers.map((r) => r.id),
              {
                kind: 'rotation.left_unassigned',
                params: { name, count: cases.length, checks },
                caseId: cases.length === 1 ? cases[0].id : null,
                text: `${name}'s rotation ended leaving ${cases.length} open case(s) and ${checks} follow-up check(s) with nobody in charge`,
              },
              m,
            )),
          );
        }
        const missionOf = e.mission_id ?? left[0]?.mission_id ?? null;
        await this.audit.record(
          {
            action: 'membership.ended',
            outcome: 'success',
            missionId: missionOf,
            subjectType: 'Membership',
            subjectId: e.id,
            details: { userId: e.user_id, role: e.role, leftCases: left.map((c) => caseReference(c.id)) },
          },
          m,
        );
        return { notices, leftCases: left.length, leftChecks: left.reduce((n, c) => n + c.checks, 0) };
      });
      if (!outcome) continue;
      this.notifications.publish(outcome.notices);
      this.sessions.changed({ userId: e.user_id, reason: 'memberships' });
      done.push({ membershipId: e.id, userId: e.user_id, leftCases: outcome.leftCases, leftChecks: outcome.leftChecks });
    }
    if (done.length) this.logger.log(`Rotation end sweep: ${done.length} membership(s) ended`);
    return done;
  }

  /** For a mission's health managers: the open cases left with nobody in charge (no patient data). */
  async unassigned(caller: CallerContext, missionId?: string): Promise<UnassignedCaseView[]> {
    const scope = scopeFor(caller.principal, Action.Read, 'Caseload');
    let missions: string[] | null = scope.kind === 'all' ? null : [...scope.missionIds];
    if (missionId) {
      if (missions && !missions.includes(missionId)) throw DomainException.notFound('Mission');
      missions = [missionId];
    }
    const now = this.clock.now();
    const rows: { id: string; facility_name: string; officer: string; ended: Date | null; checks: number }[] = await this.dataSource.query(
      `SELECT c.id, f.name AS facility_name, u.display_name AS officer,
              (SELECT max(m.ends_at) FROM memberships m WHERE m.user_id = c.responsible_officer_id AND m.facility_id = c.facility_id) AS ended,
              (SELECT count(*)::int FROM follow_up_checks k WHERE k.case_id = c.id AND k.recorded_at IS NULL) AS checks
         FROM referral_cases c JOIN facilities f ON f.id = c.facility_id JOIN users u ON u.id = c.responsible_officer_id
        WHERE ($1::uuid[] IS NULL OR c.mission_id = ANY($1::uuid[])) AND ${LEFT_SQL('$2')}
        ORDER BY c.created_at LIMIT 500`,
      [missions, now],
    );
    return rows.map((r) => ({
      caseId: r.id,
      reference: caseReference(r.id),
      facilityName: r.facility_name,
      formerOfficerName: r.officer,
      endedAt: (r.ended ?? now).toISOString(),
      pendingChecks: r.checks,
    }));
  }
}
