#!/usr/bin/env node
// Caseload dashboard at scale: one million cases, GET /api/monitoring/dashboard (12 weeks, one mission) on the real
// hub against the same aggregate queries run directly (no HTTP framework, authentication or audit) in the same
// run; prints req/s, p50/p95/p99, the ratio and the plan of the heaviest query.
//
//   npm run build:hub && node bench/dashboard/run.mjs
//   BENCH_CASES=1000000 BENCH_SECONDS=10 BENCH_CONNECTIONS=4 BENCH_DATABASE_URL=postgres://... node bench/dashboard/run.mjs
import { createServer } from 'node:http';
import { benchDatabase, hubModule, log, measure, report, run, seedCases, signIn, startHub } from '../lib.mjs';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const say = log('dashboard');

run(async (cleanups) => {
  const { freePort } = hubModule('libs/database/src');
  const { DashboardRepository } = hubModule('libs/monitoring/src');
  const url = await benchDatabase(cleanups, say);
  const { ds, base } = await startHub(url, cleanups);
  await seedCases(ds, CASES, say);
  const [{ n: facts }] = await ds.query('SELECT count(*)::int AS n FROM case_facts');
  say(`${facts.toLocaleString()} case facts kept by the trigger`);

  const session = await signIn(base, 'manager@minusca.demo');
  const headers = { Authorization: `Bearer ${session.accessToken}` };
  const missionId = session.user.memberships[0].missionId;
  const now = new Date();
  const to = new Date(now.toISOString().slice(0, 10) + 'T00:00:00Z');
  const q = { missionIds: [missionId], from: new Date(to.getTime() - 83 * 86400_000), to: new Date(to.getTime() + 86400_000), now };

  // Baseline: the same queries, straight from the repository on the pool.
  const repo = new DashboardRepository(ds);
  const direct = () =>
    Promise.all([
      repo.weekly(q), repo.openByUrgency(q), repo.responseTimes(q), repo.slaAndOutcomes(q), repo.alerts([missionId], now),
    ]);
  const baseline = createServer(async (_req, res) => {
    const r = await direct();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(r));
  });
  const basePort = await freePort();
  await new Promise((r) => baseline.listen(basePort, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => baseline.close(r)));

  // One timing per query, to see where the time goes.
  const timed = async (name, fn) => {
    const t = process.hrtime.bigint();
    await fn();
    console.log(`  ${name.padEnd(28)} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1)} ms`);
  };
  console.log('\nQuery timings (one run each):');
  await timed('weekly', () => repo.weekly(q));
  await timed('openByUrgency', () => repo.openByUrgency(q));
  await timed('responseTimes (5 groupings)', () => repo.responseTimes(q));
  await timed('slaAndOutcomes', () => repo.slaAndOutcomes(q));
  await timed('alerts', () => repo.alerts([missionId], now));

  const hubBody = await (await fetch(`${base}/api/monitoring/dashboard`, { headers })).json();
  const [, , times] = await direct();
  if (hubBody.responseTimes.overall.cases !== times.overall.cases) throw new Error('hub and baseline disagree');
  say(`${hubBody.responseTimes.overall.cases.toLocaleString()} cases in the 12-week window of this mission`);

  const params = [q.from, q.to, [missionId]];
  const plan = (
    await ds.query(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT count(*),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.answered_at - f.submitted_at) / 60),
         percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM f.answered_at - f.submitted_at) / 60)
         FROM case_facts f WHERE f.mission_id = ANY($3::uuid[]) AND f.submitted_at >= $1 AND f.submitted_at < $2`,
      params,
    )
  ).map((r) => r['QUERY PLAN']);
  console.log(`\nQuery plan (response times, one mission, 12 weeks):\n  ${plan.join('\n  ')}`);

  const rows = [
    await measure('baseline: the same queries, no HTTP/auth/audit', { url: `http://127.0.0.1:${basePort}/` }, SECONDS, CONNECTIONS),
    await measure('hub GET /api/monitoring/dashboard', { url: `${base}/api/monitoring/dashboard`, headers }, SECONDS, CONNECTIONS),
  ];
  const file = report(
    `Caseload dashboard at ${CASES.toLocaleString()} cases (${hubBody.responseTimes.overall.cases.toLocaleString()} in the window), ${CONNECTIONS} connections, ${SECONDS} s`,
    rows,
    { throughput: rows[1].rps / rows[0].rps, p95: rows[1].p95 / rows[0].p95 },
    'dashboard',
    { cases: CASES, plan },
  );
  say('results written to', file);
});
