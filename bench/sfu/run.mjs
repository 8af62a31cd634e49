// bench:sfu — how many real WebRTC consumers (ICE and DTLS done, SRTP) one mediasoup worker carries at <= 80 % of a
// core, through libs/media and through a bare mediasoup script, in alternating order (ABBA), with the same load.
// The viewers are mediasoup-client receive transports in headless Chromium pages. See bench/README.md.
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubModule, log, root, run } from '../lib.mjs';
import { startBareSfu } from './bare-sfu.mjs';
import { CHROMIUM, buildPage, deadline, knob, launchBrowser, openPage } from './common.mjs';

const say = log('sfu');
const ROOM_SIZE = knob('BENCH_ROOM_SIZE', 5, 1); // viewers per room (each its own receive transport)
const STEPS = (process.env.BENCH_ROOMS ?? '1,2,3,4,6,8').split(',').map(Number);
const PAGES = knob('BENCH_PAGES', 4, 1); // Chromium pages the viewers are spread over
const ROUNDS = knob('BENCH_ROUNDS', 2, 1); // 1: bare then libs/media; 2: ABBA
const SETTLE_S = knob('BENCH_SETTLE_SECONDS', 3, 1);
const MEASURE_S = knob('BENCH_MEASURE_SECONDS', 5, 1);
const TIMEOUT = knob('BENCH_TIMEOUT_SECONDS', 1200, 30);
const BITRATE = process.env.BENCH_VIDEO_KBPS ?? '400';
const SIZE = process.env.BENCH_VIDEO_SIZE ?? '320x180';
const FPS = process.env.BENCH_VIDEO_FPS ?? '15';
const LIMIT = 80; // % of one core
const DELIVERED = 0.99; // a step enters the result only if the viewers received at least this share
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const require = createRequire(import.meta.url);

const media = hubModule('libs/media/src');
// the rooms' quality monitors log every level change: keep the bench's output to warnings
require('@nestjs/common').Logger.overrideLogger(['warn', 'error']);
const { loadConfig } = hubModule('libs/config/src');

