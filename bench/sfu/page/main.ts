// The page of bench/sfu/first-frame.mjs: the web app's own call client (apps/web/src/call/CallClient.ts), without
// the app around it, so the same code joins the hub and the bare mediasoup baseline.
import { Device, types } from 'mediasoup-client';
import { session } from '../../../apps/web/src/api/client';
import { CallClient } from '../../../apps/web/src/call/CallClient';
import { preconnectCall } from '../../../apps/web/src/call/signalling';

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

/**
 * Opens the call socket ahead, as the pre-call page does, and resolves once it is connected and greeted (the
 * router capabilities arrived), so a following firstFrame starts from a warm socket.
 */
async function preconnect(j: Join): Promise<void> {
  if (j.token) session.set({ accessToken: j.token, refreshToken: 'bench' });
  const s = preconnectCall(undefined, j.origin);
  const t0 = performance.now();
  while (!s.connected) {
    if (performance.now() - t0 > 30_000) throw new Error('the warm socket did not connect within 30 s');
    await sleep(10);
  }
  await s.routerCapabilities(10_000);
}

/**
 * Joins and answers the milliseconds from start() to the first decoded frame of a remote camera, and the
 * signalling requests sent until then (ms after start).
 */
async function firstFrame(j: Join): Promise<{ ms: number; inCallMs: number; requests: { event: string; at: number }[] }> {
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
      const requests = c.sentRequests().filter((r) => r.at >= t0 && r.at <= t0 + ms).map((r) => ({ event: r.event, at: r.at - t0 }));
      return { ms, inCallMs: inCallMs || ms, requests };
    }
    if (performance.now() - t0 > 30_000) throw new Error('no frame within 30 s');
    await sleep(10);
  }
}

async function leave(): Promise<void> {
  await current?.leave(false);
  current = null;
}

Object.assign(window, { bench: { send, preconnect, firstFrame, leave } });

// ---- bench:sfu (run.mjs): receive-only viewers, real WebRTC consumers (ICE, DTLS, SRTP) --------------------------
let viewerDevice: Device | null = null;
const viewerTransports: types.Transport[] = [];
type Connect = (transportId: string, dtlsParameters: types.DtlsParameters) => Promise<void>;

/** Loads the Device with the routers' capabilities; answers the device's own (the SFU consumes with them). */
async function viewerLoad(routerRtpCapabilities: types.RtpCapabilities): Promise<types.RtpCapabilities> {
  viewerDevice = new Device();
  await viewerDevice.load({ routerRtpCapabilities });
  return viewerDevice.rtpCapabilities;
}

/** One viewer: its own receive transport (one RTCPeerConnection, as a participant has) and one consumer. */
async function viewerAdd(t: { id: string; iceParameters: types.IceParameters; iceCandidates: types.IceCandidate[]; dtlsParameters: types.DtlsParameters },
  c: { id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: types.RtpParameters }): Promise<void> {
  const transport = viewerDevice!.createRecvTransport(t);
  transport.on('connect', ({ dtlsParameters }, ok, fail) => {
    (window as unknown as { benchConnect: Connect }).benchConnect(transport.id, dtlsParameters).then(ok, fail);
  });
  await transport.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
  viewerTransports.push(transport);
}

/**
 * Packets received by every viewer of this page so far (inbound-rtp packetsReceived without the retransmissions
 * counted in it, so a packet that came twice counts once; one recovered by a retransmission counts), the packets
 * the browser counts as lost, and how many viewers are connected.
 */
async function viewerReceived(): Promise<{ packets: number; lost: number; connected: number; viewers: number }> {
  let packets = 0;
  let lost = 0;
  let connected = 0;
  for (const t of viewerTransports) {
    if (t.connectionState === 'connected') connected++;
    const stats = await t.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        packets += (s.packetsReceived ?? 0) - (s.retransmittedPacketsReceived ?? 0);
        lost += s.packetsLost ?? 0;
      }
    });
  }
  return { packets, lost, connected, viewers: viewerTransports.length };
}

function viewerClose(): void {
  for (const t of viewerTransports) t.close();
  viewerTransports.length = 0;
}

Object.assign((window as unknown as { bench: object }).bench, { viewerLoad, viewerAdd, viewerReceived, viewerClose });
