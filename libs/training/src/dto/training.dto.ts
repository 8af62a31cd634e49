import { NullAllowed, IsIsoDate } from '@hub/common';
import { OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ALL_ROLES, CERTIFICATION_KINDS, Role, TRAINING_LANGUAGES } from '@hub/contracts';
import type { CertificationKind, QuestionType, ResourceKind, TrainingLanguage } from '@hub/contracts';

const QUESTION_TYPES: QuestionType[] = ['single', 'multiple', 'true_false'];
export const RESOURCE_KINDS: ResourceKind[] = ['guide', 'sop', 'quick_reference'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateCourseDto {
  @IsOptional()
  @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId?: string;

  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(200)
  title: string;

  @IsString()
  @MaxLength(5000)
  description: string;

  @IsIn(TRAINING_LANGUAGES, { message: `language must be one of: ${TRAINING_LANGUAGES.join(', ')}` })
  language: TrainingLanguage;

  @IsArray()
  @ArrayMaxSize(6)
  @IsIn(ALL_ROLES, { each: true, message: `targetRoles must contain only: ${ALL_ROLES.join(', ')}` })
  targetRoles: Role[];

  @IsInt({ message: 'estimatedMinutes must be a whole number of minutes' })
  @Min(0)
  @Max(10_000)
  estimatedMinutes: number;

  @IsOptional()
  @IsIn([...CERTIFICATION_KINDS, null], { message: `certificationKind must be one of: ${CERTIFICATION_KINDS.join(', ')} (or null)` })
  @NullAllowed()
  certificationKind?: CertificationKind | null;

  @IsOptional()
  @IsInt({ message: 'validityDays must be a whole number of days' })
  @Min(1, { message: 'validityDays must be at least 1' })
  @Max(3650, { message: 'validityDays must be at most 3650 (10 years)' })
  validityDays?: number;
}

/** Every field of a new course but its mission (a course does not move), each optional; plus archive/restore. */
export class UpdateCourseDto extends PartialType(OmitType(CreateCourseDto, ['missionId'] as const)) {
  @IsOptional()
  @IsIn(['archived', 'draft'], { message: 'status may be set to archived or draft (publish with POST .../publish)' })
  status?: 'archived' | 'draft';
}

export class LessonDto {
  @IsString() @IsNotEmpty({ message: 'title must not be empty' }) @MaxLength(200)
  title: string;

  @IsString() @MaxLength(200_000)
  body: string;

  @IsOptional() @IsInt() @Min(0) @Max(1000)
  estimatedMinutes?: number;

  @IsOptional() @IsInt({ message: 'position must be a whole number' }) @Min(0)
  position?: number;
}

export class UpdateLessonDto extends PartialType(LessonDto) {}

export class QuizOptionDto {
  @IsOptional() @IsUUID('all', { message: 'id must be a UUID' })
  id?: string;

  @IsString() @IsNotEmpty({ message: 'text must not be empty' }) @MaxLength(500)
  text: string;

  @IsBoolean({ message: 'correct must be true or false' })
  correct: boolean;
}

export class QuizQuestionDto {
  @IsOptional() @IsUUID('all', { message: 'id must be a UUID' })
  id?: string;

  @IsIn(QUESTION_TYPES, { message: `type must be one of: ${QUESTION_TYPES.join(', ')}` })
  type: QuestionType;

  @IsString() @IsNotEmpty({ message: 'text must not be empty' }) @MaxLength(2000)
  text: string;

  @IsString() @MaxLength(4000)
  explanation: string;

  @IsArray() @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => QuizOptionDto)
  options: QuizOptionDto[];
}

export class QuizDto {
  @IsInt({ message: 'passMark must be a whole number' })
  @Min(0, { message: 'passMark must be between 0 and 100' })
  @Max(100, { message: 'passMark must be between 0 and 100' })
  passMark: number;

  @IsOptional()
  @IsInt({ message: 'maxAttempts must be a whole number or null' })
  @Min(1, { message: 'maxAttempts must be at least 1 (or null for unlimited)' })
  @Max(100)
  @NullAllowed()
  maxAttempts?: number | null;

  @IsOptional()
  @IsInt({ message: 'cooldownMinutes must be a whole number' })
  @Min(0)
  @Max(43_200, { message: 'cooldownMinutes must be at most 43200 (30 days)' })
  cooldownMinutes?: number;

  @IsArray() @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => QuizQuestionDto)
  questions: QuizQuestionDto[];
}

export class AnswerDto {
  @IsUUID('all', { message: 'questionId must be a UUID' })
  questionId: string;

  @IsArray() @ArrayMaxSize(10)
  @IsUUID('all', { each: true, message: 'optionIds must be UUIDs' })
  optionIds: string[];
}

export class SubmitAttemptDto {
  @IsArray() @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AnswerDto)
  answers: AnswerDto[];
}

export class ChecklistItemDto {
  @IsOptional() @IsUUID('all', { message: 'id must be a UUID' })
  id?: string;

  @IsString() @IsNotEmpty({ message: 'title must not be empty' }) @MaxLength(200)
  title: string;

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;
}

export class ChecklistDto {
  @IsArray() @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  items: ChecklistItemDto[];
}

export class SignOffDto {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId: string;

