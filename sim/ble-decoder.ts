// Names the BLE frames the simulator carries, for people watching (the web page's frame list):
// which message each frame belongs to and, on the frame that completes a message, what the message
// says (a challenge, a ticket with its proof, a verdict with its reason code, an admin answer…).
// It reads the same bytes the lock and the phone do, with the project's own framing and message
// decoders (src/ble), so a frame it cannot decode is shown as such, never guessed. Portable.

import { FLAG_FIRST, Reassembler, frameErrorName } from '../src/ble/framing.js';
import { MESSAGE_TYPES, decodeChallenge, decodeError, decodePresent, decodeResult, refusalReasonName } from '../src/ble/messages.js';
import { adminReasonName, decodeAdminResult, decodeLogRead, decodeSigned } from '../src/ble/admin-messages.js';

/** The message type names, by wire code (CHALLENGE, PRESENT, …). */
export function messageTypeName(type: number): string {
  for (const name of Object.keys(MESSAGE_TYPES) as (keyof typeof MESSAGE_TYPES)[]) if (MESSAGE_TYPES[name] === type) return name;
  return `type 0x${type.toString(16).padStart(2, '0')}`;
}

/** A frame as the decoder sees it. */
export interface DecodedFrame {
  /** The message type this frame belongs to (from its FIRST frame), if known. */
  type: string | undefined;
  /** True for the FIRST frame of a message. */
  first: boolean;
  /** Set on the frame that completes a message: what the message says, in a few words. */
  message?: string;
  /** A RECEIPT message's signed bytes (the entry receipt), on the frame that completes it. */
  receipt?: Uint8Array;
  /** A RESULT message's verdict, on the frame that completes it. */
  verdict?: { granted: boolean; reason: string | undefined; reasonCode: number; seconds: number };
}

/** One decoder per direction and connection: reset it when a new connection starts. */
export class FrameDecoder {
  private reassembler = new Reassembler();
  private current: string | undefined;

  reset(): void {
    this.reassembler = new Reassembler();
    this.current = undefined;
  }

  /** Takes the next frame of this direction (at simulated ms `now`). */
  push(frame: Uint8Array, now: number): DecodedFrame {
    const first = frame.length >= 2 && (frame[0] & FLAG_FIRST) !== 0;
    if (first) this.current = messageTypeName(frame[1]);
    const out: DecodedFrame = { type: this.current, first };
    const event = this.reassembler.push(frame, now);
    if (event.kind === 'error') out.message = `not a valid frame (${event.error})`;
    if (event.kind !== 'message') return out;
    describe(event.type, event.body, out);
    return out;
  }
}

function describe(type: number, body: Uint8Array, out: DecodedFrame): void {
  const bad = (what: string): string => `${what} that does not decode`;
  switch (type) {
    case MESSAGE_TYPES.CHALLENGE: {
      const c = decodeChallenge(body);
      out.message = c.ok ? `challenge for ${c.value.lockId || '(unprovisioned lock)'}, lock clock ${c.value.lockTime}` : bad('a challenge');
      return;
    }
    case MESSAGE_TYPES.PRESENT: {
      const p = decodePresent(body);
      out.message = p.ok
        ? `ticket ${p.value.ticket.length} bytes, ${p.value.proof ? `holder proof ${p.value.proof.length} bytes` : 'no holder proof'}`
        : bad('a PRESENT');
      return;
    }
    case MESSAGE_TYPES.RESULT: {
      const r = decodeResult(body);
      if (!r.ok) {
        out.message = bad('a RESULT');
        return;
      }
      const reason = r.value.granted ? undefined : (refusalReasonName(r.value.reason) ?? `code ${r.value.reason}`);
      out.verdict = { granted: r.value.granted, reason, reasonCode: r.value.reason, seconds: r.value.seconds };
      out.message = r.value.granted ? `GRANTED, relocks in ${r.value.seconds} s` : `refused: ${reason} (code ${r.value.reason})`;
      return;
    }
    case MESSAGE_TYPES.ERROR: {
      const e = decodeError(body);
      out.message = e.ok ? `protocol error ${frameErrorName(e.value.code) ?? `code ${e.value.code}`}` : bad('an ERROR');
      return;
    }
    case MESSAGE_TYPES.ADMIN:
    case MESSAGE_TYPES.TIME: {
      const s = decodeSigned(body);
      out.message = s.ok
        ? `${type === MESSAGE_TYPES.TIME ? 'signed time statement' : 'signed admin command'}, ${s.value.bytes.length} bytes`
        : bad('a signed message');
      return;
    }
    case MESSAGE_TYPES.ADMIN_RESULT: {
      const a = decodeAdminResult(body);
      out.message = a.ok
        ? `admin answer: ${adminReasonName(a.value.code) ?? `code ${a.value.code}`} (seq ${a.value.seq})${a.value.data.length ? `, ${a.value.data.length} bytes of data` : ''}`
        : bad('an ADMIN_RESULT');
      return;
    }
    case MESSAGE_TYPES.RECEIPT: {
      const s = decodeSigned(body);
      if (s.ok) out.receipt = s.value.bytes;
      out.message = s.ok ? `entry receipt signed by the device key, ${s.value.bytes.length} bytes` : bad('a RECEIPT');
      return;
    }
    case MESSAGE_TYPES.LOG_READ: {
      const l = decodeLogRead(body);
      out.message = l.ok ? `read the audit log from #${l.value.from}` : bad('a LOG_READ');
      return;
    }
    case MESSAGE_TYPES.LOG: {
      const s = decodeSigned(body);
      out.message = s.ok ? `audit-log chunk, ${s.value.bytes.length} bytes` : bad('a LOG');
      return;
    }
    default:
      out.message = `unknown message type ${type}`;
  }
}
