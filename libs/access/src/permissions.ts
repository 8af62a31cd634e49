import { Role } from '@hub/contracts';

export enum Action {
  Manage = 'manage',
  Create = 'create',
  Read = 'read',
  Update = 'update',
  Delete = 'delete',
  /** Clinic side of a case: draft, submit, answer requests for information, report the outcome, close, cancel. */
  Refer = 'refer',
  /** Specialist side of a case: accept, request information, answer, hand over. */
  Consult = 'consult',
  /** Take part in a live consultation (join its call, get TURN credentials, stay in it). */
  Join = 'join',
}

export type SubjectName =
  | 'Mission'
  | 'Facility'
  | 'User'
  | 'Membership'
  | 'AuditEntry'
  | 'Patient'
  | 'Case'
  | 'Caseload'
  /** A live consultation session (policies/consultation.policy.ts). */
  | 'Consultation'
  /** A file of a case (policies/attachment.policy.ts). */
  | 'Attachment'
  // training (docs/training.md)
  | 'Course'
  | 'Cohort'
  | 'SignOff'
  | 'Certificate'
  | 'Waiver'
  | 'Compliance'
  | 'TrainingResource'
  /** A learner's quiz attempt: only its learner reaches it (policies/training.policy.ts). */
  | 'QuizAttempt'
  /** A notification: only its recipient reads and marks it (policies/notification.policy.ts). */
  | 'Notification'
  /** A field node of a facility (registration, revocation, bandwidth budgets; policies/field-node.policy.ts). */
  | 'FieldNode'
  /** Break-the-glass grants, for their review by the mission's health managers. */
  | 'EmergencyAccess';

/** Subjects holding patient data: reached only through clinical memberships (clinical-scope.ts), never by admin roles. */
export const CLINICAL_SUBJECTS: SubjectName[] = ['Patient', 'Case', 'Consultation', 'Attachment'];

/** The record field that holds a subject's mission(s); rules scoped to "mission" test it. */
export const MISSION_FIELD: Record<SubjectName, string> = {
  Mission: 'id',
  Facility: 'missionIds',
  User: 'missionIds',
  Membership: 'missionIds',
  AuditEntry: 'missionId',
  Patient: 'missionId',
  Case: 'missionId',
  Consultation: 'missionId',
  /** The mission of the attachment's case. */
  Attachment: 'caseMissionId',
  /** Aggregated caseload figures of a mission (no patient data). */
  Caseload: 'missionId',
  /** null for a global course (readable by everyone signed in, managed by system administrators). */
  Course: 'missionId',
  Cohort: 'missionId',
  /** The missions of the cohorts holding the learner. */
  SignOff: 'missionIds',
  /** The holder's missions (also used for another learner's progress). */
  Certificate: 'missionIds',
  Waiver: 'missionId',
  /** Training compliance figures of a mission's staff. */
  Compliance: 'missionId',
  TrainingResource: 'missionId',
  QuizAttempt: 'missionId',
  Notification: 'missionId',
  FieldNode: 'missionId',
  EmergencyAccess: 'missionId',
};

/**
 * - all: every record (system administrators);
 * - mission: records of the missions where the caller holds the role;
 * - self: the caller's own user record.
 */
export type GrantScope = 'all' | 'mission' | 'self';

export interface Grant {
  action: Action;
  subject: SubjectName | 'all';
  scope: GrantScope;
}

const g = (action: Action, subject: SubjectName | 'all', scope: GrantScope = 'mission'): Grant => ({
  action,
  subject,
  scope,
});

const READ_OWN_MISSION = [g(Action.Read, 'Mission'), g(Action.Read, 'Facility')];
/** Every member of a mission reads its courses and resource centre (global ones: see ability.factory.ts). */
const READ_TRAINING = [g(Action.Read, 'Course'), g(Action.Read, 'TrainingResource')];

/**
 * What each role may do. This table is the whole permission model of the identity layer: the CASL ability and the
 * repository scopes are both derived from it, so they cannot disagree. Later modules add their subjects here.
 */
export const ROLE_GRANTS: Record<Role, Grant[]> = {
  [Role.SystemAdmin]: [g(Action.Manage, 'all', 'all')],
  [Role.MissionAdmin]: [
    g(Action.Read, 'Mission'),
    g(Action.Update, 'Mission'),
    g(Action.Manage, 'Facility'),
    g(Action.Manage, 'User'),
    g(Action.Manage, 'Membership'),
    g(Action.Read, 'AuditEntry'),
    ...READ_TRAINING,
    g(Action.Read, 'Cohort'),
    g(Action.Read, 'Certificate'),
    g(Action.Manage, 'Waiver'),
    g(Action.Read, 'Compliance'),
    g(Action.Manage, 'FieldNode'),
  ],
  [Role.HealthManager]: [
    ...READ_OWN_MISSION,
    g(Action.Read, 'User'),
    g(Action.Read, 'Caseload'),
    ...READ_TRAINING,
    g(Action.Read, 'Cohort'),
    g(Action.Read, 'Certificate'),
    g(Action.Read, 'Waiver'),
    g(Action.Read, 'Compliance'),
    g(Action.Read, 'EmergencyAccess'),
    g(Action.Update, 'EmergencyAccess'),
  ],
  [Role.Trainer]: [
    ...READ_OWN_MISSION,
    g(Action.Read, 'User'),
    g(Action.Manage, 'Course'),
    g(Action.Manage, 'Cohort'),
    g(Action.Create, 'SignOff'),
    g(Action.Read, 'Certificate'),
    g(Action.Update, 'Certificate'),
    g(Action.Manage, 'TrainingResource'),
  ],
  [Role.ReferenceDoctor]: [...READ_OWN_MISSION, ...READ_TRAINING],
  [Role.FieldMedicalOfficer]: [...READ_OWN_MISSION, ...READ_TRAINING],
};

/** Granted to every signed-in user whatever their role. */
export const SELF_GRANTS: Grant[] = [g(Action.Read, 'User', 'self')];
