// HAL Indicator on embedded:io/digital: one LED (or a buzzer) and a blink pattern per state.
// idle: off; busy: on; granted: on until the next pattern; refused: three short blinks;
// alarm: a fast blink that continues until another pattern replaces it.

import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { Indicator, IndicatorPattern } from 'latchkey';
import type { PinConfig } from 'latchkey/config';

/** Each pattern: a steady level, then `toggles` level changes every `periodMs` (Infinity: until replaced). */
const BLINKS = Object.freeze({
  idle: Object.freeze({ steady: 0, toggles: 0, periodMs: 0 }),
  busy: Object.freeze({ steady: 1, toggles: 0, periodMs: 0 }),
  granted: Object.freeze({ steady: 1, toggles: 0, periodMs: 0 }),
  refused: Object.freeze({ steady: 0, toggles: 6, periodMs: 120 }),
  alarm: Object.freeze({ steady: 0, toggles: Infinity, periodMs: 100 }),
});

export function createIndicator(led: PinConfig): Indicator {
  const off = (led.activeLow ? 1 : 0) as 0 | 1;
  const output = new Digital({ pin: led.pin, mode: Digital.Output, initialValue: off });
  let timer: ReturnType<typeof Timer.set> | undefined;
  const write = (lit: boolean) => output.write((lit ? 1 - off : off) as 0 | 1);
  return {
    show(pattern: IndicatorPattern) {
      const p = BLINKS[pattern];
      if (p === undefined) return;
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      write(p.steady === 1);
      if (p.toggles === 0) return;
      let left = p.toggles;
      let lit = false;
      timer = Timer.repeat(() => {
        lit = !lit;
        write(lit);
        if (--left <= 0 && timer !== undefined) {
          Timer.clear(timer);
          timer = undefined;
          write(false);
        }
      }, p.periodMs);
    },
  };
}
