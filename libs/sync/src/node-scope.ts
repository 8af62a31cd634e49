import { NODE_SENSITIVE_EXCLUSION } from '@hub/access';
import { PulledTable } from '@hub/contracts';

/**
 * What a node may hold, per table: its key expression and the predicate (over alias `t`, with $1 = the node's
 * facility, $2 = its mission) that a row must meet to be sent. The snapshot and every pull use the same
 * predicates, so a row that leaves the node's scope is sent as deleted (docs/field-node.md, "What a node holds").
 */
export const NODE_SCOPE: Record<PulledTable, { key: string; where: string }> = {
  missions: { key: 't.id::text', where: 't.id = $2' },
  facilities: { key: 't.id::text', where: 't.id IN (SELECT facility_id FROM facility_missions WHERE mission_id = $2)' },
  facility_missions: { key: "t.facility_id::text || ':' || t.mission_id::text", where: 't.mission_id = $2' },
  specialties: { key: 't.code', where: 'true' },
  training_courses: { key: 't.id::text', where: '(t.mission_id = $2 OR t.mission_id IS NULL)' },
  users: { key: 't.id::text', where: 't.id IN (SELECT user_id FROM memberships WHERE facility_id = $1)' },
  memberships: { key: 't.id::text', where: 't.facility_id = $1' },
  training_certificates: { key: 't.id::text', where: 't.user_id IN (SELECT user_id FROM memberships WHERE facility_id = $1)' },
  training_waivers: { key: 't.id::text', where: 't.user_id IN (SELECT user_id FROM memberships WHERE facility_id = $1)' },
  patients: { key: 't.id::text', where: 't.current_facility_id = $1' },
  // Sensitive (mental-health) cases never go to a node: its database is shared by the clinic's staff.
  referral_cases: { key: 't.id::text', where: `t.facility_id = $1 AND ${NODE_SENSITIVE_EXCLUSION('t')}` },
  case_transitions: { key: 't.id::text', where: `t.case_id IN (SELECT r.id FROM referral_cases r WHERE r.facility_id = $1 AND ${NODE_SENSITIVE_EXCLUSION('r')})` },
  case_messages: { key: 't.id::text', where: `t.case_id IN (SELECT r.id FROM referral_cases r WHERE r.facility_id = $1 AND ${NODE_SENSITIVE_EXCLUSION('r')})` },
  case_attachments: { key: 't.id::text', where: `t.case_id IN (SELECT r.id FROM referral_cases r WHERE r.facility_id = $1 AND ${NODE_SENSITIVE_EXCLUSION('r')}) AND t.status <> 'rejected'` },
};

/** The change-log scopes a node reads. */
export function scopesOf(node: { facilityId: string; missionId: string }): string[] {
  return [`facility:${node.facilityId}`, `mission:${node.missionId}`, 'global'];
}
