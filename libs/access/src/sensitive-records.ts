/**
 * Sensitive records: mental-health sessions and their cases (docs/security-model.md, "Sensitive records").
 *
 * A case marked `sensitive` is reached only by its treating clinician (the assigned reference doctor) and its
 * referring officer (who requested it). The rule itself is the `sensitive-record` restriction of the case policy
 * (policies/case.policy.ts): record checks (CASL), case lists and the doctors' queue (AccessScope SQL) all come from
 * it. Two consequences of the same rule live here, beside it:
 *
 * - what a field node holds (`NODE_SENSITIVE_EXCLUSION`, used by libs/sync node-scope.ts): a node's database is
 *   shared by the clinic's staff, so sensitive cases never go there;
 * - who is told about a sensitive case (`sensitiveAudience`, used by CasesService when it notifies).
 */

/** The record fields the rule reads. */
export interface SensitiveCaseFields {
  sensitive?: boolean;
  assignedDoctorId?: string | null;
  requestedById?: string | null;
}

/** What a field node may hold: no sensitive case (over a referral_cases alias). */
export const NODE_SENSITIVE_EXCLUSION = (alias: string) => `NOT ${alias}.sensitive`;

/** Who may be told about a sensitive case (notifications); anyone for an ordinary case. */
export function sensitiveAudience(c: SensitiveCaseFields, recipients: string[]): string[] {
  if (!c.sensitive) return recipients;
  return recipients.filter((id) => id === c.assignedDoctorId || id === c.requestedById);
}
