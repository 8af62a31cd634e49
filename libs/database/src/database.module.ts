import { DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { installPeriodicTaskCoordinator } from '@hub/common';
import { installAmbientTransactions } from './ambient-transaction';
import { Outbox } from './outbox';
import { PostgresPeriodicTaskCoordinator } from './periodic-task-coordinator';

/** Provides the already-initialised DataSource and the transactional outbox to every module. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(dataSource: DataSource): DynamicModule {
    // Requests carrying an Idempotency-Key run in one ambient transaction (see ambient-transaction.ts).
    installAmbientTransactions(dataSource);
    // Periodic jobs started by this app run once across every instance on this database (periodic-task-coordinator.ts).
    installPeriodicTaskCoordinator(new PostgresPeriodicTaskCoordinator(dataSource));
    return {
      module: DatabaseModule,
      providers: [{ provide: DataSource, useValue: dataSource }, Outbox],
      exports: [DataSource, Outbox],
    };
  }
}
