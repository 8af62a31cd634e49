// Load generator for bench/api/run.mjs, run in a worker thread so that autocannon's own event loop (sending,
// parsing 170 KB responses) never competes with the server being measured, which lives on the main thread.
// workerData: { url, headers, connections, seconds, warmup }. Posts back the totals and every response time (ms).
import autocannon from 'autocannon';
import { parentPort, workerData } from 'node:worker_threads';

const { url, headers, connections, seconds, warmup } = workerData;
if (warmup > 0) await autocannon({ url, headers, connections, duration: warmup });

const latencies = [];
const instance = autocannon({ url, headers, connections, duration: seconds });
instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
// In a worker thread autocannon returns the raw result (encoded histograms); decode the latency one ourselves.
const r = await instance;
const { latency } = autocannon.aggregateResult([r], { url, connections });
const lat = Float64Array.from(latencies);
parentPort.postMessage(
  {
    requests: r.totalCompletedRequests,
    duration: r.duration,
    bytes: r.totalBytes,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    // autocannon's HDR histogram percentiles, kept for cross-checking the exact ones computed from `latencies`
    histogram: { p50: latency.p50, p90: latency.p90, p97_5: latency.p97_5, p99: latency.p99, max: latency.max },
    latencies: lat,
  },
  [lat.buffer],
);
