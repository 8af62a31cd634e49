import { Role } from '@hub/contracts';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AbilityFactory, subjectOf } from '../ability.factory';
import { Action, SubjectName } from '../permissions';
import type { Principal, PrincipalMembership } from '../principal';
import { AccessScope, SubjectPolicy } from '../policy/subject-policy';
import { FieldNodePolicy } from './field-node.policy';
import { NotificationPolicy } from './notification.policy';
import {
  CohortPolicy,
  CompliancePolicy,
  CoursePolicy,
  QuizAttemptPolicy,
  SignOffPolicy,
  TrainingRecordPolicy,
  trainingRecordScopeOf,
  TrainingResourcePolicy,
  TrainingRule,
  WaiverPolicy,
} from './training.policy';

/**
 * The access engine's promise for training records, notifications and field nodes, as case-policy.int-spec.ts holds
 * it for cases: for every caller below (trainers certified or not or by a waiver, health manager, mission
 * administrators of one or two missions, system administrator, learners reading their own, someone with no
 * membership), every action and a grid of records of two missions, of a Level 4 hospital serving both, and global
 * ones, the rows the policy's SQL selects on PostgreSQL are exactly the records the CASL ability allows.
 */
const M1 = '00000000-0000-4000-8000-0000000000a1';
const M2 = '00000000-0000-4000-8000-0000000000a2';
const F1 = '00000000-0000-4000-8000-0000000000f1'; // Level 1 clinic of M1
const F2 = '00000000-0000-4000-8000-0000000000f2'; // Level 1 clinic of M2
const F4 = '00000000-0000-4000-8000-0000000000f4'; // Level 4 hospital serving M1 and M2
const FACILITY_MISSIONS: Record<string, string[]> = { [F1]: [M1], [F2]: [M2], [F4]: [M1, M2] };

const u = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const L1 = u(0x101); // officer at F1 (M1)
const L2 = u(0x102); // officer at F2 (M2)
const L4 = u(0x104); // doctor at F4 (M1 and M2)
const L0 = u(0x100); // no membership
const T1 = u(0x201); // trainer of M1
const T12 = u(0x212); // trainer of M1 and M2 (waiver of M2 only)
const H2 = u(0x302); // health manager of M2
const A1 = u(0x401); // mission administrator of M1
const A12 = u(0x412); // mission administrator of M1 and M2
const SA = u(0x500); // system administrator (member of M1)

type Grant = { role: Role; missionId?: string; facilityId?: string };
/** Who holds which memberships, in the database and in the principals alike. */
const MEMBERS: Record<string, Grant[]> = {
  [L1]: [{ role: Role.FieldMedicalOfficer, facilityId: F1 }],
  [L2]: [{ role: Role.FieldMedicalOfficer, facilityId: F2 }],
  [L4]: [{ role: Role.ReferenceDoctor, facilityId: F4 }],
  [L0]: [],
  [T1]: [{ role: Role.Trainer, missionId: M1 }],
  [T12]: [{ role: Role.Trainer, missionId: M1 }, { role: Role.Trainer, missionId: M2 }],
  [H2]: [{ role: Role.HealthManager, missionId: M2 }],
  [A1]: [{ role: Role.MissionAdmin, missionId: M1 }],
  [A12]: [{ role: Role.MissionAdmin, missionId: M1 }, { role: Role.MissionAdmin, missionId: M2 }],
  [SA]: [{ role: Role.SystemAdmin, missionId: M1 }],
};
const reach = (g: Grant) => (g.missionId ? [g.missionId] : FACILITY_MISSIONS[g.facilityId!]);
const missionsOfUser = (id: string) => [...new Set(MEMBERS[id].flatMap(reach))].sort();

function principal(userId: string, extra: Partial<Principal> = {}): Principal {
  const memberships: PrincipalMembership[] = MEMBERS[userId].map((g, i) => ({
    id: `${userId}-${i}`,
    role: g.role,
    missionId: g.missionId ?? null,
    facilityId: g.facilityId ?? null,
    facilityLevel: g.facilityId === F4 ? 4 : g.facilityId ? 1 : null,
    missionIds: reach(g),
  }));
  return { userId, email: `${userId}@x`, displayName: userId, mfaEnabled: true, fullAccess: true, sessionId: 's', specialties: [], memberships, certifications: ['trainer'], ...extra };
}

