import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { CallRole, ParticipantState } from '@hub/contracts';
import { User } from '@hub/identity';
import { ConsultationSession } from './consultation-session.entity';

/** Running sums of a participant's stats reports; the averages of the session record are computed from these. */
export interface QualityAccumulator {
  samples: number;
  bitrateSum: number;
  bitrateSamples: number;
  minBitrate: number | null;
  lossSum: number;
  lossSamples: number;
  worstLoss: number | null;
  rttSum: number;
  rttSamples: number;
  worstRtt: number | null;
}

export const EMPTY_QUALITY: QualityAccumulator = {
  samples: 0,
  bitrateSum: 0,
  bitrateSamples: 0,
  minBitrate: null,
  lossSum: 0,
  lossSamples: 0,
  worstLoss: null,
  rttSum: 0,
  rttSamples: 0,
  worstRtt: null,
};

/** One person in one session: their place in the waiting room, admission, and the figures of their link. */
@Entity('consultation_participants')
@Unique('consultation_participants_session_user_key', ['sessionId', 'userId'])
@Index('consultation_participants_user_idx', ['userId'])
export class ConsultationParticipant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => ConsultationSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: ConsultationSession;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  callRole: CallRole;

  @Column({ type: 'varchar', length: 12, default: 'waiting' })
  state: ParticipantState;

  /** The invitation that let this person in (invitees only). */
  @Column({ type: 'uuid', nullable: true })
  invitationId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  admittedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  admittedById: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  declinedAt: Date | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  declineReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  leftAt: Date | null;

  /** Times this admitted participant came back after a drop (socket reconnect, reload) without the host. */
  @Column({ type: 'int', default: 0 })
  reconnectCount: number;

  /** Running sums of the participant's stats reports (null until the first). */
  @Column({ type: 'jsonb', nullable: true })
  quality: QualityAccumulator | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
