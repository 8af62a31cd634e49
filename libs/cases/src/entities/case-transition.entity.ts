import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReferralCase } from './referral-case.entity';

/** One move of a case through its workflow: who, when, from, to, and why. */
@Entity('case_transitions')
@Index('case_transitions_case_idx', ['caseId', 'id'])
export class CaseTransition {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'varchar', length: 24, nullable: true })
  fromStatus: string | null;

  @Column({ type: 'varchar', length: 24 })
  toStatus: string;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
