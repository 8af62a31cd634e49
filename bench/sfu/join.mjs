#!/usr/bin/env node
// Joining a call over a satellite link: Join -> first decoded frame in Chromium, with the signalling (TCP) and the
// media (UDP) of the joining page both through the project's link-emulating relay (libs/testing/src/link-relay.ts)
// at BENCH_RTT_MS round trip, against the same join on loopback, in alternating order. Prints the time and the
// round trips (time / RTT) per case, and the signalling requests sent before the first frame.
//
//   npm run build:hub && npm run bench:sfu:join
//   BENCH_RTT_MS=600 BENCH_JOINS=3 (per case) BENCH_TIMEOUT_SECONDS=600 BENCH_DATABASE_URL=... CHROMIUM_PATH=...
//
// Two ways into the call, both measured:
// - from the pre-call page (the app's flow: it opens the call socket while the user checks camera and link), so
//   Join starts on a connected socket;
// - cold: the call page opened directly, the socket's TCP connection, WebSocket upgrade and socket.io handshake
//   included.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDatabase, hubModule, log, root, run, startHub } from '../lib.mjs';
import { startBareSfu } from './bare-sfu.mjs';
import { CHROMIUM, buildPage, consultationOnHub, deadline, knob, launchBrowser, loadLinkRelay, officerSending, openPage, percentile } from './common.mjs';

const RTT = knob('BENCH_RTT_MS', 600, 0);
const JOINS = knob('BENCH_JOINS', 3, 1);
const TIMEOUT = knob('BENCH_TIMEOUT_SECONDS', 600, 10);
const say = log('sfu:join');

