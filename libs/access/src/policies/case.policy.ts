import { subject as asSubject } from '@casl/ability';
import type { AppAbility } from '../ability.factory';
import { certifiedMissions } from '../certification';
import { clinicalScopeOf } from '../clinical-scope';
import { Action } from '../permissions';
import type { EmergencyGrant, Principal } from '../principal';
import { Conditions, FieldCondition } from '../policy/conditions';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';

/** Names of the case policy's rules: lists pick rules by these, and docs/security-model.md cites them. */
export const CaseRule = {
  /** Matches nothing: anyone may ask for a case and gets only what another rule reaches ("not found" otherwise). */
  AnyoneAsks: 'anyone-asks',
  /** Clinic staff (field medical officers): the cases of their facilities; refer them with a telemedicine_user certification. */
  Clinic: 'clinic',
  /** Reference doctors at a Level 2-3 hospital: submitted cases of their specialties from the missions it serves. */
  PrimarySpecialist: 'primary-specialist',
  /** Reference doctors at a Level 4 (backup) hospital: the same, once the case is escalated. */
  BackupSpecialist: 'backup-specialist',
  /** The doctor a case is assigned to, wherever it came from. */
  AssignedDoctor: 'assigned-doctor',
  /** Mission health managers: read every case of their missions. */
  HealthManager: 'health-manager',
  /**
   * Break-the-glass: a clinician (field medical officer, reference doctor) who stated a reason reads one case of a
   * mission where they are a clinician, outside their normal scope, until the grant ends (`EmergencyGrant`, loaded
   * per request with the principal). Read only; never another mission's case; `sensitive-record` still applies.
   */
  EmergencyAccess: 'emergency-access',
  /**
   * Restriction: a sensitive case (mental health) is reached only by its treating clinician (the assigned doctor)
   * and its referring officer; not by the clinic's other staff, other doctors of the specialty, health managers
   * (their dashboard still counts it) or administrators. See sensitive-records.ts for the node and notification side.
   */
  SensitiveRecord: 'sensitive-record',
} as const;

/** The rules behind "my cases" (the clinic's, mine as doctor, my missions' as manager) and behind a doctor's queue. */
export const MY_CASES: readonly string[] = [CaseRule.Clinic, CaseRule.AssignedDoctor, CaseRule.HealthManager, CaseRule.EmergencyAccess];
export const QUEUE_CASES: readonly string[] = [CaseRule.PrimarySpecialist, CaseRule.BackupSpecialist];

/** A certification held only through waivers narrows a rule to the waivers' missions (issue 12, finding 2). */
function within(conditions: Conditions, missions: 'all' | string[]): Conditions {
  if (missions === 'all') return conditions;
  const inRule = (conditions.missionId as { $in?: readonly string[] } | undefined)?.$in;
  const allowed: FieldCondition = { $in: inRule ? inRule.filter((m) => missions.includes(m)) : missions };
  return { ...conditions, missionId: allowed };
}

/**
 * Who may do what on a referral case. The CASL ability (record checks) and every case list and queue (SQL, through
 * `AccessScope<'Case'>`) are built from these rules, and nothing else decides case access.
 *
 * To add a rule, add an entry here; lists, queues and record checks then all honour it. A restriction
 * (`restricts: true`) refuses its actions on the records it matches whatever the grants say: `sensitive-record` is one.
 */
