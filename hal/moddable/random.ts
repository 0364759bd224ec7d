// HAL Random: the ESP32 hardware RNG through one native function (native/esp32/random.c,
// esp_fill_random; the lin simulator build links native/lin/random.c instead, a host fallback
// that is not for devices). Never Moddable's RC4 `rng`.

import { fillRandom } from 'latchkey/native/random';
import type { Random } from 'latchkey';

export function createRandom(): Random {
  return {
    bytes(length: number): Uint8Array {
      if (!Number.isInteger(length) || length < 0 || length > 4096) throw new RangeError('random: length must be 0..4096');
      const out = new Uint8Array(length);
      if (length > 0) fillRandom(out);
      return out;
    },
  };
}
