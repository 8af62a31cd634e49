#!/usr/bin/env node
// The web app on a satellite link: Chromium (playwright-core) with DevTools network emulation (256 kbit/s each way,
// 600 ms latency, CDP Network.emulateNetworkConditions) against the real hub serving dist/web. Prints, against the
// targets of issue 11: sign-in usable cold and warm, the officer's home cold, bytes before sign-in; and, as a baseline
// measured in the same run, the cold sign-in from the same files served plainly (no compression, no cache headers).
//
//   npm run build:hub && npm run build:web && npm run bench:web
//   BENCH_ROUNDS=3 BENCH_RTT_MS=600 BENCH_KBITS=256 CHROMIUM_PATH=/usr/bin/chromium node bench/web/run.mjs
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, cpus } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { benchDatabase, hubModule, log, root, run, startHub } from '../lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RTT = Number(process.env.BENCH_RTT_MS ?? 600);
const KBITS = Number(process.env.BENCH_KBITS ?? 256);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT_MS = 90_000;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);
const say = log('web');
const link = { offline: false, latency: RTT, downloadThroughput: (KBITS * 1000) / 8, uploadThroughput: (KBITS * 1000) / 8 };
const TARGETS = { signInCold: 4000, signInWarm: 1000, homeCold: 6000, bytesBeforeSignIn: 150_000 };

const dist = join(root, 'dist/web');
if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'sw.js'))) {
  console.error('dist/web is missing or has no service worker: run `npm run build:web` first');
  process.exit(2);
}

/** Baseline: the same built files, sent as they are (no .br/.gz, no Cache-Control), index.html for app routes. */
function plainServer() {
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.webmanifest': 'application/manifest+json', '.json': 'application/json' };
  return createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
}

/** A page on the emulated link, counting the bytes that arrive over the network (not those from caches). */
async function emulatedPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', link);
  const counter = { bytes: 0, requests: 0, fromCache: 0, files: [] };
  const cached = new Set();
  const urls = new Map();
  const started = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    started.set(e.requestId, e.timestamp);
  });
  cdp.on('Network.requestServedFromCache', (e) => cached.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromServiceWorker || e.response.fromDiskCache || e.response.fromPrefetchCache) cached.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (cached.has(e.requestId)) counter.fromCache++;
    else {
      counter.bytes += e.encodedDataLength;
      counter.requests++;
      // bytes, then (with BENCH_VERBOSE) when the request was sent and when its last byte arrived, in seconds
      const t = (s) => (s - (counter.t0 ??= started.get(e.requestId) ?? s)).toFixed(2);
      counter.files.push(`${String(e.encodedDataLength).padStart(6)} ${t(started.get(e.requestId) ?? e.timestamp).padStart(5)} → ${t(e.timestamp).padStart(5)} s  ${new URL(urls.get(e.requestId) ?? 'http://x/?').pathname}`);
    }
  });
  return { page, counter };
}

/** Opens /login and waits until the form can be used (fields and an enabled button). */
async function signInPage(page, base) {
  const started = Date.now();
  await page.goto(`${base}/login`, { waitUntil: 'commit', timeout: WAIT_MS });
  await page.getByLabel('Email').waitFor({ timeout: WAIT_MS });
  const button = page.getByRole('button', { name: 'Sign in' });
  await button.waitFor({ timeout: WAIT_MS });
  if (await button.isDisabled()) await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.disabled, null, { timeout: WAIT_MS });
  return Date.now() - started;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

