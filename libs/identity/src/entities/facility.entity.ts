import { Check, Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Mission } from './mission.entity';

/**
 * A clinic or hospital. Levels 1-3 sit inside one mission; a Level 4 reference hospital (outside the mission area)
 * may serve several missions.
 */
@Entity('facilities')
@Check('facilities_level_check', '"level" BETWEEN 1 AND 4')
export class Facility {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'smallint' })
  level: 1 | 2 | 3 | 4;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /**
   * IANA time zone of the facility, when it differs from its mission's or serves several missions (a Level 4
   * hospital abroad, e.g. Africa/Nairobi). Null: the mission's zone.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone: string | null;

  @ManyToMany(() => Mission, { eager: false })
  @JoinTable({
    name: 'facility_missions',
    joinColumn: { name: 'facility_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'mission_id', referencedColumnName: 'id' },
  })
  missions: Mission[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
