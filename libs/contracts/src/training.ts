import { Role } from './roles';

/**
 * Training and certification (issue 5). Every route lives under /api/training, except the public certificate
 * verification GET /api/certificates/verify/:code. See docs/training.md for the route list.
 */

export type CertificationKind = 'telemedicine_user' | 'telemedicine_consultant' | 'trainer';
export const CERTIFICATION_KINDS: CertificationKind[] = ['telemedicine_user', 'telemedicine_consultant', 'trainer'];
export const CERTIFICATION_LABELS: Record<CertificationKind, string> = {
  telemedicine_user: 'Telemedicine user',
  telemedicine_consultant: 'Telemedicine consultant',
  trainer: 'Trainer',
};
/** Which certification a role needs for its gated actions (see docs/training.md). */
export const CERTIFICATION_FOR_ROLE: Partial<Record<Role, CertificationKind>> = {
  [Role.FieldMedicalOfficer]: 'telemedicine_user',
  [Role.ReferenceDoctor]: 'telemedicine_consultant',
  [Role.Trainer]: 'trainer',
};
/** Days before expiry from which a certificate counts as "expiring" and its holder is warned. */
export const EXPIRY_WARNING_DAYS = 30;
export const DEFAULT_VALIDITY_DAYS = 730;

export type TrainingLanguage = 'en' | 'fr';
export const TRAINING_LANGUAGES: TrainingLanguage[] = ['en', 'fr'];

/**
 * Body of a 403 with code CERTIFICATION_REQUIRED: what is missing and which courses give it (the web links the
 * first course in the user's language).
 */
export interface CertificationRequiredBody {
  statusCode: 403;
  code: 'CERTIFICATION_REQUIRED';
  message: string;
  errorId: string;
  certification: {
    kind: CertificationKind;
    label: string;
    /** Published certification courses the caller can take, own language first. */
    courses: { id: string; title: string; language: TrainingLanguage }[];
  };
}

// ---------------------------------------------------------------- courses

export type CourseStatus = 'draft' | 'published' | 'archived';

export interface CourseSummaryView {
  id: string;
  /** null: a global course managed by system administrators, visible in every mission. */
  missionId: string | null;
  title: string;
  description: string;
  language: TrainingLanguage;
  targetRoles: Role[];
  estimatedMinutes: number;
  /** 0 until first published; each publish increments it. */
  version: number;
  status: CourseStatus;
  certificationKind: CertificationKind | null;
  validityDays: number;
  lessonCount: number;
  hasQuiz: boolean;
  checklistCount: number;
  /** True when the caller may edit this course. */
  canManage: boolean;
  /** The caller's own progress (null for a course they never opened). */
  myProgress: ProgressSummary | null;
}

export interface AttachmentView {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  /** GET this (with the bearer token) to download. */
  url: string;
}

export interface LessonView {
  id: string;
  position: number;
  title: string;
  /** Markdown; the web renders it with marked + DOMPurify. */
  body: string;
  estimatedMinutes: number;
  attachments: AttachmentView[];
}

export interface ChecklistItemView {
  id: string;
  position: number;
  title: string;
  description: string;
}

/** What a learner sees about a course's quiz before starting: never the questions' keys. */
export interface QuizInfoView {
  questionCount: number;
  passMark: number;
  maxAttempts: number | null;
  cooldownMinutes: number;
}

export interface CourseDetailView extends CourseSummaryView {
  lessons: LessonView[];
  quiz: QuizInfoView | null;
  checklist: ChecklistItemView[];
}

export interface CreateCourseRequest {
  /** Omit for a global course (system administrators only). */
  missionId?: string;
  title: string;
  description: string;
  language: TrainingLanguage;
  targetRoles: Role[];
  estimatedMinutes: number;
  certificationKind?: CertificationKind | null;
  /** Default 730. */
  validityDays?: number;
}
export type UpdateCourseRequest = Partial<Omit<CreateCourseRequest, 'missionId'>> & { status?: 'archived' | 'draft' };

export interface LessonInput {
  title: string;
  body: string;
  estimatedMinutes?: number;
  /** Position among the lessons (0-based); appended when omitted. */
  position?: number;
}

// ---------------------------------------------------------------- quiz

