import { levelForSample, type QualityLevel } from '@hub/contracts';
import { currentAccessToken, refresh } from '../api/client';

export interface ProbeResult {
  rttMs: number;
  downKbps: number;
  upKbps: number;
  /** The level the media policy would give this link (the weaker direction counts). */
  level: QualityLevel;
  advice: string;
  recommendAudioOnly: boolean;
}

/** Above this round-trip time a conversation with video lags too much: audio only is advised. */
export const PROBE_RTT_AUDIO_ONLY_MS = 800;

const DOWNLOAD_KB = 256;
const UPLOAD_KB = 128;

async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const go = () => fetch(path, { ...init, cache: 'no-store', headers: { ...(init.headers ?? {}), Authorization: `Bearer ${currentAccessToken()}` } });
  let res = await go();
  if (res.status === 401 && (await refresh())) res = await go();
  if (!res.ok) throw new Error(`probe: the hub answered ${res.status}`);
  return res;
}

/**
 * A short probe against the hub (a few seconds on a slow link): round-trip time of small requests (best of 5),
 * then a timed download and upload of incompressible bytes (`/api/consultations/probe/*`). The result is read
 * through the same media policy the server applies during the call, and turned into advice.
 */
export async function runProbe(onProgress: (step: string) => void): Promise<ProbeResult> {
  onProgress('Measuring round-trip time…');
  const rtts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await (await authFetch('/api/consultations/probe/download?kb=1')).arrayBuffer();
    rtts.push(performance.now() - t0);
  }
  const rttMs = Math.round(Math.min(...rtts));

  onProgress('Measuring download speed…');
  let t0 = performance.now();
  const body = await (await authFetch(`/api/consultations/probe/download?kb=${DOWNLOAD_KB}`)).arrayBuffer();
  const downSecs = Math.max(0.001, (performance.now() - t0 - rttMs) / 1000);
  const downKbps = Math.round((body.byteLength * 8) / 1000 / downSecs);

  onProgress('Measuring upload speed…');
  const payload = new Uint8Array(UPLOAD_KB * 1024);
  crypto.getRandomValues(payload.subarray(0, 65536));
  for (let i = 65536; i < payload.length; i += 65536) payload.set(payload.subarray(0, Math.min(65536, payload.length - i)), i);
  t0 = performance.now();
  await (await authFetch('/api/consultations/probe/upload', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: payload })).json();
  const upSecs = Math.max(0.001, (performance.now() - t0 - rttMs) / 1000);
  const upKbps = Math.round((payload.byteLength * 8) / 1000 / upSecs);

  return { rttMs, downKbps, upKbps, ...advise(rttMs, downKbps, upKbps) };
}

export function advise(rttMs: number, downKbps: number, upKbps: number): Pick<ProbeResult, 'level' | 'advice' | 'recommendAudioOnly'> {
  const level = levelForSample({ availableBitrate: Math.min(downKbps, upKbps) * 1000, packetLoss: 0 });
  if (level === 'text_suggested') {
    return { level, recommendAudioOnly: true, advice: 'The link is too weak for a call. Audio only may work; otherwise continue in the case thread.' };
  }
  if (level === 'audio_only' || rttMs > PROBE_RTT_AUDIO_ONLY_MS) {
    return { level, recommendAudioOnly: true, advice: 'Audio only recommended: the link is too slow or too laggy for video.' };
  }
  if (level === 'low') return { level, recommendAudioOnly: false, advice: 'Video will work at low quality. Switch to audio only if the call breaks up.' };
  return { level, recommendAudioOnly: false, advice: 'Your link can carry video.' };
}
