import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MEDICATION_ROUTES, type MedicationRoute, VITAL_SIGNS, type VitalSignName } from '@hub/contracts';
import { AnswerDto, VitalSignsDto } from './case.dto';

export class MedicationDto {
  @ApiProperty({ example: 'amoxicillin' })
  @IsString() @IsNotEmpty({ message: 'drug must not be empty' }) @MaxLength(200)
  drug: string;

  @ApiProperty({ example: '500 mg' })
  @IsString() @IsNotEmpty({ message: 'dose must not be empty' }) @MaxLength(100)
  dose: string;

  @ApiProperty({ enum: MEDICATION_ROUTES })
  @IsIn(MEDICATION_ROUTES, { message: `route must be one of: ${MEDICATION_ROUTES.join(', ')}` })
  route: MedicationRoute;

  @ApiProperty({ example: 'every 8 hours' })
  @IsString() @IsNotEmpty({ message: 'frequency must not be empty' }) @MaxLength(100)
  frequency: string;

  @ApiProperty({ example: 7, description: 'Days' })
  @IsInt({ message: 'durationDays must be a whole number of days' }) @Min(1, { message: 'durationDays must be between 1 and 365' }) @Max(365, { message: 'durationDays must be between 1 and 365' })
  durationDays: number;
}

export class CheckDto {
  @ApiProperty({ example: 3, description: 'Days after the plan is set' })
  @IsInt({ message: 'day must be a whole number of days' }) @Min(1, { message: 'day must be between 1 and 365' }) @Max(365, { message: 'day must be between 1 and 365' })
  day: number;

  @ApiPropertyOptional({ enum: VITAL_SIGNS, isArray: true })
  @IsOptional() @IsArray() @ArrayUnique({ message: 'vitals must not repeat a sign' })
  @IsIn(VITAL_SIGNS, { each: true, message: `vitals must contain only: ${VITAL_SIGNS.join(', ')}` })
  vitals?: VitalSignName[];

  @ApiPropertyOptional({ description: 'A photo to attach (e.g. of the wound)' })
  @IsOptional() @IsBoolean({ message: 'photo must be true or false' })
  photo?: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @IsNotEmpty({ message: 'question must not be empty when given' }) @MaxLength(1000)
  question?: string;
}

export class CarePlanDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(4000)
  instructions?: string;

  @ApiPropertyOptional({ type: [MedicationDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(20, { message: 'medications must hold at most 20 items' })
  @ValidateNested({ each: true }) @Type(() => MedicationDto)
  medications?: MedicationDto[];

  @ApiPropertyOptional({ type: [CheckDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(30, { message: 'checks must hold at most 30 items' })
  @ValidateNested({ each: true }) @Type(() => CheckDto)
  checks?: CheckDto[];
}

export class RecordCheckDto {
  @ApiPropertyOptional({ type: VitalSignsDto })
  @IsOptional() @ValidateNested() @Type(() => VitalSignsDto)
  vitals?: VitalSignsDto;

  @ApiPropertyOptional({ description: 'The answer to the check’s question' })
  @IsOptional() @IsString() @IsNotEmpty({ message: 'answer must not be empty when given' }) @MaxLength(4000)
  answer?: string;

  @ApiPropertyOptional({ description: 'A completed upload to this case (the photo)' })
  @IsOptional() @IsUUID('all', { message: 'attachmentId must be an attachment id (UUID)' })
  attachmentId?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(2000)
  note?: string;
}

export class CheckParams {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'checkId must be a UUID' })
  checkId: string;
}

/** The answer, with the specialist's follow-up plan when they set one. */
export class AnswerWithPlanDto extends AnswerDto {
  @ApiPropertyOptional({ type: CarePlanDto })
  @IsOptional() @ValidateNested() @Type(() => CarePlanDto)
  plan?: CarePlanDto;
}
