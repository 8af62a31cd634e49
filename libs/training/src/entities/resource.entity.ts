import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ResourceKind, TrainingLanguage } from '@hub/contracts';
import { Mission } from '@hub/identity';

/**
 * A document of the resource centre (guide, SOP, quick-reference card). `search` is a tsvector kept by a trigger
 * (weights: title A, tags and summary B, body C) with the text search configuration of the document's language;
 * it has a GIN index.
 */
@Entity('training_resources')
@Index('training_resources_search_idx', ['search'], { type: 'gin' })
@Index('training_resources_mission_idx', ['missionId', 'language'])
@Check('training_resources_language_check', `"language" IN ('en', 'fr')`)
@Check('training_resources_kind_check', `"kind" IN ('guide', 'sop', 'quick_reference')`)
export class Resource {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  missionId: string | null;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission | null;

  @Column({ type: 'varchar', length: 24 })
  kind: ResourceKind;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  summary: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 2 })
  language: TrainingLanguage;

  @Column({ type: 'varchar', array: true, default: '{}' })
  tags: string[];

  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  search?: string;

  @Column({ type: 'uuid', nullable: true })
  updatedById: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
