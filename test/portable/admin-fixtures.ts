// Shared helpers for the owner-administration suites (portable: Node and XS). Admin commands are
// signed with the portable signer in src/crypto (BigInt, cheap in XS); tickets come from the
// cached catalogue in lock-fixtures.ts where possible, since tweetnacl signing is slow in XS.

import { buildAdminCommand, buildProvisioning, publicKeyOf, type AdminSigner, type ArgValue } from '../../issuer/admin.js';
import { MemoryStorage } from '../../sim/hal/index.js';
import { encodeClaims, publicKeyFromSeed, signSign1, type SigningKey, type TicketFields } from '../../issuer/ticket.js';
import type { AdminAnswer } from '../../src/admin/administration.js';
import type { CommandName } from '../../src/admin/commands.js';
import { decodeStrict } from '../../src/cbor/decode.js';
import { encodeCbor } from '../../src/cbor/encode.js';
import { CLAIM_CNONCE } from '../../src/ticket.js';
import { ISSUER, LOCK_ID, OTHER_ISSUER, ascii, fields, seed } from './fixtures.js';
import { Rig, type RigOptions } from './lock-fixtures.js';

export const OWNER: AdminSigner = { kid: ascii('owner-1'), seed: seed(0x10) };
export const DEPUTY: AdminSigner = { kid: ascii('deputy-1'), seed: seed(0x11) };
/** Claims the owner's kid with another key. */
export const IMPOSTOR: AdminSigner = { kid: ascii('owner-1'), seed: seed(0x12) };

export function issuerArg(key: SigningKey, name: string, scope?: { [k: string]: ArgValue | undefined }): { [k: string]: ArgValue | undefined } {
  return { kid: key.kid, key: publicKeyFromSeed(key.seed), name, scope };
}

/** Fridays (ISO bit 4) — NOW (1_800_000_000) is Friday 2027-01-15 08:00 UTC. */
export const FRIDAY = 1 << 4;

/** An administered lock, provisioned by OWNER with ISSUER (and OTHER_ISSUER) unless told otherwise. */
export class AdminRig extends Rig {
  seq = 100;
  provisioning: AdminAnswer | undefined;

  constructor(
    options: RigOptions & { provision?: false | { settings?: { [k: string]: ArgValue | undefined }; issuers?: { [k: string]: ArgValue | undefined }[] } } = {},
  ) {
    super({ ...options, lock: { administered: true, ...options.lock } });
    if (options.provision !== false) {
      const initial = options.provision ?? {};
      this.provisioning = this.lock.administer(
        buildProvisioning(OWNER, LOCK_ID, this.seq, {
          settings: initial.settings,
          issuers: initial.issuers ?? [issuerArg(ISSUER, 'parcel-co'), issuerArg(OTHER_ISSUER, 'clean-co')],
        }),
      );
      if (this.provisioning.reason !== 'done') throw new Error('provisioning failed: ' + this.provisioning.detail);
    }
  }

  /** Builds and sends one admin command with the next sequence number. */
  admin(command: CommandName, args: { [k: string]: ArgValue | undefined } = {}, signer: AdminSigner = OWNER, seq = ++this.seq, lockId = LOCK_ID): AdminAnswer {
    return this.lock.administer(buildAdminCommand(signer, lockId, seq, command, args));
  }
}

/** A ticket with a cnonce claim (RFC 9200) bound to `challenge`. */
export function cnonceTicket(challenge: Uint8Array, overrides: Partial<TicketFields> = {}, key: SigningKey = ISSUER): Uint8Array {
  const decoded = decodeStrict(encodeClaims(fields(overrides)));
  const claims = (decoded as { ok: true; value: Map<number, unknown> }).value;
  claims.set(CLAIM_CNONCE, challenge);
  return signSign1(key, encodeCbor(claims));
}

export { publicKeyOf, MemoryStorage };
