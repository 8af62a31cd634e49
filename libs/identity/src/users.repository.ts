import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MissionScope } from '@hub/access';
import { Role, UserView } from '@hub/contracts';
import { MEMBERSHIP_MISSIONS_SQL } from './principal.resolver';

interface Row {
  id: string;
  email: string;
  display_name: string;
  active: boolean;
  mfa_enabled: boolean;
  specialties: string[];
  memberships: {
    id: string;
    role: Role;
    missionId: string | null;
    missionCode: string | null;
    facilityId: string | null;
    facilityName: string | null;
    startsAt: string | null;
    endsAt: string | null;
    missionIds: string[];
  }[];
}

/** A user with the missions their memberships reach (the field access rules test). */
export type ScopedUser = UserView & { missionIds: string[] };

const SELECT = `
  SELECT u.id, u.email, u.display_name, u.active, u.mfa_enabled, u.specialties,
    COALESCE((SELECT json_agg(json_build_object(
        'id', m.id, 'role', m.role, 'missionId', m.mission_id, 'missionCode', ms.code,
        'facilityId', m.facility_id, 'facilityName', f.name,
        'startsAt', to_char(m.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'endsAt', to_char(m.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'missionIds', ${MEMBERSHIP_MISSIONS_SQL}) ORDER BY m.created_at)
      FROM memberships m LEFT JOIN missions ms ON ms.id = m.mission_id LEFT JOIN facilities f ON f.id = m.facility_id
      WHERE m.user_id = u.id), '[]') AS memberships
  FROM users u`;

function toView(r: Row): ScopedUser {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    active: r.active,
    mfaEnabled: r.mfa_enabled,
    specialties: r.specialties,
    memberships: r.memberships.map(({ missionIds: _m, ...m }) => m),
    missionIds: [...new Set(r.memberships.flatMap((m) => m.missionIds))],
  };
}

export interface UserListFilter {
  missionId?: string;
  q?: string;
}

/** The SQL of the scoped user list (exported so the API benchmark's raw-pg baseline runs the very same query). */
export function usersListQuery(scope: MissionScope, filter: UserListFilter = {}): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  // Users with a membership reaching one of the missions: directly (memberships_mission_idx) or through a facility
  // that serves it. The same rule as MEMBERSHIP_MISSIONS_SQL, written so that indexes serve it.
  const reaches = (p: string) =>
    `u.id IN (SELECT m.user_id FROM memberships m JOIN missions ms ON ms.id = m.mission_id AND ms.active
               WHERE m.mission_id = ANY(${p}::uuid[])
              UNION
              SELECT m.user_id FROM memberships m
                JOIN facility_missions fm ON fm.facility_id = m.facility_id
                JOIN missions ms ON ms.id = fm.mission_id AND ms.active
               WHERE m.mission_id IS NULL AND fm.mission_id = ANY(${p}::uuid[]))`;
  if (scope.kind === 'missions') {
    params.push(scope.missionIds);
    where.push(reaches(`$${params.length}`));
  }
  if (filter.missionId) {
    params.push([filter.missionId]);
    where.push(reaches(`$${params.length}`));
  }
  if (filter.q) {
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(u.email ILIKE $${params.length} OR u.display_name ILIKE $${params.length})`);
  }
  return {
    text: `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.display_name, u.id LIMIT 500`,
    params,
  };
}

@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Users holding a membership that reaches a mission in scope. */
  async list(scope: MissionScope, filter: UserListFilter = {}): Promise<ScopedUser[]> {
    const { text, params } = usersListQuery(scope, filter);
    const rows: Row[] = await this.dataSource.query(text, params);
    return rows.map(toView);
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<ScopedUser | null> {
    const rows: Row[] = await manager.query(`${SELECT} WHERE u.id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }
}
