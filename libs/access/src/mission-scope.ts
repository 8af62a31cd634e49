import { Role } from '@hub/contracts';
import { Action, Grant, ROLE_GRANTS, SubjectName } from './permissions';
import { Principal } from './principal';

/**
 * The set of missions a query may touch. Every repository list method takes one as its first parameter, so a
 * query without the caller's scope does not compile.
 */
export type MissionScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'missions'; readonly missionIds: readonly string[] };

export const ALL_MISSIONS: MissionScope = Object.freeze({ kind: 'all' });

function grants(g: Grant, action: Action, subject: SubjectName): boolean {
  return (g.action === action || g.action === Action.Manage) && (g.subject === subject || g.subject === 'all');
}

/** The missions in which the caller may perform `action` on `subject`, from the same table as the ability. */
export function scopeFor(principal: Principal, action: Action, subject: SubjectName): MissionScope {
  const missionIds = new Set<string>();
  for (const m of principal.memberships) {
    for (const g of ROLE_GRANTS[m.role] ?? []) {
      if (!grants(g, action, subject)) continue;
      if (g.scope === 'all') return ALL_MISSIONS;
      if (g.scope === 'mission') m.missionIds.forEach((id) => missionIds.add(id));
    }
  }
  return { kind: 'missions', missionIds: [...missionIds] };
}

/** True when the scope reaches the mission. */
export function inScope(scope: MissionScope, missionId: string): boolean {
  return scope.kind === 'all' || scope.missionIds.includes(missionId);
}

/**
 * The missions a membership (table alias `alias`) reaches, in SQL: its own mission, else every mission its facility
 * serves; memberships in a deactivated mission reach nothing. The SQL twin of `PrincipalMembership.missionIds`.
 */
export function membershipMissionsSql(alias = 'm'): string {
  return `
  COALESCE(
    CASE WHEN ${alias}.mission_id IS NOT NULL THEN
      (SELECT array_agg(ms.id) FROM missions ms WHERE ms.id = ${alias}.mission_id AND ms.active)
    ELSE
      (SELECT array_agg(fm.mission_id) FROM facility_missions fm JOIN missions ms ON ms.id = fm.mission_id
        WHERE fm.facility_id = ${alias}.facility_id AND ms.active)
    END, '{}'::uuid[])`;
}
export const MEMBERSHIP_MISSIONS_SQL = membershipMissionsSql('m');

/** Roles whose grants (ROLE_GRANTS) allow `action` on `subject` within the missions their memberships reach. */
export function rolesGranting(action: Action, subject: SubjectName): Role[] {
  return (Object.keys(ROLE_GRANTS) as Role[]).filter((role) => ROLE_GRANTS[role].some((g) => g.scope === 'mission' && grants(g, action, subject)));
}

/**
 * The inverse of `scopeFor`, for choosing whom to tell: `(user_id, mission_id)` of every active user whose role
 * allows `action` on `subject` in one of the missions of the SQL array expression `missions`. Hub-wide grants
 * (system administrators) are left out: they are not told about every mission. Derived from the same table as the
 * ability, so a notification never goes to someone the policy would refuse.
 */
export function grantHoldersSql(action: Action, subject: SubjectName, missions: string): string {
  const roles = rolesGranting(action, subject);
  if (!roles.length) return `SELECT NULL::uuid AS user_id, NULL::uuid AS mission_id WHERE false`;
  return `SELECT DISTINCT u.id AS user_id, reach.mission_id
     FROM users u JOIN memberships m ON m.user_id = u.id
     CROSS JOIN LATERAL unnest(${MEMBERSHIP_MISSIONS_SQL}) AS reach(mission_id)
    WHERE u.active AND (m.ends_at IS NULL OR m.ends_at > now())
      AND m.role IN (${roles.map((r) => `'${r}'`).join(', ')}) AND reach.mission_id = ANY((${missions})::uuid[])`;
}

/**
 * Whether the mission is one of the caller's (any membership reaches it). Decides how a refusal reads: a record of
 * another mission answers 404 exactly like a missing one; a record of their own mission they may not act on, 403.
 */
export function isOwnMission(principal: Principal, missionId: string): boolean {
  return principal.memberships.some((m) => m.missionIds.includes(missionId));
}
