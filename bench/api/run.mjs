#!/usr/bin/env node
// API benchmark: the hub's authenticated, mission-scoped user list against a bare node:http + pg endpoint that
// runs the very same SQL for the same scope, measured in the same run. Prints requests/s, p50, p95 and the ratios.
// A measurement, not a test: exits 0 when it ran, 1 when something broke (servers closed, database dropped).
//
//   npm run build:hub && node bench/api/run.mjs
//   BENCH_USERS=5000 BENCH_SECONDS=10 BENCH_CONNECTIONS=10 BENCH_ROUNDS=2 BENCH_WARMUP_SECONDS=2 \
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/api/run.mjs
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { benchDatabase, hubModule, log, report, run, signIn, startHub } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const USERS = knob('BENCH_USERS', 5000, 0);
const SECONDS = knob('BENCH_SECONDS', 10, 1);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 10, 1);
const WARMUP = knob('BENCH_WARMUP_SECONDS', 2, 0);
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
// As the other benchmarks: an embedded PostgreSQL, or BENCH_DATABASE_URL, where `hub_bench_<id>` is created and
// dropped afterwards (also on error).
const say = log('api');

/** Extra users spread over both missions (by code: 0 = MINUSCA, 1 = UNMISS), their clinics and hospitals. */
async function seedUsers(ds, count) {
  // One argon2 hash for everyone: the demo password's, so any bench user can also sign in.
  await ds.query(
    `INSERT INTO users (email, display_name, password_hash, specialties, active)
     SELECT 'bench' || g || '@bench.demo',
            (ARRAY['Amina','Bruno','Chloé','Dmitri','Esther','Farid','Grace','Hiro','Ines','Jonas','Kofi','Lena'])[1 + g % 12] || ' ' ||
            (ARRAY['Abebe','Banda','Costa','Diallo','Eriksen','Fofana','Gupta','Haddad','Ivanova','Jensen','Kamau','Lopez',
                   'Mensah','Nguyen','Okafor','Perez','Quispe','Rahman','Silva','Traoré','Usman','Varga','Wanjiru','Yilmaz'])[1 + (g / 12) % 24]
            || ' ' || lpad(g::text, 6, '0'),
            h.password_hash,
            CASE WHEN (g / 2) % 10 IN (4, 5, 6)
                 THEN ARRAY['general_medicine', (ARRAY['surgery', 'dermatology', 'cardiology', 'radiology'])[1 + g % 4]]
                 ELSE '{}'::text[] END,
            g % 50 <> 0
       FROM generate_series(0, $1::int - 1) g, (SELECT password_hash FROM users WHERE email = 'officer@minusca.demo') h`,
    [count],
  );
  // Per user g: mission g % 2; by (g / 2) % 10: 0-3 field officer at one of the mission's Level 1 clinics, 4-5
  // reference doctor at its Level 2 hospital, 6 reference doctor at the Level 4 hospital (facility only, reaching
  // both missions), 7 and 9 health manager, 8 trainer; every 7th user also trains in the other mission.
  await ds.query(
    `WITH bu AS (SELECT id, substring(email from '^bench(\\d+)@')::int AS g FROM users WHERE email LIKE 'bench%@bench.demo'),
          ms AS (SELECT id, (row_number() OVER (ORDER BY code) - 1)::int AS k FROM missions),
          fac AS (SELECT fm.mission_id, f.id, f.level,
                         (row_number() OVER (PARTITION BY fm.mission_id, f.level ORDER BY f.name) - 1)::int AS k,
                         (count(*) OVER (PARTITION BY fm.mission_id, f.level))::int AS n
                    FROM facilities f JOIN facility_missions fm ON fm.facility_id = f.id),
          l4 AS (SELECT id FROM facilities WHERE level = 4 ORDER BY name LIMIT 1),
          u AS (SELECT bu.id, bu.g, ms.id AS mission_id, (bu.g / 2) % 10 AS kind FROM bu JOIN ms ON ms.k = bu.g % 2)
     INSERT INTO memberships (user_id, role, mission_id, facility_id)
     SELECT u.id, 'field_medical_officer'::role, u.mission_id, f.id
       FROM u JOIN fac f ON f.mission_id = u.mission_id AND f.level = 1 AND f.k = u.g % f.n WHERE u.kind < 4
     UNION ALL
     SELECT u.id, 'reference_doctor'::role, u.mission_id, f.id
       FROM u JOIN fac f ON f.mission_id = u.mission_id AND f.level = 2 AND f.k = u.g % f.n WHERE u.kind IN (4, 5)
     UNION ALL
     SELECT u.id, 'reference_doctor'::role, NULL, l4.id FROM u, l4 WHERE u.kind = 6
     UNION ALL
     SELECT u.id, (CASE u.kind WHEN 8 THEN 'trainer' ELSE 'health_manager' END)::role, u.mission_id, NULL
       FROM u WHERE u.kind IN (7, 8, 9)
     UNION ALL
     SELECT u.id, 'trainer'::role, o.id, NULL FROM u JOIN ms o ON o.id <> u.mission_id WHERE u.g % 7 = 0`,
  );
  await ds.query('ANALYZE');
}

