import { Role } from '@hub/contracts';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AbilityFactory, subjectOf } from '../ability.factory';
import { Action } from '../permissions';
import type { Principal } from '../principal';
import { AccessScope, SubjectPolicy } from '../policy/subject-policy';
import { CasePolicy, CaseRule, caseScopeOf, emergencyGrantFor, MY_CASES, PatientPolicy, patientScopeOf, QUEUE_CASES } from './case.policy';
import { member, principal } from './test-principals';

/**
 * The engine's promise: one policy per subject yields the CASL rules (record checks) and the SQL filter (lists), and
 * they agree. For every caller below, every action and a grid of case records, the set of records the SQL of
 * `AccessScope` selects on real PostgreSQL equals the set the CASL ability allows, record by record.
 */
const M1 = '00000000-0000-4000-8000-0000000000a1';
const M2 = '00000000-0000-4000-8000-0000000000a2';
const F1 = '00000000-0000-4000-8000-0000000000f1'; // Level 1 clinic of M1
const F3 = '00000000-0000-4000-8000-0000000000f3'; // Level 1 clinic of M2
const F2 = '00000000-0000-4000-8000-0000000000f2'; // Level 2 hospital of M1
const F4 = '00000000-0000-4000-8000-0000000000f4'; // Level 4 hospital serving M1 and M2
const DOC_A = '00000000-0000-4000-8000-00000000d0a0';
const DOC_B = '00000000-0000-4000-8000-00000000d0b0';
const OFFICER = '00000000-0000-4000-8000-00000000c0c0';
const OTHER_OFFICER = '00000000-0000-4000-8000-00000000c0c1';


const CALLERS: Record<string, Principal> = {
  officer: principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)]),
  'uncertified officer': principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)], { certifications: [] }),
  'officer in two missions, waiver of M2 only': principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1), member(Role.FieldMedicalOfficer, [M2], F3, 1)], {
    certifications: ['telemedicine_user'],
    certificationScope: { telemedicine_user: [M2] },
  }),
  'L2 doctor': principal(DOC_A, [member(Role.ReferenceDoctor, [M1], F2, 2)], { specialties: ['dermatology'] }),
  'L4 doctor': principal(DOC_B, [member(Role.ReferenceDoctor, [M1, M2], F4, 4)], { specialties: ['dermatology', 'cardiology'] }),
  'L4 doctor with a waiver of M1': principal(DOC_B, [member(Role.ReferenceDoctor, [M1, M2], F4, 4)], {
    specialties: ['cardiology'],
    certifications: ['telemedicine_consultant'],
    certificationScope: { telemedicine_consultant: [M1] },
  }),
  'health manager': principal('00000000-0000-4000-8000-0000000000e1', [member(Role.HealthManager, [M2])]),
  'system administrator': principal('00000000-0000-4000-8000-0000000000e2', [member(Role.SystemAdmin, [M1, M2])]),
  trainer: principal('00000000-0000-4000-8000-0000000000e3', [member(Role.Trainer, [M1])]),
};

interface CaseRecord {
  id: string;
  missionId: string;
  facilityId: string;
  status: string;
  specialtyCode: string;
  escalationLevel: number;
  assignedDoctorId: string | null;
  requestedById: string | null;
  sensitive: boolean;
}

function grid(): CaseRecord[] {
  const out: CaseRecord[] = [];
  for (const [missionId, facilityId] of [[M1, F1], [M2, F3], [M1, F3]])
    for (const status of ['draft', 'submitted', 'accepted'])
      for (const specialtyCode of ['dermatology', 'cardiology'])
        for (const escalationLevel of [0, 1])
          for (const assignedDoctorId of [null, DOC_A, DOC_B])
            for (const [requestedById, sensitive] of [[OFFICER, false], [OFFICER, true], [OTHER_OFFICER, true]] as const) {
              const i = out.length.toString(16).padStart(12, '0');
              out.push({ id: `00000000-0000-4000-9000-${i}`, missionId, facilityId, status, specialtyCode, escalationLevel, assignedDoctorId, requestedById, sensitive });
            }
  return out;
}

