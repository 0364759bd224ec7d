// Property tests (fast-check) for what parses untrusted bytes in owner administration: admin
// commands (random bytes, one changed byte, random arguments), the stored owner record, audit-log
// pages and BLE admin bodies. None may throw; none may accept what it should not. Modest run
// counts (XS is slow), fixed seed.

import { expect } from 'chai';
import fc from 'fast-check';
import { adminPayload, buildAdminCommand, signAdminPayload } from '../../issuer/admin.js';
import { MemoryStorage } from '../../sim/hal/index.js';
import { authorise } from '../../src/admin/commands.js';
import { decodeOwnerConfig } from '../../src/admin/owner-record.js';
import { decodeAuditExport } from '../../src/admin/receipts.js';
import { decodeAdminResult, decodeLogRead, decodeSigned } from '../../src/ble/admin-messages.js';
import { encodeCbor } from '../../src/cbor/encode.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { AuditLog } from '../../src/lock/audit-log.js';
import { ADMIN_REASONS } from '../../src/reasons.js';
import { AdminRig, OWNER } from './admin-fixtures.js';
import { LOCK_ID } from './fixtures.js';

const SEED = 20261130;
const runs = (numRuns: number) => ({ numRuns, seed: SEED });
const sha256 = portableHashes().sha256;
const config = () => new AdminRig().lock.admin!.current!;

const { v: argValue } = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.integer({ min: -5, max: 2000 }),
    fc.constantFrom('cti', 'sub', 'key', 'issued-before', 'x'),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('kid', 'key', 'days', 'from', 'to', 'schedules', 'maxUses', 'kind', 'until', 'start', 'end'), tie('v'), { maxKeys: 4 }),
  ),
}));

describe('owner administration: properties', () => {
  it('random bytes are never an accepted command, and never throw', () => {
    const c = config();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = authorise(bytes, c);
        expect(r.ok).to.equal(false);
      }),
      runs(200),
    );
  });

  it('a valid command with any one byte changed is refused', () => {
    const c = config();
    const command = buildAdminCommand(OWNER, LOCK_ID, 10_000, 'settings', { relockSeconds: 9 });
    expect(authorise(command, c).ok).to.equal(true);
    fc.assert(
      fc.property(fc.nat(command.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const changed = Uint8Array.from(command);
        changed[at] ^= xor;
        expect(authorise(changed, c).ok, `byte ${at}`).to.equal(false);
      }),
      runs(40),
    );
  });

  it('signed commands with random arguments never throw: accepted or refused with a known code', () => {
    const c = config();
    const names = ['add-issuer', 'set-scope', 'settings', 'revoke', 'delegate', 'withdraw', 'rotate-issuer', 'remove-issuer', 'read-log'];
    const codes = Object.keys(ADMIN_REASONS);
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.dictionary(
          fc.constantFrom('kid', 'key', 'name', 'scope', 'kind', 'cti', 'sub', 'until', 'before', 'relockSeconds', 'doNotDisturb', 'from'),
          argValue,
          { maxKeys: 4 },
        ),
        (name, args) => {
          const command = signAdminPayload(
            OWNER,
            encodeCbor(
              new Map<number, unknown>([
                [1, LOCK_ID],
                [2, 10_000],
                [3, name],
                [4, new Map(Object.entries(args))],
              ]),
            ),
          );
          const r = authorise(command, c);
          if (!r.ok) expect(codes).to.include(r.reason);
        },
      ),
      runs(25),
    );
    expect(authorise(signAdminPayload(OWNER, adminPayload(LOCK_ID, 10_000, 'settings', { relockSeconds: 9 })), c).ok).to.equal(true);
  });

  it('a stored owner record of random bytes is refused as damaged, never thrown', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeOwnerConfig(bytes)).to.be.a('string');
      }),
      runs(300),
    );
  });

  it('audit-log pages of random bytes load as damaged pages; the log keeps working', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const storage = new MemoryStorage();
        storage.set('lk.log.1', bytes);
        const log = new AuditLog(storage, sha256, { pages: 2, pageBytes: 256 });
        log.append(1, 'boot', {}, true);
        expect(log.lastSeq).to.be.at.least(1);
      }),
      runs(200),
    );
  });

  it('BLE admin bodies and export chunks of random bytes decode or refuse, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const decode of [decodeSigned, decodeAdminResult, decodeLogRead]) expect(decode(bytes).ok).to.be.a('boolean');
        expect(decodeAuditExport(bytes).ok).to.be.a('boolean');
      }),
      runs(300),
    );
  });
});
