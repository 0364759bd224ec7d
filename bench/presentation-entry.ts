// Bench workloads over a whole BLE presentation, lock side: the real Lock and PresentationService
// on the simulator HAL (sim/simulator.ts), with the courier phone replaced by a minimal driver of
// the BLE central that writes frames prepared on the host (bench/presentation-fixture.ts). The
// phone's signing is thereby kept out of the figures; what the driver still does (listen, count
// frames, write) is a few hundred units against millions.
//
// bench/run.js bundles this file with the shipped verifier and runs it in XS (compute units) and
// in Node (the same BLE counts, as a cross-check). Every step is its own evaluation, so one
// evaluation = one reading:
//
//   setup(fixture)            decode the fixture (not measured)
//   boot(slot)                a fresh Simulator: sim HAL, Lock + PresentationService, boot self-test
//   present(slot, mtu)        challenge to verdict over the BLE link; throws unless granted
//   lockPresent(slot)         Lock.present(ticket, proof, challenge) alone; throws unless granted
//   check(slot)               full decode of what the phone received, report(slot, BLE counts)
//   noop()                    the cost of an evaluation that does nothing, subtracted by the host
//
// A slot is one Simulator, used for one presentation only: a fresh replay store, so the
// single-use ticket is granted every time.

import { Simulator } from '../sim/simulator.js';
import { FLAG_FIRST, Reassembler, frameCount } from '../src/ble/framing.js';
import { MESSAGE_TYPES, decodeChallenge, decodeError, decodeResult, refusalReasonName } from '../src/ble/messages.js';
import { bytesEqual, fromHex } from '../src/bytes.js';
import { errorMessage } from '../src/result.js';
import type { PresentationFixture } from './presentation-fixture.js';
import { report } from './report.js';

interface Inputs {
  fixture: PresentationFixture;
  ticket: Uint8Array;
  proof: Uint8Array;
  challenge: Uint8Array;
  holderSeed: Uint8Array;
  issuers: { kid: Uint8Array; publicKey: Uint8Array }[];
  frames: Record<string, Uint8Array[]>;
}

interface Slot {
  sim: Simulator;
  /** Set by present(). */
  ble?: { mtu: number; startedAt: number; finishedAt: number; received: Uint8Array[]; writes: number };
  /** Set by lockPresent(). */
  direct?: boolean;
}

/** A presentation at 15 ms a packet takes well under 200 timer firings; more means a hang. */
const MAX_STEPS = 10_000;

let inputs: Inputs | undefined;
const slots: Record<string, Slot> = {};

function bytes(hex: string): Uint8Array {
  const out = fromHex(hex);
  if (out === undefined) throw new Error('presentation bench fixture: bad hex');
  return out;
}

function fail(what: string): never {
  throw new Error(`presentation bench: ${what}`);
}

function ready(): Inputs {
  return inputs ?? fail('setup() not called');
}

function slotOf(name: string): Slot {
  return slots[name] ?? fail(`no simulator booted in slot ${name}`);
}

export function setup(fixture: PresentationFixture): void {
  const frames: Record<string, Uint8Array[]> = {};
  for (const mtu of Object.keys(fixture.frames)) frames[mtu] = fixture.frames[mtu].map(bytes);
  inputs = {
    fixture,
    ticket: bytes(fixture.ticketHex),
    proof: bytes(fixture.proofHex),
    challenge: bytes(fixture.challengeHex),
    holderSeed: bytes(fixture.holderSeedHex),
    issuers: fixture.issuers.map((i) => ({ kid: bytes(i.kidHex), publicKey: bytes(i.publicKeyHex) })),
    frames,
  };
}

export function noop(): void {}

/** A fresh Simulator in `slot`: constructs the sim HAL and boots the lock (self-test included). */
export function boot(slot: string): void {
  const { fixture, issuers, holderSeed } = ready();
  if (slots[slot] !== undefined) fail(`slot ${slot} already booted`);
  slots[slot] = {
    sim: new Simulator({ lock: { lockId: fixture.lockId, issuers }, startTime: fixture.now, holderSeed, seed: fixture.seed }),
  };
}

/**
 * One presentation over the BLE link, driven from the central: connect, subscribe, step time until
 * the CHALLENGE has arrived, write the precomputed PRESENT frames, step until the RESULT arrives.
 * The phone only counts frames (the FIRST frame of the challenge declares its length); it decodes
 * nothing, so almost all of the work measured is the lock's and the simulated link's.
 */
export function present(slotName: string, mtu: number): void {
  const { frames: allFrames } = ready();
  const slot = slotOf(slotName);
  if (slot.ble !== undefined || slot.direct) fail(`slot ${slotName} already presented`);
  const frames = allFrames[String(mtu)] ?? fail(`no PRESENT frames for MTU ${mtu}`);
  const { time, link } = slot.sim;
  const central = link.central;
  const received: Uint8Array[] = [];
  const stop = central.onNotify((value) => {
    received.push(value);
  });
  let steps = 0;
  const step = (what: string): void => {
    if (++steps > MAX_STEPS || !time.next()) fail(`${what} never arrived (MTU ${mtu})`);
  };

  const startedAt = time.elapsed();
  if (central.connect(mtu) !== mtu) fail(`MTU ${mtu} not negotiated`);
  central.subscribe();
  while (received.length === 0) step('the CHALLENGE');
  const first = received[0];
  if (first[0] !== FLAG_FIRST || first[1] !== MESSAGE_TYPES.CHALLENGE) fail(`the lock's first notification is not a CHALLENGE: ${describe(received, mtu)}`);
  const challengeFrames = frameCount((first[2] << 8) | first[3], mtu);
  while (received.length < challengeFrames) step('the whole CHALLENGE');
  for (const frame of frames) central.write(frame);
  while (received.length === challengeFrames) step('the RESULT');
  const finishedAt = time.elapsed();
  stop();

  // A granted RESULT is one frame: FIRST, type, length, then CBOR [true, 0, seconds].
  const verdict = received[challengeFrames];
  const granted = verdict[0] === FLAG_FIRST && verdict[1] === MESSAGE_TYPES.RESULT && verdict[4] === 0x83 && verdict[5] === 0xf5;
  if (!granted) fail(`not granted at MTU ${mtu}: ${describe(received, mtu)}`);
  slot.ble = { mtu, startedAt, finishedAt, received, writes: frames.length };
}

