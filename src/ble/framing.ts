// Message framing over the Latchkey GATT service (docs/ble-protocol.md, "Framing"). A message is
// a type byte and a CBOR body of up to MAX_MESSAGE_BYTES; it travels as one or more frames, each
// one GATT write (phone → lock) or one notification (lock → phone):
//
//   FIRST frame         [control][type][length hi][length lo][body bytes…]
//   continuation frame  [control][body bytes…]
//   control = FIRST flag (bit 7) | reserved 0 (bit 6) | sequence number (bits 0–5)
//
// Pure: no timers, no HAL, no allocation beyond the message being assembled. The owner feeds every
// written value to Reassembler.push and calls expire() from a timer.

/** Largest message body (a ≤ 1024-byte ticket, a 64-byte proof and CBOR overhead fit). */
export const MAX_MESSAGE_BYTES = 1280;
/** Largest frame a receiver accepts: the largest attribute value (Core spec Vol 3 Part F 3.2.9). */
export const MAX_FRAME_BYTES = 512;
/** A half-received message with no new frame for this long is dropped. */
export const REASSEMBLY_TIMEOUT_MS = 3000;
/** ATT MTU bounds: the LE default and the largest a GATT bearer can negotiate (512 + 5). */
export const MIN_ATT_MTU = 23;
export const MAX_ATT_MTU = 517;

export const FLAG_FIRST = 0x80;
export const FLAG_RESERVED = 0x40;
export const SEQ_MASK = 0x3f;
/** Control, type and a uint16 length. */
export const FIRST_HEADER_BYTES = 4;
export const CONTINUATION_HEADER_BYTES = 1;

/** Protocol errors and their wire codes, carried in an ERROR message (src/ble/messages.ts). */
export const FRAME_ERRORS = {
  /** A frame broke the framing rules (see Reassembler.push). */
  'bad-frame': 1,
  /** A FIRST frame declared a body longer than MAX_MESSAGE_BYTES. */
  'too-large': 2,
  /** A message stopped arriving half-way for REASSEMBLY_TIMEOUT_MS. */
  timeout: 3,
  /** A complete message whose body is not the CBOR its type requires. */
  'bad-message': 4,
  /** A well-formed message the receiver does not take now (unknown type, or wrong moment). */
  'unexpected-message': 5,
} as const;

export type FrameError = keyof typeof FRAME_ERRORS;

/** The FrameError for a wire code, or undefined for a code this version does not know. */
export function frameErrorName(code: number): FrameError | undefined {
  for (const name of Object.keys(FRAME_ERRORS) as FrameError[]) if (FRAME_ERRORS[name] === code) return name;
  return undefined;
}

/** Bytes per frame a sender uses at this MTU: MTU − 3, but never above MAX_FRAME_BYTES. */
export function frameCapacity(mtu: number): number {
  checkMtu(mtu);
  return Math.min(mtu - 3, MAX_FRAME_BYTES);
}

/** How many frames splitMessage makes for a body of `bodyLength` bytes at this MTU. */
export function frameCount(bodyLength: number, mtu: number): number {
  checkBodyLength(bodyLength);
  const capacity = frameCapacity(mtu);
  const rest = bodyLength - (capacity - FIRST_HEADER_BYTES);
  return rest <= 0 ? 1 : 1 + Math.ceil(rest / (capacity - CONTINUATION_HEADER_BYTES));
}

/**
 * Cuts one message into frames of at most frameCapacity(mtu) bytes, every frame but the last full.
 * Throws RangeError for an MTU outside MIN_ATT_MTU..MAX_ATT_MTU, a type outside 0..255 or a body
 * that is empty or longer than MAX_MESSAGE_BYTES: those are the caller's bugs, not peer input.
 */
export function splitMessage(type: number, body: Uint8Array, mtu: number): Uint8Array[] {
  if (!Number.isInteger(type) || type < 0 || type > 255) throw new RangeError(`message type ${type} is not a byte`);
  checkBodyLength(body.length);
  const capacity = frameCapacity(mtu);
  const frames: Uint8Array[] = [];
  let offset = Math.min(body.length, capacity - FIRST_HEADER_BYTES);
  const first = new Uint8Array(FIRST_HEADER_BYTES + offset);
  first[0] = FLAG_FIRST; // sequence 0
  first[1] = type;
  first[2] = body.length >> 8;
  first[3] = body.length & 0xff;
  first.set(body.subarray(0, offset), FIRST_HEADER_BYTES);
  frames.push(first);
  let seq = 0;
  while (offset < body.length) {
    seq = (seq + 1) & SEQ_MASK;
    const n = Math.min(body.length - offset, capacity - CONTINUATION_HEADER_BYTES);
    const frame = new Uint8Array(CONTINUATION_HEADER_BYTES + n);
    frame[0] = seq;
    frame.set(body.subarray(offset, offset + n), CONTINUATION_HEADER_BYTES);
    frames.push(frame);
    offset += n;
  }
  return frames;
}

function checkMtu(mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < MIN_ATT_MTU || mtu > MAX_ATT_MTU) {
    throw new RangeError(`ATT MTU ${mtu} is outside ${MIN_ATT_MTU}..${MAX_ATT_MTU}`);
  }
}

function checkBodyLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > MAX_MESSAGE_BYTES) {
    throw new RangeError(`message body of ${length} bytes is outside 1..${MAX_MESSAGE_BYTES}`);
  }
}

