import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import type { BookSessionRequest, PublishSlotsRequest } from '@hub/contracts';

/** ISO 8601 with seconds optional and a zone (Z or ±hh:mm): a wall time without zone would be ambiguous across missions. */
export const ZONED_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class PublishSlotsDto implements PublishSlotsRequest {
  @ApiProperty({ example: '2026-12-01T09:00:00+03:00' })
  @IsString({ message: 'startsAt must be a date-time' })
  @Matches(ZONED_ISO, { message: 'startsAt must be an ISO 8601 date-time with Z or an offset (e.g. 2026-12-01T09:00:00+01:00)' })
  startsAt: string;

  @ApiProperty({ minimum: 15, maximum: 180 })
  @IsInt({ message: 'durationMinutes must be a whole number of minutes' })
  @Min(15, { message: 'durationMinutes must be between 15 and 180' })
  @Max(180, { message: 'durationMinutes must be between 15 and 180' })
  durationMinutes: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 12 })
  @IsOptional()
  @IsInt({ message: 'count must be a whole number' })
  @Min(1, { message: 'count must be between 1 and 12' })
  @Max(12, { message: 'count must be between 1 and 12' })
  count?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'facilityId must be a UUID' })
  facilityId?: string;
}

export class BookSessionDto implements BookSessionRequest {
  @ApiProperty()
  @IsUUID('all', { message: 'slotId must be a UUID' })
  slotId: string;

  @ApiPropertyOptional({ description: 'Required unless forSelf' })
  @ValidateIf((o: BookSessionDto) => !o.forSelf)
  @IsUUID('all', { message: 'patientId must be a UUID (or book forSelf)' })
  patientId?: string;

  @ApiPropertyOptional({ description: 'A member of staff books for themselves (where the mission allows it)' })
  @IsOptional()
  @IsBoolean({ message: 'forSelf must be true or false' })
  forSelf?: boolean;

  @ApiProperty()
  @IsString({ message: 'reason must be text' })
  @IsNotEmpty({ message: 'reason is required' })
  @MaxLength(2000, { message: 'reason must be at most 2000 characters' })
  reason: string;

  @ApiProperty()
  @IsBoolean({ message: 'chatConsent must be true or false' })
  chatConsent: boolean;
}

export class CancelBookingDto {
  @ApiPropertyOptional({ description: 'Why the session is cancelled (kept in the case thread)' })
  @IsOptional()
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}
