import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Facility, Mission } from '@hub/identity';

/**
 * A Level 1 clinic's server, registered by a mission administrator for one facility (docs/field-node.md). The hub
 * keeps only SHA-256 hashes of the one-time enrolment code and of the node's credential.
 */
@Entity('field_nodes')
@Index('field_nodes_facility_idx', ['facilityId'])
export class FieldNode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Column({ type: 'uuid' })
  facilityId: string;

  @ManyToOne(() => Facility, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'facility_id' })
  facility?: Facility;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** Null once used. */
  @Index('field_nodes_enrolment_code_key', { unique: true })
  @Column({ type: 'char', length: 64, nullable: true })
  enrolmentCodeHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  enrolmentExpiresAt: Date | null;

  @Index('field_nodes_credential_key', { unique: true })
  @Column({ type: 'char', length: 64, nullable: true })
  credentialHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  enrolledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastContactAt: Date | null;

  /** Outbox rows the node reported waiting at its last push. */
  @Column({ type: 'integer', nullable: true })
  backlog: number | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  version: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
