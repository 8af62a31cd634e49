#!/usr/bin/env node
// Scale-out: requests per second of a mixed workload (reads of the case list, a case and the notifications; posts of
// thread messages, each written with its outbox rows) against ONE compiled hub process and against TWO on the same
// PostgreSQL, in ABBA order (one, two, two, one) so that the machine's load weighs on both alike; the ratio says how
// far a second instance helps on this machine's cores and where it stops. Then the time a notification takes from a
// write on instance A to a socket connected to instance B (and, for comparison, to a socket on A itself).
//
//   npm run build:hub && node bench/scale/run.mjs
//   knobs: BENCH_SECONDS (10 per segment), BENCH_CONNECTIONS (20, split evenly over the instances), BENCH_ROUNDS (2),
//          BENCH_NOTIFICATIONS (30), BENCH_TIMEOUT_SECONDS (900), BENCH_DATABASE_URL (default: an embedded PostgreSQL)
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { benchDatabase, hubModule, loadLine, log, report, root, run, signIn, startHub } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < min) {
    console.error(`${name} must be a number >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const SECONDS = knob('BENCH_SECONDS', 10, 1);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 20, 2);
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
const NOTIFICATIONS = knob('BENCH_NOTIFICATIONS', 30, 1);
const say = log('scale');
const MAIN = join(root, 'dist/apps/hub/apps/hub/src/main.js');
const SECRETS = {
  JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
  AUDIT_KEY: 'benchmark-audit-key-benchmark-audit-key-0001',
  TOTP_ENCRYPTION_KEY: 'benchmark-totp-key-benchmark-totp-key-00001',
};
const percentile = (sorted, p) => (sorted.length ? sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

/** One compiled hub process on the shared database, on a free port, with a data directory of its own. */
async function spawnHub(url, name, cleanups) {
  const { freePort } = hubModule('libs/database/src');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `hub-bench-${name}-`));
  chmodSync(dataDir, 0o755);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      ...SECRETS,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      HUB_DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      MEDIA_ENABLED: 'false',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      USER_MAX_CONCURRENT_REQUESTS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
  cleanups.unshift(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(20_000).then(() => child.kill('SIGKILL'))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 90_000; ; ) {
    if (child.exitCode !== null) throw new Error(`hub ${name} exited during start:\n${output}`);
    const ok = await fetch(`${base}/api/health/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > until) throw new Error(`hub ${name} not ready within 90 s:\n${output}`);
    await sleep(200);
  }
  return { name, base, pid: child.pid };
}

