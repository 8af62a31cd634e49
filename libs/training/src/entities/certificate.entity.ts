import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CertificationKind } from '@hub/contracts';
import { Mission, User } from '@hub/identity';
import { Course } from './course.entity';

/**
 * A certificate earned on a certification course. Valid until `expiresAt` unless revoked, whatever its issue time
 * (certification-state.ts); a recertification issues a new one. The course title is kept as issued (the course may be renamed later).
 */
@Entity('training_certificates')
@Index('training_certificates_user_idx', ['userId', 'kind', 'expiresAt'])
@Check('training_certificates_kind_check', `"kind" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer')`)
@Check('training_certificates_dates_check', `"expires_at" > "issued_at"`)
export class Certificate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  courseId: string;

  @ManyToOne(() => Course, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id' })
  course?: Course;

  @Column({ type: 'integer' })
  courseVersion: number;

  @Column({ type: 'varchar', length: 200 })
  courseTitle: string;

  @Column({ type: 'varchar', length: 40 })
  kind: CertificationKind;

  /** Public verification code (unique, unguessable). */
  @Index('training_certificates_code_key', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'timestamptz' })
  issuedAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedById: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  revocationReason: string | null;

  /** Set once the 30-day expiry warning went out, so it goes out once. */
  @Column({ type: 'timestamptz', nullable: true })
  expiryWarnedAt: Date | null;
}

/** A time-limited exemption from a certification, granted by an administrator with a reason. */
@Entity('training_waivers')
@Index('training_waivers_user_idx', ['userId', 'kind', 'expiresAt'])
@Check('training_waivers_kind_check', `"kind" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer')`)
@Check('training_waivers_dates_check', `"expires_at" > "starts_at"`)
export class CertificationWaiver {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Column({ type: 'varchar', length: 40 })
  kind: CertificationKind;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'uuid' })
  grantedById: string;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  revocationReason: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
