// Bench workloads over the ticket verifier, bundled by bench/run.js into one script per Ed25519
// backend (the tweetnacl bundle swaps src/ed25519.ts for bench/ed25519-tweetnacl.ts). The same
// bundle runs in XS and in Node, so both engines execute identical code.
//
// The host calls setup() once with a fixture, then run(name, n) in evaluations of their own: one
// evaluation = one reading of XS compute units, so each workload must be callable on its own.
// To add a measurement, add a case here and a row in bench/run.js; a case can send extra figures
// (counts, sizes) with report() from ./report.js.

import { bytesEqual, fromHex } from '../src/bytes.js';
import { prepareEd25519Key, verifyEd25519, verifyEd25519Prepared } from '../src/ed25519.js';
import { sign1Input } from '../src/sig-structure.js';
import { parseClaims, parseEnvelope } from '../src/ticket.js';
import { prepareIssuers, verifyTicket, type VerifyContext } from '../src/verify.js';
import { receiptPayload } from '../src/admin/receipts.js';
import { signStatement } from '../src/admin/signed.js';
import { expandEd25519Seed } from '../src/crypto/ed25519-sign.js';
import { portableHashes } from '../src/crypto/portable-hashes.js';
import { AuditLog } from '../src/lock/audit-log.js';
import { MemoryStorage } from '../sim/hal/memory-storage.js';

/** The fixture as the host passes it: hex, because the evaluated script is text. */
export interface BenchFixture {
  ticketHex: string;
  lockId: string;
  now: number;
  issuers: { kidHex: string; publicKeyHex: string }[];
}

let cases: Record<string, () => void> = {};

function bytes(hex: string): Uint8Array {
  const out = fromHex(hex);
  if (out === undefined) throw new Error('bench fixture: bad hex');
  return out;
}

// Every case checks its own outcome: a fixture that stopped verifying would otherwise show up as
// a suspiciously cheap figure rather than as an error. The check is one property read.
function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench case failed: ${what}`);
}

/** Prepares the inputs of every case from the fixture; returns the case names. */
export function setup(fixture: BenchFixture): string[] {
  const ticket = bytes(fixture.ticketHex);
  const context: VerifyContext = {
    lockId: fixture.lockId,
    now: fixture.now,
    issuers: fixture.issuers.map((i) => ({ kid: bytes(i.kidHex), publicKey: bytes(i.publicKeyHex) })),
  };

  // Inputs of the parts, computed once here so each part is timed without the others.
  const envelope = parseEnvelope(ticket);
  if (!envelope.ok) throw new Error(`bench fixture: ${envelope.reason}: ${envelope.detail}`);
  const { protectedBytes, payload, signature, kid } = envelope.value;
  const issuer = context.issuers.find((i) => bytesEqual(i.kid, kid));
  if (issuer === undefined) throw new Error('bench fixture: no issuer for the ticket kid');
  const signed = sign1Input(protectedBytes, payload);
  // The lock's context: issuer keys prepared once, at boot (src/lock/lock.ts).
  const preparedContext: VerifyContext = { ...context, issuers: prepareIssuers(context.issuers) };
  const preparedKey = prepareEd25519Key(issuer.publicKey);
  if (preparedKey === undefined) throw new Error('bench fixture: issuer key cannot be prepared');

  // Owner administration: what a grant adds on an administered lock (docs/admin.md).
  const hashes = portableHashes();
  const deviceKey = expandEd25519Seed(new Uint8Array(32).fill(7), hashes.sha512);
  const deviceKid = Uint8Array.of(0x64, 0x65, 0x76, 0x69, 0x63, 0x65);
  const receipt = receiptPayload({
    lockId: fixture.lockId,
    time: fixture.now,
    cti: new Uint8Array(16).fill(1),
    sub: 'courier-42',
    issuerKid: kid,
    result: 'granted',
    logSeq: 1,
  });
  const auditLog = new AuditLog(new MemoryStorage(), hashes.sha256);
  const grantDetail = {
    courier: 'courier-42',
    issuer: 'parcel-co',
    kid: '6973737565722d31',
    ticket: '00112233445566778899aabbccddeeff',
    validUntil: fixture.now + 3600,
  };

  cases = {
    /** The entry receipt a grant returns: one Ed25519 signature by the device key (expanded at boot). */
    receiptSign: () => expect(signStatement('receipt', deviceKid, deviceKey, receipt, hashes.sha512).length > 64, 'receipt'),
    /** Appending a grant to the hash-chained audit log, flushed (encode, SHA-256, one page write). */
    auditAppend: () => expect(auditLog.append(fixture.now, 'granted', grantDetail, true) > 0, 'audit append'),
    /** The whole pipeline: decode, issuer lookup, signature (one-shot key), claims, time checks. */
    verify: () => expect(verifyTicket(ticket, context).granted, 'verifyTicket did not grant'),
    /** The same with the issuer key prepared, as the lock runs it. */
    verifyPrepared: () => expect(verifyTicket(ticket, preparedContext).granted, 'verifyTicket (prepared) did not grant'),
    /** Preparing one issuer key (decode, checks, tables): once per key, at boot. */
    prepareKey: () => expect(prepareEd25519Key(issuer.publicKey) !== undefined, 'prepareEd25519Key'),
    /** Strict CBOR decode of the COSE_Sign1 and its protected header, header checks. */
    parseEnvelope: () => expect(parseEnvelope(ticket).ok, 'parseEnvelope'),
    /** CBOR encoding of the Sig_structure the signature covers. */
    sigStructure: () => expect(sign1Input(protectedBytes, payload).length === signed.length, 'sign1Input'),
    /** The signature check alone, on the precomputed Sig_structure. */
    ed25519Verify: () => expect(verifyEd25519(signature, signed, issuer.publicKey), 'verifyEd25519'),
    /** The signature check alone under the prepared issuer key. */
    ed25519VerifyPrepared: () => expect(verifyEd25519Prepared(signature, signed, preparedKey), 'verifyEd25519Prepared'),
    /** Strict CBOR decode and type checks of the CWT claims. */
    parseClaims: () => expect(parseClaims(payload).ok, 'parseClaims'),
  };
  // No case runs here: the host's first call of `verify` is the cold one (noble builds its
  // precomputed tables on first use), which it measures.
  return Object.keys(cases);
}

/** Runs case `name` n times; n = 0 measures the cost of the call itself. */
export function run(name: string, n: number): void {
  const workload = cases[name];
  if (workload === undefined) throw new Error(`bench: unknown case ${name} (setup not called?)`);
  for (let i = 0; i < n; i++) workload();
}

// Set on the global object by hand: xsnap evaluates scripts like a strict eval, where a top-level
// `var` (esbuild's globalName) would not outlive the evaluation.
(globalThis as Record<string, unknown>).latchkeyBench = { setup, run };