/** The mixed workload on `hubs`, connections split evenly; each connection cycles read, read, read, post. */
async function segment(label, hubs, session, caseIds, seconds) {
  let posted = 0;
  let sent = 0;
  const per = Math.max(1, Math.floor(CONNECTIONS / hubs.length));
  const auth = { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' };
  const runs = hubs.map((hub, h) => {
    let k = h;
    const requests = [
      { method: 'GET', path: '/api/cases?view=mine', headers: auth },
      { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/cases/${caseIds[k++ % caseIds.length]}` }), headers: auth },
      { method: 'GET', path: '/api/notifications', headers: auth },
      {
        method: 'POST',
        headers: auth,
        setupRequest: (r) => {
          sent++;
          return { ...r, path: `/api/cases/${caseIds[k++ % caseIds.length]}/messages`, body: JSON.stringify({ body: `scale bench ${label} ${k}` }) };
        },
        onResponse: (status) => {
          if (status === 201) posted++;
        },
      },
    ];
    const latencies = [];
    const instance = autocannon({ url: hub.base, connections: per, duration: seconds, requests });
    instance.on('response', (_c, _s, _b, t) => latencies.push(t));
    return instance.then((r) => ({ r, latencies }));
  });
  const results = await Promise.all(runs);
  const latencies = results.flatMap((x) => x.latencies).sort((a, b) => a - b);
  const failed = results.reduce((a, { r }) => a + r.errors + r.timeouts + r.non2xx, 0);
  if (failed) throw new Error(`${label}: ${failed} failed requests`);
  const requests = results.reduce((a, { r }) => a + r.requests.total, 0);
  return { name: label, requests, rps: requests / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), bytesPerRequest: 0, posted, sent };
}

/** Connects a socket.io client as `token` to `base`; resolves once connected. */
const connect = (base, token) =>
  new Promise((resolve, reject) => {
    const s = io(base, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

/**
 * The officer opens and submits a case through `writer`; the doctor's socket is on `reader`. Time from sending the
 * request to the doctor's socket receiving the case's notification; undefined when it did not arrive within 3 s.
 */
async function notificationLatencies(writer, reader, officer, doctor, patientId, count) {
  const socket = await connect(reader.base, doctor.accessToken);
  const arrivals = new Map();
  socket.on('notification', (n) => n.caseId && !arrivals.has(n.caseId) && arrivals.set(n.caseId, performance.now()));
  const times = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const res = await fetch(`${writer.base}/api/cases`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${officer.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ patientId, specialtyCode: 'dermatology', urgency: 'routine', consentGiven: true, submit: true, presentingComplaint: `latency ${i}`, question: 'Latency?' }),
      });
      if (res.status !== 201) throw new Error(`POST /api/cases on ${writer.name}: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      // the push may arrive before the answer does: arrivals are kept by case
      for (const until = performance.now() + 3_000; !arrivals.has(id) && performance.now() < until; ) await sleep(2);
      times.push(arrivals.has(id) ? arrivals.get(id) - started : undefined);
    }
  } finally {
    socket.close();
  }
  return times;
}

run(
  async (cleanups) => {
    say(`${cpus().length} cores; ${loadLine()}`);
    const url = await benchDatabase(cleanups, say);
    // Migrations and demo data with an in-process hub, closed again: the measured hubs are processes of their own.
    const seeded = await startHub(url, cleanups);
    const { ds } = seeded;
    await seeded.app.close();
    const officerEmail = 'officer@minusca.demo';
    await ds.query(
      `INSERT INTO training_certificates (user_id, course_id, course_version, course_title, kind, code, issued_at, expires_at)
       SELECT u.id, c.id, c.version, c.title, 'telemedicine_user', 'SCAL-' || substr(md5(u.id::text), 1, 4) || '-' || substr(md5(random()::text), 1, 4),
              now() - interval '1 day', now() + interval '365 days'
         FROM users u, LATERAL (SELECT * FROM training_courses WHERE certification_kind = 'telemedicine_user' ORDER BY mission_id NULLS FIRST LIMIT 1) c
        WHERE u.email = $1 AND NOT EXISTS (SELECT 1 FROM training_certificates t WHERE t.user_id = u.id AND t.kind = 'telemedicine_user' AND t.revoked_at IS NULL)`,
      [officerEmail],
    );
    const a = await spawnHub(url, 'A', cleanups);
    const b = await spawnHub(url, 'B', cleanups);
    say(`instances A (pid ${a.pid}) and B (pid ${b.pid}) ready; ${loadLine()}`);

    const officer = await signIn(a.base, officerEmail);
    const doctor = await signIn(b.base, 'doctor@minusca.demo');
    const post = async (path, body) => {
      const res = await fetch(a.base + path, { method: 'POST', headers: { Authorization: `Bearer ${officer.accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const patient = await post('/api/patients', { serviceNumber: `SCALE-${Date.now()}`, firstName: 'Scale', lastName: 'Bench', dateOfBirth: '1990-01-01', sex: 'male', nationality: 'BGD', contingent: 'BANBAT-12' });
    const caseIds = [];
    for (let i = 0; i < 20; i++) {
      caseIds.push((await post('/api/cases', { patientId: patient.id, specialtyCode: 'general_medicine', urgency: 'routine', consentGiven: true, submit: true, presentingComplaint: `Scale ${i}`, question: 'Scale?' })).id);
    }

    // Warm-up of both, then ABBA: one, two, two, one (per round).
    await segment('warm-up', [a, b], officer, caseIds, 2);
    await sleep(1_000); // the warm-up's posts still in flight land before the count
    const [{ n: afterWarmUp }] = await ds.query('SELECT count(*)::int AS n FROM case_messages');
    const segments = { one: [], two: [] };
    const order = Array.from({ length: ROUNDS }, () => ['one', 'two', 'two', 'one']).flat();
    const share = SECONDS / 2;
    for (const [i, which] of order.entries()) {
      const hubs = which === 'one' ? [a] : [a, b];
      const s = await segment(`${which} ${i}`, hubs, officer, caseIds, share);
      segments[which].push(s);
      say(`segment ${i + 1}/${order.length} (${which === 'one' ? 'A alone' : 'A and B'}): ${s.rps.toFixed(1)} req/s, p95 ${s.p95.toFixed(0)} ms; ${loadLine()}`);
    }
    const sum = (list, key) => list.reduce((acc, x) => acc + x[key], 0);
    const combine = (name, list) => {
      const seconds = list.length * share;
      return { name, requests: sum(list, 'requests'), rps: sum(list, 'requests') / seconds, p50: Math.max(...list.map((x) => x.p50)), p95: Math.max(...list.map((x) => x.p95)), p99: Math.max(...list.map((x) => x.p99)), bytesPerRequest: 0 };
    };
    const one = combine(`one instance (A), ${CONNECTIONS} connections`, segments.one);
    const two = combine(`two instances (A+B), ${CONNECTIONS} connections`, segments.two);
    const posted = sum([...segments.one, ...segments.two], 'posted');
    const sent = sum([...segments.one, ...segments.two], 'sent');
    const [{ n: messagesAfter }] = await ds.query('SELECT count(*)::int AS n FROM case_messages');
    const stored = messagesAfter - afterWarmUp;

    // Notification latency: a case submitted on A, the doctor's socket on B (needs the socket.io adapter), and on A.
    const toB = await notificationLatencies(a, b, officer, doctor, patient.id, NOTIFICATIONS);
    const toA = await notificationLatencies(a, a, officer, doctor, patient.id, NOTIFICATIONS);
    // everything the outbox was given is delivered or still claimable: nothing lost, nothing stuck
    for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
      const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM outbox');
      if (n === 0) break;
    }
    const [{ n: leftInOutbox }] = await ds.query('SELECT count(*)::int AS n FROM outbox');
    const load = loadLine();

    const ratio = { throughput: two.rps / one.rps, p95: two.p95 / one.p95 };
    const stat = (times) => {
      const got = times.filter((t) => t !== undefined).sort((x, y) => x - y);
      return { sent: times.length, arrived: got.length, p50: percentile(got, 50), p95: percentile(got, 95), max: got[got.length - 1] ?? NaN };
    };
    const latency = { aToB: stat(toB), aToA: stat(toA) };
    const file = report(`mixed workload (3 reads : 1 post), ${CONNECTIONS} connections, ${ROUNDS} ABBA round(s) of ${SECONDS} s; ${load}`, [one, two], null, 'scale', {
      ratio,
      latency,
      posted,
      sent,
      stored,
      leftInOutbox,
      cores: cpus().length,
      loadavg: load,
    });
    const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
    console.log(`\nratio two/one instances: throughput ${f(ratio.throughput, 2)}x, p95 latency ${f(ratio.p95, 2)}x on ${cpus().length} cores`);
    console.log(
      ratio.throughput < 1.15
        ? `→ a second instance adds little here: the ${cpus().length} cores are shared by both hubs, PostgreSQL and the load generator, so the machine (not the hub) is the limit`
        : `→ a second instance adds ${f((ratio.throughput - 1) * 100, 0)} % on this machine`,
    );
    for (const [name, s] of [['A → socket on B', latency.aToB], ['A → socket on A', latency.aToA]]) {
      console.log(`notification ${name}: ${s.arrived}/${s.sent} arrived within 3 s; p50 ${f(s.p50, 0)} ms, p95 ${f(s.p95, 0)} ms, max ${f(s.max, 0)} ms (from the request to the socket)`);
    }
    if (latency.aToB.arrived < latency.aToB.sent) console.log('  (pushes reach another instance\'s sockets only with the socket.io adapter installed; without it only when B\'s outbox poll claims the row first)');
    // autocannon stops at the end of a segment without reading the answers in flight: those posts are stored unseen
    const consistent = posted <= stored && stored <= sent;
    console.log(`posts sent: ${sent}, answered 201: ${posted}; messages stored: ${stored}${consistent ? ' (none lost: every answered post stored, nothing unsent stored)' : ' MISMATCH'}; outbox rows left: ${leftInOutbox}`);
    say('results written to', file);
    if (!consistent) throw new Error('posts answered 201 / sent and messages stored do not agree');
    if (leftInOutbox) throw new Error(`${leftInOutbox} outbox rows were not delivered`);
    if (latency.aToA.arrived < latency.aToA.sent) throw new Error('notifications to a socket on the writing instance went missing');
  },
  { timeoutSeconds: 900 },
);
