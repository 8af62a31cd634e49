import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { URGENCIES, type Urgency } from '@hub/contracts';
import { IsIsoDate } from '@hub/common';

export class DashboardQueryDto {
  @ApiPropertyOptional({ description: 'One mission (default: every mission you may see)' })
  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a mission id (UUID)' })
  missionId?: string;

  @ApiPropertyOptional({ example: '2026-09-01', description: 'First day (default: 12 weeks ago)' })
  @IsOptional()
  @IsIsoDate('date', { message: 'from must be a date (YYYY-MM-DD)' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last day, included (default: today)' })
  @IsOptional()
  @IsIsoDate('date', { message: 'to must be a date (YYYY-MM-DD)' })
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{1,39}$/, { message: 'specialty must be a specialty code such as dermatology' })
  specialty?: string;

  @ApiPropertyOptional({ enum: URGENCIES })
  @IsOptional()
  @IsIn(URGENCIES, { message: `urgency must be one of: ${URGENCIES.join(', ')}` })
  urgency?: Urgency;
}
