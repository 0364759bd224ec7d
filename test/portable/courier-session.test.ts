// The courier's presentation session (courier/session.ts): against a scripted lock, byte by byte;
// property tests (fast-check) for its decoding of notifications; and against the real lock
// (PresentationService over the simulated BLE link) at several MTUs and frame capacities, driven
// here without the simulator's phone. Portable: Node and XS. Holder proofs are signed once and
// cached, since signing is what costs inside XS.

import { expect } from 'chai';
import fc from 'fast-check';
import { CourierSession, MAX_SESSION_NOTIFICATIONS, type HolderProver, type SessionStep, type Verdict } from '../../courier/session.js';
import { holderKeyFromSeed } from '../../courier/holder-key.js';
import { buildProvisioning, verifyDeviceAnswer, verifyReceipt } from '../../issuer/admin.js';
import { Simulator } from '../../sim/simulator.js';
import { encodeSigned } from '../../src/ble/admin-messages.js';
import { FLAG_FIRST, MAX_FRAME_BYTES, Reassembler, frameCapacity, splitMessage } from '../../src/ble/framing.js';
import { MESSAGE_TYPES, decodePresent, encodeChallenge, encodeError, encodeResult } from '../../src/ble/messages.js';
import { toHex } from '../../src/bytes.js';
import { verifyEd25519 } from '../../src/ed25519.js';
import { holderProofMessage, ticketHash } from '../../src/holder-proof.js';
import { REFUSAL_CODES } from '../../src/reasons.js';
import { issuerArg, OWNER } from './admin-fixtures.js';
import { HOLDER_PUBLIC, HOLDER_SEED, ISSUER, LOCK_ID, NOW, ascii } from './fixtures.js';
import { newSim, tk } from './lock-fixtures.js';

const SEED = 20261130;
const runs = (numRuns: number) => ({ numRuns, seed: SEED });
const CHALLENGE = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 255);
const RECEIPT = ascii('a signed receipt, as far as the phone cares');

/** A prover that signs with the fixture holder key once per message (cached for the run). */
const signed = new Map<string, Uint8Array>();
const realProver: HolderProver = (r) => {
  const key = toHex(r.message);
  let proof = signed.get(key);
  if (proof === undefined) {
    proof = holderKeyFromSeed(HOLDER_SEED).prove(r);
    signed.set(key, proof as Uint8Array);
  }
  return proof;
};
/** A prover that does not sign (64 bytes of 0xab): for tests about the phone's decoding only. */
const fakeProver: HolderProver = () => new Uint8Array(64).fill(0xab);

const challengeFrames = (mtu: number, lockId = LOCK_ID) =>
  splitMessage(MESSAGE_TYPES.CHALLENGE, encodeChallenge({ challenge: CHALLENGE, lockId, lockTime: NOW }), mtu);
const resultFrames = (mtu: number, fields: Parameters<typeof encodeResult>[0]) => splitMessage(MESSAGE_TYPES.RESULT, encodeResult(fields), mtu);
const session = (prove: HolderProver = fakeProver, frameCapacity = 20, expectedLockId?: string) =>
  new CourierSession({ kind: 'present', ticket: tk('fixture'), prove }, expectedLockId === undefined ? { frameCapacity } : { frameCapacity, expectedLockId });

/** Feeds frames in order; returns every step. */
function feed(s: CourierSession, frames: Uint8Array[], now = 0): SessionStep[] {
  return frames.map((f) => s.receive(f, now));
}

/** Reassembles the phone's writes into one message. */
function reassemble(writes: Uint8Array[]): { type: number; body: Uint8Array } {
  const r = new Reassembler();
  let out: { type: number; body: Uint8Array } | undefined;
  for (const w of writes) {
    const e = r.push(w, 0);
    if (e.kind === 'message') out = { type: e.type, body: e.body };
    else expect(e.kind).to.equal('pending');
  }
  expect(out, 'the writes make one whole message').to.not.equal(undefined);
  return out!;
}

