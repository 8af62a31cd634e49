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
