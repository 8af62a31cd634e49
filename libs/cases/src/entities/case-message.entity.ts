import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReferralCase } from './referral-case.entity';

/** `consultation_chat`: typed in a live consultation's chat (libs/consultations); `hand_over_note`: an outgoing officer's note (rotations). */
export type MessageKind = 'message' | 'information_request' | 'information_response' | 'system' | 'consultation_chat' | 'hand_over_note';

/** The case thread between the clinic and the specialist(s). */
@Entity('case_messages')
@Index('case_messages_case_idx', ['caseId', 'createdAt'])
export class CaseMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'uuid', nullable: true })
  authorId: string | null;

  @Column({ type: 'varchar', length: 24, default: 'message' })
  kind: MessageKind;

  @Column({ type: 'text' })
  body: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
