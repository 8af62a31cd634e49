import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { URGENCIES, type DashboardAlert, type DashboardView, type ResponseTimeRow, type Urgency } from '@hub/contracts';

export interface DashboardQuery {
  /** The missions the caller may see (never empty: the service answers 404 before). */
  missionIds: string[];
  from: Date;
  /** Exclusive end. */
  to: Date;
  facilityId?: string;
  specialty?: string;
  urgency?: Urgency;
  now: Date;
}

const minutes = (v: string | number | null) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

/**
 * Caseload figures, all read from case_facts (one narrow non-identifying row per case, kept by a trigger on
 * referral_cases). Every query is bound to the given missions.
 */
@Injectable()
export class DashboardRepository {
  constructor(private readonly dataSource: DataSource) {}

  private filter(q: DashboardQuery, params: unknown[]): string {
    params.push(q.missionIds);
    const where = [`f.mission_id = ANY($${params.length}::uuid[])`];
    if (q.facilityId) {
      params.push(q.facilityId);
      where.push(`f.facility_id = $${params.length}`);
    }
    if (q.specialty) {
      params.push(q.specialty);
      where.push(`f.specialty_code = $${params.length}`);
    }
    if (q.urgency) {
      params.push(q.urgency);
      where.push(`f.urgency = $${params.length}`);
    }
    return where.join(' AND ');
  }

  async weekly(q: DashboardQuery): Promise<DashboardView['weekly']> {
    const params: unknown[] = [q.from, q.to];
    const where = this.filter(q, params);
    const rows: { week: Date; opened: number; answered: number; closed: number }[] = await this.dataSource.query(
      `WITH weeks AS (
         SELECT generate_series(date_trunc('week', $1::timestamptz), $2::timestamptz - interval '1 microsecond', interval '1 week') AS week),
       events AS (
         SELECT date_trunc('week', f.submitted_at) AS week, 1 AS opened, 0 AS answered, 0 AS closed FROM case_facts f
          WHERE ${where} AND f.submitted_at >= $1 AND f.submitted_at < $2
         UNION ALL
         SELECT date_trunc('week', f.answered_at), 0, 1, 0 FROM case_facts f WHERE ${where} AND f.answered_at >= $1 AND f.answered_at < $2
         UNION ALL
         SELECT date_trunc('week', f.closed_at), 0, 0, 1 FROM case_facts f WHERE ${where} AND f.closed_at >= $1 AND f.closed_at < $2)
       SELECT w.week, coalesce(sum(e.opened), 0)::int AS opened, coalesce(sum(e.answered), 0)::int AS answered,
              coalesce(sum(e.closed), 0)::int AS closed
         FROM weeks w LEFT JOIN events e ON e.week = w.week GROUP BY w.week ORDER BY w.week`,
      params,
    );
    return rows.map((r) => ({ week: r.week.toISOString().slice(0, 10), opened: r.opened, answered: r.answered, closed: r.closed }));
  }

  async openByUrgency(q: DashboardQuery): Promise<DashboardView['openByUrgency']> {
    const params: unknown[] = [q.now];
    const where = this.filter(q, params);
    // Open cases are a few percent of all: read through the partial index case_facts_open_idx.
    const rows: { urgency: Urgency; under1h: number; h1to24: number; d1to3: number; over3d: number }[] = await this.dataSource.query(
      `SELECT f.urgency,
              count(*) FILTER (WHERE $1::timestamptz - f.submitted_at < interval '1 hour')::int AS "under1h",
              count(*) FILTER (WHERE $1::timestamptz - f.submitted_at >= interval '1 hour' AND $1::timestamptz - f.submitted_at < interval '1 day')::int AS "h1to24",
              count(*) FILTER (WHERE $1::timestamptz - f.submitted_at >= interval '1 day' AND $1::timestamptz - f.submitted_at < interval '3 days')::int AS "d1to3",
              count(*) FILTER (WHERE $1::timestamptz - f.submitted_at >= interval '3 days')::int AS "over3d"
         FROM case_facts f
        WHERE ${where} AND f.status IN ('submitted', 'accepted', 'information_requested', 'resubmitted')
        GROUP BY f.urgency`,
      params,
    );
    return URGENCIES.map(
      (urgency) => rows.find((r) => r.urgency === urgency) ?? { urgency, under1h: 0, h1to24: 0, d1to3: 0, over3d: 0 },
    );
  }

