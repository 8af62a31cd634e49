#!/usr/bin/env node
// Live calls on weak links (issue 17): two Chromium pages running the web app's call client against the real hub,
// each page's media through its own link-emulating relay (libs/testing/src/link-relay.ts: per direction rate with
// a 500 ms drop-tail queue, delay, loss; signalling not relayed; rates count UDP payload). Per condition, the same
// call is measured on an open link (the baseline) and on the weak link, in alternating order, and the script prints
// step-down time, recovery time, audio concealment, sent bitrate and level changes, with weak/open ratios.
// A measurement, not a test: exits 0 when it ran, 1 when something broke (or timed out: BENCH_TIMEOUT_S).
//
//   npm run build:hub && npm run bench:weak-link
//   BENCH_SECONDS=60 (measured seconds of the long conditions) BENCH_DATABASE_URL=... CHROMIUM_PATH=...
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { benchDatabase, hubModule, log, root, run, signIn, startHub } from '../lib.mjs';

const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};
const SECONDS = knob('BENCH_SECONDS', 60, 10);
const TIMEOUT_S = knob('BENCH_TIMEOUT_S', 900, 60);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const say = log('weak-link');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The relay, compiled from its TypeScript source (libs/testing is not part of the hub's build). */
function loadRelay(cleanups) {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-relay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const src = readFileSync(join(root, 'libs/testing/src/link-relay.ts'), 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const file = join(dir, 'link-relay.cjs');
  writeFileSync(file, out.outputText);
  return createRequire(import.meta.url)(file);
}

/** The bench page of bench/sfu (the web app's CallClient without the app), built and served on a free port. */
async function servePage(cleanups) {
  const outDir = mkdtempSync(join(tmpdir(), 'hub-bench-page-'));
  cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
  await build({
    root: join(root, 'bench/sfu/page'),
    base: '/',
    logLevel: 'warn',
    configFile: false,
    resolve: { alias: { '@hub/contracts': join(root, 'libs/contracts/src/index.ts') } },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = join(outDir, new URL(req.url, 'http://x').pathname.replace(/\/$/, '/index.html'));
    if (!path.startsWith(outDir) || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${server.address().port}/`;
}

// ---- page probes (window.__call is the page's CallClient) ----------------------------------------------------

const audioIn = (page) =>
  page.evaluate(async () => {
    for (const c of window.__call?.consumers.values() ?? []) {
      if (c.kind !== 'audio') continue;
      let row = null;
      (await c.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') row = { concealed: s.concealedSamples ?? 0, silent: s.silentConcealedSamples ?? 0, total: s.totalSamplesReceived ?? 0 };
      });
      return row;
    }
    return null;
  });
const concealment = (a, b) => (a && b && b.total > a.total ? (b.concealed - a.concealed) / (b.total - a.total) : null);
// What the listener hears: without the samples Chromium counts as silent concealment (silence made up under DTX, or a
// loss that fell in a silence; the fake microphone is silent between its beeps).
const audible = (a, b) => (a && b && b.total > a.total ? (b.concealed - b.silent - (a.concealed - a.silent)) / (b.total - a.total) : null);
const videoSent = (page) =>
  page.evaluate(async () => {
    const cam = window.__call?.producers.get('camera');
    let n = 0;
    if (cam) (await cam.getStats()).forEach((s) => s.type === 'outbound-rtp' && (n += s.bytesSent ?? 0));
    return n;
  });
const framesIn = (page) =>
  page.evaluate(async () => {
    let n = 0;
    for (const c of window.__call?.consumers.values() ?? []) {
      if (c.kind === 'video') (await c.getStats()).forEach((s) => s.type === 'inbound-rtp' && (n += s.framesDecoded ?? 0));
    }
    return n;
  });
/** Starts a log of the page's call state (phase, downlink level, uplink level, probing) with times. */
const startLog = (page) =>
  page.evaluate(() => {
    window.__log = [];
    const push = () => {
      const s = window.__call.getState();
      const last = window.__log[window.__log.length - 1];
      const row = { t: Date.now(), phase: s.phase, quality: s.quality, uplink: s.uplink, probing: s.uplinkProbing };
      if (!last || ['phase', 'quality', 'uplink', 'probing'].some((k) => last[k] !== row[k])) window.__log.push(row);
    };
    push();
    window.__call.subscribe(push);
  });
const readLog = (page) => page.evaluate(() => window.__log ?? []);
const changes = (log, from, to, key) => {
  const before = log.filter((r) => r.t < from).pop();
  let last = before?.[key];
  let n = 0;
  for (const r of log.filter((r) => r.t >= from && r.t < to)) if (r[key] !== last) (n++, (last = r[key]));
  return n;
};

async function main(cleanups) {
  const timer = setTimeout(() => {
    console.error(`[bench:weak-link] timed out after ${TIMEOUT_S} s`);
    process.exit(1);
  }, TIMEOUT_S * 1000);
  timer.unref();
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const load0 = loadavg()[0];
  if (load0 > cpus().length / 2) say(`warning: load average ${load0.toFixed(1)} on ${cpus().length} cores; the numbers will move`);
  const { LinkRelay, routePageMediaThrough } = loadRelay(cleanups);
  const pageUrl = await servePage(cleanups);

  const url = await benchDatabase(cleanups, say);
  const hub = await startHub(url, cleanups);
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

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required'],
  });
  cleanups.unshift(() => browser.close());

  /** A fresh call (case, session, two pages on their own relays), the officer admitted by the doctor. */
  async function call(audioOnly) {
    const patient = await api('POST', '/api/patients', officer.accessToken, {
      serviceNumber: `BENCH-WL-${Date.now()}`, firstName: 'Bench', lastName: 'Patient', dateOfBirth: '1990-01-01', sex: 'male',
      nationality: 'BGD', contingent: 'BENCH', bloodGroup: 'O+', allergies: [],
    });
    const kase = await api('POST', '/api/cases', officer.accessToken, {
      patientId: patient.id, specialtyCode: 'dermatology', urgency: 'urgent', consentGiven: true, submit: true,
      presentingComplaint: 'Rash', question: 'Scabies?', vitals: {},
    });
    await api('POST', `/api/cases/${kase.id}/accept`, doctor.accessToken);
    const session = await api('POST', '/api/consultations', officer.accessToken, { caseId: kase.id });
    const side = async (who) => {
      const relay = await LinkRelay.start();
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (e) => say('page error:', e.message));
      await routePageMediaThrough(page, relay);
      await page.goto(pageUrl);
      await page.waitForFunction(() => 'bench' in window);
      return { who, relay, page, close: async () => (await context.close(), await relay.close()) };
    };
    const o = await side('officer');
    const d = await side('doctor');
    const joining = o.page.evaluate((j) => window.bench.send(j), { origin: hub.base, sessionId: session.id, token: officer.accessToken, audioOnly });
    for (let i = 0; ; i++) {
      const s = await api('GET', `/api/consultations/${session.id}`, doctor.accessToken);
      const waiting = s.participants.find((p) => p.state === 'waiting');
      if (waiting) {
        await api('POST', `/api/consultations/${session.id}/participants/${waiting.id}/admit`, doctor.accessToken);
        break;
      }
      if (i > 200) throw new Error('the officer never reached the waiting room');
      await sleep(100);
    }
    await joining;
    await d.page.evaluate((j) => window.bench.send(j), { origin: hub.base, sessionId: session.id, token: doctor.accessToken, audioOnly });
    await startLog(o.page);
    await startLog(d.page);
    return { o, d, close: async () => (await o.close(), await d.close()) };
  }

  /** Concealment both ways and sent bitrate over `ms` on whatever link is set now. */
  async function segment(c, ms) {
    const [oa, da] = [await audioIn(c.o.page), await audioIn(c.d.page)];
    const c0 = { o: await c.o.relay.counters(), d: await c.d.relay.counters() };
    await sleep(ms);
    const [ob, db] = [await audioIn(c.o.page), await audioIn(c.d.page)];
    const c1 = { o: await c.o.relay.counters(), d: await c.d.relay.counters() };
    const kbps = (x, y) => Math.round(((y - x) * 8) / ms);
    return {
      concealmentAtDoctor: concealment(da, db),
      concealmentAtOfficer: concealment(oa, ob),
      audibleAtDoctor: audible(da, db),
      audibleAtOfficer: audible(oa, ob),
      officerSentKbps: kbps(c0.o.up.bytes, c1.o.up.bytes),
      doctorSentKbps: kbps(c0.d.up.bytes, c1.d.up.bytes),
      officerUpDrops: c1.o.up.droppedQueue - c0.o.up.droppedQueue,
    };
  }

  const results = [];
  const conditions = [
    {
      name: 'officer uplink 48 kbit/s',
      audioOnly: false,
      async weak(c) {
        const limitedAt = Date.now();
        c.o.relay.set('up', { rateKbps: 48, queueMs: 500 });
        let stopped = null;
        const seen = [await videoSent(c.o.page)];
        while (Date.now() - limitedAt < 20_000) {
          await sleep(250);
          seen.push(await videoSent(c.o.page));
          if (seen.length >= 5 && seen[seen.length - 1] === seen[seen.length - 5]) {
            stopped = Date.now() - 1000 - limitedAt;
            break;
          }
        }
        const m = await segment(c, 20_000);
        const restoredAt = Date.now();
        c.o.relay.set('up', { rateKbps: 0 });
        let recovery = null;
        while (Date.now() - restoredAt < 45_000) {
          const f = await framesIn(c.d.page);
          await sleep(500);
          if ((await framesIn(c.d.page)) > f && (await c.d.page.evaluate(() => window.__call.getState().remoteUplinks))) {
            const remote = await c.d.page.evaluate(() => Object.values(window.__call.getState().remoteUplinks));
            if (!remote.some((l) => l === 'audio_only' || l === 'text_suggested')) {
              recovery = Date.now() - restoredAt;
              break;
            }
          }
        }
        return { ...m, stepDownMs: stopped, recoveryMs: recovery };
      },
      open: (c) => segment(c, 20_000),
    },
    {
      name: 'officer 150 kbit/s both ways (steady)',
      audioOnly: false,
      async weak(c) {
        c.o.relay.set('both', { rateKbps: 150, queueMs: 500 });
        await sleep(20_000);
        const from = Date.now();
        const m = await segment(c, SECONDS * 1000);
        const logs = await readLog(c.o.page);
        c.o.relay.set('both', { rateKbps: 0 });
        return { ...m, downlinkChanges: changes(logs, from, Date.now(), 'quality'), uplinkChanges: changes(logs, from, Date.now(), 'uplink'), settledOn: logs.filter((r) => r.t < from).pop() };
      },
      open: (c) => segment(c, 20_000),
    },
    {
      name: 'audio only, 24 kbit/s each way, 300 ms delay, 2 % loss',
      audioOnly: true,
      async weak(c) {
        for (const r of [c.o.relay, c.d.relay]) r.set('both', { rateKbps: 24, queueMs: 500, delayMs: 300, loss: 0.02 });
        await sleep(5_000);
        const from = Date.now();
        const m = await segment(c, SECONDS * 1000);
        const restarts = [...(await readLog(c.o.page)), ...(await readLog(c.d.page))].filter((r) => r.t >= from && r.phase === 'reconnecting').length;
        for (const r of [c.o.relay, c.d.relay]) r.set('both', { rateKbps: 0, delayMs: 0, loss: 0 });
        return { ...m, iceRestarts: restarts };
      },
      open: (c) => segment(c, 20_000),
    },
  ];

  for (const [i, cond] of conditions.entries()) {
    say(`${cond.name}: starting a call`);
    const c = await call(cond.audioOnly);
    await sleep(5_000);
    // alternate which side goes first from one condition to the next
    const order = i % 2 ? ['weak', 'open'] : ['open', 'weak'];
    const row = { condition: cond.name, load: loadavg()[0] };
    for (const side of order) {
      say(`${cond.name}: ${side} link`);
      row[side] = await cond[side](c);
      if (side === 'weak') await sleep(10_000); // the link settles back before an open segment
    }
    await c.close();
    results.push(row);
  }

  const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
  const ms = (x) => (x === null || x === undefined ? 'never' : `${(x / 1000).toFixed(1)} s`);
  const ratio = (a, b) => (a === null || b === null || !b ? '—' : `${(a / b).toFixed(2)}x`);
  const lines = ['', `Live calls on weak links (real Chromium, real SFU, media through the link relay), load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`];
  for (const r of results) {
    lines.push('', r.condition);
    for (const side of ['open', 'weak']) {
      const m = r[side];
      lines.push(
        `  ${side.padEnd(5)} concealment at doctor ${pct(m.concealmentAtDoctor).padStart(7)} (heard ${pct(m.audibleAtDoctor)}), at officer ${pct(m.concealmentAtOfficer).padStart(7)} (heard ${pct(m.audibleAtOfficer)}); ` +
          `officer sends ${m.officerSentKbps} kbit/s, doctor ${m.doctorSentKbps} kbit/s` +
          (m.stepDownMs !== undefined ? `; video stopped after ${ms(m.stepDownMs)}, back after ${ms(m.recoveryMs)}` : '') +
          (m.downlinkChanges !== undefined ? `; level changes after settling: downlink ${m.downlinkChanges}, uplink ${m.uplinkChanges} (settled on ${m.settledOn?.quality}/${m.settledOn?.uplink})` : '') +
          (m.iceRestarts !== undefined ? `; ICE restarts ${m.iceRestarts}` : ''),
      );
    }
    lines.push(`  ratio weak/open: officer sent bitrate ${ratio(r.weak.officerSentKbps, r.open.officerSentKbps)}, concealment at doctor ${ratio(r.weak.concealmentAtDoctor, r.open.concealmentAtDoctor)}`);
  }
  console.log(lines.join('\n'));
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const path = join(out, `weak-link-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify({ seconds: SECONDS, loadStart: load0, loadEnd: loadavg(), results }, null, 2));
  say('results in', path);
}

run(main);
