// The page of bench/sfu/first-frame.mjs: the web app's own call client (apps/web/src/call/CallClient.ts), without
// the app around it, so the same code joins the hub and the bare mediasoup baseline.
import { session } from '../../../apps/web/src/api/client';
import { CallClient } from '../../../apps/web/src/call/CallClient';

interface Join {
  origin: string;
  sessionId: string;
  token?: string;
  /** Join without a camera (bench/weak-link's audio-only condition). */
  audioOnly?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let current: CallClient | null = null;

/** Joins and produces (the other side of the measured peer); resolves once in the call. */
async function send(j: Join): Promise<void> {
  if (j.token) session.set({ accessToken: j.token, refreshToken: 'bench' });
  current = new CallClient({ sessionId: j.sessionId, origin: j.origin, audioOnly: j.audioOnly });
  (window as unknown as { __call: CallClient }).__call = current;
  await current.start();
  // play what arrives, as the app does (Chromium decodes remote audio only for a sink; bench/weak-link reads
  // concealment from it)
  const sinks = new Map<string, HTMLAudioElement>();
  current.subscribe(() => {
    for (const r of current?.getState().remote ?? []) {
      if (r.kind !== 'audio' || sinks.has(r.consumerId)) continue;
      const a = new Audio();
      a.srcObject = new MediaStream([r.track]);
      void a.play().catch(() => undefined);
      sinks.set(r.consumerId, a);
    }
  });
  while (current.getState().phase !== 'in-call') {
    if (current.getState().phase === 'error') throw new Error(current.getState().error ?? 'error');
    await sleep(20);
  }
}

/** Joins and answers the milliseconds from start() to the first decoded frame of a remote camera. */
async function firstFrame(j: Join): Promise<{ ms: number; inCallMs: number }> {
  if (j.token) session.set({ accessToken: j.token, refreshToken: 'bench' });
  const c = new CallClient({ sessionId: j.sessionId, origin: j.origin, statsIntervalMs: 60_000 });
  current = c;
  const t0 = performance.now();
  let inCallMs = 0;
  const started = c.start();
  for (;;) {
    const st = c.getState();
    if (st.phase === 'error') throw new Error(st.error ?? 'error');
    if (!inCallMs && st.phase === 'in-call') inCallMs = performance.now() - t0;
    const v = (await c.inbound()).find((x) => x.kind === 'video' && x.framesDecoded > 0);
    if (v) {
      const ms = performance.now() - t0;
      await started;
      return { ms, inCallMs: inCallMs || ms };
    }
    if (performance.now() - t0 > 30_000) throw new Error('no frame within 30 s');
    await sleep(10);
  }
}

async function leave(): Promise<void> {
  await current?.leave(false);
  current = null;
}

Object.assign(window, { bench: { send, firstFrame, leave } });
