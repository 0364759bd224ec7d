// src/app.ts, the one wiring of a lock: what startLatchkey boots, and that the lock computes every
// hash with the HAL's functions (on the device: Moddable's native Digest), checked at boot.
// Portable (Node + XS).

import { expect } from 'chai';
import type { Hashes } from '../../hal/index.js';
import { portableHashes } from '../../sim/hal/index.js';
import { startLatchkey } from '../../src/app.js';
import { Rig, decision, tk, LOCK_ID } from './lock-fixtures.js';
import { TRUSTED } from './fixtures.js';

function counting(base: Hashes): Hashes & { calls: { sha256: number; sha512: number } } {
  const calls = { sha256: 0, sha512: 0 };
  return {
    calls,
    sha256: (m) => (calls.sha256++, base.sha256(m)),
    sha512: (m) => (calls.sha512++, base.sha512(m)),
  };
}

describe('startLatchkey (src/app.ts)', () => {
  it('boots fail-secure: bolt locked, self-test passed, the BLE service started', () => {
    const rig = new Rig({ bolt: 'unlocked' });
    rig.reboot();
    expect(rig.actuator.position).to.equal('locked');
    expect(rig.lock.selfTestPassed).to.equal(true);
    expect(rig.link.peripheral.started).to.equal(true);
  });

  it('computes the ticket signature, holder proof and replay id with the hardware hashes', () => {
    const rig = new Rig();
    const hashes = counting(portableHashes);
    rig.reboot({ ...rig.hardware(), hashes });
    const boot = { ...hashes.calls };
    expect(boot.sha256, 'boot self-test: SHA-256 known answers').to.be.at.least(4);
    expect(boot.sha512, 'boot self-test: SHA-512 known answers and Ed25519').to.be.at.least(4);
    expect(decision(rig.present(tk('fixture')))).to.equal('granted');
    // Two Ed25519 verifications (ticket, holder proof): one SHA-512 each; SHA-256 for the ticket
    // hash in the holder proof and for the replay id.
    expect(hashes.calls.sha512 - boot.sha512).to.equal(2);
    expect(hashes.calls.sha256 - boot.sha256).to.equal(2);
  });

  it('a wrong hash function fails the boot self-test, and the lock then grants nothing', () => {
    for (const broken of [
      { ...portableHashes, sha512: (m: Uint8Array) => portableHashes.sha512(m).map((b, i) => (i === 0 ? b ^ 1 : b)) },
      { ...portableHashes, sha256: (m: Uint8Array) => portableHashes.sha256(Uint8Array.of(...m, 0)) },
    ]) {
      const rig = new Rig();
      rig.reboot({ ...rig.hardware(), hashes: broken });
      expect(rig.lock.selfTestPassed).to.equal(false);
      expect(decision(rig.present(tk('fixture')))).to.equal('internal-error');
      expect(rig.actuator.position).to.equal('locked');
    }
  });

  it('a configuration the lock refuses throws before the radio starts', () => {
    const rig = new Rig();
    const hardware = rig.hardware();
    rig.link.peripheral.close();
    expect(() => startLatchkey(hardware, { lockId: LOCK_ID, issuers: TRUSTED, replayCapacity: 0 })).to.throw(RangeError);
    expect(rig.link.peripheral.started).to.equal(false);
  });
});