const percentile = (sorted, p) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];

/** One autocannon run in a worker thread (after `warmup` s unmeasured): totals and every response time. */
function segment(target, seconds, warmup, track) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { url: target.url, headers: target.headers, connections: CONNECTIONS, seconds, warmup },
    });
    track(worker);
    worker.once('message', (r) => {
      const failed = r.errors + r.timeouts + r.non2xx;
      if (failed) reject(new Error(`${target.name}: ${failed} failed requests (${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`));
      else resolve(r);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code && reject(new Error(interrupted ? 'interrupted' : `${target.name}: load worker exited with ${code}`)));
  });
}

/**
 * SECONDS per endpoint, split into ROUNDS segments run in ABBA order (baseline, hub, hub, baseline, ...) so that a
 * drift in the machine's load weighs on both alike; each endpoint is warmed up before its first segment.
 * p50/p95/p99 are exact (nearest rank) over every response time of all its segments.
 */
async function measureBoth(baseline, hub, track) {
  const per = Math.max(1, Math.round(SECONDS / ROUNDS));
  const segments = new Map([[baseline, []], [hub, []]]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of round % 2 ? [hub, baseline] : [baseline, hub]) {
      const done = segments.get(target);
      done.push(await segment(target, per, done.length ? 0 : WARMUP, track));
      await target.drain();
    }
  }
  return [baseline, hub].map((target) => {
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
      segments: runs.map((r) => ({ seconds: r.duration, rps: r.requests / r.duration, autocannonHistogram: r.histogram })),
    };
  });
}

let interrupted = false;

/** Waits (up to 10 s) until a pg pool has no query running or queued: requests autocannon abandoned at the end. */
async function drain(pool) {
  for (let i = 0; i < 100 && pool && (pool.waitingCount > 0 || pool.totalCount > pool.idleCount); i++) await sleep(100);
}

