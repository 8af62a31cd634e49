import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
// Relative imports without path aliases: jest loads this file outside its module registry.
import { createDataSource } from '../../database/src/data-source';
import { startEmbeddedPostgres } from '../../database/src/embedded-postgres';
import { MIGRATIONS } from '../../database/src/migrations';

export const TEMPLATE_DB = 'hub_test_template';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Starts PostgreSQL for the suite (TEST_DATABASE_URL, else an embedded server in a temporary directory), migrates a
 * template database once, and leaves its address in HUB_TEST_ADMIN_URL for the test files, which clone it.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'hub-test-pg-'));
    chmodSync(dir, 0o755); // reachable by the unprivileged postgres user when tests run as root
    const embedded = await startEmbeddedPostgres(dir, { database: 'postgres', appRole: false, notice: () => undefined });
    (globalThis as { __HUB_EMBEDDED_PG__?: unknown }).__HUB_EMBEDDED_PG__ = { ...embedded, dir };
    adminUrl = embedded.url;
  }
  process.env.HUB_TEST_ADMIN_URL = adminUrl;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Leftovers of an interrupted run on a shared server.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'hub_test_%'`);
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const ds = createDataSource({ url: withDatabase(adminUrl, TEMPLATE_DB), entities: [], migrations: MIGRATIONS });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
}
