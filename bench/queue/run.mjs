#!/usr/bin/env node
// Doctor's queue at scale: 1 million cases, GET /api/cases?view=queue (keyset paging) on the real hub against the
// very same SQL served raw from pg, and against the same SQL plus the audit record the hub writes, in one run;
// the load generator in a worker thread, the sides in alternating order. Prints req/s, p50/p95/p99, both ratios,
// the query plan and the load average, then checks that the audit trail of the run verifies.
//
//   npm run build:hub && node bench/queue/run.mjs
//   BENCH_CASES=1000000 BENCH_SECONDS=20 BENCH_ROUNDS=2 BENCH_CONNECTIONS=10 BENCH_DATABASE_URL=postgres://... node bench/queue/run.mjs
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { benchDatabase, hubModule, loadLine, log, measureSides, report, run, seedCases, signIn, startHub } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const CASES = knob('BENCH_CASES', 1_000_000, 1000);
const SECONDS = knob('BENCH_SECONDS', 20, 1);
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
const WARMUP = knob('BENCH_WARMUP_SECONDS', 2, 0);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 10, 1);
const GOAL_RATIO = 0.6;
const GOAL_P95 = 25;
const say = log('queue');

/** Waits (up to 10 s) until a pg pool has no query running or queued: requests the load generator abandoned. */
async function drain(pool) {
  for (let i = 0; i < 100 && (pool.waitingCount > 0 || pool.totalCount > pool.idleCount); i++) await sleep(100);
}

