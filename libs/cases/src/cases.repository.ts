import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope, CASE_RULE_HOLDERS_SQL, CaseRule, FieldCondition, MY_CASES, QUEUE_CASES, sqlParams } from '@hub/access';
import { DomainException } from '@hub/common';
import type { CaseSummaryView } from '@hub/contracts';
import { ReferralCase } from './entities/referral-case.entity';

interface SummaryRow {
  id: string;
  mission_id: string;
  facility_id: string;
  facility_name: string;
  patient_id: string;
  patient_name: string;
  specialty_code: string;
  urgency: CaseSummaryView['urgency'];
  urgency_rank: number;
  status: CaseSummaryView['status'];
  assigned_doctor_id: string | null;
  assigned_doctor_name: string | null;
  submitted_at: Date | null;
  deadline_at: Date | null;
  escalation_level: number;
  created_at: Date;
}

export const caseReference = (id: string) => `C-${id.slice(0, 8).toUpperCase()}`;

/** A timestamptz as `Date.toISOString()` writes it (UTC, milliseconds truncated as node-pg's Dates are). */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What `CasesRepository.thread` reads: the parts of a case view that are lists. */
export interface CaseThread {
  transitions: { from: CaseSummaryView['status'] | null; to: CaseSummaryView['status']; actorId: string | null; actorName: string | null; note: string | null; at: string }[];
  messages: { id: string; kind: string; authorId: string | null; authorName: string | null; body: string; createdAt: string }[];
  escalations: { level: number; reason: string; escalatedAt: string }[];
  responsibleOfficerName: string | null;
  /** Whether the specialist set a follow-up plan (most cases have none: no need to look it up). */
  hasPlan: boolean;
}

