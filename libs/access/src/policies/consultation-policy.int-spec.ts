import { Role } from '@hub/contracts';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AbilityFactory, subjectOf } from '../ability.factory';
import { Action } from '../permissions';
import type { Principal } from '../principal';
import { AccessScope } from '../policy/subject-policy';
import { attachmentRecordOf, AttachmentRule, attachmentScopeOf } from './attachment.policy';
import { CaseRule, caseScopeOf, writesInCaseThread } from './case.policy';
import { consultationRecordOf, ConsultationRule, consultationScopeOf, MY_CONSULTATIONS } from './consultation.policy';
import { member, principal } from './test-principals';

/**
 * The consultation and attachment policies keep the engine's promise (see case-policy.int-spec.ts): for every caller
 * below, every action and a grid of sessions (about cases of two missions, sensitive or not, and without a case,
 * with participants and invitations of every kind) and of attachments, the rows the SQL of `AccessScope` selects on
 * real PostgreSQL are exactly the records the CASL ability allows; the access record the SQL loads for a check holds
 * the values the grid put there; and the rules derived from the case policy give what the case's own checks give.
 */
const M1 = '00000000-0000-4000-8000-0000000000a1';
const M2 = '00000000-0000-4000-8000-0000000000a2';
const F1 = '00000000-0000-4000-8000-0000000000f1'; // Level 1 clinic of M1
const F3 = '00000000-0000-4000-8000-0000000000f3'; // Level 1 clinic of M2
const F2 = '00000000-0000-4000-8000-0000000000f2'; // Level 2 hospital of M1
const F4 = '00000000-0000-4000-8000-0000000000f4'; // Level 4 hospital serving M1 and M2
const F5 = '00000000-0000-4000-8000-0000000000f5'; // Level 2 hospital of M2
const DOC_A = '00000000-0000-4000-8000-00000000d0a0';
const DOC_B = '00000000-0000-4000-8000-00000000d0b0';
const DOC_M2 = '00000000-0000-4000-8000-00000000d0c0';
const OFFICER = '00000000-0000-4000-8000-00000000c0c0';
const OTHER_OFFICER = '00000000-0000-4000-8000-00000000c0c1';
const INVITEE = '00000000-0000-4000-8000-0000000001e1'; // named by an open invitation
const LATE_INVITEE = '00000000-0000-4000-8000-0000000001e2'; // named by an expired one
const REVOKED_INVITEE = '00000000-0000-4000-8000-0000000001e3'; // named by a revoked one
const GUEST = '00000000-0000-4000-8000-0000000001e4'; // let in by a link whose invitation stands
const EX_GUEST = '00000000-0000-4000-8000-0000000001e5'; // let in by a link since revoked


const CALLERS: Record<string, Principal> = {
  officer: principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)]),
  'other officer of the clinic': principal(OTHER_OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)]),
  'uncertified officer': principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1)], { certifications: [] }),
  'officer in two missions, waiver of M2 only': principal(OFFICER, [member(Role.FieldMedicalOfficer, [M1], F1, 1), member(Role.FieldMedicalOfficer, [M2], F3, 1)], {
    certifications: ['telemedicine_user'],
    certificationScope: { telemedicine_user: [M2] },
  }),
  'L2 doctor': principal(DOC_A, [member(Role.ReferenceDoctor, [M1], F2, 2)], { specialties: ['dermatology'] }),
  'uncertified L2 doctor': principal(DOC_A, [member(Role.ReferenceDoctor, [M1], F2, 2)], { specialties: ['dermatology'], certifications: [] }),
  'L4 doctor': principal(DOC_B, [member(Role.ReferenceDoctor, [M1, M2], F4, 4)], { specialties: ['dermatology', 'cardiology'] }),
  'L4 doctor with a waiver of M1': principal(DOC_B, [member(Role.ReferenceDoctor, [M1, M2], F4, 4)], {
    specialties: ['cardiology'],
    certifications: ['telemedicine_consultant'],
    certificationScope: { telemedicine_consultant: [M1] },
  }),
  'doctor of another mission': principal(DOC_M2, [member(Role.ReferenceDoctor, [M2], F5, 2)], { specialties: ['dermatology'] }),
  'health manager of M1': principal('00000000-0000-4000-8000-0000000000e1', [member(Role.HealthManager, [M1])]),
  'system administrator': principal('00000000-0000-4000-8000-0000000000e2', [member(Role.SystemAdmin, [M1, M2])]),
  trainer: principal('00000000-0000-4000-8000-0000000000e3', [member(Role.Trainer, [M1])]),
  'invited outsider': principal(INVITEE, [member(Role.Trainer, [M2])]),
  'late invitee': principal(LATE_INVITEE, []),
  'revoked invitee': principal(REVOKED_INVITEE, []),
  'link guest': principal(GUEST, []),
  'revoked link guest': principal(EX_GUEST, []),
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
interface Invitation {
  id: string;
  sessionId: string;
  invitedUserId: string | null;
  revoked: boolean;
  expired: boolean;
}
interface Participant {
  sessionId: string;
  userId: string;
  invitationId: string | null;
}
interface Session {
  id: string;
  missionId: string;
  caseId: string | null;
  hostId: string;
}

