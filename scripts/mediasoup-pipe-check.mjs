#!/usr/bin/env node
// Does piping a producer from one mediasoup router to another work with the shipped worker (3.12.16)?
//
//   node scripts/mediasoup-pipe-check.mjs [path/to/mediasoup-worker]
//
// VP8 from Debian's ffmpeg goes into a PlainTransport producer on router A1 (worker 1). Then, each case checked by
// counting the RTP packets a PlainTransport consumer of the piped producer delivers to a UDP socket in 5 s:
//   1. pipeToRouter() to a router on another worker (2) of the same process;
//   2. pipeToRouter() to another router of the same worker (1);
//   3. the mechanism piping across hosts would use: a PipeTransport pair created by hand (each side's listen
//      address and SRTP parameters exchanged as two hosts' control planes would exchange them), consume on one side,
//      produce with the same producer id on the other — here to a third worker on 127.0.0.1.
// Prints one line per case and exits non-zero if case 1 or 3 carries nothing (case 2 is reported, not required).
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptDir = dirname(fileURLToPath(import.meta.url));
const bin = process.argv[2]
  ? resolve(process.argv[2])
  : execFileSync('bash', [join(scriptDir, 'mediasoup-worker.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim().split('\n').pop().trim();
process.env.MEDIASOUP_WORKER_BIN = bin;
const mediasoup = createRequire(import.meta.url)('mediasoup');
const timeout = setTimeout(() => {
  console.error('pipe check FAILED: timed out after 90 s');
  process.exit(2);
}, 90_000);

const mediaCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const SSRC = 22222222;

async function feed(router) {
  const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
  });
  const target = `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple.localPort}&pkt_size=1200`;
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-t', '120', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
    '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '15',
    '-ssrc', String(SSRC), '-payload_type', '101', '-f', 'rtp', target], { stdio: 'ignore' });
  return { producer, stop: () => ffmpeg.kill('SIGKILL') };
}

/** Packets a consumer of `producerId` on `router` delivers in `ms`. */
async function count(router, producerId, ms = 5000) {
  const socket = createSocket('udp4');
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  let packets = 0;
  socket.on('message', () => packets++);
  const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
  await consumer.resume();
  await consumer.requestKeyFrame().catch(() => undefined);
  await new Promise((r) => setTimeout(r, ms));
  transport.close();
  socket.close();
  return packets;
}

async function main() {
  const w1 = await mediasoup.createWorker({ logLevel: 'error' });
  const w2 = await mediasoup.createWorker({ logLevel: 'error' });
  // A worker knows a producer id once: case 3 pipes to a third one (as another host would be).
  const w3 = await mediasoup.createWorker({ logLevel: 'error' });
  const a1 = await w1.createRouter({ mediaCodecs });
  const source = await feed(a1);
  const results = {};
  try {
    const direct = await count(a1, source.producer.id, 3000);
    console.log(`baseline: ${direct} packets in 3 s on the producing router (mediasoup ${mediasoup.version})`);
    if (!direct) throw new Error('no RTP from ffmpeg at all');

    // 1. across workers
    const b2 = await w2.createRouter({ mediaCodecs });
    try {
      await a1.pipeToRouter({ producerId: source.producer.id, router: b2 });
      results.acrossWorkers = await count(b2, source.producer.id);
    } catch (e) {
      results.acrossWorkers = `error: ${e.message}`;
    }
    console.log(`1. pipeToRouter across workers: ${results.acrossWorkers} packets in 5 s`);

    // 2. within one worker
    const a1b = await w1.createRouter({ mediaCodecs });
    try {
      await a1.pipeToRouter({ producerId: source.producer.id, router: a1b });
      results.sameWorker = await count(a1b, source.producer.id);
    } catch (e) {
      results.sameWorker = `error: ${e.message}`;
    }
    console.log(`2. pipeToRouter within one worker: ${typeof results.sameWorker === 'number' ? `${results.sameWorker} packets in 5 s` : results.sameWorker}`);

    // 3. a PipeTransport pair by hand, as two hosts would set it up (addresses and SRTP keys exchanged by signalling)
    const c2 = await w3.createRouter({ mediaCodecs });
    const here = await a1.createPipeTransport({ listenIp: { ip: '127.0.0.1' }, enableSrtp: true });
    const there = await c2.createPipeTransport({ listenIp: { ip: '127.0.0.1' }, enableSrtp: true });
    await here.connect({ ip: '127.0.0.1', port: there.tuple.localPort, srtpParameters: there.srtpParameters });
    await there.connect({ ip: '127.0.0.1', port: here.tuple.localPort, srtpParameters: here.srtpParameters });
    const pipeConsumer = await here.consume({ producerId: source.producer.id });
    await there.produce({ id: source.producer.id, kind: pipeConsumer.kind, rtpParameters: pipeConsumer.rtpParameters, paused: pipeConsumer.producerPaused });
    results.byHand = await count(c2, source.producer.id);
    console.log(`3. PipeTransport pair by hand (SRTP), the cross-host mechanism: ${results.byHand} packets in 5 s`);
  } finally {
    source.stop();
    w1.close();
    w2.close();
    w3.close();
    clearTimeout(timeout);
  }
  const ok = typeof results.acrossWorkers === 'number' && results.acrossWorkers > 0 && results.byHand > 0;
  console.log(ok ? 'pipe check ok' : 'pipe check FAILED');
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(`pipe check FAILED: ${e.stack ?? e}`);
  process.exit(1);
});
