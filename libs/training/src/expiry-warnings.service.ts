import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '@hub/audit';
import { Clock, HubJobs } from '@hub/common';
import { EXPIRY_WARNING_DAYS } from '@hub/contracts';
import { Action, grantHoldersSql, membershipMissionsSql } from '@hub/access';
import { NotificationsService } from '@hub/notifications';

export const EXPIRY_SWEEP_INTERVAL_MS = 60 * 60_000;

/**
 * Warns a certificate holder and their missions' health managers 30 days before the certificate expires, once per
 * certificate (the `expiry_warned_at` stamp is set in the same transaction as the notifications). A certificate
 * already replaced by a newer one of the same kind that outlives the window is stamped without a warning.
 * Runs hourly, once across all hub instances (PeriodicTask); not on a field node.
 */
@Injectable()
export class ExpiryWarningsService {
  private readonly logger = new Logger(ExpiryWarningsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Certificate expiry warnings', EXPIRY_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  /** One pass; returns the certificates warned about. */
  async sweep(): Promise<string[]> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000);
    const due: { id: string; user_id: string; course_title: string; expires_at: Date; renewed: boolean }[] = await this.dataSource.query(
      `SELECT c.id, c.user_id, c.course_title, c.expires_at,
              EXISTS (SELECT 1 FROM training_certificates n WHERE n.user_id = c.user_id AND n.kind = c.kind AND n.id <> c.id
                        AND n.revoked_at IS NULL AND n.expires_at > $2) AS renewed
         FROM training_certificates c
        WHERE c.expiry_warned_at IS NULL AND c.revoked_at IS NULL AND c.expires_at > $1 AND c.expires_at <= $2
        ORDER BY c.expires_at LIMIT 500`,
      [now, horizon],
    );
    const warned: string[] = [];
    for (const c of due) {
      const saved = await this.dataSource.transaction(async (m) => {
        const [, affected] = await m.query(`UPDATE training_certificates SET expiry_warned_at = $2 WHERE id = $1 AND expiry_warned_at IS NULL`, [c.id, now]);
        if (!affected || c.renewed) return null;
        const managers: { user_id: string; mission_id: string }[] = await m.query(
          // Whoever may read the compliance of the holder's missions (the access engine's grants).
          `${grantHoldersSql(Action.Read, 'Compliance', `(SELECT array_agg(x.mission_id) FROM memberships hm CROSS JOIN LATERAL unnest(${membershipMissionsSql('hm')}) AS x(mission_id) WHERE hm.user_id = $1)`)}`,
          [c.user_id],
        );
        const [{ display_name }] = await m.query('SELECT display_name FROM users WHERE id = $1', [c.user_id]);
        const day = new Date(c.expires_at).toISOString().slice(0, 10);
        await this.audit.record({ action: 'training.expiry_warning', outcome: 'success', missionId: managers[0]?.mission_id ?? null, subjectType: 'Certificate', subjectId: c.id, details: { expiresAt: day } }, m);
        const own = await this.notifications.record([c.user_id], { kind: 'training.certificate_expiring', params: { course: c.course_title, date: day }, caseId: null, text: `Your certificate "${c.course_title}" expires on ${day}: recertify before then`.slice(0, 300) }, m);
        const others = await this.notifications.record(
          managers.map((x) => x.user_id).filter((id) => id !== c.user_id),
          { kind: 'training.certificate_expiring', code: 'training.certificate_expiring_other', params: { name: display_name, course: c.course_title, date: day }, caseId: null, text: `${display_name}'s certificate "${c.course_title}" expires on ${day}`.slice(0, 300) },
          m,
        );
        return [...own, ...others];
      });
      if (saved) {
        this.notifications.publish(saved);
        warned.push(c.id);
      }
    }
    if (warned.length) this.logger.log(`Certificate expiry warnings: ${warned.length}`);
    return warned;
  }
}
