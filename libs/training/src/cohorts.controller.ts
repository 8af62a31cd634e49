import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { CohortDetailView, CohortSummaryView, ResourceView } from '@hub/contracts';
import { CohortsService } from './cohorts.service';
import { CreateCohortDto, CreateResourceDto, MissionQuery, ResourceQuery, UpdateCohortDto, UpdateResourceDto } from './dto/training.dto';
import { ResourcesService } from './resources.service';

@ApiTags('training')
@Controller('training')
export class CohortsController {
  constructor(private readonly cohorts: CohortsService) {}

  @Get('cohorts')
  @Policy.can(Action.Read, 'Cohort')
  list(@Caller() caller: CallerContext, @Query() q: MissionQuery): Promise<CohortSummaryView[]> {
    return this.cohorts.list(caller, q);
  }

  @Post('cohorts')
  @Policy.can(Action.Create, 'Cohort')
  create(@Caller() caller: CallerContext, @Body() dto: CreateCohortDto): Promise<CohortDetailView> {
    return this.cohorts.create(caller, dto);
  }

  @Get('cohorts/:id')
  @Policy.can(Action.Read, 'Cohort')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<CohortDetailView> {
    return this.cohorts.get(caller, id);
  }

  @Patch('cohorts/:id')
  @Policy.can(Action.Update, 'Cohort')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateCohortDto): Promise<CohortDetailView> {
    return this.cohorts.update(caller, id, dto);
  }
}

/** The resource centre ("Telemedicine Hub" library). */
@ApiTags('training')
@Controller('training')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get('resources')
  @Policy.authenticated()
  search(@Caller() caller: CallerContext, @Query() q: ResourceQuery): Promise<ResourceView[]> {
    return this.resources.search(caller, q);
  }

  @Post('resources')
  @Policy.can(Action.Create, 'TrainingResource')
  create(@Caller() caller: CallerContext, @Body() dto: CreateResourceDto): Promise<ResourceView> {
    return this.resources.create(caller, dto);
  }

  @Get('resources/:id')
  @Policy.authenticated()
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<ResourceView> {
    return this.resources.get(caller, id);
  }

  @Patch('resources/:id')
  @Policy.can(Action.Update, 'TrainingResource')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateResourceDto): Promise<ResourceView> {
    return this.resources.update(caller, id, dto);
  }
}
