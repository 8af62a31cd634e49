#!/usr/bin/env node
// Field-node sync over a satellite-like link (issue 10): a hub and a field node as separate processes (the compiled
// apps), the test kit's link relay between them (libs/testing/src/link-relay.ts) at BENCH_RATE_KBPS (256) each way
// with BENCH_RTT_MS (600) round trip. On the node, with the link cut, an officer opens BENCH_CASES (100) cases with
// BENCH_PHOTOS (3) photos each (real JPEGs of gaussian noise, 384x288 to 544x408 at quality 70: 32 to 62 kB, about
// 47 kB on average, so incompressible like a photo); then the link opens and the script times the sync until the hub
// holds every case, message and photo, and counts the bytes on the wire (TCP payload through the relay, both
// directions). Before a figure is trusted it checks that nothing was lost: every case and message once on the hub,
// every photo ready with the SHA-256 of the bytes made on the node. Goodput ratio = raw bytes of the data (photos +
// the case, patient and message rows as JSON) / bytes on the wire; goal >= 0.85.
// Baseline in the same run: the same raw bytes sent as one HTTP PUT through the same relay to a bare node:http
// server (the best any protocol can do on this link). BENCH_ROUNDS=2 runs sync, baseline, baseline, sync (balanced
// order, each sync on fresh cases); 1 (the default, a full run takes about 15 minutes) runs sync, baseline. Then the
// cost of idle sync: bytes on the wire in BENCH_IDLE_SECONDS while the node has nothing to send.
// A measurement, not a test: exits 0 when it ran, 1 when something broke (or a sync stalled for
// BENCH_STALL_SECONDS), 3 on timeout (BENCH_TIMEOUT_SECONDS).
//
//   npm run build:hub && npm run build:node && npm run bench:sync
//   quick run: BENCH_CASES=5 BENCH_PHOTOS=2 BENCH_IDLE_SECONDS=30 npm run bench:sync
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
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
const ROUNDS = knob('BENCH_ROUNDS', 1, 1);
const STALL_SECONDS = knob('BENCH_STALL_SECONDS', 300, 30);
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

