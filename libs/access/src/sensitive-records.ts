import type { AbilityBuilder } from '@casl/ability';
import type { AppAbility } from './ability.factory';
import { Action } from './permissions';
import { Principal } from './principal';

/**
 * Sensitive records: mental-health sessions and their cases (docs/security-model.md, "Sensitive records").
 *
 * A case marked `sensitive` is reached only by its treating clinician (the assigned reference doctor) and its
 * referring officer (who requested it) — not by the clinic's other staff, not by other doctors of the specialty,
 * not by the mission's health managers (whose dashboard still counts it: case_facts carry no identity), never by
 * administrators. This file is the one rule; it is applied in three places that must agree:
 *
 * - the CASL ability (`sensitiveCaseRules`, called last in AbilityFactory.clinicalRules): single records, the FHIR
 *   export, attachments, consultations about the case (who may join), anything that checks a loaded case;
 * - the SQL of every case list (`sensitiveCaseSql`, used by CasesRepository.mine and .queue);
 * - what a field node holds (`NODE_SENSITIVE_EXCLUSION`, used by libs/sync node-scope.ts): a node's database is
 *   shared by the clinic's staff, so sensitive cases never go there.
 * Notifications about a sensitive case go only to `sensitiveAudience` (CasesService.flush).
 */

/** The record fields the rule reads. */
export interface SensitiveCaseFields {
  sensitive?: boolean;
  assignedDoctorId?: string | null;
  requestedById?: string | null;
}

/** Every action on a sensitive case is refused to anyone but its two people (added after all `can` rules). */
export function sensitiveCaseRules(principal: Pick<Principal, 'userId'>, cannot: AbilityBuilder<AppAbility>['cannot']): void {
  cannot([Action.Read, Action.Refer, Action.Consult, Action.Update, Action.Delete], 'Case', {
    sensitive: true,
    assignedDoctorId: { $ne: principal.userId },
    requestedById: { $ne: principal.userId },
  });
}

/**
 * The same rule as SQL over a referral_cases alias: `userParam` is the placeholder holding the caller's user id
 * (e.g. `$2`). AND it into every query that lists cases for a person.
 */
export function sensitiveCaseSql(alias: string, userParam: string): string {
  return `(NOT ${alias}.sensitive OR ${alias}.assigned_doctor_id = ${userParam} OR ${alias}.requested_by_id = ${userParam})`;
}

/** What a field node may hold: no sensitive case (over a referral_cases alias). */
export const NODE_SENSITIVE_EXCLUSION = (alias: string) => `NOT ${alias}.sensitive`;

/** Who may be told about a sensitive case (notifications); anyone for an ordinary case. */
export function sensitiveAudience(c: SensitiveCaseFields, recipients: string[]): string[] {
  if (!c.sensitive) return recipients;
  return recipients.filter((id) => id === c.assignedDoctorId || id === c.requestedById);
}

/** True when the user is one of the two people a sensitive case is visible to (or the case is not sensitive). */
export function mayReachSensitive(c: SensitiveCaseFields, userId: string): boolean {
  return !c.sensitive || c.assignedDoctorId === userId || c.requestedById === userId;
}
