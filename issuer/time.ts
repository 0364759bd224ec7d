// Times and durations as the CLI and an issuer read and print them. Pure functions, no Node imports.
//
// A time argument is unix seconds (digits only), an ISO-8601 / RFC 3339 date-time with an explicit
// offset ("Z" or ±hh:mm), or (only where the caller passes the current time) a time relative to
// now: "now", "+3h", "-10m", "now+1d12h". Forms whose meaning depends on the reader's machine (no
// offset, a date without a time, a week date, "tomorrow") are refused rather than guessed.

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** "now", or an offset from now: a sign and one or more amounts with a unit (d, h, m, s). */
const RELATIVE_TIME = /^(?:now)?(?:([+-])((?:\d+[dhms])+))?$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = Object.freeze({ d: 86_400, h: 3_600, m: 60, s: 1 });

export type TimeParse = { ok: true; seconds: number } | { ok: false; error: string };

const FORMS = 'use ISO-8601 with a timezone (e.g. 2026-11-21T09:00:00Z or 2026-11-21T10:00:00+01:00) or unix seconds';
const RELATIVE_FORMS = ', or a time relative to now (now, +3h, -10m, +1d12h)';

/**
 * Parses a time argument to unix seconds (fractions of a second are dropped). `now` (unix seconds)
 * enables the relative forms; without it they are refused, so a saved file means the same on any day.
 */
export function parseTimeArg(text: string, now?: number): TimeParse {
  const bad = (why: string): TimeParse => ({
    ok: false,
    error: `"${text}" is not a time${why}: ${FORMS}${now === undefined ? '' : RELATIVE_FORMS}`,
  });
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    if (!Number.isSafeInteger(seconds)) return bad(' (too large)');
    return { ok: true, seconds };
  }
  const relative = text === '' ? null : RELATIVE_TIME.exec(text);
  if (relative !== null) {
    if (now === undefined) return bad(' (relative times are not accepted here)');
    const [, sign, amounts] = relative;
    let offset = 0;
    for (const [, digits, unit] of (amounts ?? '').matchAll(/(\d+)([dhms])/g)) offset += Number(digits) * UNIT_SECONDS[unit];
    const seconds = now + (sign === '-' ? -offset : offset);
    if (!Number.isSafeInteger(seconds)) return bad(' (too large)');
    if (seconds < 0) return bad(' (before 1970)');
    return { ok: true, seconds };
  }
  const m = ISO_TIME.exec(text);
  if (m === null) {
    if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)) return bad(' (no timezone given)');
    return bad('');
  }
  const [, y, mo, d, h, mi, s = '0', , zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return bad(' (field out of range)');
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utcMs);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return bad(' (no such date)');
  }
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return bad(' (bad timezone offset)');
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const seconds = utcMs / 1000 - offsetMinutes * 60;
  if (seconds < 0) return bad(' (before 1970)');
  return { ok: true, seconds };
}

/** Parses a non-negative whole number of seconds (digits only). */
export function parseSecondsArg(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** ISO-8601 UTC without milliseconds, e.g. 2026-11-21T09:00:00Z; a readable note if out of range. */
export function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (!Number.isFinite(date.getTime())) return '(out of date range)';
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** A duration for people: "45 s", "1 h", "1 h 30 min", "2 d 3 h". */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds < 0) return '-' + formatDuration(-totalSeconds);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const units: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [size, name] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