describe('courier session', () => {
  describe('against a scripted lock', () => {
    it('answers a CHALLENGE in 4 notifications at MTU 23 with PRESENT frames of the capacity, proof verifying', () => {
      const s = session(realProver, 20);
      const steps = feed(s, challengeFrames(23));
      expect(steps.length).to.equal(4);
      expect(steps.slice(0, 3).every((st) => st.writes.length === 0 && st.challenge === undefined)).to.equal(true);
      const last = steps[3];
      expect(last.challenge?.lockId).to.equal(LOCK_ID);
      expect(s.state).to.equal('awaiting-result');
      expect(last.writes.length).to.equal(16); // the 214-byte fixture ticket at 20 bytes a frame (docs/ble-protocol.md)
      expect(last.writes.every((w) => w.length <= 20)).to.equal(true);
      const message = reassemble(last.writes);
      expect(message.type).to.equal(MESSAGE_TYPES.PRESENT);
      const present = decodePresent(message.body);
      expect(present.ok).to.equal(true);
      if (!present.ok) return;
      expect(present.value.ticket).to.deep.equal(tk('fixture'));
      const proofMessage = holderProofMessage(CHALLENGE, LOCK_ID, ticketHash(tk('fixture')));
      expect(verifyEd25519(present.value.proof!, proofMessage, HOLDER_PUBLIC), 'the holder proof verifies under the holder key').to.equal(true);
    });

    for (const capacity of [20, 182, 244, 512]) {
      it(`cuts PRESENT into frames of at most ${capacity} bytes, all full but the last`, () => {
        const step = feed(session(fakeProver, capacity), challengeFrames(185)).pop()!;
        const sizes = step.writes.map((w) => w.length);
        expect(Math.max(...sizes)).to.be.at.most(capacity);
        expect(sizes.slice(0, -1).every((n) => n === capacity)).to.equal(true);
        expect(decodePresent(reassemble(step.writes).body).ok).to.equal(true);
      });
    }

    it('granted: the receipt that came before RESULT, and the relock delay', () => {
      const s = session();
      feed(s, challengeFrames(23));
      feed(s, splitMessage(MESSAGE_TYPES.RECEIPT, encodeSigned(RECEIPT), 23));
      expect(s.state).to.equal('awaiting-result');
      const steps = feed(s, resultFrames(23, { granted: true, seconds: 5 }));
      expect(steps.pop()!.verdict).to.deep.equal({ kind: 'granted', relockSeconds: 5, receipt: RECEIPT });
      expect(s.state).to.equal('done');
    });

    const refusals: [string, Parameters<typeof encodeResult>[0], Verdict][] = [
      ['replayed', { granted: false, reason: 'replayed' }, { kind: 'refused', code: 20, reason: 'replayed', retryAfterSeconds: 0 }],
      [
        'backoff, with its retry delay',
        { granted: false, reason: 'backoff', seconds: 42 },
        { kind: 'refused', code: 23, reason: 'backoff', retryAfterSeconds: 42 },
      ],
      ['a code from a newer lock', { granted: false, reason: 99 }, { kind: 'refused', code: 99, reason: undefined, retryAfterSeconds: 0 }],
    ];
    for (const [what, fields, expected] of refusals) {
      it(`refused: ${what}`, () => {
        const s = session();
        feed(s, challengeFrames(185));
        expect(feed(s, resultFrames(185, fields)).pop()!.verdict).to.deep.equal(expected);
      });
    }

    it('ERROR from the lock, known and unknown codes, even before the challenge', () => {
      const s = session();
      feed(s, challengeFrames(185));
      expect(s.receive(splitMessage(MESSAGE_TYPES.ERROR, encodeError('bad-message'), 185)[0], 0).verdict).to.deep.equal({
        kind: 'lock-error',
        code: 4,
        error: 'bad-message',
      });
      const early = session();
      expect(early.receive(splitMessage(MESSAGE_TYPES.ERROR, encodeError(77), 185)[0], 0).verdict).to.deep.equal({
        kind: 'lock-error',
        code: 77,
        error: undefined,
      });
    });

    it('a CHALLENGE from another lock than the ticket is for ends the session with nothing written', () => {
      const s = session(fakeProver, 20, LOCK_ID);
      const step = feed(s, challengeFrames(185, 'lock:3-rue-des-roses/door-b')).pop()!;
      expect(step.writes).to.deep.equal([]);
      expect(step.verdict).to.deep.include({ kind: 'failed', failure: 'wrong-lock' });
      const right = session(fakeProver, 20, LOCK_ID);
      expect(feed(right, challengeFrames(185)).pop()!.writes.length).to.be.above(0);
    });

    it('out of turn: RESULT or RECEIPT before CHALLENGE, a second CHALLENGE, a second RECEIPT', () => {
      const failure = (frames: Uint8Array[][]) => {
        const s = session();
        for (const f of frames) feed(s, f);
        return s.verdict?.kind === 'failed' ? s.verdict.failure : s.verdict?.kind;
      };
      const receipt = splitMessage(MESSAGE_TYPES.RECEIPT, encodeSigned(RECEIPT), 185);
      expect(failure([resultFrames(185, { granted: true })])).to.equal('unexpected-message');
      expect(failure([receipt])).to.equal('unexpected-message');
      expect(failure([challengeFrames(185), challengeFrames(185)])).to.equal('unexpected-message');
      expect(failure([challengeFrames(185), receipt, receipt])).to.equal('unexpected-message');
    });

    it('a CHALLENGE of another protocol version or shape is refused', () => {
      const s = session();
      const v2 = splitMessage(MESSAGE_TYPES.CHALLENGE, Uint8Array.of(0x82, 0x02, 0x00), 185);
      expect(feed(s, v2).pop()!.verdict).to.deep.equal({ kind: 'failed', failure: 'bad-challenge', detail: 'unsupported protocol version' });
    });

    it('a RECEIPT that does not decode does not hide the grant', () => {
      const s = session();
      feed(s, challengeFrames(185));
      feed(s, splitMessage(MESSAGE_TYPES.RECEIPT, Uint8Array.of(0x80), 185)); // [] : not a receipt
      expect(s.receiptError).to.be.a('string');
      expect(feed(s, resultFrames(185, { granted: true, seconds: 5 })).pop()!.verdict).to.deep.equal({ kind: 'granted', relockSeconds: 5, receipt: undefined });
    });

    it('broken notifications end the session: oversized, a FIRST declaring too much, a bad continuation', () => {
      const outcome = (frame: Uint8Array) => session().receive(frame, 0).verdict;
      expect(outcome(new Uint8Array(MAX_FRAME_BYTES + 1).fill(FLAG_FIRST))).to.deep.equal({ kind: 'failed', failure: 'bad-notification', detail: 'bad-frame' });
      expect(outcome(Uint8Array.of(FLAG_FIRST, 1, 0x13, 0x88, 0))).to.deep.equal({ kind: 'failed', failure: 'bad-notification', detail: 'too-large' });
      expect(outcome(Uint8Array.of(0x05, 1, 2))).to.deep.equal({ kind: 'failed', failure: 'bad-notification', detail: 'bad-frame' });
      expect(outcome(new Uint8Array(0))).to.deep.equal({ kind: 'failed', failure: 'bad-notification', detail: 'bad-frame' });
    });

    it(`messages of unknown types are skipped, but at most ${MAX_SESSION_NOTIFICATIONS} notifications are taken`, () => {
      const s = session();
      const unknown = splitMessage(0x55, Uint8Array.of(0x80), 185)[0];
      for (let i = 0; i < MAX_SESSION_NOTIFICATIONS; i++) expect(s.receive(unknown, 0).verdict).to.equal(undefined);
      expect(s.receive(unknown, 0).verdict).to.deep.include({ kind: 'failed', failure: 'too-many-notifications' });
      expect(s.receive(unknown, 0), 'done: nothing more').to.deep.equal({ writes: [] });
    });

    it('a signer that throws ends the session as proof-failed, nothing written', () => {
      const s = session(() => {
        throw new Error('key locked');
      });
      const step = feed(s, challengeFrames(185)).pop()!;
      expect(step.writes).to.deep.equal([]);
      expect(step.verdict).to.deep.equal({ kind: 'failed', failure: 'proof-failed', detail: 'key locked' });
    });

    it('timeout and disconnection are verdicts only when none was reached', () => {
      const s = session();
      expect(s.disconnected()).to.deep.equal({ kind: 'disconnected' });
      expect(s.timedOut()).to.deep.equal({ kind: 'disconnected' });
      const t = session();
      feed(t, challengeFrames(185));
      expect(t.timedOut()).to.deep.equal({ kind: 'timeout' });
    });

    it('refuses to be built for a frame capacity or ticket the protocol cannot carry', () => {
      expect(() => session(fakeProver, 19)).to.throw(RangeError);
      expect(() => session(fakeProver, 513)).to.throw(RangeError);
      expect(() => new CourierSession({ kind: 'present', ticket: new Uint8Array(0), prove: fakeProver }, { frameCapacity: 20 })).to.throw(RangeError);
      expect(() => new CourierSession({ kind: 'present', ticket: new Uint8Array(1300), prove: fakeProver }, { frameCapacity: 20 })).to.throw(RangeError);
      expect([frameCapacity(23), frameCapacity(185), frameCapacity(517)]).to.deep.equal([20, 182, 512]);
    });
  });

  describe('properties of its decoding of notifications', () => {
    const anyFrame = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // FIRST frames with small declared lengths and known types, so messages sometimes complete
      fc
        .tuple(fc.constantFrom(1, 3, 7, 0x7f, 0x55), fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 40 }))
        .map(([type, length, body]) => Uint8Array.of(FLAG_FIRST, type, 0, length, ...body)),
      fc.tuple(fc.integer({ min: 0, max: 63 }), fc.uint8Array({ minLength: 1, maxLength: 30 })).map(([seq, body]) => Uint8Array.of(seq, ...body)),
    );

    it('any notifications: never throws, writes at most once and only with the challenge, ends at most once, bounded', () => {
      fc.assert(
        fc.property(fc.array(anyFrame, { maxLength: 40 }), fc.integer({ min: 20, max: 512 }), (frames, capacity) => {
          const s = session(fakeProver, capacity);
          let writeSteps = 0;
          let verdicts = 0;
          for (const f of [...challengeFrames(23).slice(0, 1), ...frames]) {
            const step = s.receive(f, 0);
            if (step.writes.length > 0) {
              writeSteps++;
              expect(step.challenge, 'writes answer a challenge').to.not.equal(undefined);
              expect(step.writes.every((w) => w.length <= capacity)).to.equal(true);
            }
            if (step.verdict !== undefined) verdicts++;
          }
          expect(writeSteps).to.be.at.most(1);
          expect(verdicts).to.be.at.most(1);
          expect((s.verdict === undefined) === (s.state !== 'done')).to.equal(true);
          expect(s.notifications).to.be.at.most(MAX_SESSION_NOTIFICATIONS);
        }),
        runs(300),
      );
    });

    const resultFields = fc.oneof(
      fc.integer({ min: 0, max: 3600 }).map((seconds) => ({ granted: true, seconds })),
      fc
        .tuple(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
        .map(([reason, seconds]) => ({ granted: false, reason, seconds })),
    );
    const conversation = fc.record({
      lockMtu: fc.integer({ min: 23, max: 517 }),
      capacity: fc.integer({ min: 20, max: 512 }),
      lockId: fc.string({ minLength: 1, maxLength: 300 }),
      receipt: fc.option(fc.uint8Array({ minLength: 1, maxLength: 900 }), { nil: undefined }),
      result: resultFields,
    });
    const lockFrames = (c: { lockMtu: number; lockId: string; receipt: Uint8Array | undefined; result: Parameters<typeof encodeResult>[0] }) => [
      ...splitMessage(MESSAGE_TYPES.CHALLENGE, encodeChallenge({ challenge: CHALLENGE, lockId: c.lockId, lockTime: NOW }), c.lockMtu),
      ...(c.receipt === undefined ? [] : splitMessage(MESSAGE_TYPES.RECEIPT, encodeSigned(c.receipt), c.lockMtu)),
      ...resultFrames(c.lockMtu, c.result),
    ];
    const expectedVerdict = (c: { receipt: Uint8Array | undefined; result: { granted: boolean; reason?: number | string; seconds?: number } }): Verdict =>
      c.result.granted
        ? { kind: 'granted', relockSeconds: c.result.seconds ?? 0, receipt: c.receipt }
        : {
            kind: 'refused',
            code: c.result.reason as number,
            reason: (Object.keys(REFUSAL_CODES) as (keyof typeof REFUSAL_CODES)[]).find((k) => REFUSAL_CODES[k] === c.result.reason),
            retryAfterSeconds: c.result.seconds ?? 0,
          };

    it('an honest lock at any MTU: the verdict is what it said, the PRESENT fits the capacity and decodes', () => {
      fc.assert(
        fc.property(conversation, (c) => {
          const s = session(fakeProver, c.capacity);
          const writes: Uint8Array[] = [];
          for (const f of lockFrames(c)) writes.push(...s.receive(f, 0).writes);
          expect(s.verdict).to.deep.equal(expectedVerdict(c));
          expect(writes.every((w) => w.length <= c.capacity)).to.equal(true);
          expect(decodePresent(reassemble(writes).body).ok).to.equal(true);
        }),
        runs(150),
      );
    });

    it('frames lost, repeated, cut or swapped are detected, never misread as another verdict', () => {
      fc.assert(
        fc.property(conversation, fc.nat(), fc.constantFrom('drop', 'repeat', 'cut', 'swap'), (c, at, fault) => {
          const frames = lockFrames(c);
          const i = at % frames.length;
          const faulty = frames.slice();
          if (fault === 'drop') faulty.splice(i, 1);
          else if (fault === 'repeat') faulty.splice(i, 0, frames[i]);
          else if (fault === 'cut') faulty[i] = frames[i].subarray(0, frames[i].length - 1);
          else if (i + 1 < frames.length) [faulty[i], faulty[i + 1]] = [frames[i + 1], frames[i]];
          const s = session(fakeProver, c.capacity);
          for (const f of faulty) s.receive(f, 0);
          const v = s.verdict;
          const honest = expectedVerdict(c);
          if (v === undefined || v.kind === 'failed') return; // detected (or still waiting: the transport times out)
          // The only faults that leave a verdict standing drop or repeat a whole message the
          // phone can do without: the RECEIPT (dropped) — then the grant is reported without it.
          if (honest.kind === 'granted' && v.kind === 'granted' && v.receipt === undefined) return;
          expect(v).to.deep.equal(honest);
        }),
        runs(300),
      );
    });
  });

  describe('against the real lock (PresentationService over the simulated link)', () => {
    /** Drives one session on a simulator's central, as a transport would; returns the verdict. */
    function presentOver(sim: Simulator, ticket: Uint8Array, mtu: number, capacity: number) {
      const central = sim.link.central;
      const negotiated = central.connect(mtu);
      const s = new CourierSession(
        { kind: 'present', ticket, prove: realProver },
        { frameCapacity: Math.min(capacity, frameCapacity(negotiated)), expectedLockId: LOCK_ID },
      );
      let writes = 0;
      const stop = central.onNotify((value) => {
        for (const w of s.receive(value, sim.time.elapsed()).writes) {
          central.write(w);
          writes++;
        }
      });
      const stopDisconnect = central.onDisconnect(() => s.disconnected());
      central.subscribe();
      const deadline = sim.time.elapsed() + 10_000;
      while (s.verdict === undefined && sim.time.elapsed() < deadline && sim.time.next()) {
        /* one timer at a time */
      }
      if (s.verdict === undefined) s.timedOut();
      stop();
      stopDisconnect();
      central.disconnect();
      return { verdict: s.verdict, writes, notifications: s.notifications };
    }

    for (const [mtu, capacity, writes] of [
      [23, 20, 16],
      [64, 61, 5],
      [185, 182, 2],
      [247, 244, 2],
      [517, 512, 1],
      [517, 20, 16], // the web courier's fixed 20-byte writes on a link that negotiated more
    ] as const) {
      it(`MTU ${mtu}, ${capacity}-byte writes: granted in ${writes} writes, then the same ticket is refused replayed`, () => {
        const sim = newSim();
        const first = presentOver(sim, tk('fixture'), mtu, capacity);
        expect(first.verdict).to.deep.equal({ kind: 'granted', relockSeconds: 5, receipt: undefined });
        expect(first.writes).to.equal(writes);
        expect(sim.actuator.position).to.equal('unlocked');
        sim.wait(10_000);
        const again = presentOver(sim, tk('fixture'), mtu, capacity);
        expect(again.verdict).to.deep.include({ kind: 'refused', reason: 'replayed', code: 20 });
      });
    }

    it('a provisioned lock: the receipt arrives over several notifications at MTU 23 and verifies under the device key', () => {
      const sim = new Simulator({ lock: { administered: true, issuers: [] }, startTime: NOW, holderSeed: HOLDER_SEED });
      const answer = sim.admin(buildProvisioning(OWNER, LOCK_ID, 1, { issuers: [issuerArg(ISSUER, 'parcel-co')] }), 'provision');
      const device = verifyDeviceAnswer(answer.data!);
      if (!device.ok) throw new Error(device.error);
      const { verdict, notifications } = presentOver(sim, tk('fixture'), 23, 20);
      expect(verdict?.kind).to.equal('granted');
      expect(notifications, 'CHALLENGE 4 + RECEIPT + RESULT 1').to.be.above(6);
      const receipt = verifyReceipt((verdict as { receipt: Uint8Array }).receipt, device.value.deviceKey);
      expect(receipt.ok && receipt.value.sub).to.equal('courier-42');
      expect(receipt.ok && receipt.value.lockId).to.equal(LOCK_ID);
    });

    it('a ticket for another holder key is refused bad-proof by the lock', () => {
      const sim = newSim();
      const other = tk('second'); // same holder key in the ticket; proof by another key:
      const central = sim.link.central;
      central.connect(185);
      const s = new CourierSession({ kind: 'present', ticket: other, prove: holderKeyFromSeed(new Uint8Array(32).fill(0xee)).prove }, { frameCapacity: 182 });
      central.onNotify((v) => s.receive(v, sim.time.elapsed()).writes.forEach((w) => central.write(w)));
      central.subscribe();
      sim.wait(1000);
      expect(s.verdict).to.deep.include({ kind: 'refused', reason: 'bad-proof' });
      expect(sim.actuator.position).to.equal('locked');
    });
  });
});
