// The owner's settings for an administered lock, with their defaults and bounds. Set at
// provisioning and by the `settings` admin command (docs/admin.md).

import { DEFAULT_MAX_WINDOW_SECONDS, DEFAULT_SKEW_SECONDS } from '../verify.js';
import { MAX_TZ_OFFSET_MINUTES, MIN_TZ_OFFSET_MINUTES, doNotDisturbProblem, type DoNotDisturb } from './scope.js';

export interface Settings {
  /** Relock deadline after a grant, seconds (1..300). */
  relockSeconds: number;
  /** Clock tolerance, seconds (0..3600). */
  skewSeconds: number;
  /** Longest ticket window any issuer may use, seconds. */
  maxWindowSeconds: number;
  /** Holder proof required (default true). false: a presentation without proof is accepted; one with a proof must still verify. */
  holderProof: boolean;
  /** Accept cnonce tickets while the clock is untrusted (default false). */
  cnonceTickets: boolean;
  /** Longest window of a cnonce ticket, seconds (default 300). */
  cnonceWindowSeconds: number;
  /** The lock's time zone, minutes east of UTC: scopes and do-not-disturb are in local time. */
  tzOffsetMinutes: number;
  doNotDisturb: DoNotDisturb;
}

export const DEFAULT_CNONCE_WINDOW_SECONDS = 300;

export function defaultSettings(): Settings {
  return {
    relockSeconds: 5,
    skewSeconds: DEFAULT_SKEW_SECONDS,
    maxWindowSeconds: DEFAULT_MAX_WINDOW_SECONDS,
    holderProof: true,
    cnonceTickets: false,
    cnonceWindowSeconds: DEFAULT_CNONCE_WINDOW_SECONDS,
    tzOffsetMinutes: 0,
    doNotDisturb: { schedules: [], periods: [] },
  };
}

const int = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export function settingsProblem(s: Settings): string | undefined {
  if (!int(s.relockSeconds, 1, 300)) return 'relockSeconds must be 1..300';
  if (!int(s.skewSeconds, 0, 3600)) return 'skewSeconds must be 0..3600';
  if (!int(s.maxWindowSeconds, 60, 366 * 86400)) return 'maxWindowSeconds must be 60..31622400';
  if (typeof s.holderProof !== 'boolean') return 'holderProof must be true or false';
  if (typeof s.cnonceTickets !== 'boolean') return 'cnonceTickets must be true or false';
  if (!int(s.cnonceWindowSeconds, 10, 3600)) return 'cnonceWindowSeconds must be 10..3600';
  if (!int(s.tzOffsetMinutes, MIN_TZ_OFFSET_MINUTES, MAX_TZ_OFFSET_MINUTES)) return 'tzOffsetMinutes must be -720..840';
  return doNotDisturbProblem(s.doNotDisturb);
}
