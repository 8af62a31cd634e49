import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { FieldNode } from './field-node.entity';

/** One operation pushed by a node, kept forever so a replay is recognised: the exactly-once ledger. */
@Entity('sync_operations')
@Index('sync_operations_node_idx', ['nodeId', 'receivedAt'])
export class SyncOperationRecord {
  /** The node's UUIDv7 operation id. */
  @PrimaryColumn({ type: 'uuid' })
  opId: string;

  @Column({ type: 'uuid' })
  nodeId: string;

  @ManyToOne(() => FieldNode, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_id' })
  node?: FieldNode;

  @Column({ type: 'varchar', length: 40 })
  tableName: string;

  @Column({ type: 'uuid' })
  recordId: string;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  /** When the change was made on the node. */
  @Column({ type: 'timestamptz' })
  madeAt: Date;

  @Column({ type: 'varchar', length: 16 })
  result: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  reason: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt: Date;
}
