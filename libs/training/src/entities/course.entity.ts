import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CertificationKind, CourseStatus, QuestionType, TrainingLanguage } from '@hub/contracts';
import { Mission } from '@hub/identity';

/**
 * A course of a mission (or, with no mission, a global course managed by system administrators). A certification
 * course gives a certification kind for `validityDays` once its lessons, quiz and practical sign-off are complete.
 * `version` counts publications: completions and certificates record the version they were earned on.
 */
@Entity('training_courses')
@Index('training_courses_mission_idx', ['missionId', 'status'])
@Check('training_courses_validity_check', `"validity_days" BETWEEN 1 AND 3650`)
@Check('training_courses_language_check', `"language" IN ('en', 'fr')`)
@Check('training_courses_status_check', `"status" IN ('draft', 'published', 'archived')`)
@Check('training_courses_kind_check', `"certification_kind" IS NULL OR "certification_kind" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer')`)
export class Course {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  missionId: string | null;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission | null;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'varchar', length: 2 })
  language: TrainingLanguage;

  @Column({ type: 'varchar', array: true, default: '{}' })
  targetRoles: string[];

  @Column({ type: 'integer', default: 0 })
  estimatedMinutes: number;

  @Column({ type: 'integer', default: 0 })
  version: number;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: CourseStatus;

  @Column({ type: 'varchar', length: 40, nullable: true })
  certificationKind: CertificationKind | null;

  @Column({ type: 'integer', default: 730 })
  validityDays: number;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** An ordered lesson of a course; the body is markdown, rendered (and sanitised) by the web app. */
@Entity('training_lessons')
@Index('training_lessons_course_idx', ['courseId', 'position'])
export class Lesson {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', default: '' })
  body: string;

  @Column({ type: 'integer', default: 0 })
  estimatedMinutes: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** An image, PDF or video of a lesson, stored under the hub's data dir (training/<id>); type read from the bytes. */
@Entity('training_attachments')
export class LessonAttachment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('training_attachments_lesson_idx')
  @Column({ type: 'uuid' })
  lessonId: string;

  @ManyToOne(() => Lesson, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lesson_id' })
  lesson?: Lesson;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Column({ type: 'varchar', length: 100 })
  mediaType: string;

  @Column({ type: 'bigint' })
  size: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'uuid' })
  uploadedById: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

export interface StoredOption {
  id: string;
  text: string;
  correct: boolean;
}
export interface StoredQuestion {
  id: string;
  type: QuestionType;
  text: string;
  explanation: string;
  options: StoredOption[];
}

/** The assessment of a course (one per course). Questions with their key live in one JSON document. */
@Entity('training_quizzes')
@Check('training_quizzes_pass_mark_check', `"pass_mark" BETWEEN 0 AND 100`)
export class Quiz {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('training_quizzes_course_key', { unique: true })
  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  passMark: number;

  @Column({ type: 'integer', nullable: true })
  maxAttempts: number | null;

  @Column({ type: 'integer', default: 0 })
  cooldownMinutes: number;

  @Column({ type: 'jsonb' })
  questions: StoredQuestion[];

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A practical skill a trainer signs off. Removed items stay (sign-offs point at them) but no longer count. */
@Entity('training_checklist_items')
@Index('training_checklist_course_idx', ['courseId', 'position'])
export class ChecklistItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;
}

