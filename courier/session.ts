// The courier phone's side of a presentation (docs/ble-protocol.md), without a transport: it is
// fed the lock's notifications (bytes, one GATT value each) and answers with the frames to write
// (bytes). It checks the CHALLENGE, makes the holder proof, cuts PRESENT into frames of the
// capacity the transport can carry, reassembles RECEIPT, RESULT or ERROR and reports the verdict.
// The same session runs in the web courier page (over Web Bluetooth, courier/web-bluetooth.ts) and
// in the simulator's phone (sim/phone.ts, over the simulated link), so the protocol logic a real
// phone would run is the code every lock test exercises. Portable: no DOM, no Node; runs in XS.
//
// Bounded and total: a notification is at most MAX_FRAME_BYTES, a message at most
// MAX_MESSAGE_BYTES (the Reassembler's limits), a session at most MAX_SESSION_NOTIFICATIONS; a
// malformed or out-of-turn notification ends the session with a 'failed' verdict naming a stable
// CourierFailure. Nothing the lock sends makes receive() throw.

import { decodeSigned } from '../src/ble/admin-messages.js';
import { frameErrorName, MAX_FRAME_BYTES, MIN_ATT_MTU, Reassembler, splitMessage, type FrameError } from '../src/ble/framing.js';
import {
  decodeChallenge,
  decodeError,
  decodeResult,
  encodePresent,
  MESSAGE_TYPES,
  PROOF_BYTES,
  refusalReasonName,
  type ChallengeMessage,
} from '../src/ble/messages.js';
import { holderProofMessage, ticketHash } from '../src/holder-proof.js';
import type { RefusalReason } from '../src/reasons.js';
import { errorMessage } from '../src/result.js';

/** The smallest frame every BLE link carries: ATT MTU 23 less the 3-byte ATT header. */
export const MIN_FRAME_CAPACITY = MIN_ATT_MTU - 3;
/** The largest frame: the largest attribute value. */
export const MAX_FRAME_CAPACITY = MAX_FRAME_BYTES;
/**
 * Notifications one session takes before giving up. The most an honest lock sends is a CHALLENGE,
 * a RECEIPT and a RESULT, each at most MAX_MESSAGE_BYTES: 68 + 68 + 1 frames at MTU 23. Twice that
 * leaves room for messages of types this build does not know (skipped), and still bounds a lock
 * that never stops talking.
 */
export const MAX_SESSION_NOTIFICATIONS = 274;

/** What the holder signs, and the parts it was built from (for a signer that wants to show them). */
export interface ProofRequest {
  challenge: Uint8Array;
  /** The lock ID from the CHALLENGE (the lock checks the proof with its own ID). */
  lockId: string;
  /** SHA-256 of the exact ticket bytes presented. */
  ticketHash: Uint8Array;
  /** holderProofMessage(challenge, lockId, ticketHash): the bytes to sign. */
  message: Uint8Array;
}

/** Makes the holder proof: an Ed25519 signature of request.message (undefined: present without one). */
export type HolderProver = (request: ProofRequest) => Uint8Array | undefined;

/** What the session sends once the lock's challenge arrives. */
export type SessionPlan =
  /** A courier: the ticket and a holder proof over this connection's challenge. */
  | { kind: 'present'; ticket: Uint8Array; prove: HolderProver }
  /** Frames written verbatim (a recorded exchange replayed, or nothing when the caller writes its own). */
  | { kind: 'frames'; frames: (challenge: ChallengeMessage) => Uint8Array[] };

/** Why the phone ended a session itself. Stable names: pages and tests switch on them. */
export type CourierFailure =
  /** A notification broke the framing rules (detail: the FrameError). */
  | 'bad-notification'
  /** The CHALLENGE did not decode, or has a protocol version this build does not speak. */
  | 'bad-challenge'
  /** The CHALLENGE names another lock than the one the ticket is for: nothing was presented. */
  | 'wrong-lock'
  /** A RESULT that does not decode. */
  | 'bad-result'
  /** An ERROR that does not decode. */
  | 'bad-error'
  /** A message out of turn (RESULT before CHALLENGE, a second CHALLENGE or RECEIPT). */
  | 'unexpected-message'
  /** More than MAX_SESSION_NOTIFICATIONS notifications. */
  | 'too-many-notifications'
  /** The holder key could not sign (the prover threw). */
  | 'proof-failed';

