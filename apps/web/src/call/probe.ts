import { levelForSample, type QualityLevel } from '@hub/contracts';
import { currentAccessToken, refresh } from '../api/client';

export interface ProbeResult {
  rttMs: number;
  downKbps: number;
  upKbps: number;
  /** The level the media policy would give this link (the weaker direction counts). */
  level: QualityLevel;
  /** What to tell the reader (catalogue key `preCall.advice.<advice>`). */
  advice: 'tooWeak' | 'audioOnly' | 'lowVideo' | 'video';
  recommendAudioOnly: boolean;
}

/** Above this round-trip time a conversation with video lags too much: audio only is advised. */
export const PROBE_RTT_AUDIO_ONLY_MS = 800;

/** A first small transfer each way; the large one follows only when the small one was quick (a fast link). */
const SMALL_KB = 16;
const DOWNLOAD_KB = 256;
const UPLOAD_KB = 128;
const QUICK_MS = 400;

async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const go = () => fetch(path, { ...init, cache: 'no-store', headers: { ...(init.headers ?? {}), Authorization: `Bearer ${currentAccessToken()}` } });
  let res = await go();
  if (res.status === 401 && (await refresh())) res = await go();
  if (!res.ok) throw new Error(`probe: the hub answered ${res.status}`);
  return res;
}

/** kbit/s of one timed transfer, the round trip taken off. */
async function timed(transfer: () => Promise<number>, rttMs: number): Promise<{ kbps: number; ms: number }> {
  const t0 = performance.now();
  const bytes = await transfer();
  const ms = performance.now() - t0;
  return { kbps: Math.round((bytes * 8) / Math.max(1, ms - rttMs)), ms };
}

const download = (kb: number) => async () => (await (await authFetch(`/api/consultations/probe/download?kb=${kb}`)).arrayBuffer()).byteLength;
const upload = (kb: number) => async () => {
  const body = new Uint8Array(kb * 1024);
  for (let i = 0; i < body.length; i += 65536) crypto.getRandomValues(body.subarray(i, Math.min(body.length, i + 65536)));
  await (await authFetch('/api/consultations/probe/upload', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body })).json();
  return body.byteLength;
};

/**
 * A short probe against the hub: round-trip time of small requests (best of 5), then a timed download and upload
 * of incompressible bytes (`/api/consultations/probe/*`): 16 KB first, and 256 KB down / 128 KB up only when that
 * was quick, so a weak link is measured in a few seconds without being flooded. The result is read through the
 * same media policy the server applies during the call, and turned into advice.
 */
/** The probe's steps (catalogue key `preCall.step.<step>`). */
export type ProbeStep = 'starting' | 'rtt' | 'download' | 'upload';

export async function runProbe(onProgress: (step: ProbeStep) => void): Promise<ProbeResult> {
  onProgress('rtt');
  const rtts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await (await authFetch('/api/consultations/probe/download?kb=1')).arrayBuffer();
    rtts.push(performance.now() - t0);
  }
  const rttMs = Math.round(Math.min(...rtts));

  onProgress('download');
  let down = await timed(download(SMALL_KB), rttMs);
  if (down.ms < QUICK_MS) down = await timed(download(DOWNLOAD_KB), rttMs);
  onProgress('upload');
  let up = await timed(upload(SMALL_KB), rttMs);
  if (up.ms < QUICK_MS) up = await timed(upload(UPLOAD_KB), rttMs);

  return { rttMs, downKbps: down.kbps, upKbps: up.kbps, ...advise(rttMs, down.kbps, up.kbps) };
}

export function advise(rttMs: number, downKbps: number, upKbps: number): Pick<ProbeResult, 'level' | 'advice' | 'recommendAudioOnly'> {
  const level = levelForSample({ availableBitrate: Math.min(downKbps, upKbps) * 1000, packetLoss: 0 });
  if (level === 'text_suggested') {
    return { level, recommendAudioOnly: true, advice: 'tooWeak' };
  }
  if (level === 'audio_only' || rttMs > PROBE_RTT_AUDIO_ONLY_MS) {
    return { level, recommendAudioOnly: true, advice: 'audioOnly' };
  }
  if (level === 'low') return { level, recommendAudioOnly: false, advice: 'lowVideo' };
  return { level, recommendAudioOnly: false, advice: 'video' };
}
