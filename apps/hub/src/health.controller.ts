import { Controller, Get, HttpCode, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Policy } from '@hub/access';
import { MediaService } from '@hub/media';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  constructor(
    private readonly dataSource: DataSource,
    private readonly media: MediaService,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @Policy.public()
  live() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers and the schema is migrated. `media` says whether live consultations can run;
   * it does not make the hub unready (store-and-forward works without the SFU).
   */
  @Get('ready')
  @HttpCode(200)
  @Policy.public()
  async ready() {
    try {
      await this.dataSource.query('SELECT 1');
      const pending = await this.dataSource.showMigrations();
      if (pending) throw new Error('migrations pending');
      const media = this.media.status();
      return {
        status: 'ready',
        database: 'ok',
        media: media.available ? 'ok' : 'unavailable',
        ...(media.reason ? { mediaReason: media.reason } : {}),
      };
    } catch (e) {
      // The cause goes to the log; the public answer names only what is not ready (no database error text).
      const pending = (e as Error).message === 'migrations pending';
      this.logger.warn({ err: e }, 'not ready');
      throw new ServiceUnavailableException(pending ? 'Not ready: database migrations pending' : 'Not ready: the database does not answer');
    }
  }
}
