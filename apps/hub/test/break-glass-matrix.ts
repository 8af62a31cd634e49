import type { TestHub } from '@hub/testing';
import { MISSION, only, Row, Target } from './matrix-kit';

/**
 * Authorization matrix rows of break-the-glass (spread into authorization-matrix.e2e-spec.ts). The case is a draft of
 * the mission's second clinic: outside the officer's clinic and the doctor's queue (drafts are the clinic's), so
 * both break the glass in their own mission (201) and never in another (404); the health manager reads it already
 * (409); trainers and administrators are not clinicians (404, like any case they cannot read). The review is the
 * mission's health managers' (another mission's grant: 404).
 */
const OTHER_CLINIC: Record<Target, string> = { own: 'Bria Level 1 Clinic (ZAMBAT)', other: 'Malakal Level 1 Clinic (INDBAT)' };
const OFFICER: Record<Target, string> = { own: 'officer@minusca.demo', other: 'officer@unmiss.demo' };
const DOCTOR: Record<Target, string> = { own: 'doctor@minusca.demo', other: 'doctor@unmiss.demo' };
let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

/** A draft dermatology case of the target mission's second clinic (`requester`: who referred it, by e-mail). */
export async function outOfScopeCase(hub: TestHub, t: Target, sensitive = false, requester = OFFICER[t]): Promise<string> {
  const ds = hub.db.dataSource;
  const [p] = await ds.query(
    `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
     VALUES ($1, $2, 'Glass', 'Patient', '1990-01-01', 'male', 'ZMB', 'ZAMBAT', $3, $4) RETURNING id`,
    [hub.ids.missions[MISSION[t]], `SN-BG-${next()}`, hub.ids.facilities[OTHER_CLINIC[t]], hub.ids.users[OFFICER[t]]],
  );
  const [c] = await ds.query(
    `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, responsible_officer_id, specialty_code, urgency, urgency_rank, status,
       consent_given, presenting_complaint, question, sensitive)
     VALUES ($1, $2, $3, $4, $4, 'dermatology', 'urgent', 1, 'draft', true, 'Unconscious after a blast', 'Allergies?', $5) RETURNING id`,
    [hub.ids.missions[MISSION[t]], p.id, hub.ids.facilities[OTHER_CLINIC[t]], hub.ids.users[requester], sensitive],
  );
  return c.id;
}

/** A grant of the target mission's doctor on such a case (running), for review rows. */
async function freshGrant(hub: TestHub, t: Target): Promise<string> {
  const caseId = await outOfScopeCase(hub, t);
  const [g] = await hub.db.dataSource.query(
    `INSERT INTO break_glass_grants (user_id, case_id, mission_id, reason, started_at, expires_at)
     VALUES ($1, $2, $3, 'Matrix: patient unconscious', now(), now() + interval '2 hours') RETURNING id`,
    [hub.ids.users[DOCTOR[t]], caseId, hub.ids.missions[MISSION[t]]],
  );
  return g.id;
}

export const BREAK_GLASS_MATRIX: Record<string, Row> = {
  'POST /api/cases/:id/break-glass': {
    build: async (hub, t) => ({ path: `/api/cases/${await outOfScopeCase(hub, t)}/break-glass`, body: { reason: 'Patient unconscious, need his history' } }),
    anon: 401,
    expect: only([404, 404], { officer: [201, 404], doctor: [201, 404], manager: [409, 404] }),
  },
  'GET /api/break-glass': { build: () => ({ path: '/api/break-glass?state=all' }), anon: 401, expect: only([403, 403], { manager: [200, 200], sysadmin: [200, 200] }) },
  'POST /api/break-glass/:id/review': {
    build: async (hub, t) => ({ path: `/api/break-glass/${await freshGrant(hub, t)}/review`, body: { decision: 'accepted' } }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], sysadmin: [404, 404] }),
  },
};
