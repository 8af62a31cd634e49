import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { AttemptStartView, AttemptView, LearnerProgressView, MyTrainingStatus, SignOffView } from '@hub/contracts';
import { AttemptParam, LessonParams, ProgressQuery, SignOffDto, SubmitAttemptDto } from './dto/training.dto';
import { LearningService } from './learning.service';
import { TrainingStatusService } from './status.service';

/** The learner's side (lessons, attempts, progress) and the trainer's practical sign-off. */
@ApiTags('training')
@Controller('training')
export class LearningController {
  constructor(
    private readonly learning: LearningService,
    private readonly status: TrainingStatusService,
  ) {}

  @Get('me')
  @Policy.authenticated()
  me(@Caller() caller: CallerContext): Promise<MyTrainingStatus> {
    return this.status.mine(caller);
  }

  @Post('courses/:id/lessons/:lessonId/complete')
  @HttpCode(200)
  @Policy.authenticated()
  completeLesson(@Caller() caller: CallerContext, @Param() p: LessonParams): Promise<LearnerProgressView> {
    return this.learning.completeLesson(caller, p.id, p.lessonId);
  }

  @Post('courses/:id/attempts')
  @Policy.authenticated()
  start(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<AttemptStartView> {
    return this.learning.startAttempt(caller, id);
  }

  @Get('courses/:id/attempts')
  @Policy.authenticated()
  attempts(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<AttemptView[]> {
    return this.learning.myAttempts(caller, id);
  }

  @Get('attempts/:attemptId')
  @Policy.authenticated()
  attempt(@Caller() caller: CallerContext, @Param() { attemptId }: AttemptParam): Promise<AttemptView> {
    return this.learning.getAttempt(caller, attemptId);
  }

  @Post('attempts/:attemptId/submit')
  @HttpCode(200)
  @Policy.authenticated()
  submit(@Caller() caller: CallerContext, @Param() { attemptId }: AttemptParam, @Body() dto: SubmitAttemptDto): Promise<AttemptView> {
    return this.learning.submitAttempt(caller, attemptId, dto);
  }

  @Get('courses/:id/progress')
  @Policy.authenticated()
  progress(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Query() q: ProgressQuery): Promise<LearnerProgressView> {
    return this.learning.progressFor(caller, id, q.userId);
  }

  @Post('courses/:id/sign-offs')
  @Policy.can(Action.Create, 'SignOff')
  signOff(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: SignOffDto): Promise<SignOffView> {
    return this.learning.signOff(caller, id, dto);
  }
}
