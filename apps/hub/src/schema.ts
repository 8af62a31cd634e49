import { AuditEntry, AuditSeal } from '@hub/audit';
import { MIGRATIONS } from '@hub/database';
import { BreakGlassGrant, CarePlan, CaseAttachment, CaseEscalation, CaseMessage, CaseTransition, FollowUpCheck, Patient, PatientTransfer, ReferralCase, Specialty } from '@hub/cases';
import { IdempotencyKey } from '@hub/idempotency';
import { Facility, Membership, Mission, RefreshToken, User } from '@hub/identity';
import { CaseFact } from '@hub/monitoring';
import { ConsultationInvitation, ConsultationParticipant, ConsultationRecording, ConsultationSession, RecordingConsent } from '@hub/consultations';
import { Notification } from '@hub/notifications';
import { FieldNode, SyncChange, SyncOperationRecord } from '@hub/sync';
import { AvailabilitySlot, MentalHealthBooking } from '@hub/mental-health';
import {
  Certificate,
  CertificationWaiver,
  ChecklistItem,
  Cohort,
  CohortCourse,
  CohortMember,
  Course,
  CourseCompletion,
  Lesson,
  LessonAttachment,
  LessonCompletion,
  Quiz,
  QuizAttempt,
  Resource,
  SignOff,
} from '@hub/training';

/** Every entity of the hub; migrations must describe exactly these (see the drift test). */
export const ENTITIES = [
  IdempotencyKey,
  Mission,
  Facility,
  User,
  Membership,
  RefreshToken,
  AuditEntry,
  AuditSeal,
  Specialty,
  Patient,
  PatientTransfer,
  ReferralCase,
  CaseTransition,
  CaseMessage,
  CaseAttachment,
  CaseEscalation,
  CarePlan,
  FollowUpCheck,
  BreakGlassGrant,
  Notification,
  CaseFact,
  Course,
  Lesson,
  LessonAttachment,
  Quiz,
  ChecklistItem,
  LessonCompletion,
  QuizAttempt,
  SignOff,
  CourseCompletion,
  Certificate,
  CertificationWaiver,
  Cohort,
  CohortMember,
  CohortCourse,
  Resource,
  ConsultationSession,
  ConsultationParticipant,
  ConsultationInvitation,
  RecordingConsent,
  ConsultationRecording,
  FieldNode,
  SyncOperationRecord,
  SyncChange,
  AvailabilitySlot,
  MentalHealthBooking,
];

export { MIGRATIONS };
