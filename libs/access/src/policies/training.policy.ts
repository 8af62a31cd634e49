import { Role } from '@hub/contracts';
import { certifiedMissions } from '../certification';
import { membershipMissionsSql } from '../mission-scope';
import { Action } from '../permissions';
import type { Principal } from '../principal';
import { ROLE_RULE, roleRules } from '../policy/role-rules';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';

/**
 * Training (docs/training.md) on the access engine: one policy per subject, each a list of named rules compiled to
 * the CASL ability (record checks) and to the SQL of every training list (`AccessScope`, taken by the training
 * repositories). The mission rules come from the role grants (`ROLE_GRANTS`, via `roleRules`): `admin-of-mission`,
 * `manager-of-mission`, `trainer-of-mission`, `member-of-mission`, `system-admin`; beside them `global` (global
 * courses and documents), `self` (a learner's own records) and the restrictions named below.
 */
export const TrainingRule = {
  /** Global courses and resource-centre documents (no mission): everyone signed in reads them. */
  Global: 'global',
  /** A learner's own certificates, progress and quiz attempts. */
  Self: 'self',
  SystemAdmin: ROLE_RULE[Role.SystemAdmin],
  AdminOfMission: ROLE_RULE[Role.MissionAdmin],
  ManagerOfMission: ROLE_RULE[Role.HealthManager],
  TrainerOfMission: ROLE_RULE[Role.Trainer],
  MemberOfMission: ROLE_RULE[Role.FieldMedicalOfficer],
  /**
   * Restriction: a learner whose memberships reach missions beyond the caller's (staff of a Level 4 hospital serving
   * several missions) has records each mission's staff may read, but only someone holding all of them may change.
   */
  SharedHolder: 'shared-holder',
  /** Restriction: signing off practical skills needs a valid trainer certification (a waiver: in its missions only). */
  CertifiedTrainer: 'certified-trainer',
  /** Restriction: a quiz attempt is its learner's alone, whatever other grants say (system administrators too). */
  LearnerOnly: 'learner-only',
} as const;

/**
 * The missions a learner's memberships reach, in SQL, for the user id expression `userId` (the SQL twin of the
 * `missionIds` of a training record; `learnerMissions` in libs/training reads the same expression).
 */
export const learnerMissionsSql = (userId: string) =>
  `ARRAY(SELECT DISTINCT lm_reach.mission_id FROM memberships lm CROSS JOIN LATERAL unnest(${membershipMissionsSql('lm')}) AS lm_reach(mission_id)
          WHERE lm.user_id = ${userId})`;

/** The missions of the cohorts holding a learner, in SQL (the `missionIds` of a sign-off). */
export const cohortMissionsSql = (userId: string) =>
  `ARRAY(SELECT DISTINCT cc.mission_id FROM training_cohort_members ccm JOIN training_cohorts cc ON cc.id = ccm.cohort_id WHERE ccm.user_id = ${userId})`;

const missionsOf = (p: Principal) => [...new Set(p.memberships.flatMap((m) => m.missionIds))];
const isSystemAdmin = (p: Principal) => p.memberships.some((m) => m.role === Role.SystemAdmin);

/** Courses: members read their missions' published courses and global ones; trainers manage their missions'. */
export const CoursePolicy: SubjectPolicy & { subject: 'Course' } = {
  subject: 'Course',
  columns: { id: 'id', missionId: 'mission_id' },
  rules: (p): PolicyRule[] => [{ name: TrainingRule.Global, actions: [Action.Read], conditions: { missionId: null } }, ...roleRules(p, 'Course')],
};

/** Resource-centre documents: as courses. */
export const TrainingResourcePolicy: SubjectPolicy & { subject: 'TrainingResource' } = {
  subject: 'TrainingResource',
  columns: { id: 'id', missionId: 'mission_id' },
  rules: (p): PolicyRule[] => [{ name: TrainingRule.Global, actions: [Action.Read], conditions: { missionId: null } }, ...roleRules(p, 'TrainingResource')],
};

/** Cohorts: trainers manage their missions'; health managers and mission administrators read them. */
export const CohortPolicy: SubjectPolicy & { subject: 'Cohort' } = {
  subject: 'Cohort',
  columns: { id: 'id', missionId: 'mission_id' },
  rules: (p): PolicyRule[] => roleRules(p, 'Cohort'),
};

