import { Role } from '@hub/contracts';
import { Action, ROLE_GRANTS, SubjectName } from '../permissions';
import type { Principal } from '../principal';
import type { PolicyRule } from './subject-policy';

/**
 * The name of the rule a role's grants become in a per-subject policy. Clinical roles share one name: on the
 * subjects that use these rules (training, field nodes) they hold the same grants.
 */
export const ROLE_RULE: Record<Role, string> = {
  [Role.SystemAdmin]: 'system-admin',
  [Role.MissionAdmin]: 'admin-of-mission',
  [Role.HealthManager]: 'manager-of-mission',
  [Role.Trainer]: 'trainer-of-mission',
  [Role.ReferenceDoctor]: 'member-of-mission',
  [Role.FieldMedicalOfficer]: 'member-of-mission',
};

/**
 * The role grants (`ROLE_GRANTS`, still the one table of who may do what where) on `subject`, as named policy rules:
 * one rule per role name, whose actions are the role's grants on the subject and whose condition is
 * `{ [field]: { $in: <missions of the caller's memberships in that role> } }`; a hub-wide grant (system
 * administrators) is a rule without condition. So a policy built on them compiles to CASL and SQL like any other.
 */
export function roleRules(principal: Principal, subject: SubjectName, field = 'missionId'): PolicyRule[] {
  const byName = new Map<string, { actions: Set<Action>; missions: Set<string>; all: boolean }>();
  for (const m of principal.memberships) {
    const grants = (ROLE_GRANTS[m.role] ?? []).filter((g) => g.subject === subject || g.subject === 'all');
    for (const g of grants) {
      if (g.scope === 'self') continue;
      const name = g.scope === 'all' ? ROLE_RULE[Role.SystemAdmin] : ROLE_RULE[m.role];
      let entry = byName.get(name);
      if (!entry) byName.set(name, (entry = { actions: new Set(), missions: new Set(), all: g.scope === 'all' }));
      entry.actions.add(g.action);
      if (g.scope === 'mission') m.missionIds.forEach((id) => entry!.missions.add(id));
    }
  }
  return [...byName].map(([name, e]) => ({
    name,
    actions: [...e.actions],
    conditions: e.all ? {} : { [field]: { $in: [...e.missions].sort() } },
  }));
}
