import type { QualityLevel } from './media';

/**
 * The degradation ladder for live consultations: ONE policy, used by the hub's quality monitor (libs/media) for
 * each peer's DOWNLINK (which simulcast layer it receives, or video paused) and for each peer's UPLINK (which of its
 * own simulcast encodings the browser sends, or its camera paused), and by the web app for the texts.
 *
 * Input, every QUALITY_SAMPLE_INTERVAL_MS: a bandwidth estimate (downlink: mediasoup's `availableOutgoingBitrate`
 * towards the peer; uplink: the browser's own send-side estimate, from the SFU's transport-cc feedback) and the
 * packet loss (downlink: the peer's receiver reports on its consumers; uplink: what the SFU measures on the peer's
 * producers), fraction 0..1.
 *
 * | level          | needs at least (bitrate)        | and loss below | downlink: server does     | uplink: client sends |
 * |----------------|---------------------------------|----------------|---------------------------|----------------------|
 * | full           | FULL_MIN_BPS (700 kbit/s)       | LOSS_STEP_DOWN | top layer (spatial 2)     | all three layers     |
 * | reduced        | REDUCED_MIN_BPS (300 kbit/s)    | LOSS_STEP_DOWN | middle layer (spatial 1)  | lower two layers     |
 * | low            | LOW_MIN_BPS (120 kbit/s)        | LOSS_SEVERE    | lowest layer (spatial 0)  | lowest layer, capped |
 * | audio_only     | AUDIO_ONLY_MIN_BPS (40 kbit/s)  | LOSS_TEXT      | video consumers paused    | no video             |
 * | text_suggested | below that, or loss >= LOSS_TEXT|                | video paused, case thread | no video             |
 *
 * Loss of LOSS_STEP_DOWN or more moves one level below what the bitrate allows; LOSS_SEVERE or more caps the
 * level at audio_only; LOSS_TEXT or more means text_suggested.
 *
 * Hysteresis (so the call settles instead of flapping):
 * - Down: for an uplink (QualityOptions.severeAtOnce), one sample with loss of LOSS_SEVERE or more at a level with
 *   video goes to audio_only (or below) at once. Otherwise as soon as DOWN_CONFIRM_SAMPLES consecutive samples ask
 *   for a lower level, move straight to the mildest level those samples asked for (a single bad sample is ignored); if the later one has loss of LOSS_SEVERE
 *   or more, at least to audio_only (a queue overflowing leaves no time for a middle step). The bitrate asks for a lower level only
 *   below DOWN_MARGIN x the current level's floor (an estimate wandering around a floor does not move the level).
 * - The estimate alone (no loss) steps down only after ESTIMATE_DOWN_SAMPLES samples in a row, never within
 *   UP_GRACE_SAMPLES of a step up (it lags behind resumed video). For an uplink only from `full` or `reduced`, and
 *   at once when it leaves no room for video at all (QualityOptions.estimateDownFromHigh).
 * - Up with video flowing (the estimate means something): after UP_CONFIRM_SAMPLES consecutive samples with loss
 *   under LOSS_RECOVERED, straight to the best level all of them support with UP_MARGIN over its floor.
 * - From text_suggested, UP_CONFIRM_SAMPLES samples that allow audio go back to audio_only.
 * - Up without video (audio_only, text_suggested: the estimate says little): a PROBE. After `probeHold` samples
 *   with low loss, video is sent again at the lowest layer but the level does not change (the user is not shown
 *   video that may not last): its first sample is not weighed (the restarted stream reads as loss), then if
 *   PROBE_SAMPLES samples stay clean the level becomes `low` (one change); the first
 *   sample with loss of LOSS_STEP_DOWN or more ends the probe, and the next
 *   waits twice as long (up to MAX_PROBE_HOLD_SAMPLES). A failed probe is no level change at all.
 */

/** How often the quality monitor samples stats and applies the policy. */
export const QUALITY_SAMPLE_INTERVAL_MS = 1000;

/** Bitrate (bit/s) needed for the top simulcast layer (mediasoup-client's default top VP8 layer is ~ 500-900 kbit/s). */
export const FULL_MIN_BPS = 700_000;
/** Bitrate needed for the middle layer. */
export const REDUCED_MIN_BPS = 300_000;
/** Bitrate needed for the lowest spatial layer (capped at LOW_LAYER_MAX_BPS) plus audio. */
export const LOW_MIN_BPS = 120_000;
/** Bitrate needed to keep audio (Opus 8-20 kbit/s plus headers); below this we suggest text. */
export const AUDIO_ONLY_MIN_BPS = 40_000;

/** What the lowest camera layer may use, so `low` fits LOW_MIN_BPS with audio. */
export const LOW_LAYER_MAX_BPS = 90_000;
/** What the camera sends while probing a link from audio_only (a thumbnail at a few frames a second). */
export const PROBE_LAYER_MAX_BPS = 40_000;

