import type { QualityLevel } from './media';

/**
 * The degradation ladder for live consultations: ONE policy, used by the hub's quality monitor (libs/media) to
 * pick simulcast layers / pause video, and by the web app for the banner texts.
 *
 * Input, every QUALITY_SAMPLE_INTERVAL_MS, per receiving peer: the bandwidth estimate of its receive transport
 * (mediasoup's `availableOutgoingBitrate`, bits per second) and the packet loss it reports on its consumers
 * (fraction 0..1, from RTCP receiver reports).
 *
 * | level          | needs at least (bitrate)        | and loss below | server does                        |
 * |----------------|---------------------------------|----------------|------------------------------------|
 * | full           | FULL_MIN_BPS (700 kbit/s)       | LOSS_STEP_DOWN | top simulcast layer (spatial 2)    |
 * | reduced        | REDUCED_MIN_BPS (300 kbit/s)    | LOSS_STEP_DOWN | middle layer (spatial 1)           |
 * | low            | LOW_MIN_BPS (120 kbit/s)        | LOSS_SEVERE    | lowest layer (spatial 0)           |
 * | audio_only     | AUDIO_ONLY_MIN_BPS (40 kbit/s)  | LOSS_TEXT      | video consumers paused, banner     |
 * | text_suggested | below that, or loss >= LOSS_TEXT|                | video paused, offer the case thread|
 *
 * Loss of LOSS_STEP_DOWN or more moves one level below what the bitrate allows; LOSS_SEVERE or more caps the
 * level at audio_only; LOSS_TEXT or more means text_suggested.
 *
 * Hysteresis (so the call does not flap):
 * - Down: as soon as DOWN_CONFIRM_SAMPLES consecutive samples ask for a lower level, move straight to the
 *   highest of the levels those samples asked for (a single very bad sample is ignored).
 * - Up: one level at a time, only after UP_CONFIRM_SAMPLES consecutive samples in which the bitrate exceeds the
 *   next level's floor by UP_MARGIN and loss is below LOSS_RECOVERED.
 * - In audio_only / text_suggested no video is sent, so the bandwidth estimate says little: going up from there
 *   needs only low loss, and the step up to `low` is a probe. A probe that fails (back down within
 *   UP_CONFIRM_SAMPLES samples) doubles the samples required before the next attempt (up to MAX_UP_HOLD_SAMPLES).
 */

/** How often the quality monitor samples stats and applies the policy. */
export const QUALITY_SAMPLE_INTERVAL_MS = 2000;

/** Bitrate (bit/s) needed for the top simulcast layer (mediasoup-client's default top VP8 layer is ~ 500-900 kbit/s). */
export const FULL_MIN_BPS = 700_000;
/** Bitrate needed for the middle layer. */
export const REDUCED_MIN_BPS = 300_000;
/** Bitrate needed for the lowest spatial layer (~ 100 kbit/s of video plus audio). */
export const LOW_MIN_BPS = 120_000;
/** Bitrate needed to keep audio (Opus ~ 32 kbit/s plus overhead); below this we suggest text. */
export const AUDIO_ONLY_MIN_BPS = 40_000;

/** Packet loss (fraction) from which the level drops one step below what the bitrate allows. */
export const LOSS_STEP_DOWN = 0.08;
/** Packet loss from which video is dropped (at most audio_only). */
export const LOSS_SEVERE = 0.2;
/** Packet loss from which even audio is unusable: suggest continuing in the case thread. */
export const LOSS_TEXT = 0.4;
/** Packet loss under which the link counts as recovered (needed to step up). */
export const LOSS_RECOVERED = 0.03;

/** Consecutive samples asking for a lower level before stepping down (2 samples = ~4 s). */
export const DOWN_CONFIRM_SAMPLES = 2;
/** Consecutive good samples before stepping up one level (3 samples = ~6 s). */
export const UP_CONFIRM_SAMPLES = 3;
/** Cap of the doubled wait after failed probes (15 samples = ~30 s). */
export const MAX_UP_HOLD_SAMPLES = 15;
/** Factor over the next level's floor the bitrate must reach before stepping up. */
export const UP_MARGIN = 1.3;

const ORDER: QualityLevel[] = ['full', 'reduced', 'low', 'audio_only', 'text_suggested'];
const FLOOR: Record<QualityLevel, number> = {
  full: FULL_MIN_BPS,
  reduced: REDUCED_MIN_BPS,
  low: LOW_MIN_BPS,
  audio_only: AUDIO_ONLY_MIN_BPS,
  text_suggested: 0,
};

/** Rank of a level: 0 = full (best) ... 4 = text_suggested (worst). */
export function qualityRank(level: QualityLevel): number {
  return ORDER.indexOf(level);
}

/** What the server does and the client shows at each level. */
export const QUALITY_LEVEL_INFO: Record<
  QualityLevel,
  { spatialLayer: number | null; video: boolean; banner: string | null; label: string }
