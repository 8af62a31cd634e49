#!/usr/bin/env node
// API benchmark: the hub's authenticated, mission-scoped user list against a bare node:http + pg endpoint that
// runs the very same SQL for the same scope, measured in the same run. Prints requests/s, p50, p95 and the ratios.
//
//   npm run build:hub && node bench/api/run.mjs
//   BENCH_USERS=5000 BENCH_SECONDS=10 BENCH_CONNECTIONS=10 BENCH_DATABASE_URL=postgres://... node bench/api/run.mjs
import autocannon from 'autocannon';
import { mkdirSync, mkdtempSync, chmodSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generate } from 'otplib';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/apps/hub');
if (!existsSync(join(dist, 'apps/hub/src/main.js'))) {
  console.error('dist/apps/hub is missing: run `npm run build:hub` first');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { loadConfig } = require(join(dist, 'libs/config/src'));
const { createDataSource, startEmbeddedPostgres, freePort, MIGRATIONS } = require(join(dist, 'libs/database/src'));
const { ENTITIES } = require(join(dist, 'apps/hub/src/schema'));
const { createHubApp } = require(join(dist, 'apps/hub/src/bootstrap'));
const { seedDemo, DEMO_PASSWORD } = require(join(dist, 'apps/hub/src/seed/demo-seed'));
const { PasswordService, usersListQuery } = require(join(dist, 'libs/identity/src'));

const USERS = Number(process.env.BENCH_USERS ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const log = (...a) => console.error('[bench:api]', ...a);

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

async function measure(name, url, headers) {
  const warm = autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  await warm;
  const latencies = [];
  const instance = autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const errors = result.errors + result.timeouts + result.non2xx;
  if (errors) throw new Error(`${name}: ${errors} failed requests`);
  return {
    name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    bytesPerRequest: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
  };
}

async function main() {
  const cleanups = [];
  try {
    // 1. A database of its own.
    let url;
    if (process.env.BENCH_DATABASE_URL) {
      const name = `hub_bench_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const u = new URL(process.env.BENCH_DATABASE_URL);
      u.pathname = `/${name}`;
      url = u.toString();
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      });
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'hub-bench-pg-'));
      chmodSync(dir, 0o755);
      log('starting embedded PostgreSQL in', dir);
      const embedded = await startEmbeddedPostgres(dir, { notice: () => undefined });
      url = embedded.url;
      cleanups.push(async () => {
        await embedded.stop();
        rmSync(dir, { recursive: true, force: true });
      });
    }

    // 2. Schema, demo data and N more users spread over both missions.
    const ds = createDataSource({ url, entities: ENTITIES, migrations: MIGRATIONS });
    await ds.initialize();
    cleanups.unshift(() => ds.destroy());
    await ds.runMigrations({ transaction: 'each' });
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
      LOG_LEVEL: 'silent',
      LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    });
    const app = await createHubApp(config, ds);
    await app.init();
    await seedDemo(ds, app.get(PasswordService));
    log(`seeding ${USERS} users`);
    await ds.query(
      `WITH m AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM missions),
            u AS (INSERT INTO users (email, display_name, password_hash)
                  SELECT 'user' || g || '@bench.demo', 'Bench User ' || lpad(g::text, 6, '0'), 'x'
                    FROM generate_series(1, $1) g RETURNING id, display_name)
       INSERT INTO memberships (user_id, role, mission_id)
       SELECT u.id, 'trainer', m.id FROM u JOIN m ON m.k = (substring(u.display_name from '\\d+$')::int % 2)`,
      [USERS],
    );
    await ds.query('ANALYZE');
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    cleanups.unshift(() => app.close());

    // 3. Sign in as MINUSCA's mission administrator (enrolling TOTP, as administrators must).
    const base = `http://127.0.0.1:${port}`;
    const call = async (path, body, token) => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body ?? {}),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const first = await call('/api/auth/login', { email: 'admin@minusca.demo', password: DEMO_PASSWORD });
    const setup = await call('/api/auth/mfa/setup', {}, first.accessToken);
    const session = await call('/api/auth/mfa/enable', { code: await generate({ secret: setup.secret }) }, first.accessToken);
    const minusca = session.user.memberships[0].missionId;

    // 4. The baseline: the same SQL for the same scope, straight from a pg pool, no framework, no auth.
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    cleanups.unshift(() => pool.end());
    const query = usersListQuery({ kind: 'missions', missionIds: [minusca] });
    const baseline = createServer(async (_req, res) => {
      try {
        const { rows } = await pool.query(query.text, query.params);
        const body = JSON.stringify(
          rows.map((r) => ({
            id: r.id, email: r.email, displayName: r.display_name, active: r.active, mfaEnabled: r.mfa_enabled,
            specialties: r.specialties,
            memberships: r.memberships.map(({ missionIds, ...m }) => m),
          })),
        );
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
    const basePort = await freePort();
    await new Promise((r) => baseline.listen(basePort, '127.0.0.1', r));
    cleanups.unshift(() => new Promise((r) => baseline.close(r)));

    const auth = { Authorization: `Bearer ${session.accessToken}` };
    const hubUrl = `${base}/api/users`;
    const baseUrl = `http://127.0.0.1:${basePort}/`;
    const hubRows = await (await fetch(hubUrl, { headers: auth })).json();
    const baseRows = await (await fetch(baseUrl)).json();
    const ids = (rows) => rows.map((r) => r.id).sort().join(',');
    if (!hubRows.length || ids(hubRows) !== ids(baseRows)) {
      throw new Error(`hub and baseline disagree: ${hubRows.length} vs ${baseRows.length} rows`);
    }
    log(`both endpoints answer the same ${hubRows.length} rows; ${CONNECTIONS} connections, ${SECONDS} s each`);

    // 5. Measure, baseline first.
    const b = await measure('baseline (node:http + pg)', baseUrl, {});
    const h = await measure('hub GET /api/users (JWT, guard, CASL, scope)', hubUrl, auth);

    const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
    const lines = [
      '',
      `API benchmark: ${hubRows.length} rows per response (${USERS} extra users), ${CONNECTIONS} connections, ${SECONDS} s`,
      'endpoint                                         req/s     p50 ms   p95 ms   p99 ms   bytes/req',
      ...[b, h].map((r) => `${r.name.padEnd(48)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 0).padStart(8)} ${fmt(r.p95, 0).padStart(8)} ${fmt(r.p99, 0).padStart(8)} ${String(r.bytesPerRequest).padStart(11)}`),
      '',
      `ratio hub/baseline: throughput ${fmt(h.rps / b.rps, 2)}x, p95 latency ${fmt(h.p95 / b.p95, 2)}x`,
    ];
    console.log(lines.join('\n'));
    const out = join(root, 'bench/results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ users: USERS, rows: hubRows.length, seconds: SECONDS, connections: CONNECTIONS, baseline: b, hub: h, ratio: { throughput: h.rps / b.rps, p95: h.p95 / b.p95 } }, null, 2));
    log('results written to', file);
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch (e) {
        log('cleanup:', e.message);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
