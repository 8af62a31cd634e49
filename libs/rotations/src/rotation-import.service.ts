import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Action, actorOf, CallerContext, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import { Role, type RotationImportResult, type RotationRowReport } from '@hub/contracts';
import { Membership, PasswordService, User } from '@hub/identity';
import { Cohort, CohortCourse, Course } from '@hub/training';
import { RotationImportDto } from './dto/rotations.dto';

export const ROTATION_COLUMNS = ['name', 'email', 'role', 'facility', 'start', 'end'] as const;
/** Roles an incoming rotation may bring; administrators are appointed one by one, never by a file. */
const IMPORTABLE: Role[] = [Role.FieldMedicalOfficer, Role.ReferenceDoctor, Role.HealthManager, Role.Trainer];
const FACILITY_ROLES: Role[] = [Role.FieldMedicalOfficer, Role.ReferenceDoctor];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600 * 1000;

interface Row {
  line: number;
  name: string;
  email: string;
  role: Role;
  facilityId: string | null;
  startsAt: Date;
  /** The end date is the rotation's last day: rights end at the end of it (UTC). */
  endsAt: Date;
}

/**
 * Imports an incoming rotation from a CSV file (name, email, role, facility, start, end) into user accounts with a
 * dated membership, and one training cohort, in one transaction. Every row is checked first; a refused row is
 * reported with its line and the column at fault and stores nothing, the good rows are stored. A row already
 * imported (same address, same membership) counts as such: sending the file again changes nothing (and with an
 * Idempotency-Key the first answer is replayed).
 *
 * New accounts get a random password nobody knows: an administrator sets one (PATCH /api/users/:id) before handing
 * it over, and the person changes it.
 */
@Injectable()
export class RotationImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async import(caller: CallerContext, dto: RotationImportDto): Promise<RotationImportResult> {
    const { missionId } = dto;
    const may = (action: Action, type: 'User' | 'Membership') => caller.ability.can(action, subjectOf(type, { missionIds: [missionId] }));
    const mission: { id: string }[] = await this.dataSource.query('SELECT id FROM missions WHERE id = $1 AND active', [missionId]);
    if (!mission.length || !may(Action.Create, 'User') || !may(Action.Create, 'Membership')) {
      throw DomainException.notFound('Mission').deniedOn({ action: 'rotation.import', subjectType: 'Mission', subjectId: missionId, missionId: mission.length ? missionId : null });
    }
    const records = this.parse(dto.csv);
    const facilities: { id: string; name: string }[] = await this.dataSource.query(
      `SELECT f.id, f.name FROM facilities f JOIN facility_missions fm ON fm.facility_id = f.id WHERE fm.mission_id = $1 AND f.active`,
      [missionId],
    );
    const reports: RotationRowReport[] = [];
    const good: Row[] = [];
    const seen = new Map<string, number>();
    records.forEach((r, i) => {
      const line = i + 2;
      const email = (r.email ?? '').trim().toLowerCase();
      const refuse = (reason: string) => reports.push({ line, email: email || null, status: 'refused', reason, userId: null });
      const name = (r.name ?? '').trim();
      if (!name) return refuse('name: must not be empty');
      if (name.length > 200) return refuse('name: at most 200 characters');
      if (!EMAIL.test(email) || email.length > 320) return refuse('email: must be an email address');
      if (seen.has(email)) return refuse(`email: already on line ${seen.get(email)}`);
      seen.set(email, line);
      const role = (r.role ?? '').trim().toLowerCase() as Role;
      if (!IMPORTABLE.includes(role)) return refuse(`role: must be one of ${IMPORTABLE.join(', ')}`);
      const facilityText = (r.facility ?? '').trim();
      let facilityId: string | null = null;
      if (facilityText) {
        const f = facilities.find((x) => x.id === facilityText || x.name.toLowerCase() === facilityText.toLowerCase());
        if (!f) return refuse(`facility: no facility of this mission is named "${facilityText.slice(0, 100)}"`);
        facilityId = f.id;
      } else if (FACILITY_ROLES.includes(role)) {
        return refuse(`facility: a ${role} works at a facility; name it`);
      }
      const start = (r.start ?? '').trim();
      const end = (r.end ?? '').trim();
      const startsAt = DATE.test(start) ? new Date(`${start}T00:00:00Z`) : null;
      const lastDay = DATE.test(end) ? new Date(`${end}T00:00:00Z`) : null;
      if (!startsAt || Number.isNaN(startsAt.getTime()) || startsAt.toISOString().slice(0, 10) !== start) return refuse('start: must be a date (YYYY-MM-DD)');
      if (!lastDay || Number.isNaN(lastDay.getTime()) || lastDay.toISOString().slice(0, 10) !== end) return refuse('end: must be a date (YYYY-MM-DD)');
      if (lastDay < startsAt) return refuse('end: must not be before start');
      good.push({ line, name, email, role, facilityId, startsAt, endsAt: new Date(lastDay.getTime() + DAY_MS) });
    });
    // Hashes of random passwords, outside the transaction (slow by design).
    const hashes = new Map<string, string>();
    for (const r of good) hashes.set(r.email, await this.passwords.hash(randomBytes(32).toString('base64url')));