  @IsUUID('all', { message: 'itemId must be a UUID' })
  itemId: string;

  @Matches(DATE, { message: 'performedOn must be a date (YYYY-MM-DD)' })
  @IsIsoDate('date', { message: 'performedOn must be a real date (YYYY-MM-DD)' })
  performedOn: string;

  @IsOptional() @IsString() @MaxLength(1000)
  note?: string;
}

export class RevokeDto {
  @IsString()
  @IsNotEmpty({ message: 'reason must not be empty' })
  @MaxLength(500)
  reason: string;
}

export class CreateWaiverDto {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId: string;

  @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId: string;

  @IsIn(CERTIFICATION_KINDS, { message: `kind must be one of: ${CERTIFICATION_KINDS.join(', ')}` })
  kind: CertificationKind;

  @IsIsoDate('date-time', { message: 'expiresAt must be an ISO date-time' })
  expiresAt: string;

  @IsString()
  @IsNotEmpty({ message: 'reason must not be empty' })
  @MaxLength(500)
  reason: string;
}

export class CreateCohortDto {
  @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId: string;

  @IsString() @IsNotEmpty({ message: 'name must not be empty' }) @MaxLength(200)
  name: string;

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;

  @IsOptional()
  @Matches(DATE, { message: 'startsOn must be a date (YYYY-MM-DD)' })
  @IsIsoDate('date', { message: 'startsOn must be a real date (YYYY-MM-DD)' })
  startsOn?: string;

  @IsOptional()
  @Matches(DATE, { message: 'endsOn must be a date (YYYY-MM-DD)' })
  @IsIsoDate('date', { message: 'endsOn must be a real date (YYYY-MM-DD)' })
  endsOn?: string;

  @IsArray() @ArrayMaxSize(500)
  @IsUUID('all', { each: true, message: 'memberIds must be UUIDs' })
  memberIds: string[];

  @IsArray() @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'courseIds must be UUIDs' })
  courseIds: string[];
}

/** A cohort stays in its mission; members and courses, when given, replace the current ones. */
export class UpdateCohortDto extends PartialType(OmitType(CreateCohortDto, ['missionId'] as const)) {}

export class CreateResourceDto {
  @IsOptional() @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId?: string;

  @IsIn(RESOURCE_KINDS, { message: `kind must be one of: ${RESOURCE_KINDS.join(', ')}` })
  kind: ResourceKind;

  @IsString() @IsNotEmpty({ message: 'title must not be empty' }) @MaxLength(200)
  title: string;

  @IsOptional() @IsString() @MaxLength(500)
  summary?: string;

  @IsString() @IsNotEmpty({ message: 'body must not be empty' }) @MaxLength(200_000)
  body: string;

  @IsIn(TRAINING_LANGUAGES, { message: `language must be one of: ${TRAINING_LANGUAGES.join(', ')}` })
  language: TrainingLanguage;

  @IsOptional() @IsArray() @ArrayMaxSize(20)
  @Matches(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u, { each: true, message: 'tags must be 1-40 letters, digits, spaces, dashes' })
  tags?: string[];
}

export class UpdateResourceDto extends PartialType(OmitType(CreateResourceDto, ['missionId'] as const)) {}

export class CourseListQuery {
  @IsOptional() @IsIn(TRAINING_LANGUAGES, { message: `language must be one of: ${TRAINING_LANGUAGES.join(', ')}` })
  language?: TrainingLanguage;

  @IsOptional() @IsIn(['draft', 'published', 'archived'], { message: 'status must be draft, published or archived' })
  status?: 'draft' | 'published' | 'archived';
}

export class MissionQuery {
  @IsOptional() @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId?: string;
}

export class CertificateListQuery extends MissionQuery {
  @IsOptional() @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;
}

export class ComplianceQuery {
  @IsUUID('all', { message: 'missionId must be a UUID' })
  missionId: string;
}

export class ProgressQuery {
  @IsOptional() @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;
}

export class ResourceQuery {
  @IsOptional() @IsString() @MaxLength(200)
  q?: string;

  @IsOptional() @IsIn(TRAINING_LANGUAGES, { message: `language must be one of: ${TRAINING_LANGUAGES.join(', ')}` })
  language?: TrainingLanguage;

  @IsOptional() @IsIn(RESOURCE_KINDS, { message: `kind must be one of: ${RESOURCE_KINDS.join(', ')}` })
  kind?: ResourceKind;

  @IsOptional() @IsString() @MaxLength(40)
  tag?: string;
}

export class LessonParams {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;

  @IsUUID('all', { message: 'lessonId must be a UUID' })
  lessonId: string;
}

export class AttachmentParam {
  @IsUUID('all', { message: 'attachmentId must be a UUID' })
  attachmentId: string;
}

export class AttemptParam {
  @IsUUID('all', { message: 'attemptId must be a UUID' })
  attemptId: string;
}

export class CodeParam {
  @Matches(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/, { message: 'code must look like ABCD-EFGH-JKLM' })
  code: string;
}

export class FilenameQuery {
  @IsString()
  @Matches(/^[^\/\\\x00-\x1f]{1,200}$/, { message: 'filename must be 1-200 characters without slashes' })
  filename: string;
}
