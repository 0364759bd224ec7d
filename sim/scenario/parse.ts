// Scenarios for the simulator, read: a JSON description of a lock, its issuers, some courier
// phones and tickets, and a list of steps (present a ticket, wait, open the door, reboot, set the
// clock, …). `parseScenario` checks a scenario strictly, naming every problem by its path. Portable:
// no Node imports, so the same scenarios run inside XS in the tests. The format is in docs/simulator.md.

import { sha256 } from '../../src/crypto/sha256.js';
import { FRAME_ERRORS } from '../../src/ble/framing.js';
import { fromHex, MAX_UINT32 } from '../../src/bytes.js';
import { ADMIN_REASONS, REFUSAL_CODES } from '../../src/reasons.js';
import { ArgumentError, argsFromJson } from '../../issuer/admin-json.js';
import { BLE_MAX_MTU, BLE_MIN_MTU } from '../hal/ble-link.js';
import type { ProofMode } from '../phone.js';
import { coseKid } from '../../issuer/jwk.js';
import { formatDuration, isoTime, parseTimeArg } from '../../issuer/time.js';
import defaultScenarioJson from '../scenarios/default.json' with { type: 'json' };
import morningJson from '../scenarios/morning.json' with { type: 'json' };
import clockRollbackJson from '../scenarios/clock-rollback.json' with { type: 'json' };
import backoffJson from '../scenarios/backoff.json' with { type: 'json' };
import powerCycleJson from '../scenarios/power-cycle.json' with { type: 'json' };

// ---------------------------------------------------------------------------------------------
// The scenario, as parsed

/** A time in a scenario: absolute unix seconds, or seconds relative to a base (start or now). */
export type TimeSpec = { relative: false; seconds: number } | { relative: true; seconds: number };

export interface ScenarioLock {
  id: string;
  /** Owner-administered (docs/admin.md): the lock starts unprovisioned; `provision` steps set it up. */
  administered?: boolean;
  relockSeconds?: number;
  doorSensor?: boolean;
  heldOpenSeconds?: number;
  skewSeconds?: number;
  maxWindowSeconds?: number;
  singleUse?: boolean;
  replayCapacity?: number;
  jamRetries?: number;
  backoff?: { freeFailures?: number; baseSeconds?: number; maxSeconds?: number; resetAfterSeconds?: number };
}

export interface ScenarioIssuer {
  /** 32-byte Ed25519 seed. */
  seed: Uint8Array;
  /** COSE kid (UTF-8 text). */
  kid: string;
  /** The `iss` claim put in its tickets. */
  iss: string;
  trusted: boolean;
  /** Its scope on an administered lock, in the JSON form of docs/cli.md (checked when parsed). */
  scope?: Record<string, unknown>;
}

/** The owner of an administered lock: the key that signs provisioning and admin commands. */
export interface ScenarioOwner {
  seed: Uint8Array;
  kid: string;
}

/** What an admin step revokes (docs/admin.md, "Revocation"), by scenario names. */
export type ScenarioRevocation =
  | { kind: 'ticket'; ticket: string }
  | { kind: 'courier'; issuer: string; courier: string; until: TimeSpec }
  | { kind: 'issued-before'; issuer: string; before: TimeSpec }
  | { kind: 'key'; issuer: string };

export interface ScenarioPhone {
  seed: Uint8Array;
}

export interface ScenarioTicket {
  issuer: string;
  courier: string;
  phone: string;
  /** The `aud` claim; undefined: the scenario's lock ID (after any override). */
  lock?: string;
  notBefore: TimeSpec;
  expires: TimeSpec;
  /** undefined: the earlier of notBefore and the start. */
  issuedAt?: TimeSpec;
  cti: Uint8Array;
}

/** The outcome of a presentation, as `expect` names it. */
export type Outcome = string;

