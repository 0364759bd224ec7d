// HAL Timers on Moddable's `timer` (one-shot Timer.set / Timer.clear) and Time.ticks, the
// monotonic millisecond counter that never jumps when the RTC is set.

import Timer from 'timer';
import Time from 'time';
import type { TimerHandle, Timers } from 'latchkey';

export function createTimers(): Timers {
  return {
    set: (callback: () => void, delayMs: number): TimerHandle => Timer.set(() => callback(), Math.max(0, Math.ceil(delayMs))),
    clear: (handle: TimerHandle) => Timer.clear(handle as ReturnType<typeof Timer.set>),
    ticks: () => Time.ticks,
  };
}
