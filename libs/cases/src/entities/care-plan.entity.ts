import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { MedicationView, VitalSignName, VitalSignsView } from '@hub/contracts';
import { ReferralCase } from './referral-case.entity';

/**
 * The specialist's follow-up plan of a case, set with the answer: medications and checks at given days. One per
 * case; it follows the case's access (mission, clinic, assigned specialist).
 */
@Entity('care_plans')
export class CarePlan {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('care_plans_case_idx', { unique: true })
  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'uuid' })
  missionId: string;

  @Column({ type: 'uuid' })
  createdById: string;

  @Column({ type: 'text', default: '' })
  instructions: string;

  @Column({ type: 'jsonb', default: [] })
  medications: MedicationView[];

  @OneToMany(() => FollowUpCheck, (c) => c.plan)
  checks?: FollowUpCheck[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A check of a plan, due `day` days after the plan was set; the clinic records it on the case. */
@Entity('follow_up_checks')
// Due and overdue checks of a clinic, a mission (home list, dashboard, sweep): unrecorded ones by due time.
@Index('follow_up_checks_open_idx', ['missionId', 'dueAt'], { where: `"recorded_at" IS NULL` })
@Index('follow_up_checks_facility_idx', ['facilityId', 'dueAt'], { where: `"recorded_at" IS NULL` })
export class FollowUpCheck {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('follow_up_checks_plan_idx')
  @Column({ type: 'uuid' })
  planId: string;

  @ManyToOne(() => CarePlan, (p) => p.checks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: CarePlan;

  @Index('follow_up_checks_case_idx')
  @Column({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'uuid' })
  missionId: string;

  /** The case's clinic (copied so the home list and dashboard need no join to find it). */
  @Column({ type: 'uuid' })
  facilityId: string;

  @Column({ type: 'smallint' })
  day: number;

  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'text', array: true, default: '{}' })
  vitals: VitalSignName[];

  @Column({ type: 'boolean', default: false })
  photo: boolean;

  @Column({ type: 'text', nullable: true })
  question: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  recordedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  recordedById: string | null;

  @Column({ type: 'jsonb', nullable: true })
  recordedVitals: VitalSignsView | null;

  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ type: 'uuid', nullable: true })
  attachmentId: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** When the clinic was told the check is overdue (once). */
  @Column({ type: 'timestamptz', nullable: true })
  overdueNotifiedAt: Date | null;
}