  /**
   * Median and p90 (percentile_cont, interpolated) of the response times and the share answered within the SLA:
   * overall and per facility, specialty, urgency and reference hospital, in one pass over the period's facts
   * (GROUPING SETS), on durations the trigger already computed.
   */
  async responseTimes(q: DashboardQuery): Promise<DashboardView['responseTimes'] | null> {
    const params: unknown[] = [q.from, q.to, q.now];
    const where = this.filter(q, params);
    const rows: {
      g: number; facility_id: string | null; specialty_code: string | null; urgency: string | null; ref: string | null;
      label: string | null; cases: number; accept_median: number | null; accept_p90: number | null;
      answer_median: number | null; answer_p90: number | null; due: number; on_time: number;
    }[] = await this.dataSource.query(
      `WITH f AS MATERIALIZED (
         SELECT f.facility_id, f.specialty_code, f.urgency, coalesce(f.reference_facility_id::text, 'none') AS ref,
                f.accept_minutes, f.answer_minutes, f.answered_on_time,
                f.answered_at IS NOT NULL OR f.submitted_at + make_interval(mins => f.sla_minutes) < $3::timestamptz AS due
           FROM case_facts f
          WHERE ${where} AND f.submitted_at >= $1 AND f.submitted_at < $2),
       r AS (
         SELECT GROUPING(facility_id, specialty_code, urgency, ref) AS g, facility_id, specialty_code, urgency, ref,
                count(*)::int AS cases,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_minutes) AS accept_median,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY accept_minutes) AS accept_p90,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY answer_minutes) AS answer_median,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY answer_minutes) AS answer_p90,
                count(*) FILTER (WHERE due)::int AS due,
                count(*) FILTER (WHERE answered_on_time)::int AS on_time
           FROM f GROUP BY GROUPING SETS ((), (facility_id), (specialty_code), (urgency), (ref)))
       SELECT r.*, coalesce(fac.name, sp.name, ref.name, r.urgency, CASE WHEN r.ref = 'none' THEN 'not yet taken' END) AS label
         FROM r
         LEFT JOIN facilities fac ON fac.id = r.facility_id
         LEFT JOIN specialties sp ON sp.code = r.specialty_code
         LEFT JOIN facilities ref ON ref.id::text = r.ref
        ORDER BY r.g, label`,
      params,
    );
    const row = (r: (typeof rows)[number], key: string, label: string): ResponseTimeRow => ({
      key,
      label,
      cases: r.cases,
      acceptMedianMin: minutes(r.accept_median),
      acceptP90Min: minutes(r.accept_p90),
      answerMedianMin: minutes(r.answer_median),
      answerP90Min: minutes(r.answer_p90),
      withinSlaShare: r.due ? Math.round((r.on_time / r.due) * 10000) / 10000 : null,
    });
    const of = (g: number, key: (r: (typeof rows)[number]) => string) =>
      rows.filter((r) => r.g === g).map((r) => row(r, key(r), r.label ?? key(r)));
    const overall = rows.find((r) => r.g === 15);
    if (!overall) return null;
    return {
      overall: row(overall, 'all', 'All cases'),
      byFacility: of(7, (r) => r.facility_id!),
      bySpecialty: of(11, (r) => r.specialty_code!),
      byUrgency: of(13, (r) => r.urgency!),
      byReferenceHospital: of(14, (r) => r.ref!),
    };
  }

