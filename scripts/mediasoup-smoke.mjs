#!/usr/bin/env node
// Smoke test for the mediasoup worker binary.
//
//   node scripts/mediasoup-smoke.mjs [path/to/mediasoup-worker]
//
// Without an argument the binary comes from scripts/mediasoup-worker.sh (cache, download or offline build).
// Starts a worker, creates a router (Opus + VP8) and a WebRtcTransport on 127.0.0.1, then closes everything.
// Prints `mediasoup smoke ok <version> worker pid <pid>`; exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptDir = dirname(fileURLToPath(import.meta.url));
const TIMEOUT_MS = 30_000;

function fail(message) {
  console.error(`mediasoup smoke FAILED: ${message}`);
  process.exit(1);
}

function resolveWorkerBin() {
  if (process.argv[2]) return resolve(process.argv[2]);
  // Progress of a possible build goes to our stderr; stdout's last line is the path.
  const out = execFileSync('bash', [join(scriptDir, 'mediasoup-worker.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1].trim();
}

async function main() {
  let workerBin;
  try {
    workerBin = resolveWorkerBin();
  } catch (err) {
    fail(`could not obtain a worker binary: ${err.message}`);
  }
  if (!workerBin || !existsSync(workerBin)) fail(`worker binary not found: ${workerBin}`);

  // mediasoup reads MEDIASOUP_WORKER_BIN when the module is loaded: set it before require().
  process.env.MEDIASOUP_WORKER_BIN = workerBin;
  const require = createRequire(import.meta.url);
  const mediasoup = require('mediasoup'); // 3.12.x is CommonJS

  const timer = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  timer.unref();

  const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 49999 });
  worker.on('died', (err) => fail(`worker died: ${err?.message ?? err}`));
  try {
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {} },
      ],
    });
    const mimeTypes = router.rtpCapabilities.codecs.map((c) => c.mimeType);
    for (const wanted of ['audio/opus', 'video/VP8']) {
      if (!mimeTypes.includes(wanted)) throw new Error(`router lacks ${wanted} (has ${mimeTypes.join(', ')})`);
    }

    const transport = await router.createWebRtcTransport({
      listenIps: [{ ip: '127.0.0.1' }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
    });
    if (!transport.iceCandidates.length) throw new Error('WebRtcTransport has no ICE candidates');
    if (!transport.dtlsParameters.fingerprints.length) throw new Error('WebRtcTransport has no DTLS fingerprints');
    const dump = await transport.dump();
    if (dump.id !== transport.id) throw new Error('transport.dump() returned an unexpected id');

    console.log(`mediasoup smoke ok ${mediasoup.version} worker pid ${worker.pid}`);
    transport.close();
    router.close();
  } finally {
    worker.removeAllListeners('died');
    worker.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => fail(err?.stack ?? String(err)),
);
