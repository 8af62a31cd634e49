import { DataSource, DataSourceOptions, MixedList } from 'typeorm';
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
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'field-telemed-hub',
      connectionTimeoutMillis: 10_000,
    },
  };
  return new DataSource(config);
}