/** Certification waivers: mission administrators grant and revoke their missions'; health managers read them. */
export const WaiverPolicy: SubjectPolicy & { subject: 'Waiver' } = {
  subject: 'Waiver',
  columns: { id: 'id', missionId: 'mission_id', userId: 'user_id' },
  rules: (p): PolicyRule[] => roleRules(p, 'Waiver'),
};

/** A mission's training compliance report (over the missions table: `missionId` is the mission's id). */
export const CompliancePolicy: SubjectPolicy & { subject: 'Compliance' } = {
  subject: 'Compliance',
  columns: { missionId: 'id' },
  rules: (p): PolicyRule[] => roleRules(p, 'Compliance'),
};

/**
 * A learner's training records: certificates, and progress on a course (`?userId=`). The record's `userId` is the
 * learner, `missionIds` the missions the learner's memberships reach. Rules: `self` (read one's own), then
 * `trainer-of-mission` (read, revoke), `manager-of-mission` and `admin-of-mission` (read), `system-admin`, and
 * the restriction `shared-holder`. Over any table with a `user_id` column.
 */
export const TrainingRecordPolicy: SubjectPolicy & { subject: 'Certificate' } = {
  subject: 'Certificate',
  columns: { id: 'id', userId: 'user_id', missionIds: (a) => learnerMissionsSql(`${a}.user_id`) },
  arrays: ['missionIds'],
  rules(p): PolicyRule[] {
    const rules: PolicyRule[] = [{ name: TrainingRule.Self, actions: [Action.Read], conditions: { userId: p.userId } }, ...roleRules(p, 'Certificate', 'missionIds')];
    if (!isSystemAdmin(p)) {
      rules.push({ name: TrainingRule.SharedHolder, restricts: true, actions: [Action.Update, Action.Delete], conditions: { missionIds: { $elemMatch: { $nin: missionsOf(p) } } } });
    }
    return rules;
  },
};

/**
 * Practical sign-offs: trainers of the missions of the cohorts holding the learner (`missionIds`), with a valid
 * trainer certification (a waiver narrows it to its missions: `certified-trainer`).
 */
export const SignOffPolicy: SubjectPolicy & { subject: 'SignOff' } = {
  subject: 'SignOff',
  columns: { id: 'id', userId: 'user_id', missionIds: (a) => cohortMissionsSql(`${a}.user_id`) },
  arrays: ['missionIds'],
  rules(p): PolicyRule[] {
    const rules = roleRules(p, 'SignOff', 'missionIds');
    const certified = certifiedMissions(p, 'trainer');
    if (certified !== 'all') {
      rules.push({
        name: TrainingRule.CertifiedTrainer,
        restricts: true,
        actions: [Action.Create],
        conditions: certified ? { missionIds: { $elemMatch: { $nin: certified } } } : {},
      });
    }
    return rules;
  },
};

/** Quiz attempts: the learner's own (`self`), and nobody else's (`learner-only`). */
export const QuizAttemptPolicy: SubjectPolicy & { subject: 'QuizAttempt' } = {
  subject: 'QuizAttempt',
  columns: { id: 'id', userId: 'user_id', courseId: 'course_id' },
  rules: (p): PolicyRule[] => [
    { name: TrainingRule.Self, actions: [Action.Read, Action.Update], conditions: { userId: p.userId } },
    { name: TrainingRule.LearnerOnly, restricts: true, actions: [Action.Create, Action.Read, Action.Update, Action.Delete], conditions: { userId: { $ne: p.userId } } },
  ],
};

export const TRAINING_POLICIES: readonly SubjectPolicy[] = [
  CoursePolicy,
  TrainingResourcePolicy,
  CohortPolicy,
  WaiverPolicy,
  CompliancePolicy,
  TrainingRecordPolicy,
  SignOffPolicy,
  QuizAttemptPolicy,
];

export const courseScopeOf = (p: Principal): AccessScope<'Course'> => AccessScope.of(CoursePolicy, p);
export const trainingResourceScopeOf = (p: Principal): AccessScope<'TrainingResource'> => AccessScope.of(TrainingResourcePolicy, p);
export const cohortScopeOf = (p: Principal): AccessScope<'Cohort'> => AccessScope.of(CohortPolicy, p);
export const waiverScopeOf = (p: Principal): AccessScope<'Waiver'> => AccessScope.of(WaiverPolicy, p);
export const trainingRecordScopeOf = (p: Principal): AccessScope<'Certificate'> => AccessScope.of(TrainingRecordPolicy, p);
export const quizAttemptScopeOf = (p: Principal): AccessScope<'QuizAttempt'> => AccessScope.of(QuizAttemptPolicy, p);
