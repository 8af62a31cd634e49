import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import { MissionView } from '@hub/contracts';
import { CreateMissionDto, UpdateMissionDto } from './dto/admin.dto';
import { MissionsService } from './missions.service';

@ApiTags('missions')
@Controller('missions')
export class MissionsController {
  constructor(private readonly missions: MissionsService) {}

  @Get()
  @Policy.can(Action.Read, 'Mission')
  list(@Caller() caller: CallerContext): Promise<MissionView[]> {
    return this.missions.list(caller);
  }

  @Get(':id')
  @Policy.can(Action.Read, 'Mission')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<MissionView> {
    return this.missions.get(caller, id);
  }

  @Post()
  @Policy.can(Action.Create, 'Mission')
  create(@Caller() caller: CallerContext, @Body() dto: CreateMissionDto): Promise<MissionView> {
    return this.missions.create(caller, dto);
  }

  @Patch(':id')
  @Policy.can(Action.Update, 'Mission')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateMissionDto): Promise<MissionView> {
    return this.missions.update(caller, id, dto);
  }
}
