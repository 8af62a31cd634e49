import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '@hub/identity';

/** A notification kept for a user (shown in the app, pushed live over socket.io when they are connected). */
@Entity('notifications')
@Index('notifications_user_idx', ['userId', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid', nullable: true })
  caseId: string | null;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  /** English text, for clients that do not translate (and rows older than `code`). */
  @Column({ type: 'varchar', length: 300 })
  text: string;

  /** What happened, as a catalogue key the reader's app translates ('case.answered', 'case.cancelled'…). */
  @Column({ type: 'varchar', length: 60, nullable: true })
  code: string | null;

  /** Values of the sentence (case reference, names, dates); no patient data. */
  @Column({ type: 'jsonb', nullable: true })
  params: Record<string, string | number> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  readAt: Date | null;
}
