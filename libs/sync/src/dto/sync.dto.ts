import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PUSHED_TABLES, PushedTable } from '@hub/contracts';

export class RegisterNodeDto {
  @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId: string;

  @IsString()
  @Length(1, 120, { message: 'name must be 1 to 120 characters' })
  name: string;
}

export class EnrolDto {
  @IsString()
  @Length(8, 100, { message: 'code must be the enrolment code given when the node was registered' })
  code: string;

  @IsString()
  @Length(43, 100, { message: 'credential must be a random secret of at least 256 bits (43 base64url characters)' })
  credential: string;

  @IsString()
  @Length(1, 40, { message: 'version must be 1 to 40 characters' })
  version: string;
}

export class SyncOperationDto {
  @IsUUID('all', { message: 'opId must be a UUID' })
  opId: string;

  @IsIn(PUSHED_TABLES, { message: `table must be one of ${PUSHED_TABLES.join(', ')}` })
  table: PushedTable;

  @IsUUID('all', { message: 'recordId must be a UUID' })
  recordId: string;

  @IsObject({ message: 'row must be an object' })
  row: Record<string, unknown>;

  @IsUUID('all', { message: 'actorId must be a user id (UUID)' })
  actorId: string;

  @IsDateString({}, { message: 'at must be an ISO 8601 time' })
  at: string;
}

export class PushDto {
  @IsArray({ message: 'operations must be an array' })
  @ArrayMaxSize(200, { message: 'operations: at most 200 per batch' })
  @ValidateNested({ each: true })
  @Type(() => SyncOperationDto)
  operations: SyncOperationDto[];

  @IsInt({ message: 'backlog must be a whole number' })
  @Min(0)
  backlog: number;

  @IsString()
  @MaxLength(40, { message: 'version must be at most 40 characters' })
  version: string;
}

export class PullQueryDto {
  @IsOptional()
  @Matches(/^\d{1,19}:\d{1,19}$/, { message: 'cursor must be the cursor returned by the previous pull' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;
}
