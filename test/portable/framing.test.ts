import { expect } from 'chai';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  FLAG_FIRST,
  FRAME_ERRORS,
  MAX_ATT_MTU,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MIN_ATT_MTU,
  REASSEMBLY_TIMEOUT_MS,
  Reassembler,
  frameCapacity,
  frameCount,
  frameErrorName,
  splitMessage,
  type ReassemblyEvent,
} from '../../src/ble/framing.js';
import { encodeChallenge } from '../../src/ble/messages.js';

const hex = (h: string): Uint8Array => fromHex(h.replace(/\s/g, '')) as Uint8Array;
const pattern = (length: number, salt = 0): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + salt * 7 + 11) & 255);
const kinds = (events: ReassemblyEvent[]): string[] => events.map((e) => (e.kind === 'error' ? `error:${e.error}` : e.kind));

/** Pushes every frame at time `now`; returns the events. */
function pushAll(r: Reassembler, frames: Uint8Array[], now = 0): ReassemblyEvent[] {
  return frames.map((f) => r.push(f, now));
}

function expectMessage(event: ReassemblyEvent | undefined, type: number, body: Uint8Array): void {
  expect(event?.kind).to.equal('message');
  if (event?.kind !== 'message') return;
  expect(event.type).to.equal(type);
  expect(event.body.length).to.equal(body.length);
  expect(toHex(event.body)).to.equal(toHex(body));
}

/** A FIRST frame built by hand: control byte, type, declared length, then body bytes. */
function first(declared: number, body: Uint8Array, type = 2, control = FLAG_FIRST): Uint8Array {
  return Uint8Array.from([control, type, declared >> 8, declared & 255, ...body]);
}
const cont = (seq: number, body: Uint8Array): Uint8Array => Uint8Array.from([seq, ...body]);

