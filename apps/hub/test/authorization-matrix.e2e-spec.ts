import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { freePort } from '@hub/database';
import { TokenService } from '@hub/identity';
import { createTestHub, discoverRoutes, TestHub } from '@hub/testing';
import { all, Call, KEY, MISSION, only, RoleKey, ROLES, Row, Target } from './matrix-kit';
import { TRAINING_MATRIX } from './training-matrix';
import { SYNC_MATRIX } from './sync-matrix';
import { PLANS_MATRIX } from './plans-matrix';
import { BREAK_GLASS_MATRIX } from './break-glass-matrix';
import { MENTAL_HEALTH_MATRIX, SENSITIVE_MATRIX, SensitiveCall } from './sensitive-matrix';

/**
 * Every route x every role x {own mission, other mission} plus anonymous. Callers belong to MINUSCA; "own" targets a
 * MINUSCA record, "other" the matching UNMISS record. A route without a row here fails the suite, so a new route
 * cannot ship without its authorization being written down and reviewed.
 */
const CALLERS: Record<RoleKey, string> = {
  officer: 'officer@minusca.demo',
  doctor: 'doctor@minusca.demo',
  manager: 'manager@minusca.demo',
  trainer: 'trainer@minusca.demo',
  admin: 'admin@minusca.demo',
  sysadmin: 'sysadmin@hub.demo',
};
const CLINIC: Record<Target, string> = { own: 'Bangui Level 1 Clinic (BANBAT)', other: 'Juba Level 1 Clinic (RWANBAT)' };

let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`.toUpperCase();

async function freshMembership(hub: TestHub, target: Target): Promise<string> {
  const [row] = await hub.db.dataSource.query(
    `INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2) RETURNING id`,
    [hub.ids.users[`doctor@${KEY[target]}.demo`], hub.ids.missions[MISSION[target]]],
  );
  return row.id;
}

async function freshUser(hub: TestHub, target: Target): Promise<string> {
  const [row] = await hub.db.dataSource.query(
    `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Matrix user', 'x') RETURNING id`,
    [`matrix-${next().toLowerCase()}@${KEY[target]}.demo`],
  );
  await hub.db.dataSource.query(`INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2)`, [
    row.id,
    hub.ids.missions[MISSION[target]],
  ]);
  return row.id;
}

const DOCTOR: Record<Target, string> = { own: 'doctor@minusca.demo', other: 'doctor@unmiss.demo' };
const OFFICER: Record<Target, string> = { own: 'officer@minusca.demo', other: 'officer@unmiss.demo' };

async function freshPatient(hub: TestHub, target: Target): Promise<string> {
  const [p] = await hub.db.dataSource.query(
    `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
     VALUES ($1, $2, 'Test', 'Patient', '1990-01-01', 'male', 'RWA', 'RWANBAT', $3, $4) RETURNING id`,
    [hub.ids.missions[MISSION[target]], `SN-${next()}`, hub.ids.facilities[CLINIC[target]], hub.ids.users[OFFICER[target]]],
  );
  return p.id;
}

/** A dermatology case of the target mission's first clinic, in the given state. */
async function freshCase(hub: TestHub, target: Target, status: string, assigned = false): Promise<string> {
  const patientId = await freshPatient(hub, target);
  const [c] = await hub.db.dataSource.query(
    `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, specialty_code, urgency, urgency_rank, status,
       consent_given, presenting_complaint, question, submitted_at, deadline_at, assigned_doctor_id, answered_at)
     VALUES ($1, $2, $3, $4, 'dermatology', 'urgent', 1, $5::varchar, true, 'Rash', 'What is it?',
       CASE WHEN $5::varchar <> 'draft' THEN now() END, CASE WHEN $5::varchar <> 'draft' THEN now() + interval '1 day' END, $6,
       CASE WHEN $5::varchar = 'answered' THEN now() END) RETURNING id`,
    [hub.ids.missions[MISSION[target]], patientId, hub.ids.facilities[CLINIC[target]], hub.ids.users[OFFICER[target]], status, assigned ? hub.ids.users[DOCTOR[target]] : null],
  );
  return c.id;
}

