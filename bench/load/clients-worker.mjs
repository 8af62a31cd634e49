// 200 concurrent clients for bench/load/run.mjs, in a worker thread so that sending and parsing never share the
// hub's event loop. Each client loops until the end: a read (its cases list, or one case) or a post (a message on
// one of its cases), by READ_SHARE. workerData: { base, sessions: [{ token, caseIds }], clients, seconds, readShare }.
import { parentPort, workerData } from 'node:worker_threads';

const { base, sessions, clients, seconds, readShare, runId } = workerData;
const end = Date.now() + seconds * 1000;
const reads = [];
const posts = [];
const errors = { read: 0, post: 0, samples: [] };
let posted = 0;

async function client(n) {
  const s = sessions[n % sessions.length];
  const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  let i = n;
  while (Date.now() < end) {
    i++;
    const caseId = s.caseIds[(i * 7 + n) % s.caseIds.length];
    const read = Math.random() < readShare;
    const t = performance.now();
    try {
      const res = read
        ? await fetch(i % 2 ? `${base}/api/cases?limit=25` : `${base}/api/cases/${caseId}`, { headers, signal: AbortSignal.timeout(30_000) })
        : await fetch(`${base}/api/cases/${caseId}/messages`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ body: `load ${runId} client ${n} message ${i}` }),
            signal: AbortSignal.timeout(30_000),
          });
      await res.text();
      const ms = performance.now() - t;
      if (res.status >= 400) {
        errors[read ? 'read' : 'post']++;
        if (errors.samples.length < 5) errors.samples.push(`${read ? 'GET' : 'POST'} ${res.status}`);
      } else {
        (read ? reads : posts).push(ms);
        if (!read) posted++;
      }
    } catch (e) {
      errors[read ? 'read' : 'post']++;
      if (errors.samples.length < 5) errors.samples.push(e.message);
    }
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
parentPort.postMessage({ reads: Float64Array.from(reads), posts: Float64Array.from(posts), errors, posted });
