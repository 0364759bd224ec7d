// Owner administration on the lock (docs/admin.md): provisioning and the device key, signed admin
// commands (replay, other lock, wrong or withdrawn key, sequence numbers), issuer scopes,
// do-not-disturb, revocation, signed time, cnonce tickets, receipts and the audit log, and a
// power cut at every write of an admin command. Portable: Node and XS.

import { expect } from 'chai';
import {
  buildAdminCommand,
  buildProvisioning,
  buildTimeStatement,
  type ArgValue,
  type CommandName,
  decodeAuditExport,
  verifyAuditExport,
  verifyDeviceAnswer,
  verifyReceipt,
} from '../../issuer/admin.js';
import { MemoryStorage } from '../../sim/hal/index.js';
import { publicKeyFromSeed } from '../../issuer/ticket.js';
import { decodeOwnerConfig, encodeOwnerConfig, loadOwnerConfig } from '../../src/admin/owner-record.js';
import { toHex } from '../../src/bytes.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { KEY_DEVICE, KEY_OWNER } from '../../src/lock/records.js';
import { AdminRig, DEPUTY, FRIDAY, IMPOSTOR, OWNER, cnonceTicket, issuerArg } from './admin-fixtures.js';
import { ISSUER, LOCK_ID, NOW, OTHER_ISSUER, ascii, ticket } from './fixtures.js';
import { FIXED_CHALLENGE, decision, holderProof, tk } from './lock-fixtures.js';

const sha256 = portableHashes().sha256;
const granted = (rig: AdminRig, t: Uint8Array): string => {
  const d = decision(rig.present(t));
  rig.wait(6000);
  return d;
};

