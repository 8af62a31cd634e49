import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { AttachmentView, ChecklistItemView, CourseDetailView, CourseSummaryView, LessonView, QuizEditorView } from '@hub/contracts';
import { CoursesService } from './courses.service';
import { AttachmentParam, ChecklistDto, CourseListQuery, CreateCourseDto, FilenameQuery, LessonDto, LessonParams, QuizDto, UpdateCourseDto, UpdateLessonDto } from './dto/training.dto';

/** Course catalogue and editing (docs/training.md). */
@ApiTags('training')
@Controller('training')
export class CoursesController {
  constructor(private readonly courses: CoursesService) {}

  @Get('courses')
  @Policy.authenticated()
  list(@Caller() caller: CallerContext, @Query() q: CourseListQuery): Promise<CourseSummaryView[]> {
    return this.courses.list(caller, q);
  }

  @Post('courses')
  @Policy.can(Action.Create, 'Course')
  create(@Caller() caller: CallerContext, @Body() dto: CreateCourseDto): Promise<CourseDetailView> {
    return this.courses.create(caller, dto);
  }

  @Get('courses/:id')
  @Policy.authenticated()
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CourseDetailView> {
    return this.courses.get(caller, id);
  }

  @Patch('courses/:id')
  @Policy.can(Action.Update, 'Course')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateCourseDto): Promise<CourseDetailView> {
    return this.courses.update(caller, id, dto);
  }

  @Post('courses/:id/publish')
  @HttpCode(200)
  @Policy.can(Action.Update, 'Course')
  publish(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CourseDetailView> {
    return this.courses.publish(caller, id);
  }

  @Post('courses/:id/lessons')
  @Policy.can(Action.Update, 'Course')
  addLesson(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: LessonDto): Promise<LessonView> {
    return this.courses.addLesson(caller, id, dto);
  }

  @Patch('courses/:id/lessons/:lessonId')
  @Policy.can(Action.Update, 'Course')
  updateLesson(@Caller() caller: CallerContext, @Param() p: LessonParams, @Body() dto: UpdateLessonDto): Promise<LessonView> {
    return this.courses.updateLesson(caller, p.id, p.lessonId, dto);
  }

  @Delete('courses/:id/lessons/:lessonId')
  @HttpCode(204)
  @Policy.can(Action.Update, 'Course')
  removeLesson(@Caller() caller: CallerContext, @Param() p: LessonParams): Promise<void> {
    return this.courses.removeLesson(caller, p.id, p.lessonId);
  }

  /** The raw request body is the file (any Content-Type); its type is read from its bytes. */
  @Post('courses/:id/lessons/:lessonId/attachments')
  @Policy.can(Action.Update, 'Course')
  upload(@Caller() caller: CallerContext, @Param() p: LessonParams, @Query() q: FilenameQuery, @Req() req: Request): Promise<AttachmentView> {
    return this.courses.upload(caller, p.id, p.lessonId, q.filename, req);
  }

  @Get('attachments/:attachmentId')
  @Policy.authenticated()
  async attachment(@Caller() caller: CallerContext, @Param() { attachmentId }: AttachmentParam, @Res() res: Response): Promise<void> {
    const f = await this.courses.openAttachment(caller, attachmentId);
    res.setHeader('Content-Type', f.mediaType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Disposition', `${f.mediaType === 'application/pdf' ? 'attachment' : 'inline'}; filename="${encodeURIComponent(f.filename)}"`);
    res.sendFile(f.path);
  }

  @Get('courses/:id/quiz')
  @Policy.can(Action.Update, 'Course')
  quiz(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<QuizEditorView> {
    return this.courses.quiz(caller, id);
  }

  @Put('courses/:id/quiz')
  @Policy.can(Action.Update, 'Course')
  saveQuiz(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: QuizDto): Promise<QuizEditorView> {
    return this.courses.saveQuiz(caller, id, dto);
  }

  @Put('courses/:id/checklist')
  @Policy.can(Action.Update, 'Course')
  saveChecklist(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: ChecklistDto): Promise<ChecklistItemView[]> {
    return this.courses.saveChecklist(caller, id, dto);
  }
}
