import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { ConsultationParticipant } from './consultation-participant.entity';
import { ConsultationSession } from './consultation-session.entity';

/**
 * A participant's consent to recording a live consultation, given or withdrawn in the call (one row per participant
 * and session, its history in the audit trail). Consent lapses when the participant leaves the call: coming back,
 * they are asked again.
 */
@Entity('consultation_recording_consents')
@Unique('consultation_recording_consents_participant_key', ['sessionId', 'participantId'])
export class RecordingConsent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => ConsultationSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: ConsultationSession;

  @Column({ type: 'uuid' })
  participantId: string;

  @ManyToOne(() => ConsultationParticipant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'participant_id' })
  participant?: ConsultationParticipant;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'boolean' })
  consented: boolean;

  /** When the consent now in force was given (null: never given). */
  @Column({ type: 'timestamptz', nullable: true })
  givenAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  /** 'withdrawn' (by the participant), 'left', 'declined', 'joined' (came back), 'ended'. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  withdrawReason: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
