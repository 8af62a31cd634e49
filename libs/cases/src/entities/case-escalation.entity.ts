import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReferralCase } from './referral-case.entity';

/** An SLA escalation of a case; unique per level, so a level is reached once even across restarts. */
@Entity('case_escalations')
@Index('case_escalations_case_level_key', ['caseId', 'level'], { unique: true })
export class CaseEscalation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'smallint' })
  level: number;

  @Column({ type: 'varchar', length: 300 })
  reason: string;

  @CreateDateColumn({ type: 'timestamptz' })
  escalatedAt: Date;
}
