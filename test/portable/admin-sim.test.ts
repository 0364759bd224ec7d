// The whole owner story in the simulator, over the virtual BLE link: provision a new lock from the
// owner's phone, two delivery companies and a cleaner with different scopes, a revoked courier, a
// do-not-disturb refusal, a signed receipt, and the exported log verified. Portable: Node and XS.

import { expect } from 'chai';
import {
  buildAdminCommand,
  buildProvisioning,
  buildTimeStatement,
  joinAuditExports,
  verifyAuditExport,
  verifyDeviceAnswer,
  verifyReceipt,
} from '../../issuer/admin.js';
import { Simulator } from '../../sim/simulator.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { FRIDAY, OWNER, issuerArg } from './admin-fixtures.js';
import { HOLDER_SEED, ISSUER, LOCK_ID, NOW, OTHER_ISSUER, ticket, ascii } from './fixtures.js';
import { presentCached, tk, verdict } from './lock-fixtures.js';

const sha256 = portableHashes().sha256;
const WEEKDAYS = 0x1f;

describe('owner administration in the simulator', () => {
  it('provision, scopes, revocation, do-not-disturb, receipts and the verified log', () => {
    const sim = new Simulator({ lock: { administered: true, issuers: [] }, startTime: NOW, holderSeed: HOLDER_SEED });
    expect(verdict(presentCached(sim, tk('fixture'))), 'a new lock opens for nobody').to.equal('not-provisioned');
    let seq = 1;
    const provisioned = sim.admin(
      buildProvisioning(OWNER, LOCK_ID, seq, {
        issuers: [
          issuerArg(ISSUER, 'parcel-co', { schedules: [{ days: WEEKDAYS, from: 8 * 60, to: 20 * 60 }] }),
          issuerArg(OTHER_ISSUER, 'clean-co', { schedules: [{ days: FRIDAY, from: 9 * 60, to: 12 * 60 }], maxUses: 2 }),
        ],
      }),
      'provision',
    );
    expect(provisioned.result).to.equal('done');
    const device = verifyDeviceAnswer(provisioned.data!);
    expect(device.ok).to.equal(true);
    const deviceKey = device.ok ? device.value.deviceKey : new Uint8Array(32);

    const delivery = presentCached(sim, tk('fixture'));
    expect(verdict(delivery), 'parcel-co, Friday 08:00').to.equal('granted');
    const receipt = verifyReceipt(delivery.receipt!, deviceKey);
    expect(receipt.ok && receipt.value.sub).to.equal('courier-42');
    sim.wait(10_000);

    const cleaner = ticket({ cti: ascii('clean-0001'), courier: 'cleaner-3' }, OTHER_ISSUER);
    expect(verdict(presentCached(sim, cleaner)), 'clean-co only from 09:00').to.equal('outside-scope');

    expect(
      sim.admin(
        buildAdminCommand(OWNER, LOCK_ID, ++seq, 'revoke', { kind: 'sub', kid: ISSUER.kid, sub: 'courier-42', until: NOW + 86400 }),
        'revoke courier-42',
      ).result,
    ).to.equal('done');
    expect(verdict(presentCached(sim, tk('second'))), 'courier-42 revoked').to.equal('revoked');

    expect(
      sim.admin(
        buildAdminCommand(OWNER, LOCK_ID, ++seq, 'settings', { doNotDisturb: { schedules: [{ days: 0x7f, from: 8 * 60, to: 8 * 60 + 30 }] } }),
        'do-not-disturb',
      ).result,
    ).to.equal('done');
    expect(verdict(presentCached(sim, ticket({ cti: ascii('parcel-0099'), courier: 'courier-7' }))), 'do-not-disturb').to.equal('do-not-disturb');

    expect(sim.setTimeSigned((challenge) => buildTimeStatement(OWNER, LOCK_ID, challenge, NOW + 60)).result, 'signed time, not below the mark').to.equal(
      'done',
    );

    const exported = sim.exportLog(buildAdminCommand(OWNER, LOCK_ID, ++seq, 'read-log', { from: 1 }));
    expect(exported.outcome.result).to.equal('done');
    const joined = joinAuditExports(exported.chunks, sha256);
    expect(joined.ok).to.equal(true);
    if (!joined.ok) return;
    const verified = verifyAuditExport(joined.value, deviceKey, sha256);
    expect(verified.ok).to.equal(true);
    if (!verified.ok) return;
    const story = verified.value.entries.map((e) =>
      e.event === 'refused' ? `refused:${e.detail.reason}` : e.event === 'admin' ? `admin:${e.detail.command}` : e.event,
    );
    expect(story).to.deep.equal([
      'boot',
      'refused:not-provisioned',
      'provisioned',
      'granted',
      'refused:outside-scope',
      'admin:revoke',
      'refused:revoked',
      'admin:settings',
      'refused:do-not-disturb',
      'clock-set',
      'admin:read-log',
    ]);
    expect(sim.timeline.some((l) => l.text.includes('read-log: done'))).to.equal(true);
  });
});
