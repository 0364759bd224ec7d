import { expect } from 'chai';
import { signEd25519 } from '../../issuer/ticket.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { encodeCbor } from '../../src/cbor/encode.js';
import { verifyEd25519 } from '../../src/ed25519.js';
import { REFUSAL_CODES, type RefusalReason } from '../../src/reasons.js';
import { FRAME_ERRORS, MAX_MESSAGE_BYTES, Reassembler, splitMessage, type FrameError } from '../../src/ble/framing.js';
import {
  MESSAGE_TYPES,
  decodeChallenge,
  decodeError,
  decodeMessage,
  decodePresent,
  decodeResult,
  encodeChallenge,
  encodeError,
  encodePresent,
  encodeResult,
  refusalReasonName,
} from '../../src/ble/messages.js';
import { HOLDER_PROOF_CONTEXT, holderProofMessage, ticketHash } from '../../src/holder-proof.js';
import type { Result } from '../../src/result.js';
import {
  REQUEST_CHARACTERISTIC,
  REQUEST_CHARACTERISTIC_UUID,
  RESPONSE_CHARACTERISTIC,
  RESPONSE_CHARACTERISTIC_UUID,
  SERVICE_UUID,
} from '../../src/ble/uuids.js';
import gattService from '../../bleservices/latchkey.json' with { type: 'json' };
import { HOLDER_PUBLIC, HOLDER_SEED, LOCK_ID, NOW, seed, ticket } from './fixtures.js';

const hex = (h: string): Uint8Array => fromHex(h.replace(/\s/g, '')) as Uint8Array;
const bytes = (length: number, fill = 7): Uint8Array => new Uint8Array(length).fill(fill);
const CHALLENGE = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error('expected ok, got: ' + result.error);
  return result.value;
}

