import { Role } from '@hub/contracts';
import { Principal } from './principal';

/**
 * The clinical facts of the caller's memberships (clinics, specialties, hospitals' missions, managed missions). The
 * case and patient policies (policies/case.policy.ts) turn them into named rules, from which both the CASL rules
 * and the SQL of every case and patient list are compiled; nothing else should read these facts to decide access.
 *
 * - Clinic staff (field medical officers) work on the cases of their own facility and the patients of its mission.
 * - Reference doctors see submitted cases of their specialties from the missions their hospital serves: a
 *   hospital inside the mission (Levels 2-3) at once; a backup hospital (Level 4) once the case is escalated.
 *   They always see cases assigned to them.
 * - Mission health managers read every case and patient of their missions.
 * - Trainers and administrators reach no patient data.
 */
export interface ClinicalScope {
  userId: string;
  clinicFacilityIds: string[];
  /** Missions of the clinics above (patients are shared across a mission's facilities). */
  clinicMissionIds: string[];
  specialties: string[];
  primaryMissionIds: string[];
  backupMissionIds: string[];
  managerMissionIds: string[];
}

const uniq = (xs: string[]) => [...new Set(xs)];

export function clinicalScopeOf(principal: Principal): ClinicalScope {
  const officer = principal.memberships.filter((m) => m.role === Role.FieldMedicalOfficer && m.facilityId);
  const doctor = principal.memberships.filter((m) => m.role === Role.ReferenceDoctor);
  return {
    userId: principal.userId,
    clinicFacilityIds: uniq(officer.map((m) => m.facilityId!)),
    clinicMissionIds: uniq(officer.flatMap((m) => m.missionIds)),
    specialties: doctor.length ? principal.specialties : [],
    primaryMissionIds: uniq(doctor.filter((m) => (m.facilityLevel ?? 0) < 4).flatMap((m) => m.missionIds)),
    backupMissionIds: uniq(doctor.filter((m) => m.facilityLevel === 4).flatMap((m) => m.missionIds)),
    managerMissionIds: uniq(principal.memberships.filter((m) => m.role === Role.HealthManager).flatMap((m) => m.missionIds)),
  };
}

export function isDoctor(scope: ClinicalScope): boolean {
  return scope.specialties.length > 0 && (scope.primaryMissionIds.length > 0 || scope.backupMissionIds.length > 0);
}
