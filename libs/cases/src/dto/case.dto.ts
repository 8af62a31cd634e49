import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { URGENCIES, type Urgency } from '@hub/contracts';

const range = (field: string, min: number, max: number, unit: string) =>
  `${field} must be between ${min} and ${max} ${unit}`.trim();

@ValidatorConstraint({ name: 'diastolicBelowSystolic' })
class DiastolicBelowSystolic implements ValidatorConstraintInterface {
  validate(value: number, args: ValidationArguments): boolean {
    const systolic = (args.object as VitalSignsDto).systolicBp;
    return systolic === undefined || value < systolic;
  }
  defaultMessage(): string {
    return 'diastolicBp must be lower than systolicBp';
  }
}

/** Vital signs with physiologically plausible ranges; each one optional (a field clinic may lack a monitor). */
export class VitalSignsDto {
  @IsOptional() @IsInt({ message: 'heartRate must be a whole number (beats/min)' }) @Min(20, { message: range('heartRate', 20, 250, 'beats/min') }) @Max(250, { message: range('heartRate', 20, 250, 'beats/min') })
  heartRate?: number;

  @IsOptional() @IsInt({ message: 'systolicBp must be a whole number (mmHg)' }) @Min(40, { message: range('systolicBp', 40, 300, 'mmHg') }) @Max(300, { message: range('systolicBp', 40, 300, 'mmHg') })
  systolicBp?: number;

  @IsOptional() @IsInt({ message: 'diastolicBp must be a whole number (mmHg)' }) @Min(20, { message: range('diastolicBp', 20, 200, 'mmHg') }) @Max(200, { message: range('diastolicBp', 20, 200, 'mmHg') }) @Validate(DiastolicBelowSystolic)
  diastolicBp?: number;

  @IsOptional() @IsInt({ message: 'respiratoryRate must be a whole number (breaths/min)' }) @Min(4, { message: range('respiratoryRate', 4, 80, 'breaths/min') }) @Max(80, { message: range('respiratoryRate', 4, 80, 'breaths/min') })
  respiratoryRate?: number;

  @IsOptional() @IsInt({ message: 'spo2 must be a whole number (%)' }) @Min(50, { message: range('spo2', 50, 100, '%') }) @Max(100, { message: range('spo2', 50, 100, '%') })
  spo2?: number;

  @IsOptional() @IsNumber({ maxDecimalPlaces: 1 }, { message: 'temperatureC must be a number with at most one decimal' }) @Min(30, { message: range('temperatureC', 30, 45, '°C') }) @Max(45, { message: range('temperatureC', 30, 45, '°C') })
  temperatureC?: number;

  @IsOptional() @IsInt({ message: 'gcs must be a whole number' }) @Min(3, { message: range('gcs', 3, 15, '') }) @Max(15, { message: range('gcs', 3, 15, '') })
  gcs?: number;
}

export class CreateCaseDto {
  @ApiProperty()
  @IsUUID('all', { message: 'patientId must be a patient id (UUID)' })
  patientId: string;

  @ApiPropertyOptional({ description: "The originating clinic; defaults to the officer's only clinic" })
  @IsOptional()
  @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId?: string;

  @ApiProperty({ example: 'dermatology' })
  @Matches(/^[a-z][a-z0-9_]{1,39}$/, { message: 'specialtyCode must be a specialty code such as dermatology' })
  specialtyCode: string;

  @ApiProperty({ enum: URGENCIES })
  @IsIn(URGENCIES, { message: `urgency must be one of: ${URGENCIES.join(', ')}` })
  urgency: Urgency;

  @ApiProperty({ description: 'The patient agreed to the teleconsultation' })
  @IsBoolean({ message: 'consentGiven must be true or false' })
  consentGiven: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(500)
  consentNote?: string;

  @ApiProperty()
  @IsString() @IsNotEmpty({ message: 'presentingComplaint must not be empty' }) @MaxLength(4000)
  presentingComplaint: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(10000)
  history?: string;

