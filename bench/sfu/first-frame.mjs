#!/usr/bin/env node
// Join -> first decoded frame in Chromium: the hub (authenticated socket, consultation service, admission check,
// libs/media rooms and peers) against a bare mediasoup script speaking the same socket protocol (bare-sfu.mjs),
// measured in the same run with the same page and call client (the web app's CallClient). Prints median and p95
// per side and the ratio hub/bare. A measurement, not a test: exits 0 when it ran, 1 when something broke.
//
//   npm run build:hub && npm run bench:sfu:first-frame
//   BENCH_JOINS=10 (joins per side per round) BENCH_ROUNDS=2 (ABBA order) BENCH_DATABASE_URL=... CHROMIUM_PATH=...
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDatabase, hubModule, log, root, run, startHub } from '../lib.mjs';
import { startBareSfu } from './bare-sfu.mjs';
import { CHROMIUM, buildPage, consultationOnHub, deadline, knob, launchBrowser, officerSending, openPage, percentile } from './common.mjs';

const JOINS = knob('BENCH_JOINS', 10, 1);
const ROUNDS = knob('BENCH_ROUNDS', 2, 1);
const TIMEOUT = knob('BENCH_TIMEOUT_SECONDS', 600, 10);
// Pause between joins. The sender's Chromium ignores a keyframe request that comes within 300 ms of the previous one
// (webrtc's EncoderRtcpFeedback minimum keyframe interval), and mediasoup repeats an unanswered request only after
// 1 s: back-to-back joins quicker than that waited a whole extra second for their first frame (the baseline's second
// mode, 1.2 s instead of 0.3 s). Spacing the joins keeps each join's keyframe request answered.
const GAP_MS = knob('BENCH_GAP_MS', 1000, 0);
const say = log('sfu:first-frame');

async function main(cleanups) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  if (loadavg()[0] > cpus().length / 2) say(`warning: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; the numbers will move`);
  const page = await buildPage(cleanups, say);

  // the hub, with a case accepted by the doctor and its consultation session
  const url = await benchDatabase(cleanups, say);
  const hub = await startHub(url, cleanups);
  const media = hub.app.get(hubModule('libs/media/src').MediaService);
  const { MEDIA_CODECS, findWorkerBinary } = hubModule('libs/media/src');
  say('hub on', hub.base, 'media', JSON.stringify(media.status()));
  const c = await consultationOnHub(hub.base);
  const { doctor, consultation } = c;

  // the bare baseline on free ports, serving the page (both sides load it from there; the hub is reached cross-origin)
  const bare = await startBareSfu({ port: 0, staticDir: page, workerBin: findWorkerBinary().path, mediaCodecs: MEDIA_CODECS });
  cleanups.unshift(() => bare.close());
  const browser = await launchBrowser(cleanups);
  const open = () => openPage(browser, bare.url, say);

  // senders: one page producing into each SFU, staying for the whole run
  const hubSender = await open();
  const bareSender = await open();
  await bareSender.evaluate((o) => window.bench.send(o), { origin: bare.url, sessionId: 'bare' });
  await officerSending(hubSender, hub.base, c);
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
      await new Promise((done) => setTimeout(done, GAP_MS));
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

run(async (cleanups) => {
  const limit = deadline('bench:sfu:first-frame', TIMEOUT);
  try {
    await Promise.race([main(cleanups), limit.promise]);
  } finally {
    limit.clear();
  }
});
