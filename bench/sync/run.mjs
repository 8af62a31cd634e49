#!/usr/bin/env node
// Field-node sync over a satellite-like link (issue 10): a hub and a field node as separate processes (the compiled
// apps), the test kit's link relay between them (libs/testing/src/link-relay.ts) at BENCH_RATE_KBPS (256) each way
// with BENCH_RTT_MS (600) round trip. On the node, with the link cut, an officer opens BENCH_CASES (100) cases with
// BENCH_PHOTOS (3) photos each; then the link opens and the script times the sync until the hub holds every case and
// every photo (checked: each photo byte-identical on the hub) and counts the bytes on the wire (TCP payload through
// the relay, both directions). Goodput ratio = raw bytes of the data (photos + the case, patient and message rows
// as JSON) / bytes on the wire; goal >= 0.85.
// Baseline in the same run: the same raw bytes sent as one HTTP PUT through the same relay to a bare node:http
// server (the best any protocol can do on this link), in balanced order with the sync (sync, baseline, baseline, sync),
// each sync on fresh cases. Then the cost of idle sync: bytes on the wire while the node has nothing to send.
// A measurement, not a test: exits 0 when it ran, 1 when something broke, 3 on timeout (BENCH_TIMEOUT_SECONDS).
//
//   npm run build:hub && npm run build:node && npm run bench:sync
//   quick run: BENCH_CASES=5 BENCH_PHOTOS=2 npm run bench:sync
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import ts from 'typescript';
import { benchDatabase, hubModule, loadLine, log, root, run } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const CASES = knob('BENCH_CASES', 100, 1);
const PHOTOS = knob('BENCH_PHOTOS', 3, 0);
const RATE_KBPS = knob('BENCH_RATE_KBPS', 256, 8);
const RTT_MS = knob('BENCH_RTT_MS', 600, 0);
const IDLE_SECONDS = knob('BENCH_IDLE_SECONDS', 60, 10);
const say = log('sync');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NODE_MAIN = join(root, 'dist/apps/field-node/apps/field-node/src/main.js');
const HUB_MAIN = join(root, 'dist/apps/hub/apps/hub/src/main.js');
const PASSWORD = 'FieldHub!2026';

