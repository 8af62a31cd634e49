import type { ZonedTimeView } from '@hub/contracts';

/** True when the IANA zone is known to this runtime's ICU data. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The instant in UTC and as a wall time in `zone`, the zone named and its offset then (DST-safe: asked of ICU). */
export function zonedTime(at: Date, zone: string): ZonedTimeView {
  const tz = isTimeZone(zone) ? zone : 'UTC';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  const name = get('timeZoneName'); // "GMT+01:00", or "GMT" at UTC
  const offset = name === 'GMT' || name === '' ? 'UTC+00:00' : name.replace('GMT', 'UTC');
  return { utc: at.toISOString(), timeZone: tz, local: `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`, offset };
}

/** "2026-12-01 10:00 Africa/Bangui (UTC+01:00)" */
export const zonedLabel = (z: ZonedTimeView) => `${z.local} ${z.timeZone} (${z.offset})`;
