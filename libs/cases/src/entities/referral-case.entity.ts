import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Facility, Mission, User } from '@hub/identity';
import { Patient } from './patient.entity';
import { Specialty } from './specialty.entity';
import type { CaseStatus, EvacuationAdviceView, OutcomeReportView, Urgency, VitalSignsView } from '@hub/contracts';

/** Stored as JSON; the shapes are the ones the API exchanges. */
export type VitalSigns = VitalSignsView;
export type EvacuationAdvice = EvacuationAdviceView;
export type OutcomeReport = OutcomeReportView;

/**
 * A teleconsultation case: a Level 1 clinic's question about a patient to a specialty. Its status moves only
 * through the workflow in case-workflow.ts; every move is kept in case_transitions.
 */
@Entity('referral_cases')
// The doctors' queue: unassigned submitted cases by specialty, urgency, deadline (keyset order).
@Index('referral_cases_queue_idx', ['specialtyCode', 'missionId', 'urgencyRank', 'deadlineAt', 'id'], {
  where: `"status" = 'submitted' AND "assigned_doctor_id" IS NULL`,
})
@Index('referral_cases_facility_idx', ['facilityId', 'createdAt'])
@Index('referral_cases_mission_idx', ['missionId', 'createdAt'])
export class ReferralCase {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Index('referral_cases_patient_idx')
  @Column({ type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: Patient;

  /** The originating clinic. */
  @Column({ type: 'uuid' })
  facilityId: string;

  @ManyToOne(() => Facility, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'facility_id' })
  facility?: Facility;

  @Column({ type: 'uuid' })
  requestedById: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requested_by_id' })
  requestedBy?: User;

  /**
   * The clinic's officer in charge (the requester at first). A hand-over at the end of a rotation moves it to a
   * successor, or to null: the clinic as a whole. Access stays the clinic's (facility) either way.
   */
  @Index('referral_cases_officer_idx')
  @Column({ type: 'uuid', nullable: true })
  responsibleOfficerId: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'responsible_officer_id' })
  responsibleOfficer?: User;

  @Column({ type: 'varchar', length: 40 })
  specialtyCode: string;

  @ManyToOne(() => Specialty, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'specialty_code' })
  specialty?: Specialty;

  @Column({ type: 'varchar', length: 16 })
  urgency: Urgency;

  /** 0 emergency, 1 urgent, 2 routine: the queue's first sort key. */
  @Column({ type: 'smallint' })
  urgencyRank: number;

  @Column({ type: 'varchar', length: 24, default: 'draft' })
  status: CaseStatus;

  /**
   * A sensitive record (a mental-health session's case): only the assigned clinician and the requesting officer
   * reach it (libs/access sensitive-records.ts); dashboards count it without identifying it.
   */
  @Column({ type: 'boolean', default: false })
  sensitive: boolean;

  @Column({ type: 'boolean' })
  consentGiven: boolean;

  @Column({ type: 'varchar', length: 500, nullable: true })
  consentNote: string | null;

  @Column({ type: 'text' })
  presentingComplaint: string;

  @Column({ type: 'text', default: '' })
  history: string;

  @Column({ type: 'jsonb', default: {} })
  vitals: VitalSigns;

  @Column({ type: 'text', default: '' })
  examination: string;

  @Column({ type: 'text', default: '' })
  workingDiagnosis: string;

  @Column({ type: 'text' })
  question: string;

  @Index('referral_cases_doctor_idx')
  @Column({ type: 'uuid', nullable: true })
  assignedDoctorId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  /** When the specialist's answer is due (from the mission's SLA for the urgency). */
  @Column({ type: 'timestamptz', nullable: true })
  deadlineAt: Date | null;

  /** 0: own mission's reference hospitals; 1: backup hospitals added; 2: health manager alerted. */
  @Column({ type: 'smallint', default: 0 })
  escalationLevel: number;

  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  assessment: string | null;

  @Column({ type: 'text', nullable: true })
  recommendation: string | null;

  @Column({ type: 'jsonb', nullable: true })
  evacuationAdvice: EvacuationAdvice | null;

  @Column({ type: 'uuid', nullable: true })
  answeredById: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  outcome: OutcomeReport | null;

  @Column({ type: 'timestamptz', nullable: true })
  outcomeReportedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  outcomeReminderSentAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