const CALLERS: Record<string, Principal> = {
  'trainer of M1': principal(T1),
  'uncertified trainer of M1': principal(T1, { certifications: [] }),
  'trainer of M1 and M2 with a waiver of M2': principal(T12, { certificationScope: { trainer: [M2] } }),
  'health manager of M2': principal(H2),
  'mission administrator of M1': principal(A1),
  'mission administrator of M1 and M2': principal(A12),
  'system administrator': principal(SA, { certifications: [] }),
  'officer of M1 (self)': principal(L1),
  'Level 4 doctor (self)': principal(L4),
  'no membership': principal(L0),
};

/** Cohorts: C1 of M1 holds L1 and L4; C2 of M2 holds L2 and L4 (the missions of a sign-off's learner). */
const C1 = u(0xc01);
const C2 = u(0xc02);
const COHORT_MEMBERS: [string, string][] = [[C1, L1], [C1, L4], [C2, L2], [C2, L4]];
const cohortMissionsOf = (userId: string) => [...new Set(COHORT_MEMBERS.filter(([, x]) => x === userId).map(([c]) => (c === C1 ? M1 : M2)))].sort();

const LEARNERS = [L1, L2, L4, L0, T1, H2];
let seq = 0;
const id = () => `00000000-0000-4000-9000-${(++seq).toString(16).padStart(12, '0')}`;

interface Grid {
  policy: SubjectPolicy;
  table: string;
  columns: Record<string, string>;
  /** As the database holds them (snake-case columns). */
  rows: Record<string, unknown>[];
  /** As CASL sees them (the policy's fields), by id. */
  records: Record<string, unknown>[];
  actions: Action[];
}

function grids(): Grid[] {
  const out: Grid[] = [];
  const simple = (policy: SubjectPolicy, table: string, columns: Record<string, string>, recs: Record<string, unknown>[], actions: Action[], toRow: (r: Record<string, unknown>) => Record<string, unknown>) =>
    out.push({ policy, table, columns, records: recs, rows: recs.map(toRow), actions });
  const ALL = [Action.Read, Action.Create, Action.Update, Action.Delete];

  const courses = [M1, M2, null].flatMap((missionId) => ['draft', 'published', 'archived'].map((status) => ({ id: id(), missionId, status })));
  simple(CoursePolicy, 'training_courses', { id: 'uuid', mission_id: 'uuid', status: 'text' }, courses, ALL, (r) => ({ id: r.id, mission_id: r.missionId, status: r.status }));
  const resources = [M1, M2, null].map((missionId) => ({ id: id(), missionId }));
  simple(TrainingResourcePolicy, 'training_resources', { id: 'uuid', mission_id: 'uuid' }, resources, ALL, (r) => ({ id: r.id, mission_id: r.missionId }));
  const cohorts = [{ id: C1, missionId: M1 }, { id: C2, missionId: M2 }];
  simple(CohortPolicy, 'training_cohorts', { id: 'uuid', mission_id: 'uuid' }, cohorts, ALL, (r) => ({ id: r.id, mission_id: r.missionId }));
  const waivers = [M1, M2].flatMap((missionId) => LEARNERS.map((userId) => ({ id: id(), missionId, userId })));
  simple(WaiverPolicy, 'training_waivers', { id: 'uuid', mission_id: 'uuid', user_id: 'uuid' }, waivers, ALL, (r) => ({ id: r.id, mission_id: r.missionId, user_id: r.userId }));
  simple(CompliancePolicy, 'missions', { id: 'uuid', active: 'boolean' }, [M1, M2].map((m) => ({ id: m, missionId: m })), [Action.Read], (r) => ({ id: r.id, active: true }));
  // A learner's records: `missionIds` are the missions their memberships reach (computed here, by SQL in the policy).
  const certificates = LEARNERS.flatMap((userId) => [0, 1].map(() => ({ id: id(), userId, missionIds: missionsOfUser(userId) })));
  simple(TrainingRecordPolicy, 'training_certificates', { id: 'uuid', user_id: 'uuid' }, certificates, ALL, (r) => ({ id: r.id, user_id: r.userId }));
  const signOffs = LEARNERS.map((userId) => ({ id: id(), userId, missionIds: cohortMissionsOf(userId) }));
  simple(SignOffPolicy, 'sign_off_candidates', { id: 'uuid', user_id: 'uuid' }, signOffs, ALL, (r) => ({ id: r.id, user_id: r.userId }));
  // Quiz attempts and notifications: the "manage all" of a system administrator is not in these policies' rules
  // (the restriction takes it back), so they agree for the actions their repositories use.
  const everyone = [...new Set([...LEARNERS, ...Object.values(CALLERS).map((p) => p.userId)])];
  const attempts = everyone.map((userId) => ({ id: id(), userId, courseId: courses[1].id }));
  simple(QuizAttemptPolicy, 'training_attempts', { id: 'uuid', user_id: 'uuid', course_id: 'uuid' }, attempts, [Action.Read, Action.Update], (r) => ({ id: r.id, user_id: r.userId, course_id: r.courseId }));
  const notifications = everyone.flatMap((userId) => [0, 1].map(() => ({ id: id(), userId })));
  simple(NotificationPolicy, 'notifications', { id: 'uuid', user_id: 'uuid' }, notifications, [Action.Read, Action.Update], (r) => ({ id: r.id, user_id: r.userId }));
  const nodes = [[M1, F1], [M2, F2], [M1, F1]].map(([missionId, facilityId]) => ({ id: id(), missionId, facilityId }));
  simple(FieldNodePolicy, 'field_nodes', { id: 'uuid', mission_id: 'uuid', facility_id: 'uuid' }, nodes, ALL, (r) => ({ id: r.id, mission_id: r.missionId, facility_id: r.facilityId }));
  return out;
}