  async slaAndOutcomes(q: DashboardQuery): Promise<Pick<DashboardView, 'sla' | 'outcomes'>> {
    const params: unknown[] = [q.from, q.to, q.now];
    const where = this.filter(q, params);
    const [r] = await this.dataSource.query(
      `SELECT
         count(*) FILTER (WHERE f.submitted_at >= $1 AND f.submitted_at < $2 AND f.answered_at > f.submitted_at + make_interval(mins => f.sla_minutes))::int AS answered_late,
         count(*) FILTER (WHERE f.submitted_at >= $1 AND f.submitted_at < $2 AND f.answered_at IS NULL AND f.status NOT IN ('cancelled', 'closed')
                            AND f.submitted_at + make_interval(mins => f.sla_minutes) < $3::timestamptz)::int AS unanswered_past_deadline,
         count(*) FILTER (WHERE f.submitted_at >= $1 AND f.submitted_at < $2 AND f.escalation_level >= 1)::int AS escalated_backup,
         count(*) FILTER (WHERE f.submitted_at >= $1 AND f.submitted_at < $2 AND f.escalation_level >= 2)::int AS escalated_manager,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.outcome = 'treated_locally')::int AS treated_locally,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.outcome = 'evacuated')::int AS evacuated,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.outcome = 'transferred')::int AS transferred,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.outcome = 'died')::int AS died,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.outcome = 'other')::int AS other,
         count(*) FILTER (WHERE f.answered_at >= $1 AND f.answered_at < $2 AND f.evacuation_recommended)::int AS evac_recommended,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.evacuation_done)::int AS evac_done,
         count(*) FILTER (WHERE f.closed_at >= $1 AND f.closed_at < $2 AND f.evacuation_avoided)::int AS evac_avoided
         FROM case_facts f
        WHERE ${where} AND (f.submitted_at >= $1 OR f.answered_at >= $1 OR f.closed_at >= $1)`,
      params,
    );
    return {
      sla: {
        answeredLate: r.answered_late,
        unansweredPastDeadline: r.unanswered_past_deadline,
        escalatedToBackup: r.escalated_backup,
        escalatedToManager: r.escalated_manager,
      },
      outcomes: {
        treatedLocally: r.treated_locally,
        evacuated: r.evacuated,
        transferred: r.transferred,
        died: r.died,
        other: r.other,
        evacuationsRecommended: r.evac_recommended,
        evacuationsPerformed: r.evac_done,
        evacuationsAvoided: r.evac_avoided,
      },
    };
  }

