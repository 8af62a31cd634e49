import { Role } from '@hub/contracts';
import type { Principal, PrincipalMembership } from '../principal';

// Principals built in memory for the policy int-specs (SQL = CASL over a grid of records and callers).

let n = 0;

/** A membership: of a facility (with its level) when `facilityId` is given, else of the first mission. */
export function member(role: Role, missionIds: string[], facilityId: string | null = null, facilityLevel: number | null = null): PrincipalMembership {
  return { id: `m${++n}`, role, missionId: facilityId ? null : missionIds[0], facilityId, facilityLevel, missionIds };
}

/** A signed-in, certified caller with these memberships. */
export function principal(userId: string, memberships: PrincipalMembership[], extra: Partial<Principal> = {}): Principal {
  return {
    userId,
    email: `${userId}@x`,
    displayName: userId,
    mfaEnabled: true,
    fullAccess: true,
    sessionId: 's',
    specialties: [],
    memberships,
    certifications: ['telemedicine_user', 'telemedicine_consultant'],
    ...extra,
  };
}