    return this.dataSource.transaction(async (m) => {
      const cohort = await this.cohort(m, caller, dto, good);
      for (const r of good) {
        const existing = await m.getRepository(User).findOneBy({ email: r.email });
        let userId: string;
        if (existing) {
          const same = await m.getRepository(Membership).findOneBy({
            userId: existing.id,
            role: r.role,
            missionId: r.facilityId ? IsNull() : missionId,
            facilityId: r.facilityId ?? IsNull(),
          });
          if (!same) {
            // The address is someone's account (perhaps in another mission): the same words whoever holds it.
            reports.push({ line: r.line, email: r.email, status: 'refused', reason: 'email: this address already has an account; add the membership from the user’s page', userId: null });
            continue;
          }
          userId = existing.id;
          reports.push({ line: r.line, email: r.email, status: 'already_imported', reason: null, userId });
        } else {
          const user = await m.getRepository(User).save(m.create(User, { email: r.email, displayName: r.name, passwordHash: hashes.get(r.email)!, specialties: [] }));
          await m.getRepository(Membership).save(
            m.create(Membership, {
              userId: user.id,
              role: r.role,
              missionId: r.facilityId ? null : missionId,
              facilityId: r.facilityId,
              startsAt: r.startsAt,
              endsAt: r.endsAt,
            }),
          );
          userId = user.id;
          reports.push({ line: r.line, email: r.email, status: 'created', reason: null, userId });
          await this.audit.record({ ...actorOf(caller), action: 'user.create', outcome: 'success', missionId, subjectType: 'User', subjectId: user.id, details: { rotationImport: cohort.id, line: r.line } }, m);
        }
        await m.query('INSERT INTO training_cohort_members (cohort_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [cohort.id, userId]);
      }
      reports.sort((a, b) => a.line - b.line);
      const count = (s: RotationRowReport['status']) => reports.filter((r) => r.status === s).length;
      const result: RotationImportResult = {
        cohortId: cohort.id,
        cohortName: cohort.name,
        created: count('created'),
        alreadyImported: count('already_imported'),
        refused: count('refused'),
        rows: reports,
      };
      await this.audit.record(
        { ...actorOf(caller), action: 'rotation.import', outcome: 'success', missionId, subjectType: 'Cohort', subjectId: cohort.id, details: { created: result.created, alreadyImported: result.alreadyImported, refused: result.refused } },
        m,
      );
      return result;
    });
  }

  /** The CSV rows as records keyed by the (lower-case) header; a missing column or unreadable file is a 400 on csv. */
  private parse(csv: string): Record<string, string>[] {
    let rows: string[][];
    try {
      rows = parse(csv, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
    } catch (e) {
      throw DomainException.invalid('csv', `the file cannot be read as CSV (${(e as Error).message.slice(0, 200)})`);
    }
    if (!rows.length) throw DomainException.invalid('csv', 'the file is empty');
    const header = rows[0].map((h) => h.trim().toLowerCase());
    const missing = ROTATION_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length) throw DomainException.invalid('csv', `the header must name the columns ${ROTATION_COLUMNS.join(', ')}; missing: ${missing.join(', ')}`);
    if (rows.length > 2001) throw DomainException.invalid('csv', 'at most 2000 rows per file');
    return rows.slice(1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }

  /** The rotation's cohort: the mission's cohort of that name (a retry), else a new one spanning the rows' dates. */
  private async cohort(m: EntityManager, caller: CallerContext, dto: RotationImportDto, rows: Row[]): Promise<Cohort> {
    const name = dto.cohortName.trim();
    const found = await m.getRepository(Cohort).findOneBy({ missionId: dto.missionId, name });
    const courseIds = [...new Set(dto.courseIds ?? [])];
    if (courseIds.length) {
      const courses = await m.find(Course, { where: { id: In(courseIds) } });
      const ok = new Set(courses.filter((c) => c.missionId === null || c.missionId === dto.missionId).map((c) => c.id));
      const bad = courseIds.findIndex((id) => !ok.has(id));
      if (bad >= 0) throw DomainException.invalid(`courseIds.${bad}`, "is not a course of the mission's");
    }
    if (found) {
      if (courseIds.length) await m.query('INSERT INTO training_cohort_courses (cohort_id, course_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [found.id, courseIds]);
      return found;
    }
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const starts = rows.map((r) => r.startsAt.getTime());
    const ends = rows.map((r) => r.endsAt.getTime() - DAY_MS);
    const cohort = await m.save(
      m.create(Cohort, {
        missionId: dto.missionId,
        name,
        description: 'Incoming rotation (imported from a CSV file)',
        startsOn: starts.length ? day(new Date(Math.min(...starts))) : null,
        endsOn: ends.length ? day(new Date(Math.max(...ends))) : null,
        createdById: caller.principal.userId,
      }),
    );
    if (courseIds.length) await m.insert(CohortCourse, courseIds.map((courseId) => ({ cohortId: cohort.id, courseId })));
    await this.audit.record({ ...actorOf(caller), action: 'training.cohort_created', outcome: 'success', missionId: dto.missionId, subjectType: 'Cohort', subjectId: cohort.id, details: { rotationImport: true } }, m);
    return cohort;
  }
}
