import { rmSync } from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.HUB_TEST_ADMIN_URL;
  if (url && process.env.TEST_DATABASE_URL) {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const dbs = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'hub_test_%'`);
    for (const { datname } of dbs.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  const embedded = (globalThis as { __HUB_EMBEDDED_PG__?: { stop(): Promise<void>; dir: string } }).__HUB_EMBEDDED_PG__;
  if (embedded) {
    await embedded.stop();
    rmSync(embedded.dir, { recursive: true, force: true });
  }
}
