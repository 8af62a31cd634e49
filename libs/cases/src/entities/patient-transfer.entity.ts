import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Patient } from './patient.entity';

/** One move of a patient between facilities of the mission (rotation, evacuation, transfer). */
@Entity('patient_transfers')
export class PatientTransfer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('patient_transfers_patient_idx')
  @Column({ type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id' })
  patient?: Patient;

  @Column({ type: 'uuid' })
  fromFacilityId: string;

  @Column({ type: 'uuid' })
  toFacilityId: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'uuid' })
  transferredById: string;

  @CreateDateColumn({ type: 'timestamptz' })
  transferredAt: Date;
}
