import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { createBackup, pruneBackups } from '@hub/database';

/**
 * Scheduled backups (on by default with the embedded database): every BACKUP_INTERVAL_HOURS a consistent copy of
 * the database and the stored files goes to BACKUP_DIR, keeping the BACKUP_KEEP newest. Checked every ten minutes
 * against the newest backup, so restarts neither skip nor repeat one.
 */
@Injectable()
export class BackupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Backup');
  private readonly task: PeriodicTask;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.task = new PeriodicTask('Backup', 10 * 60_000, () => this.runIfDue());
  }

  onApplicationBootstrap(): void {
    if (this.config.backup.intervalHours > 0) this.task.start();
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /** Time of the newest complete backup, if any. */
  newest(): Date | undefined {
    return newestBackup(this.config.backup.dir);
  }

  async runIfDue(now = new Date()): Promise<string | undefined> {
    const last = this.newest();
    if (this.running || (last && now.getTime() - last.getTime() < this.config.backup.intervalHours * 3600_000)) return undefined;
    this.running = true;
    // One instance at a time when several share the database (the PeriodicTask already runs each check once; a
    // second backup meanwhile is skipped). The lock lives on a connection of its own, held to the end.
    const lock = this.dataSource.createQueryRunner();
    let locked = false;
    try {
      await lock.connect();
      [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock(hashtext('hub:backup')) AS locked`);
      if (!locked) return undefined;
      const started = Date.now();
      const { path, manifest } = await createBackup(this.dataSource, this.config.dataDir, this.config.backup.dir);
      const removed = pruneBackups(this.config.backup.dir, this.config.backup.keep);
      this.logger.log(`backup written to ${path} in ${Date.now() - started} ms (${manifest.files.length} files; ${removed.length} old backup(s) removed)`);
      return path;
    } catch (e) {
      this.logger.error({ err: e }, `scheduled backup failed: ${(e as Error).message}`);
      throw e;
    } finally {
      if (locked) await lock.query(`SELECT pg_advisory_unlock(hashtext('hub:backup'))`).catch(() => undefined);
      await lock.release().catch(() => undefined);
      this.running = false;
    }
  }
}

/** Time of the newest complete backup in `dir`, if any (also read by /metrics). */
export function newestBackup(dir: string): Date | undefined {
  if (!existsSync(dir)) return undefined;
  const done = readdirSync(dir).filter((n) => n.startsWith('hub-backup-') && !n.endsWith('.partial')).sort();
  return done.length ? statSync(join(dir, done[done.length - 1])).mtime : undefined;
}
