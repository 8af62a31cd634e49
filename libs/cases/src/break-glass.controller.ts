import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { BreakGlassGrantView } from '@hub/contracts';
import { BreakGlassService } from './break-glass.service';
import { BreakGlassListQuery, BreakGlassReviewDto, OpenBreakGlassDto } from './dto/break-glass.dto';

/** Break-the-glass (docs/security-model.md): emergency access to one case, and its review by health managers. */
@ApiTags('cases')
@Controller()
export class BreakGlassController {
  constructor(private readonly service: BreakGlassService) {}

  /**
   * A clinician of the case's mission opens it outside their normal scope, stating a reason, for the mission's
   * break-the-glass time (2 h by default). Send an Idempotency-Key. Another mission's or a sensitive case: 404.
   */
  @Post('cases/:id/break-glass')
  @Policy.can(Action.Read, 'Case')
  open(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: OpenBreakGlassDto): Promise<BreakGlassGrantView> {
    return this.service.open(caller, id, dto);
  }

  /** Grants of the health manager's missions, for review. */
  @Get('break-glass')
  @Policy.can(Action.Read, 'EmergencyAccess')
  list(@Caller() caller: CallerContext, @Query() q: BreakGlassListQuery): Promise<BreakGlassGrantView[]> {
    return this.service.list(caller, q);
  }

  /** Accept a grant, or flag it with a note. */
  @Post('break-glass/:id/review')
  @HttpCode(200)
  @Policy.can(Action.Update, 'EmergencyAccess')
  review(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: BreakGlassReviewDto): Promise<BreakGlassGrantView> {
    return this.service.review(caller, id, dto);
  }
}
