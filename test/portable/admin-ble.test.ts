// Owner administration over the BLE link (docs/ble-protocol.md, "Administration"): ADMIN and TIME
// answered by ADMIN_RESULT, the RECEIPT before a granted RESULT, LOG_READ only after an accepted
// read-log, and the bodies' strict codecs.

import { expect } from 'chai';
import {
  buildAdminCommand,
  buildTimeStatement,
  decodeAuditExport,
  joinAuditExports,
  verifyAuditExport,
  verifyReceipt,
  type AuditExport,
} from '../../issuer/admin.js';
import {
  decodeAdminResult,
  decodeLogRead,
  decodeSigned,
  encodeAdminResult,
  encodeLogRead,
  encodeSigned,
  adminReasonName,
} from '../../src/ble/admin-messages.js';
import { splitMessage } from '../../src/ble/framing.js';
import { MESSAGE_TYPES } from '../../src/ble/messages.js';
import { encodeCbor } from '../../src/cbor/encode.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { AdminRig, OWNER } from './admin-fixtures.js';
import { LOCK_ID, NOW } from './fixtures.js';
import { tk, type Wire } from './lock-fixtures.js';

const sha256 = portableHashes().sha256;
const send = (wire: Wire, type: number, body: Uint8Array): Wire => wire.write(...splitMessage(type, body, wire.link.central.mtu));
const adminResults = (wire: Wire) =>
  wire.received
    .filter((m) => m.type === MESSAGE_TYPES.ADMIN_RESULT)
    .map((m) => {
      const d = decodeAdminResult(m.body);
      if (!d.ok) throw new Error(d.error);
      return { ...d.value, name: adminReasonName(d.value.code) };
    });

describe('owner administration over BLE', () => {
  it('codecs: round trips, and strict refusals', () => {
    const r = decodeAdminResult(encodeAdminResult({ reason: 'stale-sequence', seq: 1_700_000_000_123, data: Uint8Array.of(1) }));
    expect(r.ok && [r.value.code, r.value.seq, Array.from(r.value.data)]).to.deep.equal([44, 1_700_000_000_123, [1]]);
    expect(decodeAdminResult(encodeCbor([0, 1])).ok).to.equal(false);
    expect(decodeAdminResult(encodeCbor([0, -1, new Uint8Array(0)])).ok).to.equal(false);
    const s = decodeSigned(encodeSigned(Uint8Array.of(1, 2, 3)));
    expect(s.ok && Array.from(s.value.bytes)).to.deep.equal([1, 2, 3]);
    expect(decodeSigned(encodeCbor([new Uint8Array(0)])).ok).to.equal(false);
    expect(decodeSigned(encodeCbor(['text'])).ok).to.equal(false);
    expect(decodeSigned(Uint8Array.of(0x81, 0x58, 0x01, 0x01)).ok, 'over-long head').to.equal(false);
    const l = decodeLogRead(encodeLogRead(17));
    expect(l.ok && l.value.from).to.equal(17);
    expect(decodeLogRead(encodeCbor([17, 1])).ok).to.equal(false);
    expect(() => encodeSigned(new Uint8Array(0))).to.throw(RangeError);
  });

  it('an admin command over BLE is answered with ADMIN_RESULT; several per connection, each with its sequence number', () => {
    const rig = new AdminRig();
    const wire = rig.wire(23);
    send(wire, MESSAGE_TYPES.ADMIN, encodeSigned(buildAdminCommand(OWNER, LOCK_ID, 500, 'settings', { relockSeconds: 9 })));
    send(wire, MESSAGE_TYPES.ADMIN, encodeSigned(buildAdminCommand(OWNER, LOCK_ID, 500, 'settings', { relockSeconds: 8 })));
    expect(adminResults(wire).map((a) => [a.name, a.seq])).to.deep.equal([
      ['done', 500],
      ['stale-sequence', 0],
    ]);
    expect(wire.errors()).to.deep.equal([]);
    send(wire, MESSAGE_TYPES.ADMIN, encodeCbor([1]));
    expect(wire.errors()).to.deep.equal(['bad-message']);
  });

  it('a grant sends the RECEIPT, then the RESULT', () => {
    const rig = new AdminRig();
    const wire = rig.wire();
    wire.present(tk('fixture'));
    expect(wire.types()).to.deep.equal([MESSAGE_TYPES.CHALLENGE, MESSAGE_TYPES.RECEIPT, MESSAGE_TYPES.RESULT]);
    const receipt = decodeSigned(wire.received[1].body);
    expect(receipt.ok && verifyReceipt(receipt.value.bytes, rig.lock.admin!.devicePublicKey!).ok).to.equal(true);
    expect(wire.verdicts()).to.deep.equal(['granted']);
  });

  it('TIME once per connection, bound to its challenge', () => {
    const rig = new AdminRig();
    rig.time.rtcPowerLoss();
    rig.reboot();
    const wire = rig.wire();
    send(wire, MESSAGE_TYPES.TIME, encodeSigned(buildTimeStatement(OWNER, LOCK_ID, wire.challenge!, NOW + 5)));
    send(wire, MESSAGE_TYPES.TIME, encodeSigned(buildTimeStatement(OWNER, LOCK_ID, wire.challenge!, NOW + 6)));
    expect(adminResults(wire).map((a) => a.name)).to.deep.equal(['done']);
    expect(wire.errors()).to.deep.equal(['unexpected-message']);
    expect(rig.lock.clockGuard.trusted()).to.equal(true);
    wire.present(tk('fixture'));
    expect(wire.verdicts()).to.deep.equal(['granted']);
  });

  it('LOG_READ only after an accepted read-log command; the chunks join into a log that verifies', () => {
    const rig = new AdminRig({ lock: { auditLog: { pages: 4, pageBytes: 600 } } });
    for (let i = 0; i < 12; i++) {
      rig.present(tk('fixture'));
      rig.wait(6000);
    }
    const wire = rig.wire();
    send(wire, MESSAGE_TYPES.LOG_READ, encodeLogRead(1));
    expect(wire.errors(), 'not authorised yet').to.deep.equal(['unexpected-message']);
    send(wire, MESSAGE_TYPES.ADMIN, encodeSigned(buildAdminCommand(OWNER, LOCK_ID, 900, 'read-log', { from: 1 })));
    const first = adminResults(wire)[0];
    expect(first.name).to.equal('done');
    const parts: AuditExport[] = [];
    let chunk = decodeAuditExport(first.data);
    while (chunk.ok && chunk.value.entries.length > 0) {
      parts.push(chunk.value);
      send(wire, MESSAGE_TYPES.LOG_READ, encodeLogRead(chunk.value.firstSeq + chunk.value.entries.length));
      const last = wire.received[wire.received.length - 1];
      expect(last.type).to.equal(MESSAGE_TYPES.LOG);
      const body = decodeSigned(last.body);
      chunk = body.ok ? decodeAuditExport(body.value.bytes) : { ok: false, error: body.error };
    }
    expect(parts.length, 'more than one chunk').to.be.above(1);
    const joined = joinAuditExports(parts, sha256);
    expect(joined.ok).to.equal(true);
    if (!joined.ok) return;
    const verified = verifyAuditExport(joined.value, rig.lock.admin!.devicePublicKey!, sha256);
    expect(verified.ok).to.equal(true);
    if (verified.ok)
      expect(verified.value.entries.map((e) => e.event).filter((e) => e === 'granted' || e === 'refused')).to.deep.equal([
        'granted',
        ...Array(11).fill('refused'),
      ]);
  });
});