describe('owner administration', () => {
  describe('provisioning', () => {
    it('an unprovisioned lock refuses every ticket (not-provisioned), keeps the bolt locked and advertises no lock ID', () => {
      const rig = new AdminRig({ provision: false });
      expect(rig.lock.lockId).to.equal('');
      expect(decision(rig.present(tk('fixture')))).to.equal('not-provisioned');
      expect(rig.actuator.position).to.equal('locked');
      expect(rig.lock.backoff.failures, "not the presenter's fault").to.equal(0);
      expect(rig.lock.administer(buildAdminCommand(OWNER, LOCK_ID, 1, 'add-issuer', issuerArg(ISSUER, 'x'))).reason, 'only provisioning').to.equal(
        'wrong-state',
      );
    });

    it('provisioning sets owner, lock ID and settings; the device key comes from Random and only its public half leaves', () => {
      const rig = new AdminRig({ provision: { settings: { relockSeconds: 7 }, issuers: [issuerArg(ISSUER, 'parcel-co')] } });
      const answer = rig.provisioning!;
      expect([answer.reason, answer.seq]).to.deep.equal(['done', 100]);
      const device = verifyDeviceAnswer(answer.data!);
      expect(device.ok).to.equal(true);
      if (!device.ok) return;
      expect(device.value.lockId).to.equal(LOCK_ID);
      expect(device.value.ownerKey).to.deep.equal(publicKeyFromSeed(OWNER.seed));
      expect(device.value.deviceKey).to.deep.equal(rig.lock.admin!.devicePublicKey);
      const seedBytes = rig.storage.peek(KEY_DEVICE)!.subarray(1);
      expect(toHex(seedBytes), 'the seed came from the hardware RNG (FixedRandom here)').to.equal(toHex(FIXED_CHALLENGE));
      expect(toHex(answer.data!)).not.to.include(toHex(seedBytes));
      expect(rig.lock.lockId).to.equal(LOCK_ID);
      expect(granted(rig, tk('fixture'))).to.equal('granted');
      expect(rig.log.find('unlocked').pop()).to.deep.include({ relockMs: 7000 });
    });

    it('a second provisioning is refused; a bundle not signed by the owner key it installs is refused', () => {
      const rig = new AdminRig();
      expect(rig.lock.administer(buildProvisioning(OWNER, LOCK_ID, 500)).reason).to.equal('wrong-state');
      const fresh = new AdminRig({ provision: false });
      const forged = buildAdminCommand(IMPOSTOR, LOCK_ID, 1, 'provision', { owner: publicKeyFromSeed(OWNER.seed) });
      expect(fresh.lock.administer(forged).reason).to.equal('bad-signature');
      expect(fresh.lock.lockId).to.equal('');
    });

    it('factory reset (the button held at boot) erases owner, device key and audit log: unprovisioned again', () => {
      const rig = new AdminRig();
      expect(rig.storage.keys()).to.include.members([KEY_OWNER, KEY_DEVICE]);
      let held = true;
      rig.lock.close();
      const reset = new AdminRig({ storage: rig.storage, provision: false, lock: { resetButton: { heldAtBoot: () => held } } });
      expect(reset.lock.lockId).to.equal('');
      expect(reset.storage.peek(KEY_OWNER)).to.equal(undefined);
      expect(reset.storage.peek(KEY_DEVICE)).to.equal(undefined);
      expect(decision(reset.present(tk('fixture')))).to.equal('not-provisioned');
      held = false;
      expect(reset.lock.administer(buildProvisioning(OWNER, LOCK_ID, 1)).reason, 'a new owner may provision').to.equal('done');
    });

    it('a provisioned lock survives a reboot with its configuration', () => {
      const rig = new AdminRig();
      rig.reboot();
      expect(rig.lock.lockId).to.equal(LOCK_ID);
      expect(granted(rig, tk('fixture'))).to.equal('granted');
    });
  });

  describe('signed admin commands', () => {
    it('a command replayed, or with a sequence number reused or lower, is refused (stale-sequence)', () => {
      const rig = new AdminRig();
      const command = buildAdminCommand(OWNER, LOCK_ID, 200, 'settings', { relockSeconds: 9 });
      expect(rig.lock.administer(command).reason).to.equal('done');
      expect(rig.lock.administer(command).reason, 'replayed').to.equal('stale-sequence');
      expect(rig.admin('settings', { relockSeconds: 8 }, OWNER, 200).reason, 'reused').to.equal('stale-sequence');
      expect(rig.admin('settings', { relockSeconds: 8 }, OWNER, 150).reason, 'lower').to.equal('stale-sequence');
      expect(rig.admin('settings', { relockSeconds: 8 }, OWNER, 201).reason, 'higher').to.equal('done');
      rig.reboot();
      expect(rig.lock.administer(command).reason, 'after a reboot too').to.equal('stale-sequence');
    });

    it('a command for another lock is refused (wrong-lock)', () => {
      const rig = new AdminRig();
      expect(rig.admin('settings', { relockSeconds: 9 }, OWNER, 300, 'lock:14-rue-des-lilas/door-a').reason).to.equal('wrong-lock');
    });

    it('an unknown key, a wrong key under a known kid and a withdrawn admin key are refused', () => {
      const rig = new AdminRig();
      expect(rig.admin('settings', { relockSeconds: 9 }, DEPUTY).reason, 'not delegated').to.equal('unknown-key');
      expect(rig.admin('settings', { relockSeconds: 9 }, IMPOSTOR).reason, 'owner kid, other key').to.equal('bad-signature');
      expect(rig.admin('delegate', { kid: DEPUTY.kid, key: publicKeyFromSeed(DEPUTY.seed) }).reason).to.equal('done');
      expect(rig.admin('settings', { relockSeconds: 9 }, DEPUTY).reason, 'delegated').to.equal('done');
      expect(rig.admin('delegate', { kid: ascii('x'), key: publicKeyFromSeed(ISSUER.seed) }, DEPUTY).reason, 'admins do not delegate').to.equal(
        'not-permitted',
      );
      const signedBeforeWithdrawal = buildAdminCommand(DEPUTY, LOCK_ID, 10_000, 'settings', { relockSeconds: 4 });
      expect(rig.admin('withdraw', { kid: DEPUTY.kid }).reason).to.equal('done');
      expect(rig.lock.administer(signedBeforeWithdrawal).reason, 'withdrawn').to.equal('unknown-key');
      expect(rig.admin('withdraw', { kid: OWNER.kid }).reason, 'the owner stays').to.equal('not-permitted');
    });

    it('malformed commands and arguments are refused with a code, and change nothing', () => {
      const rig = new AdminRig();
      const before = toHex(rig.storage.peek(KEY_OWNER)!);
      expect(rig.lock.administer(Uint8Array.of(0xd2, 0x84)).reason).to.equal('bad-command');
      expect(rig.lock.administer(tk('fixture')).reason, 'a ticket is not a command').to.equal('bad-command');
      expect(rig.admin('settings', { relockSeconds: 0 }).reason).to.equal('bad-arguments');
      expect(rig.admin('settings', { colour: 'red' }).reason).to.equal('bad-arguments');
      expect(rig.admin('set-scope', { kid: ISSUER.kid, scope: { schedules: [{ days: 0, from: 0, to: 60 }] } }).reason).to.equal('bad-arguments');
      expect(rig.admin('remove-issuer', { kid: ascii('nobody') }).reason).to.equal('unknown-issuer');
      expect(toHex(rig.storage.peek(KEY_OWNER)!)).to.equal(before);
    });

    it('add, rotate and remove issuer keys', () => {
      const rig = new AdminRig({ provision: { issuers: [] } });
      expect(granted(rig, tk('fixture'))).to.equal('unknown-issuer');
      expect(rig.admin('add-issuer', issuerArg(OTHER_ISSUER, 'parcel-co', undefined)).reason).to.equal('done');
      // Rotating issuer-2's entry to ISSUER's key and kid: tickets of issuer-1 now verify.
      expect(rig.admin('rotate-issuer', { kid: OTHER_ISSUER.kid, key: publicKeyFromSeed(ISSUER.seed), newKid: ISSUER.kid }).reason).to.equal('done');
      expect(granted(rig, tk('fixture'))).to.equal('granted');
      expect(rig.admin('remove-issuer', { kid: ISSUER.kid }).reason).to.equal('done');
      expect(granted(rig, tk('second'))).to.equal('unknown-issuer');
    });
  });

  describe('scopes and do-not-disturb', () => {
    it("inside the issuer's days and hours: granted; the same instant in another time zone offset: outside-scope", () => {
      const scope = { schedules: [{ days: FRIDAY, from: 8 * 60, to: 9 * 60 }] };
      const rig = new AdminRig({ provision: { issuers: [issuerArg(ISSUER, 'parcel-co', scope)] } });
      expect(granted(rig, tk('fixture')), 'Friday 08:00 UTC').to.equal('granted');
      expect(rig.admin('settings', { tzOffsetMinutes: 60 }).reason).to.equal('done');
      expect(granted(rig, tk('second')), 'Friday 09:00 at UTC+1').to.equal('outside-scope');
      expect(rig.admin('settings', { tzOffsetMinutes: -60 }).reason).to.equal('done');
      expect(granted(rig, tk('second')), 'Friday 07:00 at UTC−1').to.equal('outside-scope');
      expect(rig.admin('set-scope', { kid: ISSUER.kid, scope: { schedules: [{ days: FRIDAY, from: 7 * 60, to: 8 * 60 }] } }).reason).to.equal('done');
      expect(granted(rig, tk('second')), 'Friday 07:00 at UTC−1, scope 07:00–08:00').to.equal('granted');
      expect(rig.lock.backoff.failures, 'scope refusals are not counted against the courier').to.equal(0);
    });

    it("the issuer's longest window and uses per ticket", () => {
      const rig = new AdminRig({ provision: { issuers: [issuerArg(ISSUER, 'parcel-co', { maxWindowSeconds: 3600, maxUses: 2 })] } });
      expect(granted(rig, tk('fixture')), 'window 4200 s > 3600 s').to.equal('window-too-long');
      expect(granted(rig, tk('shortA')), 'use 1').to.equal('granted');
      expect(granted(rig, tk('shortA')), 'use 2').to.equal('granted');
      expect(granted(rig, tk('shortA')), 'use 3').to.equal('replayed');
      rig.reboot();
      expect(granted(rig, tk('shortA')), 'uses are durable').to.equal('replayed');
    });

    it('do-not-disturb overrides every scope: daily hours and absolute periods', () => {
      const rig = new AdminRig();
      expect(rig.admin('settings', { doNotDisturb: { schedules: [{ days: 0x7f, from: 7 * 60 + 30, to: 8 * 60 + 1 }] } }).reason).to.equal('done');
      expect(granted(rig, tk('fixture'))).to.equal('do-not-disturb');
      expect(rig.admin('settings', { doNotDisturb: { periods: [{ start: NOW + 3600, end: NOW + 7 * 86400 }] } }).reason).to.equal('done');
      expect(granted(rig, tk('fixture')), 'holidays start in an hour').to.equal('granted');
      rig.wait(3600_000);
      expect(granted(rig, tk('second')), 'on holiday').to.equal('do-not-disturb');
    });
  });

  describe('revocation', () => {
    it("one ticket (cti), one courier (sub), and an issuer's tickets issued before a time", () => {
      const rig = new AdminRig();
      expect(rig.admin('revoke', { kind: 'cti', kid: ISSUER.kid, cti: ascii('ticket-0001'), until: NOW + 3600 }).reason).to.equal('done');
      expect(granted(rig, tk('fixture'))).to.equal('revoked');
      expect(granted(rig, tk('second')), 'another ticket').to.equal('granted');
      expect(rig.admin('revoke', { kind: 'sub', kid: ISSUER.kid, sub: 'courier-42', until: NOW + 86400 }).reason).to.equal('done');
      expect(granted(rig, tk('third')), 'courier-42 revoked').to.equal('revoked');
      expect(granted(rig, ticket({ cti: ascii('by-other-courier'), courier: 'courier-7' })), 'courier-7 still welcome').to.equal('granted');
      expect(rig.admin('revoke', { kind: 'issued-before', kid: OTHER_ISSUER.kid, before: NOW }).reason).to.equal('done');
      expect(granted(rig, ticket({ cti: ascii('old-clean-0001'), courier: 'cleaner-1' }, OTHER_ISSUER)), 'issued NOW − 900').to.equal('revoked');
      expect(granted(rig, ticket({ cti: ascii('new-clean-0001'), courier: 'cleaner-1', issuedAt: NOW }, OTHER_ISSUER)), 'issued NOW').to.equal('granted');
      rig.reboot();
      expect(granted(rig, tk('fixture')), 'durable').to.equal('revoked');
    });

    it('an issuer key: no longer trusted, and cannot be added back', () => {
      const rig = new AdminRig();
      expect(rig.admin('revoke', { kind: 'key', kid: ISSUER.kid }).reason).to.equal('done');
      expect(granted(rig, tk('fixture'))).to.equal('unknown-issuer');
      expect(rig.admin('add-issuer', issuerArg(ISSUER, 'again')).reason).to.equal('bad-arguments');
      expect(rig.admin('add-issuer', { ...issuerArg(ISSUER, 'again'), kid: ascii('fresh-kid') }).reason, 'not under another kid either').to.equal(
        'bad-arguments',
      );
    });

    it('a full store refuses the next revocation (store-full) and keeps every entry; expired entries make room', () => {
      const rig = new AdminRig();
      for (let i = 0; i < 64; i++)
        expect(rig.admin('revoke', { kind: 'cti', kid: ISSUER.kid, cti: ascii(`cti-${String(i).padStart(6, '0')}`), until: NOW + 600 }).reason).to.equal(
          'done',
        );
      const full = rig.admin('revoke', { kind: 'cti', kid: ISSUER.kid, cti: ascii('ticket-0001'), until: NOW + 3600 });
      expect(full.reason).to.equal('store-full');
      expect(rig.lock.admin!.current!.revocations).to.have.length(64);
      rig.wait((600 + 61) * 1000); // until + skew has passed: nothing those entries cover can be valid
      expect(rig.admin('revoke', { kind: 'cti', kid: ISSUER.kid, cti: ascii('ticket-0001'), until: NOW + 3600 }).reason).to.equal('done');
      expect(rig.lock.admin!.current!.revocations).to.have.length(1);
    });
  });

  describe('signed time and cnonce tickets', () => {
    it('an owner- or issuer-signed time bound to the challenge recovers a lock whose RTC lost power', () => {
      const rig = new AdminRig();
      expect(granted(rig, tk('fixture'))).to.equal('granted');
      rig.time.rtcPowerLoss();
      rig.reboot();
      expect(granted(rig, tk('second'))).to.equal('clock-untrusted');
      const mark = rig.lock.clockGuard.mark;
      expect(rig.lock.setTime(buildTimeStatement(OWNER, LOCK_ID, FIXED_CHALLENGE, mark - 1), FIXED_CHALLENGE).reason, 'below the mark').to.equal('bad-time');
      expect(rig.lock.setTime(buildTimeStatement(OWNER, LOCK_ID, new Uint8Array(32), NOW + 10), FIXED_CHALLENGE).reason, 'another challenge').to.equal(
        'bad-time',
      );
      expect(rig.lock.setTime(buildTimeStatement(DEPUTY, LOCK_ID, FIXED_CHALLENGE, NOW + 10), FIXED_CHALLENGE).reason, 'unknown signer').to.equal(
        'unknown-key',
      );
      expect(rig.lock.setTime(buildTimeStatement(OWNER, 'lock:elsewhere', FIXED_CHALLENGE, NOW + 10), FIXED_CHALLENGE).reason).to.equal('wrong-lock');
      expect(granted(rig, tk('second')), 'still untrusted').to.equal('clock-untrusted');
      expect(rig.lock.setTime(buildTimeStatement(ISSUER, LOCK_ID, FIXED_CHALLENGE, NOW + 10), FIXED_CHALLENGE).reason, 'an issuer may sign time').to.equal(
        'done',
      );
      expect(rig.time.clock.now()).to.equal(NOW + 10);
      expect(granted(rig, tk('second'))).to.equal('granted');
      expect(rig.log.find('clock-set')).to.have.length(1);
    });

    it('cnonce tickets: refused while off (the default), accepted on an untrusted clock once the owner enables them', () => {
      const rig = new AdminRig();
      rig.time.rtcPowerLoss();
      rig.reboot();
      const t = cnonceTicket(FIXED_CHALLENGE, { cti: ascii('cnonce-0001'), notBefore: NOW, expires: NOW + 120, issuedAt: NOW });
      expect(granted(rig, t), 'off by default').to.equal('clock-untrusted');
      expect(rig.admin('settings', { cnonceTickets: true }).reason).to.equal('done');
      expect(granted(rig, t)).to.equal('granted');
      expect(granted(rig, tk('fixture')), 'a ticket without cnonce needs the clock').to.equal('bad-cnonce');
      const otherChallenge = cnonceTicket(new Uint8Array(32).fill(9), { cti: ascii('cnonce-0002'), notBefore: NOW, expires: NOW + 120, issuedAt: NOW });
      expect(granted(rig, otherChallenge)).to.equal('bad-cnonce');
      const long = cnonceTicket(FIXED_CHALLENGE, { cti: ascii('cnonce-0003'), notBefore: NOW, expires: NOW + 3600, issuedAt: NOW });
      expect(granted(rig, long), 'longer than the cnonce window').to.equal('window-too-long');
    });
  });

  describe('receipts and the audit log', () => {
    it('each grant returns a receipt signed by the device key; any changed byte is detected', () => {
      const rig = new AdminRig();
      const result = rig.present(tk('fixture'));
      expect(result.granted).to.equal(true);
      const receipt = result.granted ? result.receipt! : new Uint8Array(0);
      const device = rig.lock.admin!.devicePublicKey!;
      const checked = verifyReceipt(receipt, device);
      expect(checked.ok).to.equal(true);
      if (checked.ok) expect(checked.value).to.deep.include({ lockId: LOCK_ID, time: NOW, sub: 'courier-42', result: 'granted' });
      if (checked.ok) expect(toHex(checked.value.cti)).to.equal(toHex(ascii('ticket-0001')));
      // Every byte (every 5th inside XS, where each check costs a signature verification).
      for (let i = 0; i < receipt.length; i += typeof process === 'undefined' ? 5 : 1) {
        const changed = Uint8Array.from(receipt);
        changed[i] ^= 0x01;
        expect(verifyReceipt(changed, device).ok, `byte ${i}`).to.equal(false);
      }
    });

    it('grants, refusals, admin commands and boots are in the exported log, which verifies; any changed byte is detected', () => {
      const rig = new AdminRig();
      expect(granted(rig, tk('fixture'))).to.equal('granted');
      expect(granted(rig, tk('fixture'))).to.equal('replayed');
      const read = rig.admin('read-log', { from: 1 });
      expect(read.reason).to.equal('done');
      const exported = decodeAuditExport(read.data!);
      expect(exported.ok).to.equal(true);
      if (!exported.ok) return;
      const device = rig.lock.admin!.devicePublicKey!;
      const verified = verifyAuditExport(exported.value, device, sha256);
      expect(verified.ok).to.equal(true);
      if (!verified.ok) return;
      expect(verified.value.entries.map((e) => e.event)).to.deep.equal(['boot', 'provisioned', 'granted', 'refused', 'admin']);
      expect(verified.value.entries[3].detail).to.deep.include({ reason: 'replayed', courier: 'courier-42' });
      // Every byte of the export, or (inside XS, where each check costs a signature verification) every 7th.
      const stride = typeof process === 'undefined' ? 7 : 1;
      const bytes = read.data!;
      for (let i = 0; i < bytes.length; i += stride) {
        const changed = Uint8Array.from(bytes);
        changed[i] ^= 0x01;
        const decoded = decodeAuditExport(changed);
        expect(decoded.ok && verifyAuditExport(decoded.value, device, sha256).ok, `byte ${i}`).to.equal(false);
      }
    });
  });

  describe('power cut at every write of an admin command', () => {
    const commands: [CommandName, { [k: string]: ArgValue | undefined }][] = [
      ['add-issuer', issuerArg({ kid: ascii('issuer-3'), seed: new Uint8Array(32).fill(3) }, 'third')],
      ['settings', { relockSeconds: 12, tzOffsetMinutes: 60 }],
      ['revoke', { kind: 'sub', kid: ISSUER.kid, sub: 'courier-42', until: NOW + 86400 }],
      ['delegate', { kid: DEPUTY.kid, key: publicKeyFromSeed(DEPUTY.seed) }],
      ['rotate-issuer', { kid: OTHER_ISSUER.kid, key: publicKeyFromSeed(new Uint8Array(32).fill(4)) }],
      ['remove-issuer', { kid: OTHER_ISSUER.kid }],
      ['set-scope', { kid: ISSUER.kid, scope: { maxUses: 3 } }],
      ['read-log', { from: 1 }],
    ];
    for (const [name, args] of commands) {
      it(`${name}: after a cut before or after each write, the lock reboots with the old or the new configuration`, () => {
        const base = new AdminRig({ storage: new MemoryStorage() });
        const snapshot = base.storage.snapshot();
        const oldConfig = toHex(base.storage.peek(KEY_OWNER)!);
        const command = buildAdminCommand(OWNER, LOCK_ID, base.seq + 1, name, args);
        // The writes the command makes, uncut.
        const probe = new AdminRig({ storage: new MemoryStorage(snapshot), provision: false });
        const w0 = probe.storage.writes;
        expect(probe.lock.administer(command).reason).to.equal('done');
        const writes = probe.storage.writes - w0;
        const newConfig = toHex(probe.storage.peek(KEY_OWNER)!);
        expect(newConfig).not.to.equal(oldConfig);
        expect(writes, 'the owner record and the audit-log page').to.equal(2);
        const seen = new Set<string>();
        for (let k = 1; k <= writes; k++) {
          for (const when of ['before', 'after'] as const) {
            const storage = new MemoryStorage(snapshot);
            const rig = new AdminRig({ storage, provision: false });
            storage.cutAtWrite(k, when);
            rig.lock.administer(command);
            expect(storage.off, `cut ${when} write ${k}`).to.equal(true);
            rig.reboot();
            const loaded = loadOwnerConfig(storage);
            expect(loaded.state).to.equal('provisioned');
            const now = loaded.state === 'provisioned' ? toHex(encodeOwnerConfig(loaded.config)) : '';
            expect([oldConfig, newConfig], `cut ${when} write ${k}`).to.include(now);
            seen.add(now === oldConfig ? 'old' : 'new');
            expect(rig.actuator.position).to.equal('locked');
            // The same command again: applied if it had not landed, refused as stale if it had.
            expect(rig.lock.administer(command).reason, `cut ${when} write ${k}: the retry`).to.equal(now === oldConfig ? 'done' : 'stale-sequence');
            expect(toHex(storage.peek(KEY_OWNER)!)).to.equal(newConfig);
          }
        }
        expect([...seen].sort()).to.deep.equal(['new', 'old']);
      });
    }

    it('provisioning: after a cut at any write the lock is unprovisioned or fully provisioned', () => {
      for (let k = 1; k <= 3; k++) {
        for (const when of ['before', 'after'] as const) {
          const storage = new MemoryStorage();
          const rig = new AdminRig({ storage, provision: false });
          storage.cutAtWrite(k, when);
          rig.lock.administer(buildProvisioning(OWNER, LOCK_ID, 1, { issuers: [issuerArg(ISSUER, 'parcel-co')] }));
          if (!storage.off) continue;
          rig.reboot();
          const state = loadOwnerConfig(storage).state;
          expect(['unprovisioned', 'provisioned'], `cut ${when} write ${k}`).to.include(state);
          expect(rig.lock.admin!.damaged).to.equal(undefined);
          if (state === 'provisioned') expect(granted(rig, tk('fixture'))).to.equal('granted');
          else expect(rig.lock.administer(buildProvisioning(OWNER, LOCK_ID, 1)).reason).to.equal('done');
        }
      }
    });
  });

  it('flash writes: a grant costs 2 (replay record, audit page), an admin command 2 (owner record, audit page)', () => {
    const rig = new AdminRig();
    let w = rig.storage.writes;
    expect(granted(rig, tk('fixture'))).to.equal('granted');
    expect(rig.storage.writes - w).to.equal(2);
    w = rig.storage.writes;
    expect(rig.admin('settings', { relockSeconds: 6 }).reason).to.equal('done');
    expect(rig.storage.writes - w).to.equal(2);
    w = rig.storage.writes;
    expect(granted(rig, tk('fixture'))).to.equal('replayed');
    expect(rig.storage.writes - w, 'a refusal: the back-off count only; its audit entry waits').to.equal(1);
  });

  it('the largest owner record (8 issuers with 4 schedules, 5 keys, 64 revocations, full do-not-disturb) fits one NVS value', () => {
    const kid = (i: number) => ascii(`k${i}`.padEnd(32, 'x'));
    const schedules = Array.from({ length: 4 }, () => ({ days: 0x7f, from: 1439, to: 1440 }));
    const config = {
      lockId: 'l'.repeat(128),
      seq: Number.MAX_SAFE_INTEGER,
      keys: Array.from({ length: 5 }, (_, i) => ({ kid: kid(i), publicKey: new Uint8Array(32), role: (i === 0 ? 'owner' : 'admin') as 'owner' | 'admin' })),
      issuers: Array.from({ length: 8 }, (_, i) => ({
        kid: kid(10 + i),
        publicKey: new Uint8Array(32),
        name: 'n'.repeat(32),
        scope: { schedules, maxWindowSeconds: 0xffffffff, maxUses: 255 },
        revokedBefore: 0xffffffff,
      })),
      settings: {
        relockSeconds: 300,
        skewSeconds: 3600,
        maxWindowSeconds: 31_622_400,
        holderProof: true,
        cnonceTickets: true,
        cnonceWindowSeconds: 3600,
        tzOffsetMinutes: -720,
        doNotDisturb: { schedules, periods: Array.from({ length: 4 }, () => ({ start: 0xfffffff0, end: 0xffffffff })) },
      },
      revocations: Array.from({ length: 64 }, () => ({ kind: 'sub' as const, id: new Uint8Array(16), until: 0xffffffff })),
    };
    const bytes = encodeOwnerConfig(config);
    expect(bytes.length).to.be.below(4000);
    const again = decodeOwnerConfig(bytes);
    expect(typeof again === 'string' ? again : toHex(encodeOwnerConfig(again))).to.equal(toHex(bytes));
  });

  it('(holder proof required is a setting) a presentation without proof is refused by default and accepted when the owner turns it off', () => {
    const rig = new AdminRig();
    expect(decision(rig.present(tk('fixture'), 'none'))).to.equal('missing-proof');
    expect(rig.admin('settings', { holderProof: false }).reason).to.equal('done');
    expect(decision(rig.present(tk('fixture'), 'none'))).to.equal('granted');
    rig.wait(6000);
    expect(
      decision(rig.lock.present(tk('second'), holderProof(tk('second'), FIXED_CHALLENGE, 'other-key'), FIXED_CHALLENGE)),
      'a proof given must still verify',
    ).to.equal('bad-proof');
  });
});