run(async (cleanups) => {
  const overall = setTimeout(() => {
    console.error(`[bench:web] timed out after ${TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, TIMEOUT_MS);
  overall.unref();
  const { freePort } = hubModule('libs/database/src');
  const { DEMO_PASSWORD } = hubModule('apps/hub/src/seed/demo-seed');
  const url = await benchDatabase(cleanups, say);
  const { base } = await startHub(url, cleanups);
  const plain = plainServer();
  const plainPort = await freePort();
  await new Promise((r) => plain.listen(plainPort, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => plain.close(r)));
  const plainBase = `http://127.0.0.1:${plainPort}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic'],
  });
  cleanups.unshift(() => browser.close());
  const fresh = async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    // When the app (React) replaced index.html's plain sign-in form: the sign-in page is "usable" with the plain form,
    // and this says when the app behind it has arrived.
    await context.addInitScript(() => {
      // And when the officer's home showed its links: taken by the page itself, since Playwright's waitFor polls ever
      // more slowly (every 500 ms after a few seconds), which would add up to half a second to the figure.
      const seen = () => {
        if (!window.__appAt && document.querySelector('main.login:not(#boot-login)')) window.__appAt = performance.now();
        if (!window.__homeAt && [...document.querySelectorAll('a')].some((a) => /New teleconsultation case/.test(a.textContent ?? ''))) window.__homeAt = performance.now();
      };
      new MutationObserver(seen).observe(document, { subtree: true, childList: true });
    });
    return context;
  };

  // Check the set-up first: both servers give the same index.html and the hub sends it compressed.
  const [a, b] = await Promise.all([fetch(`${base}/login`).then((r) => r.text()), fetch(`${plainBase}/login`).then((r) => r.text())]);
  if (a !== b) throw new Error('the hub and the plain server do not serve the same index.html');
  const enc = (await fetch(`${base}/`, { headers: { 'Accept-Encoding': 'br' } })).headers.get('content-encoding');
  say(`set-up ok: same index.html from both; hub sends it with Content-Encoding ${enc}`);

  const rows = { hubCold: [], plainCold: [], hubBytes: [], plainBytes: [], warm: [], warmBytes: [], home: [], homeAfterClick: [], appIn: [], homeBytes: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // alternate the order of the two sides each round (ABBA)
    const order = round % 2 === 0 ? ['hub', 'plain'] : ['plain', 'hub'];
    for (const side of order) {
      const context = await fresh();
      const { page, counter } = await emulatedPage(context);
      const ms = await signInPage(page, side === 'hub' ? base : plainBase);
      const bytes = counter.bytes;
      rows[`${side}Cold`].push(ms);
      rows[`${side}Bytes`].push(bytes);
      say(`round ${round + 1} ${side}: sign-in usable cold in ${fmt(ms)}, ${bytes} bytes over ${counter.requests} requests`);
      if (side === 'hub') {
        // The officer signs in at once: home usable (its links shown), timed from the cold visit's start.
        const clickAt = Date.now();
        await page.getByLabel('Email').fill('officer@minusca.demo');
        await page.getByLabel('Password').fill(DEMO_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('link', { name: /New teleconsultation case/ }).waitFor({ timeout: WAIT_MS });
        const polled = Date.now() - clickAt;
        // the page's own clock (from the start of the navigation, i.e. the cold visit)
        const [appIn, homeAt] = (await page.evaluate(() => [window.__appAt ?? NaN, window.__homeAt ?? NaN])).map(Math.round);
        if (!(homeAt > 0) || homeAt > ms + polled + 50) throw new Error(`the page did not time its home (${homeAt} ms; polled ${ms + polled} ms)`);
        const afterClick = homeAt - ms;
        rows.home.push(homeAt);
        rows.homeAfterClick.push(afterClick);
        rows.appIn.push(appIn);
        rows.homeBytes.push(counter.bytes);
        if (process.env.BENCH_VERBOSE) say(`files before the officer home:\n  ${counter.files.join('\n  ')}`);
        say(`round ${round + 1} hub: officer home usable ${fmt(ms + afterClick)} after the cold visit began (${fmt(afterClick)} after Sign in; the app took the sign-in form over at ${fmt(appIn)}; ${counter.bytes} bytes by then)`);
        // Warm: the same browser later (service worker installed, caches filled), a new tab at the sign-in page.
        await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: WAIT_MS });
        const again = await emulatedPage(context);
        const warm = await signInPage(again.page, base);
        rows.warm.push(warm);
        rows.warmBytes.push(again.counter.bytes);
        say(`round ${round + 1} hub: sign-in usable warm in ${fmt(warm)}, ${again.counter.bytes} bytes over the network`);
      }
      await context.close();
    }
  }

  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const line = (name, value, target, unit = 'ms') => {
    const shown = unit === 'ms' ? fmt(value) : `${(value / 1000).toFixed(1)} kB`;
    const goal = unit === 'ms' ? fmt(target) : `${(target / 1000).toFixed(0)} kB`;
    return `${name.padEnd(40)} ${shown.padStart(10)}   target <= ${goal.padEnd(8)} ${value <= target ? 'MET' : 'MISSED'}`;
  };
  console.log(
    [
      '',
      `web app at ${KBITS} kbit/s, ${RTT} ms latency (Chromium DevTools emulation), median of ${ROUNDS} rounds`,
      line('sign-in usable, cold', median(rows.hubCold), TARGETS.signInCold),
      line('sign-in usable, warm', median(rows.warm), TARGETS.signInWarm),
      line('officer home usable, cold', median(rows.home), TARGETS.homeCold),
      line('bytes before sign-in', median(rows.hubBytes), TARGETS.bytesBeforeSignIn, 'B'),
      `${'  (officer home after pressing Sign in)'.padEnd(40)} ${fmt(median(rows.homeAfterClick)).padStart(10)}`,
      `${'  (app took over the plain sign-in form)'.padEnd(40)} ${fmt(median(rows.appIn)).padStart(10)}`,
      `${'  (bytes before the officer home)'.padEnd(40)} ${`${(median(rows.homeBytes) / 1000).toFixed(1)} kB`.padStart(10)}`,
      `${'  (bytes over the network, warm)'.padEnd(40)} ${`${(median(rows.warmBytes) / 1000).toFixed(1)} kB`.padStart(10)}`,
      '',
      'baseline, same run: the same files served plainly (no compression, no cache headers)',
      `${'sign-in usable, cold, plain'.padEnd(40)} ${fmt(median(rows.plainCold)).padStart(10)}   ratio plain/hub ${(median(rows.plainCold) / median(rows.hubCold)).toFixed(2)}x`,
      `${'bytes before sign-in, plain'.padEnd(40)} ${`${(median(rows.plainBytes) / 1000).toFixed(1)} kB`.padStart(10)}   ratio plain/hub ${(median(rows.plainBytes) / median(rows.hubBytes)).toFixed(2)}x`,
      '',
      `load average ${load} on ${cpus().length} cores${loadavg()[0] > cpus().length / 2 ? ' (busy machine: timings are pessimistic)' : ''}`,
      `raw: ${JSON.stringify(rows)}`,
    ].join('\n'),
  );
});