run(async (cleanups) => {
  let worker = null;
  const { freePort } = hubModule('libs/database/src');
  const { usersListQuery } = hubModule('libs/identity/src');
  const started = Date.now();
  const url = await benchDatabase(cleanups, say);
  say('database', new URL(url).pathname.slice(1));
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const nestless = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
  const { ds, base } = await startHub(url, cleanups); // migrations, the real hub (production config), demo seed
  // Nest's shutdown hooks would close the app and re-raise the signal before the database is dropped: on a signal,
  // run every cleanup instead (app.close is one of them), then exit.
  for (const sig of signals) {
    for (const l of process.listeners(sig)) if (!nestless.get(sig).has(l)) process.removeListener(sig, l);
    process.once(sig, () => {
      say(`${sig}: cleaning up`);
      interrupted = true;
      const steps = cleanups.splice(0);
      const done = (async () => {
        for (const c of steps) {
          await Promise.race([Promise.resolve().then(c), sleep(5000).then(() => say('cleanup step timed out'))]).catch((e) => say('cleanup:', e.message));
        }
      })();
      cleanups.push(() => done); // should the main flow fail meanwhile, run() waits for these before exiting
      worker?.terminate();
      done.then(() => process.exit(130));
    });
  }
  say(`seeding ${USERS} users`);
  await seedUsers(ds, USERS);

  // MINUSCA's mission administrator (enrolling TOTP, as administrators must).
  const session = await signIn(base, 'admin@minusca.demo');
  const [{ id: minusca }] = await ds.query(`SELECT id FROM missions WHERE code = 'MINUSCA'`);

  // The baseline: the same SQL (UsersRepository.list's, for the MINUSCA scope) on a pg pool of the hub's size,
  // mapped to the same JSON as the hub's UserView; no framework, no authentication.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  cleanups.unshift(() => pool.end());
  const query = usersListQuery({ kind: 'missions', missionIds: [minusca] });
  const unlimited = query.text.replace(/\bLIMIT\s+\d+\s*$/, '');
  const [{ n: inScope }] = await ds.query(`SELECT count(*)::int AS n FROM (${unlimited}) x`, query.params);
  const baseline = createServer(async (_req, res) => {
    try {
      const { rows } = await pool.query(query.text, query.params);
      const body = JSON.stringify(
        rows.map((r) => ({
          id: r.id, email: r.email, displayName: r.display_name, active: r.active, mfaEnabled: r.mfa_enabled,
          specialties: r.specialties, memberships: r.memberships.map(({ missionIds: _m, ...m }) => m),
        })),
      );
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  const basePort = await freePort();
  await new Promise((r) => baseline.listen(basePort, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => baseline.close(r)));

  // Hub without ?missionId: its query is then exactly usersListQuery(caller's scope) = the baseline's.
  const headers = { Authorization: `Bearer ${session.accessToken}` };
  const hubUrl = `${base}/api/users`;
  const baseUrl = `http://127.0.0.1:${basePort}/users`;
  const fetchText = async (u, h) => {
    const res = await fetch(u, { headers: h });
    if (!res.ok) throw new Error(`${u}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res.text();
  };
  const [hubBody, baseBody] = [await fetchText(hubUrl, headers), await fetchText(baseUrl)];
  const ids = (body) => JSON.parse(body).map((r) => r.id).sort();
  const [hubIds, baseIds] = [ids(hubBody), ids(baseBody)];
  if (!hubIds.length || hubIds.join() !== baseIds.join()) {
    throw new Error(`hub and baseline answer different users: ${hubIds.length} vs ${baseIds.length} rows`);
  }
  say(`both answer the same ${hubIds.length} users (of ${inScope} in MINUSCA's scope; the query stops at LIMIT 500);`,
    `bodies ${hubBody === baseBody ? 'byte-identical' : 'differ (same ids)'}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s each in ${ROUNDS} ABBA rounds`);

  // The floor both endpoints stand on: the SQL alone, one execution at a time (median of 10).
  const sqlTimes = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await pool.query(query.text, query.params);
    sqlTimes.push(performance.now() - t);
  }
  const sqlMs = sqlTimes.sort((x, y) => x - y)[5];
  say(`the SQL alone: ${sqlMs.toFixed(1)} ms per execution (median of 10, one at a time)`);

  // The two cores are shared with PostgreSQL and with anything else running: say so when the machine is busy.
  const loadBefore = loadavg()[0];
  if (loadBefore > cpus().length / 2) say(`warning: load average ${loadBefore.toFixed(2)} on ${cpus().length} cores; numbers will be noisy`);
  const [b, h] = await measureBoth(
    { name: 'baseline node:http + pg (same SQL, no auth)', url: baseUrl, headers: {}, drain: () => drain(pool) },
    { name: 'hub GET /api/users (JWT, caller reload, CASL)', url: hubUrl, headers, drain: () => drain(ds.driver.master) },
    (w) => (worker = w),
  );
  const file = report(
    `API benchmark: ${hubIds.length} rows per response (${USERS} extra users, ${inScope} in scope), ${CONNECTIONS} connections, ${SECONDS} s each (${ROUNDS} ABBA rounds) after ${WARMUP} s warm-up; p50/p95/p99 exact over every response`,
    [b, h],
    { throughput: h.rps / b.rps, p95: h.p95 / b.p95 },
    'api',
    {
      users: USERS, usersInScope: inScope, sqlMs, rowsPerResponse: hubIds.length, seconds: SECONDS, rounds: ROUNDS, warmup: WARMUP, connections: CONNECTIONS,
      bodiesIdentical: hubBody === baseBody, node: process.version, cores: cpus().length,
      loadAverage: { before: loadBefore, after: loadavg()[0] }, totalSeconds: (Date.now() - started) / 1000,
    },
  );
  say(`results written to ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
});