async function freshAttachment(hub: TestHub, target: Target): Promise<{ caseId: string; id: string; uploadId: string }> {
  const caseId = await freshCase(hub, target, 'submitted');
  const uploadId = randomUUID().replace(/-/g, '');
  const dir = join(hub.config.dataDir, 'uploads');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, uploadId), '%PDF-1.4 test');
  const [a] = await hub.db.dataSource.query(
    `INSERT INTO case_attachments (case_id, upload_id, filename, media_type, size, sha256, status, uploaded_by_id)
     VALUES ($1, $2, 'ecg.pdf', 'application/pdf', 13, $3, 'ready', $4) RETURNING id`,
    [caseId, uploadId, '0'.repeat(64), hub.ids.users[OFFICER[target]]],
  );
  return { caseId, id: a.id, uploadId };
}

/** An unfinished tus upload started by the target mission's officer (created through the API). */
async function freshUpload(hub: TestHub, target: Target): Promise<string> {
  const caseId = await freshCase(hub, target, 'submitted');
  const meta = `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('x.jpg').toString('base64')},sha256 ${Buffer.from('a'.repeat(64)).toString('base64')}`;
  const res = await hub
    .http()
    .post('/api/uploads')
    .set('Authorization', `Bearer ${(await hub.login(OFFICER[target])).accessToken}`)
    .set('Tus-Resumable', '1.0.0')
    .set('Upload-Length', '100')
    .set('Upload-Metadata', meta);
  if (res.status !== 201) throw new Error(`upload fixture: ${res.status} ${res.text}`);
  return String(res.headers.location).split('/').pop()!;
}

const tusMeta = (caseId: string) =>
  `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('x.jpg').toString('base64')},sha256 ${Buffer.from('a'.repeat(64)).toString('base64')}`;

/** Clinical actions: officers, doctors and managers per their rules; trainers and administrators never (403). */
const clinical = (o: Partial<Record<RoleKey, [number, number]>>) => only([403, 403], o);
/** Reading clinical records: whoever may not see one gets 404, exactly as for a record that does not exist. */
const clinicalRead = (o: Partial<Record<RoleKey, [number, number]>>) => only([404, 404], o);

/** A new session for the caller, so ending it does not end the cached one. */
async function freshSession(hub: TestHub, role: RoleKey | 'anon'): Promise<string | undefined> {
  if (role === 'anon') return undefined;
  const userId = hub.ids.users[CALLERS[role]];
  const familyId = randomUUID();
  await hub.db.dataSource.query(
    `INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')`,
    [userId, randomUUID().replace(/-/g, '').padEnd(64, '0'), familyId],
  );
  return hub.app.get(TokenService).signAccess({ sub: userId, sid: familyId, fa: true });
}