describe('training, notification and field-node policies: the CASL rules and the SQL filter agree (PostgreSQL)', () => {
  let db: TestDatabase;
  const abilities = new AbilityFactory();
  const all = grids();

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q(`CREATE TABLE memberships (id serial PRIMARY KEY, user_id uuid NOT NULL, mission_id uuid, facility_id uuid)`);
    await q(`CREATE TABLE facility_missions (facility_id uuid NOT NULL, mission_id uuid NOT NULL)`);
    await q(`CREATE TABLE training_cohort_members (cohort_id uuid NOT NULL, user_id uuid NOT NULL)`);
    for (const g of all) {
      await q(`CREATE TABLE ${g.table} (${Object.entries(g.columns).map(([c, t]) => `${c} ${t}`).join(', ')})`);
      await q(`INSERT INTO ${g.table} SELECT * FROM json_populate_recordset(NULL::${g.table}, $1::json)`, [JSON.stringify(g.rows)]);
    }
    for (const [userId, grants] of Object.entries(MEMBERS)) {
      for (const x of grants) await q('INSERT INTO memberships (user_id, mission_id, facility_id) VALUES ($1, $2, $3)', [userId, x.missionId ?? null, x.facilityId ?? null]);
    }
    for (const [f, ms] of Object.entries(FACILITY_MISSIONS)) for (const m of ms) await q('INSERT INTO facility_missions VALUES ($1, $2)', [f, m]);
    for (const [c, userId] of COHORT_MEMBERS) await q('INSERT INTO training_cohort_members VALUES ($1, $2)', [c, userId]);
  });
  afterAll(async () => db?.drop());

  async function selected(g: Grid, scope: AccessScope, action: Action, only?: readonly string[]): Promise<string[]> {
    const params: unknown[] = [];
    const rows: { id: string }[] = await db.dataSource.query(`SELECT t.id FROM ${g.table} t WHERE ${scope.where('t', params, { action, only })} ORDER BY t.id`, params);
    return rows.map((r) => r.id);
  }
  const allowed = (g: Grid, p: Principal, action: Action) =>
    g.records.filter((r) => abilities.createFor(p).can(action, subjectOf(g.policy.subject, { ...r }))).map((r) => String(r.id)).sort();

  for (const g of all) {
    for (const [who, p] of Object.entries(CALLERS)) {
      it(`${g.policy.subject}, ${who}: SQL and CASL reach the same records for ${g.actions.join(', ')}`, async () => {
        const scope = AccessScope.of(g.policy as SubjectPolicy & { subject: SubjectName }, p);
        for (const action of g.actions) {
          const casl = allowed(g, p, action);
          expect({ action, ids: await selected(g, scope, action) }).toEqual({ action, ids: casl });
          expect({ action, ids: g.records.filter((r) => scope.matches({ ...r }, { action })).map((r) => String(r.id)).sort() }).toEqual({ action, ids: casl });
        }
      });
    }
  }

  const grid = (subject: SubjectName) => all.find((g) => g.policy.subject === subject)!;
  const holders = (ids: string[], g = grid('Certificate')) => [...new Set(ids.map((x) => g.records.find((r) => r.id === x)!.userId as string))].sort();

  it('training records: self, trainer, manager and administrator of the mission; another mission never', async () => {
    const g = grid('Certificate');
    const read = async (who: string) => holders(await selected(g, trainingRecordScopeOf(CALLERS[who]), Action.Read));
    expect(await read('officer of M1 (self)')).toEqual([L1]);
    expect(await read('no membership')).toEqual([L0]);
    expect(await read('trainer of M1')).toEqual([L1, L4, T1].sort());
    expect(await read('health manager of M2')).toEqual([L2, L4, H2].sort());
    expect(await read('mission administrator of M1')).toEqual([L1, L4, T1].sort());
    expect(await read('system administrator')).toEqual([...LEARNERS].sort());
    // Only the self rule: what "my status" lists.
    expect(holders(await selected(g, trainingRecordScopeOf(CALLERS['trainer of M1']), Action.Read, [TrainingRule.Self]))).toEqual([T1]);
    // Revoking: trainers only, and a learner of a shared hospital only by someone holding all its missions.
    expect(holders(await selected(g, trainingRecordScopeOf(CALLERS['trainer of M1']), Action.Update))).toEqual([L1, T1].sort());
    expect(holders(await selected(g, trainingRecordScopeOf(CALLERS['trainer of M1 and M2 with a waiver of M2']), Action.Update))).toEqual([L1, L2, L4, T1, H2].sort());
    expect(await selected(g, trainingRecordScopeOf(CALLERS['mission administrator of M1 and M2']), Action.Update)).toEqual([]);
  });

  it('sign-offs need a trainer certification; a waiver opens only its own mission', async () => {
    const g = grid('SignOff');
    const create = async (who: string) => holders(await selected(g, AccessScope.of(SignOffPolicy, CALLERS[who]), Action.Create), g);
    expect(await create('trainer of M1')).toEqual([L1, L4].sort());
    expect(await create('uncertified trainer of M1')).toEqual([]);
    expect(await create('trainer of M1 and M2 with a waiver of M2')).toEqual([L2]);
    expect(await create('system administrator')).toEqual([]);
    // An unconditional restriction also refuses the type-level check (the route answers CERTIFICATION_REQUIRED).
    expect(abilities.createFor(CALLERS['uncertified trainer of M1']).can(Action.Create, 'SignOff')).toBe(false);
    expect(abilities.createFor(CALLERS['trainer of M1']).can(Action.Create, 'SignOff')).toBe(true);
  });

  it("notifications and quiz attempts: one's own only, a system administrator's included", async () => {
    for (const [subject, policy] of [['Notification', NotificationPolicy], ['QuizAttempt', QuizAttemptPolicy]] as const) {
      const g = grid(subject);
      for (const p of Object.values(CALLERS)) {
        for (const action of [Action.Read, Action.Update]) {
          const ids = await selected(g, AccessScope.of(policy as SubjectPolicy & { subject: SubjectName }, p), action);
          expect(ids.length).toBeGreaterThan(0);
          expect(holders(ids, g)).toEqual([p.userId]);
        }
      }
    }
  });

  it('field nodes and courses: the mission administrators of the node; drafts only for who manages them', async () => {
    const nodes = grid('FieldNode');
    const missionsOf = (ids: string[]) => [...new Set(ids.map((x) => nodes.records.find((r) => r.id === x)!.missionId))];
    expect(missionsOf(await selected(nodes, AccessScope.of(FieldNodePolicy, CALLERS['mission administrator of M1']), Action.Update))).toEqual([M1]);
    expect(await selected(nodes, AccessScope.of(FieldNodePolicy, CALLERS['health manager of M2']), Action.Read)).toEqual([]);
    expect(await selected(nodes, AccessScope.of(FieldNodePolicy, CALLERS['trainer of M1']), Action.Read)).toEqual([]);
    expect((await selected(nodes, AccessScope.of(FieldNodePolicy, CALLERS['system administrator']), Action.Update)).length).toBe(nodes.records.length);

    const courses = grid('Course');
    const officer = await selected(courses, AccessScope.of(CoursePolicy, CALLERS['officer of M1 (self)']), Action.Read);
    expect(officer.map((x) => courses.records.find((r) => r.id === x)!.missionId).every((m) => m === M1 || m === null)).toBe(true);
    expect(await selected(courses, AccessScope.of(CoursePolicy, CALLERS['officer of M1 (self)']), Action.Update)).toEqual([]);
    const trainer = await selected(courses, AccessScope.of(CoursePolicy, CALLERS['trainer of M1']), Action.Update);
    expect(trainer.map((x) => courses.records.find((r) => r.id === x)!.missionId).every((m) => m === M1)).toBe(true);
    expect(trainer.length).toBe(3);
  });
});