describe('BLE messages', () => {
  describe('round trips', () => {
    it('CHALLENGE', () => {
      const body = encodeChallenge({ challenge: CHALLENGE, lockId: LOCK_ID, lockTime: NOW });
      const m = ok(decodeChallenge(body));
      expect(m).to.deep.include({ kind: 'challenge', version: 1, lockId: LOCK_ID, lockTime: NOW });
      expect(toHex(m.challenge)).to.equal(toHex(CHALLENGE));
      expect(toHex(body.subarray(0, 4))).to.equal('84015820'); // [1, h'…' (32 bytes) …
    });

    it('PRESENT with and without proof, and with a proof of the wrong length', () => {
      const t = ticket();
      for (const proof of [bytes(64), bytes(63), bytes(65), new Uint8Array(0), undefined]) {
        const m = ok(decodePresent(encodePresent({ ticket: t, proof })));
        expect(toHex(m.ticket)).to.equal(toHex(t));
        expect(m.proof === undefined ? undefined : toHex(m.proof)).to.equal(proof === undefined ? undefined : toHex(proof));
      }
      expect(encodePresent({ ticket: hex('0102') })).to.deep.equal(hex('81 42 0102'));
    });

    it('PRESENT with a maximal ticket fits one message and survives framing at MTU 23', () => {
      const body = encodePresent({ ticket: bytes(1024, 1), proof: bytes(64, 2) });
      expect(body.length).to.equal(1094).and.be.at.most(MAX_MESSAGE_BYTES);
      const frames = splitMessage(MESSAGE_TYPES.PRESENT, body, 23);
      expect(frames.length).to.equal(58);
      const r = new Reassembler();
      const last = frames.map((f) => r.push(f, 0)).pop();
      if (last?.kind !== 'message') throw new Error('expected a message');
      expect(ok(decodePresent(last.body)).ticket.length).to.equal(1024);
    });

    it('PRESENT with a ticket above 1024 bytes still decodes (the lock refuses it as too-large)', () => {
      expect(ok(decodePresent(encodePresent({ ticket: bytes(1100), proof: bytes(64) }))).ticket.length).to.equal(1100);
    });

    it('RESULT for a grant and for every refusal reason', () => {
      expect(encodeResult({ granted: true, seconds: 5 })).to.deep.equal(hex('83 f5 00 05'));
      expect(ok(decodeResult(hex('83 f5 00 05')))).to.deep.equal({ kind: 'result', granted: true, reason: 0, seconds: 5 });
      for (const [name, code] of Object.entries(REFUSAL_CODES) as [RefusalReason, number][]) {
        const seconds = name === 'backoff' ? 90 : 0;
        const byName = encodeResult({ granted: false, reason: name, seconds });
        expect(encodeResult({ granted: false, reason: code, seconds })).to.deep.equal(byName);
        expect(ok(decodeResult(byName))).to.deep.equal({ kind: 'result', granted: false, reason: code, seconds });
        expect(refusalReasonName(code)).to.equal(name);
      }
      // A code from a newer lock decodes; this build just has no name for it.
      expect(ok(decodeResult(hex('83 f4 18 63 00'))).reason).to.equal(99);
      expect(refusalReasonName(99)).to.equal(undefined);
      expect(refusalReasonName(0)).to.equal(undefined);
    });

    it('ERROR for every code', () => {
      for (const [name, code] of Object.entries(FRAME_ERRORS) as [FrameError, number][]) {
        expect(encodeError(name)).to.deep.equal(encodeError(code));
        expect(ok(decodeError(encodeError(name)))).to.deep.equal({ kind: 'error', code });
      }
      expect(encodeError('unexpected-message')).to.deep.equal(hex('81 05'));
    });

    it('decodeMessage dispatches on the type byte', () => {
      expect(MESSAGE_TYPES).to.deep.equal({
        CHALLENGE: 1,
        PRESENT: 2,
        RESULT: 3,
        ADMIN: 4,
        ADMIN_RESULT: 5,
        TIME: 6,
        RECEIPT: 7,
        LOG_READ: 8,
        LOG: 9,
        ERROR: 0x7f,
      });
      const challenge = encodeChallenge({ challenge: CHALLENGE, lockId: 'x', lockTime: 0 });
      expect(ok(decodeMessage(MESSAGE_TYPES.CHALLENGE, challenge)).kind).to.equal('challenge');
      expect(ok(decodeMessage(MESSAGE_TYPES.PRESENT, encodePresent({ ticket: bytes(3) }))).kind).to.equal('present');
      expect(ok(decodeMessage(MESSAGE_TYPES.RESULT, encodeResult({ granted: true }))).kind).to.equal('result');
      expect(ok(decodeMessage(MESSAGE_TYPES.ERROR, encodeError('timeout'))).kind).to.equal('error');
      expect(decodeMessage(0x0a, challenge).ok).to.equal(false);
      expect(decodeMessage(MESSAGE_TYPES.PRESENT, challenge).ok).to.equal(false);
      expect(decodeMessage(MESSAGE_TYPES.ERROR, encodePresent({ ticket: bytes(3) })).ok).to.equal(false);
    });
  });

  describe('malformed bodies', () => {
    const c32 = '5820' + 'aa'.repeat(32);
    const common: [string, string][] = [
      ['an empty body', ''],
      ['a map', 'a1 01 02'],
      ['a bare integer', '01'],
      ['a truncated array', '83 f5 00'],
      ['trailing bytes', '81 01 00'],
      ['an indefinite-length array', '9f 01 ff'],
      ['a tagged array', 'c1 81 01'],
    ];
    const cases: [string, (b: Uint8Array) => Result<unknown>, [string, string][]][] = [
      [
        'CHALLENGE',
        decodeChallenge,
        [
          ['version 2', `84 02 ${c32} 61 78 00`],
          ['version 1.0 as a float', `84 f9 3c00 ${c32} 61 78 00`],
          ['3 elements', `83 01 ${c32} 61 78`],
          ['5 elements', `85 01 ${c32} 61 78 00 00`],
          ['a 31-byte challenge', `84 01 581f ${'aa'.repeat(31)} 61 78 00`],
          ['a 33-byte challenge', `84 01 5821 ${'aa'.repeat(33)} 61 78 00`],
          ['a text challenge', `84 01 7820 ${'61'.repeat(32)} 61 78 00`],
          ['a byte-string lock ID', `84 01 ${c32} 41 78 00`],
          ['a negative lock time', `84 01 ${c32} 61 78 20`],
          ['a float lock time', `84 01 ${c32} 61 78 fa 4f000000`],
          ['a lock time beyond 32 bits', `84 01 ${c32} 61 78 1b 0000000100000000`],
          ['a lock time in a non-preferred head', `84 01 ${c32} 61 78 18 05`],
          ['a null lock time', `84 01 ${c32} 61 78 f6`],
        ],
      ],
      [
        'PRESENT',
        decodePresent,
        [
          ['an empty array', '80'],
          ['3 elements', '83 41 01 41 02 41 03'],
          ['a text ticket', '82 61 01 41 02'],
          ['a text proof', '82 41 01 61 02'],
          ['a null proof', '82 41 01 f6'],
          ['an empty ticket', '82 40 41 02'],
          ['a nested array', '81 81 41 01'],
          ['a byte string in a non-preferred head', '81 58 01 01'],
        ],
      ],
      [
        'RESULT',
        decodeResult,
        [
          ['2 elements', '82 f5 00'],
          ['4 elements', '84 f5 00 00 00'],
          ['granted as an integer', '83 01 00 00'],
          ['granted with a reason', '83 f5 01 00'],
          ['refused without a reason', '83 f4 00 00'],
          ['negative seconds', '83 f5 00 20'],
          ['float seconds', '83 f5 00 f9 3c00'],
          ['a non-preferred reason', '83 f4 18 17 00'],
        ],
      ],
      [
        'ERROR',
        decodeError,
        [
          ['an empty array', '80'],
          ['2 elements', '82 01 02'],
          ['a text code', '81 61 31'],
          ['a negative code', '81 20'],
          ['a float code', '81 f9 3c00'],
        ],
      ],
    ];
    for (const [name, decode, specific] of cases) {
      it(`${name}: refuses ${[...common, ...specific].length} malformed bodies`, () => {
        for (const [what, body] of [...common, ...specific]) {
          const result = decode(hex(body));
          expect(result.ok, what).to.equal(false);
        }
      });
    }

    it('names an unsupported protocol version', () => {
      const result = decodeChallenge(hex(`84 02 ${c32} 61 78 00`));
      expect(result).to.deep.equal({ ok: false, error: 'unsupported protocol version' });
    });

    it('never throws on random bodies: what decodes re-encodes to the very same bytes, the rest is refused in words', () => {
      let state = 2024;
      const next = () => (state = (state * 1103515245 + 12345) % 2147483648) & 255;
      // Each decoder with the encoder of its message: a decoded message must be one the encoder makes.
      const pairs: [(b: Uint8Array) => Result<unknown>, (m: never) => Uint8Array][] = [
        [decodeChallenge, (m: Parameters<typeof encodeChallenge>[0]) => encodeChallenge(m)],
        [decodePresent, (m: Parameters<typeof encodePresent>[0]) => encodePresent(m)],
        [decodeResult, (m: Parameters<typeof encodeResult>[0]) => encodeResult(m)],
        [decodeError, (m: { code: number }) => encodeError(m.code)],
      ];
      // Valid bodies of each type, then changed: a byte flipped, cut short, or random bytes.
      const valid = [
        () => encodeChallenge({ challenge: Uint8Array.from({ length: 32 }, next), lockId: 'door-' + next(), lockTime: next() * 65536 }),
        () =>
          encodePresent({
            ticket: Uint8Array.from({ length: 1 + (next() % 20) }, next),
            proof: next() & 1 ? Uint8Array.from({ length: 64 }, next) : undefined,
          }),
        () => (next() & 1 ? encodeResult({ granted: true, seconds: next() }) : encodeResult({ granted: false, reason: 1 + (next() % 26), seconds: next() })),
        () => encodeError(next() % 8),
      ];
      let decoded = 0;
      for (let n = 0; n < 1500; n++) {
        let body = valid[n & 3]();
        const change = (n >> 2) % 4;
        if (change === 1) body[next() % body.length] ^= 1 + (next() % 255);
        if (change === 2) body = body.subarray(0, next() % body.length);
        if (change === 3) body = Uint8Array.from({ length: next() % 24 }, next);
        const [decode, encode] = pairs[n & 3];
        const result = decode(body);
        if (result.ok) {
          decoded++;
          expect(toHex(encode(result.value as never)), toHex(body)).to.equal(toHex(body));
        } else {
          expect(result.error, toHex(body)).to.match(/^[a-zA-Z]/);
          expect(result.error, toHex(body)).to.not.include('re-encode'); // the encoder threw on a decoded value
        }
        const any = decodeMessage(next(), body);
        if (!any.ok) expect(any.error).to.be.a('string').and.not.equal('');
      }
      expect(decoded).to.be.greaterThan(10);
    });
  });

  describe('encoders refuse what the protocol cannot carry', () => {
    it('throws RangeError', () => {
      expect(() => encodeChallenge({ challenge: bytes(31), lockId: 'x', lockTime: 0 })).to.throw(RangeError);
      for (const lockTime of [-1, 1.5, 2 ** 32, NaN]) {
        expect(() => encodeChallenge({ challenge: CHALLENGE, lockId: 'x', lockTime }), String(lockTime)).to.throw(RangeError);
      }
      expect(() => encodePresent({ ticket: new Uint8Array(0), proof: bytes(64) })).to.throw(RangeError);
      expect(() => encodePresent({ ticket: bytes(1300), proof: bytes(64) })).to.throw(RangeError);
      expect(() => encodeResult({ granted: true, reason: 'expired' })).to.throw(RangeError);
      expect(() => encodeResult({ granted: false })).to.throw(RangeError);
      expect(() => encodeResult({ granted: false, reason: 'backoff', seconds: -5 })).to.throw(RangeError);
      expect(() => encodeResult({ granted: false, reason: 'no-such' as RefusalReason })).to.throw(RangeError);
      expect(() => encodeError(-1)).to.throw(RangeError);
    });
  });

  describe('holder proof', () => {
    const t = ticket();
    const hash = ticketHash(t);

    it('ticketHash is SHA-256 of the exact bytes', () => {
      expect(toHex(ticketHash(Uint8Array.from([0x61, 0x62, 0x63])))).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(hash.length).to.equal(32);
      const changed = t.slice();
      changed[changed.length - 1] ^= 1;
      expect(toHex(ticketHash(changed))).to.not.equal(toHex(hash));
    });

    it('holderProofMessage is the documented CBOR array, deterministic', () => {
      const message = holderProofMessage(CHALLENGE, LOCK_ID, hash);
      expect(toHex(holderProofMessage(CHALLENGE, LOCK_ID, hash))).to.equal(toHex(message));
      expect(toHex(message)).to.equal(toHex(encodeCbor([HOLDER_PROOF_CONTEXT, CHALLENGE, LOCK_ID, hash])));
      // 84, then text(24) "Latchkey holder proof v1"
      expect(toHex(message.subarray(0, 3))).to.equal('847818');
      expect(HOLDER_PROOF_CONTEXT).to.equal('Latchkey holder proof v1');
    });

    it('holderProofMessage changes when any input changes', () => {
      const base = toHex(holderProofMessage(CHALLENGE, LOCK_ID, hash));
      const flip = (b: Uint8Array, i: number) => {
        const c = b.slice();
        c[i] ^= 0x01;
        return c;
      };
      const variants = [
        holderProofMessage(flip(CHALLENGE, 0), LOCK_ID, hash),
        holderProofMessage(flip(CHALLENGE, 31), LOCK_ID, hash),
        holderProofMessage(CHALLENGE, LOCK_ID + 'x', hash),
        holderProofMessage(CHALLENGE, 'lock:12-rue-des-lilas/door-b', hash),
        holderProofMessage(CHALLENGE, LOCK_ID, flip(hash, 0)),
        holderProofMessage(CHALLENGE, LOCK_ID, flip(hash, 31)),
        holderProofMessage(hash, LOCK_ID, CHALLENGE), // fields swapped
      ].map(toHex);
      for (const v of variants) expect(v).to.not.equal(base);
      expect(new Set(variants).size).to.equal(variants.length);
    });

    it('a proof signed by the holder verifies for its challenge, lock and ticket only', () => {
      const message = holderProofMessage(CHALLENGE, LOCK_ID, hash);
      const proof = signEd25519(HOLDER_SEED, message);
      expect(proof.length).to.equal(64);
      expect(verifyEd25519(proof, message, HOLDER_PUBLIC)).to.equal(true);
      const otherChallenge = CHALLENGE.slice();
      otherChallenge[5] ^= 0x80;
      expect(verifyEd25519(proof, holderProofMessage(otherChallenge, LOCK_ID, hash), HOLDER_PUBLIC)).to.equal(false);
      expect(verifyEd25519(proof, holderProofMessage(CHALLENGE, 'lock:elsewhere', hash), HOLDER_PUBLIC)).to.equal(false);
      expect(verifyEd25519(signEd25519(seed(9), message), message, HOLDER_PUBLIC)).to.equal(false);
    });
  });

  describe('GATT service declaration', () => {
    it('bleservices/latchkey.json matches src/ble/uuids.ts', () => {
      const service = gattService.service;
      expect(service.uuid.toLowerCase()).to.equal(SERVICE_UUID);
      const chars = service.characteristics as Record<string, { uuid: string; properties: string; type: string; maxBytes: number }>;
      expect(Object.keys(chars)).to.deep.equal([REQUEST_CHARACTERISTIC, RESPONSE_CHARACTERISTIC]);
      expect(chars.request.uuid.toLowerCase()).to.equal(REQUEST_CHARACTERISTIC_UUID);
      expect(chars.response.uuid.toLowerCase()).to.equal(RESPONSE_CHARACTERISTIC_UUID);
      expect(chars.request.properties.split(',').sort()).to.deep.equal(['write', 'writeNoResponse']);
      expect(chars.response.properties).to.equal('notify');
      expect(chars.request.maxBytes).to.equal(512);
      for (const uuid of [SERVICE_UUID, REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID]) {
        expect(uuid).to.match(/^6c6b000[123]-7a3c-4b8e-9f10-6c617463686b$/);
      }
    });
  });
});