function toSummary(r: SummaryRow, now: Date): CaseSummaryView {
  return {
    id: r.id,
    reference: caseReference(r.id),
    missionId: r.mission_id,
    facilityId: r.facility_id,
    facilityName: r.facility_name,
    patientId: r.patient_id,
    patientName: r.patient_name,
    specialtyCode: r.specialty_code,
    urgency: r.urgency,
    status: r.status,
    assignedDoctorId: r.assigned_doctor_id,
    assignedDoctorName: r.assigned_doctor_name,
    submittedAt: r.submitted_at?.toISOString() ?? null,
    deadlineAt: r.deadline_at?.toISOString() ?? null,
    escalationLevel: r.escalation_level,
    overdue: !!r.deadline_at && r.deadline_at < now && ['submitted', 'accepted', 'resubmitted'].includes(r.status),
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Case summaries: the cases are chosen, ordered and limited on referral_cases alone (index-driven), and only that
 * page is joined to patients, facilities and users.
 */
const summarySql = (where: string, order: string, limitParam: string, from = 'SELECT * FROM referral_cases') => `
  SELECT c.id, c.mission_id, c.facility_id, f.name AS facility_name, c.patient_id,
         p.last_name || ', ' || p.first_name AS patient_name, c.specialty_code, c.urgency, c.urgency_rank, c.status,
         c.assigned_doctor_id, d.display_name AS assigned_doctor_name, c.submitted_at, c.deadline_at,
         c.escalation_level, c.created_at
    FROM (SELECT * FROM (${from}) c WHERE ${where} ORDER BY ${order} LIMIT ${limitParam}) c
    JOIN patients p ON p.id = c.patient_id
    JOIN facilities f ON f.id = c.facility_id
    LEFT JOIN users d ON d.id = c.assigned_doctor_id
   ORDER BY ${order}`;

const encode = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');
type CursorPart = 'int' | 'time' | 'time?' | 'uuid';
const CURSOR_PART: Record<CursorPart, (v: unknown) => boolean> = {
  int: (v) => Number.isInteger(v) && Math.abs(v as number) < 32768,
  time: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && Number.isFinite(Date.parse(v)),
  'time?': (v) => v === null || CURSOR_PART.time(v),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

/** A keyset cursor of a previous page, each part checked, so a forged one answers 400 rather than a SQL error. */
function decode(cursor: string | undefined, shape: CursorPart[]): unknown[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === shape.length && shape.every((part, i) => CURSOR_PART[part](v[i]))) return v;
  } catch {
    /* fall through */
  }
  throw DomainException.invalid('cursor', 'cursor must be a cursor returned by a previous page');
}

/**
 * The SQL of a doctor's queue: unassigned submitted cases reached by the case policy's queue rules (primary and
 * backup specialist, policies/case.policy.ts), by urgency then deadline, after the keyset `after`.
 *
 * Each queue rule is split into one branch per (specialty, mission) of its `$in` lists, each walking the partial
 * index referral_cases_queue_idx in queue order and stopping after `limit` rows, merged in order and cut again: the
 * cost follows the page size, not the queue's. A (specialty, mission) already reached by an earlier rule is not
 * repeated (the primary rule reaches more of a mission than the backup one). The policy's restrictions apply to
 * every branch. Exported so the queue benchmark's raw-SQL baseline runs the very same query.
 */
export function queueQuery(scope: AccessScope<'Case'>, after: unknown[] | null, limit: number): { text: string; params: unknown[] } {
  const params: unknown[] = [limit];
  let keyset = '';
  if (after) {
    params.push(after[0], after[1], after[2]);
    keyset = ` AND (c.urgency_rank, c.deadline_at, c.id) > ($2::smallint, $3::timestamptz, $4::uuid)`;
  }
  const order = 'c.urgency_rank, c.deadline_at, c.id';
  const param = sqlParams(params);
  const restrictions = scope.restrictionSql('c', params);
  const seen = new Set<string>();
  const branches: string[] = [];
  for (const rule of scope.rules({ only: QUEUE_CASES }).grants) {
    const { specialtyCode, missionId, ...rest } = rule.conditions as Record<string, FieldCondition>;
    const list = (v: FieldCondition | undefined) => (v && typeof v === 'object' && '$in' in v ? v.$in : [v]) as string[];
    for (const code of list(specialtyCode)) {
      for (const m of list(missionId)) {
        if (seen.has(`${code}/${m}`)) continue;
        seen.add(`${code}/${m}`);
        const conditions = [scope.sql({ ...rest, specialtyCode: code, missionId: m }, 'c', param), ...restrictions].join(' AND ');
        branches.push(`(SELECT * FROM referral_cases c
        WHERE c.status = 'submitted' AND c.assigned_doctor_id IS NULL AND ${conditions}${keyset}
        ORDER BY ${order} LIMIT $1)`);
      }
    }
  }
  // No queue rule (not a reference doctor): an empty queue, and none of the parameters the branches would have used
  // (PostgreSQL refuses a parameter whose type nothing in the query decides).
  if (!branches.length) return { text: summarySql('true', order, '$1', '(SELECT * FROM referral_cases c WHERE false)'), params: [limit] };
  return { text: summarySql('true', order, '$1', branches.join(' UNION ALL ')), params };
}

/** "My cases" (MY_CASES rules of the scope), newest first, after a (created_at, id) keyset; exported for bench/load. */
export function mineQuery(scope: AccessScope<'Case'>, after: unknown[] | null, limit: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  let where = scope.where('c', params, { only: MY_CASES });
  if (after) {
    params.push(after[0], after[1]);
    where += ` AND (c.created_at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
  }
  params.push(limit);
  return { text: summarySql(where, 'c.created_at DESC, c.id DESC', `$${params.length}`), params };
}

/**
 * Case queries. Every list takes the caller's `AccessScope<'Case'>` and applies the case policy's rules in SQL: the
 * rules the CASL ability applies to one record (libs/access/src/policies/case.policy.ts).
 */
@Injectable()
export class CasesRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ReferralCase | null> {
    const qb = manager.getRepository(ReferralCase).createQueryBuilder('c').where('c.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /**
   * A doctor's queue: unassigned submitted cases of their specialties, from missions their hospital serves
   * (a backup hospital's only once escalated), by urgency then deadline. Keyset paging.
   */
  async queue(scope: AccessScope<'Case'>, page: { cursor?: string; limit: number }, now: Date) {
    const { text, params } = queueQuery(scope, decode(page.cursor, ['int', 'time?', 'uuid']), page.limit + 1);
    const rows: SummaryRow[] = await this.dataSource.query(text, params);
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => toSummary(r, now)),
      nextCursor: more && last ? encode([last.urgency_rank, last.deadline_at?.toISOString(), last.id]) : null,
    };
  }

  /** Cases of the caller's clinics, assigned to them, or of the missions they manage (MY_CASES rules); newest first. */
  async mine(scope: AccessScope<'Case'>, page: { cursor?: string; limit: number }, now: Date) {
    const { text, params } = mineQuery(scope, decode(page.cursor, ['time', 'uuid']), page.limit + 1);
    const rows: SummaryRow[] = await this.dataSource.query(text, params);
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => toSummary(r, now)),
      nextCursor: more && last ? encode([last.created_at.toISOString(), last.id]) : null,
    };
  }

  async summary(id: string, now: Date, manager: EntityManager = this.dataSource.manager): Promise<CaseSummaryView> {
    const rows: SummaryRow[] = await manager.query(summarySql('c.id = $1', 'c.id', '1'), [id]);
    return toSummary(rows[0], now);
  }

  /**
   * A case's thread in one round trip: transitions, messages (with their actors' and authors' names), escalations,
   * the responsible officer's name and whether a follow-up plan exists, as the case view shows them (times as ISO strings, truncated to the
   * millisecond as node-pg's Dates are). Four queries and three entity mappings per case view were a fifth of a
   * case read's cost (bench/load).
   */
  async thread(id: string, responsibleOfficerId: string | null, manager: EntityManager = this.dataSource.manager): Promise<CaseThread> {
    const [row]: CaseThread[] = await manager.query(
      `SELECT
         (SELECT COALESCE(json_agg(json_build_object('from', t.from_status, 'to', t.to_status, 'actorId', t.actor_id,
                   'actorName', u.display_name, 'note', t.note, 'at', ${ISO('t.at')}) ORDER BY t.id), '[]'::json)
            FROM case_transitions t LEFT JOIN users u ON u.id = t.actor_id WHERE t.case_id = $1) AS transitions,
         (SELECT COALESCE(json_agg(json_build_object('id', m.id, 'kind', m.kind, 'authorId', m.author_id, 'authorName', u.display_name,
                   'body', m.body, 'createdAt', ${ISO('m.created_at')}) ORDER BY m.created_at, m.id), '[]'::json)
            FROM case_messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.case_id = $1) AS messages,
         (SELECT COALESCE(json_agg(json_build_object('level', e.level, 'reason', e.reason, 'escalatedAt', ${ISO('e.escalated_at')}) ORDER BY e.level), '[]'::json)
            FROM case_escalations e WHERE e.case_id = $1) AS escalations,
         (SELECT display_name FROM users WHERE id = $2::uuid) AS "responsibleOfficerName",
         EXISTS (SELECT 1 FROM care_plans WHERE case_id = $1) AS "hasPlan"`,
      [id, responsibleOfficerId],
    );
    return row;
  }

  // Recipients of notifications: only people a rule of the case policy lets see the case (CASE_RULE_HOLDERS_SQL).

  async clinicStaff(facilityId: string, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(CASE_RULE_HOLDERS_SQL[CaseRule.Clinic], [facilityId]);
    return rows.map((r) => r.id);
  }

  /** Reference doctors of the specialty at hospitals serving the mission: Levels 2-3 (primary) or Level 4 (backup). */
  async doctorsFor(missionId: string, specialty: string, backup: boolean, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(CASE_RULE_HOLDERS_SQL.specialists(backup), [missionId, specialty]);
    return rows.map((r) => r.id);
  }

  async healthManagers(missionId: string, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(CASE_RULE_HOLDERS_SQL[CaseRule.HealthManager], [missionId]);
    return rows.map((r) => r.id);
  }
}
