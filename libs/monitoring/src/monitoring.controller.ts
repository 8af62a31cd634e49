import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import type { DashboardView } from '@hub/contracts';
import { DashboardQueryDto } from './dashboard.dto';
import { MonitoringService } from './monitoring.service';

@ApiTags('monitoring')
@Controller('monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  /** Caseload, response times, SLA, outcomes and alerts of the missions the caller manages (aggregates only). */
  @Get('dashboard')
  @Policy.can(Action.Read, 'Caseload')
  dashboard(@Caller() caller: CallerContext, @Query() q: DashboardQueryDto): Promise<DashboardView> {
    return this.monitoring.dashboard(caller, q);
  }
}
