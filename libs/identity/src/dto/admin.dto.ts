import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Role } from '@hub/contracts';
import { NullAllowed } from '@hub/common';

const SPECIALTY = /^[a-z][a-z0-9_]{1,40}$/;

export class CreateMissionDto {
  @ApiProperty({ example: 'MINUSCA' })
  @Matches(/^[A-Z][A-Z0-9-]{1,31}$/, { message: 'code must be 2-32 capital letters, digits or dashes (e.g. MINUSCA)' })
  code: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  mfaRequiredForAll?: boolean;

  @ApiPropertyOptional({ example: 'Africa/Bangui', description: 'IANA time zone of the mission area: times are shown in it' })
  @IsOptional()
  @IsTimeZone({ message: 'timeZone must be an IANA time zone such as Africa/Bangui' })
  timeZone?: string;

  @ApiPropertyOptional({ description: 'Staff may book mental-health sessions for themselves' })
  @IsOptional()
  @IsBoolean({ message: 'staffSelfBooking must be true or false' })
  staffSelfBooking?: boolean;

  @ApiPropertyOptional({ description: 'How long a break-the-glass grant lasts (minutes, 15 to 720; default 120)' })
  @IsOptional()
  @IsInt({ message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  @Min(15, { message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  @Max(720, { message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  breakGlassMinutes?: number;
  @ApiPropertyOptional({ example: 30, description: 'Days a consultation recording stays on its case before it is deleted (0 to 3650)' })
  @IsOptional()
  @IsInt({ message: 'recordingRetentionDays must be a whole number of days' })
  @Min(0, { message: 'recordingRetentionDays must be at least 0' })
  @Max(3650, { message: 'recordingRetentionDays must be at most 3650' })
  recordingRetentionDays?: number;
}

export class UpdateMissionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  mfaRequiredForAll?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ example: 'Africa/Bangui', description: 'IANA time zone of the mission area: times are shown in it' })
  @IsOptional()
  @IsTimeZone({ message: 'timeZone must be an IANA time zone such as Africa/Bangui' })
  timeZone?: string;

  @ApiPropertyOptional({ description: 'Staff may book mental-health sessions for themselves' })
  @IsOptional()
  @IsBoolean({ message: 'staffSelfBooking must be true or false' })
  staffSelfBooking?: boolean;

  @ApiPropertyOptional({ description: 'How long a break-the-glass grant lasts (minutes, 15 to 720; default 120)' })
  @IsOptional()
  @IsInt({ message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  @Min(15, { message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  @Max(720, { message: 'breakGlassMinutes must be a whole number of minutes from 15 to 720' })
  breakGlassMinutes?: number;
  @ApiPropertyOptional({ nullable: true, example: 24, description: "Hours without contact after which a field node is reported silent to the mission's health managers (null: the hub's FIELD_NODE_SILENT_HOURS)" })
  @IsOptional()
  @NullAllowed()
  @IsInt({ message: 'fieldNodeSilentHours must be a whole number of hours from 1 to 720, or null' })
  @Min(1, { message: 'fieldNodeSilentHours must be a whole number of hours from 1 to 720, or null' })
  @Max(720, { message: 'fieldNodeSilentHours must be a whole number of hours from 1 to 720, or null' })
  fieldNodeSilentHours?: number | null;
  @ApiPropertyOptional({ example: 30, description: 'Days a consultation recording stays on its case before it is deleted (0 to 3650)' })
  @IsOptional()
  @IsInt({ message: 'recordingRetentionDays must be a whole number of days' })
  @Min(0, { message: 'recordingRetentionDays must be at least 0' })
  @Max(3650, { message: 'recordingRetentionDays must be at most 3650' })
  recordingRetentionDays?: number;
}

export class CreateFacilityDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: [1, 2, 3, 4] })
  @IsInt({ message: 'level must be an integer from 1 to 4' })
  @IsIn([1, 2, 3, 4], { message: 'level must be 1, 2, 3 or 4' })
  level: 1 | 2 | 3 | 4;

  @ApiProperty({ type: [String], description: 'Missions the facility belongs to (Levels 1-3: exactly one)' })
  @IsArray()
  @ArrayMinSize(1, { message: 'missionIds must name at least one mission' })
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'missionIds must contain mission ids (UUIDs)' })
  missionIds: string[];
}

export class UpdateFacilityDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: [1, 2, 3, 4] })
  @IsOptional()
  @IsInt({ message: 'level must be an integer from 1 to 4' })
  @IsIn([1, 2, 3, 4], { message: 'level must be 1, 2, 3 or 4' })
  level?: 1 | 2 | 3 | 4;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'missionIds must name at least one mission' })
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'missionIds must contain mission ids (UUIDs)' })
  missionIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ nullable: true, example: 'Africa/Nairobi', description: 'IANA time zone when it differs from the mission’s (null: the mission’s)' })
  @IsOptional()
  @NullAllowed()
  @IsTimeZone({ message: 'timeZone must be an IANA time zone such as Africa/Nairobi, or null' })
  timeZone?: string | null;
}

export class CreateMembershipDto {
  @ApiProperty({ enum: Role })
  @IsEnum(Role, { message: `role must be one of: ${Object.values(Role).join(', ')}` })
  role: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a mission id (UUID)' })
  missionId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId?: string;

  @ApiPropertyOptional({ description: 'A rotation: rights start at this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startsAt must be a date and time (ISO 8601)' })
  startsAt?: string;

  @ApiPropertyOptional({ description: 'A rotation: rights end by themselves at this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'endsAt must be a date and time (ISO 8601)' })
  endsAt?: string;
}

/** A rotation's dates of an existing membership; null removes a date. */
export class UpdateMembershipDto {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @NullAllowed()
  @IsISO8601({ strict: true }, { message: 'startsAt must be a date and time (ISO 8601) or null' })
  startsAt?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @NullAllowed()
  @IsISO8601({ strict: true }, { message: 'endsAt must be a date and time (ISO 8601) or null' })
  endsAt?: string | null;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'displayName must not be empty' })
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ description: 'At least 12 characters' })
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SPECIALTY, { each: true, message: 'specialties must be lower-case codes such as dermatology' })
  specialties?: string[];

  @ApiPropertyOptional({ type: CreateMembershipDto, description: 'Required unless the caller is a system administrator' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateMembershipDto)
  membership?: CreateMembershipDto;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'displayName must not be empty' })
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SPECIALTY, { each: true, message: 'specialties must be lower-case codes such as dermatology' })
  specialties?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password?: string;
}

export class ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a mission id (UUID)' })
  missionId?: string;

  @ApiPropertyOptional({ description: 'Search in name and email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
