import { Role } from '@hub/contracts';

export interface PrincipalMembership {
  id: string;
  role: Role;
  missionId: string | null;
  facilityId: string | null;
  /** Missions this membership reaches: its mission, or every mission its facility serves. */
  missionIds: string[];
}

/** The authenticated caller, loaded fresh from the database on every request. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  mfaEnabled: boolean;
  /** False while an administrator still has to enrol MFA. */
  fullAccess: boolean;
  sessionId: string;
  memberships: PrincipalMembership[];
}

/** Who is asking, for audit records. */
export interface RequestContext {
  requestId: string | null;
  ip: string | null;
}
