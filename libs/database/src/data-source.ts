import { Logger as NestLogger } from '@nestjs/common';
import { DataSource, DataSourceOptions, Logger as TypeOrmLogger, MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseOptions {
  url: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  /** Pool size; the hub's default suits a 2-core node. */
  poolSize?: number;
  applicationName?: string;
  /** Log failed queries (default true). */
  logErrors?: boolean;
  /** PostgreSQL statement_timeout of every connection (ms; 0 or absent = none). */
  statementTimeoutMs?: number;
  /** PostgreSQL idle_in_transaction_session_timeout of every connection (ms; 0 or absent = none). */
  idleInTransactionTimeoutMs?: number;
}

/**
 * TypeORM's own logger prints a failed statement with its parameters (patient data) to the console, outside pino's
 * redaction. This one logs through Nest's logger (pino in the hub) the error and the statement's text only, never
 * its parameters.
 */
export class RedactingTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');
  logQuery(): void {}
  logQueryError(error: string | Error, query: string, parameters?: unknown[]): void {
    const e = error as { message?: string; code?: string };
    this.logger.error({ code: e.code, query: query.slice(0, 500) }, `query failed: ${redactValues(e.message ?? String(error), parameters)}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ time, query: query.slice(0, 500) }, 'slow query');
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

/**
 * PostgreSQL quotes the offending value in some messages (`invalid input syntax for type integer: "<value>"`): every
 * parameter's text, and any quoted value after a colon, is replaced before the message is logged.
 */
export function redactValues(message: string, parameters: unknown[] = []): string {
  let out = message;
  for (const p of parameters) {
    const text = p === null || p === undefined ? '' : typeof p === 'object' ? JSON.stringify(p) : String(p);
    if (text.length >= 2) out = out.split(text).join('[redacted]');
  }
  return out.replace(/: "(?:[^"\\]|\\.)*"/g, ': "[redacted]"');
}

/** Migrations only: `synchronize` is never on; `migrationsRun` is explicit in bootstrap and the CLI. */
export function createDataSource(options: DatabaseOptions): DataSource {
  const config: DataSourceOptions = {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension needs installing.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: options.logErrors === false ? false : ['error'],
    logger: new RedactingTypeOrmLogger(),
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'field-telemed-hub',
      connectionTimeoutMillis: 10_000,
      // A statement or an abandoned transaction cannot hold a connection (and its locks) for ever.
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    },
  };
  return new DataSource(config);
}