/** Packet loss (fraction) from which the level drops one step below what the bitrate allows. */
export const LOSS_STEP_DOWN = 0.08;
/** Packet loss from which video is dropped (at most audio_only). */
export const LOSS_SEVERE = 0.2;
/** Packet loss from which even audio is unusable: suggest continuing in the case thread. */
export const LOSS_TEXT = 0.4;
/** Packet loss under which the link counts as recovered (needed to step up). */
export const LOSS_RECOVERED = 0.03;

/** Consecutive samples asking for a lower level before stepping down (2 samples = ~2 s). */
export const DOWN_CONFIRM_SAMPLES = 2;
/** Consecutive good samples before stepping up with video flowing (4 samples = ~4 s). */
export const UP_CONFIRM_SAMPLES = 4;
/** Clean samples without video before the first probe (5 samples = ~5 s). */
export const PROBE_HOLD_SAMPLES = 5;
/**
 * Cap of the doubled wait after failed probes (6 samples = ~6 s). A link restored just after a failed probe waits
 * this long, then the probe's unweighed first sample and PROBE_SAMPLES clean ones: 12 samples, and the video reaches
 * the others 1-3 s after that. With a cap of 10 a 48 kbit/s uplink restored came back after 4.3-18.7 s, the slow end
 * always a restore just after a probe had failed on the weak link, too close to the 20 s goal under load.
 */
export const MAX_PROBE_HOLD_SAMPLES = 6;
/**
 * Clean samples a probe needs before the level goes up to `low` (the link's queue needs a few seconds to fill and
 * the receiver reports to tell: a shorter probe passes on a link that cannot carry it).
 */
export const PROBE_SAMPLES = 5;
/** Factor over the next level's floor the bitrate must reach before stepping up. */
export const UP_MARGIN = 1.3;
/** Factor under the current level's floor the bitrate must fall to before stepping down on bitrate. */
export const DOWN_MARGIN = 0.8;
/**
 * Samples after a step up during which the estimate alone does not step down (loss still does): an estimate climbs
 * only as fast as the traffic it sees (~8 % a second), so right after video resumes it lags what the link carries.
 */
export const UP_GRACE_SAMPLES = 12;
/**
 * Consecutive samples in which the estimate alone (no loss) asks for a lower level before stepping down. Estimates
 * of an application-limited sender sit near what it sends and dip on their own: measured on a steady 150 kbit/s
 * link, mediasoup's estimate wandered 58-165 kbit/s without any loss. A link that really cannot carry the level
 * drops packets, which steps down within DOWN_CONFIRM_SAMPLES.
 */
export const ESTIMATE_DOWN_SAMPLES = 8;

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

/** One measurement of a link. */
export interface LinkSample {
  /** Estimated available bitrate, bit/s; undefined when unknown (no estimate yet). */
  availableBitrate?: number;
  /** Packet loss fraction 0..1 (worst stream). */
  packetLoss: number;
}

/** State carried between samples (the history the hysteresis needs). Treat as opaque except level and probing. */
export interface QualityState {
  level: QualityLevel;
  /** Video is being sent on trial from a level without video (the level itself has not changed). */
  probing: boolean;
  /** Consecutive samples asking for a lower level, and the mildest level they asked for. */
  downSamples: number;
  downTarget: QualityLevel | null;
  /** Consecutive samples good enough to step up (or to start a probe), and the level all of them support. */
  upSamples: number;
  upTarget: QualityLevel | null;
  /** Clean samples required before the next probe (grows after failed probes). */
  probeHold: number;
  /** Clean samples of the probe running now. */
  probeSamples: number;
  /** Samples since the probe running now started (its first is not weighed: see step()). */
  probeAge?: number;
  /** Samples since the last step up (the estimate is not trusted for a step down before UP_GRACE_SAMPLES). */
  sinceUp: number;
  /** Consecutive samples in which only the estimate asked for a lower level. */
  estimateDownSamples: number;
  /** Consecutive clean samples without video (towards the next probe). */
  cleanSamples: number;
}

