import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import type { CreateConsultationRequest, CreateInvitationRequest, DeclineRequest } from '@hub/contracts';
import { IsIsoDate } from '@hub/common';

export class CreateConsultationDto implements CreateConsultationRequest {
  @IsOptional()
  @IsUUID('all', { message: 'caseId must be a UUID' })
  caseId?: string;

  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId?: string;

  @IsOptional()
  @IsIsoDate('date-time', { message: 'scheduledAt must be an ISO 8601 date-time' })
  scheduledAt?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  title?: string;
}

export class CreateInvitationDto implements CreateInvitationRequest {
  @IsIn(['specialist', 'interpreter', 'guest'], { message: 'callRole must be specialist, interpreter or guest' })
  callRole: 'specialist' | 'interpreter' | 'guest';

  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'expiresInMinutes must be a whole number' })
  @Min(5, { message: 'expiresInMinutes must be at least 5' })
  @Max(1440, { message: 'expiresInMinutes must be at most 1440 (one day)' })
  expiresInMinutes?: number;
}

export class DeclineDto implements DeclineRequest {
  @IsOptional()
  @IsString()
  @MaxLength(300, { message: 'reason must be at most 300 characters' })
  reason?: string;
}

export class ParticipantParams {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'participantId must be a UUID' })
  participantId: string;
}

export class InvitationParams {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'invitationId must be a UUID' })
  invitationId: string;
}

export class CaseParams {
  @IsUUID('all', { message: 'caseId must be a UUID' })
  caseId: string;
}

export class ProbeQuery {
  @Type(() => Number)
  @IsInt({ message: 'kb must be a whole number' })
  @Min(1, { message: 'kb must be at least 1' })
  @Max(2048, { message: 'kb must be at most 2048' })
  kb: number;
}
