import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, HubJobs } from '@hub/common';

/** Entries younger than this are kept whatever the nodes acknowledged (a node restored from a recent backup resumes). */
export const SYNC_LOG_RETENTION_MS = 7 * 24 * 3600_000;
export const SYNC_LOG_PRUNE_INTERVAL_MS = 3600_000;

/**
 * Prunes the hub's change log (docs/field-node.md, "Pruning the change log"): an entry older than the retention is
 * deleted once every enrolled, non-revoked node that reads its scope has pulled past it (its stored cursor, in
 * `sync_node_cursors`, is what it applied). A node that has never pulled the log holds nothing back: its first pull
 * is a snapshot. Per scope, the newest entry pruned is kept in `sync_log_horizons`; a node whose cursor is older
 * (restored from an old backup) gets a fresh snapshot instead of a log with holes. Hourly, once across instances
 * (HubJobs).
 */
@Injectable()
export class SyncLogPruner {
  private readonly logger = new Logger('SyncLogPruner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Sync log pruning', SYNC_LOG_PRUNE_INTERVAL_MS, () => this.prune());
  }

  /** One pass; returns how many entries were deleted. */
  async prune(retentionMs = SYNC_LOG_RETENTION_MS): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - retentionMs);
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM sync_changes c
          WHERE c.created_at < $1
            AND NOT EXISTS (
              SELECT 1 FROM field_nodes n LEFT JOIN sync_node_cursors k ON k.node_id = n.id
               WHERE n.enrolled_at IS NOT NULL AND n.revoked_at IS NULL AND k.node_id IS NOT NULL
                 AND c.scope IN ('global', 'mission:' || n.mission_id, 'facility:' || n.facility_id)
                 AND (k.xid, k.seq) < (c.xid, c.seq))
         RETURNING c.scope, c.xid, c.seq),
       top AS (SELECT DISTINCT ON (scope) scope, xid, seq FROM gone ORDER BY scope, xid DESC, seq DESC),
       saved AS (
         INSERT INTO sync_log_horizons (scope, xid, seq) SELECT scope, xid, seq FROM top
         ON CONFLICT (scope) DO UPDATE SET xid = EXCLUDED.xid, seq = EXCLUDED.seq, pruned_at = now()
          WHERE (sync_log_horizons.xid, sync_log_horizons.seq) < (EXCLUDED.xid, EXCLUDED.seq)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff],
    );
    if (n) this.logger.log(`pruned ${n} change-log entries every node had pulled`);
    return n;
  }
}