const uuid = (group: string, i: number) => `00000000-0000-4000-${group}-${i.toString(16).padStart(12, '0')}`;

function grid() {
  const cases: CaseRecord[] = [];
  for (const [missionId, facilityId] of [[M1, F1], [M2, F3]])
    for (const status of ['submitted', 'accepted', 'closed'])
      for (const escalationLevel of [0, 1])
        for (const assignedDoctorId of [null, DOC_A, DOC_B])
          for (const [requestedById, sensitive] of [[OFFICER, false], [OFFICER, true], [OTHER_OFFICER, true]] as const)
            cases.push({ id: uuid('9000', cases.length), missionId, facilityId, status, specialtyCode: 'dermatology', escalationLevel, assignedDoctorId, requestedById, sensitive });
  const sessions: Session[] = [];
  const invitations: Invitation[] = [];
  const participants: Participant[] = [];
  const hosts = [DOC_A, DOC_B, DOC_M2];
  const add = (missionId: string, caseId: string | null, hostId: string) => {
    const s: Session = { id: uuid('a000', sessions.length), missionId, caseId, hostId };
    const k = sessions.length;
    sessions.push(s);
    participants.push({ sessionId: s.id, userId: hostId, invitationId: null });
    const invite = (invitedUserId: string | null, revoked: boolean, expired: boolean) => {
      const inv = { id: uuid('b000', invitations.length), sessionId: s.id, invitedUserId, revoked, expired };
      invitations.push(inv);
      return inv;
    };
    // Each session gets some of the kinds of invitation and participant, so every combination occurs somewhere.
    if (k % 2 === 0) invite(INVITEE, false, false);
    if (k % 3 === 0) invite(LATE_INVITEE, false, true);
    if (k % 4 === 1) invite(REVOKED_INVITEE, true, false);
    if (k % 3 === 1) participants.push({ sessionId: s.id, userId: GUEST, invitationId: invite(null, false, true).id }); // used link, since expired: still in
    if (k % 2 === 1) participants.push({ sessionId: s.id, userId: EX_GUEST, invitationId: invite(null, true, false).id });
    if (k % 5 === 0) participants.push({ sessionId: s.id, userId: OTHER_OFFICER, invitationId: null }); // a clinic participant
  };
  for (const c of cases) add(c.missionId, c.id, c.assignedDoctorId ?? hosts[sessions.length % 3]);
  for (const missionId of [M1, M2]) for (const hostId of hosts) add(missionId, null, hostId);
  return { cases, sessions, invitations, participants };
}