/**
 * Break-the-glass grants (the `emergency-access` rule): chosen from the grid so that each kind is present — a case of
 * another clinic of the officer's mission (reached), a sensitive one (refused by the restriction), one of a mission
 * where the caller is no clinician (refused), and a grant naming another mission than its case's (refused).
 */
const GRID = grid();
const pick = (f: (r: CaseRecord) => boolean) => GRID.find(f)!;
const EMERGENCY = {
  reached: pick((r) => r.missionId === M1 && r.facilityId === F3 && r.status === 'draft' && !r.sensitive && r.assignedDoctorId === null),
  sensitive: pick((r) => r.missionId === M1 && r.facilityId === F3 && r.status === 'draft' && r.sensitive && r.requestedById === OTHER_OFFICER),
  otherMission: pick((r) => r.missionId === M2 && r.status === 'draft' && !r.sensitive),
  wrongMission: pick((r) => r.missionId === M1 && r.facilityId === F3 && r.status === 'submitted' && !r.sensitive && r.specialtyCode === 'cardiology'),
};
const grantOf = (r: CaseRecord, missionId = r.missionId) => ({ id: `g-${r.id}`, caseId: r.id, missionId, reason: 'unconscious', expiresAt: '2099-01-01T00:00:00Z' });
const EMERGENCY_GRANTS = [grantOf(EMERGENCY.reached), grantOf(EMERGENCY.sensitive), grantOf(EMERGENCY.otherMission), grantOf(EMERGENCY.wrongMission, M2)];
CALLERS['officer with emergency grants'] = principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)], { emergencyAccess: EMERGENCY_GRANTS });
CALLERS['L2 doctor with emergency grants'] = principal(DOC_A, [member(Role.ReferenceDoctor, [M1], F2, 2)], { specialties: ['dermatology'], emergencyAccess: EMERGENCY_GRANTS });
CALLERS['health manager with a grant (no clinician)'] = principal('00000000-0000-4000-8000-0000000000e1', [member(Role.HealthManager, [M2])], { emergencyAccess: [grantOf(EMERGENCY.otherMission)] });

