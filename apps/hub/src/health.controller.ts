import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Policy } from '@hub/access';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. */
  @Get()
  @Policy.public()
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and the schema is migrated. */
  @Get('ready')
  @HttpCode(200)
  @Policy.public()
  async ready() {
    try {
      await this.dataSource.query('SELECT 1');
      const pending = await this.dataSource.showMigrations();
      if (pending) throw new Error('migrations pending');
      return { status: 'ready', database: 'ok' };
    } catch (e) {
      throw new ServiceUnavailableException(`Not ready: ${(e as Error).message}`);
    }
  }
}
