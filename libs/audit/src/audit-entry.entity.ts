import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/**
 * Append-only audit record, written in the transaction of the change it records, without any lock. The sealer
 * (audit-sealer.ts) later chains it into its mission's keyed hash chain (records without a mission form the global
 * chain) by adding an AuditSeal. The database refuses UPDATE, DELETE and TRUNCATE on this table, and the hub's own
 * role may only INSERT and SELECT it (see the migrations).
 */
@Entity('audit_entries')
@Index('audit_entries_chain_idx', ['chain', 'id'])
@Index('audit_entries_xid_idx', ['xid', 'id'])
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

  /**
   * The writing transaction's id (64-bit, never wraps), set by the database. The sealer only seals records whose
   * transaction ended before its snapshot's xmin, so a transaction that commits late cannot land behind the seal.
   */
  @Column({ type: 'bigint', default: () => 'audit_current_xid()', insert: false, update: false })
  xid: string;
}
