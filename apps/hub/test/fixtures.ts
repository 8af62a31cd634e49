import type { TestHub } from '@hub/testing';

/** Clinical test data shared by the end-to-end tests. */
export const PATIENT = {
  serviceNumber: 'BAN-2026-0001',
  firstName: 'Amina',
  lastName: 'Rahman',
  dateOfBirth: '1994-03-12',
  sex: 'female',
  nationality: 'BGD',
  contingent: 'BANBAT-12',
  unit: '2nd Company',
  bloodGroup: 'O+',
  allergies: ['penicillin'],
};

export const caseBody = (patientId: string, extra: object = {}) => ({
  patientId,
  specialtyCode: 'dermatology',
  urgency: 'urgent',
  consentGiven: true,
  presentingComplaint: 'Spreading rash on both forearms for 5 days',
  history: 'No known contact. Started doxycycline prophylaxis 3 weeks ago.',
  vitals: { heartRate: 88, systolicBp: 124, diastolicBp: 78, respiratoryRate: 16, spo2: 98, temperatureC: 37.8, gcs: 15 },
  examination: 'Erythematous maculopapular rash, no mucosal involvement.',
  workingDiagnosis: 'Drug eruption?',
  question: 'Is this a drug reaction, and should we stop doxycycline?',
  ...extra,
});

/**
 * Cases with known timestamps for the dashboard tests ("now" being 2026-06-15 12:00 UTC): four MINUSCA cases in
 * 2026-06-01 .. 2026-06-14, one UNMISS case and one draft. The expected figures are worked out in
 * dashboard.int-spec.ts.
 */
export async function seedDashboardCases(hub: TestHub): Promise<void> {
  const ds = hub.db.dataSource;
  const ids = hub.ids;
  const patient = async (mission: string, facility: string) =>
    (await ds.query(
      `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
       VALUES ($1, gen_random_uuid()::text, 'A', 'B', '1990-01-01', 'male', 'BGD', 'X', $2, $3) RETURNING id`,
      [ids.missions[mission], ids.facilities[facility], ids.users['officer@minusca.demo']],
    ))[0].id;
  const pa = await patient('MINUSCA', 'Bangui Level 1 Clinic (BANBAT)');
  const pb = await patient('UNMISS', 'Juba Level 1 Clinic (RWANBAT)');
  const doctor = ids.users['doctor@minusca.demo'];
  const add = (c: {
    mission?: string; facility?: string; patient?: string; specialty: string; urgency: string; status: string;
    submitted?: string; acceptMin?: number; answerMin?: number; closed?: string; outcome?: object; evac?: string; escalation?: number;
  }) => {
    const submitted = c.submitted ? new Date(c.submitted) : null;
    const plus = (m?: number) => (submitted && m !== undefined ? new Date(submitted.getTime() + m * 60_000) : null);
    return ds.query(
      `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, specialty_code, urgency, urgency_rank, status,
         consent_given, presenting_complaint, question, submitted_at, deadline_at, accepted_at, answered_at, closed_at, assigned_doctor_id,
         outcome, evacuation_advice, escalation_level)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, true, 'x', 'y', $8, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        ids.missions[c.mission ?? 'MINUSCA'], c.patient ?? pa, ids.facilities[c.facility ?? 'Bangui Level 1 Clinic (BANBAT)'],
        ids.users['officer@minusca.demo'], c.specialty, c.urgency, c.status, submitted, plus(c.acceptMin), plus(c.answerMin),
        c.closed ? new Date(c.closed) : null, c.acceptMin !== undefined ? doctor : null, c.outcome ? JSON.stringify(c.outcome) : null,
        c.evac ? JSON.stringify({ type: c.evac, priority: 'priority', destinationLevel: 2 }) : null, c.escalation ?? 0,
      ],
    );
  };
  // c1: urgent, answered in 2 h, treated locally
  await add({ specialty: 'dermatology', urgency: 'urgent', status: 'closed', submitted: '2026-06-01T10:00:00Z', acceptMin: 30, answerMin: 120, closed: '2026-06-03T10:00:00Z', outcome: { outcome: 'treated_locally', evacuationDone: false, evacuationAvoided: false }, evac: 'none' });
  // c2: urgent, answered late (25 h > 24 h), MEDEVAC advised and done
  await add({ specialty: 'dermatology', urgency: 'urgent', status: 'closed', submitted: '2026-06-02T10:00:00Z', acceptMin: 60, answerMin: 1500, closed: '2026-06-09T10:00:00Z', outcome: { outcome: 'evacuated', evacuationDone: true, evacuationAvoided: false }, evac: 'medevac' });
  // c3: emergency, answered in 50 min (< 60), outcome report still missing
  await add({ specialty: 'surgery', urgency: 'emergency', status: 'answered', submitted: '2026-06-08T08:00:00Z', acceptMin: 10, answerMin: 50 });
  // c4: routine, nobody took it, past its 72 h deadline, escalated to the backup hospital
  await add({ specialty: 'surgery', urgency: 'routine', status: 'submitted', submitted: '2026-06-09T08:00:00Z', escalation: 1 });
  // not counted: another mission's case, a draft
  await add({ mission: 'UNMISS', facility: 'Juba Level 1 Clinic (RWANBAT)', patient: pb, specialty: 'dermatology', urgency: 'urgent', status: 'submitted', submitted: '2026-06-05T10:00:00Z' });
  await add({ specialty: 'dermatology', urgency: 'urgent', status: 'draft' });
}

/**
 * Gives a user created by a test a valid certificate of the kind (officers need telemedicine_user to refer cases,
 * doctors telemedicine_consultant to consult), as if earned on the seeded certification course 30 days ago.
 */
export async function certify(hub: TestHub, userId: string, kind: 'telemedicine_user' | 'telemedicine_consultant' | 'trainer'): Promise<void> {
  await hub.db.dataSource.query(
    `INSERT INTO training_certificates (user_id, course_id, course_version, course_title, kind, code, issued_at, expires_at)
     SELECT $1, c.id, c.version, c.title, $2::varchar, upper(substr(md5(random()::text), 1, 4) || '-' || substr(md5(random()::text), 1, 4) || '-' || substr(md5(random()::text), 1, 4)),
            now() - interval '30 days', now() + interval '700 days'
       FROM training_courses c WHERE c.certification_kind = $2::varchar ORDER BY c.mission_id NULLS FIRST LIMIT 1`,
    [userId, kind],
  );
}
