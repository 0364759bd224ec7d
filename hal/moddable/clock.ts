// HAL Clock on the ESP32's RTC: Date.now() and Time.set() (module "time"). The RTC keeps counting
// through deep sleep but restarts near 1970 after a power loss unless a battery-backed RTC (for
// example a DS3231 on embedded:io/i2c, docs/firmware.md) sets it at boot; a reading before
// CLOCK_SET_AFTER therefore counts as "never set", and the lock refuses to grant until it is.

import Time from 'time';
import type { Clock } from 'latchkey';

/** 2025-01-01T00:00:00Z: no real clock reads earlier than the firmware was built. */
export const CLOCK_SET_AFTER = 1_735_689_600;

export function createClock(): Clock {
  const now = (): number => Math.floor(Date.now() / 1000);
  return {
    now,
    isSet: () => now() >= CLOCK_SET_AFTER,
    set(unixSeconds: number) {
      if (!Number.isSafeInteger(unixSeconds) || unixSeconds < CLOCK_SET_AFTER) throw new RangeError('clock: a unix time after 2025 is required');
      Time.set(unixSeconds);
    },
  };
}
