// Owner administration for tools and backends: build signed provisioning bundles, admin commands
// and time statements; verify what a lock signs with its device key (provisioning answers, entry
// receipts, audit-log exports). Portable — no Node built-ins — so it runs in Node, in a browser
// and inside XS in the tests. The formats are in docs/admin.md.

import type { HashFunction } from '../hal/index.js';
import { encodeCbor } from '../src/cbor/encode.js';
import { ed25519PublicKey } from '../src/crypto/ed25519-sign.js';
import { portableHashes } from '../src/crypto/portable-hashes.js';
import type { CommandName } from '../src/admin/commands.js';
import { LABELS, signStatement } from '../src/admin/signed.js';
import { timeStatementPayload } from '../src/admin/time-statement.js';

export { COMMAND_NAMES, type CommandName } from '../src/admin/commands.js';
export {
  decodeAuditExport,
  encodeAuditExport,
  joinAuditExports,
  verifyAuditExport,
  verifyDeviceAnswer,
  verifyReceipt,
  type AuditExport,
  type DeviceAnswer,
  type Receipt,
} from '../src/admin/receipts.js';
export { ADMIN_REASONS, type AdminReason } from '../src/reasons.js';
export type { AuditEntry } from '../src/lock/audit-log.js';

/** An owner, admin or issuer key: COSE kid and 32-byte Ed25519 seed. */
export interface AdminSigner {
  kid: Uint8Array;
  seed: Uint8Array;
}

/** Argument values: text, integers, booleans, bytes, lists and nested objects (CBOR maps with text keys). */
export type ArgValue = string | number | boolean | Uint8Array | ArgValue[] | { [name: string]: ArgValue | undefined };

const sha512: HashFunction = portableHashes().sha512;

export function publicKeyOf(seed: Uint8Array): Uint8Array {
  return ed25519PublicKey(seed, sha512);
}

function toCbor(value: ArgValue): unknown {
  if (Array.isArray(value)) return value.map(toCbor);
  if (value instanceof Uint8Array || typeof value !== 'object') return value;
  const map = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value)) if (v !== undefined) map.set(k, toCbor(v));
  return map;
}

/** The payload of an admin command (exported for tests that sign malformed ones). */
export function adminPayload(lockId: string, seq: number, command: string, args: { [name: string]: ArgValue | undefined }): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [LABELS.lockId, lockId],
      [LABELS.seq, seq],
      [LABELS.command, command],
      [LABELS.args, toCbor(args)],
    ]),
  );
}

/** A signed admin command for the lock `lockId` with sequence number `seq`. */
export function buildAdminCommand(
  signer: AdminSigner,
  lockId: string,
  seq: number,
  command: CommandName,
  args: { [name: string]: ArgValue | undefined } = {},
): Uint8Array {
  return signAdminPayload(signer, adminPayload(lockId, seq, command, args));
}

export function signAdminPayload(signer: AdminSigner, payload: Uint8Array): Uint8Array {
  return signStatement('admin', signer.kid, signer.seed, payload, sha512);
}

/**
 * A provisioning bundle: sets the owner key (the signer's), the lock ID and initial settings and
 * issuers on an unprovisioned lock.
 */
export function buildProvisioning(
  owner: AdminSigner,
  lockId: string,
  seq: number,
  initial: { settings?: { [name: string]: ArgValue | undefined }; issuers?: { [name: string]: ArgValue | undefined }[] } = {},
): Uint8Array {
  return buildAdminCommand(owner, lockId, seq, 'provision', { owner: publicKeyOf(owner.seed), settings: initial.settings, issuers: initial.issuers });
}

/** A time statement for the lock's current challenge (read from its CHALLENGE message). */
export function buildTimeStatement(signer: AdminSigner, lockId: string, challenge: Uint8Array, time: number): Uint8Array {
  return signStatement('time', signer.kid, signer.seed, timeStatementPayload(lockId, challenge, time), sha512);
}