export type ScenarioStep =
  | { kind: 'note'; text: string }
  | { kind: 'present'; ticket: string; phone?: string; mtu?: number; proof: ProofMode; label?: string; expect?: Outcome }
  /** `presentation` (the page's chooser; never from a file): replay that presentation (its index in the run) instead of `of`. */
  | { kind: 'replay'; of: string; presentation?: number; expect?: Outcome }
  | { kind: 'wait'; ms: number }
  | { kind: 'door'; action: 'open' | 'close' }
  | { kind: 'reboot' }
  | { kind: 'setClock'; time: TimeSpec }
  | { kind: 'jam'; jam: number | 'stuck' | 'clear' }
  | { kind: 'provision'; issuers: string[]; settings: Record<string, unknown>; expect?: Outcome }
  | { kind: 'addIssuer'; issuer: string; expect?: Outcome }
  | { kind: 'removeIssuer'; issuer: string; expect?: Outcome }
  | { kind: 'revoke'; revoke: ScenarioRevocation; expect?: Outcome }
  | { kind: 'settings'; settings: Record<string, unknown>; expect?: Outcome }
  | { kind: 'signedTime'; time: TimeSpec; expect?: Outcome }
  | { kind: 'exportLog'; expect?: Outcome };

/** The admin step kinds (their outcomes are admin reasons, or verified / not-verified for exportLog). */
export const ADMIN_STEPS: readonly string[] = ['provision', 'addIssuer', 'removeIssuer', 'revoke', 'settings', 'signedTime', 'exportLog'];

export interface Scenario {
  name: string;
  description?: string;
  lock: ScenarioLock;
  /** The lock's clock at the start, unix seconds. */
  start: number;
  mtu: number;
  seed: number;
  latencyMs: number;
  issuers: Record<string, ScenarioIssuer>;
  /** Present for an administered lock. */
  owner?: ScenarioOwner;
  phones: Record<string, ScenarioPhone>;
  tickets: Record<string, ScenarioTicket>;
  steps: ScenarioStep[];
}

/** A scenario that does not follow the format; the message is one line and starts with the path. */
export class ScenarioError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path === '' ? 'scenario' : path}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

// ---------------------------------------------------------------------------------------------
// Built-in scenarios

/** The scenarios shipped in sim/scenarios/, by name; `default` is what `latchkey sim` runs. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, unknown>> = {
  default: defaultScenarioJson,
  morning: morningJson,
  'clock-rollback': clockRollbackJson,
  backoff: backoffJson,
  'power-cycle': powerCycleJson,
};

export const DEFAULT_START = '2026-11-21T09:00:00Z';
export const DEFAULT_MTU = 185;

// ---------------------------------------------------------------------------------------------
// Times and durations

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|min|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|min|m|h|d)/g;
/** Latest time a ticket claim or the clock may hold: the u32 range of the lock's records. */

/**
 * A duration: one or more number+unit parts ("500ms", "30s", "10m", "2min", "1h30m", "1d"),
 * returned in ms (rounded), or undefined if the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || !DURATION_WHOLE.test(text)) return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  for (let m = DURATION_PART.exec(text); m !== null; m = DURATION_PART.exec(text)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/**
 * A scenario time: "+1h", "-10m", "30s" (relative: unsigned means +), "+0", "-0"; or absolute:
 * an ISO-8601 date-time with a timezone, unix seconds as digits, or a JSON integer (unix seconds).
 * Relative times must be whole seconds. Returns a TimeSpec or a problem.
 */
export function parseTimeSpec(value: unknown): { ok: true; time: TimeSpec } | { ok: false; problem: string } {
  const usage = 'must be a relative time ("+1h", "-10m", "30s", "+0"), an ISO-8601 time with a timezone or unix seconds';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_UINT32) return { ok: false, problem: `${usage} (unix seconds: an integer 0..${MAX_UINT32})` };
    return { ok: true, time: { relative: false, seconds: value } };
  }
  if (typeof value !== 'string') return { ok: false, problem: usage };
  const signed = /^([+-])(.*)$/.exec(value);
  const body = signed ? signed[2] : value;
  const sign = signed && signed[1] === '-' ? -1 : 1;
  if (signed && body === '0') return { ok: true, time: { relative: true, seconds: 0 } };
  const ms = parseDuration(body);
  if (ms !== undefined) {
    if (ms % 1000 !== 0) return { ok: false, problem: `"${value}" is not a whole number of seconds` };
    return { ok: true, time: { relative: true, seconds: sign * (ms / 1000) || 0 } };
  }
  if (signed) return { ok: false, problem: `"${value}": ${usage}` };
  const absolute = parseTimeArg(value);
  if (!absolute.ok) return { ok: false, problem: `"${value}": ${usage}` };
  if (absolute.seconds > MAX_UINT32) return { ok: false, problem: `"${value}" is after ${isoTime(MAX_UINT32)}` };
  return { ok: true, time: { relative: false, seconds: Math.floor(absolute.seconds) } };
}