export type Verdict =
  /** The door unlocked; it relocks in relockSeconds. receipt: the lock's signed entry receipt, if it sent one. */
  | { kind: 'granted'; relockSeconds: number; receipt: Uint8Array | undefined }
  /** Refused: reason is undefined for a code newer than this build (shown as a generic refusal). */
  | { kind: 'refused'; code: number; reason: RefusalReason | undefined; retryAfterSeconds: number }
  /** The lock answered ERROR: it did not act on the message. error is undefined for a newer code. */
  | { kind: 'lock-error'; code: number; error: FrameError | undefined }
  /** The phone gave up on what the lock sent. */
  | { kind: 'failed'; failure: CourierFailure; detail: string }
  /** The transport's deadline passed without a verdict (session.timedOut()). */
  | { kind: 'timeout' }
  /** The link went down without a verdict (session.disconnected()). */
  | { kind: 'disconnected' };

export type SessionState = 'awaiting-challenge' | 'awaiting-result' | 'done';

/** What one notification led to. */
export interface SessionStep {
  /** Frames to write now, in order, each at most the frame capacity (a fresh array: the caller's). */
  writes: Uint8Array[];
  /** The CHALLENGE, when this notification completed it. */
  challenge?: ChallengeMessage;
  /** The verdict, when this notification ended the session. */
  verdict?: Verdict;
}

export interface SessionOptions {
  /** Bytes per write the transport carries: MIN_FRAME_CAPACITY..MAX_FRAME_CAPACITY (frameCapacity(mtu) in src/ble/framing.ts). */
  frameCapacity: number;
  /** The lock the ticket is for (its aud): a CHALLENGE from another lock ends the session unanswered. */
  expectedLockId?: string;
}

/** A step with nothing to do (a new object each time: nothing mutable is shared). */
const nothing = (): SessionStep => ({ writes: [] });

/** One connection's presentation: make a new session for every connection (every challenge). */
export class CourierSession {
  readonly #plan: SessionPlan;
  readonly #capacity: number;
  readonly #expectedLockId: string | undefined;
  readonly #reassembler = new Reassembler();
  #state: SessionState = 'awaiting-challenge';
  #notifications = 0;
  #challenge: ChallengeMessage | undefined;
  #receipt: Uint8Array | undefined;
  #receiptError: string | undefined;
  #verdict: Verdict | undefined;

