import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CERTIFICATION_DIRECTORY, CertificationDirectory, certificationsOf, MEMBERSHIP_MISSIONS_SQL, Principal, PrincipalResolver } from '@hub/access';
import { Role } from '@hub/contracts';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import { PrincipalCache } from './principal-cache';
import { TokenService } from './token.service';

/** Where a membership reaches, in SQL: defined once in libs/access (mission-scope.ts), beside `scopeFor`. */
export { MEMBERSHIP_MISSIONS_SQL };

interface Row {
  id: string;
  email: string;
  display_name: string;
  active: boolean;
  mfa_enabled: boolean;
  specialties: string[];
  session_live: boolean;
  membership_id: string | null;
  role: Role | null;
  mission_id: string | null;
  facility_id: string | null;
  facility_level: number | null;
  mission_ids: string[] | null;
  starts_at: Date | null;
  ends_at: Date | null;
  emergency: { id: string; caseId: string; missionId: string; reason: string; expiresAt: string }[];
}

@Injectable()
export class DatabasePrincipalResolver implements PrincipalResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly cache: PrincipalCache<Principal>,
    private readonly clock: Clock,
    @Optional() @Inject(CERTIFICATION_DIRECTORY) private readonly certifications?: CertificationDirectory,
  ) {}

  async resolve(accessToken: string): Promise<Principal> {
    const claims = this.tokens.verifyAccess(accessToken);
    return this.load(claims.sub, claims.sid, claims.fa);
  }

  userIdOf(accessToken: string): string | null {
    try {
      return this.tokens.verifyAccess(accessToken).sub;
    } catch {
      return null;
    }
  }

  /**
   * The user and memberships as they are now; refuses deactivated users and ended sessions. Served from the
   * per-user cache, which any change to the user, memberships, sessions or certifications empties (principal-cache.ts).
   * The returned object is shared between requests: never change it. A null session is for changes made elsewhere
   * (a field node's synced operations), re-checked without a hub session.
   */
  load(userId: string, sessionId: string | null, fullAccess: boolean): Promise<Principal> {
    return this.cache.get(userId, `${sessionId}:${fullAccess}`, async () => {
      const [{ principal, nextChange }, certificationChange] = await Promise.all([
        this.loadNow(userId, sessionId, fullAccess),
        this.certifications?.nextChange?.(userId) ?? null,
      ]);
      const changes = [nextChange, certificationChange].filter((d): d is Date => !!d);
      return { value: principal, validUntil: changes.length ? new Date(Math.min(...changes.map((d) => d.getTime()))) : null };
    });
  }

  /**
   * The principal now, and the next instant a membership starts or ends (a rotation's dates, by the injected Clock):
   * the cache keeps the principal until then at most, so rights end at the end date without any write.
   */
  private async loadNow(userId: string, sessionId: string | null, fullAccess: boolean): Promise<{ principal: Principal; nextChange: Date | null }> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT u.id, u.email, u.display_name, u.active, u.mfa_enabled, u.specialties,
              EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.family_id = $2 AND rt.user_id = u.id
                        AND rt.revoked_at IS NULL AND rt.expires_at > now()) AS session_live,
              m.id AS membership_id, m.role, m.mission_id, m.facility_id, f.level AS facility_level, m.starts_at, m.ends_at,
              CASE WHEN m.id IS NULL THEN NULL ELSE ${MEMBERSHIP_MISSIONS_SQL} END AS mission_ids,
              (SELECT COALESCE(json_agg(json_build_object('id', g.id, 'caseId', g.case_id, 'missionId', g.mission_id,
                        'reason', g.reason, 'expiresAt', g.expires_at) ORDER BY g.expires_at), '[]'::json)
                 FROM break_glass_grants g WHERE g.user_id = u.id AND g.started_at <= $3 AND g.expires_at > $3) AS emergency
         FROM users u LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN facilities f ON f.id = m.facility_id
        WHERE u.id = $1
        ORDER BY m.created_at`,
      [userId, sessionId, this.clock.now()],
    );
    const user = rows[0];
    if (!user) throw new DomainException(ErrorCode.Unauthenticated, 'Access token is not valid');
    if (!user.active) throw new DomainException(ErrorCode.AccountDisabled, 'This account has been deactivated');
    if (sessionId !== null && !user.session_live) throw new DomainException(ErrorCode.Unauthenticated, 'This session has ended; sign in again');
    // Certifications valid now (training module): expiry, revocation or a waiver apply on the next request.
    const certifications = certificationsOf((await this.certifications?.valid(user.id)) ?? []);
    const now = this.clock.now().getTime();
    // A membership gives rights from its start to its end (a rotation); outside them it counts for nothing.
    const current = (r: Row) => (!r.starts_at || r.starts_at.getTime() <= now) && (!r.ends_at || r.ends_at.getTime() > now);
    // Break-the-glass grants running now (by the injected Clock); the first to end bounds the cached principal too.
    const emergency = (user.emergency ?? []).map((g) => ({ ...g, expiresAt: new Date(g.expiresAt).toISOString() }));
    const upcoming = [...rows.flatMap((r) => [r.starts_at, r.ends_at]), ...emergency.map((g) => new Date(g.expiresAt))].filter(
      (d): d is Date => !!d && d.getTime() > now,
    );
    const nextChange = upcoming.length ? new Date(Math.min(...upcoming.map((d) => d.getTime()))) : null;
    const principal: Principal = {
      ...certifications,
      userId: user.id,
      email: user.email,
      displayName: user.display_name,
      mfaEnabled: user.mfa_enabled,
      fullAccess,
      sessionId: sessionId ?? '',
      specialties: user.specialties ?? [],
      memberships: rows
        .filter((r) => r.membership_id && current(r))
        .map((r) => ({
          id: r.membership_id!,
          role: r.role!,
          missionId: r.mission_id,
          facilityId: r.facility_id,
          facilityLevel: r.facility_level,
          missionIds: r.mission_ids ?? [],
        })),
      ...(emergency.length ? { emergencyAccess: emergency } : {}),
    };
    return { principal, nextChange };
  }
}
