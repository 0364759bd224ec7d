// The seeded adversarial driver for the model-based suite: it generates sequences of commands
// (presentations over BLE with good, bad, stale and missing holder proofs, mutated tickets and
// frames, MTU changes, back-off bursts, clock moves inside and beyond the skew and across exp and
// the mark, reboots, RTC loss, power cuts at random flash writes) and runs each against the real
// Lock + PresentationService on the simulator HAL and against the reference model
// (lock-model.ts), comparing every decision and checking the invariants after every step.
//
// A case is fully determined by (run seed, case number): a failure prints both, the shrunk
// sequence and a step-by-step trace; LATCHKEY_MODEL_SEED / LATCHKEY_MODEL_CASE replay it.
// To add a command (e.g. the admin commands: time set, revocation, issuer changes): add a variant
// to `Command`, generate it in `generateCase`, run it in `CaseRun.step`, and teach the model.
//
// Signing is expensive in JS, so every ticket, mutant and holder proof is made once per run (a
// fixed pool; three challenges the lock's test RNG picks from), and the lock gets a memoised
// Ed25519: the same deterministic function, computed once per distinct (signature, message, key).

import type { Random } from '../../../hal/index.js';
import { PowerCut } from '../../../sim/hal/index.js';
import type { SigningKey } from '../../../issuer/ticket.js';
import { splitMessage } from '../../../src/ble/framing.js';
import { MESSAGE_TYPES, encodePresent } from '../../../src/ble/messages.js';
import { toHex } from '../../../src/bytes.js';
import { ed25519SelfTest, verifyEd25519 } from '../../../src/ed25519.js';
import type { LockCrypto } from '../../../src/lock/lock.js';
import { KEY_BACKOFF, KEY_CLOCK, KEY_REPLAY } from '../../../src/lock/records.js';
import { ISSUER, LOCK_ID, NOW, OTHER_ISSUER, ascii, seed, ticket } from '../fixtures.js';
import { Rig, continuationFrame, firstFrame, holderProof } from '../lock-fixtures.js';
import { DOC_REASON_CODES, LockModel, type ModelConfig, type ModelTicket, type ProofKind, type Verdict } from './lock-model.js';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, good enough to pick commands. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const caseSeed = (runSeed: number, n: number): number => (Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(n + 1, 0xc2b2ae35)) >>> 0;

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

function weighted<T>(r: () => number, items: readonly (readonly [number, T])[]): T {
  let total = 0;
  for (const [w] of items) total += w;
  let x = r() * total;
  for (const [w, v] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1][1];
}

// ---------------------------------------------------------------------------------------------
// The ticket pool: what the issuer put in (for the model) and the signed bytes (for the lock)

const UNTRUSTED: SigningKey = { kid: ascii('issuer-3'), seed: seed(4) };
const DAY = 86_400;

interface PoolTicket {
  model: ModelTicket;
  bytes: Uint8Array;
  /** Tickets whose signature and claims can pass: worth a valid holder proof. */
  provable: boolean;
}

interface Spec {
  name: string;
  key?: SigningKey;
  cti: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  aud?: string;
}

// Times relative to NOW; the clock wanders around NOW. Several tickets share an ID on purpose.
const SPECS: readonly Spec[] = [
  { name: 'hour', cti: 'm-hour-0001', exp: NOW + 3600 },
  { name: 'ten-min', cti: 'm-short-001', exp: NOW + 600 },
  { name: 'two-min', cti: 'm-short-002', exp: NOW + 120 },
  { name: 'half-min', cti: 'm-tiny-0001', exp: NOW + 30 },
  { name: 'later', cti: 'm-later-001', iat: NOW - 100, nbf: NOW + 300, exp: NOW + 1500 },
  { name: 'iat-ahead', cti: 'm-ahead-001', iat: NOW + 300, nbf: NOW + 300, exp: NOW + 4000 },
  { name: 'expired', cti: 'm-old-00001', iat: NOW - 7300, nbf: NOW - 7200, exp: NOW - 3600 },
  { name: 'wrong-lock', cti: 'm-wrong-001', aud: 'lock:3-rue-des-roses/door-b' },
  { name: 'window', cti: 'm-window-01', exp: NOW + DAY },
  { name: 'issuer-2', key: OTHER_ISSUER, cti: 'm-short-001', exp: NOW + 600 },
  { name: 'same-id', cti: 'm-short-001', exp: NOW + 900 },
  { name: 'unknown', key: UNTRUSTED, cti: 'm-unknown01' },
  { name: 'day', cti: 'm-day-00001', nbf: NOW - 600, exp: NOW - 600 + DAY },
  { name: 'three-min', cti: 'm-short-003', exp: NOW + 200 },
];

