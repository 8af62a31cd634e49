#!/usr/bin/env node
// Backup and restore of a hub with 100k cases (npm run backup / npm run restore code paths), each against a baseline
// measured in the same run on the same data: the backup against reading every row of every table once inside the
// same kind of snapshot (the least a logical copy must do), the restore against copying every table inside the
// server (INSERT … SELECT, no client round trip). Sides alternate; the load average is printed.
//
//   npm run build:hub && node bench/backup/run.mjs
//   BENCH_CASES=100000 BENCH_ROUNDS=2 node bench/backup/run.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { benchDatabase, hubModule, log, run, seedCases, startHub } from '../lib.mjs';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const say = log('backup');

setTimeout(() => {
  console.error(`[bench:backup] timed out after ${TIMEOUT_MS} ms`);
  process.exit(3);
}, TIMEOUT_MS).unref();

const withDb = (url, name) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

run(async (cleanups) => {
  const { createBackup, restoreBackup, createDataSource, MIGRATIONS } = hubModule('libs/database/src');
  const { ENTITIES } = hubModule('apps/hub/src/schema');
  const url = await benchDatabase(cleanups, say);
  const { ds } = await startHub(url, cleanups);
  await seedCases(ds, CASES, say);
  const tables = (await ds.query(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`)).map((r) => r.t);
  const [{ n: cases }] = await ds.query('SELECT count(*)::int AS n FROM referral_cases');
  const [{ n: rows }] = await ds.query(`SELECT sum(n_live_tup)::int AS n FROM pg_stat_user_tables`);
  say(`${cases.toLocaleString()} cases, about ${rows.toLocaleString()} rows in ${tables.length} tables`);

  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-backup-data-'));
  const backupDir = mkdtempSync(join(tmpdir(), 'hub-bench-backups-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => rmSync(backupDir, { recursive: true, force: true }));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  cleanups.unshift(() => admin.end());

  const readAll = async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const t of tables) await runner.query(`SELECT count(row_to_json(x)::text) FROM "${t}" x`);
      await runner.query('COMMIT');
    } finally {
      await runner.release();
    }
  };
  const copyInServer = async (i) => {
    const name = `bench_copy_${i}`;
    await admin.query(`CREATE SCHEMA ${name}`);
    for (const t of tables) await admin.query(`CREATE TABLE ${name}."${t}" AS SELECT * FROM public."${t}"`);
    await admin.query(`DROP SCHEMA ${name} CASCADE`);
  };
  const time = async (f) => {
    const s = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - s) / 1e6;
  };

  const results = { backup: [], read: [], restore: [], copy: [] };
  let lastBackup;
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 ? ['read', 'backup'] : ['backup', 'read'];
    for (const side of order) {
      if (side === 'read') results.read.push(await time(readAll));
      else results.backup.push(await time(async () => (lastBackup = await createBackup(ds, dataDir, backupDir))));
    }
    const restoreDb = `hub_restore_${i}`;
    await admin.query(`CREATE DATABASE ${restoreDb}`);
    const rUrl = withDb(url, restoreDb);
    const restoreOnce = () =>
      restoreBackup(lastBackup.path, dataDir, (names) => createDataSource({ url: rUrl, entities: [], migrations: MIGRATIONS.filter((m) => names.includes(new m().name)) }), createDataSource({ url: rUrl, entities: ENTITIES, migrations: MIGRATIONS }), { migrationNames: MIGRATIONS.map((m) => new m().name) });
    const order2 = i % 2 ? ['copy', 'restore'] : ['restore', 'copy'];
    for (const side of order2) {
      if (side === 'copy') results.copy.push(await time(() => copyInServer(i)));
      else results.restore.push(await time(restoreOnce));
    }
    // check the set-up lost nothing: same row count in every table
    const rc = new pg.Client({ connectionString: rUrl });
    await rc.connect();
    for (const t of tables) {
      const [a] = (await admin.query(`SELECT count(*)::int AS n FROM "${t}"`)).rows;
      const [b] = (await rc.query(`SELECT count(*)::int AS n FROM "${t}"`)).rows;
      if (a.n !== b.n) throw new Error(`restore lost rows of ${t}: ${a.n} vs ${b.n}`);
    }
    await rc.end();
    await admin.query(`DROP DATABASE ${restoreDb} WITH (FORCE)`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  console.log(`cases ${cases}; rows ~${rows}; rounds ${ROUNDS}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`backup  ${(m.backup / 1000).toFixed(1)} s   baseline (read every row in one snapshot) ${(m.read / 1000).toFixed(1)} s   ratio ${(m.backup / m.read).toFixed(2)}`);
  console.log(`restore ${(m.restore / 1000).toFixed(1)} s   baseline (copy every table inside the server) ${(m.copy / 1000).toFixed(1)} s   ratio ${(m.restore / m.copy).toFixed(2)}`);
});