  /** Follow-up checks not recorded: on their day (due) and after it (overdue), per the missions given. */
  async followUps(missionIds: string[], now: Date, facilityId?: string): Promise<{ due: number; overdue: number }> {
    const [r]: { due: number; overdue: number }[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE k.due_at + interval '1 day' > $2::timestamptz)::int AS due,
              count(*) FILTER (WHERE k.due_at + interval '1 day' <= $2::timestamptz)::int AS overdue
         FROM follow_up_checks k JOIN referral_cases c ON c.id = k.case_id
        WHERE k.mission_id = ANY($1::uuid[]) AND k.recorded_at IS NULL AND k.due_at <= $2::timestamptz AND c.status <> 'cancelled'
          AND ($3::uuid IS NULL OR k.facility_id = $3::uuid)`,
      [missionIds, now, facilityId ?? null],
    );
    return r;
  }

  private followUpOverdue(missionIds: string[], now: Date): Promise<{ mission_id: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT k.mission_id, count(*)::int AS n FROM follow_up_checks k JOIN referral_cases c ON c.id = k.case_id
        WHERE k.mission_id = ANY($1::uuid[]) AND k.recorded_at IS NULL AND k.due_at + interval '1 day' <= $2::timestamptz
          AND c.status <> 'cancelled'
        GROUP BY k.mission_id`,
      [missionIds, now],
    );
  }

  /**
   * Open cases whose officer in charge no longer holds a current officer membership at the case's clinic (their
   * rotation ended without a hand-over). See libs/rotations.
   */
  private unassignedAfterRotation(missionIds: string[], now: Date): Promise<{ mission_id: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT c.mission_id, count(*)::int AS n FROM referral_cases c
        WHERE c.mission_id = ANY($1::uuid[]) AND c.status NOT IN ('closed', 'cancelled') AND c.responsible_officer_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = c.responsible_officer_id AND m.facility_id = c.facility_id
                            AND m.role = 'field_medical_officer' AND (m.ends_at IS NULL OR m.ends_at > $2::timestamptz))
        GROUP BY c.mission_id`,
      [missionIds, now],
    );
  }

  /** Dormant Level 1 clinics, last week's SLA breach rate over the mission's threshold, overdue outcome reports. */
  async alerts(missionIds: string[], now: Date): Promise<DashboardAlert[]> {
    const dormant: { mission_id: string; facility_id: string; name: string; days: number; last: Date | null }[] = await this.dataSource.query(
      `SELECT fm.mission_id, fac.id AS facility_id, fac.name, ms.dormant_site_days AS days,
              (SELECT max(f.submitted_at) FROM case_facts f WHERE f.facility_id = fac.id) AS last
         FROM facilities fac JOIN facility_missions fm ON fm.facility_id = fac.id JOIN missions ms ON ms.id = fm.mission_id
        WHERE fac.level = 1 AND fac.active AND fm.mission_id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM case_facts f WHERE f.facility_id = fac.id AND f.submitted_at > $2::timestamptz - make_interval(days => ms.dormant_site_days))
        ORDER BY fac.name`,
      [missionIds, now],
    );
    const breach: { mission_id: string; code: string; due: number; late: number; threshold: number }[] = await this.dataSource.query(
      `SELECT ms.id AS mission_id, ms.code, ms.sla_breach_alert_percent AS threshold,
              count(f.case_id) FILTER (WHERE f.answered_at IS NOT NULL OR f.submitted_at + make_interval(mins => f.sla_minutes) < $2::timestamptz)::int AS due,
              count(f.case_id) FILTER (WHERE coalesce(f.answered_at, $2::timestamptz) > f.submitted_at + make_interval(mins => f.sla_minutes))::int AS late
         FROM missions ms LEFT JOIN case_facts f ON f.mission_id = ms.id AND f.submitted_at > $2::timestamptz - interval '7 days'
        WHERE ms.id = ANY($1::uuid[]) GROUP BY ms.id`,
      [missionIds, now],
    );
    const overdue: { mission_id: string; n: number }[] = await this.dataSource.query(
      `SELECT f.mission_id, count(*)::int AS n FROM case_facts f JOIN missions ms ON ms.id = f.mission_id
        WHERE f.mission_id = ANY($1::uuid[]) AND f.status = 'answered'
          AND f.answered_at + make_interval(hours => ms.outcome_reminder_hours) < $2::timestamptz
        GROUP BY f.mission_id`,
      [missionIds, now],
    );
    const followUps = await this.followUpOverdue(missionIds, now);
    const left = await this.unassignedAfterRotation(missionIds, now);
    return [
      ...dormant.map((d) => ({
        kind: 'dormant_site' as const,
        missionId: d.mission_id,
        facilityId: d.facility_id,
        code: d.last ? ('caseload.dormant_site' as const) : ('caseload.dormant_site_never' as const),
        params: { facility: d.name, days: d.days, ...(d.last ? { date: d.last.toISOString().slice(0, 10) } : {}) },
        text: `${d.name}: no teleconsultation for ${d.days}+ days${d.last ? ` (last ${d.last.toISOString().slice(0, 10)})` : ' (never)'}`,
      })),
      ...breach
        .filter((b) => b.due > 0 && (b.late / b.due) * 100 > b.threshold)
        .map((b) => ({
          kind: 'sla_breach_rate' as const,
          missionId: b.mission_id,
          code: 'caseload.sla_breach_rate' as const,
          params: { mission: b.code, percent: Math.round((b.late / b.due) * 100), threshold: b.threshold },
          text: `${b.code}: ${Math.round((b.late / b.due) * 100)}% of last week's cases missed their answer deadline (alert above ${b.threshold}%)`,
        })),
      ...overdue.map((o) => ({
        kind: 'outcome_overdue' as const,
        missionId: o.mission_id,
        code: 'caseload.outcome_overdue' as const,
        params: { count: o.n },
        text: `${o.n} outcome report(s) overdue`,
      })),
      ...followUps.map((f) => ({
        kind: 'follow_up_overdue' as const,
        missionId: f.mission_id,
        code: 'caseload.follow_up_overdue' as const,
        params: { count: f.n },
        text: `${f.n} follow-up check(s) overdue`,
      })),
      ...left.map((l) => ({
        kind: 'unassigned_after_rotation' as const,
        missionId: l.mission_id,
        code: 'caseload.unassigned_after_rotation' as const,
        params: { count: l.n },
        text: `${l.n} open case(s) left without an officer in charge at the end of a rotation`,
      })),
    ];
  }
}
