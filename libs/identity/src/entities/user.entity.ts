import { Check, Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Membership } from './membership.entity';

@Entity('users')
@Check('users_locale_check', `"locale" IS NULL OR "locale" IN ('en', 'fr')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; unique. */
  @Index('users_email_key', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** TOTP secret, encrypted (totp-secrets.ts); set at enrolment, confirmed when mfaEnabled becomes true. */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  mfaSecret: string | null;

  @Column({ type: 'boolean', default: false })
  mfaEnabled: boolean;

  /** Last TOTP time step accepted, so a code cannot be replayed. */
  @Column({ type: 'bigint', nullable: true, select: false })
  mfaLastStep: string | null;

  @Column({ type: 'integer', default: 0 })
  failedLoginCount: number;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** Reference doctors' specialties (codes). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  specialties: string[];

  /** Interface language the user chose ('en' or 'fr'); null follows the browser. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  locale: string | null;

  @OneToMany(() => Membership, (m) => m.user)
  memberships: Membership[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