export interface Pool {
  tickets: PoolTicket[];
  challenges: Uint8Array[];
}

export function buildPool(runSeed: number, challengeCount = 3): Pool {
  const tickets: PoolTicket[] = [];
  for (const s of SPECS) {
    const key = s.key ?? ISSUER;
    const iat = s.iat ?? NOW - 900;
    const nbf = s.nbf ?? NOW - 600;
    const exp = s.exp ?? NOW + 3600;
    const aud = s.aud ?? LOCK_ID;
    const bytes = ticket({ cti: ascii(s.cti), issuedAt: iat, notBefore: nbf, expires: exp, lockId: aud }, key);
    const kid = String.fromCharCode(...key.kid);
    const model: ModelTicket = { name: s.name, kid, trusted: key !== UNTRUSTED, cti: s.cti, aud, iat, nbf, exp };
    tickets.push({ model, bytes, provable: model.trusted && aud === LOCK_ID });
  }
  // Mutants of the hour ticket: a flipped signature byte, a truncation, an oversize ticket, and a
  // few random byte flips anywhere (fixed per run so the memoised crypto still pays off).
  const base = tickets[0];
  const mutant = (name: string, damage: ModelTicket['damage'], bytes: Uint8Array): void => {
    tickets.push({ model: { ...base.model, name, damage }, bytes, provable: false });
  };
  const flipped = base.bytes.slice();
  flipped[flipped.length - 20] ^= 0x40;
  mutant('bad-signature', 'bad-signature', flipped);
  mutant('truncated', 'truncated', base.bytes.slice(0, base.bytes.length - 1));
  const large = new Uint8Array(1025);
  large.set(base.bytes);
  mutant('too-large', 'too-large', large);
  const r = prng(runSeed ^ 0x5eed);
  for (let i = 0; i < 6; i++) {
    const g = base.bytes.slice();
    const flips = 1 + Math.floor(r() * 3);
    for (let f = 0; f < flips; f++) g[Math.floor(r() * g.length)] ^= 1 + Math.floor(r() * 255);
    mutant(`garbled-${i}`, 'garbled', g);
  }
  const challenges = Array.from({ length: challengeCount }, (_, c) => Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + c * 101 + 7) & 255));
  return { tickets, challenges };
}

/** The lock's RNG in the tests: each challenge is one of the pool's, in a seeded order. */
class PoolRandom implements Random {
  constructor(
    private readonly challenges: readonly Uint8Array[],
    private readonly r: () => number,
  ) {}
  bytes(length: number): Uint8Array {
    const c = pick(this.r, this.challenges);
    return Uint8Array.from({ length }, (_, i) => c[i % c.length]);
  }
}