/** Lock.present alone, with the ticket, proof and challenge the BLE presentation carries. */
export function lockPresent(slotName: string): void {
  const { ticket, proof, challenge } = ready();
  const slot = slotOf(slotName);
  if (slot.ble !== undefined || slot.direct) fail(`slot ${slotName} already presented`);
  const result = slot.sim.lock.present(ticket, proof, challenge);
  if (!result.granted) fail(`Lock.present refused: ${result.reason} (${result.detail})`);
  slot.direct = true;
}

/**
 * After present(): decodes everything the phone received (strictly), checks it is the predicted
 * challenge and a grant, checks the link's counters agree with the driver's, and reports the BLE
 * figures of the whole exchange. After lockPresent(): checks the bolt is open.
 */
export function check(slotName: string): void {
  const { challenge, fixture } = ready();
  const slot = slotOf(slotName);
  const { sim } = slot;
  if (slot.direct) {
    if (sim.actuator.position !== 'unlocked') fail(`slot ${slotName}: granted but the bolt is ${sim.actuator.position}`);
    report(slotName, { granted: true });
    return;
  }
  const ble = slot.ble ?? fail(`slot ${slotName} has not presented`);
  const messages = reassemble(ble.received);
  if (messages.length !== 2) fail(`expected CHALLENGE and RESULT, got ${describe(ble.received, ble.mtu)}`);
  const c = decodeChallenge(messages[0].body);
  if (!c.ok) fail(`bad CHALLENGE: ${c.error}`);
  if (!bytesEqual(c.value.challenge, challenge) || c.value.lockId !== fixture.lockId) {
    fail('the lock sent another challenge than predicted from the seed: the proof cannot have verified');
  }
  const r = decodeResult(messages[1].body);
  if (!r.ok || !r.value.granted) fail(`RESULT is not a grant: ${describe(ble.received, ble.mtu)}`);
  if (sim.actuator.position !== 'unlocked') fail(`granted but the bolt is ${sim.actuator.position}`);

  const link = sim.link;
  const challengeNotifications = ble.received.length - 1;
  if (link.writes !== ble.writes || link.notifications !== ble.received.length || link.dropped !== 0) {
    fail(`link counters (${link.writes} writes, ${link.notifications} notifications, ${link.dropped} dropped) disagree with the exchange`);
  }
  report(slotName, {
    mtu: ble.mtu,
    writes: link.writes,
    notifications: link.notifications,
    bytesWritten: link.bytesWritten,
    bytesNotified: link.bytesNotified,
    latencyMs: ble.finishedAt - ble.startedAt,
    challengeNotifications,
    resultNotifications: ble.received.length - challengeNotifications,
    latencyPerPacketMs: link.latencyMs,
    relockSeconds: r.value.seconds,
  });
}

function reassemble(values: Uint8Array[]): { type: number; body: Uint8Array }[] {
  const reassembler = new Reassembler();
  const out: { type: number; body: Uint8Array }[] = [];
  for (const value of values) {
    const event = reassembler.push(value, 0);
    if (event.kind === 'message') out.push({ type: event.type, body: event.body });
    else if (event.kind !== 'pending') fail(`the phone could not reassemble a notification (${event.kind === 'error' ? event.error : event.kind})`);
  }
  return out;
}

/** For error messages only: what the phone received, decoded. */
function describe(values: Uint8Array[], mtu: number): string {
  try {
    const parts = reassemble(values).map(({ type, body }) => {
      if (type === MESSAGE_TYPES.RESULT) {
        const r = decodeResult(body);
        return r.ok ? (r.value.granted ? 'RESULT granted' : `RESULT refused ${refusalReasonName(r.value.reason) ?? r.value.reason}`) : 'bad RESULT';
      }
      if (type === MESSAGE_TYPES.ERROR) {
        const e = decodeError(body);
        return e.ok ? `ERROR ${e.value.code}` : 'bad ERROR';
      }
      return type === MESSAGE_TYPES.CHALLENGE ? 'CHALLENGE' : `type ${type}`;
    });
    return `${values.length} notifications at MTU ${mtu}: ${parts.join(', ') || 'none complete'}`;
  } catch (error) {
    return `${values.length} notifications at MTU ${mtu} (${errorMessage(error)})`;
  }
}

// Set on the global object by hand, as in verifier-entry.ts (xsnap evaluates like a strict eval).
(globalThis as Record<string, unknown>).latchkeyPresentation = { setup, noop, boot, present, lockPresent, check };
