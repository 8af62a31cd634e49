import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { BLOOD_GROUPS, SEXES } from '../entities/patient.entity';
import { IsIsoDate } from '@hub/common';

@ValidatorConstraint({ name: 'plausibleBirthDate' })
export class PlausibleBirthDate implements ValidatorConstraintInterface {
  validate(value: string): boolean {
    const d = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) return false;
    const age = (Date.now() - d.getTime()) / (365.25 * 24 * 3600 * 1000);
    return age >= 16 && age <= 80;
  }
  defaultMessage(): string {
    return 'dateOfBirth must be a real date giving an age between 16 and 80 (deployed personnel)';
  }
}

export class CreatePatientDto {
  @ApiProperty({ example: 'BAN-12345' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9\-\/ ]{2,39}$/, { message: 'serviceNumber must be 3-40 letters, digits, dashes or slashes' })
  serviceNumber: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'firstName must not be empty' })
  @MaxLength(100)
  firstName: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: 'lastName must not be empty' })
  @MaxLength(100)
  lastName: string;

  @ApiProperty({ example: '1990-04-12' })
  @IsIsoDate('date', { message: 'dateOfBirth must be a date (YYYY-MM-DD)' })
  @Validate(PlausibleBirthDate)
  dateOfBirth: string;

  @ApiProperty({ enum: SEXES })
  @IsIn(SEXES, { message: `sex must be one of: ${SEXES.join(', ')}` })
  sex: (typeof SEXES)[number];

  @ApiProperty({ example: 'BGD', description: 'ISO 3166-1 alpha-3' })
  @Matches(/^[A-Z]{3}$/, { message: 'nationality must be an ISO 3166-1 alpha-3 code such as BGD' })
  nationality: string;

  @ApiProperty({ example: 'BANBAT-12' })
  @IsString()
  @IsNotEmpty({ message: 'contingent must not be empty' })
  @MaxLength(80)
  contingent: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(120)
  unit?: string;

  @ApiPropertyOptional({ enum: BLOOD_GROUPS })
  @IsOptional()
  @IsIn(BLOOD_GROUPS, { message: `bloodGroup must be one of: ${BLOOD_GROUPS.join(', ')}` })
  bloodGroup?: (typeof BLOOD_GROUPS)[number];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  allergies?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  chronicConditions?: string[];

  @ApiPropertyOptional({ description: "Defaults to the officer's clinic" })
  @IsOptional()
  @IsUUID('all', { message: 'currentFacilityId must be a facility id (UUID)' })
  currentFacilityId?: string;
}

export class UpdatePatientDto extends PartialType(CreatePatientDto) {}

export class TransferPatientDto {
  @ApiProperty()
  @IsUUID('all', { message: 'toFacilityId must be a facility id (UUID)' })
  toFacilityId: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class PatientListQuery {
  @ApiPropertyOptional({ description: 'Search in names and service number' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