/** CPU seconds used by a process so far (utime + stime from /proc/<pid>/stat). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PT = 101;
const SSRC = 22222222;
const VP8 = { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] };

// Children (ffmpeg) die with the bench, also on Ctrl-C.
const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });
}

run(async (cleanups) => {
  const limit = deadline('bench:sfu', TIMEOUT);
  try {
    await Promise.race([bench(cleanups), limit.promise]);
  } finally {
    limit.clear();
  }
});

async function bench(cleanups) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const lookup = media.findWorkerBinary(process.env.MEDIASOUP_WORKER_BIN);
  if (!lookup.path) throw new Error(`no mediasoup worker (looked in ${lookup.tried.join(', ')}): run scripts/mediasoup-worker.sh`);
  process.env.MEDIASOUP_WORKER_BIN = lookup.path;
  const load = loadavg()[0];
  if (load > cpus().length / 2) say(`warning: load average ${load.toFixed(1)} on ${cpus().length} cores: other work shares the CPU and moves the numbers`);

  // 1. A VP8 clip encoded once; ffmpeg then only copies it out as RTP (no encoding cost during the measurement).
  const dir = mkdtempSync(join(tmpdir(), 'bench-sfu-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clip = join(dir, 'clip.webm');
  say(`encoding a 10 s VP8 clip at ${BITRATE} kbit/s (${SIZE}, ${FPS} fps, keyframe every second)...`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${SIZE}:rate=${FPS}`,
    '-t', '10', '-c:v', 'libvpx', '-b:v', `${BITRATE}k`, '-minrate', `${BITRATE}k`, '-maxrate', `${BITRATE}k`, '-deadline', 'realtime',
    '-cpu-used', '8', '-g', FPS, clip]);

  // 2. One ffmpeg stream into a relay socket that fans each packet out to every room's producer transport.
  const relay = createSocket('udp4');
  await new Promise((r) => relay.bind(0, '127.0.0.1', r));
  const producerPorts = new Set();
  let relayed = 0;
  relay.on('message', (msg) => {
    relayed++;
    for (const port of producerPorts) relay.send(msg, port, '127.0.0.1');
  });
  cleanups.unshift(() => relay.close());
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip,
    '-an', '-c:v', 'copy', '-ssrc', String(SSRC), '-payload_type', String(PT), '-f', 'rtp',
    `rtp://127.0.0.1:${relay.address().port}?pkt_size=1200`], { stdio: 'ignore' });
  children.push(ffmpeg);
  cleanups.unshift(() => ffmpeg.kill('SIGKILL'));

  // 3. The viewers: Chromium pages with mediasoup-client, one receive transport (RTCPeerConnection) and one consumer
  //    per viewer, ICE and DTLS done, SRTP; each page counts the packets its viewers received (inbound-rtp).
  const pageDir = await buildPage(cleanups, say);
  const server = await startBareSfu({ port: 0, staticDir: pageDir, workerBin: lookup.path, mediaCodecs: media.MEDIA_CODECS });
  cleanups.unshift(() => server.close());
  const browser = await launchBrowser(cleanups);
  const connectors = new Map(); // transport id -> (dtlsParameters) => Promise
  const pages = [];
  for (let i = 0; i < PAGES; i++) {
    pages.push(await openPage(browser, server.url, say, (context) =>
      context.exposeBinding('benchConnect', async (_src, transportId, dtlsParameters) => {
        const connect = connectors.get(transportId);
        if (!connect) throw new Error(`unknown transport ${transportId}`);
        await connect(dtlsParameters);
      })));
  }

  async function plainProducer(router) {
    const t = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const producer = await t.produce({ kind: 'video', rtpParameters: VP8 });
    producerPorts.add(t.tuple.localPort);
    return { transport: t, producer, port: t.tuple.localPort };
  }

  let viewerCount = 0;
  /** Hands a server-side transport and consumer to the next page; resolves once the page consumed (DTLS follows). */
  async function addViewer(transport, consumer, connect) {
    connectors.set(transport.id, connect);
    const page = pages[viewerCount++ % pages.length];
    await page.evaluate(([t, c]) => window.bench.viewerAdd(t, c), [transport, consumer]);
  }
  let deviceCaps;

  // Bare mediasoup: a worker with a WebRtcServer, one router per room with the same codecs, one WebRtcTransport and
  // one consumer per viewer.
  async function bareSide() {
    const mediasoup = require('mediasoup');
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }, { protocol: 'tcp', ip: '127.0.0.1' }] });
    const ports = [];
    const transports = [];
    const consumers = [];
    const producers = [];
    return {
      name: 'bare mediasoup',
      consumers: () => consumers,
      producers,
      pid: worker.pid,
      transports,
      async addRoom() {
        const router = await worker.createRouter({ mediaCodecs: media.MEDIA_CODECS });
        const { producer, port } = await plainProducer(router);
        ports.push(port);
        producers.push(producer);
        for (let i = 0; i < ROOM_SIZE; i++) {
          const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true, initialAvailableOutgoingBitrate: 600_000 });
          const c = await t.consume({ producerId: producer.id, rtpCapabilities: deviceCaps, paused: true });
          transports.push(t);
          consumers.push(c);
          await addViewer(
            { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters },
            { id: c.id, producerId: producer.id, kind: c.kind, rtpParameters: c.rtpParameters },
            (dtlsParameters) => t.connect({ dtlsParameters }),
          );
          await c.resume();
        }
      },
      dtlsConnected: () => transports.filter((t) => t.dtlsState === 'connected').length,
      close() {
        for (const p of ports) producerPorts.delete(p);
        worker.close();
      },
    };
  }

  // libs/media: MediaService (worker pool of 1, WebRtcServer), a Room per consultation with its active-speaker
  // observer and quality monitor; each viewer is a Peer with its WebRtcTransport and consumer, connected through
  // Peer.connectTransport, as the signalling gateway does.
  async function libSide() {
    const config = loadConfig({ NODE_ENV: 'development', HUB_DATA_DIR: dir, MEDIA_WORKERS: '1', MEDIA_PORT_MIN: '0', LOG_LEVEL: 'warn' });
    const service = new media.MediaService(config);
    await service.start();
    if (!service.available) throw new Error(`libs/media unavailable: ${service.status().reason}`);
    const ports = [];
    const peers = [];
    const producers = [];
    let n = 0;
    return {
      name: 'libs/media',
      pid: service.workerPids()[0],
      consumers: () => peers.flatMap((p) => [...p.consumers.values()].map((c) => c.consumer)),
      producers,
      async addRoom() {
        const room = await service.getOrCreateRoom(`bench-${n++}`);
        const sender = await room.join('sender', { userId: 'sender', displayName: 'Sender' });
        const { producer, port } = await plainProducer(room.router);
        sender.attachServerProducer(producer, 'camera');
        ports.push(port);
        producers.push(producer);
        for (let i = 0; i < ROOM_SIZE; i++) {
          const viewer = await room.join(`viewer-${i}`, { userId: `v${i}`, displayName: `Viewer ${i}`, rtpCapabilities: deviceCaps });
          const t = await viewer.createWebRtcTransport('recv');
          const c = await viewer.consume({ producerId: producer.id });
          peers.push(viewer);
          await addViewer(
            { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters },
            { id: c.id, producerId: producer.id, kind: c.kind, rtpParameters: c.rtpParameters },
            (dtlsParameters) => viewer.connectTransport(t.id, dtlsParameters),
          );
          await viewer.resumeConsumer(c.id);
        }
      },
      dtlsConnected: () => peers.filter((p) => [...p.consumers.values()].some((c) => !c.consumer.paused)).length,
      close() {
        for (const p of ports) producerPorts.delete(p);
        service.close();
      },
    };
  }

  /** Packets the worker received from the source so far, times the viewers of each room: what should reach them. */
  const sfuReceived = async (side) => {
    const stats = await Promise.all(side.producers.map((p) => p.getStats().catch(() => [])));
    return stats.reduce((n, st) => n + ROOM_SIZE * st.reduce((m, x) => m + (x.packetCount ?? 0), 0), 0);
  };
  /** Packets the worker sent to the viewers so far (each consumer's outbound-rtp packetCount). */
  const sfuSent = async (side) => {
    const stats = await Promise.all(side.consumers().map((c) => c.getStats().catch(() => [])));
    return stats.flat().filter((s) => s.type === 'outbound-rtp').reduce((n, s) => n + (s.packetCount ?? 0), 0);
  };
  const received = async () => {
    const all = await Promise.all(pages.map((p) => p.evaluate(() => window.bench.viewerReceived())));
    return all.reduce((a, b) => ({ packets: a.packets + b.packets, lost: a.lost + b.lost, connected: a.connected + b.connected, viewers: a.viewers + b.viewers }), { packets: 0, lost: 0, connected: 0, viewers: 0 });
  };

  async function ramp(side) {
    const points = [];
    let rooms = 0;
    for (const target of STEPS) {
      while (rooms < target) {
        await side.addRoom();
        rooms++;
      }
      // every viewer's transport connected (ICE + DTLS) before measuring
      for (let waited = 0; ; waited += 250) {
        const r = await received();
        if (r.connected === r.viewers) break;
        if (waited > 30_000) throw new Error(`${side.name}: only ${r.connected} of ${r.viewers} viewers connected after 30 s`);
        await sleep(250);
      }
      await sleep(SETTLE_S * 1000);
      // the source's count is taken half-way through the pages' stats reads, so both windows line up
      const sample = async () => {
        const before = relayed;
        const [v, sent, got] = await Promise.all([received(), sfuSent(side), sfuReceived(side)]);
        return { v, sent, got, r: (before + relayed) / 2 };
      };
      const { v: v0, r: r0, sent: s0, got: g0 } = await sample();
      const c0 = cpuSeconds(side.pid);
      const t0 = Date.now();
      await sleep(MEASURE_S * 1000);
      const cpu = (100 * (cpuSeconds(side.pid) - c0)) / ((Date.now() - t0) / 1000);
      const { v: v1, r: r1, sent: s1, got: g1 } = await sample();
      const consumers = rooms * ROOM_SIZE;
      // What the worker received from the source, times each room's viewers, against what the viewers' browsers
      // received (SRTP decrypted). The source's own count is kept to show the set-up's loss before the worker (the
      // fan-out socket shares the bench's event loop).
      const expected = g1 - g0;
      const delivered = (v1.packets - v0.packets) / Math.max(1, expected);
      const toWorker = expected / Math.max(1, (r1 - r0) * consumers);
      if (v1.packets - v0.packets < consumers * MEASURE_S) throw new Error(`${side.name}: media is not flowing to the viewers`);
      const lost = v1.lost - v0.lost; // what the browsers saw missing in the sequence numbers
      const forwarded = (s1 - s0) / Math.max(1, expected); // what the worker sent (its consumers' packet counts)
      points.push({ rooms, consumers, cpu, delivered, forwarded, toWorker, lost, load: loadavg()[0] });
      say(`${side.name.padEnd(15)} ${String(consumers).padStart(5)} consumers: worker ${cpu.toFixed(1).padStart(5)} % of a core, forwarded ${(100 * forwarded).toFixed(1).padStart(5)} %, delivered ${(100 * delivered).toFixed(1).padStart(5)} % (${lost} lost; source to worker ${(100 * toWorker).toFixed(1)} %)  ${bar(cpu)}`);
      if (cpu > LIMIT * 1.1) break;
    }
    return points;
  }

  const bar = (cpu) => '#'.repeat(Math.max(0, Math.round(cpu / 2.5)));

  /** Consumers at LIMIT % from a least-squares line through the steps that delivered >= 99 % (cpu = a + b * n). */
  function capacity(all) {
    const points = all.filter((p) => p.delivered >= DELIVERED);
    const lost = all.filter((p) => p.delivered < DELIVERED).map((p) => p.consumers);
    if (points.length < 2 || new Set(points.map((p) => p.consumers)).size < 2) {
      return { perConsumer: null, base: null, at80: null, fittedSteps: points.length, belowDelivered: lost };
    }
    const n = points.length;
    const mx = points.reduce((s, p) => s + p.consumers, 0) / n;
    const my = points.reduce((s, p) => s + p.cpu, 0) / n;
    const b = points.reduce((s, p) => s + (p.consumers - mx) * (p.cpu - my), 0) / points.reduce((s, p) => s + (p.consumers - mx) ** 2, 0);
    const a = my - b * mx;
    return { perConsumer: b, base: a, at80: Math.round((LIMIT - a) / b), fittedSteps: n, belowDelivered: lost };
  }

  await sleep(1000);
  if (!relayed) throw new Error('ffmpeg sends nothing');
  // the routers' capabilities (the same for every router of MEDIA_CODECS, on both sides)
  const probe = await require('mediasoup').createWorker({ logLevel: 'warn' });
  const bareRouterCaps = (await probe.createRouter({ mediaCodecs: media.MEDIA_CODECS })).rtpCapabilities;
  probe.close();
  deviceCaps = await Promise.all(pages.map((p) => p.evaluate((caps) => window.bench.viewerLoad(caps), bareRouterCaps))).then((c) => c[0]);
  const points = { 'bare mediasoup': [], 'libs/media': [] };
  const order = [];
  for (let r = 0; r < ROUNDS; r++) order.push(...(r % 2 ? [libSide, bareSide] : [bareSide, libSide]));
  for (const make of order) {
    const side = await make();
    try {
      say(`${side.name}: worker pid ${side.pid}, rooms of ${ROOM_SIZE} viewers over ${PAGES} pages, ${MEASURE_S} s per step`);
      points[side.name].push(...(await ramp(side)));
    } finally {
      await Promise.all(pages.map((p) => p.evaluate(() => window.bench.viewerClose())));
      connectors.clear();
      side.close();
    }
    await sleep(1000);
  }

  const results = Object.fromEntries(Object.entries(points).map(([name, p]) => [name, { points: p, ...capacity(p) }]));
  const bare = results['bare mediasoup'];
  const lib = results['libs/media'];
  const ratio = lib.at80 && bare.at80 ? lib.at80 / bare.at80 : null;
  const fmt = (v, d = 0) => (v === null ? '-' : v.toFixed(d));
  console.log([
    '',
    `bench:sfu — real WebRTC consumers (mediasoup-client in ${PAGES} Chromium pages, ICE+DTLS, SRTP), VP8 ${SIZE} ${FPS} fps ${BITRATE} kbit/s,`,
    `rooms of 1 producer + ${ROOM_SIZE} viewers, ${ROUNDS > 1 ? 'ABBA' : 'A then B'} order, worker CPU from /proc (${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`,
    'side              consumers at 80 %   CPU % per consumer   fixed CPU %   steps fitted (>= 99 % delivered)   steps below 99 %',
    ...[['bare mediasoup', bare], ['libs/media', lib]].map(([n, r]) =>
      `${n.padEnd(17)} ${fmt(r.at80).padStart(17)}   ${fmt(r.perConsumer, 3).padStart(18)}   ${fmt(r.base, 1).padStart(11)}   ${String(r.fittedSteps).padStart(32)}   ${r.belowDelivered.join(', ') || 'none'}`),
    '',
    ratio === null ? 'ratio: not enough steps delivered >= 99 % on one side' : `ratio libs/media / bare: ${ratio.toFixed(2)}x consumers per worker at ${LIMIT} % of a core`,
  ].join('\n'));
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `sfu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ roomSize: ROOM_SIZE, pages: PAGES, video: { kbps: Number(BITRATE), size: SIZE, fps: Number(FPS) }, limitPercent: LIMIT, results, ratio, loadavg: loadavg() }, null, 2));
  say('results in', file);
}
