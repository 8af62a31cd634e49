#!/usr/bin/env node
// Doctor's queue at scale: 1 million cases, GET /api/cases?view=queue (keyset paging) on the real hub against the
// very same SQL served raw from pg, in the same run; prints req/s, p50/p95/p99, the ratio and the query plan.
//
//   npm run build:hub && node bench/queue/run.mjs
//   BENCH_CASES=1000000 BENCH_SECONDS=10 BENCH_CONNECTIONS=10 BENCH_DATABASE_URL=postgres://... node bench/queue/run.mjs
import { createServer } from 'node:http';
import pg from 'pg';
import { benchDatabase, hubModule, log, measure, report, run, seedCases, signIn, startHub } from '../lib.mjs';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const say = log('queue');

run(async (cleanups) => {
  const { freePort } = hubModule('libs/database/src');
  const { queueQuery } = hubModule('libs/cases/src');
  const { clinicalScopeOf } = hubModule('libs/access/src');
  const url = await benchDatabase(cleanups, say);
  const { ds, base, app } = await startHub(url, cleanups);

  await seedCases(ds, CASES, say);

  const session = await signIn(base, 'doctor@minusca.demo');
  const headers = { Authorization: `Bearer ${session.accessToken}` };
  const resolver = app.get(hubModule('libs/access/src').PRINCIPAL_RESOLVER);
  const scope = clinicalScopeOf(await resolver.resolve(session.accessToken));
  const [{ n: waiting }] = await ds.query(
    `SELECT count(*)::int AS n FROM referral_cases WHERE status = 'submitted' AND specialty_code = ANY($1) AND mission_id = ANY($2::uuid[])`,
    [scope.specialties, scope.primaryMissionIds],
  );
  say(`${waiting.toLocaleString()} cases wait in this doctor's queue (specialties ${scope.specialties.join(', ')})`);

  // Walk 20 pages with the hub's cursors to get a deep page.
  let cursor = null;
  for (let i = 0; i < 20; i++) {
    const page = await (await fetch(`${base}/api/cases?view=queue&limit=25${cursor ? `&cursor=${cursor}` : ''}`, { headers })).json();
    cursor = page.nextCursor;
  }
  const deepAfter = JSON.parse(Buffer.from(cursor, 'base64url').toString());

  const pool = new pg.Pool({ connectionString: url, max: 10 });
  cleanups.unshift(() => pool.end());
  const firstQuery = queueQuery(scope, null, 26);
  const deepQuery = queueQuery(scope, deepAfter, 26);
  const baseline = createServer(async (req, res) => {
    const q = req.url?.includes('deep') ? deepQuery : firstQuery;
    const { rows } = await pool.query(q.text, q.params);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ items: rows.slice(0, 25) }));
  });
  const basePort = await freePort();
  await new Promise((r) => baseline.listen(basePort, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => baseline.close(r)));

  const hubFirst = await (await fetch(`${base}/api/cases?view=queue&limit=25`, { headers })).json();
  const rawFirst = await (await fetch(`http://127.0.0.1:${basePort}/first`)).json();
  if (hubFirst.items.map((c) => c.id).join() !== rawFirst.items.map((c) => c.id).join()) throw new Error('hub and baseline disagree on the first page');

  const plan = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${deepQuery.text}`, deepQuery.params)).rows.map((r) => r['QUERY PLAN']);
  console.log(`\nQuery plan (page 21 of the queue):\n  ${plan.join('\n  ')}`);

  const rows = [
    await measure('baseline first page (node:http + pg)', { url: `http://127.0.0.1:${basePort}/first` }, SECONDS, CONNECTIONS),
    await measure('hub GET /api/cases?view=queue first page', { url: `${base}/api/cases?view=queue&limit=25`, headers }, SECONDS, CONNECTIONS),
    await measure('baseline page 21 (node:http + pg)', { url: `http://127.0.0.1:${basePort}/deep` }, SECONDS, CONNECTIONS),
    await measure('hub GET /api/cases?view=queue page 21 (cursor)', { url: `${base}/api/cases?view=queue&limit=25&cursor=${cursor}`, headers }, SECONDS, CONNECTIONS),
  ];
  const file = report(
    `Doctor's queue at ${CASES.toLocaleString()} cases (${waiting.toLocaleString()} waiting for this doctor), 25 per page, ${CONNECTIONS} connections, ${SECONDS} s`,
    rows,
    { throughput: rows[1].rps / rows[0].rps, p95: rows[1].p95 / rows[0].p95 },
    'queue',
    { cases: CASES, waiting, plan, deepPageRatio: { throughput: rows[3].rps / rows[2].rps, p95: rows[3].p95 / rows[2].p95 } },
  );
  console.log(`deep page ratio hub/baseline: throughput ${(rows[3].rps / rows[2].rps).toFixed(2)}x, p95 ${(rows[3].p95 / rows[2].p95).toFixed(2)}x`);
  say('results written to', file);
});
