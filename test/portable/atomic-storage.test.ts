// The device's storage algorithm (hal/atomic-storage.ts: two slots, sequence number, CRC-32)
// under power cuts at every raw flash write, including torn writes that leave half a record:
// every key must read back old or new, never a mix and never nothing. Then the lock's own
// power-cut suite for a grant, run on the same algorithm the device uses. Portable (Node + XS).

import { expect } from 'chai';
import { AtomicStorage, SLOT_OVERHEAD_BYTES, crc32 } from '../../hal/atomic-storage.js';
import type { Storage } from '../../hal/index.js';
import { MemoryStorage, PowerCut } from '../../sim/hal/index.js';
import type { PoweredStorage } from '../../sim/simulator.js';
import { ReplayStore } from '../../src/lock/replay-store.js';
import { KEY_BACKOFF, KEY_REPLAY } from '../../src/lock/records.js';
import { Backoff } from '../../src/lock/backoff.js';
import { newSim, presentCached, replayIdOf, tk, verdict } from './lock-fixtures.js';

type Cut = 'before' | 'after' | 'torn';

/**
 * Raw flash for the tests: MemoryStorage plus a torn write (the first half of the record lands,
 * then the power goes). Counts raw writes (set and delete) so a cut can be placed at each.
 */
class RawFlash implements Storage {
  readonly maxKeyLength: number;
  readonly maxValueBytes: number;
  writes = 0;
  private cutAt = 0;
  private cut: Cut = 'before';

  constructor(readonly memory = new MemoryStorage()) {
    this.maxKeyLength = memory.maxKeyLength;
    this.maxValueBytes = memory.maxValueBytes;
  }

  arm(n: number, cut: Cut): void {
    this.cutAt = this.writes + n;
    this.cut = cut;
  }

  get(key: string): Uint8Array | undefined {
    return this.memory.get(key);
  }

  set(key: string, value: Uint8Array): void {
    this.memory.power.assertOn();
    const n = ++this.writes;
    if (n !== this.cutAt) return this.memory.set(key, value);
    if (this.cut === 'torn') {
      this.memory.cutAtWrite(1, 'after');
      return this.memory.set(key, value.slice(0, Math.max(1, value.length >> 1)));
    }
    this.memory.cutAtWrite(1, this.cut);
    this.memory.set(key, value);
  }

  delete(key: string): void {
    this.memory.power.assertOn();
    const n = ++this.writes;
    if (n === this.cutAt) this.memory.cutAtWrite(1, this.cut === 'after' ? 'after' : 'before');
    this.memory.delete(key);
  }
}

/** AtomicStorage over RawFlash, with the power switch the Simulator expects. */
class Flash extends AtomicStorage implements PoweredStorage {
  constructor(readonly chip: RawFlash = new RawFlash()) {
    super(chip);
  }
  powerOn(): void {
    this.chip.memory.powerOn();
  }
  get off(): boolean {
    return this.chip.memory.off;
  }
}

const bytes = (...v: number[]) => Uint8Array.from(v);

