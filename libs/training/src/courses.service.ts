import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, CallerContext, courseScopeOf, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { DEFAULT_VALIDITY_DAYS } from '@hub/contracts';
import type { AttachmentView, ChecklistItemView, CourseDetailView, CourseSummaryView, LessonView, QuizEditorView } from '@hub/contracts';
import { CourseAccess } from './course-access';
import { ChecklistDto, CourseListQuery, CreateCourseDto, LessonDto, QuizDto, UpdateCourseDto, UpdateLessonDto } from './dto/training.dto';
import { ChecklistItem, Course, Lesson, LessonAttachment, Quiz } from './entities/course.entity';
import { detectLessonMediaType, LESSON_MEDIA_TYPES, MAX_LESSON_ATTACHMENT_BYTES } from './media-type';
import { ProgressCalculator, summary } from './progress';
import { quizProblems, toStoredQuestions } from './quiz';
import { TrainingRepository } from './training.repository';
import { attachmentView, checklistView, lessonView } from './views';

/** Courses and their content: lessons (with attachments), the quiz (with its key: managers only), the checklist. */
@Injectable()
export class CoursesService {
  readonly directory: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly courses: CourseAccess,
    private readonly training: TrainingRepository,
    private readonly progress: ProgressCalculator,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.directory = join(config.dataDir, 'training');
  }

  async list(caller: CallerContext, q: CourseListQuery): Promise<CourseSummaryView[]> {
    const rows = await this.training.courses(courseScopeOf(caller.principal), q);
    return Promise.all(rows.map((c) => this.summary(caller, c, this.dataSource.manager)));
  }

  async create(caller: CallerContext, dto: CreateCourseDto): Promise<CourseDetailView> {
    const missionId = dto.missionId ?? null;
    if (!caller.ability.can(Action.Create, subjectOf('Course', { missionId }))) {
      if (!missionId) throw DomainException.invalid('missionId', 'is required: global courses are managed by system administrators');
      throw DomainException.notFound('Mission');
    }
    return this.dataSource.transaction(async (m) => {
      const course = await m.save(
        m.create(Course, {
          missionId,
          title: dto.title.trim(),
          description: dto.description,
          language: dto.language,
          targetRoles: dto.targetRoles,
          estimatedMinutes: dto.estimatedMinutes,
          certificationKind: dto.certificationKind ?? null,
          validityDays: dto.validityDays ?? DEFAULT_VALIDITY_DAYS,
          createdById: caller.principal.userId,
        }),
      );
      await this.audit.record({ action: 'training.course_created', outcome: 'success', missionId, subjectType: 'Course', subjectId: course.id, ...actorOf(caller) }, m);
      return this.detail(caller, course, m);
    });
  }

  async get(caller: CallerContext, id: string): Promise<CourseDetailView> {
    const m = this.dataSource.manager;
    return this.detail(caller, await this.courses.readable(caller, id, m), m);
  }

  async update(caller: CallerContext, id: string, dto: UpdateCourseDto): Promise<CourseDetailView> {
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, id, m);
      const { status, ...fields } = dto;
      Object.assign(course, fields);
      if (status === 'archived') course.status = 'archived';
      if (status === 'draft') course.status = course.version > 0 ? 'published' : 'draft';
      if (course.version > 0) await this.assertPublishable(m, course);
      await m.save(course);
      await this.audit.record({ action: 'training.course_updated', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: id, details: { fields: Object.keys(dto) }, ...actorOf(caller) }, m);
      return this.detail(caller, course, m);
    });
  }

  /** Publishes the course as it is now, as a new version; completions and certificates of older versions stay. */
  async publish(caller: CallerContext, id: string): Promise<CourseDetailView> {
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, id, m);
      await this.assertPublishable(m, course);
      course.version += 1;
      course.status = 'published';
      course.publishedAt = this.clock.now();
      await m.save(course);
      await this.audit.record({ action: 'training.course_published', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: id, details: { version: course.version }, ...actorOf(caller) }, m);
      return this.detail(caller, course, m);
    });
  }

  /**
   * What a published course must have: a lesson; for a certification course also a quiz and a practical checklist.
   * Checked on publish, and on every edit of a course already published (version > 0), since learners complete the
   * live course: otherwise turning a published course into a certification course, or emptying its checklist,
   * would issue certificates without a quiz or without a trainer's sign-off (even to a trainer certifying
   * themselves).
   */
  private async assertPublishable(m: EntityManager, course: Course): Promise<void> {
    const lessons = await m.count(Lesson, { where: { courseId: course.id } });
    if (!lessons) throw DomainException.invalid('lessons', 'a course needs at least one lesson to be published');
    if (!course.certificationKind) return;
    const quiz = await m.count(Quiz, { where: { courseId: course.id } });
    const items = await m.count(ChecklistItem, { where: { courseId: course.id, active: true } });
    if (!quiz) throw DomainException.invalid('quiz', 'a certification course needs a quiz to be published');
    if (!items) throw DomainException.invalid('checklist', 'a certification course needs a practical sign-off checklist to be published');
  }

  async addLesson(caller: CallerContext, courseId: string, dto: LessonDto): Promise<LessonView> {
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, courseId, m);
      const lessons = await m.find(Lesson, { where: { courseId }, order: { position: 'ASC' } });
      const position = Math.min(dto.position ?? lessons.length, lessons.length);
      const lesson = m.create(Lesson, { courseId, title: dto.title.trim(), body: dto.body, estimatedMinutes: dto.estimatedMinutes ?? 0, position });
      await this.reorder(m, [...lessons.slice(0, position), lesson, ...lessons.slice(position)]);
      await this.audit.record({ action: 'training.lesson_added', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, ...actorOf(caller) }, m);
      return lessonView(lesson, []);
    });
  }

  async updateLesson(caller: CallerContext, courseId: string, lessonId: string, dto: UpdateLessonDto): Promise<LessonView> {
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, courseId, m);
      const lessons = await m.find(Lesson, { where: { courseId }, order: { position: 'ASC' } });
      const lesson = lessons.find((l) => l.id === lessonId);
      if (!lesson) throw DomainException.notFound('Lesson');
      const { position, ...fields } = dto;
      Object.assign(lesson, fields);
      const others = lessons.filter((l) => l !== lesson);
      const at = Math.min(position ?? lesson.position, others.length);
      await this.reorder(m, [...others.slice(0, at), lesson, ...others.slice(at)]);
      await this.audit.record({ action: 'training.lesson_updated', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, details: { lessonId }, ...actorOf(caller) }, m);
      return lessonView(lesson, await m.find(LessonAttachment, { where: { lessonId } }));
    });
  }

  async removeLesson(caller: CallerContext, courseId: string, lessonId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, courseId, m);
      const lessons = await m.find(Lesson, { where: { courseId }, order: { position: 'ASC' } });
      if (!lessons.some((l) => l.id === lessonId)) throw DomainException.notFound('Lesson');
      await m.delete(Lesson, { id: lessonId });
      await this.reorder(m, lessons.filter((l) => l.id !== lessonId));
      if (course.version > 0) await this.assertPublishable(m, course);
      await this.audit.record({ action: 'training.lesson_removed', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, details: { lessonId }, ...actorOf(caller) }, m);
    });
  }

  private async reorder(m: EntityManager, lessons: Lesson[]) {
    lessons.forEach((l, i) => (l.position = i));
    await m.save(lessons);
  }

  async quiz(caller: CallerContext, courseId: string): Promise<QuizEditorView> {
    const m = this.dataSource.manager;
    await this.courses.manageable(caller, courseId, m);
    const quiz = await m.findOne(Quiz, { where: { courseId } });
    if (!quiz) throw DomainException.notFound('Quiz');
    return this.quizView(quiz);
  }

  async saveQuiz(caller: CallerContext, courseId: string, dto: QuizDto): Promise<QuizEditorView> {
    const problems = quizProblems(dto);
    if (problems.length) {
      throw new DomainException(ErrorCode.ValidationFailed, problems.map((p) => `${p.field}: ${p.problems.join('; ')}`).join('; '), problems);
    }
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, courseId, m);
      const existing = await m.findOne(Quiz, { where: { courseId } });
      const quiz = existing ?? m.create(Quiz, { courseId });
      quiz.passMark = dto.passMark;
      quiz.maxAttempts = dto.maxAttempts ?? null;
      quiz.cooldownMinutes = dto.cooldownMinutes ?? 0;
      quiz.questions = toStoredQuestions(dto, existing?.questions);
      await m.save(quiz);
      await this.audit.record({ action: 'training.quiz_saved', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, details: { questions: quiz.questions.length, passMark: quiz.passMark }, ...actorOf(caller) }, m);
      return this.quizView(quiz);
    });
  }

  private quizView(q: Quiz): QuizEditorView {
    return { passMark: q.passMark, maxAttempts: q.maxAttempts, cooldownMinutes: q.cooldownMinutes, questions: q.questions };
  }

  /** Replaces the checklist: listed ids are kept (and reordered), new items added, missing ones retired. */
  async saveChecklist(caller: CallerContext, courseId: string, dto: ChecklistDto): Promise<ChecklistItemView[]> {
    return this.dataSource.transaction(async (m) => {
      const course = await this.courses.manageable(caller, courseId, m);
      const existing = await m.find(ChecklistItem, { where: { courseId } });
      const byId = new Map(existing.map((i) => [i.id, i]));
      const unknown = dto.items.findIndex((i) => i.id && !byId.has(i.id));
      if (unknown >= 0) throw DomainException.invalid(`items.${unknown}.id`, 'is not an item of this course');
      const kept = dto.items.map((i, position) =>
        Object.assign(i.id ? byId.get(i.id)! : m.create(ChecklistItem, { courseId }), { title: i.title.trim(), description: i.description ?? '', position, active: true }),
      );
      const keptIds = new Set(dto.items.map((i) => i.id).filter(Boolean));
      const retired = existing.filter((i) => !keptIds.has(i.id)).map((i) => Object.assign(i, { active: false }));
      await m.save([...kept, ...retired]);
      if (course.version > 0) await this.assertPublishable(m, course);
      await this.audit.record({ action: 'training.checklist_saved', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, details: { items: kept.length }, ...actorOf(caller) }, m);
      return kept.map(checklistView);
    });
  }

  /** Stores a lesson file streamed as the raw request body; its type is read from its bytes. */
  async upload(caller: CallerContext, courseId: string, lessonId: string, filename: string, req: IncomingMessage): Promise<AttachmentView> {
    const course = await this.courses.manageable(caller, courseId, this.dataSource.manager);
    const lesson = await this.dataSource.manager.findOne(Lesson, { where: { id: lessonId, courseId } });
    if (!lesson) throw DomainException.notFound('Lesson');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_LESSON_ATTACHMENT_BYTES) throw new DomainException(ErrorCode.PayloadTooLarge, `file: larger than ${MAX_LESSON_ATTACHMENT_BYTES / 1024 / 1024} MB`);
    mkdirSync(this.directory, { recursive: true });
    const id = randomUUID();
    const path = join(this.directory, id);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    try {
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_LESSON_ATTACHMENT_BYTES) {
            req.destroy();
            out.destroy();
            return reject(new DomainException(ErrorCode.PayloadTooLarge, `file: larger than ${MAX_LESSON_ATTACHMENT_BYTES / 1024 / 1024} MB`));
          }
          if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
          hash.update(chunk);
          out.write(chunk);
        });
        req.on('end', () => out.end(() => resolve()));
        req.on('error', reject);
        // a client that goes away mid-upload: no 'end' will come
        req.on('aborted', () => {
          out.destroy();
          reject(DomainException.invalid('file', 'the upload was interrupted'));
        });
        out.on('error', reject);
      });
      if (!size) throw DomainException.invalid('file', 'the request body (the file) is empty');
      const mediaType = detectLessonMediaType(head);
      if (!mediaType) throw DomainException.invalid('file', `not a recognised file type: send ${LESSON_MEDIA_TYPES}`);
      return await this.dataSource.transaction(async (m) => {
        const saved = await m.save(
          m.create(LessonAttachment, { id, lessonId, filename, mediaType, size: String(size), sha256: hash.digest('hex'), uploadedById: caller.principal.userId }),
        );
        await this.audit.record({ action: 'training.attachment_added', outcome: 'success', missionId: course.missionId, subjectType: 'Course', subjectId: courseId, details: { lessonId, mediaType, size }, ...actorOf(caller) }, m);
        return attachmentView(saved);
      });
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
  }

  async openAttachment(caller: CallerContext, attachmentId: string): Promise<{ path: string; mediaType: string; filename: string }> {
    const m = this.dataSource.manager;
    const a = await m.findOne(LessonAttachment, { where: { id: attachmentId } });
    if (!a) throw DomainException.notFound('Attachment');
    const lesson = await m.findOneOrFail(Lesson, { where: { id: a.lessonId } });
    await this.courses.readable(caller, lesson.courseId, m).catch(() => {
      throw DomainException.notFound('Attachment');
    });
    return { path: join(this.directory, a.id), mediaType: a.mediaType, filename: a.filename };
  }

  async summary(caller: CallerContext, c: Course, m: EntityManager): Promise<CourseSummaryView> {
    const [lessonCount, checklistCount, quiz] = await Promise.all([
      m.count(Lesson, { where: { courseId: c.id } }),
      m.count(ChecklistItem, { where: { courseId: c.id, active: true } }),
      m.count(Quiz, { where: { courseId: c.id } }),
    ]);
    const mine = await this.progress.of(m, c, caller.principal.userId);
    const touched = mine.lessonsDone + mine.signOffsDone + (mine.quizPassed ? 1 : 0) + mine.completedVersions.length > 0;
    return {
      id: c.id,
      missionId: c.missionId,
      title: c.title,
      description: c.description,
      language: c.language,
      targetRoles: c.targetRoles as CourseSummaryView['targetRoles'],
      estimatedMinutes: c.estimatedMinutes,
      version: c.version,
      status: c.status,
      certificationKind: c.certificationKind,
      validityDays: c.validityDays,
      lessonCount,
      hasQuiz: quiz > 0,
      checklistCount,
      canManage: this.courses.canManage(caller, c),
      myProgress: touched ? summary(mine) : null,
    };
  }

  async detail(caller: CallerContext, c: Course, m: EntityManager): Promise<CourseDetailView> {
    const lessons = await m.find(Lesson, { where: { courseId: c.id }, order: { position: 'ASC' } });
    const attachments = lessons.length ? await m.find(LessonAttachment, { where: { lessonId: In(lessons.map((l) => l.id)) }, order: { createdAt: 'ASC' } }) : [];
    const quiz = await m.findOne(Quiz, { where: { courseId: c.id } });
    const checklist = await m.find(ChecklistItem, { where: { courseId: c.id, active: true }, order: { position: 'ASC' } });
    return {
      ...(await this.summary(caller, c, m)),
      lessons: lessons.map((l) => lessonView(l, attachments)),
      quiz: quiz ? { questionCount: quiz.questions.length, passMark: quiz.passMark, maxAttempts: quiz.maxAttempts, cooldownMinutes: quiz.cooldownMinutes } : null,
      checklist: checklist.map(checklistView),
    };
  }
}
