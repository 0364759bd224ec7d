// A lock that keeps its flash from one run to the next (`latchkey sim --state DIR`, the web page's
// "Keep this lock's flash"): the run options for the next run, from the kept storage and the
// lock's clock when the last run stopped. One rule for both, so the page resumes exactly as the
// CLI does. Portable.

import { MAX_UINT32 } from '../../src/bytes.js';
import type { RunOptions } from './player.js';

/** A kept clock reading: whole unix seconds the lock's RTC can hold, or undefined. */
export function keptClock(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_UINT32 ? value : undefined;
}

/**
 * The next run on kept storage. The lock's clock never runs backwards between runs (the RTC is
 * battery-backed): it resumes where the last run stopped when that is later than the scenario's
 * start; otherwise the scenario's start stands.
 */
export function resumeOptions(storage: NonNullable<RunOptions['storage']>, scenarioStart: number, lastClock: number | undefined): RunOptions {
  const options: RunOptions = { storage };
  if (lastClock !== undefined && lastClock > scenarioStart) options.startTime = lastClock;
  return options;
}