async function main(cleanups) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const load0 = loadavg()[0];
  if (load0 > cpus().length / 2) say(`warning: load average ${load0.toFixed(1)} on ${cpus().length} cores; the numbers will move`);
  const { LinkRelay, routePageMediaThrough } = loadLinkRelay(cleanups);
  const pageDir = await buildPage(cleanups, say);

  const url = await benchDatabase(cleanups, say);
  const hub = await startHub(url, cleanups);
  const { MEDIA_CODECS, findWorkerBinary } = hubModule('libs/media/src');
  const c = await consultationOnHub(hub.base);
  // serves the page (the bare SFU's static server; its own SFU is not used here)
  const bare = await startBareSfu({ port: 0, staticDir: pageDir, workerBin: findWorkerBinary().path, mediaCodecs: MEDIA_CODECS });
  cleanups.unshift(() => bare.close());
  const browser = await launchBrowser(cleanups);

  // the officer sends from loopback; only the joining doctor sits behind the satellite link
  const sender = await openPage(browser, bare.url, say);
  await officerSending(sender, hub.base, c);
  say('officer in the call, sending');

  const hubPort = Number(new URL(hub.base).port);
  const shape = { delayMs: RTT / 2 };
  const signalling = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: hubPort }, up: shape, down: shape });
  const media = await LinkRelay.start({ up: shape, down: shape });
  cleanups.unshift(() => signalling.close(), () => media.close());
  const linkPage = await openPage(browser, bare.url, say, (context) => routePageMediaThrough(context, media));
  const loopPage = await openPage(browser, bare.url, say);

  const cases = {
    'loopback, from the pre-call page': { page: loopPage, origin: hub.base, warm: true, rtt: 0 },
    'loopback, cold': { page: loopPage, origin: hub.base, warm: false, rtt: 0 },
    [`${RTT} ms link, from the pre-call page`]: { page: linkPage, origin: `http://127.0.0.1:${signalling.tcpPort}`, warm: true, rtt: RTT },
    [`${RTT} ms link, cold`]: { page: linkPage, origin: `http://127.0.0.1:${signalling.tcpPort}`, warm: false, rtt: RTT },
  };
  for (const k of Object.keys(cases)) Object.assign(cases[k], { samples: [], requests: [] });
  const joinOnce = async (name) => {
    const k = cases[name];
    const j = { origin: k.origin, sessionId: c.consultation.id, token: c.doctor.accessToken };
    if (k.warm) await k.page.evaluate((o) => window.bench.preconnect(o), j);
    const r = await k.page.evaluate((o) => window.bench.firstFrame(o), j);
    await k.page.evaluate(() => window.bench.leave());
    // the sender's Chromium ignores keyframe requests closer than 300 ms (see first-frame.mjs): space the joins
    await new Promise((done) => setTimeout(done, 1000));
    return r;
  };
  // warm-up (JIT, codecs), not counted
  for (const name of Object.keys(cases)) await joinOnce(name);
  const before = await media.counters();
  const order = Object.keys(cases);
  for (let i = 0; i < JOINS; i++) {
    for (const name of i % 2 ? [...order].reverse() : order) {
      const r = await joinOnce(name);
      cases[name].samples.push(r.ms);
      cases[name].requests.push(r.requests);
      say(`${name} ${i + 1}/${JOINS}: first frame ${r.ms.toFixed(0)} ms; requests before it: ${r.requests.map((q) => `${q.event}@${q.at.toFixed(0)}`).join(' ')}`);
    }
  }
  const after = await media.counters();
  const lost = ['up', 'down'].reduce((n, d) => n + after[d].droppedLoss + after[d].droppedQueue + after[d].droppedCut - before[d].droppedLoss - before[d].droppedQueue - before[d].droppedCut, 0);
  if (lost) throw new Error(`the media relay dropped ${lost} packets: the set-up is not loss-free, the figures would be wrong`);

  const rows = Object.entries(cases).map(([name, k]) => {
    const sorted = [...k.samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const median = k.requests[k.samples.indexOf(p50)];
    return { name, rtt: k.rtt, joins: sorted.length, p50, max: sorted[sorted.length - 1], roundTrips: k.rtt ? p50 / k.rtt : null, requests: median };
  });
  const loop = (warm) => rows.find((r) => !r.rtt && r.name.includes(warm ? 'pre-call' : 'cold'));
  const load1 = loadavg()[0];
  const lines = ['', `Join -> first decoded frame, signalling and media through the link relay at ${RTT} ms RTT (${JOINS} joins per case)`, ''];
  for (const r of rows) {
    const base = loop(r.name.includes('pre-call'));
    const extra = r.rtt ? `  = ${r.roundTrips.toFixed(2)} round trips (${((r.p50 - base.p50) / r.rtt).toFixed(2)} beyond the loopback time)` : '';
    lines.push(`${r.name.padEnd(40)} p50 ${r.p50.toFixed(0).padStart(6)} ms  max ${r.max.toFixed(0).padStart(6)} ms${extra}`);
    lines.push(`${''.padEnd(40)} requests before the first frame (${r.requests.length}): ${r.requests.map((q) => `${q.event}@${r.rtt ? (q.at / r.rtt).toFixed(1) + 'RTT' : q.at.toFixed(0) + 'ms'}`).join(', ')}`);
  }
  const warmLink = rows.find((r) => r.rtt && r.name.includes('pre-call'));
  lines.push('', `round trips from Join on the pre-call page to the first frame at ${RTT} ms RTT: ${warmLink.roundTrips.toFixed(2)} (goal <= 6)`);
  lines.push(`media relay: ${after.down.deliveredPackets - before.down.deliveredPackets} packets down, none dropped; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
  console.log(lines.join('\n'));
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const path = join(out, `sfu-join-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify({ rttMs: RTT, joinsPerCase: JOINS, loadAverage: [load0, load1], rows, samples: Object.fromEntries(Object.entries(cases).map(([n, k]) => [n, k.samples])) }, null, 2));
  say('results in', path);
}

run(async (cleanups) => {
  const limit = deadline('bench:sfu:join', TIMEOUT);
  try {
    await Promise.race([main(cleanups), limit.promise]);
  } finally {
    limit.clear();
  }
});
