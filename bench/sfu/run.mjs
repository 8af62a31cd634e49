// bench:sfu — how many consumers one mediasoup worker carries at <= 80 % of a core, through libs/media and
// through a bare mediasoup script, in the same run, with the same load. See bench/README.md.
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubModule, log, root, run } from '../lib.mjs';

const say = log('sfu');
const ROOM_SIZE = Number(process.env.BENCH_ROOM_SIZE ?? 10); // consumers per room (viewers of one camera)
const STEPS = (process.env.BENCH_ROOMS ?? '2,4,8,16,24,32,48,64').split(',').map(Number);
const SETTLE_S = Number(process.env.BENCH_SETTLE_SECONDS ?? 3);
const MEASURE_S = Number(process.env.BENCH_MEASURE_SECONDS ?? 5);
const BITRATE = process.env.BENCH_VIDEO_KBPS ?? '800';
const LIMIT = 80; // % of one core
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const require = createRequire(import.meta.url);

const media = hubModule('libs/media/src');
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

// Children (ffmpeg, the drain) die with the bench, also on Ctrl-C.
const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });
}

run(async (cleanups) => {
  const lookup = media.findWorkerBinary(process.env.MEDIASOUP_WORKER_BIN);
  if (!lookup.path) throw new Error(`no mediasoup worker (looked in ${lookup.tried.join(', ')}): run scripts/mediasoup-worker.sh`);
  process.env.MEDIASOUP_WORKER_BIN = lookup.path;
  const load = loadavg()[0];
  if (load > cpus().length / 2) say(`warning: load average ${load.toFixed(1)} on ${cpus().length} cores: other work shares the CPU and moves the numbers`);

  // 1. A VP8 clip encoded once; ffmpeg then only copies it out as RTP (no encoding cost during the measurement).
  const dir = mkdtempSync(join(tmpdir(), 'bench-sfu-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clip = join(dir, 'clip.webm');
  say(`encoding a 10 s VP8 clip at ${BITRATE} kbit/s (640x360, 30 fps, keyframe every second)...`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-t', '10', '-c:v', 'libvpx', '-b:v', `${BITRATE}k`, '-deadline', 'realtime', '-cpu-used', '8', '-g', '30', clip]);

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

  // 3. Where consumers send: a socket that is never read (the kernel drops what overflows, at no cost to us), and
  //    one counting socket to prove media flows on each side.
  const drain = spawn('python3', ['-c', [
    'import socket, sys, time',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    "s.bind(('127.0.0.1', 0))",
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(1e9)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(drain);
  cleanups.unshift(() => drain.kill('SIGKILL'));
  const drainPort = Number(await new Promise((r) => drain.stdout.once('data', (d) => r(String(d).trim()))));
  const counter = createSocket('udp4');
  await new Promise((r) => counter.bind(0, '127.0.0.1', r));
  let counted = 0;
  counter.on('message', () => counted++);
  cleanups.unshift(() => counter.close());

  /** A room: a PlainTransport producer fed by the relay, and consumers added on demand. */
  async function plainConsumer(router, producerId, port) {
    const t = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    await t.connect({ ip: '127.0.0.1', port });
    await t.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: false });
    return t;
  }
  async function plainProducer(router) {
    const t = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const producer = await t.produce({ kind: 'video', rtpParameters: VP8 });
    producerPorts.add(t.tuple.localPort);
    return { transport: t, producer, port: t.tuple.localPort };
  }

  // Bare mediasoup: a worker, one router per room with the same codecs, PlainTransports only.
  async function bareSide() {
    const mediasoup = require('mediasoup');
    const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 49999 });
    const rooms = [];
    return {
      name: 'bare mediasoup',
      pid: worker.pid,
      async addRoom(first) {
        const router = await worker.createRouter({ mediaCodecs: media.MEDIA_CODECS });
        const { producer, port } = await plainProducer(router);
        for (let i = 0; i < ROOM_SIZE; i++) await plainConsumer(router, producer.id, first && i === 0 ? counter.address().port : drainPort);
        rooms.push({ router, port });
      },
      close() {
        for (const r of rooms) producerPorts.delete(r.port);
        worker.close();
      },
    };
  }

  // libs/media: MediaService (worker pool of 1, WebRtcServer), a Room per consultation with its active-speaker
  // observer and quality monitor; each consumer is a Peer with its WebRtcTransport and consumer (polled by the
  // quality monitor every 2 s), its media drained through a PlainTransport consumer like the bare side.
  async function libSide() {
    const config = loadConfig({ NODE_ENV: 'development', HUB_DATA_DIR: dir, MEDIA_WORKERS: '1', MEDIA_PORT_MIN: '0', LOG_LEVEL: 'warn' });
    const service = new media.MediaService(config);
    await service.start();
    if (!service.available) throw new Error(`libs/media unavailable: ${service.status().reason}`);
    const ports = [];
    let n = 0;
    return {
      name: 'libs/media',
      pid: service.workerPids()[0],
      async addRoom(first) {
        const room = await service.getOrCreateRoom(`bench-${n++}`);
        const sender = await room.join('sender', { userId: 'sender', displayName: 'Sender' });
        const { producer, port } = await plainProducer(room.router);
        sender.attachServerProducer(producer, 'camera');
        ports.push(port);
        for (let i = 0; i < ROOM_SIZE; i++) {
          const viewer = await room.join(`viewer-${i}`, { userId: `v${i}`, displayName: `Viewer ${i}`, rtpCapabilities: room.rtpCapabilities });
          await viewer.createWebRtcTransport('recv');
          const c = await viewer.consume({ producerId: producer.id });
          await viewer.resumeConsumer(c.id);
          await plainConsumer(room.router, producer.id, first && i === 0 ? counter.address().port : drainPort);
        }
      },
      close() {
        for (const p of ports) producerPorts.delete(p);
        service.close();
      },
    };
  }

  async function ramp(side) {
    const points = [];
    let rooms = 0;
    for (const target of STEPS) {
      while (rooms < target) await side.addRoom(rooms++ === 0);
      await sleep(SETTLE_S * 1000);
      const c0 = cpuSeconds(side.pid);
      const n0 = counted;
      const r0 = relayed;
      const t0 = Date.now();
      await sleep(MEASURE_S * 1000);
      const wall = (Date.now() - t0) / 1000;
      const cpu = (100 * (cpuSeconds(side.pid) - c0)) / wall;
      const pps = (counted - n0) / wall;
      // Share of the source's packets that reached the counted consumer: below ~0.95 the worker (or the machine)
      // no longer keeps up, and the step is left out of the capacity estimate.
      const delivered = pps / Math.max(1, (relayed - r0) / wall);
      if (pps < 10) throw new Error(`${side.name}: media is not flowing (${pps.toFixed(1)} packets/s at the counting consumer)`);
      points.push({ rooms, consumers: rooms * ROOM_SIZE, cpu, pps, delivered });
      say(`${side.name.padEnd(15)} ${String(rooms * ROOM_SIZE).padStart(5)} consumers: worker ${cpu.toFixed(1).padStart(5)} % of a core, ${(100 * delivered).toFixed(0).padStart(3)} % of packets delivered  ${bar(cpu)}`);
      if (cpu > LIMIT * 1.1) break;
    }
    return points;
  }

  const bar = (cpu) => '#'.repeat(Math.max(0, Math.round(cpu / 2.5)));

  /** Consumers at LIMIT % from a least-squares line through the measured points (cpu = a + b * consumers). */
  function capacity(all) {
    const kept = all.filter((p) => p.delivered >= 0.95);
    const points = kept.length >= 2 ? kept : all;
    const n = points.length;
    const mx = points.reduce((s, p) => s + p.consumers, 0) / n;
    const my = points.reduce((s, p) => s + p.cpu, 0) / n;
    const b = points.reduce((s, p) => s + (p.consumers - mx) * (p.cpu - my), 0) / points.reduce((s, p) => s + (p.consumers - mx) ** 2, 0);
    const a = my - b * mx;
    const saturatedAt = all.find((p) => p.delivered < 0.95)?.consumers ?? null;
    return { perConsumer: b, base: a, at80: Math.round((LIMIT - a) / b), fittedSteps: n, saturatedAt };
  }

  await sleep(1000);
  if (!relayed) throw new Error('ffmpeg sends nothing');
  const results = {};
  for (const make of [bareSide, libSide]) {
    const side = await make();
    try {
      say(`${side.name}: worker pid ${side.pid}, rooms of ${ROOM_SIZE} consumers, ${MEASURE_S} s per step`);
      const points = await ramp(side);
      results[side.name] = { points, ...capacity(points) };
    } finally {
      side.close();
    }
    counted = 0;
    await sleep(1000);
  }

  const bare = results['bare mediasoup'];
  const lib = results['libs/media'];
  const ratio = lib.at80 / bare.at80;
  console.log([
    '',
    `bench:sfu — VP8 ${BITRATE} kbit/s, rooms of 1 producer + ${ROOM_SIZE} consumers, worker CPU from /proc (${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`,
    'side              consumers at 80 %   CPU % per consumer   fixed CPU %   delivery < 95 % from',
    ...[['bare mediasoup', bare], ['libs/media', lib]].map(([n, r]) =>
      `${n.padEnd(17)} ${String(r.at80).padStart(17)}   ${r.perConsumer.toFixed(3).padStart(18)}   ${r.base.toFixed(1).padStart(11)}   ${String(r.saturatedAt ?? '-').padStart(20)}`),
    '',
    `ratio libs/media / bare: ${ratio.toFixed(2)}x consumers per worker at ${LIMIT} % of a core`,
  ].join('\n'));
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `sfu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ roomSize: ROOM_SIZE, videoKbps: Number(BITRATE), limitPercent: LIMIT, results, ratio, loadavg: loadavg() }, null, 2));
  say('results in', file);
});