describe('BLE framing', () => {
  describe('splitMessage', () => {
    const mtus = [MIN_ATT_MTU, 185, MAX_ATT_MTU];
    for (const mtu of mtus) {
      const capacity = Math.min(mtu - 3, MAX_FRAME_BYTES);
      const sizes = [1, 2, capacity - 5, capacity - 4, capacity - 3, 2 * capacity - 5, 2 * capacity - 4, 300, 1000, MAX_MESSAGE_BYTES - 1, MAX_MESSAGE_BYTES];
      it(`fills frames to ${capacity} bytes at MTU ${mtu} and round-trips ${sizes.length} sizes`, () => {
        for (const size of sizes) {
          const body = pattern(size, size);
          const frames = splitMessage(0x42, body, mtu);
          // The minimum number of frames: the first carries capacity − 4 body bytes, the others capacity − 1.
          const expected = size <= capacity - 4 ? 1 : 1 + Math.ceil((size - (capacity - 4)) / (capacity - 1));
          expect(frames.length, `frames for ${size} bytes`).to.equal(expected);
          expect(frameCount(size, mtu)).to.equal(expected);
          frames.forEach((f, i) => {
            expect(f.length)
              .to.be.at.most(mtu - 3)
              .and.at.most(MAX_FRAME_BYTES);
            if (i < frames.length - 1) expect(f.length, `frame ${i} is full`).to.equal(capacity);
            expect(f[0], `control of frame ${i}`).to.equal(i === 0 ? FLAG_FIRST : i % 64);
          });
          expect(Array.from(frames[0].subarray(1, 4))).to.deep.equal([0x42, size >> 8, size & 255]);
          const r = new Reassembler();
          const events = pushAll(r, frames, 1000);
          expect(kinds(events.slice(0, -1)).every((k) => k === 'pending')).to.equal(true);
          expectMessage(events[events.length - 1], 0x42, body);
          expect(r.inProgress()).to.equal(false);
        }
      });
    }

    it('caps frames at 512 bytes when MTU − 3 would allow 514', () => {
      expect(frameCapacity(517)).to.equal(512);
      expect(frameCapacity(516)).to.equal(512);
      expect(frameCapacity(515)).to.equal(512);
      expect(frameCapacity(514)).to.equal(511);
      expect(splitMessage(1, pattern(600), 517).map((f) => f.length)).to.deep.equal([512, 93]);
    });

    it('wraps the sequence number after 63 (1280 bytes at MTU 23 take 68 frames)', () => {
      const frames = splitMessage(2, pattern(MAX_MESSAGE_BYTES), 23);
      expect(frames.length).to.equal(68);
      expect([frames[62][0], frames[63][0], frames[64][0], frames[65][0], frames[67][0]]).to.deep.equal([62, 63, 0, 1, 3]);
    });

    it('matches the worked example in docs/ble-protocol.md', () => {
      const challenge = Uint8Array.from({ length: 32 }, (_, i) => i);
      const body = encodeChallenge({ challenge, lockId: 'front-door', lockTime: 1_800_000_000 });
      expect(body.length).to.equal(52);
      const frames = splitMessage(0x01, body, 23).map(toHex);
      expect(frames).to.deep.equal([
        '8001003484015820000102030405060708090a0b',
        '010c0d0e0f101112131415161718191a1b1c1d1e',
        '021f6a66726f6e742d646f6f721a6b49d200',
      ]);
    });

    it('refuses programming errors with RangeError', () => {
      const body = pattern(10);
      for (const mtu of [0, 22, 518, 100.5, NaN]) expect(() => splitMessage(1, body, mtu), `mtu ${mtu}`).to.throw(RangeError);
      expect(() => splitMessage(1, new Uint8Array(0), 185)).to.throw(RangeError);
      expect(() => splitMessage(1, pattern(MAX_MESSAGE_BYTES + 1), 185)).to.throw(RangeError);
      for (const type of [-1, 256, 1.5]) expect(() => splitMessage(type, body, 185)).to.throw(RangeError);
      expect(() => frameCount(0, 185)).to.throw(RangeError);
    });
  });

  describe('Reassembler', () => {
    it('reassembles a 300-byte message cut into two frames at every byte boundary', () => {
      const body = pattern(300, 3);
      const r = new Reassembler();
      for (let k = 1; k < body.length; k++) {
        const a = first(body.length, body.subarray(0, k));
        const b = cont(1, body.subarray(k));
        expect(a.length).to.be.at.most(MAX_FRAME_BYTES);
        expect(b.length).to.be.at.most(MAX_FRAME_BYTES);
        const events = [r.push(a, k), r.push(b, k)];
        expect(events[0].kind, `cut at ${k}`).to.equal('pending');
        expectMessage(events[1], 2, body);
      }
      expectMessage(r.push(first(body.length, body), 0), 2, body); // no cut: one frame
    });

    it('accepts a 512-byte frame and refuses a 513-byte one', () => {
      const r = new Reassembler();
      expectMessage(r.push(first(508, pattern(508)), 0), 2, pattern(508));
      expect(r.push(first(509, pattern(509)), 0)).to.deep.equal({ kind: 'error', error: 'bad-frame' });
      r.reset();
      r.push(first(1000, pattern(508)), 0);
      expect(r.push(cont(1, pattern(512)), 0)).to.deep.equal({ kind: 'error', error: 'bad-frame' });
    });

    const cases: [string, Uint8Array[], string[]][] = [
      ['an empty frame', [new Uint8Array(0)], ['error:bad-frame']],
      ['an empty frame mid-message', [first(40, pattern(10)), new Uint8Array(0)], ['pending', 'error:bad-frame']],
      ['the reserved bit on a FIRST frame', [first(3, pattern(3), 2, FLAG_FIRST | 0x40)], ['error:bad-frame']],
      ['the reserved bit on a continuation', [first(20, pattern(10)), cont(0x41, pattern(10))], ['pending', 'error:bad-frame']],
      ['a FIRST frame of 4 bytes', [Uint8Array.from([FLAG_FIRST, 2, 0, 1])], ['error:bad-frame']],
      ['a FIRST frame with sequence 1', [first(3, pattern(3), 2, FLAG_FIRST | 1)], ['error:bad-frame']],
      ['a declared length of 0', [first(0, pattern(1))], ['error:bad-frame']],
      ['a declared length of 1281', [first(MAX_MESSAGE_BYTES + 1, pattern(10))], ['error:too-large']],
      ['a declared length of 65535', [first(0xffff, pattern(10))], ['error:too-large']],
      ['a FIRST frame longer than declared', [first(5, pattern(6))], ['error:bad-frame']],
      ['a continuation overrunning the declared length', [first(12, pattern(10)), cont(1, pattern(3))], ['pending', 'error:bad-frame']],
      ['a continuation with no body', [first(12, pattern(10)), Uint8Array.from([1])], ['pending', 'error:bad-frame']],
      ['a continuation with sequence 2 after the first', [first(30, pattern(10)), cont(2, pattern(10))], ['pending', 'error:bad-frame']],
      ['a repeated continuation', [first(30, pattern(10)), cont(1, pattern(10)), cont(1, pattern(10))], ['pending', 'pending', 'error:bad-frame']],
      ['a continuation with no message', [cont(1, pattern(10))], ['error:bad-frame']],
      ['a continuation with sequence 0 and no message', [cont(0, pattern(10))], ['error:bad-frame']],
      ['a continuation after a complete message', [first(3, pattern(3)), cont(1, pattern(3))], ['message', 'error:bad-frame']],
      ['a FIRST frame while a message is in progress', [first(30, pattern(10)), first(5, pattern(5))], ['pending', 'error:bad-frame']],
    ];
    for (const [name, frames, expected] of cases) {
      it(`reports ${expected[expected.length - 1]} for ${name}`, () => {
        const r = new Reassembler();
        expect(kinds(pushAll(r, frames))).to.deep.equal(expected);
        expect(r.inProgress()).to.equal(false);
      });
    }

    it('accepts a declared length of exactly MAX_MESSAGE_BYTES', () => {
      const r = new Reassembler();
      expect(r.push(first(MAX_MESSAGE_BYTES, pattern(100)), 0).kind).to.equal('pending');
      expect(r.inProgress()).to.equal(true);
    });

    it('reports one error per broken message, ignoring its remaining frames until the next FIRST', () => {
      const body = pattern(100);
      const frames = splitMessage(2, body, 23); // 6 frames
      expect(frames.length).to.equal(6);
      const broken = frames.map((f) => f.slice());
      broken[1][0] = 2; // wrong sequence number
      const r = new Reassembler();
      expect(kinds(pushAll(r, broken))).to.deep.equal(['pending', 'error:bad-frame', 'ignored', 'ignored', 'ignored', 'ignored']);
      // Stray garbage without the FIRST flag stays silent too, empty frames included.
      expect(kinds(pushAll(r, [new Uint8Array(0), cont(0x41, pattern(3)), cont(5, pattern(600))]))).to.deep.equal(['ignored', 'ignored', 'ignored']);
      const events = pushAll(r, frames);
      expectMessage(events[5], 2, body);
      // Back to normal afterwards: a stray continuation is an error again.
      expect(kinds([r.push(cont(1, pattern(3)), 0)])).to.deep.equal(['error:bad-frame']);
    });

    it('drops both messages when a FIRST frame interrupts one, and the sender can start over', () => {
      const a = splitMessage(2, pattern(100, 1), 23);
      const b = splitMessage(2, pattern(100, 2), 23);
      const r = new Reassembler();
      const events = pushAll(r, [a[0], a[1], ...b]);
      expect(kinds(events)).to.deep.equal(['pending', 'pending', 'error:bad-frame', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored']);
      expectMessage(pushAll(r, b)[5], 2, pattern(100, 2));
    });

    it('starts a new message with a FIRST frame right after an error', () => {
      const r = new Reassembler();
      expect(r.push(first(0xffff, pattern(3)), 0).kind).to.equal('error');
      expectMessage(r.push(first(3, pattern(3)), 0), 2, pattern(3));
    });

    it('times a half-received message out REASSEMBLY_TIMEOUT_MS after its last frame, once', () => {
      const frames = splitMessage(2, pattern(100), 23);
      const r = new Reassembler();
      expect(r.expire(0).kind).to.equal('ignored'); // nothing in progress
      expect(r.push(frames[0], 1000).kind).to.equal('pending');
      expect(r.expire(1000 + REASSEMBLY_TIMEOUT_MS - 1).kind).to.equal('pending');
      expect(r.push(frames[1], 3500).kind).to.equal('pending'); // the clock restarts here
      expect(r.expire(3500 + REASSEMBLY_TIMEOUT_MS - 1).kind).to.equal('pending');
      expect(r.inProgress()).to.equal(true);
      expect(r.expire(3500 + REASSEMBLY_TIMEOUT_MS)).to.deep.equal({ kind: 'error', error: 'timeout' });
      expect(r.inProgress()).to.equal(false);
      expect(r.expire(99_999).kind).to.equal('ignored');
      expect(r.push(frames[2], 99_999).kind).to.equal('ignored'); // the rest of the timed-out message
      expectMessage(pushAll(r, frames, 100_000)[5], 2, pattern(100));
      expect(FRAME_ERRORS.timeout).to.equal(3);
    });

    it('times out on the next frame when expire() was not called in time', () => {
      const frames = splitMessage(2, pattern(100), 23);
      const r = new Reassembler();
      r.push(frames[0], 0);
      expect(r.push(frames[1], REASSEMBLY_TIMEOUT_MS)).to.deep.equal({ kind: 'error', error: 'timeout' });
      expect(r.push(frames[2], REASSEMBLY_TIMEOUT_MS).kind).to.equal('ignored');
      // A stale message followed by a new FIRST frame: the sender started over, no error.
      r.reset();
      r.push(frames[0], 0);
      const events = pushAll(r, frames, 10_000);
      expect(kinds(events)).to.deep.equal(['pending', 'pending', 'pending', 'pending', 'pending', 'message']);
    });

    it('forgets everything on reset()', () => {
      const r = new Reassembler();
      r.push(first(30, pattern(10)), 0);
      r.reset();
      expect(r.inProgress()).to.equal(false);
      expect(r.push(cont(1, pattern(10)), 0)).to.deep.equal({ kind: 'error', error: 'bad-frame' });
      r.reset();
      expect(r.push(cont(1, pattern(10)), 0)).to.deep.equal({ kind: 'error', error: 'bad-frame' }); // not 'ignored'
    });

    it('returns a fresh body for every message', () => {
      const r = new Reassembler();
      const one = r.push(first(3, pattern(3, 1)), 0);
      const two = r.push(first(3, pattern(3, 2)), 0);
      if (one.kind !== 'message' || two.kind !== 'message') throw new Error('expected messages');
      expect(toHex(one.body)).to.equal(toHex(pattern(3, 1)));
      expect(one.body).to.not.equal(two.body);
    });
  });

  describe('error codes', () => {
    it('has the wire codes the protocol documents', () => {
      expect(FRAME_ERRORS).to.deep.equal({ 'bad-frame': 1, 'too-large': 2, timeout: 3, 'bad-message': 4, 'unexpected-message': 5 });
      for (const [name, code] of Object.entries(FRAME_ERRORS)) expect(frameErrorName(code)).to.equal(name);
      expect(frameErrorName(0)).to.equal(undefined);
      expect(frameErrorName(6)).to.equal(undefined);
    });
  });

  describe('robustness', () => {
    // A small deterministic PRNG (xorshift32) so failures reproduce on both engines.
    function prng(seed: number): (n: number) => number {
      let s = seed >>> 0 || 1;
      return (n) => {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        return s % n;
      };
    }

    /**
     * Checks a delivered message against the frames pushed since the last FIRST frame, by the
     * framing rules written out plainly: seq 0 first, consecutive sequence numbers, reserved bit
     * clear, bodies adding up exactly to the declared length.
     */
    function wellFormed(frames: Uint8Array[], event: { type: number; body: Uint8Array }): boolean {
      const head = frames[0];
      if (head === undefined || head.length < 5 || head[0] !== FLAG_FIRST || head[1] !== event.type) return false;
      const declared = head[2] * 256 + head[3];
      let bytes = Array.from(head.subarray(4));
      for (let i = 1; i < frames.length; i++) {
        if (frames[i].length < 2 || frames[i][0] !== i % 64) return false;
        bytes = bytes.concat(Array.from(frames[i].subarray(1)));
      }
      return declared === bytes.length && declared === event.body.length && toHex(Uint8Array.from(bytes)) === toHex(event.body);
    }

    it('never throws on random frames and only delivers well-formed messages', () => {
      const rand = prng(0x1a7c4);
      const r = new Reassembler();
      let sinceFirst: Uint8Array[] = [];
      const seen: Record<string, number> = {};
      let now = 0;
      for (let n = 0; n < 3000; n++) {
        const length = rand(10) === 0 ? rand(600) : rand(24);
        const frame = Uint8Array.from({ length }, () => rand(256));
        // Bias the control byte and length so frames reach the deeper states often.
        if (length > 0 && rand(2) === 0) frame[0] = rand(3) === 0 ? FLAG_FIRST : (sinceFirst.length & 63) | (rand(8) === 0 ? 0x40 : 0);
        if (length > 3 && frame[0] === FLAG_FIRST) {
          frame[2] = 0;
          frame[3] = rand(3) === 0 ? length - 4 : rand(60);
        }
        now += rand(8) === 0 ? 4000 : rand(100);
        let event: ReassemblyEvent;
        if (rand(20) === 0) {
          event = r.expire(now);
        } else {
          if (frame.length > 0 && frame[0] & FLAG_FIRST) sinceFirst = [];
          sinceFirst.push(frame);
          event = r.push(frame, now);
        }
        seen[event.kind] = (seen[event.kind] ?? 0) + 1;
        if (event.kind === 'message') {
          expect(wellFormed(sinceFirst, event), `message at frame ${n}`).to.equal(true);
          sinceFirst = [];
        }
      }
      for (const kind of ['pending', 'message', 'error', 'ignored']) expect(seen[kind], kind).to.be.greaterThan(0);
    });

    it('turns lost, repeated, reordered, cut or flipped frames into few errors and never a different body', () => {
      const rand = prng(0xbeef);
      const r = new Reassembler();
      let messages = 0;
      for (let n = 0; n < 400; n++) {
        const mtu = [23, 27, 40, 185][rand(4)];
        const body = pattern(1 + rand(300), n);
        const frames = splitMessage(2, body, mtu).map((f) => f.slice());
        const i = rand(frames.length);
        const damage = rand(6);
        switch (damage) {
          // A flipped bit in a control byte or the type. (Not in the length: like any framing
          // without a checksum this one trusts the link layer's CRC for the bytes themselves.)
          case 0:
            frames[i][i === 0 ? rand(2) : 0] ^= 1 << rand(8);
            break;
          case 1:
            frames.splice(i, 1);
            break; // a lost frame
          case 2:
            frames.splice(i, 0, frames[i]);
            break; // a duplicate
          case 3:
            if (i + 1 < frames.length) frames.splice(i, 2, frames[i + 1], frames[i]);
            break; // swapped
          case 4:
            frames[i] = frames[i].subarray(0, rand(frames[i].length));
            break; // truncated
          // One byte too many. Usually an overrun; but when the last frame carried a single byte the
          // message completes one frame early, shifted, and the last frame is the error. Without a
          // checksum framing cannot tell; the link layer's CRC and the signatures inside can.
          default:
            frames[i] = Uint8Array.from([...frames[i], rand(256)]);
        }
        const events = pushAll(r, frames, n * 10_000);
        events.push(r.expire(n * 10_000 + REASSEMBLY_TIMEOUT_MS));
        const errors = events.filter((e) => e.kind === 'error').length;
        const delivered = events.filter((e) => e.kind === 'message');
        // No error storms: errors are bounded by the FIRST frames, not by the frames that follow.
        // (Two when the FIRST frame moved: a stray continuation, then a message missing a frame.)
        const firsts = frames.filter((f) => f.length > 0 && f[0] & FLAG_FIRST).length;
        expect(errors, `case ${n}: ${kinds(events)}`).to.be.at.most(Math.min(2, firsts + 1));
        if (damage !== 3) expect(errors, `case ${n}: ${kinds(events)}`).to.be.at.most(1);
        for (const e of delivered) {
          if (e.kind === 'message' && damage !== 5) expect(toHex(e.body), `case ${n}`).to.equal(toHex(body));
          messages++;
        }
        // Whatever happened, the next clean message gets through.
        const clean = pushAll(r, splitMessage(3, body, mtu), n * 10_000 + 5000);
        expectMessage(clean[clean.length - 1], 3, body);
      }
      expect(messages).to.be.greaterThan(0); // some damage is harmless: a type bit, a repeated one-frame message
    });
  });
});
