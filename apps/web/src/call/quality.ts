import { QUALITY_LEVEL_INFO, QUALITY_LEVELS, type CallQualityLevel } from '@hub/contracts';
import i18n from '../i18n';

const t = (key: string) => i18n.t(key);

/**
 * What the user sees at each level of the degradation ladder: the label and banner of the one media policy
 * (libs/contracts/src/media-policy.ts, whose thresholds the server applies) in the reader's language
 * (`callQuality.label.<level>`, `callQuality.banner.<level>`), plus signal bars for the indicator.
 */
export const QUALITY_VIEW: Record<CallQualityLevel, { label: string; banner: string | null; video: boolean; bars: number }> =
  Object.fromEntries(
    QUALITY_LEVELS.map((level, rank) => [
      level,
      {
        get label() {
          return t(`callQuality.label.${level}`);
        },
        get banner() {
          return QUALITY_LEVEL_INFO[level].banner ? t(`callQuality.banner.${level}`) : null;
        },
        video: QUALITY_LEVEL_INFO[level].video,
        bars: 4 - rank,
      },
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

/** The words for the video layer that arrives (0 = lowest). */
const LAYER_LEVEL: CallQualityLevel[] = ['low', 'reduced', 'full'];

/**
 * What the user actually gets, in words: never "Good connection" while no video layer arrives, and in a call the
 * user chose to make audio only, nothing about video quality (only a link too weak even for audio is said).
 */
export function describeCall(s: IndicatorInput): IndicatorView {
  const view = QUALITY_VIEW[s.quality];
  const uplinkBanner =
    !s.audioOnly && s.cameraOn && !QUALITY_LEVEL_INFO[s.uplink].video
      ? t('callQuality.uplinkPaused')
      : null;
  if (s.audioOnly || !view.video) {
    if (s.quality === 'text_suggested') return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
    if (s.audioOnly) return { label: t('callQuality.audioCall'), bars: view.bars, banner: null, uplinkBanner };
    return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
  }
  // Video level: what arrives decides the words (a cap the SFU has not reached yet, or no layer at all).
  const flowing = s.remoteCameras.filter((c) => !c.paused && (c.uplink === undefined || QUALITY_LEVEL_INFO[c.uplink].video));
  if (flowing.length === 0) return { label: view.label, bars: view.bars, banner: view.banner, uplinkBanner };
  const layers = flowing.map((c) => c.spatialLayer);
  if (layers.some((l) => l === null)) {
    return { label: t('callQuality.noVideoArriving'), bars: Math.min(view.bars, 1), banner: view.banner, uplinkBanner };
  }
  const layer = Math.min(QUALITY_LEVEL_INFO[s.quality].spatialLayer ?? 0, ...(layers as number[]));
  return { label: LAYER_LEVEL[layer] ? t(`callQuality.label.${LAYER_LEVEL[layer]}`) : view.label, bars: Math.min(view.bars, layer + 2), banner: view.banner, uplinkBanner };
}
