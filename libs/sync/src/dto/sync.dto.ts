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
import { NullAllowed } from '@hub/common';
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
  /** A log cursor `xid:seq`, or a snapshot's `s:base:table:key` while the node pages through a snapshot. */
  @IsOptional()
  @Matches(/^(\d{1,19}:\d{1,19}|s:\d{1,19}:\d{1,2}:[A-Za-z0-9_-]{0,400})$/, { message: 'cursor must be the cursor returned by the previous pull' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;
}

export class AttachmentOfferDto {
  @IsUUID('all', { message: 'id must be the attachment id (UUID)' })
  id: string;

  @IsUUID('all', { message: 'caseId must be a case id (UUID)' })
  caseId: string;

  @IsOptional()
  @NullAllowed()
  @IsUUID('all', { message: 'messageId must be a message id (UUID)' })
  messageId: string | null;

  @Matches(/^[0-9a-zA-Z_-]{8,100}$/, { message: 'uploadId must be 8 to 100 letters, digits, - or _' })
  uploadId: string;

  @IsString()
  @Length(1, 255, { message: 'filename must be 1 to 255 characters' })
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'filename must not contain control characters' })
  filename: string;

  @IsInt({ message: 'size must be a whole number of bytes' })
  @Min(1, { message: 'size must be at least 1 byte' })
  size: number;

  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 hex digits' })
  sha256: string;

  @IsUUID('all', { message: 'uploadedById must be a user id (UUID)' })
  uploadedById: string;

  @IsDateString({}, { message: 'createdAt must be an ISO 8601 time' })
  createdAt: string;
}

export class AttachmentOffersDto {
  @IsArray({ message: 'offers must be an array' })
  @ArrayMaxSize(100, { message: 'offers: at most 100 per batch' })
  @ValidateNested({ each: true })
  @Type(() => AttachmentOfferDto)
  offers: AttachmentOfferDto[];
}

export class NodeBudgetDto {
  @IsOptional()
  @NullAllowed()
  @IsInt({ message: 'rateKbps must be a whole number of kbit/s, or null for no limit' })
  @Min(8, { message: 'rateKbps must be at least 8' })
  @Max(1_000_000, { message: 'rateKbps must be at most 1000000' })
  rateKbps: number | null;

  @IsOptional()
  @NullAllowed()
  @IsInt({ message: 'dailyMegabytes must be a whole number of megabytes, or null for no limit' })
  @Min(1, { message: 'dailyMegabytes must be at least 1' })
  @Max(1_000_000, { message: 'dailyMegabytes must be at most 1000000' })
  dailyMegabytes: number | null;
}

export class ThumbnailQuery {
  @IsOptional()
  @IsIn(['0', '1', 'true', 'false'], { message: 'thumbnail must be 1 or 0' })
  thumbnail?: string;
}

export class WaitQueryDto {
  @Matches(/^\d{1,19}:\d{1,19}$/, { message: 'cursor must be the cursor returned by the last pull' })
  cursor: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'timeoutMs must be a whole number of milliseconds' })
  @Min(0)
  @Max(60_000, { message: 'timeoutMs must be at most 60000' })
  timeoutMs?: number;
}

export class NodeAuditRecordDto {
  @IsString()
  @Length(1, 64, { message: 'chain must be 1 to 64 characters' })
  chain: string;

  @Matches(/^[1-9]\d{0,18}$/, { message: 'seq must be a positive whole number (as a string)' })
  seq: string;

  @Matches(/^[0-9a-f]{64}$/, { message: 'prevHash must be 64 hex digits' })
  prevHash: string;

  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 hex digits' })
  hash: string;

  @IsObject({ message: 'entry must be an object' })
  entry: Record<string, unknown>;
}

export class NodeAuditBatchDto {
  @IsArray({ message: 'records must be an array' })
  @ArrayMaxSize(200, { message: 'records: at most 200 per batch' })
  @ValidateNested({ each: true })
  @Type(() => NodeAuditRecordDto)
  records: NodeAuditRecordDto[];
}