describe('consultation and attachment policies: the CASL rules and the SQL filter agree (PostgreSQL)', () => {
  let db: TestDatabase;
  const { cases, sessions, invitations, participants } = grid();
  const caseOf = new Map(cases.map((c) => [c.id, c]));
  const abilities = new AbilityFactory();

  /** A session's access record, built in code from the grid (what the SQL must load). */
  function expected(s: Session): Record<string, unknown> {
    const open = invitations.filter((i) => i.sessionId === s.id && !i.revoked);
    const ps = participants.filter((p) => p.sessionId === s.id);
    return consultationRecordOf(
      {
        ...s,
        participantIds: ps.map((p) => p.userId),
        invitedParticipantIds: ps.filter((p) => p.invitationId && open.some((i) => i.id === p.invitationId)).map((p) => p.userId),
        invitedUserIds: open.filter((i) => i.invitedUserId && !i.expired).map((i) => i.invitedUserId!),
      },
      s.caseId ? { ...caseOf.get(s.caseId)! } : null,
    );
  }

  const attachments = cases.flatMap((c, i) => [OFFICER, DOC_A].map((uploadedById, j) => ({ id: uuid('c000', 2 * i + j), caseId: c.id, uploadedById })));

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    const q = (sql: string, params?: unknown[]) => db.dataSource.query(sql, params);
    await q(`CREATE TABLE referral_cases (id uuid PRIMARY KEY, mission_id uuid NOT NULL, facility_id uuid NOT NULL, status text NOT NULL,
      specialty_code text NOT NULL, escalation_level int NOT NULL, assigned_doctor_id uuid, requested_by_id uuid, sensitive boolean NOT NULL)`);
    await q(`CREATE TABLE consultation_sessions (id uuid PRIMARY KEY, mission_id uuid NOT NULL, case_id uuid, host_id uuid NOT NULL)`);
    await q(`CREATE TABLE consultation_invitations (id uuid PRIMARY KEY, session_id uuid NOT NULL, invited_user_id uuid, revoked_at timestamptz, expires_at timestamptz NOT NULL)`);
    await q(`CREATE TABLE consultation_participants (session_id uuid NOT NULL, user_id uuid NOT NULL, invitation_id uuid)`);
    await q(`CREATE TABLE case_attachments (id uuid PRIMARY KEY, case_id uuid NOT NULL, uploaded_by_id uuid NOT NULL)`);
    const load = (table: string, rows: object[]) => q(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows)]);
    await load('referral_cases', cases.map((r) => ({ id: r.id, mission_id: r.missionId, facility_id: r.facilityId, status: r.status, specialty_code: r.specialtyCode, escalation_level: r.escalationLevel, assigned_doctor_id: r.assignedDoctorId, requested_by_id: r.requestedById, sensitive: r.sensitive })));
    await load('consultation_sessions', sessions.map((s) => ({ id: s.id, mission_id: s.missionId, case_id: s.caseId, host_id: s.hostId })));
    await q(
      `INSERT INTO consultation_invitations SELECT (x->>'id')::uuid, (x->>'sessionId')::uuid, (x->>'invitedUserId')::uuid,
         CASE WHEN (x->>'revoked')::boolean THEN now() - interval '1 minute' END,
         now() + CASE WHEN (x->>'expired')::boolean THEN interval '-1 minute' ELSE interval '1 hour' END
       FROM json_array_elements($1::json) x`,
      [JSON.stringify(invitations)],
    );
    await load('consultation_participants', participants.map((p) => ({ session_id: p.sessionId, user_id: p.userId, invitation_id: p.invitationId })));
    await load('case_attachments', attachments.map((a) => ({ id: a.id, case_id: a.caseId, uploaded_by_id: a.uploadedById })));
  });
  afterAll(async () => db?.drop());

  async function selected(scope: AccessScope, table: string, action: Action, only?: readonly string[]): Promise<string[]> {
    const params: unknown[] = [];
    const rows: { id: string }[] = await db.dataSource.query(`SELECT x.id FROM ${table} x ${scope.joins('x')} WHERE ${scope.where('x', params, { action, only })} ORDER BY x.id`, params);
    return rows.map((r) => r.id);
  }

  it('the access record the SQL loads holds the values of the grid (case fields, participants, open invitations)', async () => {
    const scope = consultationScopeOf(CALLERS.officer);
    const rows: Record<string, unknown>[] = await db.dataSource.query(`SELECT ${scope.fields('s')} FROM consultation_sessions s ${scope.joins('s')} ORDER BY s.id`);
    const sort = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));
    expect(rows.map(sort)).toEqual([...sessions].sort((a, b) => a.id.localeCompare(b.id)).map((s) => sort(expected(s))));
  });

  for (const [who, p] of Object.entries(CALLERS)) {
    it(`${who}: SQL and CASL reach the same sessions (create, read, join, update) and attachments (read, create, update, delete)`, async () => {
      const ability = abilities.createFor(p);
      for (const action of [Action.Create, Action.Read, Action.Join, Action.Update]) {
        const casl = sessions.filter((s) => ability.can(action, subjectOf('Consultation', expected(s)))).map((s) => s.id).sort();
        expect({ action, ids: await selected(consultationScopeOf(p), 'consultation_sessions', action) }).toEqual({ action, ids: casl });
        expect({ action, ids: sessions.filter((s) => consultationScopeOf(p).matches(expected(s), { action })).map((s) => s.id).sort() }).toEqual({ action, ids: casl });
      }
      for (const action of [Action.Read, Action.Create, Action.Update, Action.Delete]) {
        const casl = attachments.filter((a) => ability.can(action, subjectOf('Attachment', attachmentRecordOf(a, { ...caseOf.get(a.caseId)! })))).map((a) => a.id).sort();
        expect({ action, ids: await selected(attachmentScopeOf(p), 'case_attachments', action) }).toEqual({ action, ids: casl });
      }
      // "My consultations" is a subset of what they may read.
      const mine = await selected(consultationScopeOf(p), 'consultation_sessions', Action.Read, MY_CONSULTATIONS);
      expect(mine.every((id) => ability.can(Action.Read, subjectOf('Consultation', expected(sessions.find((s) => s.id === id)!))))).toBe(true);
    });

    it(`${who}: the rules derived from the case policy give what the case's own checks give`, () => {
      const ability = abilities.createFor(p);
      const asCase = (c: CaseRecord) => subjectOf('Case', { ...c });
      for (const s of sessions) {
        const c = s.caseId ? caseOf.get(s.caseId)! : null;
        const open = invitations.filter((i) => i.sessionId === s.id && !i.revoked);
        // The right to join as the service computed it before the policy: host, the case's clinic (refer), its
        // assigned doctor consulting there, a participant let in by a standing invitation, a user an open one names.
        const before =
          s.hostId === p.userId ||
          (!!c && ability.can(Action.Refer, asCase(c))) ||
          (!!c && caseScopeOf(p).matches({ ...c }, { action: Action.Consult, only: [CaseRule.AssignedDoctor] })) ||
          participants.some((x) => x.sessionId === s.id && x.userId === p.userId && open.some((i) => i.id === x.invitationId)) ||
          open.some((i) => i.invitedUserId === p.userId && !i.expired);
        expect({ session: s.id, join: ability.can(Action.Join, subjectOf('Consultation', expected(s))) }).toEqual({ session: s.id, join: before });
        expect({ session: s.id, update: ability.can(Action.Update, subjectOf('Consultation', expected(s))) }).toEqual({ session: s.id, update: s.hostId === p.userId });
      }
      for (const a of attachments) {
        const c = caseOf.get(a.caseId)!;
        const record = subjectOf('Attachment', attachmentRecordOf(a, { ...c }));
        expect({ a: a.id, read: ability.can(Action.Read, record) }).toEqual({ a: a.id, read: ability.can(Action.Read, asCase(c)) });
        expect({ a: a.id, create: ability.can(Action.Create, record) }).toEqual({ a: a.id, create: writesInCaseThread(ability, p, { ...c }) });
        const resume = a.uploadedById === p.userId && ability.can(Action.Read, asCase(c));
        expect({ a: a.id, resume: ability.can(Action.Update, record) }).toEqual({ a: a.id, resume });
      }
    });
  }

  it('the grid exercises every rule: who reaches which sessions', async () => {
    const join = (who: string) => selected(consultationScopeOf(CALLERS[who]), 'consultation_sessions', Action.Join);
    const read = (who: string) => selected(consultationScopeOf(CALLERS[who]), 'consultation_sessions', Action.Read);
    const session = (id: string) => sessions.find((s) => s.id === id)!;
    const caseOfSession = (id: string) => caseOf.get(session(id).caseId!)!;

    // The officer joins calls about their clinic's cases, sensitive ones only when they referred them.
    const officer = await join('officer');
    expect(officer.length).toBeGreaterThan(0);
    expect(officer.every((id) => session(id).caseId && caseOfSession(id).facilityId === F1)).toBe(true);
    expect(officer.some((id) => caseOfSession(id).sensitive)).toBe(true);
    expect(officer.every((id) => !caseOfSession(id).sensitive || caseOfSession(id).requestedById === OFFICER)).toBe(true);
    // The other officer of the clinic does not reach the officer's sensitive cases, even where they have a place (read only).
    const other = await join('other officer of the clinic');
    expect(other.every((id) => !caseOfSession(id).sensitive || caseOfSession(id).requestedById === OTHER_OFFICER)).toBe(true);
    expect((await read('other officer of the clinic')).some((id) => !other.includes(id))).toBe(true);
    // Without a telemedicine_user certification the officer neither starts nor joins calls about cases.
    expect(await join('uncertified officer')).toEqual([]);
    // Health managers, administrators and trainers reach no session (a manager reads the records on the case).
    for (const who of ['health manager of M1', 'system administrator', 'trainer']) expect(await read(who)).toEqual([]);
    // A doctor of another mission reaches only sessions they host (M2 or M1), nothing through M1's cases.
    const m2 = await read('doctor of another mission');
    expect(m2.length).toBeGreaterThan(0);
    expect(m2.every((id) => session(id).hostId === DOC_M2)).toBe(true);
    // Invitations: an open named one lets in; expired and revoked ones do not; a used link stands until revoked.
    const invited = await join('invited outsider');
    expect(invited.length).toBeGreaterThan(0);
    expect(invited.every((id) => invitations.some((i) => i.sessionId === id && i.invitedUserId === INVITEE))).toBe(true);
    expect(await join('late invitee')).toEqual([]);
    expect(await join('revoked invitee')).toEqual([]);
    expect((await join('link guest')).length).toBeGreaterThan(0);
    expect(await join('revoked link guest')).toEqual([]);
    expect((await read('revoked link guest')).length).toBeGreaterThan(0); // still sees the session they were in
    // Only the host runs a session.
    const update = await selected(consultationScopeOf(CALLERS['L2 doctor']), 'consultation_sessions', Action.Update);
    expect(update.length).toBeGreaterThan(0);
    expect(update.every((id) => session(id).hostId === DOC_A)).toBe(true);
    // A doctor schedules sessions without a case in their own missions only.
    const create = (await selected(consultationScopeOf(CALLERS['doctor of another mission']), 'consultation_sessions', Action.Create, [ConsultationRule.MissionDoctor])).map(session);
    expect(create.length).toBeGreaterThan(0);
    expect(create.every((s) => !s.caseId && s.missionId === M2 && s.hostId === DOC_M2)).toBe(true);
  });

  it('attachments: the sensitive restriction and the uploader rule hold in SQL', async () => {
    const attachment = (id: string) => attachments.find((a) => a.id === id)!;
    const read = async (who: string) => (await selected(attachmentScopeOf(CALLERS[who]), 'case_attachments', Action.Read)).map(attachment);
    // The health manager reads the files of M1's cases, never a sensitive one; another mission's doctor none of M1.
    const manager = await read('health manager of M1');
    expect(manager.length).toBeGreaterThan(0);
    expect(manager.every((a) => caseOf.get(a.caseId)!.missionId === M1 && !caseOf.get(a.caseId)!.sensitive)).toBe(true);
    expect((await read('doctor of another mission')).every((a) => caseOf.get(a.caseId)!.missionId === M2)).toBe(true);
    expect(await read('system administrator')).toEqual([]);
    // The officer resumes only their own uploads.
    const resume = (await selected(attachmentScopeOf(CALLERS.officer), 'case_attachments', Action.Update, [AttachmentRule.Uploader])).map(attachment);
    expect(resume.length).toBeGreaterThan(0);
    expect(resume.every((a) => a.uploadedById === OFFICER)).toBe(true);
    // The uncertified officer reads the clinic's files but adds none; the uncertified assigned doctor still may.
    expect((await read('uncertified officer')).length).toBeGreaterThan(0);
    expect(await selected(attachmentScopeOf(CALLERS['uncertified officer']), 'case_attachments', Action.Create)).toEqual([]);
    const doctor = (await selected(attachmentScopeOf(CALLERS['uncertified L2 doctor']), 'case_attachments', Action.Create)).map(attachment);
    expect(doctor.length).toBeGreaterThan(0);
    expect(doctor.every((a) => caseOf.get(a.caseId)!.assignedDoctorId === DOC_A)).toBe(true);
  });
});
