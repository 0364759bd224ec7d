// From the SDK's typings/embedded/storage/key-value.d.ts ("embedded:storage/key-value"; on the
// ESP32 modules/io/storage/esp32: NVS, one namespace per `path`). At run time read() also returns
// undefined for a missing key (storage-esp32.c returns early on ESP_ERR_NVS_NOT_FOUND), which the
// SDK's typings do not say.
declare module 'embedded:storage/key-value' {
  export type StorageFormat = 'buffer' | 'string' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64' | 'int64';
  export interface StorageOpenOptions {
    format?: StorageFormat;
    path: string;
    mode?: 'r' | 'r+';
  }
  export class Storage {
    close(): void;
    delete(key: string): void;
    read(key: string): ArrayBuffer | string | number | bigint;
    read(key: string, buffer: ArrayBuffer | Uint8Array): number;
    write(key: string, value: ArrayBuffer | Uint8Array | string | number | bigint): void;
    format: StorageFormat;
  }
  const KeyValueStorage: {
    open(options: StorageOpenOptions): Storage;
  };
  export default KeyValueStorage;
}
