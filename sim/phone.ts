// A simulated courier phone: holds a holder key, connects over the virtual BLE link, waits for the
// lock's challenge, signs the holder proof and presents ticket + proof, then reads the verdict.
// It speaks the real protocol (src/ble), frame by frame, so what the lock sees is exactly what a
// phone app would send. Portable: runs inside XS in the tests.

import { Reassembler, splitMessage } from '../src/ble/framing.js';
import { MESSAGE_TYPES, decodeChallenge, decodeError, decodeResult, encodePresent, refusalReasonName } from '../src/ble/messages.js';
import { holderProofMessage, ticketHash } from '../src/holder-proof.js';
import { frameErrorName } from '../src/ble/framing.js';
import { signEd25519 } from '../issuer/ticket.js';
import { decodeSigned } from '../src/ble/admin-messages.js';
import type { SimBleCentral } from './hal/ble-link.js';
import type { SimTime } from './hal/time.js';

/** How the phone proves possession: properly, not at all, with another key, or for another lock. */
export type ProofMode = 'valid' | 'none' | 'other-key' | 'other-lock';

export interface PresentOptions {
  mtu?: number;
  proof?: ProofMode;
  /** Give up after this long (simulated ms). Default 10 s. */
  timeoutMs?: number;
}

export type PresentationOutcome =
  | { kind: 'result'; granted: boolean; reason: string | undefined; reasonCode: number; seconds: number }
  | { kind: 'error'; error: string }
  | { kind: 'timeout' }
  | { kind: 'disconnected' };

export interface PresentationReport {
  outcome: PresentationOutcome;
  mtu: number;
  /** GATT writes the phone made and notifications it received during this presentation. */
  writes: number;
  notifications: number;
  /** Simulated ms from connect to verdict. */
  latencyMs: number;
  /** The phone's writes, in order, for replay tests. */
  sentFrames: Uint8Array[];
  /** The entry receipt the lock signed, when it sent one (before a granted RESULT). */
  receipt?: Uint8Array;
}

const OTHER_KEY_SEED = new Uint8Array(32).fill(0xee);

export class CourierPhone {
  /** Called with a one-line description of each step, for the simulator's timeline. */
  onStep: (text: string) => void = () => {};

  constructor(
    private readonly central: SimBleCentral,
    private readonly time: SimTime,
    private readonly holderSeed: Uint8Array,
  ) {}

  /** Runs one whole presentation on the simulated timeline and reports what happened. */
  present(ticket: Uint8Array, options: PresentOptions = {}): PresentationReport {
    return this.converse(options, (challenge, lockId, mtu) => {
      const proof = this.proof(options.proof ?? 'valid', challenge, lockId, ticket);
      return splitMessage(MESSAGE_TYPES.PRESENT, encodePresent({ ticket, proof }), mtu);
    });
  }

  /** Connects and sends the given frames verbatim once the challenge arrives (replay attacks). */
  replay(frames: Uint8Array[], options: PresentOptions = {}): PresentationReport {
    return this.converse(options, () => frames);
  }

  /** Connects and writes raw frames without waiting for anything (garbage, fuzzing). */
  sendRaw(frames: Uint8Array[], options: PresentOptions = {}): PresentationReport {
    return this.converse({ ...options }, () => frames, true);
  }

  private proof(mode: ProofMode, challenge: Uint8Array, lockId: string, ticket: Uint8Array): Uint8Array | undefined {
    if (mode === 'none') return undefined;
    const seed = mode === 'other-key' ? OTHER_KEY_SEED : this.holderSeed;
    const boundLock = mode === 'other-lock' ? lockId + '-elsewhere' : lockId;
    return signEd25519(seed, holderProofMessage(challenge, boundLock, ticketHash(ticket)));
  }

  private converse(
    options: PresentOptions,
    frames: (challenge: Uint8Array, lockId: string, mtu: number) => Uint8Array[],
    writeImmediately = false,
  ): PresentationReport {
    const mtu = options.mtu ?? 185;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const startedAt = this.time.elapsed();
    const reassembler = new Reassembler();
    const sentFrames: Uint8Array[] = [];
    let notifications = 0;
    let outcome: PresentationOutcome | undefined;
    let receipt: Uint8Array | undefined;

    const send = (list: Uint8Array[]) => {
      for (const f of list) {
        this.central.write(f);
        sentFrames.push(f);
      }
    };
    const stopNotify = this.central.onNotify((value) => {
      notifications++;
      const event = reassembler.push(value, this.time.elapsed());
      if (event.kind === 'error') outcome ??= { kind: 'error', error: `phone could not reassemble: ${event.error}` };
      if (event.kind !== 'message') return;
      if (event.type === MESSAGE_TYPES.CHALLENGE) {
        const c = decodeChallenge(event.body);
        if (!c.ok) {
          outcome = { kind: 'error', error: `bad challenge: ${c.error}` };
          return;
        }
        if (writeImmediately) return;
        const list = frames(c.value.challenge, c.value.lockId, this.central.mtu);
        this.onStep(`phone: got challenge, presenting in ${list.length} write${list.length === 1 ? '' : 's'} (MTU ${this.central.mtu})`);
        send(list);
      } else if (event.type === MESSAGE_TYPES.RECEIPT) {
        const r = decodeSigned(event.body);
        if (r.ok) receipt = r.value.bytes;
      } else if (event.type === MESSAGE_TYPES.RESULT) {
        const r = decodeResult(event.body);
        outcome = r.ok
          ? {
              kind: 'result',
              granted: r.value.granted,
              reason: r.value.granted ? undefined : (refusalReasonName(r.value.reason) ?? `code ${r.value.reason}`),
              reasonCode: r.value.reason,
              seconds: r.value.seconds,
            }
          : { kind: 'error', error: `bad result: ${r.error}` };
      } else if (event.type === MESSAGE_TYPES.ERROR) {
        const e = decodeError(event.body);
        outcome = { kind: 'error', error: e.ok ? (frameErrorName(e.value.code) ?? `code ${e.value.code}`) : 'bad error message' };
      }
    });
    const stopDisconnect = this.central.onDisconnect(() => {
      outcome ??= { kind: 'disconnected' };
    });

    const writesBefore = sentFrames.length;
    this.central.connect(mtu);
    this.central.subscribe();
    if (writeImmediately) send(frames(new Uint8Array(0), '', this.central.mtu));
    const deadline = startedAt + timeoutMs;
    while (outcome === undefined && this.time.elapsed() < deadline) {
      const next = this.time.nextDeadline();
      if (next === undefined) break;
      // Step one timer at a time so the verdict is seen the moment it arrives.
      if (!this.time.next()) break;
    }
    if (writeImmediately && outcome === undefined) this.time.advance(Math.max(0, Math.min(timeoutMs, 4000)));
    stopNotify();
    stopDisconnect();
    const report: PresentationReport = {
      outcome: outcome ?? { kind: 'timeout' },
      mtu: this.central.mtu,
      writes: sentFrames.length - writesBefore,
      notifications,
      latencyMs: this.time.elapsed() - startedAt,
      sentFrames,
    };
    if (receipt !== undefined) report.receipt = receipt;
    if (this.central.connected) this.central.disconnect();
    return report;
  }
}
