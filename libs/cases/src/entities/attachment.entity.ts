import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReferralCase } from './referral-case.entity';

export type AttachmentStatus = 'uploading' | 'ready' | 'rejected';

/** A file of a case (photo, ECG, X-ray, document), uploaded with tus and checked when complete. */
@Entity('case_attachments')
export class CaseAttachment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('case_attachments_case_idx')
  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'uuid', nullable: true })
  messageId: string | null;

  /** The tus upload id (also the file's name in storage). */
  @Index('case_attachments_upload_key', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  uploadId: string;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  /** Detected from the content, not the name. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  mediaType: string | null;

  @Column({ type: 'bigint' })
  size: string;

  /** SHA-256 the client declared; checked against the stored bytes at completion. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'varchar', length: 16, default: 'uploading' })
  status: AttachmentStatus;

  @Column({ type: 'varchar', length: 300, nullable: true })
  rejectionReason: string | null;

  @Column({ type: 'boolean', default: false })
  hasThumbnail: boolean;

  /** Bytes received so far of a file a field node is sending (null for browser uploads): "photo arriving (42 %)". */
  @Column({ type: 'bigint', nullable: true })
  receivedBytes: string | null;

  @Column({ type: 'uuid' })
  uploadedById: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
