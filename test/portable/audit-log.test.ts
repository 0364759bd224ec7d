// The hash-chained audit log (src/lock/audit-log.ts) and its exports (src/admin/receipts.ts):
// batched writes, wrap-around that still verifies from the oldest retained entry, chunked export
// that joins back into one, reload after a reboot, and tampering detected.

import { expect } from 'chai';
import { MemoryStorage } from '../../sim/hal/index.js';
import { encodeAuditExport, decodeAuditExport, joinAuditExports, logHeadMessage, verifyAuditExport, type AuditExport } from '../../src/admin/receipts.js';
import { ed25519PublicKey, ed25519Sign } from '../../src/crypto/ed25519-sign.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { AuditLog, BATCH } from '../../src/lock/audit-log.js';

const { sha256, sha512 } = portableHashes();
const DEVICE_SEED = new Uint8Array(32).fill(0x42);
const DEVICE_KEY = ed25519PublicKey(DEVICE_SEED, sha512);
const LOCK = 'lock:test';

function exportOf(log: AuditLog, from: number, maxBytes = 100_000): AuditExport {
  const chunk = log.read(from, maxBytes);
  const signature = ed25519Sign(DEVICE_SEED, logHeadMessage(LOCK, chunk.lastSeq, chunk.lastHash), sha512);
  return { lockId: LOCK, anchor: chunk.anchor, firstSeq: chunk.firstSeq, entries: chunk.entries, signature };
}

const events = (e: AuditExport): string[] => {
  const v = verifyAuditExport(e, DEVICE_KEY, sha256);
  if (!v.ok) throw new Error(v.error);
  return v.value.entries.map((x) => `${x.seq}:${x.event}`);
};

describe('audit log', () => {
  it('batches non-urgent entries: no write until BATCH wait or an urgent one comes', () => {
    const storage = new MemoryStorage();
    const log = new AuditLog(storage, sha256);
    for (let i = 1; i < BATCH; i++) log.append(1000 + i, 'refused', { reason: 'expired' }, false);
    expect(storage.writes).to.equal(0);
    log.append(2000, 'granted', { courier: 'c-1' }, true);
    expect(storage.writes, 'one write for the whole batch').to.equal(1);
    for (let i = 0; i < BATCH; i++) log.append(3000 + i, 'refused', { reason: 'expired' }, false);
    expect(storage.writes, 'a full batch flushes itself').to.equal(2);
    expect(log.writes).to.equal(2);
  });

  it('a reboot keeps the flushed chain and continues it; unflushed entries are lost, never half-written', () => {
    const storage = new MemoryStorage();
    const log = new AuditLog(storage, sha256);
    log.append(1, 'boot', {}, true);
    log.append(2, 'granted', { courier: 'c-1' }, true);
    log.append(3, 'refused', { reason: 'expired' }, false);
    const again = new AuditLog(storage, sha256);
    expect(again.lastSeq).to.equal(2);
    again.append(4, 'boot', {}, true);
    expect(events(exportOf(again, 1))).to.deep.equal(['1:boot', '2:granted', '3:boot']);
  });

  it('wraps around: the oldest pages go and the rest verifies from the oldest retained entry', () => {
    const storage = new MemoryStorage();
    const log = new AuditLog(storage, sha256, { pages: 3, pageBytes: 256 });
    for (let i = 1; i <= 40; i++) log.append(1000 + i, 'granted', { courier: `courier-${i}`, ticket: '0011223344556677' }, true);
    const e = exportOf(log, 1);
    const seqs = events(e);
    expect(seqs[seqs.length - 1]).to.equal('40:granted');
    expect(e.firstSeq, 'the oldest entries are gone').to.be.above(1);
    expect(seqs.length).to.equal(41 - e.firstSeq);
    expect(storage.keys().filter((k) => k.startsWith('lk.log.'))).to.have.length(3);
    // After a reboot too, and asking from a seq that is gone starts at the oldest retained.
    const rebooted = new AuditLog(storage, sha256, { pages: 3, pageBytes: 256 });
    expect(rebooted.lastSeq).to.equal(40);
    expect(events(exportOf(rebooted, 1))).to.deep.equal(seqs);
    expect(events(exportOf(rebooted, 38))).to.deep.equal(['38:granted', '39:granted', '40:granted']);
  });

  it('exports in chunks that join back into the whole, verified once', () => {
    const log = new AuditLog(new MemoryStorage(), sha256);
    for (let i = 1; i <= 30; i++) log.append(i, i % 3 ? 'refused' : 'granted', { courier: `courier-${i}` }, i % 3 === 0);
    const parts: AuditExport[] = [];
    let from = 1;
    for (;;) {
      const part = exportOf(log, from, 200);
      if (part.entries.length === 0) break;
      expect(verifyAuditExport(part, DEVICE_KEY, sha256).ok, 'each chunk verifies alone').to.equal(true);
      parts.push(part);
      from = part.firstSeq + part.entries.length;
    }
    expect(parts.length).to.be.above(2);
    const joined = joinAuditExports(parts, sha256);
    expect(joined.ok).to.equal(true);
    if (joined.ok) expect(events(joined.value)).to.have.length(30);
    const swapped = joinAuditExports([parts[1], parts[0]], sha256);
    expect(swapped.ok).to.equal(false);
  });

  it('a changed, dropped or reordered entry, a changed anchor or signature: detected', () => {
    const log = new AuditLog(new MemoryStorage(), sha256);
    for (let i = 1; i <= 5; i++) log.append(i, 'granted', { courier: `courier-${i}` }, true);
    const e = exportOf(log, 1);
    expect(verifyAuditExport(e, DEVICE_KEY, sha256).ok).to.equal(true);
    const bad = (x: AuditExport): boolean => !verifyAuditExport(x, DEVICE_KEY, sha256).ok;
    expect(bad({ ...e, entries: e.entries.slice(1) }), 'dropped first').to.equal(true);
    expect(bad({ ...e, entries: e.entries.slice(0, 4) }), 'dropped last').to.equal(true);
    expect(bad({ ...e, entries: [e.entries[1], e.entries[0], ...e.entries.slice(2)] }), 'reordered').to.equal(true);
    expect(bad({ ...e, anchor: new Uint8Array(32).fill(1) }), 'anchor').to.equal(true);
    expect(bad({ ...e, lockId: 'lock:other' }), 'lock ID').to.equal(true);
    const sig = Uint8Array.from(e.signature);
    sig[0] ^= 1;
    expect(bad({ ...e, signature: sig }), 'signature').to.equal(true);
    const encoded = encodeAuditExport(e);
    const decoded = decodeAuditExport(encoded);
    expect(decoded.ok && !bad(decoded.value)).to.equal(true);
    expect(decodeAuditExport(encoded.subarray(0, encoded.length - 1)).ok, 'truncated').to.equal(false);
  });

  it('a damaged page is skipped; the export covers the contiguous run ending at the head', () => {
    const storage = new MemoryStorage();
    const log = new AuditLog(storage, sha256, { pages: 4, pageBytes: 256 });
    for (let i = 1; i <= 20; i++) log.append(i, 'granted', { courier: `courier-${i}` }, true);
    storage.set('lk.log.0', Uint8Array.of(9, 9, 9));
    const rebooted = new AuditLog(storage, sha256, { pages: 4, pageBytes: 256 });
    expect(rebooted.damagedPages).to.deep.equal([0]);
    const seqs = events(exportOf(rebooted, 1));
    expect(seqs[seqs.length - 1]).to.equal('20:granted');
  });
});
