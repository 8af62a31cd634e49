import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The hub's change log, written by triggers in the transaction of each change to a table nodes hold
 * (migration FieldNodeSync). Nodes read it by the cursor (xid, seq), bounded by the oldest transaction still in
 * flight, so a late commit is never skipped (docs/field-node.md, "Pull").
 */
@Entity('sync_changes')
@Index('sync_changes_scope_idx', ['scope', 'xid', 'seq'])
// One entry per record and transaction (sync_log's ON CONFLICT; migration SyncLogDedup).
@Index('sync_changes_once_idx', ['scope', 'xid', 'tableName', 'recordId'], { unique: true })
export class SyncChange {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq: string;

  /** pg_current_xact_id() of the writing transaction. */
  @Column({ type: 'bigint' })
  xid: string;

  /** facility:<id>, mission:<id> or global. */
  @Column({ type: 'varchar', length: 60 })
  scope: string;

  @Column({ type: 'varchar', length: 40 })
  tableName: string;

  @Column({ type: 'varchar', length: 80 })
  recordId: string;

  /** When the entry was written: entries older than the retention that every node has pulled are pruned. */
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
