import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NullAllowed } from '@hub/common';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

export class HandOverRotationDto {
  @ApiPropertyOptional({ nullable: true, description: 'The successor (an officer of the same clinic); null or absent: the clinic as a whole' })
  @IsOptional()
  @NullAllowed()
  @ValidateIf((o: HandOverRotationDto) => o.successorId !== null)
  @IsUUID('all', { message: 'successorId must be a user id (UUID) or null' })
  successorId?: string | null;

  @ApiProperty({ description: 'The hand-over note, added to each case' })
  @IsString({ message: 'note must be text' })
  @Matches(/\S/, { message: 'note must not be empty: say what the successor needs to know' })
  @MaxLength(4000)
  note: string;
}

export class RotationImportDto {
  @ApiProperty()
  @IsUUID('all', { message: 'missionId must be a mission id (UUID)' })
  missionId: string;

  @ApiProperty({ example: 'BANBAT-13 rotation, December 2026' })
  @IsString({ message: 'cohortName must be text' })
  @IsNotEmpty({ message: 'cohortName must not be empty' })
  @MaxLength(200)
  cohortName: string;

  @ApiPropertyOptional({ type: [String], description: "Courses of the cohort (the mission's or global ones)" })
  @IsOptional() @IsArray() @ArrayMaxSize(20)
  @IsUUID('all', { each: true, message: 'courseIds must contain course ids (UUIDs)' })
  courseIds?: string[];

  @ApiProperty({ description: 'CSV text with the header: name,email,role,facility,start,end (dates YYYY-MM-DD)' })
  @IsString({ message: 'csv must be the text of a CSV file' })
  @IsNotEmpty({ message: 'csv must not be empty' })
  @MaxLength(1_000_000, { message: 'csv must be at most 1 MB' })
  csv: string;
}

export class UnassignedQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a mission id (UUID)' })
  missionId?: string;
}