export type QuestionType = 'single' | 'multiple' | 'true_false';

export interface QuizOptionInput {
  /** Keep the id of an existing option when editing. */
  id?: string;
  text: string;
  correct: boolean;
}
export interface QuizQuestionInput {
  id?: string;
  type: QuestionType;
  text: string;
  explanation: string;
  /** true_false: exactly two options (e.g. True / False), one correct. */
  options: QuizOptionInput[];
}
export interface QuizInput {
  /** 0-100 (percent of questions answered right). */
  passMark: number;
  /** null: unlimited. Counted per certification cycle. */
  maxAttempts?: number | null;
  /** Minutes to wait after a failed attempt. */
  cooldownMinutes?: number;
  questions: QuizQuestionInput[];
}
/** The quiz with its key, for course managers only (GET/PUT /courses/:id/quiz). */
export interface QuizEditorView {
  passMark: number;
  maxAttempts: number | null;
  cooldownMinutes: number;
  questions: (QuizQuestionInput & { id: string; options: (QuizOptionInput & { id: string })[] })[];
}

/** A question as a learner receives it when starting an attempt: shuffled, no key, no explanation. */
export interface AttemptQuestionView {
  id: string;
  type: QuestionType;
  text: string;
  options: { id: string; text: string }[];
}
export interface AttemptStartView {
  id: string;
  courseId: string;
  courseVersion: number;
  startedAt: string;
  attemptNumber: number;
  passMark: number;
  questions: AttemptQuestionView[];
}
export interface SubmitAttemptRequest {
  answers: { questionId: string; optionIds: string[] }[];
}
export interface AttemptQuestionResult extends AttemptQuestionView {
  chosenOptionIds: string[];
  /** Empty, like `explanation`, while the key is withheld (see AttemptView.keyShown). */
  correctOptionIds: string[];
  correct: boolean;
  explanation: string;
}
/**
 * An attempt; `questions` carries right/wrong once submitted, and the key and explanations only once the learner has
 * passed the quiz or has no attempt left (`keyShown`): a failed attempt must not hand over the answers to the next.
 */
export interface AttemptView {
  id: string;
  courseId: string;
  userId: string;
  courseVersion: number;
  attemptNumber: number;
  startedAt: string;
  submittedAt: string | null;
  /** 0-100, null until submitted. */
  score: number | null;
  passed: boolean | null;
  passMark: number;
  /** Whether `questions` carry the right answers and explanations. */
  keyShown: boolean;
  questions: AttemptQuestionResult[] | AttemptQuestionView[];
}

// ---------------------------------------------------------------- checklist and sign-off

export interface ChecklistInput {
  items: { id?: string; title: string; description?: string }[];
}
export interface SignOffRequest {
  userId: string;
  itemId: string;
  /** YYYY-MM-DD: when the skill was demonstrated (not in the future). */
  performedOn: string;
  note?: string;
}
export interface SignOffView {
  id: string;
  courseId: string;
  itemId: string;
  userId: string;
  trainerId: string;
  trainerName: string;
  performedOn: string;
  note: string | null;
  createdAt: string;
}

// ---------------------------------------------------------------- progress

export interface ProgressSummary {
  lessonsDone: number;
  lessonsTotal: number;
  quizPassed: boolean;
  /** False when the course has no quiz. */
  quizRequired: boolean;
  signOffsDone: number;
  signOffsTotal: number;
  /** Complete for the current version (since the last certificate for certification courses). */
  complete: boolean;
  /** Versions this learner completed, newest first (a new version keeps these). */
  completedVersions: { version: number; completedAt: string }[];
}

export interface LearnerProgressView extends ProgressSummary {
  courseId: string;
  userId: string;
  userName: string;
  lessonIdsDone: string[];
  attempts: { id: string; attemptNumber: number; submittedAt: string | null; score: number | null; passed: boolean | null }[];
  /** When the next attempt may start (cool-down), null if now; `attemptsLeft` null when unlimited. */
  nextAttemptAt: string | null;
  attemptsLeft: number | null;
  signOffs: SignOffView[];
  /** The certificate issued for this course, if any (newest). */
  certificate: CertificateView | null;
}

export type CertificationState = 'certified' | 'expiring' | 'expired' | 'revoked' | 'waived' | 'missing';

