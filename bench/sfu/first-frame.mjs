#!/usr/bin/env node
// Join -> first decoded frame in Chromium: the hub (authenticated socket, consultation service, admission check,
// libs/media rooms and peers) against a bare mediasoup script speaking the same socket protocol (bare-sfu.mjs),
// measured in the same run with the same page and call client (the web app's CallClient). Prints median and p95
// per side and the ratio hub/bare. A measurement, not a test: exits 0 when it ran, 1 when something broke.
//
//   npm run build:hub && npm run bench:sfu:first-frame
//   BENCH_JOINS=10 (joins per side per round) BENCH_ROUNDS=2 (ABBA order) BENCH_DATABASE_URL=... CHROMIUM_PATH=...
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { benchDatabase, hubModule, log, root, run, signIn, startHub } from '../lib.mjs';
import { startBareSfu } from './bare-sfu.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const JOINS = knob('BENCH_JOINS', 10, 1);
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const say = log('sfu:first-frame');

const percentile = (sorted, p) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];

/** Builds the bench page (bench/sfu/page) with the web app's call client into a temporary directory. */
async function buildPage(cleanups) {
  const outDir = mkdtempSync(join(tmpdir(), 'hub-bench-page-'));
  cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
  say('building the bench page (web call client) with vite');
  await build({
    root: join(root, 'bench/sfu/page'),
    base: '/',
    logLevel: 'warn',
    configFile: false,
    resolve: { alias: { '@hub/contracts': join(root, 'libs/contracts/src/index.ts') } },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

async function main(cleanups) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  if (loadavg()[0] > cpus().length / 2) say(`warning: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; the numbers will move`);
  const page = await buildPage(cleanups);

  // the hub, with a case accepted by the doctor and its consultation session
  const url = await benchDatabase(cleanups, say);
  const hub = await startHub(url, cleanups);
  const media = hub.app.get(hubModule('libs/media/src').MediaService);
  const { MEDIA_CODECS, findWorkerBinary } = hubModule('libs/media/src');
  say('hub on', hub.base, 'media', JSON.stringify(media.status()));
  const officer = await signIn(hub.base, 'officer@minusca.demo');
  const doctor = await signIn(hub.base, 'doctor@minusca.demo');
  const api = async (method, path, token, body) => {
    const res = await fetch(hub.base + path, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const patient = await api('POST', '/api/patients', officer.accessToken, {
    serviceNumber: `BENCH-${Date.now()}`, firstName: 'Bench', lastName: 'Patient', dateOfBirth: '1990-01-01', sex: 'male',
    nationality: 'BGD', contingent: 'BENCH', bloodGroup: 'O+', allergies: [],
  });
  const kase = await api('POST', '/api/cases', officer.accessToken, {
    patientId: patient.id, specialtyCode: 'dermatology', urgency: 'urgent', consentGiven: true, submit: true,
    presentingComplaint: 'Rash', question: 'Scabies?', vitals: {},
  });
  await api('POST', `/api/cases/${kase.id}/accept`, doctor.accessToken);
  const consultation = await api('POST', '/api/consultations', officer.accessToken, { caseId: kase.id });

  // the bare baseline, serving the page (both sides load it from there; the hub is reached cross-origin)
  const { freePort } = hubModule('libs/database/src');
  const bare = await startBareSfu({ port: await freePort(), staticDir: page, workerBin: findWorkerBinary().path, mediaCodecs: MEDIA_CODECS });
  cleanups.unshift(() => bare.close());

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  cleanups.unshift(() => browser.close());
  const open = async () => {
    const p = await (await browser.newContext()).newPage();
    p.on('pageerror', (e) => say('page error:', e.message));
    await p.goto(bare.url);
    await p.waitForFunction(() => 'bench' in window);
    return p;
  };

  // senders: one page producing into each SFU, staying for the whole run
  const hubSender = await open();
  const bareSender = await open();
  await bareSender.evaluate((o) => window.bench.send(o), { origin: bare.url, sessionId: 'bare' });
  const sending = hubSender.evaluate((o) => window.bench.send(o), { origin: hub.base, sessionId: consultation.id, token: officer.accessToken });
  // the officer waits: the doctor admits (REST), as in the real flow
  for (let i = 0; ; i++) {
    const s = await api('GET', `/api/consultations/${consultation.id}`, doctor.accessToken);
    const waiting = s.participants.find((p) => p.state === 'waiting');
    if (waiting) {
      await api('POST', `/api/consultations/${consultation.id}/participants/${waiting.id}/admit`, doctor.accessToken);
      break;
    }
    if (i > 100) throw new Error('the officer never reached the waiting room');
    await new Promise((r) => setTimeout(r, 100));
  }
  await sending;
  say('senders in both calls');

  const sides = {
    bare: { join: { origin: bare.url, sessionId: 'bare' }, samples: [], inCall: [] },
    hub: { join: { origin: hub.base, sessionId: consultation.id, token: doctor.accessToken }, samples: [], inCall: [] },
  };
  const joiner = await open();
  const measure = async (name) => {
    const side = sides[name];
    for (let i = 0; i < JOINS; i++) {
      const r = await joiner.evaluate((o) => window.bench.firstFrame(o), side.join);
      await joiner.evaluate(() => window.bench.leave());
      side.samples.push(r.ms);
      side.inCall.push(r.inCallMs);
      say(`${name} join ${i + 1}/${JOINS}: first frame ${r.ms.toFixed(0)} ms (in call after ${r.inCallMs.toFixed(0)} ms)`);
    }
  };
  // one warm-up join each (JIT, codec init), not counted
  for (const name of ['bare', 'hub']) {
    await joiner.evaluate((o) => window.bench.firstFrame(o), sides[name].join);
    await joiner.evaluate(() => window.bench.leave());
  }
  for (let r = 0; r < ROUNDS; r++) for (const name of r % 2 ? ['hub', 'bare'] : ['bare', 'hub']) await measure(name);

  const rows = Object.entries(sides).map(([name, s]) => {
    const sorted = [...s.samples].sort((a, b) => a - b);
    const inCall = [...s.inCall].sort((a, b) => a - b);
    return {
      name: name === 'hub' ? 'hub (auth, admission, libs/media)' : 'bare mediasoup script',
      joins: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      min: sorted[0],
      max: sorted[sorted.length - 1],
      inCallP50: percentile(inCall, 50),
    };
  });
  const [bareRow, hubRow] = rows;
  const fmt = (n) => `${n.toFixed(0)} ms`;
  console.log(
    [
      '',
      `Join -> first decoded frame in Chromium (fake camera, VP8 simulcast), ${JOINS * ROUNDS} joins per side`,
      'side                                  p50        p95        min        max    in call p50',
      ...rows.map((r) => `${r.name.padEnd(34)} ${fmt(r.p50).padStart(7)} ${fmt(r.p95).padStart(10)} ${fmt(r.min).padStart(10)} ${fmt(r.max).padStart(10)} ${fmt(r.inCallP50).padStart(14)}`),
      '',
      `ratio hub/bare: p50 ${(hubRow.p50 / bareRow.p50).toFixed(2)}x, p95 ${(hubRow.p95 / bareRow.p95).toFixed(2)}x`,
    ].join('\n'),
  );
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const path = join(out, `sfu-first-frame-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const ratio = { p50: hubRow.p50 / bareRow.p50, p95: hubRow.p95 / bareRow.p95 };
  writeFileSync(path, JSON.stringify({ joinsPerSide: JOINS * ROUNDS, rows, ratio, samples: { bare: sides.bare.samples, hub: sides.hub.samples } }, null, 2));
  say('results in', path);
}

run(main);
