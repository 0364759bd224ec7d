// From the SDK's typings/embedded/storage/key-value.d.ts ("embedded:storage/key-value"; on the
// ESP32 modules/io/storage/esp32: NVS, one namespace per `path`). read() returns undefined for a
// missing key (storage-esp32.c returns early on ESP_ERR_NVS_NOT_FOUND).
declare module 'embedded:storage/key-value' {
  export interface StorageOpenOptions {
    format?: 'buffer';
    path: string;
    mode?: 'r' | 'r+';
  }
  export class Storage {
    close(): void;
    delete(key: string): void;
    read(key: string): ArrayBuffer | undefined;
    write(key: string, value: ArrayBuffer | Uint8Array): void;
  }
  const KeyValueStorage: {
    open(options: StorageOpenOptions): Storage;
  };
  export default KeyValueStorage;
}
