import { Role } from '@hub/contracts';
import { Action } from '../permissions';
import type { Principal } from '../principal';
import { derivedRules, parentColumns, parentFieldsOf } from '../policy/derive';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';
import { CasePolicy, CaseRule } from './case.policy';

/**
 * Names of the consultation policy's rules (docs/security-model.md cites them). Actions on a session:
 * - create: start a call about a case, or schedule a session without one;
 * - read: see it (its page, "my consultations");
 * - join: take part (join the call, be admitted, TURN credentials, stay in the call);
 * - update: run it (admit, decline, invite, revoke an invitation, end): the host only.
 * The records of a case's sessions are part of the case: they are listed under the case's read rules (the case
 * policy), so a health manager reads them on the case without seeing the live session.
 */
export const ConsultationRule = {
  /** The doctor hosting the session: read, join, run it. */
  Host: 'host',
  /**
   * The case's clinic side: whoever may refer the case (the case policy's refer rules, restrictions included):
   * start a call about it, see and join it.
   */
  CaseClinic: 'case-clinic',
  /** The case's treating specialist: the case policy's `assigned-doctor` rule for consult (certified there). */
  CaseSpecialist: 'case-specialist',
  /** A reference doctor of the mission schedules a session without a case (a follow-up), which they host. */
  MissionDoctor: 'mission-doctor',
  /** Let in by an invitation the host has not revoked (a used invitation is no right for good). */
  InvitedParticipant: 'invited-participant',
  /** Named by an unrevoked, unexpired invitation. */
  InvitedUser: 'invited-user',
  /** Anyone with a place in the session (even declined, or whose right has gone): read only. */
  Participant: 'participant',
} as const;

/** "My consultations": the sessions I host, have a place in, or am invited to by name. */
export const MY_CONSULTATIONS: readonly string[] = [ConsultationRule.Host, ConsultationRule.Participant, ConsultationRule.InvitedUser];

/** The case joined to a session (over the session's alias), for the case fields the derived rules read. */
const caseOf = (alias: string) => `${alias}_case`;

/**
 * Who may see, join and run a live consultation. The CASL ability (record checks: `ConsultationsService`, the
 * signalling gateway) and every session list (`ConsultationsRepository`, through `AccessScope<'Consultation'>`) are
 * built from these rules. A session record carries its case's condition fields (`caseFacilityId`, `caseSensitive`,
 * ...: `case` + the case policy's field) and the users its participants and invitations name, so the rules derived
 * from the case policy and those on invitations compile alike to CASL and SQL.
 */
export const ConsultationPolicy: SubjectPolicy & { subject: 'Consultation' } = {
  subject: 'Consultation',
  columns: {
    ...parentColumns(CasePolicy, 'case', caseOf),
    id: 'id',
    missionId: 'mission_id',
    caseId: 'case_id',
    hostId: 'host_id',
    participantIds: { array: (a) => `ARRAY(SELECT ${a}_p.user_id FROM consultation_participants ${a}_p WHERE ${a}_p.session_id = ${a}.id)` },
    invitedParticipantIds: {
      array: (a) => `ARRAY(SELECT ${a}_p.user_id FROM consultation_participants ${a}_p JOIN consultation_invitations ${a}_i ON ${a}_i.id = ${a}_p.invitation_id
        WHERE ${a}_p.session_id = ${a}.id AND ${a}_i.revoked_at IS NULL)`,
    },
    invitedUserIds: {
      array: (a) => `ARRAY(SELECT ${a}_i.invited_user_id FROM consultation_invitations ${a}_i
        WHERE ${a}_i.session_id = ${a}.id AND ${a}_i.invited_user_id IS NOT NULL AND ${a}_i.revoked_at IS NULL AND ${a}_i.expires_at > now())`,
    },
  },
  joins: (a) => `LEFT JOIN referral_cases ${caseOf(a)} ON ${caseOf(a)}.id = ${a}.case_id`,
  rules(principal: Principal): PolicyRule[] {
    const me = principal.userId;
    const aboutACase = { caseId: { $ne: null } };
    const onCase = [Action.Create, Action.Read, Action.Join];
    const doctorMissions = [...new Set(principal.memberships.filter((m) => m.role === Role.ReferenceDoctor).flatMap((m) => m.missionIds))];
    return [
      { name: ConsultationRule.Host, actions: [Action.Read, Action.Join, Action.Update], conditions: { hostId: me } },
      ...derivedRules(CasePolicy, 'case', principal, { from: Action.Refer, name: ConsultationRule.CaseClinic, actions: onCase, and: aboutACase }),
      ...derivedRules(CasePolicy, 'case', principal, {
        from: Action.Consult,
        only: [CaseRule.AssignedDoctor],
        name: ConsultationRule.CaseSpecialist,
        actions: onCase,
        and: aboutACase,
      }),
      { name: ConsultationRule.MissionDoctor, actions: [Action.Create], conditions: { caseId: null, hostId: me, missionId: { $in: doctorMissions } } },
      { name: ConsultationRule.InvitedParticipant, actions: [Action.Read, Action.Join], conditions: { invitedParticipantIds: me } },
      { name: ConsultationRule.InvitedUser, actions: [Action.Read, Action.Join], conditions: { invitedUserIds: me } },
      { name: ConsultationRule.Participant, actions: [Action.Read], conditions: { participantIds: me } },
    ];
  },
};

/** The caller's reach on consultation sessions, for the consultations repository. */
export const consultationScopeOf = (principal: Principal): AccessScope<'Consultation'> => AccessScope.of(ConsultationPolicy, principal);

/** A session's condition fields as the policy reads them, built in code (tests; a session not yet stored). */
export interface ConsultationAccessFields {
  /** Null for a session about to be created. */
  id: string | null;
  missionId: string;
  caseId: string | null;
  hostId: string;
  participantIds: string[];
  invitedParticipantIds: string[];
  invitedUserIds: string[];
}

export function consultationRecordOf(s: ConsultationAccessFields, c: Record<string, unknown> | null): Record<string, unknown> {
  return { ...parentFieldsOf(CasePolicy, 'case', c), ...s };
}
