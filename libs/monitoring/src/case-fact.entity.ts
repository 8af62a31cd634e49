import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One narrow, non-identifying row per case, kept by a database trigger on referral_cases (migration Monitoring):
 * the caseload dashboard reads these instead of the cases themselves. No patient field is copied here.
 */
@Entity('case_facts')
@Index('case_facts_mission_submitted_idx', ['missionId', 'submittedAt'])
@Index('case_facts_mission_answered_idx', ['missionId', 'answeredAt'])
@Index('case_facts_mission_closed_idx', ['missionId', 'closedAt'])
@Index('case_facts_facility_submitted_idx', ['facilityId', 'submittedAt'])
// Small partial indexes for the "open now" and "outcome overdue" figures (a few percent of all cases).
@Index('case_facts_open_idx', ['missionId', 'urgency', 'submittedAt'], {
  where: `"status" IN ('submitted', 'accepted', 'information_requested', 'resubmitted')`,
})
@Index('case_facts_awaiting_outcome_idx', ['missionId', 'answeredAt'], { where: `"status" = 'answered'` })
export class CaseFact {
  @PrimaryColumn({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'uuid' })
  missionId: string;

  @Column({ type: 'uuid' })
  facilityId: string;

  @Column({ type: 'varchar', length: 40 })
  specialtyCode: string;

  @Column({ type: 'varchar', length: 16 })
  urgency: string;

  @Column({ type: 'varchar', length: 24 })
  status: string;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** The answer deadline the mission's SLA gave at submission. */
  @Column({ type: 'integer', nullable: true })
  slaMinutes: number | null;

  /** Minutes from submission to acceptance and to the answer (kept by the trigger, for percentiles). */
  @Column({ type: 'double precision', nullable: true })
  acceptMinutes: number | null;

  @Column({ type: 'double precision', nullable: true })
  answerMinutes: number | null;

  /** Answered within the SLA in force at submission. */
  @Column({ type: 'boolean', nullable: true })
  answeredOnTime: boolean | null;

  /** The reference hospital of the specialist who took the case. */
  @Column({ type: 'uuid', nullable: true })
  referenceFacilityId: string | null;

  @Column({ type: 'smallint', default: 0 })
  escalationLevel: number;

  @Column({ type: 'varchar', length: 24, nullable: true })
  outcome: string | null;

  @Column({ type: 'boolean', default: false })
  evacuationRecommended: boolean;

  @Column({ type: 'boolean', default: false })
  evacuationDone: boolean;

  @Column({ type: 'boolean', default: false })
  evacuationAvoided: boolean;
}
