import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import { FacilityView } from '@hub/contracts';
import { CreateFacilityDto, ListQueryDto, UpdateFacilityDto } from './dto/admin.dto';
import { FacilitiesService } from './facilities.service';

@ApiTags('facilities')
@Controller('facilities')
export class FacilitiesController {
  constructor(private readonly facilities: FacilitiesService) {}

  @Get()
  @Policy.can(Action.Read, 'Facility')
  list(@Caller() caller: CallerContext, @Query() query: ListQueryDto): Promise<FacilityView[]> {
    return this.facilities.list(caller, { missionId: query.missionId });
  }

  @Get(':id')
  @Policy.can(Action.Read, 'Facility')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<FacilityView> {
    return this.facilities.get(caller, id);
  }

  @Post()
  @Policy.can(Action.Create, 'Facility')
  create(@Caller() caller: CallerContext, @Body() dto: CreateFacilityDto): Promise<FacilityView> {
    return this.facilities.create(caller, dto);
  }

  @Patch(':id')
  @Policy.can(Action.Update, 'Facility')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdateFacilityDto): Promise<FacilityView> {
    return this.facilities.update(caller, id, dto);
  }
}