export interface QualityOptions {
  /**
   * Whether the estimate may step the level down at all (after ESTIMATE_DOWN_SAMPLES). Off for an uplink: a
   * browser's send-side estimate tracks what it chooses to send, so it would drag an unlimited uplink down.
   */
  estimateDown?: boolean;
  /**
   * Whether one sample with loss of LOSS_SEVERE or more at a level with video drops the video at once, without the
   * DOWN_CONFIRM_SAMPLES confirmation. On for an uplink: the queue overflowing is the sender's own, and its audio
   * waits in it behind the video (measured: 59 % of a 48 kbit/s uplink's packets dropped, half the audio concealed);
   * a wrong guess costs one probe, a late one costs the call's audio.
   */
  severeAtOnce?: boolean;
  /**
   * Whether the estimate steps the level down from `full` or `reduced` even when `estimateDown` is off: at once when
   * it leaves no room for any video (under DOWN_MARGIN x LOW_MIN_BPS: the browser's congestion control, not one noisy
   * reading, has already weighed it), after ESTIMATE_DOWN_SAMPLES otherwise. On for an uplink: at those levels the
   * browser wants to send 300 kbit/s and more, so an estimate under the level's floor is the link (its congestion control has seen the queue grow), not a sender
   * holding back; at `low` it may be the sender's own restraint, and loss decides.
   */
  estimateDownFromHigh?: boolean;
}

export function initialQualityState(level: QualityLevel = 'full'): QualityState {
  return { level, probing: false, downSamples: 0, downTarget: null, upSamples: 0, upTarget: null, probeHold: PROBE_HOLD_SAMPLES, probeSamples: 0, sinceUp: UP_GRACE_SAMPLES, estimateDownSamples: 0, cleanSamples: 0 };
}

/** The level one sample alone supports (no history); `current` widens the band so the level does not flap. */
export function levelForSample(sample: LinkSample, current?: QualityLevel): QualityLevel {
  const loss = clampLoss(sample.packetLoss);
  if (loss >= LOSS_TEXT) return 'text_suggested';
  let rank: number;
  const bps = sample.availableBitrate;
  if (bps === undefined || !Number.isFinite(bps)) rank = 0;
  else {
    rank = ORDER.findIndex((l) => bps >= FLOOR[l]);
    // Within DOWN_MARGIN under the current level's floor, the current level still holds.
    if (current && rank > qualityRank(current) && QUALITY_LEVEL_INFO[current].video && bps >= FLOOR[current] * DOWN_MARGIN) {
      rank = qualityRank(current);
    }
  }
  if (loss >= LOSS_STEP_DOWN) rank += 1;
  if (loss >= LOSS_SEVERE) rank = Math.max(rank, qualityRank('audio_only'));
  return ORDER[Math.min(rank, ORDER.length - 1)];
}

function clampLoss(loss: number): number {
  return Number.isFinite(loss) ? Math.min(1, Math.max(0, loss)) : 0;
}

/** The best level a sample supports for a step up (UP_MARGIN over the floor), or null if it supports none. */
function upLevel(level: QualityLevel, sample: LinkSample): QualityLevel | null {
  const rank = qualityRank(level);
  if (rank === 0 || clampLoss(sample.packetLoss) >= LOSS_RECOVERED) return null;
  const bps = sample.availableBitrate;
  if (bps === undefined || !Number.isFinite(bps)) return ORDER[rank - 1];
  const best = ORDER.findIndex((l) => bps >= FLOOR[l] * UP_MARGIN);
  return best >= 0 && best < rank ? ORDER[best] : null;
}

const worse = (a: QualityLevel, b: QualityLevel) => (qualityRank(a) > qualityRank(b) ? a : b);
const milder = (a: QualityLevel, b: QualityLevel) => (qualityRank(a) < qualityRank(b) ? a : b);

/** Applies one sample to the state: the policy's only entry point. Pure. */
export function nextQuality(state: QualityState, sample: LinkSample, options: QualityOptions = {}): QualityState {
  // The estimate alone steps down only when allowed, out of the grace after a step up, and after
  // ESTIMATE_DOWN_SAMPLES samples in a row; loss steps down at once (DOWN_CONFIRM_SAMPLES).
  const byLoss = levelForSample({ packetLoss: sample.packetLoss }, state.level);
  const withEstimate = levelForSample(sample, state.level);
  const estimateOnly = qualityRank(withEstimate) > qualityRank(byLoss) && qualityRank(withEstimate) > qualityRank(state.level);
  const estimateDownSamples = estimateOnly ? (state.estimateDownSamples ?? 0) + 1 : 0;
  // Without video the estimate says nothing about the link (a sender of audio alone keeps it near what it sends:
  // 26-46 kbit/s measured on a recovered uplink): loss alone decides until a probe has video flowing.
  const noVideo = !QUALITY_LEVEL_INFO[state.level].video;
  const trustEstimateDown =
    !noVideo && options.estimateDown !== false && state.sinceUp + 1 >= UP_GRACE_SAMPLES && estimateDownSamples >= ESTIMATE_DOWN_SAMPLES;
  const noVideoFits = sample.availableBitrate !== undefined && sample.availableBitrate < LOW_MIN_BPS * DOWN_MARGIN;
  const trustHighDown =
    !!options.estimateDownFromHigh &&
    !state.probing &&
    (state.level === 'full' || state.level === 'reduced') &&
    (noVideoFits || (state.sinceUp + 1 >= UP_GRACE_SAMPLES && estimateDownSamples >= ESTIMATE_DOWN_SAMPLES));
  if (estimateOnly && (trustEstimateDown || trustHighDown)) {
    return jumpDown(state, withEstimate);
  }
  const wanted = estimateOnly || noVideo ? byLoss : withEstimate;
  if (options.severeAtOnce && !noVideo && !state.probing && clampLoss(sample.packetLoss) >= LOSS_SEVERE) {
    return jumpDown(state, worse(wanted, 'audio_only'));
  }
  const next = step({ ...state, sinceUp: state.sinceUp + 1, estimateDownSamples }, sample, wanted);
  const moved = next.level !== state.level;
  return {
    ...next,
    sinceUp: qualityRank(next.level) < qualityRank(state.level) ? 0 : next.sinceUp,
    estimateDownSamples: moved ? 0 : next.estimateDownSamples,
  };
}

