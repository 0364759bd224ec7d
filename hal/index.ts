// The hardware abstraction layer: everything the lock core touches, as interfaces. src/ uses only
// these; sim/ implements them on a laptop and hal/moddable/ on the ESP32. Each maps onto one
// Moddable SDK module so the device implementation is a thin adapter (see docs/hal.md).

/** Real-time clock (Moddable `time` + the RTC). Unix seconds. */
export interface Clock {
  /** Current time, integer unix seconds. */
  now(): number;
  /** Whether the clock was ever set since the RTC lost power (an unset RTC starts near 1970). */
  isSet(): boolean;
  /** Sets the clock (installer / time sync). */
  set(unixSeconds: number): void;
}

/** One-shot timers on a monotonic clock (Moddable `timer`: Timer.set / Timer.clear). */
export interface Timers {
  set(callback: () => void, delayMs: number): TimerHandle;
  clear(handle: TimerHandle): void;
  /** Monotonic milliseconds since boot (Moddable `Time.ticks`); never jumps when the RTC is set. */
  ticks(): number;
}
export type TimerHandle = unknown;

export type BoltPosition = 'locked' | 'unlocked';

/**
 * Bolt motor or strike relay (`embedded:io/digital` outputs, a limit switch input where fitted).
 * `drive` returns once the bolt reached the position, or reports that it did not (jam).
 */
export interface Actuator {
  drive(target: BoltPosition): { reached: boolean };
}

export type DoorState = 'open' | 'closed';

/** Door contact (`embedded:io/digital` input with onReadable). Optional hardware. */
export interface DoorSensor {
  read(): DoorState;
  /** Registers the one change listener; called on every debounced change. */
  onChange(listener: (state: DoorState) => void): void;
}

export type IndicatorPattern = 'idle' | 'busy' | 'granted' | 'refused' | 'alarm';

/** LED / buzzer. */
export interface Indicator {
  show(pattern: IndicatorPattern): void;
}

/**
 * Durable key-value store (ESP32 NVS through `embedded:storage/key-value`, two alternating slots
 * per key: hal/atomic-storage.ts). `set` is an atomic replace:
 * after a power cut at any moment the key holds either the old or the new value, never a mix.
 * Keys are at most `maxKeyLength` characters and values at most `maxValueBytes` bytes; every
 * write wears flash, so callers batch (see src/lock/state-store.ts).
 */
export interface Storage {
  readonly maxKeyLength: number;
  readonly maxValueBytes: number;
  get(key: string): Uint8Array | undefined;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
}

/** NVS limits the sim enforces too. */
export const NVS_MAX_KEY_LENGTH = 15;
export const NVS_MAX_VALUE_BYTES = 4000;

/** Cryptographic random bytes: the ESP32 hardware RNG (not Moddable's RC4-based `rng`). */
export interface Random {
  bytes(length: number): Uint8Array;
}

/** A hash function: message in, digest out. Pure: it keeps no state between calls. */
export type HashFunction = (message: Uint8Array) => Uint8Array;

/**
 * The digests the core needs (Moddable `crypt/digest` on the device, native and fast; portable
 * JavaScript in the simulator and tests). Passed in rather than imported so the device uses its
 * native code and the core keeps no hashing state at module scope.
 */
export interface Hashes {
  sha256: HashFunction;
  sha512: HashFunction;
}

/** Events from the BLE peripheral (Moddable `bleserver` callbacks). One central at a time. */
export interface BleHandlers {
  /** onConnected. */
  connected(): void;
  /** onDisconnected. */
  disconnected(): void;
  /** onMTUExchanged: the negotiated ATT MTU (23 until exchanged). */
  mtuChanged(mtu: number): void;
  /** onCharacteristicNotifyEnabled on the response characteristic: the phone is listening. */
  subscribed(): void;
  /** onCharacteristicWritten on the request characteristic: one ATT write's value. */
  written(value: Uint8Array): void;
}

/**
 * GATT peripheral offering the Latchkey service (declared in bleservices/latchkey.json):
 * a request characteristic the phone writes and a response characteristic the lock notifies.
 */
export interface BlePeripheral {
  /** Starts advertising the service and delivering events to `handlers`. */
  start(handlers: BleHandlers): void;
  /** notifyValue on the response characteristic; `value` fits in MTU − 3 bytes. */
  notify(value: Uint8Array): void;
  /** Ends the current connection (advertising resumes). */
  disconnect(): void;
  close(): void;
}

export type LogLevel = 'info' | 'warn' | 'alarm';

/** What happened, for the audit trail and the resident (serial console, flash ring, app). */
export interface LogEntry {
  /** Unix seconds by the lock's clock (may be untrusted; see `clockTrusted`). */
  at: number;
  level: LogLevel;
  event: string;
  [detail: string]: string | number | boolean | undefined;
}

export interface Log {
  record(entry: LogEntry): void;
}

/**
 * The factory-reset trigger (docs/admin.md): a button held while the lock boots. Optional, and
 * passed to the Lock in its config (LockConfig.resetButton) by boards that have one; a lock
 * without one can only be reset by erasing its flash.
 */
export interface ResetButton {
  heldAtBoot(): boolean;
}

/** Everything the lock needs, in one bundle. */
export interface Hardware {
  clock: Clock;
  timers: Timers;
  actuator: Actuator;
  door?: DoorSensor;
  indicator: Indicator;
  storage: Storage;
  random: Random;
  ble: BlePeripheral;
  log: Log;
  /** SHA-256 / SHA-512 for the verifier, the holder proof and replay ids (native on the device). */
  hashes: Hashes;
}