/** A photo-sized JPEG (32 to 62 kB): gaussian noise compresses as badly as a photo does. */
const photo = (seed) => {
  const width = 384 + (seed % 5) * 40;
  return sharp({ create: { width, height: (width * 3) / 4, channels: 3, background: { r: seed % 255, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 70 })
    .toBuffer();
};
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

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
      NODE_SYNC_INTERVAL_MS: '1000', NODE_SYNC_MAX_BACKOFF_MS: '5000', LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    }, 'Field node is running on', cleanups);
    const hubSql = new pg.Client({ connectionString: url });
    await hubSql.connect();
    cleanups.unshift(() => hubSql.end());
    // The node has applied its snapshot (paged) once it pulls the log: the hub keeps its cursor from then on. Signing
    // in before would count failed sign-ins against the officer (and lock the account).
    const enrolled = Date.now();
    for (;;) {
      const { rows } = await hubSql.query('SELECT 1 FROM sync_node_cursors k JOIN field_nodes n ON n.id = k.node_id WHERE n.revoked_at IS NULL');
      if (rows.length) break;
      if (Date.now() - enrolled > 600_000) throw new Error(`the node did not finish its first snapshot within 600 s:\n${node.output().slice(-3000)}`);
      await sleep(1000);
    }
    say(`the node enrolled and applied its first snapshot in ${Math.round((Date.now() - enrolled) / 1000)} s`);
    let officer;
    for (let i = 0; i < 5 && !officer; i++) {
      officer = await api(nodeBase, 'POST', '/api/auth/login', undefined, { email: 'officer@minusca.demo', password: PASSWORD }).then((r) => r.accessToken, (e) => (i === 4 ? Promise.reject(e) : undefined));
      if (!officer) await sleep(2000);
    }
    relay.set('both', { delayMs: RTT_MS / 2, rateKbps: RATE_KBPS });

    /** Offline on the node: CASES cases with PHOTOS photos each; returns their ids, photos and raw bytes. */
    async function offlineWork(tag) {
      relay.cut(true, 'drop');
      const patient = await api(nodeBase, 'POST', '/api/patients', officer, {
        serviceNumber: `BENCH-${tag}`, firstName: 'Bench', lastName: tag, dateOfBirth: '1990-01-01', sex: 'female', nationality: 'BGD', contingent: 'BANBAT',
      });
      const cases = [];
      const messages = [];
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
        const message = await api(nodeBase, 'POST', `/api/cases/${c.id}/messages`, officer, { body: `Photos of case ${n}`, attachmentIds: ids });
        messages.push(message?.id ?? message?.message?.id ?? n);
        if ((n + 1) % 10 === 0) say(`  ${tag}: ${n + 1} of ${CASES} cases made on the node`);
      }
      return { cases, photos, messages };
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
      const { cases, photos, messages } = await offlineWork(tag);
      const before = await relay.counters();
      const started = Date.now();
      relay.cut(false);
      let lastSay = 0;
      let lastProgress = { at: Date.now(), n: -1 };
      for (;;) {
        const [{ n }] = (await hubSql.query(`SELECT count(*)::int AS n FROM referral_cases WHERE id = ANY($1)`, [cases])).rows;
        const [{ f }] = (await hubSql.query(`SELECT count(*)::int AS f FROM case_attachments WHERE case_id = ANY($1) AND status = 'ready'`, [cases])).rows;
        const [{ r }] = (await hubSql.query(`SELECT coalesce(sum(received_bytes), 0)::bigint AS r FROM case_attachments WHERE case_id = ANY($1) AND status = 'uploading'`, [cases])).rows;
        if (n === cases.length && f === photos.size) break;
        const progress = n * 1e12 + f * 1e9 + Number(r);
        if (progress !== lastProgress.n) lastProgress = { at: Date.now(), n: progress };
        if (Date.now() - lastProgress.at > STALL_SECONDS * 1000) {
          throw new Error(`${tag}: no progress for ${STALL_SECONDS} s (${n}/${cases.length} cases, ${f}/${photos.size} photos on the hub); node output:\n${node.output().slice(-4000)}`);
        }
        if (Date.now() - lastSay > 15_000) {
          lastSay = Date.now();
          say(`  ${tag}: ${n}/${cases.length} cases and ${f}/${photos.size} photos on the hub after ${Math.round((Date.now() - started) / 1000)} s`);
        }
        await sleep(250);
      }
      const seconds = (Date.now() - started) / 1000;
      const after = await relay.counters();
      const up = after.up.deliveredBytes - before.up.deliveredBytes;
      const down = after.down.deliveredBytes - before.down.deliveredBytes;
      // Nothing lost before any figure counts: every case and message once, every photo with the SHA-256 made on the node.
      const [{ dup }] = (await hubSql.query(`SELECT count(*)::int AS dup FROM (SELECT id FROM referral_cases WHERE id = ANY($1) GROUP BY id HAVING count(*) > 1) d`, [cases])).rows;
      if (dup) throw new Error(`${tag}: ${dup} cases twice on the hub`);
      const [{ m }] = (await hubSql.query(`SELECT count(*)::int AS m FROM case_messages WHERE case_id = ANY($1) AND kind = 'message'`, [cases])).rows;
      if (m !== messages.length) throw new Error(`${tag}: ${m} of ${messages.length} messages on the hub`);
      const files = await hubSql.query(`SELECT id, upload_id, sha256, message_id FROM case_attachments WHERE case_id = ANY($1)`, [cases]);
      if (files.rows.length !== photos.size) throw new Error(`${tag}: ${files.rows.length} photos on the hub, ${photos.size} made`);
      for (const row of files.rows) {
        const made = photos.get(row.id);
        if (!made) throw new Error(`${tag}: photo ${row.id} on the hub was never made on the node`);
        const held = sha256(readFileSync(join(hubDir, 'uploads', row.upload_id)));
        if (held !== sha256(made) || row.sha256 !== held) throw new Error(`${tag}: photo ${row.id} differs on the hub (SHA-256)`);
        if (!row.message_id) throw new Error(`${tag}: photo ${row.id} is not linked to its message on the hub`);
      }
      say(`  ${tag}: checked: ${cases.length} cases, ${messages.length} messages, ${photos.size} photos byte-identical (SHA-256) on the hub`);
      const raw = await rawBytes(cases, photos);
      return { kind: 'sync', seconds, wireBytes: up + down, upBytes: up, downBytes: down, rawBytes: raw.total, rawText: raw.text, rawFiles: raw.files, goodput: raw.total / (up + down) };
    }

    /** The same raw bytes as one PUT through the same relay to a bare server: the link's own best. */
    async function baseline(rawTotal) {
      let got = 0;
      // No request timeout: the upload takes longer than node's default 300 s at this rate.
      const server = createServer({ requestTimeout: 0 }, (req, res) => {
        req.on('data', (d) => (got += d.length));
        req.on('end', () => res.end('ok'));
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const target = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: server.address().port } });
      target.set('both', { delayMs: RTT_MS / 2, rateKbps: RATE_KBPS });
      try {
        const body = Buffer.alloc(rawTotal, 7);
        const started = Date.now();
        // node:http, not fetch: at 256 kbit/s a full run's upload takes longer than fetch's 300 s wait for headers.
        await new Promise((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port: target.tcpPort, method: 'PUT', path: '/', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        const seconds = (Date.now() - started) / 1000;
        if (got !== rawTotal) throw new Error(`baseline server got ${got} of ${rawTotal} bytes`);
        const bytes = await wire(target);
        return { kind: 'baseline', seconds, wireBytes: bytes, rawBytes: rawTotal, goodput: rawTotal / bytes };
      } finally {
        await target.close();
        await new Promise((r) => server.close(r));
      }
    }

    // Balanced order (sync, baseline, baseline, sync) with BENCH_ROUNDS=2: the baseline needs the raw size the first
    // sync measures.
    const rows = [];
    say(`B: sync 1 (${loadLine()})`);
    rows.push(await syncOnce('s1'));
    say(`sync 1: ${rows[0].seconds.toFixed(1)} s, ${rows[0].rawBytes} raw bytes, ${rows[0].wireBytes} on the wire (up ${rows[0].upBytes}, down ${rows[0].downBytes}): goodput ${(rows[0].goodput).toFixed(3)}`);
    for (let round = 1; round <= ROUNDS; round++) {
      say(`A: baseline ${round} (${rows[0].rawBytes} raw bytes; ${loadLine()})`);
      rows.push(await baseline(rows[0].rawBytes));
    }
    for (let round = 2; round <= ROUNDS; round++) {
      say(`B: sync ${round} (${loadLine()})`);
      rows.push(await syncOnce(`s${round}`));
    }

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
        'run        seconds   raw bytes   (text)   wire bytes   (up / down)            goodput',
        ...rows.map(
          (r) =>
            `${r.kind.padEnd(10)} ${fmt(r.seconds, 1).padStart(7)} ${String(r.rawBytes).padStart(11)} ${String(r.rawText ?? '').padStart(8)} ${String(r.wireBytes).padStart(12)}   ` +
            `${r.upBytes === undefined ? ''.padEnd(21) : `${r.upBytes} / ${r.downBytes}`.padEnd(21)}  ${fmt(r.goodput)}`,
        ),
        '',
        `sync goodput ${fmt(mean(rows, 'sync', 'goodput'))} (goal >= 0.85), baseline ${fmt(mean(rows, 'baseline', 'goodput'))}; ` +
          `time sync/baseline ${fmt(mean(rows, 'sync', 'seconds') / mean(rows, 'baseline', 'seconds'))}x`,
        `idle: ${idleBytes} bytes on the wire in ${IDLE_SECONDS} s, ${Math.round((idleBytes * 60) / IDLE_SECONDS)} bytes a minute (a 25 s long poll; a full round every 5 minutes)`,
      ].join('\n'),
    );
    const out = join(root, 'bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ cases: CASES, photos: PHOTOS, rateKbps: RATE_KBPS, rttMs: RTT_MS, load: loadLine(), rows, idle: { seconds: IDLE_SECONDS, bytes: idleBytes } }, null, 2));
  },
  { timeoutSeconds: 3600 },
);

function mean(rows, kind, key) {
  const xs = rows.filter((r) => r.kind === kind).map((r) => r[key]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
