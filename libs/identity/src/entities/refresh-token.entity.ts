import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * One refresh token of a login session ("family"). Only a SHA-256 of the token is stored. Each refresh revokes the
 * presented token and issues a new one in the same family; presenting a revoked token again revokes the family.
 */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: User;

  @Index('refresh_tokens_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Index('refresh_tokens_family_idx')
  @Column({ type: 'uuid' })
  familyId: string;

  /** False while the session still has to enrol MFA (token limited to enrolment). */
  @Column({ type: 'boolean', default: true })
  fullAccess: boolean;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