export type ReassemblyEvent =
  /** The frame was taken; the message is not complete yet (or, from expire(), not stale yet). */
  | { kind: 'pending' }
  /** The frame completed a message. */
  | { kind: 'message'; type: number; body: Uint8Array }
  /** The message in progress (or this frame) is broken and was dropped: answer with an ERROR. */
  | { kind: 'error'; error: FrameError }
  /** The frame was dropped silently: the rest of a message already reported broken. */
  | { kind: 'ignored' };

type State = 'idle' | 'receiving' | 'discarding';

const PENDING: ReassemblyEvent = { kind: 'pending' };
const IGNORED: ReassemblyEvent = { kind: 'ignored' };

/**
 * Rebuilds messages from frames. Never throws on frame contents. The rules (docs/ble-protocol.md):
 * - a FIRST frame starts a message: sequence 0, at least 5 bytes, a declared length of
 *   1..MAX_MESSAGE_BYTES (above that: too-large) and no more body bytes than declared;
 * - continuation frames carry the next sequence number (mod 64) and at least one body byte,
 *   never more than the declared length;
 * - the message is complete when its declared length has arrived;
 * - any frame that breaks a rule, or a FIRST frame while a message is in progress, drops the
 *   message in progress (and the offending frame) and yields one error; after an error,
 *   non-FIRST frames are ignored silently until the next FIRST frame, so a broken message costs
 *   exactly one error;
 * - a message with no new frame for REASSEMBLY_TIMEOUT_MS is dropped with a timeout error, by
 *   expire() or by the next push (a FIRST frame then simply starts the new message).
 */
export class Reassembler {
  #state: State = 'idle';
  #type = 0;
  #body: Uint8Array = new Uint8Array(0);
  #received = 0;
  #nextSeq = 0;
  #lastFrameMs = 0;

  push(frame: Uint8Array, nowMs: number): ReassemblyEvent {
    if (!(frame instanceof Uint8Array)) return this.#fail('bad-frame');
    const isFirst = frame.length > 0 && (frame[0] & FLAG_FIRST) !== 0;
    if (this.#state === 'receiving' && this.#stale(nowMs)) {
      this.#drop('discarding');
      if (!isFirst) return { kind: 'error', error: 'timeout' };
    }
    if (this.#state === 'discarding' && !isFirst) return IGNORED;
    if (frame.length === 0 || frame.length > MAX_FRAME_BYTES || (frame[0] & FLAG_RESERVED) !== 0) {
      return this.#fail('bad-frame');
    }
    return isFirst ? this.#first(frame, nowMs) : this.#continuation(frame, nowMs);
  }

  /** Drops a message that went stale: one timeout error, then 'ignored'. 'pending' while fresh. */
  expire(nowMs: number): ReassemblyEvent {
    if (this.#state !== 'receiving') return IGNORED;
    if (!this.#stale(nowMs)) return PENDING;
    this.#drop('discarding');
    return { kind: 'error', error: 'timeout' };
  }

  /** Whether part of a message has arrived (the owner keeps its expiry timer running while so). */
  inProgress(): boolean {
    return this.#state === 'receiving';
  }

  /** Forgets everything (new connection). */
  reset(): void {
    this.#drop('idle');
  }

  #first(frame: Uint8Array, nowMs: number): ReassemblyEvent {
    // A new message while one is in progress: the sender lost track. Drop both, report once.
    if (this.#state === 'receiving') return this.#fail('bad-frame');
    if ((frame[0] & SEQ_MASK) !== 0 || frame.length < FIRST_HEADER_BYTES + 1) return this.#fail('bad-frame');
    const length = (frame[2] << 8) | frame[3];
    if (length === 0) return this.#fail('bad-frame');
    if (length > MAX_MESSAGE_BYTES) return this.#fail('too-large');
    const n = frame.length - FIRST_HEADER_BYTES;
    if (n > length) return this.#fail('bad-frame');
    const body = new Uint8Array(length);
    body.set(frame.subarray(FIRST_HEADER_BYTES), 0);
    if (n === length) {
      this.#drop('idle');
      return { kind: 'message', type: frame[1], body };
    }
    this.#state = 'receiving';
    this.#type = frame[1];
    this.#body = body;
    this.#received = n;
    this.#nextSeq = 1;
    this.#lastFrameMs = nowMs;
    return PENDING;
  }

  #continuation(frame: Uint8Array, nowMs: number): ReassemblyEvent {
    if (this.#state !== 'receiving') return this.#fail('bad-frame');
    const n = frame.length - CONTINUATION_HEADER_BYTES;
    if (n < 1 || (frame[0] & SEQ_MASK) !== this.#nextSeq || this.#received + n > this.#body.length) {
      return this.#fail('bad-frame');
    }
    this.#body.set(frame.subarray(CONTINUATION_HEADER_BYTES), this.#received);
    this.#received += n;
    if (this.#received === this.#body.length) {
      const message: ReassemblyEvent = { kind: 'message', type: this.#type, body: this.#body };
      this.#drop('idle');
      return message;
    }
    this.#nextSeq = (this.#nextSeq + 1) & SEQ_MASK;
    this.#lastFrameMs = nowMs;
    return PENDING;
  }

  #stale(nowMs: number): boolean {
    return nowMs - this.#lastFrameMs >= REASSEMBLY_TIMEOUT_MS;
  }

  #fail(error: FrameError): ReassemblyEvent {
    this.#drop('discarding');
    return { kind: 'error', error };
  }

  #drop(next: State): void {
    this.#state = next;
    this.#type = 0;
    this.#body = new Uint8Array(0);
    this.#received = 0;
    this.#nextSeq = 0;
  }
}
