import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditService, auditOptionsFor } from '@hub/audit';
import { AppConfig, ConfigError, loadConfig, projectRoot } from '@hub/config';
import { createBackup, createDataSource, migrateAsAdmin, restoreBackup } from '@hub/database';
import { migrate, openDatabase, resolveSecrets } from './bootstrap';
import { ENTITIES, MIGRATIONS } from './schema';

const USAGE = `usage: hub-cli <command>
  migrate                 apply pending migrations
  verify-audit [chain]    verify the audit hash chains; exit 1 and name the first broken record if any
  migration:generate Name write a migration with the SQL that brings the database to the entities
  backup [dir]            write a consistent backup of the database and stored files (default BACKUP_DIR)
  restore <dir> [--force] restore a backup into this HUB_DATA_DIR / DATABASE_URL (empty unless --force)
  wait-ready [seconds]    wait until this machine's hub (PORT) answers /api/health/ready; exit 1 if not in time`;

/** For supervisors (systemd ExecStartPost, compose healthcheck): polls the local hub's readiness. */
async function waitReady(port: number, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) {
        console.log('ready');
        return;
      }
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error(`not ready after ${seconds} s: ${last}`);
  process.exitCode = 1;
}

async function main() {
  const [command, arg] = process.argv.slice(2);
  if (!command) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = resolveSecrets(loadConfig());
  if (command === 'wait-ready') return waitReady(config.port, Number(arg ?? 60) || 60);
  if (command === 'restore') return restore(config, arg, process.argv.includes('--force'));
  const db = await openDatabase(config, 'cli');
  try {
    if (command === 'migrate') {
      const applied = await migrate(db);
      console.log(applied.length ? applied.map((name) => `applied ${name}`).join('\n') : 'no pending migrations');
    } else if (command === 'verify-audit') {
      const reports = await new AuditService(db.dataSource, auditOptionsFor(config)).verify(arg);
      for (const r of reports) {
        const backlog = r.unsealed ? `; ${r.unsealed} not sealed yet, oldest from ${r.oldestUnsealedAt}` : '';
        console.log(r.ok ? `ok      ${r.chain} (${r.records} sealed records${backlog})` : `BROKEN  ${r.chain}: record ${r.firstBrokenId}: ${r.reason}`);
      }
      process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
    } else if (command === 'backup') {
      const started = Date.now();
      const { path, manifest } = await createBackup(db.dataSource, config.dataDir, arg ? resolve(arg) : config.backup.dir);
      const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
      console.log(`backup written to ${path}: ${rows} rows in ${Object.keys(manifest.tables).length} tables, ${manifest.files.length} files, ${Date.now() - started} ms`);
    } else if (command === 'migration:generate') {
      if (!arg || !/^[A-Z][A-Za-z0-9]+$/.test(arg)) throw new Error('give the migration a PascalCase name');
      await migrate(db);
      const sql = await db.dataSource.driver.createSchemaBuilder().log();
      if (!sql.upQueries.length) {
        console.log('entities and migrations agree; nothing to generate');
        return;
      }
      const stamp = Date.now();
      const q = (list: { query: string }[]) => list.map((x) => `    await queryRunner.query(${JSON.stringify(x.query)});`).join('\n');
      const file = join(projectRoot(), 'libs/database/src/migrations', `${stamp}-${arg}.ts`);
      writeFileSync(
        file,
        `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${arg}${stamp} implements MigrationInterface {\n  name = '${arg}${stamp}';\n\n  async up(queryRunner: QueryRunner): Promise<void> {\n${q(sql.upQueries)}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${q(sql.downQueries.reverse())}\n  }\n}\n`,
      );
      console.log(`wrote ${file}; review it and add it to libs/database/src/migrations/index.ts`);
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  } finally {
    await db.dataSource.destroy();
    await db.embedded?.stop();
  }
}

/** Restores into a database that no running hub uses (a fresh HUB_DATA_DIR, or an empty DATABASE_URL). */
async function restore(config: AppConfig, dir: string | undefined, force: boolean): Promise<void> {
  if (!dir || dir.startsWith('--')) throw new Error('name the backup directory: npm run restore -- <dir>');
  const db = await openDatabase(config, 'restore');
  await db.dataSource.destroy();
  // Rows are loaded with triggers held off, which needs the superuser of the embedded cluster (or DATABASE_URL's role).
  const url = db.embedded?.adminUrl ?? db.url;
  try {
    const started = Date.now();
    const schemaAt = (names: string[]) =>
      createDataSource({ url, entities: [], migrations: MIGRATIONS.filter((m) => names.includes(new (m as new () => { name: string })().name)) });
    const manifest = await restoreBackup(resolve(dir), config.dataDir, schemaAt, createDataSource({ url, entities: ENTITIES, migrations: MIGRATIONS }), {
      force,
      log: (l) => console.log(l),
      migrationNames: MIGRATIONS.map((m) => new (m as new () => { name: string })().name),
    });
    // The restored schema was made by the superuser: hand it to the role the hub runs as.
    if (db.embedded) await migrateAsAdmin(db.embedded.adminUrl, MIGRATIONS);
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    console.log(`restored ${rows} rows and ${manifest.files.length} files from ${resolve(dir)} in ${Date.now() - started} ms; start the hub with this HUB_DATA_DIR`);
  } finally {
    await db.embedded?.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError || e instanceof Error ? e.message : String(e));
  process.exit(1);
});
