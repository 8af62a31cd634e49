#!/usr/bin/env node
// Load: 200 concurrent clients (field officers of both missions) reading their cases and posting messages against
// the real hub for 2 minutes, and against a baseline in the same run: a bare node:http server doing the database
// work of the same three requests with pg (the hub's "my cases" SQL, the case and its messages, a message insert, and
// the audit record of each) on a pool of the hub's size. Sides in alternating order (baseline, hub, hub, baseline);
// p50/p95/p99 and errors of reads and posts, the ratio hub/baseline, and the goals (reads p95 <= 250 ms, posts
// p95 <= 400 ms). The clients run in a worker thread. Checks afterwards that every answered post is stored (per side)
// and that the audit trail verifies.
//
//   npm run build:hub && npm run bench:load
//   BENCH_CLIENTS=200 BENCH_DURATION_SECONDS=120 BENCH_READ_SHARE=0.7 BENCH_CASES_PER_OFFICER=40 BENCH_DATABASE_URL=... node bench/load/run.mjs
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { benchDatabase, hubModule, loadLine, log, report, run, signIn, startHub } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < min) {
    console.error(`${name} must be a number >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const CLIENTS = knob('BENCH_CLIENTS', 200, 1);
const SECONDS = knob('BENCH_DURATION_SECONDS', 120, 2); // per side, split over the rounds
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
const READ_SHARE = knob('BENCH_READ_SHARE', 0.7, 0);
const CASES_PER_OFFICER = knob('BENCH_CASES_PER_OFFICER', 40, 1);
const GOALS = { read: 250, post: 400 };
const say = log('load');
const percentile = (sorted, p) => (sorted.length ? sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

run(
  async (cleanups) => {
    const url = await benchDatabase(cleanups, say);
    const { ds, base, app } = await startHub(url, cleanups);
    const { AuditService, AuditSealer } = hubModule('libs/audit/src');
    const officers = ['officer@minusca.demo', 'officer@unmiss.demo'];
    // Field officers must hold the telemedicine certification to open cases and post (as in apps/hub/test/fixtures.ts).
    await ds.query(
      `INSERT INTO training_certificates (user_id, course_id, course_version, course_title, kind, code, issued_at, expires_at)
       SELECT u.id, c.id, c.version, c.title, 'telemedicine_user', 'BNCH-' || substr(md5(u.id::text), 1, 4) || '-' || substr(md5(random()::text), 1, 4),
              now() - interval '1 day', now() + interval '365 days'
         FROM users u, LATERAL (SELECT * FROM training_courses WHERE certification_kind = 'telemedicine_user' ORDER BY mission_id NULLS FIRST LIMIT 1) c
        WHERE u.email = ANY($1)`,
      [officers],
    );
    const sessions = [];
    for (const [k, email] of officers.entries()) {
      const s = await signIn(base, email);
      const call = async (path, body) => {
        const res = await fetch(base + path, { method: 'POST', headers: { Authorization: `Bearer ${s.accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${email} ${path}: ${res.status} ${await res.text()}`);
        return res.json();
      };
      const patient = await call('/api/patients', {
        serviceNumber: `LOAD-${k}-${Date.now()}`, firstName: 'Load', lastName: `Test${k}`, dateOfBirth: '1990-01-01', sex: 'male',
        nationality: 'BGD', contingent: 'BANBAT-12',
      });
      const caseIds = [];
      for (let i = 0; i < CASES_PER_OFFICER; i++) {
        const c = await call('/api/cases', {
          patientId: patient.id, specialtyCode: 'general_medicine', urgency: 'routine', consentGiven: true, submit: true,
          presentingComplaint: `Load test case ${i}`, question: 'Load test question?',
        });
        caseIds.push(c.id);
      }
      sessions.push({ token: s.accessToken, caseIds });
    }
    say(`${officers.length} officers with ${CASES_PER_OFFICER} cases each; ${CLIENTS} clients for ${SECONDS} s, ${Math.round(READ_SHARE * 100)} % reads; ${loadLine()}`);
    const { caseScopeOf, clinicalMissionsOf, PRINCIPAL_RESOLVER } = hubModule('libs/access/src');
    const { mineQuery } = hubModule('libs/cases/src');
    const { freePort } = hubModule('libs/database/src');
    const officersByToken = new Map();
    for (const s of sessions) {
      const principal = await app.get(PRINCIPAL_RESOLVER).resolve(s.token);
      const missions = clinicalMissionsOf(principal);
      officersByToken.set(s.token, { principal, scope: caseScopeOf(principal), chainMission: missions.length === 1 ? missions[0] : null });
    }
    const baseline = await startBaseline(url, officersByToken, { mineQuery, freePort }, cleanups);
    // The same answers from both sides before measuring anything (the baseline must do the work it stands for).
    const probe = sessions[0];
    const headers = { authorization: `Bearer ${probe.token}` };
    const ids = async (b) => {
      const res = await fetch(`${b}/api/cases?limit=25`, { headers });
      const body = await res.json();
      if (!res.ok) throw new Error(`${b === base ? 'hub' : 'baseline'} GET /api/cases: ${res.status} ${JSON.stringify(body)}`);
      return body.items.map((c) => c.id).join();
    };
    if ((await ids(base)) !== (await ids(baseline))) throw new Error('hub and baseline list different cases');

    const runId = Date.now().toString(36);
    const sides = [
      { name: 'baseline', label: 'baseline: node:http + pg, same database work', base: baseline },
      { name: 'hub', label: 'hub', base },
    ];
    const segment = SECONDS / ROUNDS;
    const results = { baseline: [], hub: [] };
    const messages = async (tag) =>
      (await ds.query(`SELECT count(*)::int AS n FROM case_messages WHERE body LIKE $1`, [`load ${runId}-${tag} %`]))[0].n;
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const tag = `${side.name}${round}`;
        const started = Date.now();
        const r = await clients({ base: side.base, sessions, clients: CLIENTS, seconds: segment, readShare: READ_SHARE, runId: `${runId}-${tag}` });
        const elapsed = (Date.now() - started) / 1000;
        results[side.name].push({ ...r, elapsed, stored: await messages(tag) });
        say(`round ${round + 1}/${ROUNDS} ${side.label}: ${(r.reads.length / elapsed).toFixed(1)} reads/s, ${(r.posts.length / elapsed).toFixed(1)} posts/s (${loadLine()})`);
      }
    }
    const load = loadLine();

    const rows = [];
    for (const side of sides) {
      const rs = results[side.name];
      const elapsed = rs.reduce((a, r) => a + r.elapsed, 0);
      for (const kind of ['read', 'post']) {
        const sorted = Float64Array.from(rs.flatMap((r) => [...r[`${kind}s`]])).sort();
        rows.push({ name: `${side.name} ${kind}s (${kind === 'read' ? 'GET /api/cases, GET /api/cases/:id' : 'POST /api/cases/:id/messages'})`, side: side.name, kind,
          requests: sorted.length, rps: sorted.length / elapsed, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99),
          errors: rs.reduce((a, r) => a + r.errors[kind], 0), bytesPerRequest: 0 });
      }
    }
    const row = (side, kind) => rows.find((r) => r.side === side && r.kind === kind);
    const total = (side) => results[side].reduce((a, r) => ({ posted: a.posted + r.posted, stored: a.stored + r.stored, samples: [...a.samples, ...r.errors.samples] }), { posted: 0, stored: 0, samples: [] });
    const hub = total('hub');
    const base_ = total('baseline');
    const sealer = app.get(AuditSealer);
    let reports;
    for (const deadline = Date.now() + 60_000; ; ) {
      while ((await sealer.sealOnce()) > 0);
      reports = await app.get(AuditService).verify();
      if (reports.every((r) => r.unsealed === 0) || Date.now() > deadline) break;
      await sleep(200);
    }
    const broken = reports.filter((r) => !r.ok);

    const throughput = (side) => row(side, 'read').rps + row(side, 'post').rps;
    const ratio = { throughput: throughput('hub') / throughput('baseline'), readP95: row('hub', 'read').p95 / row('baseline', 'read').p95, postP95: row('hub', 'post').p95 / row('baseline', 'post').p95 };
    const file = report(`${CLIENTS} concurrent clients, ${SECONDS} s per side in ${ROUNDS} rounds of alternating order, ${Math.round(READ_SHARE * 100)} % reads; ${load}`, rows, null, 'load', { ratio, hub, baseline: base_, loadavg: load });
    console.log(`ratio hub/baseline: throughput ${ratio.throughput.toFixed(2)}x, read p95 ${ratio.readP95.toFixed(2)}x, post p95 ${ratio.postP95.toFixed(2)}x`);
    const errors = { read: row('hub', 'read').errors, post: row('hub', 'post').errors };
    console.log(`hub errors: ${errors.read} reads, ${errors.post} posts${hub.samples.length ? ` (e.g. ${hub.samples.slice(0, 5).join('; ')})` : ''}; baseline errors: ${row('baseline', 'read').errors + row('baseline', 'post').errors}${base_.samples.length ? ` (e.g. ${base_.samples.slice(0, 5).join('; ')})` : ''}`);
    for (const [name, t] of [['hub', hub], ['baseline', base_]]) {
      console.log(`${name}: posts answered 201: ${t.posted}; messages stored: ${t.stored}${t.stored === t.posted ? ' (none lost)' : ' MISMATCH'}`);
    }
    console.log(`audit trail: ${reports.reduce((a, r) => a + r.records, 0)} sealed records in ${reports.length} chains, ${broken.length ? 'BROKEN' : 'all verify'}`);
    const goals = [
      [`hub reads p95 <= ${GOALS.read} ms`, row('hub', 'read').p95 <= GOALS.read, `${row('hub', 'read').p95.toFixed(0)} ms`],
      [`hub posts p95 <= ${GOALS.post} ms`, row('hub', 'post').p95 <= GOALS.post, `${row('hub', 'post').p95.toFixed(0)} ms`],
      ['no errors', errors.read + errors.post === 0, `${errors.read + errors.post}`],
    ];
    for (const [goal, met, value] of goals) console.log(`${met ? 'MET    ' : 'NOT MET'} ${goal}: ${value}`);
    say('results written to', file);
    if (hub.stored !== hub.posted || base_.stored !== base_.posted) throw new Error('posts answered 201 and messages stored differ');
    // The baseline stands for the same work only if it did all of it.
    if (row('baseline', 'read').errors + row('baseline', 'post').errors) throw new Error('the baseline answered errors: its figures measure nothing');
    if (broken.length) throw new Error('the audit trail does not verify');
  },
  { timeoutSeconds: 2 * SECONDS + 900 },
);

/** Runs the clients for one segment in a worker thread (its own event loop, never a server's). */
function clients(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./clients-worker.mjs', import.meta.url), { workerData });
    const guard = setTimeout(() => {
      worker.terminate();
      reject(new Error(`the clients did not finish within ${workerData.seconds + 90} s`));
    }, (workerData.seconds + 90) * 1000);
    worker.once('message', (r) => {
      clearTimeout(guard);
      resolve(r);
    });
    worker.once('error', reject);
  });
}

/**
 * The baseline: node:http + pg on a pool of the hub's size (10), no framework, no authentication beyond looking the
 * bearer up in a map. It does the database work of the hub's three requests: "my cases" with the hub's own SQL
 * (`mineQuery` for the officer's scope) and the list's audit record; one case (its row and its messages) and the read's
 * audit record; a message inserted with its audit record in one transaction, the case row locked first as the hub does.
 */
let baselineErrorShown = false;
async function startBaseline(url, officers, { mineQuery, freePort }, cleanups) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  cleanups.unshift(() => pool.end());
  const audit = `INSERT INTO audit_entries (chain, mission_id, actor_id, action, subject_type, subject_id, outcome, request_id, ip, details, occurred_at)
                 VALUES ($8, $1, $2, $3, $4, $5, 'success', $6, '127.0.0.1', $7, now())`;
  let requestNo = 0;
  const send = (res, status, body) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer(async (req, res) => {
    try {
      const who = officers.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!who) return send(res, 401, { code: 'UNAUTHENTICATED' });
      const path = new URL(req.url, 'http://x');
      const one = /^\/api\/cases\/([0-9a-f-]{36})(\/messages)?$/.exec(path.pathname);
      const requestId = `baseline-${++requestNo}`;
      if (req.method === 'GET' && path.pathname === '/api/cases') {
        const q = mineQuery(who.scope, null, Number(path.searchParams.get('limit') ?? 25) + 1);
        const items = (await pool.query(q.text, q.params)).rows.slice(0, 25);
        await pool.query(audit, [who.chainMission, who.principal.userId, 'case.list_mine', 'Case', null, requestId, JSON.stringify({ count: items.length, ids: items.map((c) => c.id) }), who.chainMission ?? 'global']);
        return send(res, 200, { items });
      }
      if (req.method === 'GET' && one && !one[2]) {
        const [{ rows: [c] }, { rows: thread }] = await Promise.all([
          pool.query('SELECT * FROM referral_cases WHERE id = $1', [one[1]]),
          pool.query('SELECT * FROM case_messages WHERE case_id = $1 ORDER BY created_at', [one[1]]),
        ]);
        if (!c) return send(res, 404, { code: 'NOT_FOUND' });
        await pool.query(audit, [c.mission_id, who.principal.userId, 'case.read', 'Case', c.id, requestId, '{}', c.mission_id]);
        return send(res, 200, { ...c, messages: thread });
      }
      if (req.method === 'POST' && one && one[2]) {
        let raw = '';
        for await (const chunk of req) raw += chunk;
        const { body } = JSON.parse(raw);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows: [c] } = await client.query('SELECT id, mission_id FROM referral_cases WHERE id = $1 FOR UPDATE', [one[1]]);
          if (!c) {
            await client.query('ROLLBACK');
            return send(res, 404, { code: 'NOT_FOUND' });
          }
          const { rows: [msg] } = await client.query(
            `INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'message', $3) RETURNING *`, [c.id, who.principal.userId, body]);
          await client.query(audit, [c.mission_id, who.principal.userId, 'case.message', 'CaseMessage', msg.id, requestId, '{}', c.mission_id]);
          await client.query('COMMIT');
          return send(res, 201, msg);
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        } finally {
          client.release();
        }
      }
      return send(res, 404, { code: 'NOT_FOUND' });
    } catch (e) {
      if (!baselineErrorShown) console.error('[bench:load] baseline error:', e);
      baselineErrorShown = true;
      send(res, 500, { message: String(e) });
    }
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${port}`;
}
