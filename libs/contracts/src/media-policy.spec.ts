import {
  AUDIO_ONLY_MIN_BPS,
  DOWN_CONFIRM_SAMPLES,
  FULL_MIN_BPS,
  initialQualityState,
  levelForSample,
  LinkSample,
  LOSS_SEVERE,
  LOSS_STEP_DOWN,
  LOSS_TEXT,
  LOW_MIN_BPS,
  nextQuality,
  QUALITY_LEVEL_INFO,
  QualityState,
  REDUCED_MIN_BPS,
  UP_CONFIRM_SAMPLES,
  UP_MARGIN,
} from './media-policy';
import type { QualityLevel } from './media';

function run(state: QualityState, samples: LinkSample[]): { state: QualityState; levels: QualityLevel[] } {
  const levels: QualityLevel[] = [];
  for (const s of samples) {
    state = nextQuality(state, s);
    levels.push(state.level);
  }
  return { state, levels };
}
const times = (n: number, s: LinkSample) => Array.from({ length: n }, () => s);
const good: LinkSample = { availableBitrate: 2_000_000, packetLoss: 0 };

describe('levelForSample', () => {
  it('maps bitrate to the ladder', () => {
    expect(levelForSample({ availableBitrate: FULL_MIN_BPS, packetLoss: 0 })).toBe('full');
    expect(levelForSample({ availableBitrate: FULL_MIN_BPS - 1, packetLoss: 0 })).toBe('reduced');
    expect(levelForSample({ availableBitrate: REDUCED_MIN_BPS - 1, packetLoss: 0 })).toBe('low');
    expect(levelForSample({ availableBitrate: LOW_MIN_BPS - 1, packetLoss: 0 })).toBe('audio_only');
    expect(levelForSample({ availableBitrate: AUDIO_ONLY_MIN_BPS - 1, packetLoss: 0 })).toBe('text_suggested');
    expect(levelForSample({ packetLoss: 0 })).toBe('full');
  });

  it('steps down on loss', () => {
    expect(levelForSample({ availableBitrate: 2_000_000, packetLoss: LOSS_STEP_DOWN })).toBe('reduced');
    expect(levelForSample({ availableBitrate: REDUCED_MIN_BPS, packetLoss: LOSS_STEP_DOWN })).toBe('low');
    expect(levelForSample({ availableBitrate: 2_000_000, packetLoss: LOSS_SEVERE })).toBe('audio_only');
    expect(levelForSample({ availableBitrate: 2_000_000, packetLoss: LOSS_TEXT })).toBe('text_suggested');
    expect(levelForSample({ availableBitrate: 2_000_000, packetLoss: Number.NaN })).toBe('full');
  });
});

describe('nextQuality', () => {
  it('steps down only after DOWN_CONFIRM_SAMPLES bad samples, then straight to the level asked for', () => {
    const bad = { availableBitrate: LOW_MIN_BPS - 1, packetLoss: 0 };
    const { levels } = run(initialQualityState(), times(DOWN_CONFIRM_SAMPLES, bad));
    expect(levels).toEqual([...times(DOWN_CONFIRM_SAMPLES - 1, 'full' as never), 'audio_only']);
  });

  it('ignores a single bad sample', () => {
    const { levels } = run(initialQualityState(), [good, { availableBitrate: 10_000, packetLoss: 0.5 }, good, good]);
    expect(levels).toEqual(['full', 'full', 'full', 'full']);
  });

  it('moves only as far down as the mildest of the confirming samples', () => {
    const { state } = run(initialQualityState(), [
      { availableBitrate: 10_000, packetLoss: 0 }, // text_suggested
      { availableBitrate: REDUCED_MIN_BPS + 1, packetLoss: 0 }, // reduced
    ]);
    expect(state.level).toBe('reduced');
  });

  it('drops video on heavy loss even with bandwidth, and suggests text on extreme loss', () => {
    expect(run(initialQualityState(), times(2, { availableBitrate: 3_000_000, packetLoss: 0.25 })).state.level).toBe(
      'audio_only',
    );
    expect(run(initialQualityState(), times(2, { availableBitrate: 3_000_000, packetLoss: 0.5 })).state.level).toBe(
      'text_suggested',
    );
  });

  it('steps up one level at a time after UP_CONFIRM_SAMPLES good samples', () => {
    const { levels } = run(initialQualityState('low'), times(UP_CONFIRM_SAMPLES * 2, good));
    expect(levels[UP_CONFIRM_SAMPLES - 2]).toBe('low');
    expect(levels[UP_CONFIRM_SAMPLES - 1]).toBe('reduced');
    expect(levels[UP_CONFIRM_SAMPLES * 2 - 1]).toBe('full');
  });

  it('does not step up within the hysteresis margin (no flapping at a threshold)', () => {
    // Just above the full floor but below floor * UP_MARGIN: stays reduced forever.
    const edge = { availableBitrate: FULL_MIN_BPS * (UP_MARGIN - 0.1), packetLoss: 0 };
    expect(run(initialQualityState('reduced'), times(20, edge)).levels.every((l) => l === 'reduced')).toBe(true);
    // Oscillating around the floor: never goes down (a bad sample never confirmed) and never up.
    const around = [
      { availableBitrate: FULL_MIN_BPS - 10_000, packetLoss: 0 },
      { availableBitrate: FULL_MIN_BPS + 10_000, packetLoss: 0 },
    ];
    const levels = run(initialQualityState('full'), Array.from({ length: 10 }, () => around).flat()).levels;
    expect(new Set(levels)).toEqual(new Set(['full']));
  });

  it('does not step up while loss is above the recovered threshold', () => {
    const lossy = { availableBitrate: 3_000_000, packetLoss: 0.05 };
    expect(run(initialQualityState('reduced'), times(10, lossy)).state.level).toBe('reduced');
  });

  it('recovers from audio_only on low loss alone (a probe) and backs off after a failed probe', () => {
    // No bitrate estimate worth anything while video is paused: loss alone lets it probe `low`.
    const quietButClean = { availableBitrate: 50_000, packetLoss: 0 };
    const first = run(initialQualityState('audio_only'), times(UP_CONFIRM_SAMPLES, quietButClean));
    expect(first.state.level).toBe('low');
    // The probe fails: back to audio_only, and the next probe needs twice the good samples.
    const failed = run(first.state, times(DOWN_CONFIRM_SAMPLES, quietButClean));
    expect(failed.state.level).toBe('audio_only');
    expect(failed.state.upHold).toBe(UP_CONFIRM_SAMPLES * 2);
    const again = run(failed.state, times(UP_CONFIRM_SAMPLES * 2, quietButClean));
    expect(again.levels.indexOf('low')).toBe(UP_CONFIRM_SAMPLES * 2 - 1);
  });

  it('climbs from text_suggested back to full when the link recovers', () => {
    const { levels } = run(initialQualityState('text_suggested'), times(4 * UP_CONFIRM_SAMPLES, good));
    expect(levels[levels.length - 1]).toBe('full');
    expect(new Set(levels)).toEqual(new Set(['text_suggested', 'audio_only', 'low', 'reduced', 'full']));
  });

  it('describes each level for the server and the banner', () => {
    expect(QUALITY_LEVEL_INFO.full).toMatchObject({ video: true, spatialLayer: 2, banner: null });
    expect(QUALITY_LEVEL_INFO.low.spatialLayer).toBe(0);
    expect(QUALITY_LEVEL_INFO.audio_only.video).toBe(false);
    expect(QUALITY_LEVEL_INFO.text_suggested.banner).toMatch(/case thread/);
  });
});
