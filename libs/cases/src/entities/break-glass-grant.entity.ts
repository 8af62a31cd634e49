import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakGlassReviewState } from '@hub/contracts';

/**
 * Break-the-glass (docs/security-model.md): a clinician read one case of their mission outside their normal scope,
 * stating a reason, from `startedAt` until `expiresAt`. While it runs the principal resolver loads it, and the case
 * policy's `emergency-access` rule grants read on that case. The mission's health managers review it afterwards.
 */
@Entity('break_glass_grants')
@Index('break_glass_grants_user_idx', ['userId', 'expiresAt'])
@Index('break_glass_grants_mission_idx', ['missionId', 'startedAt'])
export class BreakGlassGrant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** pending, accepted or flagged (by a health manager of the mission). */
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  reviewState: BreakGlassReviewState;

  @Column({ type: 'uuid', nullable: true })
  reviewedById: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  reviewNote: string | null;
}
