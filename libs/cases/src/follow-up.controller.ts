import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { CarePlanView, FollowUpDueView, VitalTrendPoint } from '@hub/contracts';
import { CheckParams, RecordCheckDto } from './dto/follow-up.dto';
import { FollowUpService } from './follow-up.service';

/** Follow-up plans: recording checks, the clinic's due list, a patient's vital-sign trends (docs/cases.md). */
@ApiTags('follow-up')
@Controller()
export class FollowUpController {
  constructor(private readonly followUps: FollowUpService) {}

  /** The clinic records a check of the case's plan (vitals, the answer, the photo as a completed upload). */
  @Post('cases/:id/checks/:checkId')
  @HttpCode(200)
  @Policy.can(Action.Refer, 'Case')
  record(@Caller() caller: CallerContext, @Param() p: CheckParams, @Body() dto: RecordCheckDto): Promise<CarePlanView> {
    return this.followUps.record(caller, p.id, p.checkId, dto);
  }

  /** Checks due or overdue on the caller's clinics' cases (a health manager: their missions'). */
  @Get('follow-ups/due')
  @Policy.can(Action.Read, 'Case')
  due(@Caller() caller: CallerContext): Promise<FollowUpDueView[]> {
    return this.followUps.due(caller);
  }

  /** Vital signs over time across the patient's cases the caller may read. */
  @Get('patients/:id/vital-trends')
  @Policy.can(Action.Read, 'Patient')
  trends(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<VitalTrendPoint[]> {
    return this.followUps.trends(caller, id);
  }
}
