import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import type { PeriodicTaskCoordinator } from '@hub/common';
import { outsideAmbientTransaction } from './ambient-transaction';
import { outsideWork } from './connection-watch';

/** This process, as `periodic_task_runs.last_instance` names it. */
export const INSTANCE_NAME = `${hostname()}:${process.pid}`.slice(0, 200);

/**
 * Each due run of a periodic job happens once across every instance sharing the database. One atomic statement
 * claims the run in `periodic_task_runs` (the row lock makes instances checking at the same moment take turns):
 * - only if the last run started at least `intervalMs` ago, by the database's clock (with a 2% allowance, so that
 *   timers firing a few milliseconds early do not skip a period);
 * - and only if the last run has finished, or started so long ago (ten intervals, at least five minutes) that its
 *   instance must have died mid-run.
 * Then it runs the job and records when it finished (and its error, if any). No connection is held while the job
 * runs (jobs need the pool themselves).
 */
export class PostgresPeriodicTaskCoordinator implements PeriodicTaskCoordinator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instance = INSTANCE_NAME,
  ) {}

  runIfDue(name: string, intervalMs: number, run: () => Promise<unknown>): Promise<boolean> {
    return outsideWork(() => outsideAmbientTransaction(() => this.claimAndRun(name.slice(0, 100), intervalMs, run)));
  }

  private async claimAndRun(name: string, intervalMs: number, run: () => Promise<unknown>): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    const dueAfterMs = intervalMs - Math.min(intervalMs * 0.02, 5_000);
    const staleAfterMs = Math.max(intervalMs * 10, 5 * 60_000);
    const claimed: { started: string }[] = await this.dataSource.query(
      `INSERT INTO periodic_task_runs (name, last_started_at, last_instance, runs) VALUES ($1, clock_timestamp(), $2, 1)
       ON CONFLICT (name) DO UPDATE SET last_started_at = clock_timestamp(), last_instance = $2, last_finished_at = NULL,
                                        last_error = NULL, runs = periodic_task_runs.runs + 1
        WHERE periodic_task_runs.last_started_at <= clock_timestamp() - make_interval(secs => $3::double precision / 1000)
          AND (periodic_task_runs.last_finished_at IS NOT NULL
               OR periodic_task_runs.last_started_at <= clock_timestamp() - make_interval(secs => $4::double precision / 1000))
       RETURNING last_started_at::text AS started`,
      [name, this.instance, dueAfterMs, staleAfterMs],
    );
    if (!claimed.length) return false;
    let error: string | null = null;
    try {
      await run();
    } catch (e) {
      error = String((e as Error)?.message ?? e).slice(0, 500);
      throw e;
    } finally {
      await this.dataSource
        .query('UPDATE periodic_task_runs SET last_finished_at = clock_timestamp(), last_error = $3 WHERE name = $1 AND last_started_at = $2::timestamptz', [name, claimed[0].started, error])
        .catch(() => undefined);
    }
    return true;
  }
}
