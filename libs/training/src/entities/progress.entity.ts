import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '@hub/identity';
import { ChecklistItem, Course, Lesson } from './course.entity';

/** A learner marked a lesson read. Kept for every cycle (recertification counts only newer ones). */
@Entity('training_lesson_completions')
@Index('training_lesson_completions_user_idx', ['userId', 'courseId', 'completedAt'])
export class LessonCompletion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  courseId: string;

  @Column({ type: 'uuid' })
  lessonId: string;

  @ManyToOne(() => Lesson, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lesson_id' })
  lesson?: Lesson;

  @Column({ type: 'integer' })
  courseVersion: number;

  @Column({ type: 'timestamptz' })
  completedAt: Date;
}

/** What the learner was shown: question and option order of this attempt (the key stays in the quiz). */
export interface AttemptLayout {
  questionId: string;
  optionIds: string[];
}

/** One quiz attempt, graded on the server at submission. */
@Entity('training_attempts')
@Index('training_attempts_user_idx', ['userId', 'courseId', 'startedAt'])
@Check('training_attempts_score_check', `"score" IS NULL OR "score" BETWEEN 0 AND 100`)
export class QuizAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  courseVersion: number;

  @Column({ type: 'integer' })
  attemptNumber: number;

  @Column({ type: 'integer' })
  passMark: number;

  @Column({ type: 'jsonb' })
  layout: AttemptLayout[];

  @Column({ type: 'jsonb', nullable: true })
  answers: { questionId: string; optionIds: string[] }[] | null;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  score: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;
}

/** A trainer ticked a practical skill for a learner. */
@Entity('training_sign_offs')
@Index('training_sign_offs_user_idx', ['userId', 'courseId', 'createdAt'])
export class SignOff {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  courseId: string;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => ChecklistItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: ChecklistItem;

  @Column({ type: 'uuid' })
  trainerId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainer_id' })
  trainer?: User;

  /** The mission (of a cohort holding the learner) under whose authority the trainer signed. */
  @Column({ type: 'uuid' })
  missionId: string;

  @Column({ type: 'date' })
  performedOn: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @Column({ type: 'timestamptz' })
  createdAt: Date;
}

/** A learner completed a version of a course. Never removed: a new version keeps who completed the old one. */
@Entity('training_completions')
@Index('training_completions_user_idx', ['userId', 'courseId', 'completedAt'])
export class CourseCompletion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  courseVersion: number;

  @Column({ type: 'timestamptz' })
  completedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
