// Shared plumbing of the benchmarks: a database of their own, the real hub on it, sign-in, autocannon runs.
import autocannon from 'autocannon';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'otplib';
import pg from 'pg';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/apps/hub');
if (!existsSync(join(dist, 'apps/hub/src/main.js'))) {
  console.error('dist/apps/hub is missing: run `npm run build:hub` first');
  process.exit(2);
}
const require = createRequire(import.meta.url);
export const hubModule = (path) => require(join(dist, path));

export const log = (name) => (...a) => console.error(`[bench:${name}]`, ...a);

/** The load average and the number of cores, to print beside every figure. */
export const loadLine = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;

/**
 * Runs `body` with cleanups that always happen (servers closed, database dropped), then exits. With
 * `timeoutSeconds` (BENCH_TIMEOUT_SECONDS overrides it) a benchmark that takes longer fails with a message instead of
 * hanging.
 */
export async function run(body, { timeoutSeconds } = {}) {
  const cleanups = [];
  const limit = Number(process.env.BENCH_TIMEOUT_SECONDS ?? timeoutSeconds ?? 0);
  if (limit > 0) {
    setTimeout(async () => {
      console.error(`\nFAILED: the benchmark did not finish within ${limit} s (BENCH_TIMEOUT_SECONDS); cleaning up and exiting`);
      const steps = cleanups.splice(0);
      for (const c of steps) await Promise.race([Promise.resolve().then(c), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
      process.exit(3);
    }, limit * 1000).unref();
  }
  try {
    await body(cleanups);
    process.exitCode = 0;
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch (e) {
        console.error('cleanup:', e.message);
      }
    }
    process.exit();
  }
}

/** BENCH_DATABASE_URL (a server where the user may create databases) or an embedded PostgreSQL. */
export async function benchDatabase(cleanups, say) {
  const { startEmbeddedPostgres } = hubModule('libs/database/src');
  if (process.env.BENCH_DATABASE_URL && process.env.BENCH_KEEP_DATABASE) {
    // A database kept between runs (e.g. the 1M-case seed): created once, never dropped, migrated by startHub.
    const name = process.env.BENCH_KEEP_DATABASE;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error('BENCH_KEEP_DATABASE must be a plain lower-case name');
    const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(process.env.BENCH_DATABASE_URL);
    u.pathname = `/${name}`;
    say(`using the kept database ${name} (BENCH_KEEP_DATABASE; not dropped)`);
    return u.toString();
  }
  if (process.env.BENCH_DATABASE_URL) {
    const name = `hub_bench_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(process.env.BENCH_DATABASE_URL);
    u.pathname = `/${name}`;
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    });
    return u.toString();
  }
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-pg-'));
  chmodSync(dir, 0o755);
  say('starting embedded PostgreSQL in', dir);
  const embedded = await startEmbeddedPostgres(dir, { appRole: false, notice: () => undefined });
  cleanups.push(async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return embedded.url;
}

/** Migrates, builds the real hub on the database, seeds the demo data and listens on a free port. */
export async function startHub(url, cleanups) {
  const { createDataSource, freePort, MIGRATIONS } = hubModule('libs/database/src');
  const { ENTITIES } = hubModule('apps/hub/src/schema');
  const { createHubApp } = hubModule('apps/hub/src/bootstrap');
  const { seedDemo } = hubModule('apps/hub/src/seed/demo-seed');
  const { PasswordService } = hubModule('libs/identity/src');
  const { loadConfig } = hubModule('libs/config/src');
  const ds = createDataSource({ url, entities: ENTITIES, migrations: MIGRATIONS });
  await ds.initialize();
  cleanups.unshift(() => ds.destroy());
  await ds.runMigrations({ transaction: 'each' });
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-data-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: url,
    HUB_DATA_DIR: dataDir,
    JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
    AUDIT_KEY: 'benchmark-audit-key-benchmark-audit-key-0001', // the same in every run: kept databases' chains verify
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    // A benchmark's connections are often one user's (bench:queue: one doctor, 10 at once); the per-user cap on
    // requests in flight (6 by default) would answer 429 on purpose, and a refusal is not the work being measured.
    USER_MAX_CONCURRENT_REQUESTS: '1000',
    // media ports from the environment or ephemeral ones (0): another hub on this machine may hold 44400
    MEDIA_PORT_MIN: process.env.MEDIA_PORT_MIN ?? '0',
    ...(process.env.MEDIA_WORKERS ? { MEDIA_WORKERS: process.env.MEDIA_WORKERS } : {}),
  });
  const app = await createHubApp(config, ds);
  await app.init();
  await seedDemo(ds, app.get(PasswordService));
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  cleanups.unshift(() => app.close());
  return { app, ds, base: `http://127.0.0.1:${port}` };
}

/** Signs in a demo user (enrolling TOTP if the role requires it) and returns the session. */
export async function signIn(base, email) {
  const { DEMO_PASSWORD } = hubModule('apps/hub/src/seed/demo-seed');
  const call = async (path, body, token) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body ?? {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const first = await call('/api/auth/login', { email, password: DEMO_PASSWORD });
  if (!first.mfaEnrolmentRequired) return first;
  const setup = await call('/api/auth/mfa/setup', {}, first.accessToken);
  return call('/api/auth/mfa/enable', { code: await generate({ secret: setup.secret }) }, first.accessToken);
}

const percentile = (sorted, p) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];

/** autocannon for `seconds` after a 2 s warm-up; p95 is computed from every response time. */
export async function measure(name, opts, seconds, connections) {
  await autocannon({ ...opts, connections, duration: 2 });
  const latencies = [];
  const instance = autocannon({ ...opts, connections, duration: seconds });
  instance.on('response', (_c, _s, _b, t) => latencies.push(t));
  const r = await instance;
  latencies.sort((a, b) => a - b);
  const failed = r.errors + r.timeouts + r.non2xx;
  if (failed) throw new Error(`${name}: ${failed} failed requests`);
  return {
    name,
    requests: r.requests.total,
    rps: r.requests.average,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    bytesPerRequest: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
  };
}

export function report(title, rows, ratio, file, extra = {}) {
  const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  console.log(
    [
      '',
      title,
      'endpoint                                              req/s     p50 ms   p95 ms   p99 ms   bytes/req',
      ...rows.map((r) => `${r.name.padEnd(53)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 0).padStart(8)} ${fmt(r.p95, 0).padStart(8)} ${fmt(r.p99, 0).padStart(8)} ${String(r.bytesPerRequest).padStart(11)}`),
      ...(ratio ? ['', `ratio hub/baseline: throughput ${fmt(ratio.throughput, 2)}x, p95 latency ${fmt(ratio.p95, 2)}x`] : []),
    ].join('\n'),
  );
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const path = join(out, `${file}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify({ rows, ratio, ...extra }, null, 2));
  return path;
}

/**
 * Patients and cases spread over both missions, their clinics, all 15 specialties and every status (about 5 %
 * still waiting for a specialist; the others answered, closed or cancelled, with response times and outcomes), the
 * history missions build over five years. Shows progress.
 */
export async function seedCases(ds, count, say, batch = 100_000) {
  say('seeding 20000 patients');
  await ds.query(`
    INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
    SELECT fm.mission_id, 'SN-' || g, 'First' || g, 'Last' || g, date '1985-01-01' + (g % 5000), 'male', 'BGD', 'BENCH', f.id,
           (SELECT user_id FROM memberships WHERE role = 'field_medical_officer' LIMIT 1)
      FROM generate_series(1, 20000) g
      JOIN LATERAL (SELECT id FROM facilities WHERE level = 1 ORDER BY name OFFSET (g % 4) LIMIT 1) f ON true
      JOIN facility_missions fm ON fm.facility_id = f.id`);
  await ds.query('CREATE TEMP TABLE IF NOT EXISTS bench_patients AS SELECT row_number() OVER () AS n, id, mission_id, current_facility_id FROM patients');
  await ds.query('CREATE TEMP TABLE IF NOT EXISTS bench_specialties AS SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM specialties');
  const [{ id: doctor }] = await ds.query(`SELECT id FROM users WHERE email = 'doctor@minusca.demo'`);
  const started = Date.now();
  for (let from = 1; from <= count; from += batch) {
    const to = Math.min(count, from + batch - 1);
    await ds.query(
      `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, specialty_code, urgency, urgency_rank, status,
         consent_given, presenting_complaint, question, submitted_at, deadline_at, created_at, accepted_at, answered_at, closed_at,
         assigned_doctor_id, outcome, evacuation_advice)
       SELECT p.mission_id, p.id, p.current_facility_id, (SELECT user_id FROM memberships WHERE role = 'field_medical_officer' LIMIT 1),
              s.code, (ARRAY['emergency','urgent','routine'])[1 + g % 3], g % 3, st.status,
              true, 'Complaint ' || g, 'Question ' || g,
              t.at, t.at + interval '1 day', t.at,
              CASE WHEN st.status IN ('answered', 'closed') THEN t.at + (g % 120) * interval '1 minute' END,
              CASE WHEN st.status IN ('answered', 'closed') THEN t.at + (120 + g % 3000) * interval '1 minute' END,
              CASE WHEN st.status = 'closed' THEN t.at + interval '5 days' END,
              CASE WHEN st.status IN ('answered', 'closed') THEN $3::uuid END,
              CASE WHEN st.status = 'closed' THEN jsonb_build_object('outcome', (ARRAY['treated_locally','evacuated','transferred'])[1 + g % 3],
                     'evacuationDone', g % 3 = 1, 'evacuationAvoided', g % 7 = 0) END,
              CASE WHEN st.status IN ('answered', 'closed') THEN jsonb_build_object('type', CASE WHEN g % 5 = 0 THEN 'medevac' ELSE 'none' END) END
         FROM generate_series($1::int, $2::int) g
         JOIN bench_patients p ON p.n = 1 + g % 20000
         JOIN bench_specialties s ON s.n = abs(hashint4(g)) % 15
         -- in time order, as a real history is written (rows of one period lie together on disk)
         CROSS JOIN LATERAL (SELECT now() - ($4::int - g) * (2628000.0 / $4::int) * interval '1 minute' AS at) t
         CROSS JOIN LATERAL (SELECT CASE abs(hashint4(g + 7)) % 20 WHEN 0 THEN 'submitted' WHEN 1 THEN 'answered'
                                     WHEN 2 THEN 'cancelled' ELSE 'closed' END AS status) st`,
      [from, to, doctor, count],
    );
    const rate = Math.round(to / ((Date.now() - started) / 1000));
    say(`cases ${to.toLocaleString()}/${count.toLocaleString()} (${rate.toLocaleString()}/s)`);
  }
  // Steady state: autovacuum would have run (visibility map set, statistics fresh).
  await ds.query('VACUUM ANALYZE');
}

/** One load segment in a worker thread (its own event loop, never the servers'): totals and every response time. */
export function loadSegment(target, { seconds, warmup = 0, connections }) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./api/load-worker.mjs', import.meta.url), {
      workerData: { url: target.url, headers: target.headers, connections, seconds, warmup },
    });
    const guard = setTimeout(() => {
      worker.terminate();
      reject(new Error(`${target.name}: the load worker did not finish within ${seconds + warmup + 60} s`));
    }, (seconds + warmup + 60) * 1000);
    worker.once('message', (r) => {
      clearTimeout(guard);
      const failed = r.errors + r.timeouts + r.non2xx;
      if (failed) reject(new Error(`${target.name}: ${failed} failed requests (${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`));
      else resolve(r);
    });
    worker.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

/**
 * `seconds` per side split into `rounds` segments, the sides' order reversed every round (A B C, C B A, A B C...)
 * so a drift in the machine's load weighs on every side alike; each side warms up before its first segment.
 * p50/p95/p99 are exact (nearest rank) over every response time of all its segments.
 */
export async function measureSides(targets, { seconds, rounds, warmup, connections }, say = () => undefined) {
  const per = Math.max(1, Math.round(seconds / rounds));
  const segments = new Map(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 ? [...targets].reverse() : targets) {
      const done = segments.get(target);
      const r = await loadSegment(target, { seconds: per, warmup: done.length ? 0 : warmup, connections });
      say(`round ${round + 1}/${rounds} ${target.name}: ${(r.requests / r.duration).toFixed(1)} req/s (${loadLine()})`);
      done.push(r);
      await target.drain?.();
    }
  }
  return targets.map((target) => {
    const runs = segments.get(target);
    const sum = (k) => runs.reduce((acc, r) => acc + r[k], 0);
    const sorted = Float64Array.from(runs.flatMap((r) => [...r.latencies])).sort();
    return {
      name: target.name,
      requests: sum('requests'),
      rps: sum('requests') / sum('duration'),
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      bytesPerRequest: Math.round(sum('bytes') / Math.max(1, sum('requests'))),
      segments: runs.map((r) => ({ seconds: r.duration, rps: r.requests / r.duration })),
    };
  });
}
