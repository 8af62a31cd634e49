import type { TestHub } from '@hub/testing';
import { all, Call, KEY, MISSION, only, Row, Target } from './matrix-kit';

/**
 * Sensitive records (libs/access sensitive-records.ts) in the authorization matrix: rows for every role x {own,
 * other mission} on mental-health cases and bookings. Keys name the route and the situation; `absent` marks a list
 * whose answer must not mention the record, whatever the status.
 */
export interface SensitiveCall extends Call {
  absent?: string;
}
export interface SensitiveRow extends Omit<Row, 'build'> {
  build: (hub: TestHub, target: Target) => Promise<SensitiveCall>;
}

const CLINIC: Record<Target, string> = { own: 'Bangui Level 1 Clinic (BANBAT)', other: 'Juba Level 1 Clinic (RWANBAT)' };
let n = 0;

/**
 * A mental-health booking in the target mission's first clinic: its sensitive case requested by `requester` and
 * treated by `clinician` (emails without the mission part are taken as they are), with its scheduled session.
 */
export async function freshSensitiveCase(
  hub: TestHub,
  target: Target,
  requester: 'officer' | 'newofficer',
  clinician: 'doctor' | 'psychologist@l4.demo',
): Promise<{ caseId: string; bookingId: string; sessionId: string }> {
  const ds = hub.db.dataSource;
  const mission = hub.ids.missions[MISSION[target]];
  const officerId = hub.ids.users[`${requester}@${KEY[target]}.demo`];
  const clinicianId = clinician === 'doctor' ? hub.ids.users[`doctor@${KEY[target]}.demo`] : hub.ids.users[clinician];
  const facility = clinician === 'doctor' ? hub.ids.facilities[target === 'own' ? 'Bangui Level 2 Hospital' : 'Juba Level 2 Hospital'] : hub.ids.facilities['Nairobi Reference Hospital (Level 4)'];
  const [p] = await ds.query(
    `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
     VALUES ($1, $2, 'Sensitive', 'Patient', '1990-01-01', 'male', 'RWA', 'RWANBAT', $3, $4) RETURNING id`,
    [mission, `SN-MH-${Date.now().toString(36)}-${n++}`, hub.ids.facilities[CLINIC[target]], officerId],
  );
  const [c] = await ds.query(
    `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, specialty_code, urgency, urgency_rank, status, sensitive,
       consent_given, presenting_complaint, question, submitted_at, accepted_at, assigned_doctor_id)
     VALUES ($1, $2, $3, $4, 'mental_health', 'routine', 2, 'accepted', true, true, 'Low mood', 'Session', now(), now(), $5) RETURNING id`,
    [mission, p.id, hub.ids.facilities[CLINIC[target]], officerId, clinicianId],
  );
  const startsAt = new Date(Date.now() + 86400_000 + n * 3600_000);
  const [slot] = await ds.query(
    `INSERT INTO mental_health_slots (clinician_id, facility_id, starts_at, ends_at) VALUES ($1, $2, $3, $3::timestamptz + interval '50 minutes') RETURNING id`,
    [clinicianId, facility, startsAt],
  );
  const [s] = await ds.query(
    `INSERT INTO consultation_sessions (mission_id, case_id, title, status, scheduled_at, host_id, created_by_id, audio_only_default, chat_in_thread)
     VALUES ($1, $2, 'Mental-health session', 'waiting', $3, $4, $5, true, false) RETURNING id`,
    [mission, c.id, startsAt, clinicianId, officerId],
  );
  const [b] = await ds.query(
    `INSERT INTO mental_health_bookings (slot_id, mission_id, case_id, patient_id, clinician_id, booked_by_id, consultation_session_id, chat_consent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, false) RETURNING id`,
    [slot.id, mission, c.id, p.id, clinicianId, officerId, s.id],
  );
  return { caseId: c.id, bookingId: b.id, sessionId: s.id };
}

/** A free slot of the Level 4 psychologist (serves both missions). */
async function freshSlot(hub: TestHub): Promise<string> {
  const [slot] = await hub.db.dataSource.query(
    `INSERT INTO mental_health_slots (clinician_id, facility_id, starts_at, ends_at)
     VALUES ($1, $2, now() + make_interval(days => 30, mins => $3), now() + make_interval(days => 30, mins => $3 + 50)) RETURNING id`,
    [hub.ids.users['psychologist@l4.demo'], hub.ids.facilities['Nairobi Reference Hospital (Level 4)'], 60 * n++],
  );
  return slot.id;
}

async function freshPatient(hub: TestHub, target: Target): Promise<string> {
  const [p] = await hub.db.dataSource.query(
    `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
     VALUES ($1, $2, 'Booked', 'Patient', '1990-01-01', 'male', 'RWA', 'RWANBAT', $3, $4) RETURNING id`,
    [hub.ids.missions[MISSION[target]], `SN-MHB-${Date.now().toString(36)}-${n++}`, hub.ids.facilities[CLINIC[target]], hub.ids.users[`officer@${KEY[target]}.demo`]],
  );
  return p.id;
}