run(
  async (cleanups) => {
    const { freePort } = hubModule('libs/database/src');
    const { queueQuery } = hubModule('libs/cases/src');
    const { caseScopeOf, clinicalScopeOf, PRINCIPAL_RESOLVER } = hubModule('libs/access/src');
    const { AuditService, AuditSealer } = hubModule('libs/audit/src');
    const url = await benchDatabase(cleanups, say);
    const { ds, base, app } = await startHub(url, cleanups);

    const [{ n: seeded }] = await ds.query(`SELECT count(*)::int AS n FROM referral_cases WHERE presenting_complaint LIKE 'Complaint %'`);
    if (seeded === 0) await seedCases(ds, CASES, say);
    else if (seeded !== CASES) throw new Error(`the kept database holds ${seeded} benchmark cases, not BENCH_CASES=${CASES}`);
    else say(`${seeded.toLocaleString()} cases already seeded`);

    const session = await signIn(base, 'doctor@minusca.demo');
    const headers = { Authorization: `Bearer ${session.accessToken}` };
    const principal = await app.get(PRINCIPAL_RESOLVER).resolve(session.accessToken);
    const scope = clinicalScopeOf(principal);
    const [{ n: waiting }] = await ds.query(
      `SELECT count(*)::int AS n FROM referral_cases WHERE status = 'submitted' AND specialty_code = ANY($1) AND mission_id = ANY($2::uuid[])`,
      [scope.specialties, scope.primaryMissionIds],
    );
    say(`${waiting.toLocaleString()} cases wait in this doctor's queue (specialties ${scope.specialties.join(', ')})`);
    const missions = [...new Set([...scope.clinicMissionIds, ...scope.primaryMissionIds, ...scope.backupMissionIds, ...scope.managerMissionIds])];
    const auditMission = missions.length === 1 ? missions[0] : null;

    const pool = new pg.Pool({ connectionString: url, max: 10 });
    cleanups.unshift(() => pool.end());
    const firstQuery = queueQuery(caseScopeOf(principal), null, 26);
    // The same record the hub writes for every list (cases.service.ts), without a transaction of its own.
    const auditInsert = `INSERT INTO audit_entries (chain, mission_id, actor_id, action, subject_type, outcome, request_id, ip, details, occurred_at)
                         VALUES ($1, $2, $3, 'case.list_queue', 'Case', 'success', $4, '127.0.0.1', $5, now())`;
    let requestNo = 0;
    const serve = (withAudit) => async (_req, res) => {
      try {
        const { rows } = await pool.query(firstQuery.text, firstQuery.params);
        const items = rows.slice(0, 25);
        if (withAudit) {
          const details = JSON.stringify({ count: items.length, ids: items.map((c) => c.id) });
          await pool.query(auditInsert, [auditMission ?? 'global', auditMission, principal.userId, `baseline-${++requestNo}`, details]);
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ items }));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    };
    const listen = async (server) => {
      const port = await freePort();
      await new Promise((r) => server.listen(port, '127.0.0.1', r));
      cleanups.unshift(() => new Promise((r) => server.close(r)));
      return `http://127.0.0.1:${port}`;
    };
    const rawBase = await listen(createServer(serve(false)));
    const auditedBase = await listen(createServer(serve(true)));

    const hubFirst = await (await fetch(`${base}/api/cases?view=queue&limit=25`, { headers })).json();
    const rawFirst = await (await fetch(`${rawBase}/first`)).json();
    if (!hubFirst.items?.length || hubFirst.items.map((c) => c.id).join() !== rawFirst.items.map((c) => c.id).join()) {
      throw new Error('hub and baseline disagree on the first page');
    }
    const plan = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${firstQuery.text}`, firstQuery.params)).rows.map((r) => r['QUERY PLAN']);
    console.log(`\nQuery plan (first page of the queue):\n  ${plan.join('\n  ')}`);

    const [{ n: auditBefore }] = await ds.query('SELECT count(*)::int AS n FROM audit_entries');
    const hubPool = ds.driver.master;
    const targets = [
      { name: 'baseline: node:http + pg, same SQL', url: `${rawBase}/first`, drain: () => drain(pool) },
      { name: 'baseline + the audit record the hub writes', url: `${auditedBase}/first`, drain: () => drain(pool) },
      { name: 'hub GET /api/cases?view=queue', url: `${base}/api/cases?view=queue&limit=25`, headers, drain: () => drain(hubPool) },
    ];
    say(`${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per side in ${ROUNDS} rounds of alternating order; ${loadLine()}`);
    const rows = await measureSides(targets, { seconds: SECONDS, rounds: ROUNDS, warmup: WARMUP, connections: CONNECTIONS }, say);
    const [raw, audited, hub] = rows;
    const ratio = { throughput: hub.rps / raw.rps, p95: hub.p95 / raw.p95 };
    const ratioAudited = { throughput: hub.rps / audited.rps, p95: hub.p95 / audited.p95 };

    // The audit trail of the run: every hub request recorded, sealed and verifying.
    const sealer = app.get(AuditSealer);
    const [{ n: auditAfter }] = await ds.query('SELECT count(*)::int AS n FROM audit_entries');
    const deadline = Date.now() + 60_000;
    let reports;
    for (;;) {
      while ((await sealer.sealOnce()) > 0);
      reports = await app.get(AuditService).verify();
      if (reports.every((r) => r.unsealed === 0) || Date.now() > deadline) break;
      await sleep(200);
    }
    const broken = reports.filter((r) => !r.ok);
    const sealed = reports.reduce((a, r) => a + r.records, 0);
    const file = report(
      `Doctor's queue at ${CASES.toLocaleString()} cases (${waiting.toLocaleString()} waiting for this doctor), 25 per page, ${CONNECTIONS} connections, ${SECONDS} s per side; ${loadLine()}`,
      rows,
      ratio,
      'queue',
      { cases: CASES, waiting, plan, ratioAudited, loadavg: loadLine(), audit: { written: auditAfter - auditBefore, sealed, reports } },
    );
    console.log(`ratio hub/baseline with the audit record: throughput ${ratioAudited.throughput.toFixed(2)}x, p95 ${ratioAudited.p95.toFixed(2)}x`);
    console.log(`audit trail: ${auditAfter - auditBefore} records written during the run, ${sealed} sealed in ${reports.length} chains, ` +
      (broken.length ? `BROKEN: ${broken.map((r) => `${r.chain} ${r.reason}`).join('; ')}` : `all verify; ${reports.reduce((a, r) => a + r.unsealed, 0)} left unsealed`));
    const goals = [
      [`throughput >= ${GOAL_RATIO}x the raw baseline`, ratio.throughput >= GOAL_RATIO, `${ratio.throughput.toFixed(2)}x`],
      [`hub p95 <= ${GOAL_P95} ms`, hub.p95 <= GOAL_P95, `${hub.p95.toFixed(1)} ms`],
      ['audit trail verifies', broken.length === 0 && reports.every((r) => r.unsealed === 0), broken.length ? 'broken' : 'ok'],
    ];
    for (const [goal, met, value] of goals) console.log(`${met ? 'MET    ' : 'NOT MET'} ${goal}: ${value}`);
    say('results written to', file);
    if (broken.length) throw new Error('the audit trail of the run does not verify');
  },
  { timeoutSeconds: 3600 },
);
