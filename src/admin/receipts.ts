// What the lock signs with its device key for others to check: the entry receipt it returns to
// the phone on each grant (the proof of entry an issuer's backend forwards to the resident), the
// provisioning answer carrying the device public key, and the head of an audit-log export. The
// builders run on the lock; the verifiers are for owners' and issuers' tools (issuer/), and
// portable like everything in src/.

import type { HashFunction } from '../../hal/index.js';
import { bytesEqual } from '../bytes.js';
import { decodeStrict } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { verifyEd25519 } from '../ed25519.js';
import { chainHash, HASH_BYTES, type AuditEntry, type AuditValue } from '../lock/audit-log.js';
import type { Result } from '../result.js';
import { LABELS, openStatement } from './signed.js';

export const LOG_CONTEXT = 'Latchkey audit log v1';

export interface Receipt {
  lockId: string;
  /** Lock time of the grant, unix seconds. */
  time: number;
  cti: Uint8Array;
  /** The courier (the ticket's sub, possibly a pseudonym). */
  sub: string;
  issuerKid: Uint8Array;
  result: 'granted';
  /** The seq of the grant's audit-log entry. */
  logSeq: number;
}

export function receiptPayload(r: Receipt): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [LABELS.lockId, r.lockId],
      [LABELS.time, r.time],
      [LABELS.cti, r.cti],
      [LABELS.sub, r.sub],
      [LABELS.issuerKid, r.issuerKid],
      [LABELS.result, r.result],
      [LABELS.logSeq, r.logSeq],
    ]),
  );
}

/** What a verifier returns (the core's one result type). */
export type Verified<T> = Result<T>;

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Checks a receipt's signature under the device public key and returns what it says. */
export function verifyReceipt(bytes: Uint8Array, devicePublicKey: Uint8Array): Verified<Receipt> {
  const opened = openStatement('receipt', bytes);
  if (typeof opened === 'string') return { ok: false, error: opened };
  if (!opened.verify(devicePublicKey)) return { ok: false, error: 'signature does not verify under the device key' };
  const p = opened.payload;
  const lockId = p.get(LABELS.lockId);
  const time = p.get(LABELS.time);
  const cti = p.get(LABELS.cti);
  const sub = p.get(LABELS.sub);
  const issuerKid = p.get(LABELS.issuerKid);
  const result = p.get(LABELS.result);
  const logSeq = p.get(LABELS.logSeq);
  if (
    typeof lockId !== 'string' ||
    !isUint(time) ||
    !(cti instanceof Uint8Array) ||
    typeof sub !== 'string' ||
    !(issuerKid instanceof Uint8Array) ||
    result !== 'granted' ||
    !isUint(logSeq) ||
    p.size !== 7
  ) {
    return { ok: false, error: 'not a receipt' };
  }
  return { ok: true, value: { lockId, time, cti, sub, issuerKid, result, logSeq } };
}

export interface DeviceAnswer {
  lockId: string;
  deviceKey: Uint8Array;
  ownerKey: Uint8Array;
}

export function deviceAnswerPayload(a: DeviceAnswer): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [LABELS.lockId, a.lockId],
      [LABELS.deviceKey, a.deviceKey],
      [LABELS.ownerKey, a.ownerKey],
    ]),
  );
}

/** The provisioning answer: self-signed by the device key it carries (proof the lock holds it). */
export function verifyDeviceAnswer(bytes: Uint8Array): Verified<DeviceAnswer> {
  const opened = openStatement('device', bytes);
  if (typeof opened === 'string') return { ok: false, error: opened };
  const lockId = opened.payload.get(LABELS.lockId);
  const deviceKey = opened.payload.get(LABELS.deviceKey);
  const ownerKey = opened.payload.get(LABELS.ownerKey);
  if (
    typeof lockId !== 'string' ||
    !(deviceKey instanceof Uint8Array) ||
    deviceKey.length !== 32 ||
    !(ownerKey instanceof Uint8Array) ||
    ownerKey.length !== 32
  ) {
    return { ok: false, error: 'not a provisioning answer' };
  }
  if (!opened.verify(deviceKey)) return { ok: false, error: 'not signed by the device key it carries' };
  return { ok: true, value: { lockId, deviceKey, ownerKey } };
}

// ---------------------------------------------------------------------------------------------
// Audit-log exports

