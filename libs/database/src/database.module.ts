import { DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { installAmbientTransactions } from './ambient-transaction';

/** Provides the already-initialised DataSource to every module. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(dataSource: DataSource): DynamicModule {
    // Requests carrying an Idempotency-Key run in one ambient transaction (see ambient-transaction.ts).
    installAmbientTransactions(dataSource);
    return { module: DatabaseModule, providers: [{ provide: DataSource, useValue: dataSource }], exports: [DataSource] };
  }
}
