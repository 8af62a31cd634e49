import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ConsultationStatus, QualityFigures } from '@hub/contracts';
import { ReferralCase } from '@hub/cases';
import { Mission, User } from '@hub/identity';

/**
 * A live consultation: a call about a case (hosted by the case's accepted reference doctor) or a scheduled session
 * without a case (e.g. a mental-health follow-up, hosted by the doctor who scheduled it). Once ended, the row with
 * its participants is the session record kept on the case.
 */
@Entity('consultation_sessions')
@Index('consultation_sessions_case_idx', ['caseId', 'createdAt'])
@Index('consultation_sessions_host_idx', ['hostId', 'status'])
export class ConsultationSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Column({ type: 'uuid', nullable: true })
  caseId: string | null;

  @ManyToOne(() => ReferralCase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ type: 'varchar', length: 12, default: 'waiting' })
  status: ConsultationStatus;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'uuid' })
  hostId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'host_id' })
  host?: User;

  @Column({ type: 'uuid' })
  createdById: string;

  /** Participants join without camera unless they choose video (sensitive sessions: mental health). */
  @Column({ type: 'boolean', default: false })
  audioOnlyDefault: boolean;

  /** Chat in the call is kept in the case thread; false (no patient consent): only relayed to those in the call. */
  @Column({ type: 'boolean', default: true })
  chatInThread: boolean;

  /** Quality over all participants, written when the session ends. */
  @Column({ type: 'jsonb', nullable: true })
  quality: QualityFigures | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
