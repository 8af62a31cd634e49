import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '@hub/database';
import { ENTITIES, MIGRATIONS } from '../../../apps/hub/src/schema';
import { TEMPLATE_DB } from './global-setup';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function adminUrl(): string {
  const url = process.env.HUB_TEST_ADMIN_URL;
  if (!url) throw new Error('HUB_TEST_ADMIN_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)');
  return url;
}

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template (fast, isolated, parallel-safe). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `hub_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(
      options.migrated === false ? `CREATE DATABASE "${name}"` : `CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`,
    );
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl(), name);
  const dataSource = createDataSource({ url, entities: ENTITIES, migrations: MIGRATIONS, poolSize: 5, logErrors: false });
  await dataSource.initialize();
  return {
    name,
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const c = new Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
