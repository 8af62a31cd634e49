import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ClinicalScope, sensitiveCaseSql } from '@hub/access';
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
 * The SQL of a doctor's queue: unassigned submitted cases of their specialties, from missions their hospital
 * serves (a backup hospital's only once escalated), by urgency then deadline, after the keyset `after`.
 *
 * One branch per (specialty, mission), each walking the partial index referral_cases_queue_idx in queue order and
 * stopping after `limit` rows, merged in order and cut again: the cost follows the page size, not the queue's.
 * Exported so the queue benchmark's raw-SQL baseline runs the very same query.
 */
export function queueQuery(scope: ClinicalScope, after: unknown[] | null, limit: number): { text: string; params: unknown[] } {
  const params: unknown[] = [limit];
  let keyset = '';
  if (after) {
    params.push(after[0], after[1], after[2]);
    keyset = ` AND (c.urgency_rank, c.deadline_at, c.id) > ($2::smallint, $3::timestamptz, $4::uuid)`;
  }
  const order = 'c.urgency_rank, c.deadline_at, c.id';
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  // One branch per (specialty, mission): an equality on both lets each walk the index in queue order.
  const targets = [
    ...scope.primaryMissionIds.map((m) => ({ m, backup: false })),
    ...scope.backupMissionIds.filter((m) => !scope.primaryMissionIds.includes(m)).map((m) => ({ m, backup: true })),
  ];
  // Sensitive cases (libs/access sensitive-records.ts) reach only their clinician and referring officer.
  const sensitive = sensitiveCaseSql('c', `${p(scope.userId)}::uuid`);
  const branches = scope.specialties.flatMap((code) =>
    targets.map(
      ({ m, backup }) => `(SELECT * FROM referral_cases c
        WHERE c.status = 'submitted' AND c.assigned_doctor_id IS NULL AND c.specialty_code = ${p(code)}
          AND c.mission_id = ${p(m)}::uuid${backup ? ' AND c.escalation_level >= 1' : ''}${keyset} AND ${sensitive}
        ORDER BY ${order} LIMIT $1)`,
    ),
  );
  if (!branches.length) branches.push('(SELECT * FROM referral_cases c WHERE false)');
  return { text: summarySql('true', order, '$1', branches.join(' UNION ALL ')), params };
}

/**
 * Case queries. Every list takes the caller's ClinicalScope and applies, in SQL, the same rules the CASL ability
 * applies to one record (see libs/access/src/clinical-scope.ts).
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
  async queue(scope: ClinicalScope, page: { cursor?: string; limit: number }, now: Date) {
    if (!scope.specialties.length) return { items: [], nextCursor: null };
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

  /** Cases of the caller's clinics, assigned to them, or of the missions they manage; newest first. */
  async mine(scope: ClinicalScope, page: { cursor?: string; limit: number }, now: Date) {
    const params: unknown[] = [scope.clinicFacilityIds, scope.userId, scope.managerMissionIds];
    let where = `(c.facility_id = ANY($1::uuid[]) OR c.assigned_doctor_id = $2 OR c.mission_id = ANY($3::uuid[])) AND ${sensitiveCaseSql('c', '$2::uuid')}`;
    const after = decode(page.cursor, ['time', 'uuid']);
    if (after) {
      params.push(after[0], after[1]);
      where += ` AND (c.created_at, c.id) < ($4::timestamptz, $5::uuid)`;
    }
    params.push(page.limit + 1);
    const rows: SummaryRow[] = await this.dataSource.query(summarySql(where, 'c.created_at DESC, c.id DESC', `$${params.length}`), params);
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

  // Recipients of notifications: only people who may see the case (memberships not past their rotation's end).

  async clinicStaff(facilityId: string, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id
        WHERE u.active AND m.role = 'field_medical_officer' AND m.facility_id = $1 AND (m.ends_at IS NULL OR m.ends_at > now())`,
      [facilityId],
    );
    return rows.map((r) => r.id);
  }

  /** Reference doctors of the specialty at hospitals serving the mission: Levels 2-3 (primary) or Level 4 (backup). */
  async doctorsFor(missionId: string, specialty: string, backup: boolean, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT u.id FROM users u
         JOIN memberships m ON m.user_id = u.id AND m.role = 'reference_doctor'
         JOIN facilities f ON f.id = m.facility_id AND f.active
         JOIN facility_missions fm ON fm.facility_id = f.id AND fm.mission_id = $1
        WHERE u.active AND $2 = ANY(u.specialties) AND ${backup ? 'f.level = 4' : 'f.level < 4'}
          AND (m.mission_id IS NULL OR m.mission_id = $1) AND (m.ends_at IS NULL OR m.ends_at > now())`,
      [missionId, specialty],
    );
    return rows.map((r) => r.id);
  }

  async healthManagers(missionId: string, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id
        WHERE u.active AND m.role = 'health_manager' AND m.mission_id = $1 AND (m.ends_at IS NULL OR m.ends_at > now())`,
      [missionId],
    );
    return rows.map((r) => r.id);
  }
}
