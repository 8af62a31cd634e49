import { QUALITY_LEVEL_INFO, QUALITY_LEVELS, type CallQualityLevel } from '@hub/contracts';

/**
 * What the user sees at each level of the degradation ladder: the label and banner texts of the one media policy
 * (libs/contracts/src/media-policy.ts, whose thresholds the server applies), plus signal bars for the indicator.
 */
export const QUALITY_VIEW: Record<CallQualityLevel, { label: string; banner: string | null; video: boolean; bars: number }> =
  Object.fromEntries(
    QUALITY_LEVELS.map((level, rank) => [
      level,
      { label: QUALITY_LEVEL_INFO[level].label, banner: QUALITY_LEVEL_INFO[level].banner, video: QUALITY_LEVEL_INFO[level].video, bars: 4 - rank },
    ]),
  ) as Record<CallQualityLevel, { label: string; banner: string | null; video: boolean; bars: number }>;

/** The part of the call state the indicator reads (CallState has it all). */
export interface IndicatorInput {
  quality: CallQualityLevel;
  audioOnly: boolean;
  cameraOn: boolean;
  /** Our own uplink level (what our browser can send). */
  uplink: CallQualityLevel;
  /** The remote cameras we receive: paused by their sender (or its uplink), and the layer the SFU forwards now. */
  remoteCameras: { paused: boolean; spatialLayer: number | null; uplink?: CallQualityLevel }[];
}

export interface IndicatorView {
  label: string;
  bars: number;
  /** The downlink banner (our link too weak for what we receive), or null. */
  banner: string | null;
  /** Our own video is held back because our uplink cannot carry it, or null. */
  uplinkBanner: string | null;
}

const LAYER_LABEL = ['Low video quality', 'Reduced video quality', 'Good connection'];

/**
 * What the user actually gets, in words: never "Good connection" while no video layer arrives, and in a call the
 * user chose to make audio only, nothing about video quality (only a link too weak even for audio is said).
 */
export function describeCall(s: IndicatorInput): IndicatorView {
  const view = QUALITY_VIEW[s.quality];
  const uplinkBanner =
    !s.audioOnly && s.cameraOn && !QUALITY_LEVEL_INFO[s.uplink].video
      ? 'Your connection cannot carry your video: it is paused, the others still hear you. It comes back when the link recovers.'
      : null;
  if (s.audioOnly || !view.video) {
    if (s.quality === 'text_suggested') return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
    if (s.audioOnly) return { label: 'Audio call', bars: view.bars, banner: null, uplinkBanner };
    return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
  }
  // Video level: what arrives decides the words (a cap the SFU has not reached yet, or no layer at all).
  const flowing = s.remoteCameras.filter((c) => !c.paused && (c.uplink === undefined || QUALITY_LEVEL_INFO[c.uplink].video));
  if (flowing.length === 0) return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
  const layers = flowing.map((c) => c.spatialLayer);
  if (layers.some((l) => l === null)) {
    return { label: 'Weak connection: no video arriving', bars: Math.min(view.bars, 1), banner: view.banner, uplinkBanner };
  }
  const layer = Math.min(QUALITY_LEVEL_INFO[s.quality].spatialLayer ?? 0, ...(layers as number[]));
  return { label: LAYER_LABEL[layer] ?? view.label, bars: Math.min(view.bars, layer + 2), banner: view.banner, uplinkBanner };
}
