import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Action, actorOf, CallerContext, quizAttemptScopeOf, RecordAccess, subjectOf, trainingRecordScopeOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import type { AttemptStartView, AttemptView, LearnerProgressView, SignOffView } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { CourseAccess } from './course-access';
import { SignOffDto, SubmitAttemptDto } from './dto/training.dto';
import { Certificate } from './entities/certificate.entity';
import { ChecklistItem, Course, Lesson, Quiz } from './entities/course.entity';
import { CourseCompletion, LessonCompletion, QuizAttempt, SignOff } from './entities/progress.entity';
import { cohortMissions, displayNames, learnerMissions } from './learners';
import { TrainingRepository } from './training.repository';
import { Progress, ProgressCalculator, summary } from './progress';
import { grade, layoutFor, questionsForLearner } from './quiz';
import { certificateView, signOffView } from './views';

const DAY = 86_400_000;
/** Verification codes: 12 characters without look-alikes (0/O, 1/I/L), about 59 bits. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function verificationCode(): string {
  const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/**
 * A learner's path through a course: lessons read, quiz attempts (shuffled, graded here), practical sign-offs by a
 * certified trainer, and the automatic completion and certificate once everything is done.
 */
@Injectable()
export class LearningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly courses: CourseAccess,
    private readonly progress: ProgressCalculator,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly training: TrainingRepository,
    private readonly access: RecordAccess,
  ) {}

  async completeLesson(caller: CallerContext, courseId: string, lessonId: string): Promise<LearnerProgressView> {
    const userId = caller.principal.userId;
    const notes = await this.dataSource.transaction(async (m) => {
      const course = await this.courses.readable(caller, courseId, m);
      const lesson = await m.findOne(Lesson, { where: { id: lessonId, courseId } });
      if (!lesson) throw DomainException.notFound('Lesson');
      await this.lock(m, userId, courseId);
      await m.save(m.create(LessonCompletion, { userId, courseId, lessonId, courseVersion: course.version, completedAt: this.clock.now() }));
      return this.evaluate(m, course, userId, caller);
    });
    this.notifications.publish(notes);
    return this.progressView(caller, courseId, userId);
  }

  // ------------------------------------------------------------------ quiz attempts

  async startAttempt(caller: CallerContext, courseId: string): Promise<AttemptStartView> {
    const userId = caller.principal.userId;
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.readable(caller, courseId, m);
      const quiz = await m.findOne(Quiz, { where: { courseId } });
      if (!quiz) throw DomainException.notFound('Quiz');
      await this.lock(m, userId, courseId);
      // An attempt left open is resumed as it was (same order): starting again does not reshuffle it.
      const open = await m.findOne(QuizAttempt, { where: { userId, courseId, courseVersion: course.version, submittedAt: IsNull() }, order: { startedAt: 'DESC' } });
      if (open) return this.startView(open, quiz);
      const p = await this.progress.of(m, course, userId);
      if (p.quizPassed) throw DomainException.conflict('You already passed this quiz', 'quiz_passed');
      const state = await this.attemptState(m, course, quiz, userId, p);
      if (state.attemptsLeft === 0) {
        throw DomainException.conflict(`Attempt limit reached (${quiz.maxAttempts} for version ${course.version} of this course); ask your trainer`, 'attempt_limit', { max: quiz.maxAttempts ?? 0, version: course.version });
      }
      if (state.nextAttemptAt && state.nextAttemptAt > this.clock.now()) {
        throw new DomainException(ErrorCode.TooManyRequests, `Cool-down after a failed attempt: the next attempt may start at ${state.nextAttemptAt.toISOString()}`);
      }
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM training_attempts WHERE user_id = $1 AND course_id = $2`, [userId, courseId]);
      const attempt = await m.save(
        m.create(QuizAttempt, {
          userId,
          courseId,
          courseVersion: course.version,
          attemptNumber: n + 1,
          passMark: quiz.passMark,
          layout: layoutFor(quiz.questions),
          answers: null,
          startedAt: this.clock.now(),
          submittedAt: null,
          score: null,
          passed: null,
        }),
      );
      return this.startView(attempt, quiz);
    });
  }

  private startView(a: QuizAttempt, quiz: Quiz): AttemptStartView {
    return {
      id: a.id,
      courseId: a.courseId,
      courseVersion: a.courseVersion,
      startedAt: a.startedAt.toISOString(),
      attemptNumber: a.attemptNumber,
      passMark: a.passMark,
      questions: questionsForLearner(quiz.questions, a.layout),
    };
  }

  private async attemptState(m: EntityManager, course: Course, quiz: Quiz, userId: string, p: Progress) {
    const submitted = await m
      .getRepository(QuizAttempt)
      .createQueryBuilder('a')
      .where('a.userId = :userId AND a.courseId = :courseId AND a.submittedAt IS NOT NULL AND a.submittedAt > :since AND a.courseVersion = :version', {
        userId,
        courseId: course.id,
        since: p.cycleStart ?? new Date(0),
        version: course.version,
      })
      .orderBy('a.submittedAt', 'DESC')
      .getMany();
    const attemptsLeft = quiz.maxAttempts === null ? null : Math.max(0, quiz.maxAttempts - submitted.length);
    const lastFailed = submitted.find((a) => a.passed === false);
    const nextAttemptAt =
      !p.quizPassed && lastFailed && submitted[0] === lastFailed && quiz.cooldownMinutes > 0
        ? new Date(lastFailed.submittedAt!.getTime() + quiz.cooldownMinutes * 60_000)
        : null;
    return { attemptsLeft, nextAttemptAt: nextAttemptAt && nextAttemptAt > this.clock.now() ? nextAttemptAt : null };
  }

  async submitAttempt(caller: CallerContext, attemptId: string, dto: SubmitAttemptDto): Promise<AttemptView> {
    const userId = caller.principal.userId;
    const { view, notes } = await this.dataSource.transaction(async (m) => {
      const attempt = await this.ownAttempt(caller, attemptId, Action.Update, m);
      await this.lock(m, userId, attempt.courseId);
      await m.query('SELECT 1 FROM training_attempts WHERE id = $1 FOR UPDATE', [attempt.id]);
      const fresh = await m.findOneOrFail(QuizAttempt, { where: { id: attempt.id } });
      if (fresh.submittedAt) throw DomainException.conflict('This attempt was already submitted', 'attempt_submitted');
      const course = await m.findOneOrFail(Course, { where: { id: fresh.courseId } });
      // An attempt left open across a publication would pass the new version outside its attempt limit and
      // cool-down, graded on a layout of the old questions: the learner starts a new one instead.
      if (fresh.courseVersion !== course.version) {
        throw DomainException.conflict(`This attempt was started on version ${fresh.courseVersion} of the course, now at version ${course.version}: start a new attempt`, 'course_version_changed', { attemptVersion: fresh.courseVersion, version: course.version });
      }
      const quiz = await m.findOne(Quiz, { where: { courseId: fresh.courseId } });
      if (!quiz) throw DomainException.notFound('Quiz');
      this.checkAnswers(quiz, fresh, dto);
      const g = grade(quiz.questions, fresh.layout, dto.answers, fresh.passMark);
      Object.assign(fresh, { answers: dto.answers, submittedAt: this.clock.now(), score: g.score, passed: g.passed });
      await m.save(fresh);
      await this.audit.record(
        { action: 'training.attempt_graded', outcome: 'success', missionId: course.missionId, subjectType: 'QuizAttempt', subjectId: fresh.id, details: { courseId: course.id, score: g.score, passed: g.passed, passMark: fresh.passMark }, ...actorOf(caller) },
        m,
      );
      const notes = g.passed ? await this.evaluate(m, course, userId, caller) : [];
      return { view: this.attemptView(fresh, quiz, await this.keyShown(m, userId, quiz, fresh.courseVersion)), notes };
    });
    this.notifications.publish(notes);
    return view;
  }

  private checkAnswers(quiz: Quiz, attempt: QuizAttempt, dto: SubmitAttemptDto) {
    const shown = new Map(attempt.layout.map((l) => [l.questionId, new Set(l.optionIds)]));
    const types = new Map(quiz.questions.map((q) => [q.id, q.type]));
    const seen = new Set<string>();
    dto.answers.forEach((a, i) => {
      const options = shown.get(a.questionId);
      if (!options) throw DomainException.invalid(`answers.${i}.questionId`, 'is not a question of this attempt');
      if (seen.has(a.questionId)) throw DomainException.invalid(`answers.${i}.questionId`, 'is answered twice');
      seen.add(a.questionId);
      if (a.optionIds.some((o) => !options.has(o))) throw DomainException.invalid(`answers.${i}.optionIds`, 'contains an option of another question');
      if (types.get(a.questionId) !== 'multiple' && a.optionIds.length > 1) throw DomainException.invalid(`answers.${i}.optionIds`, 'a single-choice question takes one option');
    });
  }

  async getAttempt(caller: CallerContext, attemptId: string): Promise<AttemptView> {
    const m = this.dataSource.manager;
    const attempt = await this.ownAttempt(caller, attemptId, Action.Read, m);
    const quiz = await m.findOne(Quiz, { where: { courseId: attempt.courseId } });
    return this.attemptView(attempt, quiz, await this.keyShown(m, caller.principal.userId, quiz, attempt.courseVersion));
  }

  async myAttempts(caller: CallerContext, courseId: string): Promise<AttemptView[]> {
    const m = this.dataSource.manager;
    await this.courses.readable(caller, courseId, m);
    const quiz = await m.findOne(Quiz, { where: { courseId } });
    const attempts = await this.training.attempts(quizAttemptScopeOf(caller.principal), courseId, m);
    const shown = new Map<number, boolean>();
    for (const v of new Set(attempts.map((a) => a.courseVersion))) shown.set(v, await this.keyShown(m, caller.principal.userId, quiz, v));
    return attempts.map((a) => this.attemptView(a, quiz, shown.get(a.courseVersion)!));
  }

  /**
   * Learners see only their own attempts (the quiz-attempt policy: `self`, and the restriction `learner-only`):
   * anyone else's answers 404, audited in the course's mission.
   */
  private async ownAttempt(caller: CallerContext, attemptId: string, action: Action, m: EntityManager): Promise<QuizAttempt> {
    const attempt = await m.findOne(QuizAttempt, { where: { id: attemptId } });
    if (attempt && !caller.ability.can(action, subjectOf('QuizAttempt', attempt))) {
      const course = await m.findOne(Course, { where: { id: attempt.courseId }, select: { id: true, missionId: true } });
      await this.access.assert(caller, action, 'QuizAttempt', attempt, { id: attemptId, missionId: course?.missionId ?? null });
    }
    if (!attempt) throw DomainException.notFound('Attempt');
    return attempt;
  }

  /**
   * The right answers and explanations are shown once the learner has passed this quiz or has no attempt left;
   * before that a submitted attempt says only which questions were right, so a retake still tests the learner.
   * Counted per course version, as the attempt limit is.
   */
  private async keyShown(m: EntityManager, userId: string, quiz: Quiz | null, courseVersion: number): Promise<boolean> {
    if (!quiz) return false;
    const [row] = await m.query(
      `SELECT count(*) FILTER (WHERE submitted_at IS NOT NULL)::int AS submitted, bool_or(passed) AS passed
         FROM training_attempts WHERE user_id = $1 AND course_id = $2 AND course_version = $3`,
      [userId, quiz.courseId, courseVersion],
    );
    return row.passed === true || (quiz.maxAttempts !== null && row.submitted >= quiz.maxAttempts);
  }

  private attemptView(a: QuizAttempt, quiz: Quiz | null, keyShown: boolean): AttemptView {
    const questions = quiz?.questions ?? [];
    const graded = () =>
      grade(questions, a.layout, a.answers ?? [], a.passMark).results.map((r) => (keyShown ? r : { ...r, correctOptionIds: [], explanation: '' }));
    return {
      id: a.id,
      courseId: a.courseId,
      userId: a.userId,
      courseVersion: a.courseVersion,
      attemptNumber: a.attemptNumber,
      startedAt: a.startedAt.toISOString(),
      submittedAt: a.submittedAt?.toISOString() ?? null,
      score: a.score,
      passed: a.passed,
      passMark: a.passMark,
      keyShown: keyShown && !!a.submittedAt,
      questions: a.submittedAt ? graded() : questionsForLearner(questions, a.layout),
    };
  }

  // ------------------------------------------------------------------ practical sign-off

  async signOff(caller: CallerContext, courseId: string, dto: SignOffDto): Promise<SignOffView> {
    const { view, notes } = await this.dataSource.transaction(async (m) => {
      const course = await this.courses.readable(caller, courseId, m);
      const item = await m.findOne(ChecklistItem, { where: { id: dto.itemId, courseId, active: true } });
      if (!item) throw DomainException.invalid('itemId', "is not an item of this course's checklist");
      if (dto.userId === caller.principal.userId) throw DomainException.invalid('userId', 'a trainer cannot sign off their own skills');
      const missions = (await cohortMissions(m, dto.userId)).filter((id) => caller.ability.can(Action.Create, subjectOf('SignOff', { missionIds: [id] })));
      if (!missions.length) {
        throw DomainException.invalid('userId', 'the learner is not in a cohort of your mission: enrol them in a cohort first');
      }
      if (course.missionId && !missions.includes(course.missionId)) {
        throw DomainException.invalid('userId', "the learner is not in a cohort of this course's mission");
      }
      const today = this.clock.now().toISOString().slice(0, 10);
      if (dto.performedOn > today) throw DomainException.invalid('performedOn', 'is in the future');
      await this.lock(m, dto.userId, courseId);
      const saved = await m.save(
        m.create(SignOff, {
          userId: dto.userId,
          courseId,
          itemId: item.id,
          trainerId: caller.principal.userId,
          missionId: course.missionId ?? missions[0],
          performedOn: dto.performedOn,
          note: dto.note?.trim() || null,
          createdAt: this.clock.now(),
        }),
      );
      await this.audit.record(
        { action: 'training.sign_off', outcome: 'success', missionId: saved.missionId, subjectType: 'SignOff', subjectId: saved.id, details: { courseId, itemId: item.id, learnerId: dto.userId, performedOn: dto.performedOn }, ...actorOf(caller) },
        m,
      );
      const notes = await this.evaluate(m, course, dto.userId, caller);
      return { view: signOffView(saved, caller.principal.displayName), notes };
    });
    this.notifications.publish(notes);
    return view;
  }

  // ------------------------------------------------------------------ progress

  /** The caller's own progress, or a learner's for someone who may read that learner's training records. */
  async progressFor(caller: CallerContext, courseId: string, userId?: string): Promise<LearnerProgressView> {
    const target = userId ?? caller.principal.userId;
    // Another learner's progress: only for whoever may read that learner's training records (`trainer-of-mission`…).
    if (target !== caller.principal.userId && !(await this.training.reachesLearner(trainingRecordScopeOf(caller.principal), target))) {
      throw DomainException.notFound('Learner');
    }
    await this.courses.readable(caller, courseId, this.dataSource.manager);
    return this.progressView(caller, courseId, target);
  }

  private async progressView(caller: CallerContext, courseId: string, userId: string): Promise<LearnerProgressView> {
    const m = this.dataSource.manager;
    const course = await m.findOneOrFail(Course, { where: { id: courseId } });
    const p = await this.progress.of(m, course, userId);
    const quiz = await m.findOne(Quiz, { where: { courseId } });
    const attempts = await m.find(QuizAttempt, { where: { courseId, userId }, order: { startedAt: 'DESC' } });
    const state = quiz ? await this.attemptState(m, course, quiz, userId, p) : { attemptsLeft: null, nextAttemptAt: null };
    const signOffs = await m
      .getRepository(SignOff)
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.courseId = :courseId AND s.createdAt > :since', { userId, courseId, since: p.cycleStart ?? new Date(0) })
      .orderBy('s.createdAt', 'DESC')
      .getMany();
    const cert = await m.findOne(Certificate, { where: { courseId, userId }, order: { issuedAt: 'DESC' } });
    const names = await displayNames(m, [userId, ...signOffs.map((s) => s.trainerId)]);
    const now = this.clock.now();
    return {
      ...summary(p),
      courseId,
      userId,
      userName: names.get(userId) ?? '',
      lessonIdsDone: p.lessonIdsDone,
      attempts: attempts.map((a) => ({ id: a.id, attemptNumber: a.attemptNumber, submittedAt: a.submittedAt?.toISOString() ?? null, score: a.score, passed: a.passed })),
      nextAttemptAt: state.nextAttemptAt?.toISOString() ?? null,
      attemptsLeft: state.attemptsLeft,
      signOffs: signOffs.map((s) => signOffView(s, names.get(s.trainerId) ?? '')),
      certificate: cert ? certificateView(cert, names.get(userId) ?? '', now) : null,
    };
  }

  // ------------------------------------------------------------------ completion and certificates

  /** Serialises progress writes of one learner on one course, so two last steps at once issue one certificate. */
  private async lock(m: EntityManager, userId: string, courseId: string) {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`training:${userId}:${courseId}`]);
  }

  /**
   * After a step: when the published course is complete, record the completion and, for a certification course,
   * issue a new certificate (recertification renews: a new code and a new expiry). Returns notifications to publish.
   */
  private async evaluate(m: EntityManager, course: Course, userId: string, caller: CallerContext) {
    if (course.status !== 'published') return [];
    const p = await this.progress.of(m, course, userId);
    if (!p.complete) return [];
    const now = this.clock.now();
    if (!course.certificationKind) {
      if (p.completedVersions.some((v) => v.version === course.version)) return [];
      await m.save(m.create(CourseCompletion, { userId, courseId: course.id, courseVersion: course.version, completedAt: now }));
      return [];
    }
    await m.save(m.create(CourseCompletion, { userId, courseId: course.id, courseVersion: course.version, completedAt: now }));
    const cert = await m.save(
      m.create(Certificate, {
        userId,
        courseId: course.id,
        courseVersion: course.version,
        courseTitle: course.title,
        kind: course.certificationKind,
        code: verificationCode(),
        issuedAt: now,
        expiresAt: new Date(now.getTime() + course.validityDays * DAY),
        revokedAt: null,
        revokedById: null,
        revocationReason: null,
        expiryWarnedAt: null,
      }),
    );
    const missionId = course.missionId ?? (await learnerMissions(m, userId))[0] ?? null;
    await this.audit.record(
      { action: 'training.certificate_issued', outcome: 'success', missionId, subjectType: 'Certificate', subjectId: cert.id, details: { userId, courseId: course.id, kind: cert.kind, version: course.version, expiresAt: cert.expiresAt.toISOString() }, ...actorOf(caller) },
      m,
    );
    return this.notifications.record([userId], { kind: 'training.certificate_issued', params: { course: course.title, date: cert.expiresAt.toISOString().slice(0, 10) }, caseId: null, text: `Certificate issued: ${course.title} (valid until ${cert.expiresAt.toISOString().slice(0, 10)})` }, m);
  }
}