export const CasePolicy: SubjectPolicy & { subject: 'Case' } = {
  subject: 'Case',
  columns: {
    id: 'id',
    missionId: 'mission_id',
    facilityId: 'facility_id',
    status: 'status',
    specialtyCode: 'specialty_code',
    escalationLevel: 'escalation_level',
    assignedDoctorId: 'assigned_doctor_id',
    requestedById: 'requested_by_id',
    sensitive: 'sensitive',
  },
  rules(principal: Principal): PolicyRule[] {
    const c = clinicalScopeOf(principal);
    // Certification gates (certification.ts): without the certification the role keeps reading, not acting.
    const user = certifiedMissions(principal, 'telemedicine_user');
    const consultant = certifiedMissions(principal, 'telemedicine_consultant');
    const rules: PolicyRule[] = [{ name: CaseRule.AnyoneAsks, actions: [Action.Read], conditions: { id: { $in: [] } } }];
    const reach = (name: string, conditions: Conditions, act: Action, certified: 'all' | string[] | null) => {
      rules.push({ name, actions: [Action.Read], conditions });
      if (certified) rules.push({ name, actions: [act], conditions: within(conditions, certified) });
    };
    if (c.clinicFacilityIds.length) reach(CaseRule.Clinic, { facilityId: { $in: c.clinicFacilityIds } }, Action.Refer, user);
    if (c.specialties.length) {
      const submitted = { status: { $ne: 'draft' }, specialtyCode: { $in: c.specialties } };
      if (c.primaryMissionIds.length) reach(CaseRule.PrimarySpecialist, { ...submitted, missionId: { $in: c.primaryMissionIds } }, Action.Consult, consultant);
      if (c.backupMissionIds.length) {
        reach(CaseRule.BackupSpecialist, { ...submitted, missionId: { $in: c.backupMissionIds }, escalationLevel: { $gte: 1 } }, Action.Consult, consultant);
      }
      reach(CaseRule.AssignedDoctor, { assignedDoctorId: principal.userId }, Action.Consult, consultant);
    }
    if (c.managerMissionIds.length) rules.push({ name: CaseRule.HealthManager, actions: [Action.Read], conditions: { missionId: { $in: c.managerMissionIds } } });
    // One rule per running grant: that case, and only while it lies in a mission where the caller is a clinician.
    const clinician = breakGlassMissionsOf(principal);
    for (const g of principal.emergencyAccess ?? []) {
      if (clinician.includes(g.missionId)) rules.push({ name: CaseRule.EmergencyAccess, actions: [Action.Read], conditions: { id: g.caseId, missionId: g.missionId } });
    }
    rules.push({
      name: CaseRule.SensitiveRecord,
      restricts: true,
      actions: [Action.Read, Action.Refer, Action.Consult, Action.Update, Action.Delete],
      conditions: { sensitive: true, assignedDoctorId: { $ne: principal.userId }, requestedById: { $ne: principal.userId } },
    });
    return rules;
  },
};

/**
 * The missions where the caller may break the glass: those where they are a clinician (field medical officer at a
 * clinic of the mission, reference doctor at a hospital serving it). Health managers (who read their missions'
 * cases anyway), trainers and administrators have none.
 */
export function breakGlassMissionsOf(principal: Principal): string[] {
  const c = clinicalScopeOf(principal);
  return [...new Set([...c.clinicMissionIds, ...c.primaryMissionIds, ...c.backupMissionIds])];
}

/**
 * The break-the-glass grant through which the caller reaches this case, when no other rule does (null when a normal
 * rule reaches it, or nothing does). Reads under it are audited as emergency access (`emergencyAuditDetails`).
 */
export function emergencyGrantFor(principal: Principal, c: Record<string, unknown>): EmergencyGrant | null {
  const scope = caseScopeOf(principal);
  const normal = scope.rules().grants.map((r) => r.name).filter((n) => n !== CaseRule.EmergencyAccess);
  if (scope.matches(c, { only: normal }) || !scope.matches(c, { only: [CaseRule.EmergencyAccess] })) return null;
  return principal.emergencyAccess?.find((g) => g.caseId === c.id) ?? null;
}

/** Audit details marking an access made under a break-the-glass grant (empty for a normal access). */
export function emergencyAuditDetails(principal: Principal, c: Record<string, unknown>): Record<string, unknown> {
  const g = emergencyGrantFor(principal, c);
  return g ? { emergencyAccess: true, grantId: g.id, reason: g.reason } : {};
}

/** Names of the patient policy's rules. */
export const PatientRule = {
  AnyoneAsks: 'anyone-asks',
  /** Clinic staff: register, read and update the patients of their clinics' missions (and see service numbers). */
  ClinicMission: 'clinic-mission',
  /** Mission health managers: read the patients of their missions. */
  HealthManager: 'health-manager',
} as const;

