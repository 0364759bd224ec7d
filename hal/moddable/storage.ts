// HAL Storage on the ESP32: NVS through embedded:storage/key-value (namespace "latchkey"), under
// hal/atomic-storage.ts (two alternating slots, sequence number, CRC-32). key-value writes a blob
// without erasing the key first (storage-esp32.c: nvs_set_blob, nvs_commit), unlike `preference`
// (modPreference.c erases, then writes); the slots make old-or-new hold even if a write tears.
// Flash budget and writes per unlock: docs/firmware.md.

import KeyValue from 'embedded:storage/key-value';
import { AtomicStorage, NVS_MAX_KEY_LENGTH, NVS_MAX_VALUE_BYTES, type Storage } from 'latchkey';

export const NVS_NAMESPACE = 'latchkey';

export function createStorage(): Storage {
  const nvs = KeyValue.open({ path: NVS_NAMESPACE, format: 'buffer' });
  const raw: Storage = {
    maxKeyLength: NVS_MAX_KEY_LENGTH,
    maxValueBytes: NVS_MAX_VALUE_BYTES,
    get(key: string) {
      // undefined when the key is missing (the SDK's typings omit that case); a value of another
      // type than a blob is no slot of ours: it reads as absent, and AtomicStorage ignores it.
      const value: unknown = nvs.read(key);
      return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
    },
    set(key: string, value: Uint8Array) {
      nvs.write(key, value);
    },
    delete(key: string) {
      nvs.delete(key);
    },
  };
  return new AtomicStorage(raw);
}
