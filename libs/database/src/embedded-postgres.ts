import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { importEsm } from './esm-import';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to the data directory. */
function assertReachableByPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = dirname(dir);
  while (current !== dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `HUB_DATA_DIR: ${dir} is below ${current}, which the unprivileged 'postgres' user cannot enter. ` +
          `Choose a data directory outside it (e.g. /var/lib/field-telemed-hub).`,
      );
    }
    current = dirname(current);
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster kept in `<dataDir>/pg`, creates the `hub` database,
 * and returns its URL. The password is generated once and kept beside the cluster.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number; database?: string; log?: (line: string) => void; notice?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  // Plain callbacks rather than Nest's logger: the test runner's global setup loads this file outside Nest.
  const notice = options.notice ?? ((line: string) => console.log(`[embedded-postgres] ${line}`));
  const databaseDir = join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  assertReachableByPostgresUser(databaseDir);
  const secretFile = join(dataDir, 'pg-password');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = options.port || (await freePort());
  const database = options.database ?? 'hub';
  // initdb and postgres are chatty; their output is kept out of the hub's log unless asked for.
  const log = options.log ?? (() => undefined);

  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'hub',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (e: unknown) => notice(String(e).trim()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    notice(`initialising a new cluster in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port, user: 'hub', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://hub:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
