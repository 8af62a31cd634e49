import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Facility, User } from '@hub/identity';

/**
 * A time a psychologist or psychiatrist (a reference doctor with the mental_health specialty) offers for a session,
 * at the reference hospital where they work. Stored in UTC; shown in each viewer's zone.
 */
@Entity('mental_health_slots')
@Index('mental_health_slots_clinician_start', ['clinicianId', 'startsAt'], { unique: true })
@Index('mental_health_slots_facility_start', ['facilityId', 'startsAt'])
@Check('mental_health_slots_span_check', '"ends_at" > "starts_at"')
export class AvailabilitySlot {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  clinicianId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'clinician_id' })
  clinician?: User;

  @Column({ type: 'uuid' })
  facilityId: string;

  @ManyToOne(() => Facility, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'facility_id' })
  facility?: Facility;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
