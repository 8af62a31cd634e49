import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Patient, ReferralCase } from '@hub/cases';
import { ConsultationSession } from '@hub/consultations';
import { Mission, User } from '@hub/identity';
import { AvailabilitySlot } from './availability-slot.entity';

/**
 * A booked slot: one per slot (the unique slot id is what makes a second booking a 409). The session's case is a
 * sensitive case (libs/access sensitive-records.ts) assigned to the clinician and requested by the booking officer;
 * the call is a scheduled consultation session on that case, audio-only by default.
 */
@Entity('mental_health_bookings')
@Index('mental_health_bookings_mission_idx', ['missionId', 'createdAt'])
export class MentalHealthBooking {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('mental_health_bookings_slot_unique', { unique: true })
  @Column({ type: 'uuid' })
  slotId: string;

  @ManyToOne(() => AvailabilitySlot, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'slot_id' })
  slot?: AvailabilitySlot;

  @Column({ type: 'uuid' })
  missionId: string;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mission_id' })
  mission?: Mission;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => ReferralCase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'uuid' })
  patientId: string;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: Patient;

  @Column({ type: 'uuid' })
  clinicianId: string;

  @Column({ type: 'uuid' })
  bookedById: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'booked_by_id' })
  bookedBy?: User;

  @Column({ type: 'uuid' })
  consultationSessionId: string;

  @ManyToOne(() => ConsultationSession, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consultation_session_id' })
  consultationSession?: ConsultationSession;

  /** The patient agreed that chat in the call is kept in the case thread. */
  @Column({ type: 'boolean' })
  chatConsent: boolean;

  /** When the reminder before the session went out (once; the sweep claims it atomically). */
  @Column({ type: 'timestamptz', nullable: true })
  reminderSentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