/** Who may do what on a patient record (deployed personnel), for record checks and patient lists alike. */
export const PatientPolicy: SubjectPolicy & { subject: 'Patient' } = {
  subject: 'Patient',
  columns: { id: 'id', missionId: 'mission_id' },
  rules(principal: Principal): PolicyRule[] {
    const c = clinicalScopeOf(principal);
    const rules: PolicyRule[] = [{ name: PatientRule.AnyoneAsks, actions: [Action.Read], conditions: { id: { $in: [] } } }];
    if (c.clinicMissionIds.length) {
      rules.push({ name: PatientRule.ClinicMission, actions: [Action.Read, Action.Create, Action.Update], conditions: { missionId: { $in: c.clinicMissionIds } } });
    }
    if (c.managerMissionIds.length) rules.push({ name: PatientRule.HealthManager, actions: [Action.Read], conditions: { missionId: { $in: c.managerMissionIds } } });
    return rules;
  },
};

const asCase = (c: Record<string, unknown>): Record<string, unknown> => asSubject('Case', { ...c });

/** The caller's reach on cases, for the cases repository. */
export const caseScopeOf = (principal: Principal): AccessScope<'Case'> => AccessScope.of(CasePolicy, principal);
/** The caller's reach on patients, for the patients repository. */
export const patientScopeOf = (principal: Principal): AccessScope<'Patient'> => AccessScope.of(PatientPolicy, principal);

/** Every mission in which the caller holds a clinical reach (for choosing the audit chain of a list). */
export function clinicalMissionsOf(principal: Principal): string[] {
  const c = clinicalScopeOf(principal);
  return [...new Set([...c.clinicMissionIds, ...c.primaryMissionIds, ...c.backupMissionIds, ...c.managerMissionIds])];
}

/**
 * Who a case rule reaches, in SQL: the active users for whom the rule admits a case of (mission, facility,
 * specialty), used to choose notification recipients. Each query is the inverse of the rule of the same name above
 * (tested in case-policy.int-spec.ts: every user it names can read such a case).
 */
/** A membership whose rotation has not ended (over alias `m`); the principal resolver ignores ended ones likewise. */
const CURRENT_MEMBERSHIP = '(m.ends_at IS NULL OR m.ends_at > now())';

export const CASE_RULE_HOLDERS_SQL = {
  [CaseRule.Clinic]: `SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id
     WHERE u.active AND m.role = 'field_medical_officer' AND m.facility_id = $1 AND ${CURRENT_MEMBERSHIP}`,
  /** $1 mission, $2 specialty; `level` picks primary (< 4) or backup (= 4) hospitals. */
  specialists: (backup: boolean) => `SELECT DISTINCT u.id FROM users u
       JOIN memberships m ON m.user_id = u.id AND m.role = 'reference_doctor'
       JOIN facilities f ON f.id = m.facility_id AND f.active
       JOIN facility_missions fm ON fm.facility_id = f.id AND fm.mission_id = $1
      WHERE u.active AND $2 = ANY(u.specialties) AND ${backup ? 'f.level = 4' : 'f.level < 4'}
        AND (m.mission_id IS NULL OR m.mission_id = $1) AND ${CURRENT_MEMBERSHIP}`,
  [CaseRule.HealthManager]: `SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id
     WHERE u.active AND m.role = 'health_manager' AND m.mission_id = $1 AND ${CURRENT_MEMBERSHIP}`,
} as const;

/**
 * Who writes in a case's thread (messages, attachments): its clinic side (refer, certified) or the doctor it is
 * assigned to (the `assigned-doctor` rule). One definition for the cases and attachments services.
 */
export function writesInCaseThread(ability: Pick<AppAbility, 'can'>, principal: Principal, c: Record<string, unknown>): boolean {
  return ability.can(Action.Refer, asCase(c)) || caseScopeOf(principal).matches(c, { only: [CaseRule.AssignedDoctor] });
}

/** Answer, ask for information, hand over: only the doctor the case is assigned to (the `assigned-doctor` rule). */
export function isAssignedDoctor(principal: Principal, c: Record<string, unknown>): boolean {
  return caseScopeOf(principal).matches(c, { only: [CaseRule.AssignedDoctor] });
}
