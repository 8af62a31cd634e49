import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Patient, ReferralCase } from '@hub/cases';
import { ConsultationSession } from '@hub/consultations';
import { Mission, User } from '@hub/identity';
import { AvailabilitySlot } from './availability-slot.entity';

/**
 * A booked slot: one per slot (the unique slot id is what makes a second booking a 409). The session's case is a
 * sensitive case (libs/access sensitive-records.ts) assigned to the clinician and requested by the booking officer;
 * the call is a scheduled consultation session on that case, audio-only by default. A member of staff booking for
 * themselves (where the mission allows it) has no case and no patient record: the session is theirs by a named
 * invitation, and only they and the clinician see the booking.
 */
@Entity('mental_health_bookings')
@Check('mental_health_bookings_subject_check', `("for_self" AND "case_id" IS NULL AND "patient_id" IS NULL) OR (NOT "for_self" AND "case_id" IS NOT NULL AND "patient_id" IS NOT NULL)`)
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

  @Column({ type: 'uuid', nullable: true })
  caseId: string | null;

  @ManyToOne(() => ReferralCase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  referralCase?: ReferralCase;

  @Column({ type: 'uuid', nullable: true })
  patientId: string | null;

  /** Booked by a member of staff for themselves (no case, no patient record). */
  @Column({ type: 'boolean', default: false })
  forSelf: boolean;

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
