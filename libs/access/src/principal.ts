import { CertificationKind, Role } from '@hub/contracts';

export interface PrincipalMembership {
  id: string;
  role: Role;
  missionId: string | null;
  facilityId: string | null;
  /** Level of the membership's facility (1-4), if any. */
  facilityLevel: number | null;
  /** Missions this membership reaches: its mission, or every mission its facility serves. */
  missionIds: string[];
}

/**
 * A break-the-glass grant of the caller that is running now (table break_glass_grants): read access to one case of
 * a mission where the caller is a clinician, for a limited time, with the reason they stated. The principal resolver
 * loads the running ones and keeps the principal no later than the first `expiresAt` (docs/security-model.md).
 */
export interface EmergencyGrant {
  id: string;
  caseId: string;
  missionId: string;
  reason: string;
  /** ISO time at which the grant ends. */
  expiresAt: string;
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
  /** Reference doctors' specialties (codes). */
  specialties: string[];
  memberships: PrincipalMembership[];
  /**
   * Certification kinds valid now (a certificate neither expired nor revoked, or an active waiver), computed
   * against the injected Clock on every request. Gated actions need them (certification.ts).
   */
  certifications: CertificationKind[];
  /**
   * Where each held certification applies: 'all' for a certificate (it attests the person's skills wherever they
   * work), or the missions of the waivers that stand in for one (a waiver is granted by a mission for its own
   * work). A kind missing here but listed in `certifications` applies everywhere.
   */
  certificationScope?: Partial<Record<CertificationKind, 'all' | string[]>>;
  /** Break-the-glass grants running now (the case policy's `emergency-access` rule). */
  emergencyAccess?: EmergencyGrant[];
}

/** Who is asking, for audit records. */
export interface RequestContext {
  requestId: string | null;
  ip: string | null;
}
