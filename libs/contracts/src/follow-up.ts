import type { VitalSignsView } from './cases';

/** Vital signs a follow-up check may ask for (the keys of VitalSignsView). */
export const VITAL_SIGNS = ['heartRate', 'systolicBp', 'diastolicBp', 'respiratoryRate', 'spo2', 'temperatureC', 'gcs'] as const;
export type VitalSignName = (typeof VITAL_SIGNS)[number];

export const MEDICATION_ROUTES = ['oral', 'iv', 'im', 'sc', 'topical', 'inhaled', 'rectal', 'other'] as const;
export type MedicationRoute = (typeof MEDICATION_ROUTES)[number];

export interface MedicationView {
  drug: string;
  dose: string;
  route: MedicationRoute;
  /** e.g. "every 8 hours", "twice a day". */
  frequency: string;
  durationDays: number;
}

/**
 * upcoming: before its day; due: on its day (24 h from its due time); overdue: not recorded after its day;
 * recorded: done.
 */
export type FollowUpCheckState = 'upcoming' | 'due' | 'overdue' | 'recorded';

export interface FollowUpCheckView {
  id: string;
  caseId: string;
  /** Days after the plan was set. */
  day: number;
  dueAt: string;
  /** Vital signs to record. */
  vitals: VitalSignName[];
  /** A photo (e.g. of the wound) to attach. */
  photo: boolean;
  /** A question the clinic answers. */
  question: string | null;
  state: FollowUpCheckState;
  recordedAt: string | null;
  recordedByName: string | null;
  recordedVitals: VitalSignsView | null;
  answer: string | null;
  attachmentId: string | null;
  note: string | null;
}

export interface CarePlanView {
  id: string;
  caseId: string;
  createdAt: string;
  createdByName: string | null;
  instructions: string;
  medications: MedicationView[];
  checks: FollowUpCheckView[];
}

/** A check on the clinic's home list (due or overdue), with the case it belongs to. */
export interface FollowUpDueView extends FollowUpCheckView {
  reference: string;
  patientName: string;
  facilityName: string;
}

/** One point of a vital sign over time, from a case's vitals or a recorded check. */
export interface VitalTrendPoint {
  at: string;
  caseId: string;
  reference: string;
  source: 'case' | 'check';
  vitals: VitalSignsView;
}
