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
