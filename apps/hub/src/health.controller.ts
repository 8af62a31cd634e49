import { Controller, Get, HttpCode, Inject, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Policy } from '@hub/access';
import { storageHealth } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { MediaService } from '@hub/media';

/** Below this much free space the embedded database's disk counts as full (PostgreSQL needs room for WAL). */
const DATABASE_MIN_FREE_BYTES = 16 * 1024 * 1024;

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly dataSource: DataSource,
    private readonly media: MediaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @Policy.public()
  live() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers, the schema is migrated, and the disks (the file store, and the embedded
   * database's) can take writes. `media` says whether live consultations can run; it does not make the hub unready
   * (store-and-forward works without the SFU).
   */
  @Get('ready')
  @HttpCode(200)
  @Policy.public()
  async ready() {
    const files = await storageHealth.probeDirectory('files', join(this.config.dataDir, 'uploads'));
    const databaseDisk = this.config.databaseUrl
      ? storageHealth.state('database')
      : await storageHealth.probeFreeSpace('database', this.config.dataDir, DATABASE_MIN_FREE_BYTES);
    try {
      await this.dataSource.query('SELECT 1');
      const pending = await this.dataSource.showMigrations();
      if (pending) throw new Error('migrations pending');
    } catch (e) {
      // The cause goes to the log; the public answer names only what is not ready (no database error text).
      const pending = (e as Error).message === 'migrations pending';
      this.logger.warn({ err: e }, 'not ready');
      throw new ServiceUnavailableException(pending ? 'Not ready: database migrations pending' : 'Not ready: the database does not answer');
    }
    const problems = [
      files !== 'ok' ? `the file store is ${files}` : null,
      databaseDisk !== 'ok' ? `the database disk is ${databaseDisk}` : null,
    ].filter(Boolean);
    if (problems.length) {
      this.logger.error(`Not ready: ${problems.join('; ')}`);
      throw new ServiceUnavailableException(`Not ready: ${problems.join('; ')}`);
    }
    const media = this.media.status();
    return {
      status: 'ready',
      database: 'ok',
      files: 'ok',
      media: media.available ? 'ok' : 'unavailable',
      ...(media.reason ? { mediaReason: media.reason } : {}),
    };
  }
}