/** Ed25519 memoised per (signature, message, key): misses go to the real verifier. */
export function memoisedCrypto(): LockCrypto & { misses: () => number } {
  const cache = new Map<string, boolean>();
  let selfTest: boolean | undefined;
  return {
    checkSignature(signature, message, publicKey) {
      const key = toHex(signature) + toHex(publicKey) + toHex(message);
      let ok = cache.get(key);
      if (ok === undefined) {
        ok = verifyEd25519(signature, message, publicKey);
        cache.set(key, ok);
      }
      return ok;
    },
    selfTest: () => (selfTest ??= ed25519SelfTest()),
    misses: () => cache.size,
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

export type ClockAnchor = 'now' | 'mark' | 'exp' | 'iat';

export type Command =
  | {
      k: 'present';
      /** Pool index of the ticket. */
      t: number;
      proof: ProofKind;
      mtu: number;
      /** Broken frames before the PRESENT (bad-frame each; at 3 the lock hangs up). */
      garbage: number;
      /** A PRESENT whose body is not valid (bad-message) first. */
      badFirst: boolean;
      /** A message that stalls (timeout after 3 s) first. */
      stall: boolean;
      /** A second PRESENT on the same connection afterwards (unexpected-message). */
      again: boolean;
    }
  | { k: 'wait'; ms: number }
  | { k: 'clock'; anchor: ClockAnchor; t: number; offset: number }
  | { k: 'reboot' }
  | { k: 'rtc-loss' }
  | { k: 'power-cut'; n: number; lands: boolean }
  /** Flash damage found at the next boot: one record becomes unreadable. */
  | { k: 'damage'; record: 'replay' | 'clock' | 'backoff' };

export interface CaseSpec {
  config: { capacity: number; singleUse: boolean; skew: number };
  commands: Command[];
}

export function generateCase(runSeed: number, n: number, pool: Pool, maxLength = 24): CaseSpec {
  const r = prng(caseSeed(runSeed, n));
  const config = {
    capacity: weighted(r, [
      [3, 1],
      [3, 2],
      [3, 3],
      [2, 4],
      [2, 6],
      [4, 128],
    ] as const),
    singleUse: r() < 0.9,
    skew: weighted(r, [
      [8, 60],
      [1, 5],
      [1, 0],
    ] as const),
  };
  const provable = pool.tickets.map((t, i) => [t.provable ? 10 : 1, i] as const);
  const skewish = [1, config.skew - 1, config.skew, config.skew + 1, 2 * config.skew, 2 * config.skew + 1, 3 * config.skew];
  const present = (proof?: ProofKind): Command => ({
    k: 'present',
    t: weighted(r, provable),
    proof:
      proof ??
      weighted(r, [
        [80, 'valid'],
        [6, 'stale-challenge'],
        [4, 'other-key'],
        [2, 'other-lock'],
        [3, 'short'],
        [5, 'none'],
      ] as const),
    mtu: pick(r, [23, 64, 185, 247, 517]),
    garbage: weighted(r, [
      [90, 0],
      [5, 1],
      [3, 2],
      [2, 3],
    ] as const),
    badFirst: r() < 0.04,
    stall: r() < 0.03,
    again: r() < 0.08,
  });
  const commands: Command[] = [];
  const length = 1 + Math.floor(r() * maxLength);
  while (commands.length < length) {
    const kind = weighted(r, [
      [55, 'present'],
      [12, 'wait'],
      [14, 'clock'],
      [4, 'reboot'],
      [1, 'rtc-loss'],
      [4, 'power-cut'],
      [4, 'burst'],
      [1, 'damage'],
    ] as const);
    switch (kind) {
      case 'present':
        commands.push(present());
        break;
      case 'wait':
        commands.push({ k: 'wait', ms: pick(r, [200, 1000, 2000, 5000, 30_000, 61_000, 130_000, 600_000, 3_600_000, 7_300_000]) });
        break;
      case 'clock': {
        const anchor = weighted(r, [
          [3, 'now'],
          [3, 'mark'],
          [3, 'exp'],
          [2, 'iat'],
        ] as const);
        const sign = r() < 0.6 ? -1 : 1;
        const offset = r() < 0.9 ? sign * pick(r, skewish) : sign * pick(r, [600, 3600, 86_400]);
        commands.push({ k: 'clock', anchor, t: Math.floor(r() * pool.tickets.length), offset });
        break;
      }
      case 'reboot':
      case 'rtc-loss':
        commands.push({ k: kind });
        break;
      case 'power-cut':
        commands.push({ k: 'power-cut', n: 1 + Math.floor(r() * 3), lands: r() < 0.5 });
        break;
      case 'damage':
        commands.push({ k: 'damage', record: pick(r, ['replay', 'clock', 'backoff'] as const) });
        break;
      case 'burst': {
        // Back-off: refusals in quick succession, sometimes ending with a good presentation.
        const count = 3 + Math.floor(r() * 6);
        for (let i = 0; i < count; i++) {
          commands.push(present(pick(r, ['none', 'other-key', 'stale-challenge'] as const)));
          if (r() < 0.5) commands.push({ k: 'wait', ms: pick(r, [500, 1000, 2000, 4000]) });
        }
        if (r() < 0.5) commands.push(present('valid'));
        break;
      }
    }
  }
  return { config, commands };
}

// ---------------------------------------------------------------------------------------------
// Running one case

const HOUR_MS = 3_600_000;
const DAMAGE_KEYS = { replay: KEY_REPLAY, clock: KEY_CLOCK, backoff: KEY_BACKOFF } as const;
const RELOCK_MS = 5000;

export class CaseFailure extends Error {
  constructor(
    readonly step: number,
    message: string,
    readonly trace: string[],
  ) {
    super(message);
  }
}

const describeCommand = (c: Command, pool: Pool): string => {
  switch (c.k) {
    case 'present': {
      const extras = [
        c.garbage ? `garbage×${c.garbage}` : '',
        c.badFirst ? 'bad-message first' : '',
        c.stall ? 'stall first' : '',
        c.again ? 'PRESENT again' : '',
      ].filter(Boolean);
      return `present ${pool.tickets[c.t].model.name} proof=${c.proof} mtu=${c.mtu}${extras.length ? ' [' + extras.join(', ') + ']' : ''}`;
    }
    case 'wait':
      return `wait ${c.ms} ms`;
    case 'clock':
      return `set clock to ${c.anchor === 'exp' ? `exp(${pool.tickets[c.t].model.name}) + skew` : c.anchor === 'iat' ? `iat(${pool.tickets[c.t].model.name})` : c.anchor} ${c.offset >= 0 ? '+' : '−'} ${Math.abs(c.offset)} s`;
    case 'power-cut':
      return `arm power cut at write ${c.n} from now (${c.lands ? 'after' : 'before'} it lands)`;
    case 'damage':
      return `flash damage: ${c.record} record unreadable, reboot`;
    default:
      return c.k;
  }
};

const show = (v: Verdict['outcome']): string => (typeof v === 'string' ? v : `one of ${v.join('|')}`);

/** Runs one case against the real lock and the model; throws CaseFailure on the first mismatch. */
export class CaseRun {
  readonly trace: string[] = [];
  private readonly rig: Rig;
  private readonly model: LockModel;
  private readonly pool: Pool;
  private bootElapsed = 0;
  /**
   * Tickets granted so far (single use: never twice), kept independently of the model, with the
   * number of unguarded repairs at the time (see noteGrant). Per ticket,
   * not per replay ID: an issuer that reuses a cti with a later exp gets the second ticket accepted
   * once the first one's entry may go (docs/lock.md, "Replay retention").
   */
  private readonly granted = new Map<string, number>();
  private stepNo = 0;
  /** ble-fault entries logged while the power was going (not physical: excused). */
  private faultsExcused = 0;

  constructor(
    spec: CaseSpec,
    pool: Pool,
    crypto: LockCrypto,
    challengeSeed: number,
    private readonly stats?: Map<string, number>,
  ) {
    this.pool = pool;
    const c = spec.config;
    this.rig = new Rig({
      lock: { replayCapacity: c.capacity, singleUse: c.singleUse, skewSeconds: c.skew },
      random: new PoolRandom(pool.challenges, prng(challengeSeed)),
      latencyMs: 0,
      crypto,
    });
    const config: ModelConfig = {
      lockId: LOCK_ID,
      skew: c.skew,
      maxWindow: DAY,
      singleUse: c.singleUse,
      capacity: c.capacity,
      relockMs: RELOCK_MS,
      backoff: { freeFailures: 3, baseSeconds: 2, maxSeconds: 300, resetAfterSeconds: 3600 },
    };
    this.model = new LockModel(config, this.rig.time.clock.isSet(), this.rig.time.clock.now());
    this.trace.push(`config: capacity ${c.capacity}, ${c.singleUse ? 'single use' : 'multi use'}, skew ${c.skew} s; clock ${NOW}`);
    this.check('boot');
  }

  private count(what: string): void {
    if (this.stats) this.stats.set(what, (this.stats.get(what) ?? 0) + 1);
  }

  private fail(message: string): never {
    this.trace.push(`  ✘ ${message}`);
    throw new CaseFailure(this.stepNo, message, this.trace);
  }

  private get now(): number {
    return this.rig.time.clock.now();
  }

  private get clockSet(): boolean {
    return this.rig.time.clock.isSet();
  }

  run(commands: readonly Command[]): void {
    for (const c of commands) {
      this.stepNo++;
      this.trace.push(`${this.stepNo}. ${describeCommand(c, this.pool)}  (clock ${this.now}${this.clockSet ? '' : ' unset'}, mark ${this.model.mark})`);
      this.step(c);
      this.afterStep();
    }
  }

  private step(c: Command): void {
    switch (c.k) {
      case 'present':
        return this.present(c);
      case 'wait':
        return this.advance(c.ms);
      case 'clock': {
        const t = this.pool.tickets[c.t].model;
        const anchor = c.anchor === 'now' ? this.now : c.anchor === 'mark' ? this.model.mark : c.anchor === 'exp' ? t.exp + this.model.config.skew : t.iat;
        this.rig.time.clock.set(Math.max(0, anchor + c.offset));
        return;
      }
      case 'reboot':
        return this.reboot();
      case 'rtc-loss':
        this.rig.time.rtcPowerLoss();
        return this.reboot();
      case 'power-cut':
        this.rig.storage.cutAtWrite(c.n, c.lands ? 'after' : 'before');
        this.model.armPowerCut(c.n, c.lands);
        return;
      case 'damage': {
        // Found at the next boot; any armed cut is dropped (the lock was off meanwhile).
        this.rig.storage.powerOn();
        this.rig.storage.set(DAMAGE_KEYS[c.record], Uint8Array.of(0xde, 0xad));
        this.model.damage(c.record);
        return this.reboot();
      }
    }
  }

  private reboot(): void {
    this.rig.reboot();
    this.model.reboot(this.clockSet, this.now);
    this.bootElapsed = this.rig.time.elapsed();
    this.trace.push('   rebooted');
    this.count('(reboot)');
    if (this.rig.actuator.position !== 'locked') this.fail('the bolt is not locked after a reboot');
    // A cut armed before cannot survive a reboot; the boot's own repair write is then not cut.
    if (this.rig.storage.off || this.model.powerOff) this.fail('the power went during a boot with no cut armed');
    this.check('after reboot');
  }

  /** Moves time, stopping at each hourly checkpoint so the model sees the clock it ran at. */
  private advance(ms: number): void {
    const target = this.rig.time.elapsed() + ms;
    for (;;) {
      const boundary = this.bootElapsed + HOUR_MS * (Math.floor((this.rig.time.elapsed() - this.bootElapsed) / HOUR_MS) + 1);
      if (boundary > target) break;
      this.rig.time.advance(boundary - this.rig.time.elapsed());
      this.model.checkpoint(this.clockSet, this.now);
      if (this.afterPowerCut()) return;
    }
    this.rig.time.advance(target - this.rig.time.elapsed());
  }

  /** After a cut, both sides reboot (the cut itself is checked by the invariants first). */
  private afterPowerCut(): boolean {
    const real = this.rig.storage.off;
    if (real !== this.model.powerOff)
      this.fail(
        `power cut: lock ${real ? 'lost power' : 'kept power'}, model ${this.model.powerOff ? 'lost power' : 'kept power'} (flash writes differ from docs/lock.md)`,
      );
    if (!real) return false;
    this.trace.push('   power cut');
    this.count('(power cut)');
    this.check('at the power cut');
    this.reboot();
    return true;
  }

  private present(c: Extract<Command, { k: 'present' }>): void {
    // Keep a checkpoint from firing inside the exchange (the stall waits 3 s).
    const untilCheckpoint = HOUR_MS - ((this.rig.time.elapsed() - this.bootElapsed) % HOUR_MS);
    if (untilCheckpoint <= 4000) this.advance(untilCheckpoint);
    if (this.model.powerOff) return;

    const entry = this.pool.tickets[c.t];
    const wire = this.rig.wire(c.mtu);
    const challenge = wire.challenge;
    if (challenge === undefined) this.fail('no CHALLENGE after subscribing');
    const expectedErrors: string[] = [];
    let errors = 0;
    // The lock may have hung up (3 protocol errors, then 250 ms): a phone cannot write then.
    const send = (...f: Uint8Array[]): void => {
      if (wire.connected) wire.write(...f);
    };
    const protocolError = (name: string): void => {
      if (errors < 3) expectedErrors.push(name);
      errors++;
    };
    for (let g = 0; g < c.garbage; g++) {
      // A stray continuation, then FIRST frames declaring length 0: each a bad-frame (after an
      // error the lock ignores continuations until a FIRST frame, so only one stray one counts).
      send(g === 0 ? continuationFrame(1, Uint8Array.of(0xaa)) : firstFrame(MESSAGE_TYPES.PRESENT, 0, Uint8Array.of(0)));
      protocolError('bad-frame');
    }
    const body = encodePresent({ ticket: entry.bytes, proof: this.proof(entry, c.proof, challenge) });
    const frames = splitMessage(MESSAGE_TYPES.PRESENT, body, wire.link.central.mtu);
    if (c.stall) {
      send(...splitMessage(MESSAGE_TYPES.PRESENT, new Uint8Array(600), wire.link.central.mtu).slice(0, 1));
      this.rig.time.advance(3001);
      protocolError('timeout');
    }
    if (c.badFirst) {
      send(...splitMessage(MESSAGE_TYPES.PRESENT, Uint8Array.of(0x81, 0x40), wire.link.central.mtu)); // [h'']: empty ticket
      protocolError('bad-message');
    }
    let expected: Verdict | undefined;
    if (errors < 3) {
      const now = this.now;
      expected = this.model.present(entry.model, c.proof, this.clockSet, now, this.rig.time.elapsed());
      send(...frames);
      if (c.again) {
        send(...frames);
        protocolError('unexpected-message');
      }
    } else {
      send(...frames); // ignored: the lock is hanging up
    }
    const results = wire.results();
    const errorNames = wire.errors();
    const bad = wire.badNotifications.slice();
    // The courier's own session (courier/session.ts) heard the same notifications: it must read them alike.
    const courier = wire.courierDisagreement();
    if (courier !== undefined) this.fail(`the courier session reads the lock differently: ${courier}`);
    wire.close();
    const powerCut = this.model.powerOff || this.rig.storage.off;

    const got = results.map((r) => (r.granted ? 'granted' : reasonName(r.reason)));
    this.trace.push(
      `   model: ${expected ? `${show(expected.outcome)}${expected.seconds ? ` (${expected.seconds} s)` : ''}` : 'no decision'}; lock: ${got.join(', ') || 'no RESULT'}${results[0] && results[0].seconds ? ` (${results[0].seconds} s)` : ''}${errorNames.length ? `; ERROR ${errorNames.join(', ')}` : ''}`,
    );
    if (bad.length > 0) this.fail(`notifications that do not reassemble: ${bad.join(', ')}`);
    for (const g of got) this.count(g);
    for (const e of errorNames) this.count(`ERROR ${e}`);
    if (powerCut) {
      // The lock died mid-decision: what the simulator still notifies is not physical. Only the
      // invariants (no unlock without a grant the model allows) are checked, then both reboot.
      if (results.some((r) => r.granted) && expected?.outcome !== 'granted') this.fail('granted across a power cut the model does not grant');
      this.noteGrant(
        entry,
        results.some((r) => r.granted),
      );
      return;
    }
    if (errorNames.join(',') !== expectedErrors.join(',')) this.fail(`ERRORs: expected [${expectedErrors.join(', ')}], got [${errorNames.join(', ')}]`);
    if (expected === undefined) {
      if (results.length !== 0) this.fail('a RESULT after the lock decided to hang up');
      return;
    }
    if (results.length !== 1) this.fail(`expected one RESULT, got ${results.length}`);
    const result = results[0];
    if (!result.granted && !Object.values(DOC_REASON_CODES).includes(result.reason)) this.fail(`undocumented reason code ${result.reason}`);
    const name = got[0];
    if (name === 'internal-error') this.fail('internal-error: an exception was caught inside the lock');
    const ok = typeof expected.outcome === 'string' ? name === expected.outcome : expected.outcome.includes(name);
    if (!ok) this.fail(`decision: model ${show(expected.outcome)}, lock ${name}`);
    if (result.seconds !== expected.seconds) this.fail(`RESULT seconds: model ${expected.seconds}, lock ${result.seconds}`);
    this.noteGrant(entry, result.granted);
  }

  private noteGrant(entry: PoolTicket, granted: boolean): void {
    if (!granted || !this.model.config.singleUse) return;
    const id = entry.model.name;
    const first = this.granted.get(id);
    if (first !== undefined) {
      // The one documented exception (docs/lock.md, "Flash damage"): the replay record was lost
      // and repaired on a clock set back beyond what the lost record would have allowed.
      if (this.model.unguardedRepairs > first) this.count('(second grant after an unguarded repair: documented limit)');
      else this.fail(`single-use ticket ${id} granted twice`);
    }
    this.granted.set(id, this.model.unguardedRepairs);
  }

  private proof(entry: PoolTicket, kind: ProofKind, challenge: Uint8Array): Uint8Array | undefined {
    switch (kind) {
      case 'none':
        return undefined;
      case 'short':
        return new Uint8Array(63).fill(7);
      case 'stale-challenge': {
        // A valid proof from another connection: over a challenge other than this one.
        const other = this.pool.challenges.find((c) => toHex(c) !== toHex(challenge)) ?? new Uint8Array(32);
        return holderProof(entry.bytes, other, 'valid');
      }
      default:
        return holderProof(entry.bytes, challenge, kind);
    }
  }

  private afterStep(): void {
    if (this.afterPowerCut()) return;
    this.check('after the step');
  }

  /** The invariants, checked after every step. */
  private check(when: string): void {
    const unlocks = this.rig.actuator.history.filter((d) => d.target === 'unlocked' && d.reached).length;
    if (unlocks !== this.model.grants) this.fail(`${when}: the bolt unlocked ${unlocks} times, the model granted ${this.model.grants}`);
    const position = this.rig.actuator.position;
    const expected = this.model.boltUnlocked(this.rig.time.elapsed()) && !this.model.powerOff ? 'unlocked' : 'locked';
    if (!this.rig.storage.off && position !== expected) this.fail(`${when}: the bolt is ${position}, the model says ${expected}`);
    const errors = this.rig.time.errors.filter((e) => !(e.error instanceof PowerCut));
    if (errors.length > 0) this.fail(`${when}: a timer callback threw: ${String(errors[0].error)}`);
    // The BLE service catches handler exceptions, logs ble-fault and hangs up: still a bug.
    const faults = this.rig.log.find('ble-fault');
    if (this.model.powerOff || this.rig.storage.off) this.faultsExcused = faults.length;
    else if (faults.length > this.faultsExcused) this.fail(`${when}: a BLE handler threw: ${String(faults[faults.length - 1].error)}`);
  }
}

function reasonName(code: number): string {
  for (const [name, c] of Object.entries(DOC_REASON_CODES)) if (c === code) return name;
  return `code ${code}`;
}

// ---------------------------------------------------------------------------------------------
// Runs, shrinking and reporting

function fails(spec: CaseSpec, pool: Pool, crypto: LockCrypto, challengeSeed: number, stats?: Map<string, number>): CaseFailure | undefined {
  try {
    new CaseRun(spec, pool, crypto, challengeSeed, stats).run(spec.commands);
    return undefined;
  } catch (error) {
    if (error instanceof CaseFailure) return error;
    return new CaseFailure(-1, `exception escaped from the driver: ${String((error as Error)?.stack ?? error)}`, [spec.commands.length + ' commands']);
  }
}

/** Drops commands (halves, quarters, … single ones) while the case still fails. */
export function shrink(spec: CaseSpec, pool: Pool, crypto: LockCrypto, challengeSeed: number): CaseSpec {
  let commands = spec.commands;
  for (let size = Math.max(1, commands.length >> 1); size >= 1; size >>= 1) {
    for (let at = 0; at + size <= commands.length;) {
      const candidate = { ...spec, commands: [...commands.slice(0, at), ...commands.slice(at + size)] };
      if (fails(candidate, pool, crypto, challengeSeed)) commands = candidate.commands;
      else at += size;
    }
  }
  return { ...spec, commands };
}

export interface RunReport {
  cases: number;
  steps: number;
  /** How often each outcome was seen: RESULT reasons, ERRORs, reboots and power cuts. */
  outcomes: Map<string, number>;
  ms: number;
}

/**
 * Runs cases [first, first + count) of a seeded run. On a failure, shrinks it and throws an error
 * naming the seed and case, with the shrunk sequence traced step by step.
 */
export function runCases(
  runSeed: number,
  first: number,
  count: number,
  pool: Pool,
  options: { maxLength?: number; progress?: (done: number) => void } = {},
): RunReport {
  const crypto = memoisedCrypto();
  const started = Date.now();
  const outcomes = new Map<string, number>();
  let steps = 0;
  for (let n = first; n < first + count; n++) {
    const spec = generateCase(runSeed, n, pool, options.maxLength);
    const challengeSeed = caseSeed(runSeed, n) ^ 0xc4a1;
    const failure = fails(spec, pool, crypto, challengeSeed, outcomes);
    steps += spec.commands.length;
    if (failure) {
      const small = shrink(spec, pool, crypto, challengeSeed);
      const again = fails(small, pool, crypto, challengeSeed) ?? failure;
      throw new Error(
        `model-based run failed: seed ${runSeed} case ${n} (replay: LATCHKEY_MODEL_SEED=${runSeed} LATCHKEY_MODEL_CASE=${n})\n` +
          `  ${failure.message}\n  shrunk from ${spec.commands.length} to ${small.commands.length} commands:\n    ${again.trace.join('\n    ')}`,
      );
    }
    if (options.progress && (n - first + 1) % 10_000 === 0) options.progress(n + 1);
  }
  return { cases: count, steps, outcomes, ms: Date.now() - started };
}

/** The full trace of one case, passing or not (for LATCHKEY_MODEL_CASE). */
export function traceCase(runSeed: number, n: number, pool: Pool): string[] {
  const spec = generateCase(runSeed, n, pool);
  const run = new CaseRun(spec, pool, memoisedCrypto(), caseSeed(runSeed, n) ^ 0xc4a1);
  try {
    run.run(spec.commands);
    run.trace.push('passed');
  } catch (error) {
    if (!(error instanceof CaseFailure)) run.trace.push(`exception: ${String(error)}`);
  }
  return run.trace;
}
