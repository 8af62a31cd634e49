import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '@hub/contracts';
import { Facility } from './facility.entity';
import { Mission } from './mission.entity';
import { User } from './user.entity';

/**
 * A user's role in a mission and/or at a facility. A facility membership without a mission (staff of a Level 4
 * hospital) reaches every mission the facility serves. A system administrator's membership has neither.
 */
@Entity('memberships')
@Check('memberships_dates_check', `"ends_at" IS NULL OR "starts_at" IS NULL OR "ends_at" > "starts_at"`)
@Index('memberships_unique', ['userId', 'role', 'missionId', 'facilityId'], { unique: true })
@Check(
  'memberships_scope_check',
  `("role" = 'system_admin' AND "mission_id" IS NULL AND "facility_id" IS NULL) OR ("role" <> 'system_admin' AND ("mission_id" IS NOT NULL OR "facility_id" IS NOT NULL))`,
)
export class Membership {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('memberships_user_idx')
  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, (u) => u.memberships, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: User;

  @Column({ type: 'enum', enum: Role, enumName: 'role' })
  role: Role;

  @Index('memberships_mission_idx')
  @Column({ type: 'uuid', nullable: true })
  missionId: string | null;

  @ManyToOne(() => Mission, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'mission_id' })
  mission: Mission | null;

  @Column({ type: 'uuid', nullable: true })
  facilityId: string | null;

  @ManyToOne(() => Facility, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'facility_id' })
  facility: Facility | null;

  /** A rotation's start: no rights before it (null: at once). */
  @Column({ type: 'timestamptz', nullable: true })
  startsAt: Date | null;

  /** A rotation's end: the membership's rights end by themselves at this instant (null: open-ended). */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** When the end-of-rotation sweep told the managers what the holder left unassigned (once). */
  @Column({ type: 'timestamptz', nullable: true })
  endHandledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