describe('case and patient policies: the CASL rules and the SQL filter agree (PostgreSQL)', () => {
  let db: TestDatabase;
  const records = GRID;
  const abilities = new AbilityFactory();

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await db.dataSource.query(`CREATE TABLE cases (id uuid PRIMARY KEY, mission_id uuid NOT NULL, facility_id uuid NOT NULL, status text NOT NULL,
      specialty_code text NOT NULL, escalation_level int NOT NULL, assigned_doctor_id uuid, requested_by_id uuid, sensitive boolean NOT NULL)`);
    await db.dataSource.query(
      `INSERT INTO cases SELECT * FROM json_populate_recordset(NULL::cases, $1::json)`,
      [JSON.stringify(records.map((r) => ({ id: r.id, mission_id: r.missionId, facility_id: r.facilityId, status: r.status, specialty_code: r.specialtyCode, escalation_level: r.escalationLevel, assigned_doctor_id: r.assignedDoctorId, requested_by_id: r.requestedById, sensitive: r.sensitive })))],
    );
  });
  afterAll(async () => db?.drop());

  async function selected(scope: AccessScope, action: Action, only?: readonly string[]): Promise<string[]> {
    const params: unknown[] = [];
    const rows: { id: string }[] = await db.dataSource.query(`SELECT c.id FROM cases c WHERE ${scope.where('c', params, { action, only })} ORDER BY c.id`, params);
    return rows.map((r) => r.id);
  }

  for (const [who, p] of Object.entries(CALLERS)) {
    it(`${who}: SQL and CASL reach the same cases for read, refer and consult`, async () => {
      const ability = abilities.createFor(p);
      for (const action of [Action.Read, Action.Refer, Action.Consult]) {
        const casl = records.filter((r) => ability.can(action, subjectOf('Case', r))).map((r) => r.id).sort();
        expect({ action, ids: await selected(caseScopeOf(p), action) }).toEqual({ action, ids: casl });
        // and the in-code matcher of the same rules
        expect({ action, ids: records.filter((r) => caseScopeOf(p).matches({ ...r }, { action })).map((r) => r.id).sort() }).toEqual({ action, ids: casl });
      }
      // "My cases" is a subset of what they may read.
      const mine = await selected(caseScopeOf(p), Action.Read, MY_CASES);
      expect(mine.every((id) => ability.can(Action.Read, subjectOf('Case', records.find((r) => r.id === id)!)))).toBe(true);
    });
  }

  it('the callers above reach something and are refused something (the grid exercises every rule)', async () => {
    const reached = await selected(caseScopeOf(CALLERS['L4 doctor']), Action.Read);
    expect(reached.length).toBeGreaterThan(0);
    expect(reached.length).toBeLessThan(records.length);
    expect(await selected(caseScopeOf(CALLERS['system administrator']), Action.Read)).toEqual([]);
    expect(await selected(caseScopeOf(CALLERS['uncertified officer']), Action.Refer)).toEqual([]);
    expect((await selected(caseScopeOf(CALLERS['uncertified officer']), Action.Read)).length).toBeGreaterThan(0);
    // The waiver of M2 opens no M1 case for referral (issue 12, finding 2).
    const refer = await selected(caseScopeOf(CALLERS['officer in two missions, waiver of M2 only']), Action.Refer);
    expect(refer.length).toBeGreaterThan(0);
    expect(refer.every((id) => records.find((r) => r.id === id)!.missionId === M2)).toBe(true);
  });

  it('a restriction added to a policy is one entry, honoured by CASL and SQL alike', async () => {
    // Another restriction beside sensitive-record: cardiology cases only for the assigned doctor.
    const restricted: SubjectPolicy & { subject: 'Case' } = {
      ...CasePolicy,
      rules: (p) => [
        ...CasePolicy.rules(p),
        { name: 'cardiology-assigned-only', restricts: true, actions: [Action.Read, Action.Consult], conditions: { specialtyCode: 'cardiology', assignedDoctorId: { $ne: p.userId } } },
      ],
    };
    const p = CALLERS['L4 doctor'];
    const scope = AccessScope.of(restricted, p);
    const { AbilityBuilder, createMongoAbility } = await import('@casl/ability');
    const builder = new AbilityBuilder(createMongoAbility);
    const { applyPolicy } = await import('../policy/subject-policy');
    applyPolicy(builder, restricted, p);
    const ability = builder.build();
    const casl = records.filter((r) => ability.can(Action.Read, subjectOf('Case', r))).map((r) => r.id).sort();
    const sql = await selected(scope, Action.Read);
    expect(sql).toEqual(casl);
    expect(sql.length).toBeLessThan((await selected(caseScopeOf(p), Action.Read)).length);
    expect(sql.every((id) => { const r = records.find((x) => x.id === id)!; return r.specialtyCode !== 'cardiology' || r.assignedDoctorId === p.userId; })).toBe(true);
  });

  it('sensitive records: only the assigned doctor and the referring officer reach them, in SQL as in CASL', async () => {
    const sensitive = (ids: string[]) => ids.map((id) => records.find((r) => r.id === id)!).filter((r) => r.sensitive);
    // The officer reaches the sensitive cases they referred, never those another officer of the clinic referred.
    const officer = sensitive(await selected(caseScopeOf(CALLERS.officer), Action.Read));
    expect(officer.length).toBeGreaterThan(0);
    expect(officer.every((r) => r.requestedById === OFFICER)).toBe(true);
    // A doctor reaches a sensitive case only when it is assigned to them (not through the queue of their specialty).
    const doctor = sensitive(await selected(caseScopeOf(CALLERS['L2 doctor']), Action.Read));
    expect(doctor.length).toBeGreaterThan(0);
    expect(doctor.every((r) => r.assignedDoctorId === DOC_A)).toBe(true);
    expect(sensitive(await selected(caseScopeOf(CALLERS['L2 doctor']), Action.Read, QUEUE_CASES)).every((r) => r.assignedDoctorId === DOC_A)).toBe(true);
    // Health managers and administrators reach none.
    expect(sensitive(await selected(caseScopeOf(CALLERS['health manager']), Action.Read))).toEqual([]);
    expect(sensitive(await selected(caseScopeOf(CALLERS['system administrator']), Action.Read))).toEqual([]);
  });

  it('break-the-glass: a grant reaches its case in a mission where the caller is a clinician, read only, never a sensitive one', async () => {
    for (const who of ['officer with emergency grants', 'L2 doctor with emergency grants']) {
      const p = CALLERS[who];
      const base = CALLERS[who === 'officer with emergency grants' ? 'officer' : 'L2 doctor'];
      const withGrants = await selected(caseScopeOf(p), Action.Read);
      const without = await selected(caseScopeOf(base), Action.Read);
      // Exactly one more case: the granted one, not the sensitive, other-mission or mismatched grants.
      expect(withGrants.filter((id) => !without.includes(id))).toEqual([EMERGENCY.reached.id]);
      expect(without).not.toContain(EMERGENCY.reached.id);
      // In "my cases" while it runs; and only for reading.
      expect(await selected(caseScopeOf(p), Action.Read, MY_CASES)).toContain(EMERGENCY.reached.id);
      expect(await selected(caseScopeOf(p), Action.Refer)).toEqual(await selected(caseScopeOf(base), Action.Refer));
      expect(await selected(caseScopeOf(p), Action.Consult)).toEqual(await selected(caseScopeOf(base), Action.Consult));
      expect(await selected(caseScopeOf(p), Action.Read, [CaseRule.EmergencyAccess])).toEqual([EMERGENCY.reached.id]);
      // Reads under it are recognised as emergency access; normal reads are not.
      expect(emergencyGrantFor(p, { ...EMERGENCY.reached })?.caseId).toBe(EMERGENCY.reached.id);
      const normal = records.find((r) => without.includes(r.id))!;
      expect(emergencyGrantFor(p, { ...normal })).toBeNull();
    }
    expect(await selected(caseScopeOf(CALLERS['health manager with a grant (no clinician)']), Action.Read)).toEqual(await selected(caseScopeOf(CALLERS['health manager']), Action.Read));
  });

  it('patients: SQL and CASL agree for read, create and update', async () => {
    await db.dataSource.query(`CREATE TABLE patients (id uuid PRIMARY KEY, mission_id uuid NOT NULL)`);
    const patients = [M1, M2, M1, M2].map((missionId, i) => ({ id: `00000000-0000-4000-a000-00000000000${i}`, missionId }));
    for (const x of patients) await db.dataSource.query('INSERT INTO patients VALUES ($1, $2)', [x.id, x.missionId]);
    for (const p of Object.values(CALLERS)) {
      const ability = abilities.createFor(p);
      for (const action of [Action.Read, Action.Create, Action.Update]) {
        const params: unknown[] = [];
        const rows: { id: string }[] = await db.dataSource.query(`SELECT p.id FROM patients p WHERE ${patientScopeOf(p).where('p', params, { action })} ORDER BY p.id`, params);
        expect(rows.map((r) => r.id)).toEqual(patients.filter((x) => ability.can(action, subjectOf('Patient', x))).map((x) => x.id).sort());
      }
    }
    expect(PatientPolicy.subject).toBe('Patient');
  });
});
