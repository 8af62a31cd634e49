import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import { IdParam } from '@hub/common';
import type { PatientView } from '@hub/contracts';
import { CreatePatientDto, PatientListQuery, TransferPatientDto, UpdatePatientDto } from './dto/patient.dto';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@Controller('patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get()
  @Policy.can(Action.Read, 'Patient')
  list(@Caller() caller: CallerContext, @Query() q: PatientListQuery): Promise<PatientView[]> {
    return this.patients.list(caller, q.q);
  }

  @Get(':id')
  @Policy.can(Action.Read, 'Patient')
  get(@Caller() caller: CallerContext, @Param() { id }: IdParam): Promise<PatientView> {
    return this.patients.get(caller, id);
  }

  @Post()
  @Policy.can(Action.Create, 'Patient')
  create(@Caller() caller: CallerContext, @Body() dto: CreatePatientDto): Promise<PatientView> {
    return this.patients.create(caller, dto);
  }

  @Patch(':id')
  @Policy.can(Action.Update, 'Patient')
  update(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: UpdatePatientDto): Promise<PatientView> {
    return this.patients.update(caller, id, dto);
  }

  @Post(':id/transfer')
  @Policy.can(Action.Update, 'Patient')
  transfer(@Caller() caller: CallerContext, @Param() { id }: IdParam, @Body() dto: TransferPatientDto): Promise<PatientView> {
    return this.patients.transfer(caller, id, dto);
  }
}
