import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What lets several hub instances share one PostgreSQL:
 * - `outbox`: side effects (socket pushes, jobs) written in the business transaction and delivered after its commit
 *   by whichever instance claims the row first (libs/database outbox.ts);
 * - `periodic_task_runs`: when each periodic job last started, so that any number of instances run each due run once
 *   (libs/database periodic-task-coordinator.ts);
 * - `rate_limits`: the counters of rate-limiter-flexible's PostgreSQL store (libs/access rate-limits.ts), in the
 *   layout that library reads and writes.
 */
export class ScaleOut1795950400000 implements MigrationInterface {
  name = 'ScaleOut1795950400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      topic varchar(60) NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      available_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      last_error varchar(500)
    )`);
    await queryRunner.query(`CREATE INDEX outbox_due_idx ON outbox (available_at, id)`);
    await queryRunner.query(`CREATE TABLE periodic_task_runs (
      name varchar(100) PRIMARY KEY,
      last_started_at timestamptz NOT NULL,
      last_finished_at timestamptz,
      last_instance varchar(200) NOT NULL,
      last_error varchar(500),
      runs bigint NOT NULL DEFAULT 0
    )`);
    await queryRunner.query(`CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE rate_limits');
    await queryRunner.query('DROP TABLE periodic_task_runs');
    await queryRunner.query('DROP TABLE outbox');
  }
}