export interface MyTrainingStatus {
  userId: string;
  /** Certifications the caller's roles need, with their state and the courses that give them. */
  required: {
    kind: CertificationKind;
    label: string;
    state: CertificationState;
    /** Valid now (certificate or waiver): the gated actions are allowed. */
    valid: boolean;
    expiresAt: string | null;
    certificateId: string | null;
    waiverId: string | null;
    courses: { id: string; title: string; language: TrainingLanguage }[];
  }[];
  /** Every valid certification kind (also ones no role needs). */
  validKinds: CertificationKind[];
  courses: CourseSummaryView[];
  certificates: CertificateView[];
  cohorts: { id: string; name: string }[];
}

// ---------------------------------------------------------------- certificates and waivers

export type CertificateStatus = 'valid' | 'expired' | 'revoked';

export interface CertificateView {
  id: string;
  userId: string;
  userName: string;
  courseId: string;
  courseTitle: string;
  courseVersion: number;
  kind: CertificationKind;
  code: string;
  issuedAt: string;
  expiresAt: string;
  status: CertificateStatus;
  revokedAt: string | null;
  revocationReason: string | null;
}
export interface RevokeRequest {
  reason: string;
}
/** GET /api/certificates/verify/:code (public): nothing beyond name, course and dates. */
export interface CertificateVerification {
  code: string;
  status: CertificateStatus;
  holderName: string;
  courseTitle: string;
  certification: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface WaiverView {
  id: string;
  userId: string;
  userName: string;
  missionId: string;
  kind: CertificationKind;
  reason: string;
  startsAt: string;
  expiresAt: string;
  grantedById: string;
  revokedAt: string | null;
  active: boolean;
}
export interface CreateWaiverRequest {
  userId: string;
  /** The mission in which the administrator grants it (must be the user's and the caller's). */
  missionId: string;
  kind: CertificationKind;
  /** ISO time in the future, at most 90 days ahead. */
  expiresAt: string;
  reason: string;
}

// ---------------------------------------------------------------- cohorts

export interface CohortSummaryView {
  id: string;
  missionId: string;
  name: string;
  description: string;
  startsOn: string | null;
  endsOn: string | null;
  memberCount: number;
  courseIds: string[];
}
export interface CohortDetailView extends CohortSummaryView {
  members: { userId: string; displayName: string; email: string }[];
  courses: { id: string; title: string; language: TrainingLanguage; certificationKind: CertificationKind | null }[];
  /** One row per member x course. */
  progress: (ProgressSummary & { userId: string; courseId: string })[];
}
export interface CreateCohortRequest {
  missionId: string;
  name: string;
  description?: string;
  startsOn?: string;
  endsOn?: string;
  /** Users with a membership in the mission. */
  memberIds: string[];
  courseIds: string[];
}
export type UpdateCohortRequest = Partial<Omit<CreateCohortRequest, 'missionId'>>;

// ---------------------------------------------------------------- compliance

export interface ComplianceRow {
  userId: string;
  displayName: string;
  email: string;
  roles: Role[];
  kind: CertificationKind;
  state: CertificationState;
  expiresAt: string | null;
  certificateId: string | null;
}
export interface ComplianceReport {
  missionId: string;
  generatedAt: string;
  totals: Record<CertificationKind, Record<'certified' | 'expiring' | 'expired' | 'missing' | 'waived', number>>;
  rows: ComplianceRow[];
}

// ---------------------------------------------------------------- resource centre

export type ResourceKind = 'guide' | 'sop' | 'quick_reference';
export interface ResourceView {
  id: string;
  missionId: string | null;
  kind: ResourceKind;
  title: string;
  summary: string;
  body: string;
  language: TrainingLanguage;
  tags: string[];
  updatedAt: string;
  canManage: boolean;
  /** Search rank (only on search results). */
  rank?: number;
  /** Highlighted fragment of the match (ts_headline, plain text with «» around hits). */
  snippet?: string;
}
export interface CreateResourceRequest {
  missionId?: string;
  kind: ResourceKind;
  title: string;
  summary?: string;
  body: string;
  language: TrainingLanguage;
  tags?: string[];
}
export type UpdateResourceRequest = Partial<Omit<CreateResourceRequest, 'missionId'>>;
