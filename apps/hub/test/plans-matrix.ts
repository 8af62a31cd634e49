import type { TestHub } from '@hub/testing';
import { all, MISSION, only, Row, Target } from './matrix-kit';

/**
 * Authorization matrix rows of follow-up plans and rotations (spread into authorization-matrix.e2e-spec.ts).
 * Plans and checks follow their case: the clinic records checks (other mission: 404); the patient's vital-sign
 * trends read like the patient. Rotation dates are an administrator's, like memberships; the hand-over is the
 * outgoing officer's own; the import of a rotation is for the mission's administrators; the list of cases left
 * unassigned is for health managers, like the dashboard.
 */
const CLINIC: Record<Target, string> = { own: 'Bangui Level 1 Clinic (BANBAT)', other: 'Juba Level 1 Clinic (RWANBAT)' };
const OFFICER: Record<Target, string> = { own: 'officer@minusca.demo', other: 'officer@unmiss.demo' };
const DOCTOR: Record<Target, string> = { own: 'doctor@minusca.demo', other: 'doctor@unmiss.demo' };
let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

async function freshPatient(hub: TestHub, t: Target): Promise<string> {
  const [p] = await hub.db.dataSource.query(
    `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
     VALUES ($1, $2, 'Plan', 'Patient', '1990-01-01', 'male', 'RWA', 'RWANBAT', $3, $4) RETURNING id`,
    [hub.ids.missions[MISSION[t]], `SN-P-${next()}`, hub.ids.facilities[CLINIC[t]], hub.ids.users[OFFICER[t]]],
  );
  return p.id;
}

/** An answered case of the target mission with a plan holding one check (a question), due now. */
async function freshCheck(hub: TestHub, t: Target): Promise<{ caseId: string; checkId: string }> {
  const ds = hub.db.dataSource;
  const [c] = await ds.query(
    `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, responsible_officer_id, specialty_code, urgency, urgency_rank, status,
       consent_given, presenting_complaint, question, submitted_at, deadline_at, assigned_doctor_id, answered_at)
     VALUES ($1, $2, $3, $4, $4, 'dermatology', 'urgent', 1, 'answered', true, 'Wound', 'Sutures?', now(), now() + interval '1 day', $5, now()) RETURNING id`,
    [hub.ids.missions[MISSION[t]], await freshPatient(hub, t), hub.ids.facilities[CLINIC[t]], hub.ids.users[OFFICER[t]], hub.ids.users[DOCTOR[t]]],
  );
  const [plan] = await ds.query(`INSERT INTO care_plans (case_id, mission_id, created_by_id) VALUES ($1, $2, $3) RETURNING id`, [c.id, hub.ids.missions[MISSION[t]], hub.ids.users[DOCTOR[t]]]);
  const [k] = await ds.query(
    `INSERT INTO follow_up_checks (plan_id, case_id, mission_id, facility_id, day, due_at, question) VALUES ($1, $2, $3, $4, 1, now(), 'Pain?') RETURNING id`,
    [plan.id, c.id, hub.ids.missions[MISSION[t]], hub.ids.facilities[CLINIC[t]]],
  );
  return { caseId: c.id, checkId: k.id };
}

async function freshMembership(hub: TestHub, t: Target): Promise<string> {
  const [row] = await hub.db.dataSource.query(
    `INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2) RETURNING id`,
    [hub.ids.users[DOCTOR[t]], hub.ids.missions[MISSION[t]]],
  );
  return row.id;
}

export const PLANS_MATRIX: Record<string, Row> = {
  'POST /api/cases/:id/checks/:checkId': {
    build: async (hub, t) => {
      const { caseId, checkId } = await freshCheck(hub, t);
      return { path: `/api/cases/${caseId}/checks/${checkId}`, body: { answer: 'No pain' } };
    },
    anon: 401,
    // the clinic records; everyone else is refused by the route's policy (no clinic-side right at all)
    expect: only([403, 403], { officer: [200, 404] }),
  },
  'GET /api/follow-ups/due': { build: () => ({ path: '/api/follow-ups/due' }), anon: 401, expect: all(200) },
  'GET /api/patients/:id/vital-trends': {
    build: async (hub, t) => ({ path: `/api/patients/${await freshPatient(hub, t)}/vital-trends` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404], manager: [200, 404] }),
  },
  'PATCH /api/memberships/:id': {
    build: async (hub, t) => ({ path: `/api/memberships/${await freshMembership(hub, t)}`, body: { endsAt: '2099-01-01T00:00:00Z' } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/rotations/successors': { build: () => ({ path: '/api/rotations/successors' }), anon: 401, expect: all(200) },
  'POST /api/rotations/hand-over': {
    build: () => ({ path: '/api/rotations/hand-over', body: { note: 'Matrix hand-over to the clinic' } }),
    anon: 401,
    // only an officer has clinic cases to hand over
    expect: only([403, 403], { officer: [200, 200] }),
  },
  'POST /api/rotations/import': {
    build: (hub, t) => ({
      path: '/api/rotations/import',
      body: {
        missionId: hub.ids.missions[MISSION[t]],
        cohortName: `Matrix rotation ${next()}`,
        csv: `name,email,role,facility,start,end\nMatrix Trainer,matrix-${next()}@rotation.demo,trainer,,2026-12-01,2027-05-31\n`,
      },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/rotations/unassigned': {
    build: (hub, t) => ({ path: `/api/rotations/unassigned?missionId=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], sysadmin: [200, 200] }),
  },
};
