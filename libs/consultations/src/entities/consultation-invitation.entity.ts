import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CallRole } from '@hub/contracts';
import { ConsultationSession } from './consultation-session.entity';

/**
 * A time-limited invitation by the host (a second specialist, an interpreter). The token is shown once and stored as
 * SHA-256 only; an invitation bound to a user works only for that user.
 */
@Entity('consultation_invitations')
@Index('consultation_invitations_session_idx', ['sessionId'])
export class ConsultationInvitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => ConsultationSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: ConsultationSession;

  @Column({ type: 'varchar', length: 16 })
  callRole: CallRole;

  @Column({ type: 'uuid', nullable: true })
  invitedUserId: string | null;

  @Index('consultation_invitations_token_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  usedById: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'uuid' })
  createdById: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
