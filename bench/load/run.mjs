#!/usr/bin/env node
// Load: 200 concurrent clients (field officers of both missions) reading their cases and posting messages against
// the real hub for 2 minutes; p50/p95/p99 and errors of reads and posts against the goals (reads p95 <= 250 ms,
// posts p95 <= 400 ms). The clients run in a worker thread. Checks afterwards that every answered post is stored
// and that the audit trail verifies.
//
//   npm run build:hub && npm run bench:load
//   BENCH_CLIENTS=200 BENCH_DURATION_SECONDS=120 BENCH_READ_SHARE=0.7 BENCH_CASES_PER_OFFICER=40 BENCH_DATABASE_URL=... node bench/load/run.mjs
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
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
const SECONDS = knob('BENCH_DURATION_SECONDS', 120, 1);
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
    const [{ n: messagesBefore }] = await ds.query('SELECT count(*)::int AS n FROM case_messages');
    const runId = Date.now().toString(36);

    const started = Date.now();
    const result = await new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./clients-worker.mjs', import.meta.url), {
        workerData: { base, sessions, clients: CLIENTS, seconds: SECONDS, readShare: READ_SHARE, runId },
      });
      const guard = setTimeout(() => {
        worker.terminate();
        reject(new Error(`the clients did not finish within ${SECONDS + 90} s`));
      }, (SECONDS + 90) * 1000);
      worker.once('message', (r) => {
        clearTimeout(guard);
        resolve(r);
      });
      worker.once('error', reject);
    });
    const elapsed = (Date.now() - started) / 1000;
    const load = loadLine();

    const rows = ['read', 'post'].map((kind) => {
      const sorted = Float64Array.from(result[`${kind}s`]).sort();
      return { name: `${kind}s (${kind === 'read' ? 'GET /api/cases, GET /api/cases/:id' : 'POST /api/cases/:id/messages'})`, kind, requests: sorted.length, rps: sorted.length / elapsed,
        p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), errors: result.errors[kind], bytesPerRequest: 0 };
    });
    const [{ n: messagesAfter }] = await ds.query('SELECT count(*)::int AS n FROM case_messages');
    const stored = messagesAfter - messagesBefore;

    const sealer = app.get(AuditSealer);
    let reports;
    for (const deadline = Date.now() + 60_000; ; ) {
      while ((await sealer.sealOnce()) > 0);
      reports = await app.get(AuditService).verify();
      if (reports.every((r) => r.unsealed === 0) || Date.now() > deadline) break;
      await sleep(200);
    }
    const broken = reports.filter((r) => !r.ok);

    const file = report(`${CLIENTS} concurrent clients, ${SECONDS} s, ${Math.round(READ_SHARE * 100)} % reads; ${load}`, rows, null, 'load', { errors: result.errors, stored, posted: result.posted, loadavg: load });
    console.log(`errors: ${result.errors.read} reads, ${result.errors.post} posts${result.errors.samples.length ? ` (e.g. ${result.errors.samples.join('; ')})` : ''}`);
    console.log(`posts answered 201: ${result.posted}; messages stored: ${stored}${stored === result.posted ? ' (none lost)' : ' MISMATCH'}`);
    console.log(`audit trail: ${reports.reduce((a, r) => a + r.records, 0)} sealed records in ${reports.length} chains, ${broken.length ? 'BROKEN' : 'all verify'}`);
    const goals = [
      [`reads p95 <= ${GOALS.read} ms`, rows[0].p95 <= GOALS.read, `${rows[0].p95.toFixed(0)} ms`],
      [`posts p95 <= ${GOALS.post} ms`, rows[1].p95 <= GOALS.post, `${rows[1].p95.toFixed(0)} ms`],
      ['no errors', result.errors.read + result.errors.post === 0, `${result.errors.read + result.errors.post}`],
    ];
    for (const [goal, met, value] of goals) console.log(`${met ? 'MET    ' : 'NOT MET'} ${goal}: ${value}`);
    say('results written to', file);
    if (stored !== result.posted) throw new Error('posts answered 201 and messages stored differ');
    if (broken.length) throw new Error('the audit trail does not verify');
  },
  { timeoutSeconds: SECONDS + 900 },
);