const MATRIX: Record<string, Row> = {
  'GET /api/health': { build: () => ({ path: '/api/health' }), anon: 200, expect: all(200) },
  'GET /api/health/ready': { build: () => ({ path: '/api/health/ready' }), anon: 200, expect: all(200) },
  // Prometheus scrape: no user session reaches it; without METRICS_TOKEN (as here) it is off for everyone
  // (metrics.e2e-spec.ts covers the token).
  'GET /api/metrics': { build: () => ({ path: '/api/metrics' }), anon: 404, expect: all(404) },
  'POST /api/auth/login': {
    // A different unknown account per call: failures are throttled per account and address (429 after 5).
    build: (_hub, t, role) => ({ path: '/api/auth/login', body: { email: `nobody-${role}-${t}@nowhere.demo`, password: 'wrong password' } }),
    anon: 401,
    expect: all(401),
  },
  'POST /api/auth/refresh': {
    build: () => ({ path: '/api/auth/refresh', body: { refreshToken: 'not-a-token' } }),
    anon: 401,
    expect: all(401),
  },
  'POST /api/auth/logout': {
    build: async (hub, _t, role) => ({ path: '/api/auth/logout', body: { refreshToken: 'unknown' }, token: await freshSession(hub, role) }),
    anon: 401,
    expect: all(204),
  },
  'GET /api/auth/me': { build: () => ({ path: '/api/auth/me' }), anon: 401, expect: all(200) },
  'PATCH /api/auth/me': { build: () => ({ path: '/api/auth/me', body: { locale: null } }), anon: 401, expect: all(200) },
  'POST /api/auth/mfa/setup': {
    build: () => ({ path: '/api/auth/mfa/setup' }),
    anon: 401,
    // administrators enrolled at sign-in, so a second enrolment conflicts
    expect: only([200, 200], { admin: [409, 409], sysadmin: [409, 409] }),
  },
  'POST /api/auth/mfa/enable': {
    build: () => ({ path: '/api/auth/mfa/enable', body: { code: '000000' } }),
    anon: 401,
    expect: only([401, 401], { admin: [409, 409], sysadmin: [409, 409] }),
  },
  'GET /api/audit/verify': {
    build: (hub, t) => ({ path: `/api/audit/verify?chain=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/audit/checkpoint': {
    build: () => ({ path: '/api/audit/checkpoint' }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 200], sysadmin: [200, 200] }),
  },
  'GET /api/missions': { build: () => ({ path: '/api/missions' }), anon: 401, expect: all(200) },
  'GET /api/missions/:id': {
    build: (hub, t) => ({ path: `/api/missions/${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([200, 404], { sysadmin: [200, 200] }),
  },
  'POST /api/missions': {
    build: () => ({ path: '/api/missions', body: { code: `M-${next()}`, name: 'Matrix mission' } }),
    anon: 401,
    expect: only([403, 403], { sysadmin: [201, 201] }),
  },
  'PATCH /api/missions/:id': {
    build: (hub, t) => ({ path: `/api/missions/${hub.ids.missions[MISSION[t]]}`, body: { mfaRequiredForAll: false } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/facilities': { build: () => ({ path: '/api/facilities' }), anon: 401, expect: all(200) },
  'GET /api/facilities/:id': {
    build: (hub, t) => ({ path: `/api/facilities/${hub.ids.facilities[CLINIC[t]]}` }),
    anon: 401,
    expect: only([200, 404], { sysadmin: [200, 200] }),
  },
  'POST /api/facilities': {
    build: (hub, t) => ({
      path: '/api/facilities',
      body: { name: `Clinic ${next()}`, level: 1, missionIds: [hub.ids.missions[MISSION[t]]] },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'PATCH /api/facilities/:id': {
    build: (hub, t) => ({ path: `/api/facilities/${hub.ids.facilities[CLINIC[t]]}`, body: { active: true } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  // Everyone may read their own user record, so the list answers 200; what it contains is tested in scoping.
  'GET /api/users': { build: () => ({ path: '/api/users' }), anon: 401, expect: all(200) },
  'GET /api/users/:id': {
    build: (hub, t) => ({ path: `/api/users/${hub.ids.users[`doctor@${KEY[t]}.demo`]}` }),
    anon: 401,
    expect: only([200, 404], { officer: [404, 404], doctor: [200, 404], sysadmin: [200, 200] }),
  },
  'POST /api/users': {
    build: (hub, t) => ({
      path: '/api/users',
      body: {
        email: `new-${next().toLowerCase()}@example.org`,
        displayName: 'New officer',
        password: 'a-long-enough-password',
        membership: { role: 'field_medical_officer', facilityId: hub.ids.facilities[CLINIC[t]] },
      },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'PATCH /api/users/:id': {
    build: async (hub, t) => ({ path: `/api/users/${await freshUser(hub, t)}`, body: { displayName: 'Renamed' } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'POST /api/users/:id/memberships': {
    build: async (hub, t) => ({
      path: `/api/users/${await freshUser(hub, t)}/memberships`,
      body: { role: 'health_manager', missionId: hub.ids.missions[MISSION[t]] },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'DELETE /api/memberships/:id': {
    build: async (hub, t) => ({ path: `/api/memberships/${await freshMembership(hub, t)}` }),
    anon: 401,
    expect: only([403, 403], { admin: [204, 404], sysadmin: [204, 204] }),
  },

  // aggregates only; a mission's health manager for their mission, the system administrator for all
  'GET /api/monitoring/dashboard': {
    build: (hub, t) => ({ path: `/api/monitoring/dashboard?missionId=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/notifications': { build: () => ({ path: '/api/notifications' }), anon: 401, expect: all(200) },
  'POST /api/notifications/read': { build: () => ({ path: '/api/notifications/read', body: { ids: [randomUUID()] } }), anon: 401, expect: all(204) },
  'GET /api/specialties': { build: () => ({ path: '/api/specialties' }), anon: 401, expect: all(200) },
  // lists answer only what the caller's clinical role reaches: empty for everyone else
  'GET /api/patients': { build: () => ({ path: '/api/patients' }), anon: 401, expect: all(200) },
  'GET /api/patients/:id': {
    build: async (hub, t) => ({ path: `/api/patients/${await freshPatient(hub, t)}` }),
    anon: 401,
    expect: clinicalRead({ officer: [200, 404], manager: [200, 404] }),
  },
  'POST /api/patients': {
    build: (hub, t) => ({
      path: '/api/patients',
      body: { serviceNumber: `SN-${next()}`, firstName: 'A', lastName: 'B', dateOfBirth: '1990-05-05', sex: 'female', nationality: 'BGD', contingent: 'BANBAT', currentFacilityId: hub.ids.facilities[CLINIC[t]] },
    }),
    anon: 401,
    expect: clinical({ officer: [201, 404] }),
  },
  'PATCH /api/patients/:id': {
    build: async (hub, t) => ({ path: `/api/patients/${await freshPatient(hub, t)}`, body: { unit: 'HQ Company' } }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/patients/:id/transfer': {
    build: async (hub, t) => ({
      path: `/api/patients/${await freshPatient(hub, t)}/transfer`,
      body: { toFacilityId: hub.ids.facilities[t === 'own' ? 'Bria Level 1 Clinic (ZAMBAT)' : 'Malakal Level 1 Clinic (INDBAT)'] },
    }),
    anon: 401,
    expect: clinical({ officer: [201, 404] }),
  },
  'GET /api/cases': { build: () => ({ path: '/api/cases?view=mine' }), anon: 401, expect: all(200) },
  'POST /api/cases': {
    build: async (hub, t) => ({
      path: '/api/cases',
      body: { patientId: await freshPatient(hub, t), specialtyCode: 'dermatology', urgency: 'routine', consentGiven: true, presentingComplaint: 'Rash', question: 'What is it?' },
    }),
    anon: 401,
    expect: clinical({ officer: [201, 404] }),
  },
  'GET /api/cases/:id': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'submitted')}` }),
    anon: 401,
    expect: clinicalRead({ officer: [200, 404], doctor: [200, 404], manager: [200, 404] }),
  },
  'PATCH /api/cases/:id': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'draft')}`, body: { urgency: 'emergency' } }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/cases/:id/submit': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'draft')}/submit`, body: {} }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/cases/:id/resubmit': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'information_requested', true)}/resubmit`, body: { message: 'Here it is' } }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/cases/:id/close': {
    build: async (hub, t) => ({
      path: `/api/cases/${await freshCase(hub, t, 'answered', true)}/close`,
      body: { outcome: 'treated_locally', evacuationDone: false, evacuationAvoided: true },
    }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/cases/:id/cancel': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'submitted')}/cancel`, body: { note: 'resolved' } }),
    anon: 401,
    expect: clinical({ officer: [200, 404] }),
  },
  'POST /api/cases/:id/accept': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'submitted')}/accept` }),
    anon: 401,
    expect: clinical({ doctor: [200, 404] }),
  },
  'POST /api/cases/:id/request-information': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'accepted', true)}/request-information`, body: { question: 'Photo please' } }),
    anon: 401,
    expect: clinical({ doctor: [200, 404] }),
  },
  'POST /api/cases/:id/answer': {
    build: async (hub, t) => ({
      path: `/api/cases/${await freshCase(hub, t, 'accepted', true)}/answer`,
      body: { assessment: 'Eczema', recommendation: 'Emollients', evacuation: { type: 'none' } },
    }),
    anon: 401,
    expect: clinical({ doctor: [200, 404] }),
  },
  'POST /api/cases/:id/hand-over': {
    build: async (hub, t) => ({
      path: `/api/cases/${await freshCase(hub, t, 'accepted', true)}/hand-over`,
      body: { doctorId: hub.ids.users['specialist@l4.demo'] },
    }),
    anon: 401,
    expect: clinical({ doctor: [200, 404] }),
  },
  'POST /api/cases/:id/messages': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'submitted')}/messages`, body: { body: 'Any news?' } }),
    anon: 401,
    // a doctor who has not accepted the case, and a health manager, read it but do not write in its thread
    expect: clinicalRead({ officer: [201, 404], doctor: [403, 404], manager: [403, 404] }),
  },
  'GET /api/cases/:id/fhir': {
    build: async (hub, t) => ({ path: `/api/cases/${await freshCase(hub, t, 'submitted')}/fhir` }),
    anon: 401,
    expect: clinicalRead({ officer: [200, 404], doctor: [200, 404], manager: [200, 404] }),
  },
  'GET /api/cases/:id/attachments/:attachmentId': {
    build: async (hub, t) => {
      const a = await freshAttachment(hub, t);
      return { path: `/api/cases/${a.caseId}/attachments/${a.id}` };
    },
    anon: 401,
    expect: clinicalRead({ officer: [200, 404], doctor: [200, 404], manager: [200, 404] }),
  },
  // tus: creating an upload needs write access to the case (the clinic, or the specialist who accepted it)
  'ALL /api/uploads': {
    build: async (hub, t) => ({
      path: '/api/uploads',
      method: 'post',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '100', 'Upload-Metadata': tusMeta(await freshCase(hub, t, 'submitted')) },
    }),
    anon: 401,
    expect: only([404, 404], { officer: [201, 404], doctor: [403, 404], manager: [403, 404] }),
  },
  // only the uploader may ask for the offset of, resume or delete an upload
  'ALL /api/uploads/:uploadId': {
    build: async (hub, t) => ({ path: `/api/uploads/${await freshUpload(hub, t)}`, method: 'head', headers: { 'Tus-Resumable': '1.0.0' } }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404] }),
  },
  ...TRAINING_MATRIX,
  ...SYNC_MATRIX,
  ...PLANS_MATRIX,
  ...BREAK_GLASS_MATRIX,
  ...MENTAL_HEALTH_MATRIX,
  ...consultationRows(),
};

// ---- live consultations ---------------------------------------------------------------------------------------

/**
 * A consultation session about an accepted case of the target mission, hosted by its reference doctor; `with` adds
 * participants: the host admitted, and the clinic's officer admitted or waiting.
 */
async function freshConsultation(hub: TestHub, target: Target, officer: 'none' | 'waiting' | 'admitted' = 'none'): Promise<{ sessionId: string; caseId: string; officerParticipantId?: string }> {
  const caseId = await freshCase(hub, target, 'accepted', true);
  const ds = hub.db.dataSource;
  const host = hub.ids.users[DOCTOR[target]];
  const [s] = await ds.query(
    `INSERT INTO consultation_sessions (mission_id, case_id, status, host_id, created_by_id, started_at) VALUES ($1, $2, 'live', $3, $3, now()) RETURNING id`,
    [hub.ids.missions[MISSION[target]], caseId, host],
  );
  await ds.query(`INSERT INTO consultation_participants (session_id, user_id, call_role, state, admitted_at) VALUES ($1, $2, 'host', 'admitted', now())`, [s.id, host]);
  if (officer === 'none') return { sessionId: s.id, caseId };
  const [p] = await ds.query(
    `INSERT INTO consultation_participants (session_id, user_id, call_role, state, admitted_at) VALUES ($1, $2, 'clinic', $3::varchar, CASE WHEN $3::varchar = 'admitted' THEN now() END) RETURNING id`,
    [s.id, hub.ids.users[OFFICER[target]], officer],
  );
  return { sessionId: s.id, caseId, officerParticipantId: p.id };
}

/**
 * Consultation routes. Who may see a session: its host, the case's clinic staff, its accepted doctor, invitees.
 * Host-only actions answer 403 to others of the session's mission and 404 to everyone else.
 */
function consultationRows(): Record<string, Row> {
  const hostOnly = (ok: number): Record<RoleKey, [number, number]> =>
    only([403, 404], { doctor: [ok, 404], sysadmin: [404, 404] });
  return {
    'POST /api/consultations': {
      build: async (hub, t) => ({ path: '/api/consultations', body: { caseId: await freshCase(hub, t, 'accepted', true) } }),
      anon: 401,
      expect: clinicalRead({ officer: [201, 404], doctor: [201, 404], manager: [403, 404] }),
    },
    'GET /api/consultations': { build: () => ({ path: '/api/consultations' }), anon: 401, expect: all(200) },
    'GET /api/consultations/probe/download': { build: () => ({ path: '/api/consultations/probe/download?kb=1' }), anon: 401, expect: all(200) },
    'POST /api/consultations/probe/upload': {
      build: () => ({ path: '/api/consultations/probe/upload', headers: { 'Content-Type': 'application/octet-stream' } }),
      anon: 401,
      expect: all(200),
    },
    'GET /api/consultations/:id': {
      build: async (hub, t) => ({ path: `/api/consultations/${(await freshConsultation(hub, t)).sessionId}` }),
      anon: 401,
      expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
    },
    'POST /api/consultations/:id/invitations': {
      build: async (hub, t) => ({ path: `/api/consultations/${(await freshConsultation(hub, t)).sessionId}/invitations`, body: { callRole: 'interpreter' } }),
      anon: 401,
      expect: hostOnly(201),
    },
    'POST /api/consultations/:id/invitations/:invitationId/revoke': {
      build: async (hub, t) => {
        const c = await freshConsultation(hub, t);
        const [inv] = await hub.db.dataSource.query(
          `INSERT INTO consultation_invitations (session_id, call_role, token_hash, expires_at, created_by_id) VALUES ($1, 'interpreter', encode(sha256(random()::text::bytea), 'hex'), now() + interval '1 hour', $2) RETURNING id`,
          [c.sessionId, hub.ids.users[DOCTOR[t]]],
        );
        return { path: `/api/consultations/${c.sessionId}/invitations/${inv.id}/revoke` };
      },
      anon: 401,
      expect: hostOnly(200),
    },
    'POST /api/consultations/:id/participants/:participantId/admit': {
      build: async (hub, t) => {
        const c = await freshConsultation(hub, t, 'waiting');
        return { path: `/api/consultations/${c.sessionId}/participants/${c.officerParticipantId}/admit` };
      },
      anon: 401,
      expect: hostOnly(200),
    },
    'POST /api/consultations/:id/participants/:participantId/decline': {
      build: async (hub, t) => {
        const c = await freshConsultation(hub, t, 'waiting');
        return { path: `/api/consultations/${c.sessionId}/participants/${c.officerParticipantId}/decline`, body: { reason: 'wrong patient' } };
      },
      anon: 401,
      expect: hostOnly(200),
    },
    'POST /api/consultations/:id/end': {
      build: async (hub, t) => ({ path: `/api/consultations/${(await freshConsultation(hub, t)).sessionId}/end` }),
      anon: 401,
      expect: hostOnly(200),
    },
    // admitted participants only: the host and the admitted officer; others of the mission are not admitted (403)
    'GET /api/consultations/:id/turn-credentials': {
      build: async (hub, t) => ({ path: `/api/consultations/${(await freshConsultation(hub, t, 'admitted')).sessionId}/turn-credentials` }),
      anon: 401,
      expect: only([403, 404], { officer: [200, 404], doctor: [200, 404], sysadmin: [404, 404] }),
    },
    'GET /api/cases/:id/consultations': {
      build: async (hub, t) => ({ path: `/api/cases/${(await freshConsultation(hub, t)).caseId}/consultations` }),
      anon: 401,
      expect: clinicalRead({ officer: [200, 404], doctor: [200, 404], manager: [200, 404] }),
    },
  };
}

describe('authorization matrix', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub();
    for (const email of Object.values(CALLERS)) await hub.login(email);
  });
  afterAll(() => hub.close());

  it('has a row for every route the application serves, and no row for a route that is gone', () => {
    const served = discoverRoutes(hub.app).map((r) => r.key);
    expect(served.filter((k) => !MATRIX[k])).toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !served.includes(k))).toEqual([]);
  });

  const send = async (key: string, call: Call, token?: string) => {
    const method = call.method ?? key.split(' ')[0].toLowerCase();
    let req = hub.http()[method as 'get'](call.path);
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    for (const [h, v] of Object.entries(call.headers ?? {})) req = req.set(h, v);
    if (call.body) req = req.send(call.body);
    return req;
  };

  for (const [key, row] of Object.entries(MATRIX)) {
    describe(key, () => {
      it(`anonymous -> ${row.anon}`, async () => {
        const call = await row.build(hub, 'own', 'anon');
        const res = await send(key, call);
        expect({ status: res.status, body: res.body }).toMatchObject({ status: row.anon });
      });
      for (const role of ROLES) {
        (['own', 'other'] as Target[]).forEach((target, i) => {
          const expected = row.expect[role][i];
          it(`${role} on ${target} mission -> ${expected}`, async () => {
            const session = await hub.login(CALLERS[role]);
            const call = await row.build(hub, target, role);
            const res = await send(key, call, call.token ?? session.accessToken);
            expect({ status: res.status, body: res.body }).toMatchObject({ status: expected });
          });
        });
      }
    });
  }

  /**
   * Sensitive records (libs/access sensitive-records.ts): situations on routes above, for every role x mission.
   * A list row also checks that the answer never mentions the record.
   */
  describe('sensitive records', () => {
    for (const [key, row] of Object.entries(SENSITIVE_MATRIX)) {
      describe(key, () => {
        const route = key.split(' — ')[0].replace(/\?.*$/, '');
        it('names a route the application serves', () => {
          expect(discoverRoutes(hub.app).map((r) => r.key)).toContain(route);
        });
        it(`anonymous -> ${row.anon}`, async () => {
          const res = await send(route, await row.build(hub, 'own'));
          expect(res.status).toBe(row.anon);
        });
        for (const role of ROLES) {
          (['own', 'other'] as Target[]).forEach((target, i) => {
            const expected = row.expect[role][i];
            it(`${role} on ${target} mission -> ${expected}`, async () => {
              const session = await hub.login(CALLERS[role]);
              const call: SensitiveCall = await row.build(hub, target);
              const res = await send(route, call, session.accessToken);
              expect({ status: res.status, body: res.body }).toMatchObject({ status: expected });
              if (call.absent) expect(JSON.stringify(res.body)).not.toContain(call.absent);
            });
          });
        }
      });
    }
  });

  /**
   * Socket events. The notifications socket takes no event from clients; the only door is the handshake, open to
   * every signed-in role (each joins only its own room) and closed to anyone without a valid access token.
   */
  describe('socket.io handshake', () => {
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      await hub.app.listen(port, '127.0.0.1');
      url = `http://127.0.0.1:${port}`;
    });
    const attempt = (token?: string) =>
      new Promise<string>((resolve) => {
        const s = io(url, { path: '/socket.io', transports: ['websocket'], auth: token ? { token } : {}, reconnection: false });
        s.on('connect', () => {
          s.close();
          resolve('connected');
        });
        s.on('connect_error', (e) => {
          s.close();
          resolve(e.message.split(':')[0]);
        });
      });

    it('refuses anonymous and forged handshakes', async () => {
      expect(await attempt()).toBe('UNAUTHENTICATED');
      expect(await attempt('not.a.token')).toBe('UNAUTHENTICATED');
    });
    for (const role of ROLES) {
      it(`${role} connects`, async () => {
        expect(await attempt((await hub.login(CALLERS[role])).accessToken)).toBe('connected');
      });
    }
  });

  /**
   * Consultation signalling events (namespace /consultations). `join` per role x {own, other mission}; every other
   * event before joining (NOT_JOINED, ping excepted), and from the admitted officer, who is not the host (host-only
   * events FORBIDDEN; media ids that are not the officer's own NOT_FOUND). A declared event without a row fails.
   */
  describe('consultation socket events', () => {
    let url: string;
    beforeAll(async () => {
      const server = hub.app.getHttpServer();
      if (!server.listening) await hub.app.listen(await freePort(), '127.0.0.1');
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    const open = async (role: RoleKey) => {
      const s = io(`${url}/consultations`, { path: '/socket.io', transports: ['websocket'], auth: { token: (await hub.login(CALLERS[role])).accessToken }, reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      return s;
    };
    const send = (s: ReturnType<typeof io>, event: string, payload: object) =>
      new Promise<string>((resolve) => s.emit(event, payload, (a: { ok: boolean; error?: { code: string } }) => resolve(a.ok ? 'ok' : a.error!.code)));

    const ID = '00000000-0000-4000-8000-000000000000';
    type Ev = string;
    // payload; answer before joining; answer from the admitted officer (not the host)
    const EVENT_ROWS: Record<string, { payload: (sessionId: string) => object; notJoined: string; officer: string }> = {
      join: { payload: (sid: string) => ({ sessionId: sid }), notJoined: 'ok', officer: 'ok' },
      admit: { payload: () => ({ participantId: ID }), notJoined: 'NOT_JOINED', officer: 'FORBIDDEN' },
      decline: { payload: () => ({ participantId: ID }), notJoined: 'NOT_JOINED', officer: 'FORBIDDEN' },
      createTransport: { payload: () => ({ direction: 'recv' }), notJoined: 'NOT_JOINED', officer: 'ok' },
      connectTransport: { payload: () => ({ transportId: ID, dtlsParameters: { fingerprints: [] } }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      produce: { payload: () => ({ transportId: ID, kind: 'audio', source: 'mic', rtpParameters: {} }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      consume: { payload: () => ({ transportId: ID, producerId: ID, rtpCapabilities: {} }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      resumeConsumer: { payload: () => ({ consumerId: ID }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      pauseProducer: { payload: () => ({ producerId: ID }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      resumeProducer: { payload: () => ({ producerId: ID }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      closeProducer: { payload: () => ({ producerId: ID }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      restartIce: { payload: () => ({ transportId: ID }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      setPreferredLayers: { payload: () => ({ consumerId: ID, spatialLayer: 0 }), notJoined: 'NOT_JOINED', officer: 'NOT_FOUND' },
      setAudioOnly: { payload: () => ({ audioOnly: true }), notJoined: 'NOT_JOINED', officer: 'ok' },
      chat: { payload: () => ({ body: 'hello' }), notJoined: 'NOT_JOINED', officer: 'ok' },
      stats: { payload: () => ({ rttMs: 50 }), notJoined: 'NOT_JOINED', officer: 'ok' },
      ping: { payload: () => ({ sentAt: 1 }), notJoined: 'ok', officer: 'ok' },
      end: { payload: () => ({}), notJoined: 'NOT_JOINED', officer: 'FORBIDDEN' },
      leave: { payload: () => ({}), notJoined: 'NOT_JOINED', officer: 'ok' },
      // own consent only; withdrawing with nothing recorded is accepted (and recorded)
      recordingConsent: { payload: () => ({ consent: false }), notJoined: 'NOT_JOINED', officer: 'ok' },
    };
    // who may join a session about an accepted case of the target mission
    const JOIN: Record<RoleKey, [string, string]> = {
      officer: ['ok', 'NOT_FOUND'], // waits for the doctor
      doctor: ['ok', 'NOT_FOUND'], // the host, admitted at once
      manager: ['FORBIDDEN', 'NOT_FOUND'],
      trainer: ['FORBIDDEN', 'NOT_FOUND'],
      admin: ['FORBIDDEN', 'NOT_FOUND'],
      sysadmin: ['NOT_FOUND', 'NOT_FOUND'],
    };

    it('has a row for every declared signalling event', async () => {
      const { SIGNALLING_EVENTS } = await import('@hub/consultations');
      expect(Object.keys(EVENT_ROWS).sort()).toEqual([...SIGNALLING_EVENTS.keys()].sort());
    });

    for (const role of ROLES) {
      (['own', 'other'] as Target[]).forEach((target, i) => {
        it(`join: ${role} on ${target} mission -> ${JOIN[role][i]}`, async () => {
          const { sessionId } = await freshConsultation(hub, target);
          const s = await open(role);
          try {
            expect(await send(s, 'join', { sessionId })).toBe(JOIN[role][i]);
          } finally {
            s.close();
          }
        });
      });
      it(`${role}: every other event before joining`, async () => {
        const s = await open(role);
        try {
          const got = Object.fromEntries(await Promise.all((Object.keys(EVENT_ROWS) as Ev[]).filter((e) => e !== 'join').map(async (e) => [e, await send(s, e, EVENT_ROWS[e].payload(ID))])));
          const want = Object.fromEntries((Object.keys(EVENT_ROWS) as Ev[]).filter((e) => e !== 'join').map((e) => [e, EVENT_ROWS[e].notJoined]));
          expect(got).toEqual(want);
        } finally {
          s.close();
        }
      });
    }

    it('the admitted officer (not the host): host-only events forbidden, ids not its own not found', async () => {
      const { sessionId } = await freshConsultation(hub, 'own', 'admitted');
      const s = await open('officer');
      try {
        expect(await send(s, 'join', { sessionId })).toBe('ok');
        const got: Record<string, string> = {};
        // one at a time (leave last), within the socket's rate limits
        for (const e of (Object.keys(EVENT_ROWS) as Ev[]).filter((x) => x !== 'leave')) got[e] = await send(s, e, EVENT_ROWS[e].payload(sessionId));
        got.leave = await send(s, 'leave', {});
        expect(got).toEqual(Object.fromEntries((Object.keys(EVENT_ROWS) as Ev[]).map((e) => [e, EVENT_ROWS[e].officer])));
      } finally {
        s.close();
      }
    });
  });
});
