// When tickets may open: an issuer's scope (week days and times of day, like Matter's week-day
// schedules, plus the longest window it may issue and the uses per ticket) and the owner's
// do-not-disturb ranges, which override every scope. Times of day are in the lock's configured
// time zone offset (a fixed offset: the owner updates it at daylight-saving changes). Pure.

/** Week days as bits: Monday = 1, Tuesday = 2, … Sunday = 64 (ISO order). */
export const ALL_DAYS = 0x7f;
export const MINUTES_PER_DAY = 1440;
/** Time zone offsets the lock accepts, minutes east of UTC (UTC−12:00 … UTC+14:00). */
export const MIN_TZ_OFFSET_MINUTES = -720;
export const MAX_TZ_OFFSET_MINUTES = 840;
/** Schedules per scope and do-not-disturb entries: bounded so the owner record stays small. */
export const MAX_SCHEDULES = 4;
export const MAX_PERIODS = 4;
export const MAX_USES = 255;

/**
 * Open on `days`, from minute `from` (inclusive) to minute `to` (exclusive) of the local day.
 * from < to: a daytime range; from > to: overnight, from `from` on each listed day to `to` the
 * next morning; from = to is refused when the scope is set (use 0..1440 for the whole day).
 */
export interface Schedule {
  days: number;
  from: number;
  to: number;
}

export interface IssuerScope {
  /** When its tickets may open; at least one. */
  schedules: Schedule[];
  /** Longest `exp − nbf` of its tickets, seconds (the lock-wide maximum still applies). */
  maxWindowSeconds: number;
  /** How many times one ticket may open the door (1: single use). */
  maxUses: number;
}

/** An absolute do-not-disturb period (holidays): unix seconds, `start` inclusive, `end` exclusive. */
export interface Period {
  start: number;
  end: number;
}

export interface DoNotDisturb {
  schedules: Schedule[];
  periods: Period[];
}

export const EVERY_DAY: Readonly<Schedule> = Object.freeze({ days: ALL_DAYS, from: 0, to: MINUTES_PER_DAY });

export function defaultScope(maxWindowSeconds: number): IssuerScope {
  return { schedules: [{ ...EVERY_DAY }], maxWindowSeconds, maxUses: 1 };
}

/** Local week day (0 = Monday … 6 = Sunday) and minute of day of unix time `at`. */
export function localTime(at: number, tzOffsetMinutes: number): { weekday: number; minute: number } {
  const local = at + tzOffsetMinutes * 60;
  const day = Math.floor(local / 86400);
  const minute = Math.floor((local - day * 86400) / 60);
  // 1970-01-01 was a Thursday (weekday 3).
  return { weekday: (((day + 3) % 7) + 7) % 7, minute };
}

const hasDay = (days: number, weekday: number): boolean => (days & (1 << weekday)) !== 0;

/** Whether `at` falls inside the schedule. */
export function inSchedule(schedule: Schedule, at: number, tzOffsetMinutes: number): boolean {
  const { weekday, minute } = localTime(at, tzOffsetMinutes);
  const { days, from, to } = schedule;
  if (from < to) return hasDay(days, weekday) && minute >= from && minute < to;
  // Overnight: the evening part belongs to the listed day, the morning part to the day before.
  if (minute >= from) return hasDay(days, weekday);
  return minute < to && hasDay(days, (weekday + 6) % 7);
}

export function inScope(scope: IssuerScope, at: number, tzOffsetMinutes: number): boolean {
  return scope.schedules.some((s) => inSchedule(s, at, tzOffsetMinutes));
}

export function inDoNotDisturb(dnd: DoNotDisturb, at: number, tzOffsetMinutes: number): boolean {
  return dnd.periods.some((p) => at >= p.start && at < p.end) || dnd.schedules.some((s) => inSchedule(s, at, tzOffsetMinutes));
}

/** A problem with a schedule, or undefined when it is valid. */
export function scheduleProblem(s: Schedule): string | undefined {
  if (!isInt(s.days, 1, ALL_DAYS)) return 'days must be a week-day bit mask 1..127';
  if (!isInt(s.from, 0, MINUTES_PER_DAY - 1)) return 'from must be a minute of the day 0..1439';
  if (!isInt(s.to, 1, MINUTES_PER_DAY)) return 'to must be a minute of the day 1..1440';
  if (s.from === s.to) return 'from and to must differ';
  return undefined;
}

export function scopeProblem(scope: IssuerScope): string | undefined {
  if (scope.schedules.length < 1 || scope.schedules.length > MAX_SCHEDULES) return `a scope has 1..${MAX_SCHEDULES} schedules`;
  for (const s of scope.schedules) {
    const p = scheduleProblem(s);
    if (p !== undefined) return p;
  }
  if (!isInt(scope.maxWindowSeconds, 1, 0xffffffff)) return 'maxWindowSeconds must be a positive integer';
  if (!isInt(scope.maxUses, 1, MAX_USES)) return `maxUses must be 1..${MAX_USES}`;
  return undefined;
}

export function doNotDisturbProblem(dnd: DoNotDisturb): string | undefined {
  if (dnd.schedules.length > MAX_SCHEDULES) return `at most ${MAX_SCHEDULES} do-not-disturb schedules`;
  if (dnd.periods.length > MAX_PERIODS) return `at most ${MAX_PERIODS} do-not-disturb periods`;
  for (const s of dnd.schedules) {
    const p = scheduleProblem(s);
    if (p !== undefined) return p;
  }
  for (const p of dnd.periods) if (!isInt(p.start, 0, 0xffffffff) || !isInt(p.end, 0, 0xffffffff) || p.end <= p.start) return 'a period needs 0 <= start < end';
  return undefined;
}

function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
