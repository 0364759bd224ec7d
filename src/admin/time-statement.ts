// Signed time: how a lock whose RTC lost power (clock-untrusted) gets the time back without a
// network. The owner, an admin or a trusted issuer signs { 1: lock ID, 5: challenge, 6: time }
// (AAD "Latchkey time statement v1"); the challenge is the one the lock sent on this very
// connection, so a statement cannot be replayed later, when its time would be stale. The lock
// never moves its clock below its persisted high-water mark.

import { bytesEqual } from '../bytes.js';
import { encodeCbor } from '../cbor/encode.js';
import type { AdminReason } from '../reasons.js';
import { LABELS, openStatement } from './signed.js';

export interface TimeSigner {
  kid: Uint8Array;
  publicKey: Uint8Array;
}

export function timeStatementPayload(lockId: string, challenge: Uint8Array, time: number): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [LABELS.lockId, lockId],
      [LABELS.challenge, challenge],
      [LABELS.time, time],
    ]),
  );
}

export type TimeDecision = { ok: true; time: number; signer: Uint8Array } | { ok: false; reason: AdminReason; detail: string };

export function checkTimeStatement(
  bytes: Uint8Array,
  context: { lockId: string; challenge: Uint8Array; mark: number; signers: readonly TimeSigner[] },
): TimeDecision {
  const opened = openStatement('time', bytes);
  if (typeof opened === 'string') return { ok: false, reason: 'bad-command', detail: opened };
  const lockId = opened.payload.get(LABELS.lockId);
  const challenge = opened.payload.get(LABELS.challenge);
  const time = opened.payload.get(LABELS.time);
  if (
    opened.payload.size !== 3 ||
    typeof lockId !== 'string' ||
    !(challenge instanceof Uint8Array) ||
    typeof time !== 'number' ||
    !Number.isInteger(time) ||
    time < 0 ||
    time > 0xffffffff
  ) {
    return { ok: false, reason: 'bad-command', detail: 'not a time statement' };
  }
  const signer = context.signers.find((s) => bytesEqual(s.kid, opened.kid));
  if (signer === undefined) return { ok: false, reason: 'unknown-key', detail: 'no owner, admin or issuer key with this kid' };
  if (!opened.verify(signer.publicKey)) return { ok: false, reason: 'bad-signature', detail: 'signature does not verify' };
  if (lockId !== context.lockId) return { ok: false, reason: 'wrong-lock', detail: `statement is for "${lockId}"` };
  if (!bytesEqual(challenge, context.challenge)) return { ok: false, reason: 'bad-time', detail: "not bound to this connection's challenge" };
  if (time < context.mark) return { ok: false, reason: 'bad-time', detail: `time ${time} is below the high-water mark ${context.mark}` };
  return { ok: true, time, signer: signer.kid };
}
