import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CertificationCourse, CertificationDirectory, courseScopeOf, Principal, ValidCertification } from '@hub/access';
import { Clock } from '@hub/common';
import type { CertificationKind } from '@hub/contracts';
import { TrainingRepository } from './training.repository';

/**
 * The training module's answer to "which certifications does this user hold now?" (asked on every request by
 * the principal resolver) and "which course gives this certification?" (named in CERTIFICATION_REQUIRED errors).
 * Time comes from the injected Clock, so moving the clock past an expiry removes the right on the next request.
 * A certificate counts until it expires or is revoked, not only from its issue time: a clock moved back (a test, a
 * skewed node) must not strip certified staff of their rights.
 */
@Injectable()
export class TrainingCertificationDirectory implements CertificationDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly training: TrainingRepository,
  ) {}

  /**
   * Certificates apply everywhere (missionId null); a waiver only in the mission that granted it. `at` (default now)
   * asks for an earlier instant: a change made offline on a field node is judged by what was valid when it was made.
   */
  async valid(userId: string, at?: Date): Promise<ValidCertification[]> {
    // Now: not revoked. At an earlier instant: already issued then, and revoked (if ever) only later.
    const rows: { kind: CertificationKind; mission_id: string | null }[] = await this.dataSource.query(
      `SELECT kind, NULL::uuid AS mission_id FROM training_certificates
        WHERE user_id = $1 AND expires_at > $2 AND ${at ? 'issued_at <= $2 AND (revoked_at IS NULL OR revoked_at > $2)' : 'revoked_at IS NULL'}
       UNION
       SELECT kind, mission_id FROM training_waivers
        WHERE user_id = $1 AND starts_at <= $2 AND expires_at > $2 AND ${at ? '(revoked_at IS NULL OR revoked_at > $2)' : 'revoked_at IS NULL'}`,
      [userId, at ?? this.clock.now()],
    );
    return rows.map((r) => ({ kind: r.kind, missionId: r.mission_id }));
  }

  /** When valid() would answer differently without any write: the next start or end of a certificate or waiver. */
  async nextChange(userId: string): Promise<Date | null> {
    const [{ at }]: { at: Date | null }[] = await this.dataSource.query(
      `SELECT min(t) AS at FROM (
         SELECT expires_at AS t FROM training_certificates WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
         UNION ALL
         SELECT CASE WHEN starts_at > $2 THEN starts_at ELSE expires_at END FROM training_waivers
          WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2) x`,
      [userId, this.clock.now()],
    );
    return at ? new Date(at) : null;
  }

  /** Published certification courses of the kind the caller can open: their missions' first, then global ones. */
  async coursesFor(principal: Principal, kind: CertificationKind): Promise<CertificationCourse[]> {
    return this.training.certificationCourses(courseScopeOf(principal), kind);
  }
}