/** A run of audit entries with what is needed to verify them. */
export interface AuditExport {
  lockId: string;
  /** Hash of the entry before the first one here (32 zero bytes before the very first entry). */
  anchor: Uint8Array;
  firstSeq: number;
  /** Entries as the lock stored them (CBOR). */
  entries: Uint8Array[];
  /** Device-key signature over logHeadMessage(lockId, last seq, last hash). */
  signature: Uint8Array;
}

export function logHeadMessage(lockId: string, lastSeq: number, lastHash: Uint8Array): Uint8Array {
  return encodeCbor([LOG_CONTEXT, lockId, lastSeq, lastHash]);
}

export function encodeAuditExport(e: AuditExport): Uint8Array {
  return encodeCbor([e.lockId, e.firstSeq, e.anchor, e.entries, e.signature]);
}

export function decodeAuditExport(bytes: Uint8Array): Verified<AuditExport> {
  const d = decodeStrict(bytes);
  if (!d.ok) return { ok: false, error: 'CBOR: ' + d.error };
  const v = d.value;
  if (!Array.isArray(v) || v.length !== 5) return { ok: false, error: 'not an audit export' };
  const [lockId, firstSeq, anchor, entries, signature] = v;
  if (typeof lockId !== 'string' || !isUint(firstSeq) || firstSeq < 1 || !(anchor instanceof Uint8Array) || anchor.length !== HASH_BYTES)
    return { ok: false, error: 'not an audit export' };
  if (!Array.isArray(entries) || !entries.every((e) => e instanceof Uint8Array) || !(signature instanceof Uint8Array))
    return { ok: false, error: 'not an audit export' };
  return { ok: true, value: { lockId, firstSeq, anchor, entries, signature } };
}

/** Joins consecutive exports (LOG chunks) into one; each must start where the previous ended. */
export function joinAuditExports(parts: AuditExport[], sha256: HashFunction): Verified<AuditExport> {
  if (parts.length === 0) return { ok: false, error: 'nothing to join' };
  let hash = parts[0].anchor;
  let next = parts[0].firstSeq;
  const entries: Uint8Array[] = [];
  for (const part of parts) {
    if (part.lockId !== parts[0].lockId || part.firstSeq !== next || !bytesEqual(part.anchor, hash))
      return { ok: false, error: `chunk at ${part.firstSeq} does not continue the previous one` };
    for (const e of part.entries) hash = chainHash(sha256, hash, e);
    entries.push(...part.entries);
    next += part.entries.length;
  }
  const last = parts[parts.length - 1];
  return { ok: true, value: { lockId: last.lockId, anchor: parts[0].anchor, firstSeq: parts[0].firstSeq, entries, signature: last.signature } };
}

/**
 * Verifies an export against the device public key: the chain from the anchor through every
 * entry, each entry's seq, and the signature over the last hash. Any changed byte fails.
 */
export function verifyAuditExport(
  e: AuditExport,
  devicePublicKey: Uint8Array,
  sha256: HashFunction,
): Verified<{ entries: AuditEntry[]; lastHash: Uint8Array }> {
  let hash = e.anchor;
  const entries: AuditEntry[] = [];
  for (let i = 0; i < e.entries.length; i++) {
    const bytes = e.entries[i];
    const d = decodeStrict(bytes);
    const v = d.ok ? d.value : undefined;
    if (!Array.isArray(v) || v.length !== 4 || v[0] !== e.firstSeq + i || !isUint(v[1]) || typeof v[2] !== 'string' || !(v[3] instanceof Map)) {
      return { ok: false, error: `entry ${e.firstSeq + i} is malformed or out of sequence` };
    }
    const detail: Record<string, AuditValue> = {};
    for (const [k, val] of v[3] as Map<unknown, unknown>) {
      if (typeof k !== 'string' || !['string', 'number', 'boolean'].includes(typeof val))
        return { ok: false, error: `entry ${e.firstSeq + i} has a bad detail` };
      detail[k] = val as AuditValue;
    }
    entries.push({ seq: v[0], at: v[1], event: v[2], detail });
    hash = chainHash(sha256, hash, bytes);
  }
  const lastSeq = e.firstSeq + e.entries.length - 1;
  if (!verifyEd25519(e.signature, logHeadMessage(e.lockId, lastSeq, hash), devicePublicKey)) {
    return { ok: false, error: 'the chain head signature does not verify under the device key' };
  }
  return { ok: true, value: { entries, lastHash: hash } };
}