describe('atomic storage (hal/atomic-storage.ts, the algorithm the device runs)', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(Uint8Array.from('123456789', (c) => c.charCodeAt(0))).toString(16)).to.equal('cbf43926');
  });

  it('reads back what was written, alternating slots, and deletes', () => {
    const raw = new RawFlash();
    const s = new AtomicStorage(raw);
    expect(s.get('k')).to.equal(undefined);
    s.set('k', bytes(1));
    s.set('k', bytes(2, 2));
    expect(s.get('k')).to.deep.equal(bytes(2, 2));
    expect(raw.memory.keys()).to.deep.equal(['k.a', 'k.b']);
    s.set('k', bytes(3));
    expect(new AtomicStorage(raw).get('k'), 'a fresh instance (after a reboot) reads the newest').to.deep.equal(bytes(3));
    s.delete('k');
    expect(s.get('k')).to.equal(undefined);
    expect(raw.memory.keys()).to.deep.equal([]);
    expect(raw.writes, 'one raw write per set, one per slot deleted').to.equal(5);
  });

  it('keeps the NVS limits minus its own overhead: two key characters, eight value bytes', () => {
    const s = new AtomicStorage(new RawFlash());
    expect(s.maxKeyLength).to.equal(13);
    expect(s.maxValueBytes).to.equal(4000 - SLOT_OVERHEAD_BYTES);
    s.set('lk.backoff-xyz'.slice(0, 13), new Uint8Array(s.maxValueBytes));
    expect(() => s.set('k', new Uint8Array(s.maxValueBytes + 1))).to.throw(RangeError);
    expect(() => s.set('fourteen-chars', bytes(1))).to.throw(RangeError);
    // The replay store still fits its 199-entry maximum in one value.
    expect(() => new ReplayStore(s, 199)).not.to.throw();
  });

  it('a damaged newest slot falls back to the previous value; a damaged only slot reads as absent', () => {
    const raw = new RawFlash();
    const s = new AtomicStorage(raw);
    s.set('k', bytes(1));
    s.set('k', bytes(2));
    const b = raw.memory.peek('k.b')!;
    b[5] ^= 1;
    raw.memory.set('k.b', b);
    expect(s.get('k')).to.deep.equal(bytes(1));
    s.set('k', bytes(3)); // overwrites the damaged slot
    expect(s.get('k')).to.deep.equal(bytes(3));
    raw.memory.delete('k.a');
    const only = raw.memory.peek('k.b')!;
    only[0] ^= 0x80;
    raw.memory.set('k.b', only);
    expect(s.get('k')).to.equal(undefined);
  });

  it('the sequence number orders slots across its u32 wrap', () => {
    const raw = new RawFlash();
    const s = new AtomicStorage(raw);
    const slot = (sequence: number, value: number) => {
      const r = new Uint8Array(4 + 1 + 4);
      r[0] = sequence >>> 24;
      r[1] = (sequence >>> 16) & 255;
      r[2] = (sequence >>> 8) & 255;
      r[3] = sequence & 255;
      r[4] = value;
      const c = crc32(r, 5);
      r[5] = c >>> 24;
      r[6] = (c >>> 16) & 255;
      r[7] = (c >>> 8) & 255;
      r[8] = c & 255;
      return r;
    };
    raw.memory.set('k.a', slot(0xffffffff, 1));
    raw.memory.set('k.b', slot(0, 2));
    expect(s.get('k')).to.deep.equal(bytes(2));
    s.set('k', bytes(3));
    expect(raw.memory.peek('k.a')![3]).to.equal(1); // sequence 1 went into the older slot
    expect(s.get('k')).to.deep.equal(bytes(3));
  });

  it('a power cut at every raw write (before, after, torn) leaves every key old or new', () => {
    // A script of operations on three keys; after each cut the store is rebuilt on the same
    // flash (a reboot) and every key must equal its value before or after the interrupted step.
    const script: [string, Uint8Array | undefined][] = [
      ['a', bytes(1)],
      ['a', bytes(2, 2)],
      ['b', new Uint8Array(300).fill(7)],
      ['a', bytes(3)],
      ['b', undefined],
      ['a', undefined],
      ['a', bytes(4)],
      ['c', bytes(5)],
      ['c', bytes(6)],
      ['b', bytes(8)],
    ];
    const apply = (s: Storage, [key, value]: [string, Uint8Array | undefined]) => (value === undefined ? s.delete(key) : s.set(key, value));
    const model = (steps: number) => {
      const m = new Map<string, Uint8Array>();
      for (const [key, value] of script.slice(0, steps)) {
        if (value === undefined) m.delete(key);
        else m.set(key, value);
      }
      return m;
    };
    const dry = new RawFlash();
    for (const step of script) apply(new AtomicStorage(dry), step);
    let cases = 0;
    for (let k = 1; k <= dry.writes; k++) {
      for (const cut of ['before', 'after', 'torn'] as const) {
        const raw = new RawFlash();
        raw.arm(k, cut);
        let step = 0;
        let threw: unknown;
        for (; step < script.length; step++) {
          try {
            apply(new AtomicStorage(raw), script[step]);
          } catch (error) {
            threw = error;
            break;
          }
        }
        expect(threw, `cut ${cut} at raw write ${k}`).to.be.instanceOf(PowerCut);
        raw.memory.powerOn();
        const after = new AtomicStorage(raw);
        const old = model(step);
        const next = model(step + 1);
        for (const key of ['a', 'b', 'c']) {
          const got = after.get(key);
          const ok = [old.get(key), next.get(key)].some((v) =>
            v === undefined ? got === undefined : got !== undefined && got.length === v.length && got.every((x, i) => x === v[i]),
          );
          expect(ok, `cut ${cut} at raw write ${k} (step ${step}): key ${key} = ${got}`).to.equal(true);
        }
        // And the store keeps working after the reboot.
        after.set('a', bytes(9));
        expect(after.get('a')).to.deep.equal(bytes(9));
        cases++;
      }
    }
    expect(cases).to.equal(dry.writes * 3);
    expect(dry.writes).to.be.at.least(script.length);
  });

  it('the lock on this storage: a cut at every raw write of a grant never opens without a durable record, and never makes the ticket reusable', () => {
    const t = tk('fixture');
    const id = replayIdOf(t);
    const recorded = (raw: RawFlash) => {
      const s = new AtomicStorage(new MemoryStorage(raw.memory.snapshot()));
      const store = new ReplayStore(s, 199);
      return !store.damaged && store.has(id);
    };
    /** A lock with back-off state (one refusal: one slot written), so the grant also clears it. */
    const prepared = () => {
      const flash = new Flash();
      const sim = newSim({}, { storage: flash });
      expect(verdict(presentCached(sim, t, { proof: 'none' }))).to.equal('missing-proof');
      expect(new Backoff(flash).failures).to.equal(1);
      return { sim, flash };
    };
    const dry = prepared();
    const before = dry.flash.chip.writes;
    expect(verdict(presentCached(dry.sim, t))).to.equal('granted');
    const grantWrites = dry.flash.chip.writes - before;
    expect(grantWrites, `set ${KEY_REPLAY}, then delete the one slot of ${KEY_BACKOFF}`).to.equal(2);

    let cases = 0;
    for (let k = 1; k <= grantWrites; k++) {
      for (const cut of ['before', 'after', 'torn'] as const) {
        const label = `cut ${cut} at raw write ${k}`;
        const { sim, flash } = prepared();
        let violations = 0;
        sim.actuator.onDrive((d) => {
          if (d.target === 'unlocked' && d.reached && !recorded(flash.chip)) violations++;
        });
        flash.chip.arm(k, cut);
        const attempt = presentCached(sim, t);
        expect(flash.off, `${label}: the cut happened`).to.equal(true);
        expect(verdict(attempt), label).to.not.equal('granted');
        sim.reboot();
        expect(sim.actuator.position, `${label}: locked after reboot`).to.equal('locked');
        const durable = recorded(flash.chip);
        expect(durable, `${label}: the replay record landed`).to.equal(k > 1 || cut === 'after');
        expect(verdict(presentCached(sim, t)), `${label}: retry`).to.equal(durable ? 'replayed' : 'granted');
        expect(violations, `${label}: never unlocked without a durable replay record`).to.equal(0);
        cases++;
      }
    }
    expect(cases).to.equal(6);
  });
});
