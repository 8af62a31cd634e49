import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A UN field mission (e.g. MINUSCA). The tenant boundary: no mission sees another's data. */
@Entity('missions')
// An emergency answer must fit the UN 10-1-2 casualty timeline: damage-control resuscitation within the hour.
@Check('missions_sla_check', '"sla_emergency_minutes" BETWEEN 5 AND 60 AND "sla_urgent_minutes" BETWEEN 60 AND 2880 AND "sla_routine_minutes" BETWEEN 60 AND 20160')
export class Mission {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** IANA time zone of the mission area (e.g. Africa/Bangui): times are stored in UTC and shown in this zone. */
  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timeZone: string;

  /** Staff of the mission may book mental-health sessions for themselves (not only officers for patients). */
  @Column({ type: 'boolean', default: false })
  staffSelfBooking: boolean;

  /** When true every member must use TOTP, not only administrators. */
  @Column({ type: 'boolean', default: false })
  mfaRequiredForAll: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Answer deadlines per urgency, in minutes. */
  @Column({ type: 'integer', default: 60 })
  slaEmergencyMinutes: number;

  @Column({ type: 'integer', default: 1440 })
  slaUrgentMinutes: number;

  @Column({ type: 'integer', default: 4320 })
  slaRoutineMinutes: number;

  /** Hours after the answer when a missing outcome report is chased. */
  @Column({ type: 'integer', default: 72 })
  outcomeReminderHours: number;

  /** A Level 1 clinic with no case for this many days is flagged as dormant on the dashboard. */
  @Column({ type: 'integer', default: 14 })
  dormantSiteDays: number;

  /** Alert health managers when more than this share (%) of last week's answers missed their deadline. */
  @Column({ type: 'integer', default: 20 })
  slaBreachAlertPercent: number;

  /** How long a break-the-glass grant lasts in this mission (minutes; 2 h by default). */
  @Column({ type: 'integer', default: 120 })
  breakGlassMinutes: number;
  /** Alert health managers when a field node of the mission has not reached the hub for this many hours (null: FIELD_NODE_SILENT_HOURS). */
  @Column({ type: 'integer', nullable: true })
  fieldNodeSilentHours: number | null;
  /** Days a recording of a live consultation is kept on its case before it is deleted (0: at the next sweep). */
  @Column({ type: 'integer', default: 30 })
  recordingRetentionDays: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
