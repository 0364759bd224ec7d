// The firmware's provisioning, read from the manifest's "config" (module "mc/config"). mcconfig
// also takes `name=value` arguments, which arrive as strings, so every number and flag here is
// accepted as a number or a string. Every key is documented in docs/firmware.md ("config"); a
// test checks that each key in manifest.json is read here and documented there.
// A bad value throws with the key's name: main.ts reports it and the lock stays locked.

import config from 'mc/config';
import { fromHex, type LatchkeyConfig, type TrustedIssuer } from 'latchkey';

/** The lock ID the simulator self-test uses when none is configured. */
export const SELFTEST_LOCK_ID = 'lock:selftest/door';

/** A digital output or input: GPIO number and the level that means "active". */
export interface PinConfig {
  pin: number;
  activeLow: boolean;
}

export interface FirmwareConfig {
  lock: LatchkeyConfig;
  /** BLE device name (scan response). */
  deviceName: string;
  /** Relay or motor driver: active = unlocked (so an unpowered driver keeps the door locked). */
  bolt: PinConfig;
  /** Limit switch confirming the bolt is thrown (active = locked); undefined when not fitted. */
  boltSense: PinConfig | undefined;
  /** Door contact: active = open; undefined when not fitted. */
  door: PinConfig | undefined;
  /** LED (or buzzer) on a digital output; active = lit. */
  led: PinConfig;
  /** Factory-reset button (input with pull-up), active = pressed; undefined when not fitted. */
  reset: PinConfig | undefined;
  /** Run the built-in self-test instead of the lock (simulator builds: mcconfig -p lin selftest=1). */
  selftest: boolean;
}

/** The keys the firmware reads, in the order docs/firmware.md lists them. */
export const CONFIG_KEYS = Object.freeze([
  'administered',
  'lockId',
  'issuerKid',
  'issuerKey',
  'relockMs',
  'deviceName',
  'boltPin',
  'boltActiveLow',
  'boltSensePin',
  'boltSenseActiveLow',
  'doorPin',
  'doorActiveLow',
  'ledPin',
  'ledActiveLow',
  'resetPin',
  'resetActiveLow',
  'selftest',
] as const);

type Key = (typeof CONFIG_KEYS)[number];

function raw(key: Key): unknown {
  const value = (config as Record<string, unknown>)[key];
  return value === '' ? undefined : value;
}

function text(key: Key, fallback?: string): string {
  const value = raw(key) ?? fallback;
  if (typeof value !== 'string' || value.length === 0) throw new Error(`config ${key}: a non-empty string is required`);
  return value;
}

function integer(key: Key, min: number, max: number, fallback?: number): number {
  const value = raw(key) ?? fallback;
  const n = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new Error(`config ${key}: an integer ${min}..${max} is required`);
  return n;
}

function flag(key: Key, fallback: boolean): boolean {
  const value = raw(key);
  if (value === undefined) return fallback;
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  throw new Error(`config ${key}: 0/1 or true/false is required`);
}

function pin(pinKey: Key, activeLowKey: Key, required: boolean): PinConfig | undefined {
  if (raw(pinKey) === undefined && !required) return undefined;
  return { pin: integer(pinKey, 0, 48), activeLow: flag(activeLowKey, false) };
}

const asciiBytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

/** Reads and checks the whole configuration; throws on the first bad key. */
export function readConfig(): FirmwareConfig {
  const selftest = flag('selftest', false);
  // A real lock is administered (docs/admin.md): it boots unprovisioned and its owner sets the
  // lock ID, issuers and settings with signed commands. administered=0 is the development build
  // with a lock ID and one issuer fixed at build time.
  const administered = flag('administered', true);
  let lock: LatchkeyConfig;
  const relockMs = integer('relockMs', 1000, 60_000, 5000);
  if (administered) {
    for (const key of ['lockId', 'issuerKid', 'issuerKey'] as const) {
      if (raw(key) !== undefined) throw new Error(`config ${key}: only for a fixed lock (administered=0); an administered lock gets it from its owner`);
    }
    lock = { administered: true, bolt: { relockMs } };
  } else {
    // The self-test brings its own lock ID and test issuer; a lock needs real ones.
    const lockId = text('lockId', selftest ? SELFTEST_LOCK_ID : undefined);
    const issuers: TrustedIssuer[] = [];
    if (!selftest || raw('issuerKey') !== undefined) {
      const kid = text('issuerKid');
      const publicKey = fromHex(text('issuerKey'));
      if (publicKey === undefined || publicKey.length !== 32) throw new Error('config issuerKey: 64 hex digits (an Ed25519 public key) are required');
      issuers.push({ kid: asciiBytes(kid), publicKey });
    }
    lock = { lockId, issuers, bolt: { relockMs } };
  }
  return {
    lock,
    deviceName: text('deviceName', 'Latchkey'),
    bolt: pin('boltPin', 'boltActiveLow', true) as PinConfig,
    boltSense: pin('boltSensePin', 'boltSenseActiveLow', false),
    door: pin('doorPin', 'doorActiveLow', false),
    led: pin('ledPin', 'ledActiveLow', true) as PinConfig,
    reset: pin('resetPin', 'resetActiveLow', false),
    selftest,
  };
}