/** Nobody at all (the record is someone else's sensitive case): 404 for every role and mission. */
const nobody = () => only([404, 404], {});

/** The new routes (in the main matrix: one row per route). */
export const MENTAL_HEALTH_MATRIX: Record<string, Row> = {
  // the caller's own slots: clinicians (Consult on cases); the demo doctor has none but may ask
  'GET /api/mental-health/slots': { build: () => ({ path: '/api/mental-health/slots' }), anon: 401, expect: only([403, 403], { doctor: [200, 200] }) },
  // publishing needs the mental_health specialty, which no matrix caller holds
  'POST /api/mental-health/slots': {
    build: () => ({ path: '/api/mental-health/slots', body: { startsAt: new Date(Date.now() + 40 * 86400_000).toISOString(), durationMinutes: 50 } }),
    anon: 401,
    expect: only([403, 403], {}),
  },
  // officers (for patients) and, where the mission allows it, any member of staff (for themselves): others get []
  'GET /api/mental-health/slots/open': { build: () => ({ path: '/api/mental-health/slots/open' }), anon: 401, expect: all(200) },
  'GET /api/mental-health/bookings': { build: () => ({ path: '/api/mental-health/bookings' }), anon: 401, expect: only([200, 200], {}) },
  'POST /api/mental-health/bookings': {
    build: async (hub, t) => ({ path: '/api/mental-health/bookings', body: { slotId: await freshSlot(hub), patientId: await freshPatient(hub, t), reason: 'Low mood', chatConsent: true } }),
    anon: 401,
    expect: only([403, 403], { officer: [201, 404] }),
  },
  // a booking made by the target mission's officer with its doctor treating: those two only
  'GET /api/mental-health/bookings/:id': {
    build: async (hub, t) => ({ path: `/api/mental-health/bookings/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).bookingId}` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
  },
  // the officer who booked and the clinician cancel (a fresh booking each time); nobody else reaches it
  'POST /api/mental-health/bookings/:id/cancel': {
    build: async (hub, t) => ({ path: `/api/mental-health/bookings/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).bookingId}/cancel`, body: { note: 'Patient evacuated' } }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
  },
  'GET /api/mental-health/bookings/:id/calendar.ics': {
    build: async (hub, t) => ({ path: `/api/mental-health/bookings/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).bookingId}/calendar.ics` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
  },
};

/**
 * Situations on existing routes. "theirs": the caller officer requested it and the caller doctor treats it (they
 * reach it; the manager, whose mission it is, does not). "someone else's": another officer of the same clinic
 * requested it and the Level 4 psychologist treats it (nobody of the matrix reaches it, the clinic's officer and
 * the mission's manager included).
 */
export const SENSITIVE_MATRIX: Record<string, SensitiveRow> = {
  'GET /api/cases/:id — sensitive, theirs': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).caseId}` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
  },
  'GET /api/cases/:id — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).caseId}` }),
    anon: 401,
    expect: nobody(),
  },
  'GET /api/cases?view=mine — sensitive, someone else’s, never listed': {
    build: async (hub, t) => {
      const { caseId } = await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo');
      return { path: '/api/cases?view=mine&limit=100', absent: caseId };
    },
    anon: 401,
    expect: only([200, 200], {}),
  },
  'GET /api/cases?view=queue — sensitive, someone else’s, never listed': {
    build: async (hub, t) => {
      const { caseId } = await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo');
      return { path: '/api/cases?view=queue&limit=100', absent: caseId };
    },
    anon: 401,
    expect: only([200, 200], {}),
  },
  'GET /api/cases/:id/fhir — sensitive, theirs': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).caseId}/fhir` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], doctor: [200, 404] }),
  },
  'GET /api/cases/:id/fhir — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).caseId}/fhir` }),
    anon: 401,
    expect: nobody(),
  },
  'POST /api/cases/:id/messages — sensitive, theirs': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'officer', 'doctor')).caseId}/messages`, body: { body: 'How did the night go?' } }),
    anon: 401,
    expect: only([404, 404], { officer: [201, 404], doctor: [201, 404] }),
  },
  'POST /api/cases/:id/messages — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).caseId}/messages`, body: { body: 'Any news?' } }),
    anon: 401,
    expect: nobody(),
  },
  'GET /api/cases/:id/consultations — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: `/api/cases/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).caseId}/consultations` }),
    anon: 401,
    expect: nobody(),
  },
  'GET /api/consultations/:id — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: `/api/consultations/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).sessionId}` }),
    anon: 401,
    expect: nobody(),
  },
  'POST /api/consultations — sensitive, someone else’s': {
    build: async (hub, t) => ({ path: '/api/consultations', body: { caseId: (await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).caseId } }),
    anon: 401,
    expect: nobody(),
  },
  'GET /api/mental-health/bookings/:id — someone else’s': {
    build: async (hub, t) => ({ path: `/api/mental-health/bookings/${(await freshSensitiveCase(hub, t, 'newofficer', 'psychologist@l4.demo')).bookingId}` }),
    anon: 401,
    expect: nobody(),
  },
};
