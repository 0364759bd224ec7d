// A simulated courier phone: holds a holder key, connects over the virtual BLE link and runs the
// courier's own presentation session (courier/session.ts) against the lock — the same code the
// web courier page runs over Web Bluetooth — so what the lock sees is exactly what a phone app
// would send, and every simulator test exercises the courier client too. This file only drives
// the session on the simulated timeline and adds the test tools a real phone never has: proofs
// made wrongly on purpose, recorded frames replayed, raw frames written. Portable: runs inside XS.

import { CourierSession, type HolderProver, type ProofRequest, type SessionPlan, type Verdict } from '../courier/session.js';
import { holderKeyFromSeed } from '../courier/holder-key.js';
import { frameCapacity } from '../src/ble/framing.js';
import { holderProofMessage } from '../src/holder-proof.js';
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

/** The simulator's report of a session's verdict (the texts the timeline and scenarios show). */
function outcomeOf(verdict: Verdict): PresentationOutcome {
  switch (verdict.kind) {
    case 'granted':
      return { kind: 'result', granted: true, reason: undefined, reasonCode: 0, seconds: verdict.relockSeconds };
    case 'refused':
      return { kind: 'result', granted: false, reason: verdict.reason ?? `code ${verdict.code}`, reasonCode: verdict.code, seconds: verdict.retryAfterSeconds };
    case 'lock-error':
      return { kind: 'error', error: verdict.error ?? `code ${verdict.code}` };
    case 'failed':
      switch (verdict.failure) {
        case 'bad-notification':
          return { kind: 'error', error: `phone could not reassemble: ${verdict.detail}` };
        case 'bad-challenge':
          return { kind: 'error', error: `bad challenge: ${verdict.detail}` };
        case 'bad-result':
          return { kind: 'error', error: `bad result: ${verdict.detail}` };
        case 'bad-error':
          return { kind: 'error', error: 'bad error message' };
        default:
          return { kind: 'error', error: `${verdict.failure}: ${verdict.detail}` };
      }
    case 'timeout':
    case 'disconnected':
      return { kind: verdict.kind };
  }
}

export class CourierPhone {
  /** Called with a one-line description of each step, for the simulator's timeline. */
  onStep: (text: string) => void = () => {};
  /** The honest prover, made on first use: deriving a key costs as much as a signature in XS. */
  #holder: HolderProver | undefined;

  constructor(
    private readonly central: SimBleCentral,
    private readonly time: SimTime,
    private readonly holderSeed: Uint8Array,
  ) {}

  /** Runs one whole presentation on the simulated timeline and reports what happened. */
  present(ticket: Uint8Array, options: PresentOptions = {}): PresentationReport {
    return this.converse(options, { kind: 'present', ticket, prove: this.prover(options.proof ?? 'valid') });
  }

  /** Connects and sends the given frames verbatim once the challenge arrives (replay attacks). */
  replay(frames: Uint8Array[], options: PresentOptions = {}): PresentationReport {
    return this.converse(options, { kind: 'frames', frames: () => frames });
  }

  /** Connects and writes raw frames without waiting for anything (garbage, fuzzing). */
  sendRaw(frames: Uint8Array[], options: PresentOptions = {}): PresentationReport {
    return this.converse({ ...options }, { kind: 'frames', frames: () => [] }, frames);
  }

  /** The holder proof as a mode makes it: the honest one, none, or one the lock must refuse. */
  private prover(mode: ProofMode): HolderProver {
    switch (mode) {
      case 'valid':
        return (r) => this.#prove(r);
      case 'none':
        return () => undefined;
      case 'other-key':
        return holderKeyFromSeed(OTHER_KEY_SEED).prove;
      case 'other-lock':
        return (r) => this.#prove({ ...r, message: holderProofMessage(r.challenge, r.lockId + '-elsewhere', r.ticketHash) });
    }
  }

  #prove(request: ProofRequest): Uint8Array | undefined {
    this.#holder ??= holderKeyFromSeed(this.holderSeed).prove;
    return this.#holder(request);
  }

  /** Connects, subscribes and lets the session answer the lock; `raw` frames go out before the challenge. */
  private converse(options: PresentOptions, plan: SessionPlan, raw?: Uint8Array[]): PresentationReport {
    const mtu = options.mtu ?? 185;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const startedAt = this.time.elapsed();
    const sentFrames: Uint8Array[] = [];
    let notifications = 0;
    let verdict: Verdict | undefined;

    const send = (list: Uint8Array[]) => {
      for (const f of list) {
        this.central.write(f);
        sentFrames.push(f);
      }
    };
    this.central.connect(mtu);
    const session = new CourierSession(plan, { frameCapacity: frameCapacity(this.central.mtu) });
    const stopNotify = this.central.onNotify((value) => {
      notifications++;
      const step = session.receive(value, this.time.elapsed());
      if (step.challenge !== undefined && raw === undefined) {
        const n = step.writes.length;
        this.onStep(`phone: got challenge, presenting in ${n} write${n === 1 ? '' : 's'} (MTU ${this.central.mtu})`);
      }
      send(step.writes);
      verdict ??= step.verdict;
    });
    const stopDisconnect = this.central.onDisconnect(() => {
      verdict ??= session.disconnected();
    });

    this.central.subscribe();
    if (raw !== undefined) send(raw);
    const deadline = startedAt + timeoutMs;
    while (verdict === undefined && this.time.elapsed() < deadline) {
      if (this.time.nextDeadline() === undefined) break;
      // Step one timer at a time so the verdict is seen the moment it arrives.
      if (!this.time.next()) break;
    }
    if (raw !== undefined && verdict === undefined) this.time.advance(Math.max(0, Math.min(timeoutMs, 4000)));
    stopNotify();
    stopDisconnect();
    const report: PresentationReport = {
      outcome: outcomeOf(verdict ?? session.timedOut()),
      mtu: this.central.mtu,
      writes: sentFrames.length,
      notifications,
      latencyMs: this.time.elapsed() - startedAt,
      sentFrames,
    };
    if (session.receipt !== undefined) report.receipt = session.receipt;
    if (this.central.connected) this.central.disconnect();
    return report;
  }
}
