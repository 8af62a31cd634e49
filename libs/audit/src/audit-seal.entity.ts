import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The place of one audit record in its chain, added by the sealer: `hash` is the HMAC (keyed with the audit key,
 * kept outside the database) of the previous seal's hash and the record's content, id and sequence number. Like the
 * records, seals are append-only and the hub's role may only INSERT and SELECT them.
 */
@Entity('audit_seals')
@Index('audit_seals_chain_seq_key', ['chain', 'seq'], { unique: true })
export class AuditSeal {
  /** The sealed record (audit_entries.id); each record is sealed once. */
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_seals_entry_id' })
  entryId: string;

  @Column({ type: 'varchar', length: 64 })
  chain: string;

  /** 1, 2, 3... within the chain, in sealing order. */
  @Column({ type: 'bigint' })
  seq: string;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Index('audit_seals_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  hash: string;

  /**
   * The transaction horizon of the sealing round: every record whose transaction id lies below it had ended when
   * the round looked, so it was sealed then (or in an earlier round).
   */
  @Index('audit_seals_horizon_idx')
  @Column({ type: 'bigint' })
  horizon: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sealedAt: Date;
}