/** The unix seconds of a TimeSpec against a base. */
export function resolveTime(time: TimeSpec, base: number): number {
  return time.relative ? base + time.seconds : time.seconds;
}

// ---------------------------------------------------------------------------------------------
// Strict reading of untyped JSON, every problem named by its path

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (s: string): string => JSON.stringify(s);
/** The path of a key below `path` ('' is the scenario itself): lock.id, tickets.next-door, phones["old phone"]. */
const keyPath = (path: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${quote(key)}]`;

function object(v: unknown, path: string, known: readonly string[]): Json {
  if (!isObject(v)) throw new ScenarioError(path, 'must be an object');
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) throw new ScenarioError(keyPath(path, key), `unknown key (known here: ${known.join(', ')})`);
  }
  return v;
}

function str(v: unknown, path: string, maxLength = 200): string {
  if (typeof v !== 'string' || v.length === 0) throw new ScenarioError(path, 'must be a non-empty string');
  if (v.length > maxLength) throw new ScenarioError(path, `must be at most ${maxLength} characters`);
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ScenarioError(path, `must be an integer ${min}..${max}`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ScenarioError(path, 'must be true or false');
  return v;
}

function opt<T>(o: Json, key: string, path: string, read: (v: unknown, path: string) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o[key], keyPath(path, key));
}

function time(v: unknown, path: string): TimeSpec {
  const parsed = parseTimeSpec(v);
  if (!parsed.ok) throw new ScenarioError(path, parsed.problem);
  return parsed.time;
}

function absoluteTime(v: unknown, path: string): number {
  const t = time(v, path);
  if (t.relative) throw new ScenarioError(path, 'must be an absolute time (ISO-8601 with a timezone, or unix seconds)');
  return t.seconds;
}

/** A name for an issuer, phone, ticket or label: printable, no spaces at the ends. */
function names(v: unknown, path: string): Json {
  if (!isObject(v)) throw new ScenarioError(path, 'must be an object of named entries');
  for (const name of Object.keys(v)) {
    if (!/^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/.test(name)) {
      throw new ScenarioError(keyPath(path, name), 'names must be 1..64 printable ASCII characters, without spaces at either end');
    }
  }
  return v;
}

/** A key seed: an integer (derived deterministically) or 64 hex digits (the seed itself). */
function seed(v: unknown, path: string, role: string): Uint8Array {
  if (typeof v === 'number') return derive(`${role}:seed:${int(v, path, 0, MAX_UINT32)}`);
  if (typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v)) return fromHex(v) as Uint8Array;
  throw new ScenarioError(path, `must be an integer 0..${MAX_UINT32} or 64 hex digits`);
}

/** 32 deterministic bytes for a label: SHA-256("latchkey-sim:" + label). */
export function derive(label: string): Uint8Array {
  return sha256(coseKid('latchkey-sim:' + label));
}

const PROOF_MODES: readonly ProofMode[] = ['valid', 'none', 'other-key', 'other-lock'];

/** Every outcome `expect` may name. */
export const OUTCOMES: readonly string[] = [
  'granted',
  ...Object.keys(REFUSAL_CODES),
  ...Object.keys(FRAME_ERRORS).map((e) => `error:${e}`),
  'timeout',
  'disconnected',
];

function outcome(v: unknown, path: string): Outcome {
  if (typeof v !== 'string' || !OUTCOMES.includes(v)) {
    throw new ScenarioError(
      path,
      `${typeof v === 'string' ? quote(v) : 'must be a string:'} ${typeof v === 'string' ? 'is not an outcome; ' : ''}one of ${OUTCOMES.join(', ')}`,
    );
  }
  return v;
}

const mtu = (v: unknown, path: string): number => int(v, path, BLE_MIN_MTU, BLE_MAX_MTU);

const MAX_WAIT_MS = 30 * 86_400_000;

function duration(v: unknown, path: string): number {
  const usage = 'must be a duration ("500ms", "30s", "10m", "1h30m", "2d") or a number of seconds';
  let ms: number | undefined;
  if (typeof v === 'number') ms = Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  else if (typeof v === 'string') ms = parseDuration(v);
  if (ms === undefined) throw new ScenarioError(path, usage);
  if (ms > MAX_WAIT_MS) throw new ScenarioError(path, `must be at most ${formatDuration(MAX_WAIT_MS / 1000)}`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// parseScenario

const TOP_KEYS = ['name', 'description', 'lock', 'start', 'mtu', 'seed', 'latencyMs', 'issuers', 'owner', 'phones', 'tickets', 'steps'];
const LOCK_KEYS = [
  'id',
  'administered',
  'relockSeconds',
  'doorSensor',
  'heldOpenSeconds',
  'skewSeconds',
  'maxWindowSeconds',
  'singleUse',
  'replayCapacity',
  'jamRetries',
  'backoff',
];
const BACKOFF_KEYS = ['freeFailures', 'baseSeconds', 'maxSeconds', 'resetAfterSeconds'];
const ISSUER_KEYS = ['seed', 'kid', 'iss', 'trusted', 'scope'];
const OWNER_KEYS = ['seed', 'kid'];
const REVOKE_KEYS = ['ticket', 'issuer', 'courier', 'until', 'issuedBefore', 'key'];
const PHONE_KEYS = ['seed'];
const TICKET_KEYS = ['issuer', 'courier', 'phone', 'lock', 'notBefore', 'expires', 'issuedAt', 'cti'];
const ACTIONS = [
  'note',
  'present',
  'replay',
  'wait',
  'door',
  'reboot',
  'setClock',
  'jam',
  'provision',
  'addIssuer',
  'removeIssuer',
  'revoke',
  'settings',
  'signedTime',
  'exportLog',
] as const;
const STEP_EXTRAS: Record<string, readonly string[]> = {
  present: ['expect', 'label'],
  replay: ['expect'],
  provision: ['expect'],
  addIssuer: ['expect'],
  removeIssuer: ['expect'],
  revoke: ['expect'],
  settings: ['expect'],
  signedTime: ['expect'],
  exportLog: ['expect'],
};

/** Every outcome an admin step's `expect` may name. */
export const ADMIN_OUTCOMES: readonly string[] = [
  ...Object.keys(ADMIN_REASONS),
  'verified',
  'not-verified',
  ...Object.keys(FRAME_ERRORS).map((e) => `error:${e}`),
  'timeout',
  'disconnected',
];

function adminOutcome(v: unknown, path: string): Outcome {
  if (typeof v !== 'string' || !ADMIN_OUTCOMES.includes(v)) throw new ScenarioError(path, `must be one of ${ADMIN_OUTCOMES.join(', ')}`);
  return v;
}

/** Checks admin arguments in the JSON form now, so a scenario with a bad one fails when read. */
function adminJson(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new ScenarioError(path, 'must be an object');
  try {
    argsFromJson(v, { now: 0, key: () => new Uint8Array(32) });
  } catch (error) {
    if (error instanceof ArgumentError) throw new ScenarioError(path, error.message);
    throw error;
  }
  return v;
}
const PRESENT_KEYS = ['ticket', 'phone', 'mtu', 'proof'];
/** Largest replay capacity one NVS value holds (see src/lock/replay-store.ts). */
const MAX_REPLAY_CAPACITY = 199;

/** Checks a scenario (parsed JSON) strictly; throws a ScenarioError naming the first problem's path. */
export function parseScenario(json: unknown, fallbackName = 'scenario'): Scenario {
  const top = object(json, '', TOP_KEYS);
  const name = opt(top, 'name', '', (v, p) => str(v, p, 100)) ?? fallbackName;
  const description = opt(top, 'description', '', (v, p) => str(v, p, 1000));
  const lock = parseLock(top.lock);
  const start = opt(top, 'start', '', absoluteTime) ?? (parseTimeSpec(DEFAULT_START) as { ok: true; time: TimeSpec }).time.seconds;
  const defaultMtu = opt(top, 'mtu', '', mtu) ?? DEFAULT_MTU;
  const randomSeed = opt(top, 'seed', '', (v, p) => int(v, p, 0, MAX_UINT32)) ?? 1;
  const latencyMs = opt(top, 'latencyMs', '', (v, p) => int(v, p, 0, 10_000)) ?? 15;

  const issuers: Record<string, ScenarioIssuer> = {};
  for (const [key, value] of Object.entries(names(top.issuers ?? {}, 'issuers'))) {
    const path = keyPath('issuers', key);
    const o = object(value, path, ISSUER_KEYS);
    issuers[key] = {
      seed: opt(o, 'seed', path, (v, p) => seed(v, p, 'issuer')) ?? derive(`issuer:${key}`),
      kid: opt(o, 'kid', path, (v, p) => str(v, p, 64)) ?? key,
      iss: opt(o, 'iss', path, (v, p) => str(v, p, 100)) ?? key,
      trusted: opt(o, 'trusted', path, bool) ?? true,
    };
    const scope = opt(o, 'scope', path, adminJson);
    if (scope !== undefined) issuers[key].scope = scope;
    // As on a real lock (src/verify.ts trustedIssuersProblem): two trusted keys under one kid are refused.
    const twin = Object.keys(issuers).find(
      (other) => other !== key && issuers[other].trusted && issuers[key].trusted && issuers[other].kid === issuers[key].kid,
    );
    if (twin !== undefined) throw new ScenarioError(keyPath(path, 'kid'), `the same kid as issuers.${twin}: a lock refuses two trusted keys under one kid`);
  }
  let owner: ScenarioOwner | undefined;
  if (lock.administered) {
    const o = object(top.owner ?? {}, 'owner', OWNER_KEYS);
    owner = {
      seed: opt(o, 'seed', 'owner', (v, p) => seed(v, p, 'owner')) ?? derive('owner'),
      kid: opt(o, 'kid', 'owner', (v, p) => str(v, p, 32)) ?? 'owner',
    };
  } else if (top.owner !== undefined) {
    throw new ScenarioError('owner', 'only for an administered lock (lock.administered: true)');
  }
  const issuerName = (v: unknown, p: string): string => {
    const n = str(v, p, 64);
    if (!Object.hasOwn(issuers, n)) throw new ScenarioError(p, `no issuer named ${quote(n)} (declared: ${Object.keys(issuers).join(', ') || 'none'})`);
    return n;
  };
  const phones: Record<string, ScenarioPhone> = {};
  for (const [key, value] of Object.entries(names(top.phones ?? {}, 'phones'))) {
    const path = keyPath('phones', key);
    const o = object(value, path, PHONE_KEYS);
    phones[key] = { seed: opt(o, 'seed', path, (v, p) => seed(v, p, 'phone')) ?? derive(`phone:${key}`) };
  }
  const only = (set: Json): string | undefined => (Object.keys(set).length === 1 ? Object.keys(set)[0] : undefined);
  const tickets: Record<string, ScenarioTicket> = {};
  for (const [key, value] of Object.entries(names(top.tickets ?? {}, 'tickets'))) {
    const path = keyPath('tickets', key);
    const o = object(value, path, TICKET_KEYS);
    const ref = (field: 'issuer' | 'phone', set: Json): string => {
      const given = opt(o, field, path, (v, p) => str(v, p, 64));
      const chosen = given ?? only(set);
      if (chosen === undefined) throw new ScenarioError(keyPath(path, field), `missing (needed when there is not exactly one ${field})`);
      if (!Object.hasOwn(set, chosen)) {
        const list = Object.keys(set);
        throw new ScenarioError(
          keyPath(path, field),
          `no ${field} named ${quote(chosen)} (${list.length ? 'declared: ' + list.join(', ') : `no ${field}s declared`})`,
        );
      }
      return chosen;
    };
    const issuer = ref('issuer', issuers);
    const phone = ref('phone', phones);
    if (o.courier === undefined) throw new ScenarioError(keyPath(path, 'courier'), "missing (the courier ID, the ticket's sub claim)");
    if (o.expires === undefined) throw new ScenarioError(keyPath(path, 'expires'), 'missing (e.g. "+1h")');
    const ticket: ScenarioTicket = {
      issuer,
      courier: str(o.courier, keyPath(path, 'courier'), 100),
      phone,
      notBefore: opt(o, 'notBefore', path, time) ?? { relative: true, seconds: 0 },
      expires: time(o.expires, keyPath(path, 'expires')),
      cti:
        opt(o, 'cti', path, (v, p) => {
          if (typeof v !== 'string' || !/^(?:[0-9a-fA-F]{2}){8,32}$/.test(v)) throw new ScenarioError(p, 'must be 8..32 bytes as hex (16..64 hex digits)');
          return fromHex(v) as Uint8Array;
        }) ?? derive(`cti:${key}`).subarray(0, 16),
    };
    const lockId = opt(o, 'lock', path, (v, p) => str(v, p, 200));
    if (lockId !== undefined) ticket.lock = lockId;
    const issuedAt = opt(o, 'issuedAt', path, time);
    if (issuedAt !== undefined) ticket.issuedAt = issuedAt;
    tickets[key] = ticket;
  }

  if (!Array.isArray(top.steps)) throw new ScenarioError('steps', top.steps === undefined ? 'missing (a list of steps)' : 'must be a list of steps');
  if (top.steps.length > 10_000) throw new ScenarioError('steps', 'at most 10000 steps');
  const labels = new Set<string>();
  let presented = false;
  const steps = top.steps.map((value, i): ScenarioStep => {
    const path = `steps[${i}]`;
    if (!isObject(value)) throw new ScenarioError(path, `must be an object with one of ${ACTIONS.join(', ')}`);
    const actions = ACTIONS.filter((a) => Object.hasOwn(value, a));
    if (actions.length === 0) {
      const unknown = Object.keys(value).find((k) => !(Object.values(STEP_EXTRAS).flat() as string[]).includes(k));
      if (unknown !== undefined) throw new ScenarioError(keyPath(path, unknown), `unknown key (a step is one of ${ACTIONS.join(', ')})`);
      throw new ScenarioError(path, `needs one of ${ACTIONS.join(', ')}`);
    }
    if (actions.length > 1) throw new ScenarioError(path, `has both "${actions[0]}" and "${actions[1]}" (one action per step)`);
    const action = actions[0];
    object(value, path, [action, ...(STEP_EXTRAS[action] ?? [])]);
    const at = keyPath(path, action);
    const v = value[action];
    if (ADMIN_STEPS.includes(action) && !lock.administered) throw new ScenarioError(at, 'admin steps need an administered lock (lock.administered: true)');
    const adminExpect = (step: ScenarioStep & { expect?: Outcome }): ScenarioStep => {
      const expect = opt(value, 'expect', path, adminOutcome);
      if (expect !== undefined) step.expect = expect;
      return step;
    };
    switch (action) {
      case 'provision': {
        const o = object(v, at, ['issuers', 'settings']);
        const list = o.issuers === undefined ? [] : o.issuers;
        if (!Array.isArray(list)) throw new ScenarioError(keyPath(at, 'issuers'), 'must be a list of issuer names');
        return adminExpect({
          kind: 'provision',
          issuers: list.map((n, j) => issuerName(n, `${keyPath(at, 'issuers')}[${j}]`)),
          settings: opt(o, 'settings', at, adminJson) ?? {},
        });
      }
      case 'addIssuer':
        return adminExpect({ kind: 'addIssuer', issuer: issuerName(v, at) });
      case 'removeIssuer':
        return adminExpect({ kind: 'removeIssuer', issuer: issuerName(v, at) });
      case 'settings':
        return adminExpect({ kind: 'settings', settings: adminJson(v, at) });
      case 'signedTime':
        return adminExpect({ kind: 'signedTime', time: time(v, at) });
      case 'exportLog':
        if (v !== true) throw new ScenarioError(at, 'must be true');
        return adminExpect({ kind: 'exportLog' });
      case 'revoke': {
        const o = object(v, at, REVOKE_KEYS);
        let revoke: ScenarioRevocation;
        if (o.ticket !== undefined) {
          const t = str(o.ticket, keyPath(at, 'ticket'), 64);
          if (!Object.hasOwn(tickets, t)) throw new ScenarioError(keyPath(at, 'ticket'), `no ticket named ${quote(t)}`);
          revoke = { kind: 'ticket', ticket: t };
        } else if (o.courier !== undefined) {
          revoke = {
            kind: 'courier',
            issuer: issuerName(o.issuer, keyPath(at, 'issuer')),
            courier: str(o.courier, keyPath(at, 'courier'), 100),
            until: opt(o, 'until', at, time) ?? { relative: true, seconds: 86_400 },
          };
        } else if (o.issuedBefore !== undefined) {
          revoke = { kind: 'issued-before', issuer: issuerName(o.issuer, keyPath(at, 'issuer')), before: time(o.issuedBefore, keyPath(at, 'issuedBefore')) };
        } else if (o.key === true) {
          revoke = { kind: 'key', issuer: issuerName(o.issuer, keyPath(at, 'issuer')) };
        } else {
          throw new ScenarioError(at, 'needs "ticket", "courier" (with "issuer"), "issuedBefore" (with "issuer") or "key": true (with "issuer")');
        }
        return adminExpect({ kind: 'revoke', revoke });
      }
      case 'note':
        return { kind: 'note', text: str(v, at, 500).replace(/\s*[\r\n]+\s*/g, ' ') };
      case 'present': {
        const spec: Json = typeof v === 'string' ? { ticket: v } : object(v, at, PRESENT_KEYS);
        const ticket = str(spec.ticket, keyPath(at, 'ticket'), 64);
        if (!Object.hasOwn(tickets, ticket))
          throw new ScenarioError(
            typeof v === 'string' ? at : keyPath(at, 'ticket'),
            `no ticket named ${quote(ticket)} (declared: ${Object.keys(tickets).join(', ') || 'none'})`,
          );
        const step: ScenarioStep & { kind: 'present' } = { kind: 'present', ticket, proof: 'valid' };
        const phone = opt(spec, 'phone', at, (p, pp) => str(p, pp, 64));
        if (phone !== undefined) {
          if (!Object.hasOwn(phones, phone))
            throw new ScenarioError(keyPath(at, 'phone'), `no phone named ${quote(phone)} (declared: ${Object.keys(phones).join(', ') || 'none'})`);
          step.phone = phone;
        }
        const m = opt(spec, 'mtu', at, mtu);
        if (m !== undefined) step.mtu = m;
        const proof = opt(spec, 'proof', at, (p, pp) => {
          if (!PROOF_MODES.includes(p as ProofMode)) throw new ScenarioError(pp, `must be one of ${PROOF_MODES.join(', ')}`);
          return p as ProofMode;
        });
        if (proof !== undefined) step.proof = proof;
        const expect = opt(value, 'expect', path, outcome);
        if (expect !== undefined) step.expect = expect;
        const label = opt(value, 'label', path, (p, pp) => str(p, pp, 64));
        if (label !== undefined) {
          if (label === 'last') throw new ScenarioError(keyPath(path, 'label'), '"last" is reserved (replay: "last" means the latest presentation)');
          if (labels.has(label)) throw new ScenarioError(keyPath(path, 'label'), `${quote(label)} is already used by an earlier step`);
          labels.add(label);
          step.label = label;
        }
        presented = true;
        return step;
      }
      case 'replay': {
        const of = str(v, at, 64);
        if (of === 'last' ? !presented : !labels.has(of)) {
          throw new ScenarioError(at, of === 'last' ? 'no earlier present step to replay' : `no earlier present step has label ${quote(of)}`);
        }
        const step: ScenarioStep & { kind: 'replay' } = { kind: 'replay', of };
        const expect = opt(value, 'expect', path, outcome);
        if (expect !== undefined) step.expect = expect;
        return step;
      }
      case 'wait':
        return { kind: 'wait', ms: duration(v, at) };
      case 'door':
        if (v !== 'open' && v !== 'close') throw new ScenarioError(at, 'must be "open" or "close"');
        return { kind: 'door', action: v };
      case 'reboot':
        if (v !== true) throw new ScenarioError(at, 'must be true');
        return { kind: 'reboot' };
      case 'setClock':
        return { kind: 'setClock', time: time(v, at) };
      case 'jam':
        if (v === 'stuck' || v === 'clear') return { kind: 'jam', jam: v };
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000)
          throw new ScenarioError(at, 'must be an integer 1..1000 (failed bolt drives), "stuck" or "clear"');
        return { kind: 'jam', jam: v };
    }
  });

  const scenario: Scenario = { name, lock, start, mtu: defaultMtu, seed: randomSeed, latencyMs, issuers, phones, tickets, steps };
  if (owner !== undefined) scenario.owner = owner;
  if (description !== undefined) scenario.description = description;
  return scenario;
}

function parseLock(v: unknown): ScenarioLock {
  if (v === undefined) throw new ScenarioError('lock', 'missing (at least {"id": "lock:…"})');
  const o = object(v, 'lock', LOCK_KEYS);
  if (o.id === undefined) throw new ScenarioError('lock.id', 'missing (the lock ID tickets must name)');
  const lock: ScenarioLock = { id: str(o.id, 'lock.id', 200) };
  const set = <K extends keyof ScenarioLock>(key: K, value: ScenarioLock[K] | undefined): void => {
    if (value !== undefined) lock[key] = value;
  };
  set('administered', opt(o, 'administered', 'lock', bool));
  set(
    'relockSeconds',
    opt(o, 'relockSeconds', 'lock', (x, p) => int(x, p, 1, 3600)),
  );
  set('doorSensor', opt(o, 'doorSensor', 'lock', bool));
  set(
    'heldOpenSeconds',
    opt(o, 'heldOpenSeconds', 'lock', (x, p) => int(x, p, 1, 86_400)),
  );
  set(
    'skewSeconds',
    opt(o, 'skewSeconds', 'lock', (x, p) => int(x, p, 0, 86_400)),
  );
  set(
    'maxWindowSeconds',
    opt(o, 'maxWindowSeconds', 'lock', (x, p) => int(x, p, 1, MAX_UINT32)),
  );
  set('singleUse', opt(o, 'singleUse', 'lock', bool));
  set(
    'replayCapacity',
    opt(o, 'replayCapacity', 'lock', (x, p) => int(x, p, 1, MAX_REPLAY_CAPACITY)),
  );
  set(
    'jamRetries',
    opt(o, 'jamRetries', 'lock', (x, p) => int(x, p, 0, 10)),
  );
  set(
    'backoff',
    opt(o, 'backoff', 'lock', (x, p) => {
      const b = object(x, p, BACKOFF_KEYS);
      const policy: NonNullable<ScenarioLock['backoff']> = {};
      for (const key of BACKOFF_KEYS as (keyof typeof policy)[]) {
        const n = opt(b, key, p, (y, q) => int(y, q, key === 'freeFailures' ? 0 : 1, key === 'freeFailures' ? 1000 : 86_400 * 7));
        if (n !== undefined) policy[key] = n;
      }
      return policy;
    }),
  );
  return lock;
}

// ---------------------------------------------------------------------------------------------
// Overrides (the CLI's flags)

export interface ScenarioOverrides {
  lockId?: string;
  mtu?: number;
  relockSeconds?: number;
  doorSensor?: boolean;
}

/**
 * A copy with the lock's ID, relock time or door sensor and the default MTU replaced. Tickets that
 * name no lock follow the new ID; steps with their own MTU keep it.
 */
export function withOverrides(scenario: Scenario, o: ScenarioOverrides): Scenario {
  const lock = { ...scenario.lock };
  if (o.lockId !== undefined) lock.id = o.lockId;
  if (o.relockSeconds !== undefined) lock.relockSeconds = o.relockSeconds;
  if (o.doorSensor !== undefined) lock.doorSensor = o.doorSensor;
  return { ...scenario, lock, mtu: o.mtu ?? scenario.mtu };
}
