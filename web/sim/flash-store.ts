// "Keep this lock's flash": the page's `latchkey sim --state DIR`. The lock's storage (the NVS
// keys and values it wrote) and its clock when the page last saw it are kept in the browser's
// localStorage, so a reload or a Restart boots the same lock on the same flash and resumes its
// clock as the CLI does (sim/scenario/resume.ts). Off by default: the page keeps nothing unless
// asked. What is read back is checked in full (format, NVS key and value limits, the clock) before
// the lock sees it: bad or foreign data is ignored with the reason, never trusted, never a crash.

import { fromHex, toHex } from '../../src/bytes.js';
import { MemoryStorage } from '../../sim/hal/memory-storage.js';
import { keptClock } from '../../sim/scenario/resume.js';

/** The localStorage key. */
export const FLASH_KEY = 'latchkey.sim.flash';
/** What the stored record says it is (a different format or version is not read). */
const FORMAT = 'latchkey-sim-flash/1';
/** More than an ESP32's NVS partition could hold, hex-encoded: anything larger is not ours. */
const MAX_RECORD_CHARS = 512 * 1024;
const MAX_KEYS = 256;

/** A kept lock: its flash, and its clock when last saved. */
export interface KeptFlash {
  entries: Map<string, Uint8Array>;
  /** The lock's clock, unix seconds. */
  rtc: number;
  /** The scenario it was saved from (shown only: the flash belongs to the lock, not the scenario). */
  scenario: string;
}

export type KeptResult = { kind: 'none' } | { kind: 'kept'; flash: KeptFlash } | { kind: 'bad'; problem: string };

/** The localStorage the page may use, or undefined (blocked by the browser's settings). */
function store(): globalThis.Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Reads and checks the kept flash. */
export function loadFlash(): KeptResult {
  let text: string | null;
  try {
    text = store()?.getItem(FLASH_KEY) ?? null;
  } catch {
    return { kind: 'bad', problem: "the browser's storage cannot be read" };
  }
  if (text === null) return { kind: 'none' };
  if (text.length > MAX_RECORD_CHARS) return { kind: 'bad', problem: `larger than ${MAX_RECORD_CHARS} characters` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'bad', problem: 'not JSON' };
  }
  return checkRecord(json);
}

/** Checks a parsed record in full: anything the lock did not write itself is refused. */
export function checkRecord(json: unknown): KeptResult {
  const bad = (problem: string): KeptResult => ({ kind: 'bad', problem });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not an object');
  const record = json as Record<string, unknown>;
  if (record.format !== FORMAT) return bad(`not a "${FORMAT}" record`);
  const rtc = keptClock(record.rtc);
  if (rtc === undefined) return bad('no valid "rtc" (unix seconds 0..2^32-1)');
  const scenario = typeof record.scenario === 'string' ? record.scenario.slice(0, 64) : '';
  const flash = record.flash;
  if (typeof flash !== 'object' || flash === null || Array.isArray(flash)) return bad('"flash" is not an object of keys');
  const pairs = Object.entries(flash as Record<string, unknown>);
  if (pairs.length > MAX_KEYS) return bad(`more than ${MAX_KEYS} keys`);
  const decoded: [string, Uint8Array][] = [];
  for (const [key, value] of pairs) {
    const bytes = typeof value === 'string' ? fromHex(value) : undefined;
    if (bytes === undefined) return bad(`flash key "${key.slice(0, 32)}": not hex bytes`);
    decoded.push([key, bytes]);
  }
  try {
    // The NVS limits (key 1..15 bytes, value at most 4000 bytes), as the device's flash enforces them.
    return { kind: 'kept', flash: { entries: new MemoryStorage(decoded).snapshot(), rtc, scenario } };
  } catch (error) {
    return bad(String((error as Error)?.message ?? error));
  }
}

/** Keeps the lock's flash and clock; returns a problem when the browser refuses (quota, blocked). */
export function saveFlash(storage: MemoryStorage, rtc: number, scenario: string): string | undefined {
  const flash: Record<string, string> = {};
  for (const [key, value] of storage.snapshot()) flash[key] = toHex(value);
  try {
    const s = store();
    if (s === undefined) return "the browser's storage is not available";
    s.setItem(FLASH_KEY, JSON.stringify({ format: FORMAT, rtc, scenario, flash }));
    return undefined;
  } catch (error) {
    return `the browser refused to keep it (${String((error as Error)?.name ?? error)})`;
  }
}

/** Forgets the kept flash (Factory reset, or "Keep" unticked). */
export function forgetFlash(): void {
  try {
    store()?.removeItem(FLASH_KEY);
  } catch {
    // nothing kept that we could reach
  }
}
