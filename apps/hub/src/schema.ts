import { AuditEntry } from '@hub/audit';
import { MIGRATIONS } from '@hub/database';
import { CaseAttachment, CaseEscalation, CaseMessage, CaseTransition, Patient, PatientTransfer, ReferralCase, Specialty } from '@hub/cases';
import { Facility, Membership, Mission, RefreshToken, User } from '@hub/identity';
import { CaseFact } from '@hub/monitoring';
import { ConsultationInvitation, ConsultationParticipant, ConsultationSession } from '@hub/consultations';
import { Notification } from '@hub/notifications';

/** Every entity of the hub; migrations must describe exactly these (see the drift test). */
export const ENTITIES = [
  Mission,
  Facility,
  User,
  Membership,
  RefreshToken,
  AuditEntry,
  Specialty,
  Patient,
  PatientTransfer,
  ReferralCase,
  CaseTransition,
  CaseMessage,
  CaseAttachment,
  CaseEscalation,
  Notification,
  CaseFact,
  ConsultationSession,
  ConsultationParticipant,
  ConsultationInvitation,
];

export { MIGRATIONS };
