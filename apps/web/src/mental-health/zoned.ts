import type { ZonedTimeView } from '@hub/contracts';

/** Milliseconds the zone is ahead of UTC at the instant `t`. */
function offsetAt(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(t));
  const g = (k: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === k)?.value);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute')) - Math.floor(t / 60_000) * 60_000;
}

/**
 * A wall time typed in `zone` (date YYYY-MM-DD, time HH:mm) as ISO 8601 with that zone's offset then, e.g.
 * 2026-12-01T09:00:00+03:00: the hub stores the instant in UTC and shows it to each viewer in their own zone.
 */
export function wallTimeInZone(date: string, time: string, zone: string): string {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offset = offsetAt(wall - offsetAt(wall, zone), zone);
  const minutes = Math.round(offset / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${date}T${time}:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "2026-12-01 07:00 · Africa/Bangui (UTC+01:00)" */
export const zonedText = (z: ZonedTimeView) => `${z.local} · ${z.timeZone} (${z.offset})`;
