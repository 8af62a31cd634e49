import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/**
 * Append-only audit record. Records of one mission form a SHA-256 hash chain (records without a mission form the
 * global chain). The database refuses UPDATE, DELETE and TRUNCATE on this table (see the initial migration).
 */
@Entity('audit_entries')
@Index('audit_entries_chain_idx', ['chain', 'id'])
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** The mission id, or 'global' for events that belong to no mission (e.g. a failed login for an unknown email). */
  @Column({ type: 'varchar', length: 64 })
  chain: string;

  @Column({ type: 'uuid', nullable: true })
  missionId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 80 })
  action: string;

  @Column({ type: 'varchar', length: 80, nullable: true })
  subjectType: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  subjectId: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  @Column({ type: 'varchar', length: 80, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** Non-identifying context (never patient data or secrets). */
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Index('audit_entries_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  hash: string;
}
