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
