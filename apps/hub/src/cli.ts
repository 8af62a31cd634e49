import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditService } from '@hub/audit';
import { ConfigError, loadConfig, projectRoot } from '@hub/config';
import { openDatabase, resolveSecrets } from './bootstrap';

const USAGE = `usage: hub-cli <command>
  migrate                 apply pending migrations
  verify-audit [chain]    verify the audit hash chains; exit 1 and name the first broken record if any
  migration:generate Name write a migration with the SQL that brings the database to the entities
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
  const db = await openDatabase(config, 'cli');
  try {
    if (command === 'migrate') {
      const applied = await db.dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'no pending migrations');
    } else if (command === 'verify-audit') {
      const reports = await new AuditService(db.dataSource).verify(arg);
      for (const r of reports) {
        console.log(r.ok ? `ok      ${r.chain} (${r.records} records)` : `BROKEN  ${r.chain}: record ${r.firstBrokenId}: ${r.reason}`);
      }
      process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
    } else if (command === 'migration:generate') {
      if (!arg || !/^[A-Z][A-Za-z0-9]+$/.test(arg)) throw new Error('give the migration a PascalCase name');
      await db.dataSource.runMigrations();
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

main().catch((e) => {
  console.error(e instanceof ConfigError || e instanceof Error ? e.message : String(e));
  process.exit(1);
});
