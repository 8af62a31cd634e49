import type { EmergencyAccessView } from './break-glass';
import type { CarePlanView } from './follow-up';
import type { FieldNodeHealth } from './node-status';
export type Urgency = 'emergency' | 'urgent' | 'routine';
export const URGENCIES: Urgency[] = ['emergency', 'urgent', 'routine'];
export const URGENCY_RANK: Record<Urgency, number> = { emergency: 0, urgent: 1, routine: 2 };

export type CaseStatus =
  | 'draft'
  | 'submitted'
  | 'accepted'
  | 'information_requested'
  | 'resubmitted'
  | 'answered'
  | 'closed'
  | 'cancelled';

/** Events that move a case; each is one API action. */
export type CaseEvent =
  | 'submit'
  | 'accept'
  | 'request_information'
  | 'resubmit'
  | 'answer'
  | 'close'
  | 'cancel'
  | 'hand_over';

export type NotificationKind =
  | 'case.new_in_queue'
  | 'case.accepted'
  | 'case.information_requested'
  | 'case.resubmitted'
  | 'case.answered'
  | 'case.outcome_reported'
  | 'case.sla_breach'
  | 'case.outcome_overdue'
  | 'case.handed_over'
  | 'case.message'
  | 'caseload.alert'
  | 'training.certificate_issued'
  | 'training.certificate_expiring'
  | 'training.certificate_revoked'
  /** Someone waits in a live consultation the user hosts while the user is not connected to it. */
  | 'consultation.waiting'
  /** A follow-up check of a care plan is overdue (to the clinic). */
  | 'case.follow_up_overdue'
  /** An outgoing officer handed open cases over to the recipient. */
  | 'rotation.handed_over'
  /** A rotation ended leaving open cases with nobody in charge (to the mission's health managers). */
  | 'rotation.left_unassigned'
  /** A mental-health session was booked with the user (the clinician), or is about to start (both people). */
  | 'mental_health.booked'
  | 'mental_health.reminder'
  /** A booked mental-health session was cancelled (to the other of its two people). */
  | 'mental_health.cancelled'
  /** A clinician opened a case of the mission through break-the-glass (to the mission's health managers, for review). */
  | 'case.emergency_access';

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  caseId: string | null;
  /** English sentence (kept for older clients). */
  text: string;
  /** Catalogue key of the sentence ("case.answered"), rendered with `params` in the reader's language. */
  code: string | null;
  params: NotificationParams | null;
  createdAt: string;
  readAt: string | null;
}

/**
 * Every sentence a notification can carry: the web app's catalogues must translate each one (a test checks). A
 * kind is its own code unless one kind has several sentences.
 */
export const NOTIFICATION_CODES = [
  'case.new_in_queue',
  'case.accepted',
  'case.information_requested',
  'case.resubmitted',
  'case.answered',
  'case.answered_evacuation',
  'case.outcome_reported',
  'case.sla_breach_backup',
  'case.sla_breach_manager',
  'case.outcome_overdue',
  'case.handed_over',
  'case.message',
  'case.cancelled',
  'caseload.dormant_site',
  'caseload.dormant_site_never',
  'caseload.sla_breach_rate',
  'caseload.outcome_overdue',
  'caseload.storage_now',
  'caseload.storage_past',
  'training.certificate_issued',
  'training.certificate_expiring',
  'training.certificate_expiring_other',
  'training.certificate_revoked',
  'consultation.waiting',
  'consultation.waiting_case',
  'consultation.waiting_titled',
  'case.follow_up_overdue',
  'caseload.follow_up_overdue',
  'caseload.unassigned_after_rotation',
  'caseload.field_node_silent',
  'caseload.field_node_back',
  'rotation.handed_over',
  'rotation.left_unassigned',
  'mental_health.booked',
  'mental_health.reminder',
  'mental_health.cancelled',
  'case.emergency_access',
] as const;
export type NotificationCode = (typeof NOTIFICATION_CODES)[number];

/** Values of a notification's sentence: references, names, dates (ISO), codes; never patient data. */
export type NotificationParams = Record<string, string | number>;

/** Payload of the socket.io `notification` event. */
export type NotificationEvent = NotificationView;

export interface PatientView {
  id: string;
  missionId: string;
  /** Full for the patient's clinic staff, masked ("•••2345") for roles that need no more. */
  serviceNumber: string;
  serviceNumberMasked: boolean;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sex: string;
  nationality: string;
  contingent: string;
  unit: string | null;
  bloodGroup: string;
  allergies: string[];
  chronicConditions: string[];
  currentFacilityId: string;
  transfers?: { fromFacilityId: string; toFacilityId: string; note: string | null; transferredAt: string }[];
}

export interface VitalSignsView {
  heartRate?: number;
  systolicBp?: number;
  diastolicBp?: number;
  respiratoryRate?: number;
  spo2?: number;
  temperatureC?: number;
  gcs?: number;
}

export interface EvacuationAdviceView {
  type: 'none' | 'medevac' | 'casevac';
  priority?: 'urgent' | 'priority' | 'routine';
  destinationLevel?: 2 | 3 | 4;
}