> = {
  full: { spatialLayer: 2, video: true, banner: null, label: 'Good connection' },
  reduced: { spatialLayer: 1, video: true, banner: null, label: 'Reduced video quality' },
  low: { spatialLayer: 0, video: true, banner: 'Weak connection: video quality lowered.', label: 'Low video quality' },
  audio_only: {
    spatialLayer: null,
    video: false,
    banner: 'Weak connection: video paused, audio continues. Video returns when the link recovers.',
    label: 'Audio only',
  },
  text_suggested: {
    spatialLayer: null,
    video: false,
    banner: 'The connection is too weak for a call. You can continue in the case thread.',
    label: 'Connection too weak',
  },
};

/** One measurement of a peer's downlink. */
export interface LinkSample {
  /** Estimated available bitrate towards the peer, bit/s; undefined when unknown (no estimate yet). */
  availableBitrate?: number;
  /** Packet loss fraction 0..1 reported by the peer (worst of its consumers). */
  packetLoss: number;
}

/** State carried between samples (the history the hysteresis needs). Treat as opaque. */
export interface QualityState {
  level: QualityLevel;
  /** Consecutive samples asking for a lower level, and the best level they asked for. */
  downSamples: number;
  downTarget: QualityLevel | null;
  /** Consecutive samples good enough to step up. */
  upSamples: number;
  /** Good samples required to step up (grows after failed probes). */
  upHold: number;
  /** Samples since the last step up (to detect a failed probe). */
  sinceUp: number;
}

export function initialQualityState(level: QualityLevel = 'full'): QualityState {
  return { level, downSamples: 0, downTarget: null, upSamples: 0, upHold: UP_CONFIRM_SAMPLES, sinceUp: Infinity };
}

/** The level one sample alone supports (no history). */
export function levelForSample(sample: LinkSample): QualityLevel {
  const loss = clampLoss(sample.packetLoss);
  if (loss >= LOSS_TEXT) return 'text_suggested';
  let rank: number;
  const bps = sample.availableBitrate;
  if (bps === undefined || !Number.isFinite(bps)) rank = 0;
  else rank = ORDER.findIndex((l) => bps >= FLOOR[l]);
  if (loss >= LOSS_STEP_DOWN) rank += 1;
  if (loss >= LOSS_SEVERE) rank = Math.max(rank, qualityRank('audio_only'));
  return ORDER[Math.min(rank, ORDER.length - 1)];
}

function clampLoss(loss: number): number {
  return Number.isFinite(loss) ? Math.min(1, Math.max(0, loss)) : 0;
}

/** Whether a sample is good enough to go one level up from `level`. */
function supportsStepUp(level: QualityLevel, sample: LinkSample): boolean {
  const rank = qualityRank(level);
  if (rank === 0) return false;
  const loss = clampLoss(sample.packetLoss);
  if (loss >= LOSS_RECOVERED) return false;
  const next = ORDER[rank - 1];
  // Without video flowing the estimate is not meaningful: recover from audio-only on loss alone (a probe).
  if (!QUALITY_LEVEL_INFO[level].video) return true;
  const bps = sample.availableBitrate;
  return bps === undefined || bps >= FLOOR[next] * UP_MARGIN;
}

/** Applies one sample to the state: the policy's only entry point. Pure. */
export function nextQuality(state: QualityState, sample: LinkSample): QualityState {
  const current = qualityRank(state.level);
  const wanted = levelForSample(sample);
  const sinceUp = state.sinceUp + 1;

  if (qualityRank(wanted) > current) {
    const downSamples = state.downSamples + 1;
    // Of the samples asking to go down, move only as far as the mildest of them asks.
    const downTarget =
      state.downTarget && qualityRank(state.downTarget) < qualityRank(wanted) ? state.downTarget : wanted;
    if (downSamples >= DOWN_CONFIRM_SAMPLES) {
      // Went down soon after stepping up: the probe failed; wait longer before the next one.
      const failedProbe = sinceUp <= UP_CONFIRM_SAMPLES + DOWN_CONFIRM_SAMPLES;
      return {
        level: downTarget,
        downSamples: 0,
        downTarget: null,
        upSamples: 0,
        upHold: failedProbe ? Math.min(state.upHold * 2, MAX_UP_HOLD_SAMPLES) : state.upHold,
        sinceUp,
      };
    }
    return { ...state, downSamples, downTarget, upSamples: 0, sinceUp };
  }

  if (supportsStepUp(state.level, sample)) {
    const upSamples = state.upSamples + 1;
    if (upSamples >= state.upHold) {
      return {
        level: ORDER[current - 1],
        downSamples: 0,
        downTarget: null,
        upSamples: 0,
        upHold: state.upHold,
        sinceUp: 0,
      };
    }
    return { ...state, downSamples: 0, downTarget: null, upSamples, sinceUp };
  }

  // Steady: a stable link at this level slowly earns back the normal wait.
  const stable = sinceUp > MAX_UP_HOLD_SAMPLES * 2;
  return {
    ...state,
    downSamples: 0,
    downTarget: null,
    upSamples: 0,
    upHold: stable ? UP_CONFIRM_SAMPLES : state.upHold,
    sinceUp,
  };
}
