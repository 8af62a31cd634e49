import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Facility, Mission } from '@hub/identity';

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-', 'unknown'] as const;

/**
 * A deployed person. The record belongs to the mission and follows the person across its facilities (transfers are
 * kept in patient_transfers); the service number is unique within a mission.
 */
@Entity('patients')
@Index('patients_mission_service_number_key', ['missionId', 'serviceNumber'], { unique: true })
@Check('patients_sex_check', `"sex" IN ('female', 'male', 'other', 'unknown')`)
export class Patient {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Column({ type: 'varchar', length: 40 })
  serviceNumber: string;

  @Column({ type: 'varchar', length: 100 })
  firstName: string;

  @Column({ type: 'varchar', length: 100 })
  lastName: string;

  @Column({ type: 'date' })
  dateOfBirth: string;

  @Column({ type: 'varchar', length: 16 })
  sex: (typeof SEXES)[number];

  /** ISO 3166-1 alpha-3 country code. */
  @Column({ type: 'char', length: 3 })
  nationality: string;

  @Column({ type: 'varchar', length: 80 })
  contingent: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  unit: string | null;

  @Column({ type: 'varchar', length: 8, default: 'unknown' })
  bloodGroup: (typeof BLOOD_GROUPS)[number];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  allergies: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  chronicConditions: string[];

  @Index('patients_facility_idx')
  @Column({ type: 'uuid' })
  currentFacilityId: string;

  @ManyToOne(() => Facility, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'current_facility_id' })
  currentFacility?: Facility;

  @Column({ type: 'uuid' })
  createdById: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