export interface OutcomeReportView {
  outcome: 'treated_locally' | 'evacuated' | 'transferred' | 'died' | 'other';
  evacuationDone: boolean;
  evacuationAvoided: boolean;
  note?: string;
}

export interface CaseSummaryView {
  id: string;
  reference: string;
  missionId: string;
  facilityId: string;
  facilityName: string;
  patientId: string;
  patientName: string;
  specialtyCode: string;
  urgency: Urgency;
  status: CaseStatus;
  assignedDoctorId: string | null;
  assignedDoctorName: string | null;
  submittedAt: string | null;
  deadlineAt: string | null;
  escalationLevel: number;
  overdue: boolean;
  createdAt: string;
}

export interface CaseView extends CaseSummaryView {
  requestedById: string;
  consentGiven: boolean;
  consentNote: string | null;
  presentingComplaint: string;
  history: string;
  vitals: VitalSignsView;
  examination: string;
  workingDiagnosis: string;
  question: string;
  acceptedAt: string | null;
  assessment: string | null;
  recommendation: string | null;
  evacuationAdvice: EvacuationAdviceView | null;
  answeredAt: string | null;
  outcome: OutcomeReportView | null;
  outcomeReportedAt: string | null;
  closedAt: string | null;
  patient: PatientView;
  transitions: { from: CaseStatus | null; to: CaseStatus; actorId: string | null; actorName: string | null; note: string | null; at: string }[];
  messages: { id: string; kind: string; authorId: string | null; authorName: string | null; body: string; createdAt: string; attachmentIds: string[] }[];
  /** Ready files, and files still arriving from a field node (status "uploading", with the bytes received so far). */
  attachments: { id: string; filename: string; mediaType: string | null; size: number; status: string; hasThumbnail: boolean; messageId: string | null; createdAt: string; receivedBytes?: number }[];
  escalations: { level: number; reason: string; escalatedAt: string }[];
  /** The specialist's follow-up plan (medications and checks), set with the answer. */
  plan: CarePlanView | null;
  /** The clinic's officer in charge of the case (null: the clinic as a whole, e.g. after a hand-over to the clinic). */
  responsibleOfficerId: string | null;
  responsibleOfficerName: string | null;
  /** What the caller may do now (drives the buttons of the case page). */
  allowedActions: CaseEvent[];
  /** A sensitive record (mental health): audio-only calls by default, FHIR export labelled restricted. */
  sensitive?: boolean;
  /** Set when the caller reads this case only through a break-the-glass grant (banner on every page of the case). */
  emergencyAccess?: EmergencyAccessView | null;
}

export interface CasePage {
  items: CaseSummaryView[];
  /** Opaque keyset cursor for the next page, or null at the end. */
  nextCursor: string | null;
}

export interface DashboardFilters {
  missionId?: string;
  from: string;
  to: string;
  facilityId?: string;
  specialty?: string;
  urgency?: Urgency;
}

export interface ResponseTimeRow {
  key: string;
  label: string;
  /** Cases submitted in the period (in this group). */
  cases: number;
  /** Minutes from submission to acceptance: median and 90th percentile (continuous, interpolated). */
  acceptMedianMin: number | null;
  acceptP90Min: number | null;
  /** Minutes from submission to the specialist's answer. */
  answerMedianMin: number | null;
  answerP90Min: number | null;
  /** Of the cases answered or past their deadline, the share answered within the SLA (0-1). */
  withinSlaShare: number | null;
}

export interface DashboardAlert {
  /** `storage`: the hub's file store or database disk is full or read-only (nothing new can be stored). */
  kind: 'dormant_site' | 'sla_breach_rate' | 'outcome_overdue' | 'storage' | 'follow_up_overdue' | 'unassigned_after_rotation' | 'field_node_silent';
  missionId: string;
  /** `field_node_silent`: the node not heard from. */
  nodeId?: string;
  facilityId?: string;
  /** English sentence; clients render `code` with `params` in the reader's language. */
  text: string;
  code: NotificationCode;
  params: NotificationParams;
}

export interface DashboardView {
  filters: DashboardFilters;
  weekly: { week: string; opened: number; answered: number; closed: number }[];
  openByUrgency: { urgency: Urgency; under1h: number; h1to24: number; d1to3: number; over3d: number }[];
  responseTimes: {
    overall: ResponseTimeRow;
    byFacility: ResponseTimeRow[];
    bySpecialty: ResponseTimeRow[];
    byUrgency: ResponseTimeRow[];
    byReferenceHospital: ResponseTimeRow[];
  };
  sla: { answeredLate: number; unansweredPastDeadline: number; escalatedToBackup: number; escalatedToManager: number };
  outcomes: {
    treatedLocally: number;
    evacuated: number;
    transferred: number;
    died: number;
    other: number;
    evacuationsRecommended: number;
    evacuationsPerformed: number;
    evacuationsAvoided: number;
  };
  /** Follow-up checks of care plans not yet recorded: on their day (due) and past it (overdue). */
  followUps: { due: number; overdue: number };
  alerts: DashboardAlert[];
  /** The missions' field nodes (of the facility filtered on, if any): last contact, backlog, version, revoked. */
  fieldNodes: FieldNodeHealth[];
}
