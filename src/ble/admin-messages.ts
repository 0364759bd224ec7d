// The owner-administration messages of the BLE protocol (docs/ble-protocol.md, "Administration"):
// ADMIN and TIME carry a signed command or time statement to the lock, ADMIN_RESULT answers both,
// RECEIPT follows a granted RESULT, LOG_READ / LOG page through an audit-log export. Bodies are
// CBOR arrays decoded as strictly as the presentation messages (src/ble/messages.ts).

import { ADMIN_REASONS, type AdminReason } from '../reasons.js';
import type { Result } from '../result.js';
import { checkedBody, decodeArray, MAX_UINT_FIELD } from './messages.js';

/** Sequence numbers are integers up to 2^53 − 1. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export interface SignedMessage {
  kind: 'signed';
  /** The COSE_Sign1 bytes (command, statement, receipt or log chunk). */
  bytes: Uint8Array;
}

export interface AdminResultMessage {
  kind: 'admin-result';
  /** An ADMIN_REASONS code (0: done), possibly one newer than this build knows. */
  code: number;
  seq: number;
  /** Empty when the answer carries nothing. */
  data: Uint8Array;
}

export interface LogReadMessage {
  kind: 'log-read';
  from: number;
}

/** ADMIN, TIME, RECEIPT and LOG bodies: [bytes]. */
export function encodeSigned(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new RangeError('signed bytes must not be empty');
  return checkedBody([bytes]);
}

export function decodeSigned(body: Uint8Array): Result<SignedMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  if (items.length !== 1 || !(items[0] instanceof Uint8Array) || items[0].length === 0) return { ok: false, error: 'not a signed-bytes message' };
  return { ok: true, value: { kind: 'signed', bytes: Uint8Array.from(items[0]) } };
}

export function encodeAdminResult(fields: { reason: AdminReason | number; seq: number; data?: Uint8Array }): Uint8Array {
  const code = typeof fields.reason === 'string' ? ADMIN_REASONS[fields.reason] : fields.reason;
  if (!Number.isInteger(code) || code < 0 || code > MAX_UINT_FIELD) throw new RangeError('admin result code out of range');
  if (!Number.isInteger(fields.seq) || fields.seq < 0 || fields.seq > MAX_SEQ) throw new RangeError('seq out of range');
  return checkedBody([code, fields.seq, fields.data ?? new Uint8Array(0)]);
}

export function decodeAdminResult(body: Uint8Array): Result<AdminResultMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  const [code, seq, data] = items;
  const uint = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
  if (items.length !== 3 || !uint(code, MAX_UINT_FIELD) || !uint(seq, MAX_SEQ) || !(data instanceof Uint8Array))
    return { ok: false, error: 'not an ADMIN_RESULT' };
  return { ok: true, value: { kind: 'admin-result', code, seq, data: Uint8Array.from(data) } };
}

export function encodeLogRead(from: number): Uint8Array {
  if (!Number.isInteger(from) || from < 0 || from > MAX_UINT_FIELD) throw new RangeError('from out of range');
  return checkedBody([from]);
}

export function decodeLogRead(body: Uint8Array): Result<LogReadMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  const from = items[0];
  if (items.length !== 1 || typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > MAX_UINT_FIELD)
    return { ok: false, error: 'not a LOG_READ' };
  return { ok: true, value: { kind: 'log-read', from } };
}

/** The ADMIN_REASONS name of a code, or undefined for one this build does not know. */
export function adminReasonName(code: number): AdminReason | undefined {
  for (const name of Object.keys(ADMIN_REASONS) as AdminReason[]) if (ADMIN_REASONS[name] === code) return name;
  return undefined;
}