  @ApiPropertyOptional({ type: VitalSignsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => VitalSignsDto)
  vitals?: VitalSignsDto;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(10000)
  examination?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(2000)
  workingDiagnosis?: string;

  @ApiProperty({ description: 'The question to the specialist' })
  @IsString() @IsNotEmpty({ message: 'question must not be empty' }) @MaxLength(4000)
  question: string;

  @ApiPropertyOptional({ description: 'Submit at once instead of keeping a draft' })
  @IsOptional() @IsBoolean({ message: 'submit must be true or false' })
  submit?: boolean;
}

export class UpdateCaseDto extends PartialType(PickType(CreateCaseDto, ['specialtyCode', 'urgency', 'consentGiven', 'consentNote', 'presentingComplaint', 'history', 'vitals', 'examination', 'workingDiagnosis', 'question'] as const)) {}

export class NoteDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(1000)
  note?: string;
}

export class RequestInformationDto {
  @ApiProperty({ description: 'What the specialist needs to know or see' })
  @IsString() @IsNotEmpty({ message: 'question must not be empty' }) @MaxLength(4000)
  question: string;
}

export class ResubmitDto {
  @ApiProperty({ description: 'The answer to the request for information' })
  @IsString() @IsNotEmpty({ message: 'message must not be empty' }) @MaxLength(10000)
  message: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID('all', { each: true, message: 'attachmentIds must contain attachment ids (UUIDs)' })
  attachmentIds?: string[];
}

export class EvacuationAdviceDto {
  @ApiProperty({ enum: ['none', 'medevac', 'casevac'] })
  @IsIn(['none', 'medevac', 'casevac'], { message: 'evacuation.type must be none, medevac or casevac' })
  type: 'none' | 'medevac' | 'casevac';

  @ApiPropertyOptional({ enum: ['urgent', 'priority', 'routine'] })
  @ValidateIf((o: EvacuationAdviceDto) => o.type !== 'none')
  @IsIn(['urgent', 'priority', 'routine'], { message: 'evacuation.priority must be urgent, priority or routine when an evacuation is advised' })
  priority?: 'urgent' | 'priority' | 'routine';

  @ApiPropertyOptional({ enum: [2, 3, 4] })
  @ValidateIf((o: EvacuationAdviceDto) => o.type !== 'none')
  @IsIn([2, 3, 4], { message: 'evacuation.destinationLevel must be 2, 3 or 4 when an evacuation is advised' })
  destinationLevel?: 2 | 3 | 4;
}

export class AnswerDto {
  @ApiProperty()
  @IsString() @IsNotEmpty({ message: 'assessment must not be empty' }) @MaxLength(10000)
  assessment: string;

  @ApiProperty()
  @IsString() @IsNotEmpty({ message: 'recommendation must not be empty' }) @MaxLength(10000)
  recommendation: string;

  @ApiProperty({ type: EvacuationAdviceDto })
  @ValidateNested()
  @Type(() => EvacuationAdviceDto)
  evacuation: EvacuationAdviceDto;
}

export class OutcomeDto {
  @ApiProperty({ enum: ['treated_locally', 'evacuated', 'transferred', 'died', 'other'] })
  @IsIn(['treated_locally', 'evacuated', 'transferred', 'died', 'other'], { message: 'outcome must be treated_locally, evacuated, transferred, died or other' })
  outcome: 'treated_locally' | 'evacuated' | 'transferred' | 'died' | 'other';

  @ApiProperty()
  @IsBoolean({ message: 'evacuationDone must be true or false' })
  evacuationDone: boolean;

  @ApiProperty({ description: 'An evacuation was avoided thanks to the teleconsultation' })
  @IsBoolean({ message: 'evacuationAvoided must be true or false' })
  evacuationAvoided: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(4000)
  note?: string;
}

export class HandOverDto {
  @ApiProperty()
  @IsUUID('all', { message: 'doctorId must be a user id (UUID)' })
  doctorId: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(1000)
  note?: string;
}

export class MessageDto {
  @ApiProperty()
  @IsString() @IsNotEmpty({ message: 'body must not be empty' }) @MaxLength(10000)
  body: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID('all', { each: true, message: 'attachmentIds must contain attachment ids (UUIDs)' })
  attachmentIds?: string[];
}

export class CaseListQuery {
  @ApiPropertyOptional({ enum: ['queue', 'mine'], description: 'queue: unassigned cases waiting for your specialties; mine: your clinic’s, your assigned or your mission’s cases' })
  @IsOptional()
  @IsIn(['queue', 'mine'], { message: 'view must be queue or mine' })
  view?: 'queue' | 'mine';

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9_\-=]{1,200}$/, { message: 'cursor must be a cursor returned by a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit?: number;
}

export class AttachmentParams {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'attachmentId must be a UUID' })
  attachmentId: string;
}
