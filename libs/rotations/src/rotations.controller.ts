import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Action, Caller, CallerContext, Policy } from '@hub/access';
import type { HandOverResult, RotationImportResult, UnassignedCaseView } from '@hub/contracts';
import { HandOverRotationDto, RotationImportDto, UnassignedQueryDto } from './dto/rotations.dto';
import { HandOverService } from './hand-over.service';
import { RotationEndService } from './rotation-end.service';
import { RotationImportService } from './rotation-import.service';

/** Rotations of contingents (docs/cases.md "Rotations and hand-over"). */
@ApiTags('rotations')
@Controller('rotations')
export class RotationsController {
  constructor(
    private readonly handOvers: HandOverService,
    private readonly imports: RotationImportService,
    private readonly ends: RotationEndService,
  ) {}

  /** Colleagues at the caller's clinics who can take over their cases (names only; none for other roles). */
  @Get('successors')
  @Policy.can(Action.Read, 'Case')
  successors(@Caller() caller: CallerContext): Promise<{ id: string; displayName: string; facilityName: string }[]> {
    return this.handOvers.successors(caller);
  }

  /** The caller (an outgoing officer) hands over all their open cases to a successor or the clinic, with a note. */
  @Post('hand-over')
  @HttpCode(200)
  @Policy.can(Action.Read, 'Case')
  handOver(@Caller() caller: CallerContext, @Body() dto: HandOverRotationDto): Promise<HandOverResult> {
    return this.handOvers.handOver(caller, dto);
  }

  /** An incoming rotation from CSV into accounts with dated memberships and one training cohort; a per-row report. */
  @Post('import')
  @HttpCode(200)
  @Policy.can(Action.Create, 'Membership')
  import(@Caller() caller: CallerContext, @Body() dto: RotationImportDto): Promise<RotationImportResult> {
    return this.imports.import(caller, dto);
  }

  /** Open cases whose officer's rotation ended with nobody in charge (health managers; no patient data). */
  @Get('unassigned')
  @Policy.can(Action.Read, 'Caseload')
  unassigned(@Caller() caller: CallerContext, @Query() q: UnassignedQueryDto): Promise<UnassignedCaseView[]> {
    return this.ends.unassigned(caller, q.missionId);
  }
}