  /**
   * Throws RangeError for a frame capacity outside MIN..MAX_FRAME_CAPACITY or a ticket that cannot
   * be carried (empty, or too long for one PRESENT with a proof): those are the caller's bugs.
   */
  constructor(plan: SessionPlan, options: SessionOptions) {
    const capacity = options.frameCapacity;
    if (!Number.isInteger(capacity) || capacity < MIN_FRAME_CAPACITY || capacity > MAX_FRAME_CAPACITY) {
      throw new RangeError(`frame capacity ${capacity} is outside ${MIN_FRAME_CAPACITY}..${MAX_FRAME_CAPACITY}`);
    }
    if (plan.kind === 'present') encodePresent({ ticket: plan.ticket, proof: new Uint8Array(PROOF_BYTES) }); // throws if it cannot fit
    this.#plan = plan.kind === 'present' ? { kind: 'present', ticket: Uint8Array.from(plan.ticket), prove: plan.prove } : plan;
    this.#capacity = capacity;
    this.#expectedLockId = options.expectedLockId;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The verdict once the session is done. */
  get verdict(): Verdict | undefined {
    return this.#verdict;
  }

  /** The lock's CHALLENGE, once it arrived (lockId, lockTime: informational, unauthenticated). */
  get challenge(): ChallengeMessage | undefined {
    return this.#challenge;
  }

  /** The RECEIPT bytes the lock sent, if any (also in a granted verdict). */
  get receipt(): Uint8Array | undefined {
    return this.#receipt;
  }

  /** Why a RECEIPT the lock sent did not decode (the grant still stands: the door opened). */
  get receiptError(): string | undefined {
    return this.#receiptError;
  }

  /** Notifications taken so far. */
  get notifications(): number {
    return this.#notifications;
  }

  /** One notification value from the lock. `nowMs`: any monotonic clock (reassembly timeout). */
  receive(value: Uint8Array, nowMs: number): SessionStep {
    if (this.#state === 'done') return nothing();
    try {
      return this.#receive(value, nowMs);
    } catch (error) {
      // Not reachable by any input the tests found; kept so a bug here cannot throw into a transport.
      return this.#end({ kind: 'failed', failure: 'bad-notification', detail: `internal: ${errorMessage(error)}` });
    }
  }

  /** The transport gave up waiting: the verdict, 'timeout' unless one was already reached. */
  timedOut(): Verdict {
    return this.#verdict ?? this.#end({ kind: 'timeout' }).verdict!;
  }

  /** The link went down: the verdict, 'disconnected' unless one was already reached. */
  disconnected(): Verdict {
    return this.#verdict ?? this.#end({ kind: 'disconnected' }).verdict!;
  }

  #receive(value: Uint8Array, nowMs: number): SessionStep {
    if (++this.#notifications > MAX_SESSION_NOTIFICATIONS) {
      return this.#fail('too-many-notifications', `more than ${MAX_SESSION_NOTIFICATIONS} notifications`);
    }
    if (!(value instanceof Uint8Array)) return this.#fail('bad-notification', 'bad-frame');
    const event = this.#reassembler.push(value, Number.isFinite(nowMs) ? nowMs : 0);
    if (event.kind === 'error') return this.#fail('bad-notification', event.error);
    if (event.kind !== 'message') return nothing();
    const { type, body } = event;
    switch (type) {
      case MESSAGE_TYPES.CHALLENGE:
        return this.#onChallenge(body);
      case MESSAGE_TYPES.RECEIPT:
        return this.#onReceipt(body);
      case MESSAGE_TYPES.RESULT:
        return this.#onResult(body);
      case MESSAGE_TYPES.ERROR: {
        const e = decodeError(body);
        if (!e.ok) return this.#fail('bad-error', e.error);
        return this.#end({ kind: 'lock-error', code: e.value.code, error: frameErrorName(e.value.code) });
      }
      default:
        return nothing(); // a message type from a newer lock: skipped (the notification bound still applies)
    }
  }

  #onChallenge(body: Uint8Array): SessionStep {
    if (this.#state !== 'awaiting-challenge') return this.#fail('unexpected-message', 'a second CHALLENGE');
    const c = decodeChallenge(body);
    if (!c.ok) return this.#fail('bad-challenge', c.error);
    const challenge = c.value;
    this.#challenge = challenge;
    if (this.#expectedLockId !== undefined && challenge.lockId !== this.#expectedLockId) {
      return this.#fail('wrong-lock', `this lock is "${challenge.lockId}", the ticket is for "${this.#expectedLockId}"`);
    }
    let writes: Uint8Array[];
    if (this.#plan.kind === 'frames') writes = this.#plan.frames(challenge);
    else {
      const { ticket, prove } = this.#plan;
      const hash = ticketHash(ticket);
      const request: ProofRequest = {
        challenge: Uint8Array.from(challenge.challenge),
        lockId: challenge.lockId,
        ticketHash: hash,
        message: holderProofMessage(challenge.challenge, challenge.lockId, hash),
      };
      let proof: Uint8Array | undefined;
      try {
        proof = prove(request);
      } catch (error) {
        return this.#fail('proof-failed', errorMessage(error));
      }
      if (proof !== undefined && !(proof instanceof Uint8Array)) return this.#fail('proof-failed', 'the signer returned no bytes');
      // The capacity is MTU − 3 for an MTU that splitMessage takes (23..515).
      writes = splitMessage(MESSAGE_TYPES.PRESENT, encodePresent({ ticket, proof }), this.#capacity + 3);
    }
    this.#state = 'awaiting-result';
    return { writes, challenge };
  }

  #onReceipt(body: Uint8Array): SessionStep {
    if (this.#state !== 'awaiting-result') return this.#fail('unexpected-message', 'RECEIPT before CHALLENGE');
    if (this.#receipt !== undefined || this.#receiptError !== undefined) return this.#fail('unexpected-message', 'a second RECEIPT');
    const r = decodeSigned(body);
    if (r.ok) this.#receipt = r.value.bytes;
    else this.#receiptError = r.error;
    return nothing();
  }

  #onResult(body: Uint8Array): SessionStep {
    if (this.#state !== 'awaiting-result') return this.#fail('unexpected-message', 'RESULT before CHALLENGE');
    const r = decodeResult(body);
    if (!r.ok) return this.#fail('bad-result', r.error);
    const { granted, reason, seconds } = r.value;
    return this.#end(
      granted
        ? { kind: 'granted', relockSeconds: seconds, receipt: this.#receipt }
        : { kind: 'refused', code: reason, reason: refusalReasonName(reason), retryAfterSeconds: seconds },
    );
  }

  #fail(failure: CourierFailure, detail: string): SessionStep {
    return this.#end({ kind: 'failed', failure, detail });
  }

  #end(verdict: Verdict): SessionStep {
    this.#verdict = verdict;
    this.#state = 'done';
    this.#reassembler.reset();
    return { writes: [], verdict };
  }
}