/** The relay, compiled from its TypeScript source (libs/testing is not part of the builds). */
function loadRelay(cleanups) {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-relay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const out = ts.transpileModule(readFileSync(join(root, 'libs/testing/src/link-relay.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  writeFileSync(join(dir, 'link-relay.cjs'), out.outputText);
  return createRequire(import.meta.url)(join(dir, 'link-relay.cjs'));
}

/** A compiled app as a child process in its own group (killed with its embedded PostgreSQL). */
async function startProcess(main, env, ready, cleanups) {
  let output = '';
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  cleanups.unshift(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });
  for (let i = 0; i < 1200 && !output.includes(ready); i++) {
    if (child.exitCode !== null) throw new Error(`${main} exited:\n${output.slice(-3000)}`);
    await sleep(100);
  }
  if (!output.includes(ready)) throw new Error(`${main} did not start:\n${output.slice(-3000)}`);
  return { child, output: () => output };
}

async function api(base, method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function attach(base, token, caseId, filename, bytes) {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const meta = [`caseId ${Buffer.from(caseId).toString('base64')}`, `filename ${Buffer.from(filename).toString('base64')}`, `sha256 ${Buffer.from(sha).toString('base64')}`].join(',');
  const created = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta } });
  if (created.status !== 201) throw new Error(`upload creation: ${created.status} ${await created.text()}`);
  const patch = await fetch(new URL(created.headers.get('location'), base), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (patch.status !== 204) throw new Error(`upload: ${patch.status} ${await patch.text()}`);
  return patch.headers.get('x-attachment-id');
}

const photo = (seed) =>
  sharp({ create: { width: 160, height: 160, channels: 3, background: { r: seed % 255, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 92 }).toBuffer();

const wire = async (relay) => {
  const c = await relay.counters();
  return c.up.deliveredBytes + c.down.deliveredBytes;
};

run(
  async (cleanups) => {
    for (const f of [HUB_MAIN, NODE_MAIN]) if (!existsSync(f)) throw new Error(`${f} is missing: npm run build:hub && npm run build:node`);
    say(loadLine());
    const { freePort } = hubModule('libs/database/src');
    const { LinkRelay } = loadRelay(cleanups);
    const url = await benchDatabase(cleanups, say);
    const hubDir = mkdtempSync(join(tmpdir(), 'hub-bench-sync-hub-'));
    const nodeDir = mkdtempSync(join(tmpdir(), 'hub-bench-sync-node-'));
    chmodSync(nodeDir, 0o755);
    cleanups.push(() => rmSync(hubDir, { recursive: true, force: true }), () => rmSync(nodeDir, { recursive: true, force: true }));
    const hubPort = await freePort();
    const hubBase = `http://127.0.0.1:${hubPort}`;
    say('starting the hub');
    await startProcess(HUB_MAIN, {
      NODE_ENV: 'test', PORT: String(hubPort), HUB_DATA_DIR: hubDir, DATABASE_URL: url, JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
      SEED_DEMO: 'true', LOG_LEVEL: 'error', MEDIA_ENABLED: 'off', LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    }, 'is running on', cleanups);
    const relay = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: hubPort } });
    cleanups.unshift(() => relay.close());
    const nodePort = await freePort();
    const nodeBase = `http://127.0.0.1:${nodePort}`;
    say('starting the node');
    const node = await startProcess(NODE_MAIN, {
      NODE_ENV: 'test', PORT: String(nodePort), HUB_URL: `http://127.0.0.1:${relay.tcpPort}`, NODE_DATA_DIR: nodeDir,
      NODE_SYNC_INTERVAL_MS: '1000', NODE_SYNC_MAX_BACKOFF_MS: '5000', LOG_LEVEL: 'error', LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    }, 'Field node is running on', cleanups);
    let officer;
    for (let i = 0; i < 600 && !officer; i++) {
      officer = await api(nodeBase, 'POST', '/api/auth/login', undefined, { email: 'officer@minusca.demo', password: PASSWORD }).then((r) => r.accessToken, () => undefined);
      if (!officer) await sleep(500);
    }
    if (!officer) throw new Error(`the node never synced its officer:\n${node.output().slice(-3000)}`);
    const hubSql = new pg.Client({ connectionString: url });
    await hubSql.connect();
    cleanups.unshift(() => hubSql.end());
    relay.set('both', { delayMs: RTT_MS / 2, rateKbps: RATE_KBPS });

    /** Offline on the node: CASES cases with PHOTOS photos each; returns their ids, photos and raw bytes. */
    async function offlineWork(tag) {
      relay.cut(true, 'drop');
      const patient = await api(nodeBase, 'POST', '/api/patients', officer, {
        serviceNumber: `BENCH-${tag}`, firstName: 'Bench', lastName: tag, dateOfBirth: '1990-01-01', sex: 'female', nationality: 'BGD', contingent: 'BANBAT',
      });
      const cases = [];
      const photos = new Map();
      for (let n = 0; n < CASES; n++) {
        const c = await api(nodeBase, 'POST', '/api/cases', officer, {
          patientId: patient.id, specialtyCode: 'dermatology', urgency: n % 10 === 0 ? 'emergency' : 'urgent', consentGiven: true, submit: true,
          presentingComplaint: `Rash, bench case ${n}`, history: 'Doxycycline for 3 weeks', vitals: { heartRate: 80 + (n % 20) }, examination: 'Maculopapular rash', question: `Question ${n}`,
        });
        cases.push(c.id);
        const ids = [];
        for (let p = 0; p < PHOTOS; p++) {
          const bytes = await photo(n * 7 + p);
          const id = await attach(nodeBase, officer, c.id, `photo-${n}-${p}.jpg`, bytes);
          photos.set(id, bytes);
          ids.push(id);
        }
        await api(nodeBase, 'POST', `/api/cases/${c.id}/messages`, officer, { body: `Photos of case ${n}`, attachmentIds: ids });
        if ((n + 1) % 10 === 0) say(`  ${tag}: ${n + 1} of ${CASES} cases made on the node`);
      }
      return { cases, photos };
    }

    /** Raw bytes of what the sync must carry: the records as JSON (as the node holds them) and the photos. */
    async function rawBytes(cases, photos) {
      const rows = await hubSql.query(
        `SELECT coalesce(sum(octet_length(to_jsonb(c)::text)), 0)::bigint AS n FROM referral_cases c WHERE c.id = ANY($1)
         UNION ALL SELECT coalesce(sum(octet_length(to_jsonb(m)::text)), 0)::bigint FROM case_messages m WHERE m.case_id = ANY($1) AND m.kind = 'message'
         UNION ALL SELECT coalesce(sum(octet_length(to_jsonb(p)::text)), 0)::bigint FROM patients p WHERE p.id IN (SELECT patient_id FROM referral_cases WHERE id = ANY($1))`,
        [cases],
      );
      const text = rows.rows.reduce((a, r) => a + Number(r.n), 0);
      const files = [...photos.values()].reduce((a, b) => a + b.length, 0);
      return { text, files, total: text + files };
    }

    async function syncOnce(tag) {
      const { cases, photos } = await offlineWork(tag);
      const before = await wire(relay);
      const started = Date.now();
      relay.cut(false);
      let lastSay = 0;
      for (;;) {
        const [{ n }] = (await hubSql.query(`SELECT count(*)::int AS n FROM referral_cases WHERE id = ANY($1)`, [cases])).rows;
        const [{ f }] = (await hubSql.query(`SELECT count(*)::int AS f FROM case_attachments WHERE case_id = ANY($1) AND status = 'ready'`, [cases])).rows;
        if (n === cases.length && f === photos.size) break;
        if (Date.now() - lastSay > 15_000) {
          lastSay = Date.now();
          say(`  ${tag}: ${n}/${cases.length} cases and ${f}/${photos.size} photos on the hub after ${Math.round((Date.now() - started) / 1000)} s`);
        }
        await sleep(250);
      }
      const seconds = (Date.now() - started) / 1000;
      const bytes = (await wire(relay)) - before;
      // Nothing lost: every photo byte-identical on the hub.
      const files = await hubSql.query(`SELECT id, upload_id FROM case_attachments WHERE case_id = ANY($1)`, [cases]);
      for (const r of files.rows) {
        if (!readFileSync(join(hubDir, 'uploads', r.upload_id)).equals(photos.get(r.id))) throw new Error(`photo ${r.id} differs on the hub`);
      }
      if (files.rows.length !== photos.size) throw new Error(`${files.rows.length} photos on the hub, ${photos.size} made`);
      const raw = await rawBytes(cases, photos);
      return { kind: 'sync', seconds, wireBytes: bytes, rawBytes: raw.total, rawText: raw.text, rawFiles: raw.files, goodput: raw.total / bytes };
    }

    /** The same raw bytes as one PUT through the same relay to a bare server: the link's own best. */
    async function baseline(rawTotal) {
      let got = 0;
      const server = createServer((req, res) => {
        req.on('data', (d) => (got += d.length));
        req.on('end', () => res.end('ok'));
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const target = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: server.address().port } });
      target.set('both', { delayMs: RTT_MS / 2, rateKbps: RATE_KBPS });
      try {
        const body = Buffer.alloc(rawTotal, 7);
        const started = Date.now();
        const res = await fetch(`http://127.0.0.1:${target.tcpPort}/`, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
        await res.text();
        const seconds = (Date.now() - started) / 1000;
        if (got !== rawTotal) throw new Error(`baseline server got ${got} of ${rawTotal} bytes`);
        const bytes = await wire(target);
        return { kind: 'baseline', seconds, wireBytes: bytes, rawBytes: rawTotal, goodput: rawTotal / bytes };
      } finally {
        await target.close();
        await new Promise((r) => server.close(r));
      }
    }

    // Balanced order (sync, baseline, baseline, sync): the baseline needs the raw size the first sync measures.
    const rows = [];
    say('B: sync 1');
    rows.push(await syncOnce('s1'));
    say(`A: baseline (${rows[0].rawBytes} raw bytes), twice`);
    rows.push(await baseline(rows[0].rawBytes));
    rows.push(await baseline(rows[0].rawBytes));
    say('B: sync 2');
    rows.push(await syncOnce('s2'));

    say(`idle: ${IDLE_SECONDS} s with nothing to sync`);
    await sleep(5000);
    const idleBefore = await wire(relay);
    await sleep(IDLE_SECONDS * 1000);
    const idleBytes = (await wire(relay)) - idleBefore;

    const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
    console.log(
      [
        '',
        `field-node sync of ${CASES} cases with ${PHOTOS} photos each over ${RATE_KBPS} kbit/s, ${RTT_MS} ms RTT (${loadLine()})`,
        'run        seconds   raw bytes   wire bytes   goodput',
        ...rows.map((r) => `${r.kind.padEnd(10)} ${fmt(r.seconds, 1).padStart(7)} ${String(r.rawBytes).padStart(11)} ${String(r.wireBytes).padStart(12)}   ${fmt(r.goodput)}`),
        '',
        `sync goodput ${fmt(mean(rows, 'sync', 'goodput'))} (goal >= 0.85), baseline ${fmt(mean(rows, 'baseline', 'goodput'))}; ` +
          `time sync/baseline ${fmt(mean(rows, 'sync', 'seconds') / mean(rows, 'baseline', 'seconds'))}x`,
        `idle: ${idleBytes} bytes on the wire in ${IDLE_SECONDS} s (long poll of 25 s plus an empty round each time it ends)`,
      ].join('\n'),
    );
    const out = join(root, 'bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ cases: CASES, photos: PHOTOS, rateKbps: RATE_KBPS, rttMs: RTT_MS, rows, idle: { seconds: IDLE_SECONDS, bytes: idleBytes } }, null, 2));
  },
  { timeoutSeconds: 3600 },
);

function mean(rows, kind, key) {
  const xs = rows.filter((r) => r.kind === kind).map((r) => r[key]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
