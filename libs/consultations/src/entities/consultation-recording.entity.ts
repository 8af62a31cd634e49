import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ConsultationSession } from './consultation-session.entity';

export type RecordingStatus = 'recording' | 'stored' | 'failed' | 'deleted';

/** Who had consented when a recording started. */
export interface RecordingConsenter {
  participantId: string;
  userId: string;
}

/**
 * One recording of a live consultation (from the moment everyone present consented until it stopped). Its WebM is a
 * case attachment (`attachmentId`) until the mission's retention period ends; then the file and the attachment go
 * and this row stays, `deleted`, as the record that it existed.
 */
@Entity('consultation_recordings')
@Index('consultation_recordings_session_idx', ['sessionId', 'startedAt'])
@Index('consultation_recordings_status_idx', ['status', 'stoppedAt'])
export class ConsultationRecording {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => ConsultationSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: ConsultationSession;

  @Column({ type: 'uuid' })
  missionId: string;

  @Column({ type: 'uuid' })
  caseId: string;

  /** The case attachment holding the file (null while recording, after a failure and once deleted). */
  @Column({ type: 'uuid', nullable: true })
  attachmentId: string | null;

  @Column({ type: 'varchar', length: 12, default: 'recording' })
  status: RecordingStatus;

  @Column({ type: 'jsonb' })
  consentedBy: RecordingConsenter[];

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  /** Why it stopped: a RecordingStateView reason. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  stopReason: string | null;

  @Column({ type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ type: 'bigint', nullable: true })
  bytes: string | null;

  /** When the retention sweep deleted the file. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