/** A step down taken at once, without the usual confirmation: every count starts again, no probe runs. */
function jumpDown(state: QualityState, level: QualityLevel): QualityState {
  return { ...state, level, probing: false, downSamples: 0, downTarget: null, upSamples: 0, upTarget: null, probeSamples: 0, sinceUp: state.sinceUp + 1, estimateDownSamples: 0, cleanSamples: 0 };
}

function step(state: QualityState, sample: LinkSample, wanted: QualityLevel): QualityState {
  const current = qualityRank(state.level);
  const reset = { downSamples: 0, downTarget: null, upSamples: 0, upTarget: null, cleanSamples: 0 };

  if (state.probing) {
    // Only loss ends a probe: the estimate needs a few seconds of video to climb from where audio alone left it.
    // Its first sample is not weighed: a camera sending again after a pause restarts its stream, and the receiver's
    // first report counts the jump in sequence numbers as loss (measured: 67-94 % on a link restored to full speed,
    // every probe failing).
    const probeAge = (state.probeAge ?? 0) + 1;
    if (probeAge === 1) return { ...state, ...reset, probeAge };
    const loss = clampLoss(sample.packetLoss);
    if (loss >= LOSS_STEP_DOWN) {
      return { ...state, ...reset, probing: false, probeSamples: 0, probeAge: 0, probeHold: Math.min(state.probeHold * 2, MAX_PROBE_HOLD_SAMPLES) };
    }
    const probeSamples = loss < LOSS_RECOVERED ? state.probeSamples + 1 : state.probeSamples;
    if (probeSamples >= PROBE_SAMPLES) {
      return { ...state, ...reset, level: 'low', probing: false, probeSamples: 0, probeAge: 0, probeHold: PROBE_HOLD_SAMPLES };
    }
    return { ...state, ...reset, probeSamples, probeAge };
  }

  if (qualityRank(wanted) > current) {
    const downSamples = state.downSamples + 1;
    let downTarget = state.downTarget ? milder(state.downTarget, wanted) : wanted;
    // A link that went from bad to severe (a queue overflowing) leaves no time for a middle step: no video at all.
    if (state.downTarget && clampLoss(sample.packetLoss) >= LOSS_SEVERE) downTarget = worse(downTarget, 'audio_only');
    if (downSamples >= DOWN_CONFIRM_SAMPLES) return { ...state, ...reset, level: downTarget };
    return { ...state, downSamples, downTarget, upSamples: 0, upTarget: null };
  }

  if (!QUALITY_LEVEL_INFO[state.level].video) {
    // No video flowing: clean samples count towards a probe (the estimate is not trusted here), from
    // text_suggested too; meanwhile samples that allow audio take text_suggested back to audio_only.
    const clean = clampLoss(sample.packetLoss) < LOSS_RECOVERED && qualityRank(wanted) <= qualityRank('audio_only');
    const cleanSamples = clean ? state.cleanSamples + 1 : 0;
    let level = state.level;
    let upSamples = 0;
    if (level === 'text_suggested' && qualityRank(wanted) < current) {
      upSamples = state.upSamples + 1;
      if (upSamples >= UP_CONFIRM_SAMPLES) {
        level = 'audio_only';
        upSamples = 0;
      }
    }
    if (cleanSamples >= state.probeHold) return { ...state, ...reset, level, probing: true, probeSamples: 0, probeAge: 0 };
    return { ...state, level, downSamples: 0, downTarget: null, upSamples, upTarget: null, cleanSamples };
  }

  const up = upLevel(state.level, sample);
  if (up) {
    const upSamples = state.upSamples + 1;
    const upTarget = state.upTarget ? worse(state.upTarget, up) : up;
    if (upSamples >= UP_CONFIRM_SAMPLES) return { ...state, ...reset, level: upTarget };
    return { ...state, downSamples: 0, downTarget: null, upSamples, upTarget };
  }
  return { ...state, ...reset };
}
