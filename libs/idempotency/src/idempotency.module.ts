import { Module, OnApplicationBootstrap, OnApplicationShutdown, Injectable } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '@hub/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Keys are kept at least this long (the web app's outbox retries within a day). */
export const IDEMPOTENCY_RETENTION_HOURS = 48;

/** Deletes keys older than the retention period, hourly. */
@Injectable()
export class IdempotencySweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(private readonly dataSource: DataSource) {
    this.task = new PeriodicTask('IdempotencySweep', 3600_000, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000);
    const [, count] = (await this.dataSource.query('DELETE FROM idempotency_keys WHERE created_at < $1', [cutoff])) as [unknown, number];
    return count;
  }
}

@Module({
  providers: [IdempotencySweep, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
  exports: [IdempotencySweep],
})
export class IdempotencyModule {}
