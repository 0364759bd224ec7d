import { expect } from 'chai';
import { NVS_MAX_KEY_LENGTH, NVS_MAX_VALUE_BYTES, type BleHandlers } from '../../hal/index.js';
import {
  BleLink,
  MemoryLog,
  MemoryStorage,
  PowerCut,
  SeededRandom,
  SimActuator,
  SimDoor,
  SimIndicator,
  SimTime,
  StorageLimitError,
  SystemRandom,
} from '../../sim/hal/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const list = (b: Uint8Array | undefined) => (b === undefined ? undefined : Array.from(b));

describe('sim HAL', () => {
  describe('SimTime', () => {
    it('fires timers in deadline order, ties in creation order, each at its own deadline', () => {
      const time = new SimTime();
      const fired: string[] = [];
      const at = (name: string) => () => fired.push(`${name}@${time.timers.ticks()}`);
      time.timers.set(at('c'), 30);
      time.timers.set(at('a1'), 10);
      time.timers.set(at('b'), 20);
      time.timers.set(at('a2'), 10);
      time.timers.set(at('late'), 101);
      expect(time.pending()).to.equal(5);
      time.advance(100);
      expect(fired).to.deep.equal(['a1@10', 'a2@10', 'b@20', 'c@30']);
      expect(time.ticks()).to.equal(100);
      expect(time.pending()).to.equal(1);
      time.advance(1);
      expect(fired[4]).to.equal('late@101');
      expect(time.pending()).to.equal(0);
    });

    it('fires timers set by callbacks when they fall inside the window, not after it', () => {
      const time = new SimTime();
      const fired: number[] = [];
      const chain = () => {
        fired.push(time.ticks());
        time.timers.set(chain, 40);
      };
      time.timers.set(chain, 40);
      time.timers.set(() => {
        fired.push(-time.ticks());
        time.timers.set(() => fired.push(1000 + time.ticks()), 0); // due now: fires in this advance
      }, 50);
      time.advance(130);
      expect(fired).to.deep.equal([40, -50, 1050, 80, 120]);
      expect(time.nextDeadline()).to.equal(160);
    });

    it('clear() cancels a timer, also from inside another callback; clearing twice is harmless', () => {
      const time = new SimTime();
      const fired: string[] = [];
      const b = time.timers.set(() => fired.push('b'), 20);
      time.timers.set(() => {
        fired.push('a');
        time.timers.clear(b);
      }, 10);
      const c = time.timers.set(() => fired.push('c'), 30);
      time.timers.clear(c);
      time.timers.clear(c);
      time.advance(50);
      expect(fired).to.deep.equal(['a']);
      expect(time.pending()).to.equal(0);
    });

    it('records a throwing timer and keeps the timeline running', () => {
      const time = new SimTime();
      const seen: number[] = [];
      time.onError = (e) => seen.push(e.ticks);
      const fired: number[] = [];
      time.timers.set(() => fired.push(1), 5);
      time.timers.set(() => {
        throw new Error('boom');
      }, 10);
      time.timers.set(() => fired.push(2), 10);
      time.timers.set(() => fired.push(3), 15);
      time.advance(20);
      expect(fired).to.deep.equal([1, 2, 3]);
      expect(time.errors).to.have.length(1);
      expect((time.errors[0].error as Error).message).to.equal('boom');
      expect(time.errors[0].ticks).to.equal(10);
      expect(seen).to.deep.equal([10]);
      expect(time.ticks()).to.equal(20);
    });

    it('next() steps one timer at a time; runUntilIdle() stops at its limit', () => {
      const time = new SimTime();
      const fired: string[] = [];
      time.timers.set(() => fired.push('x'), 100);
      time.timers.set(() => fired.push('y'), 100);
      time.timers.set(() => fired.push('z'), 5000);
      expect(time.next()).to.equal(true);
      expect(fired).to.deep.equal(['x']);
      expect(time.ticks()).to.equal(100);
      expect(time.pending()).to.equal(2);
      expect(time.runUntilIdle(1000)).to.equal(false);
      expect(fired).to.deep.equal(['x', 'y']);
      expect(time.ticks()).to.equal(100);
      expect(time.runUntilIdle(10_000)).to.equal(true);
      expect(fired).to.deep.equal(['x', 'y', 'z']);
      expect(time.ticks()).to.equal(5000);
      expect(time.next()).to.equal(false);
      expect(time.ticks()).to.equal(5000);
    });

    it('rounds fractional delays up, fires negative delays at once, refuses NaN and a timer loop', () => {
      const time = new SimTime({ maxFirings: 1000 });
      const fired: number[] = [];
      time.timers.set(() => fired.push(time.ticks()), 0.2);
      time.timers.set(() => fired.push(time.ticks()), -5);
      time.advance(0);
      expect(fired).to.deep.equal([0]);
      time.advance(1);
      expect(fired).to.deep.equal([0, 1]);
      expect(() => time.timers.set(() => {}, NaN)).to.throw(RangeError);
      expect(() => time.advance(-1)).to.throw(RangeError);
      const loop = () => {
        time.timers.set(loop, 0);
      };
      time.timers.set(loop, 0);
      expect(() => time.advance(1)).to.throw(/timer loop/);
    });

    it('keeps ticks monotonic and the RTC separate: set() re-bases the RTC only', () => {
      const time = new SimTime();
      expect(time.clock.isSet()).to.equal(false);
      expect(time.clock.now()).to.equal(0);
      time.advance(2500);
      expect(time.clock.now()).to.equal(2);
      time.clock.set(1_800_000_000);
      expect(time.clock.isSet()).to.equal(true);
      expect(time.clock.now()).to.equal(1_800_000_000);
      expect(time.ticks()).to.equal(2500);
      time.advance(999);
      expect(time.clock.now()).to.equal(1_800_000_000);
      time.advance(1);
      expect(time.clock.now()).to.equal(1_800_000_001);
      time.clock.set(1_700_000_000); // backwards: the RTC jumps, ticks do not
      expect(time.clock.now()).to.equal(1_700_000_000);
      expect(time.timers.ticks()).to.equal(3500);
      const seen: number[] = [];
      time.timers.set(() => seen.push(time.clock.now()), 1500);
      time.advance(2000);
      expect(seen).to.deep.equal([1_700_000_001]);
      expect(new SimTime({ rtc: 1_750_000_000 }).clock.isSet()).to.equal(true);
      expect(new SimTime({ rtc: 5, rtcSet: false }).clock.isSet()).to.equal(false);
    });

    it('reboot drops device timers, restarts ticks, keeps the RTC and world timers', () => {
      const time = new SimTime({ rtc: 1_800_000_000 });
      const fired: string[] = [];
      time.timers.set(() => fired.push('device'), 1000);
      time.world.set(() => fired.push(`world@${time.ticks()}/${time.elapsed()}`), 1000);
      time.advance(700);
      time.reboot();
      expect(time.ticks()).to.equal(0);
      expect(time.elapsed()).to.equal(700);
      expect(time.pending('device')).to.equal(0);
      expect(time.pending('world')).to.equal(1);
      expect(time.clock.now()).to.equal(1_800_000_000);
      expect(time.clock.isSet()).to.equal(true);
      time.advance(2000);
      expect(fired).to.deep.equal(['world@300/1000']);
      expect(time.clock.now()).to.equal(1_800_000_002);
      expect(time.boots).to.equal(1);
    });

    it('a reboot from inside a timer callback drops the rest of the device timers', () => {
      const time = new SimTime();
      const fired: string[] = [];
      time.world.set(() => time.reboot(), 50);
      time.timers.set(() => fired.push('before'), 40);
      time.timers.set(() => fired.push('after'), 60);
      time.advance(100);
      expect(fired).to.deep.equal(['before']);
      expect(time.ticks()).to.equal(50);
    });

    it('a dead RTC battery resets the clock to unset 1970', () => {
      const time = new SimTime({ rtc: 1_800_000_000 });
      time.rtcPowerLoss();
      expect(time.clock.isSet()).to.equal(false);
      expect(time.clock.now()).to.equal(0);
    });
  });

  describe('devices', () => {
    it('SimActuator drives, records history with ticks, and injects jams', () => {
      const time = new SimTime();
      const act = new SimActuator(time);
      const moves: string[] = [];
      act.onDrive((r) => moves.push(`${r.target}:${r.reached}`));
      expect(act.position).to.equal('locked');
      time.advance(10);
      expect(act.drive('unlocked')).to.deep.equal({ reached: true });
      expect(act.position).to.equal('unlocked');
      act.jam(2);
      time.advance(5);
      expect(act.drive('locked')).to.deep.equal({ reached: false });
      expect(act.drive('locked')).to.deep.equal({ reached: false });
      expect(act.position).to.equal('unlocked');
      expect(act.drive('locked')).to.deep.equal({ reached: true });
      expect(act.position).to.equal('locked');
      act.jammed = true;
      expect(act.drive('unlocked').reached).to.equal(false);
      expect(act.drive('unlocked').reached).to.equal(false);
      act.clearJam();
      expect(act.drive('unlocked').reached).to.equal(true);
      expect(act.history.map((h) => [h.ticks, h.from, h.target, h.reached])).to.deep.equal([
        [10, 'locked', 'unlocked', true],
        [15, 'unlocked', 'locked', false],
        [15, 'unlocked', 'locked', false],
        [15, 'unlocked', 'locked', true],
        [15, 'locked', 'unlocked', false],
        [15, 'locked', 'unlocked', false],
        [15, 'locked', 'unlocked', true],
      ]);
      expect(moves).to.have.length(7);
      expect(moves[1]).to.equal('locked:false');
      expect(new SimActuator(time, 'unlocked').position).to.equal('unlocked');
      expect(() => act.drive('open' as never)).to.throw(TypeError);
    });

    it('SimDoor notifies its listener only on a change', () => {
      const door = new SimDoor();
      const events: string[] = [];
      door.onChange((s) => events.push(s));
      expect(door.read()).to.equal('closed');
      expect(door.close()).to.equal(false);
      expect(door.open()).to.equal(true);
      expect(door.open()).to.equal(false);
      expect(door.read()).to.equal('open');
      door.close();
      expect(events).to.deep.equal(['open', 'closed']);
      expect(door.changes).to.equal(2);
    });

    it('SimIndicator records the patterns shown', () => {
      const time = new SimTime();
      const ind = new SimIndicator(time);
      expect(ind.current).to.equal(undefined);
      ind.show('busy');
      time.advance(30);
      ind.show('granted');
      expect(ind.patterns()).to.deep.equal(['busy', 'granted']);
      expect(ind.shown[1]).to.deep.equal({ ticks: 30, pattern: 'granted' });
      expect(ind.current).to.equal('granted');
      expect(() => ind.show('disco' as never)).to.throw(TypeError);
    });

    it('MemoryLog keeps copies of entries and calls its listener', () => {
      const heard: string[] = [];
      const log = new MemoryLog((e) => heard.push(e.event));
      const entry = { at: 5, level: 'info' as const, event: 'boot', version: '0.1' };
      log.record(entry);
      entry.event = 'changed';
      log.record({ at: 6, level: 'alarm', event: 'jam' });
      expect(log.events()).to.deep.equal(['boot', 'jam']);
      expect(log.find('jam', 'alarm')).to.have.length(1);
      expect(log.find('jam', 'info')).to.have.length(0);
      expect(log.last()?.event).to.equal('jam');
      expect(heard).to.deep.equal(['boot', 'jam']);
    });
  });

  describe('MemoryStorage', () => {
    it('enforces the NVS key and value limits exactly', () => {
      const s = new MemoryStorage();
      expect(s.maxKeyLength).to.equal(NVS_MAX_KEY_LENGTH);
      expect(s.maxValueBytes).to.equal(NVS_MAX_VALUE_BYTES);
      s.set('k'.repeat(15), new Uint8Array(4000));
      expect(s.get('k'.repeat(15))).to.have.length(4000);
      expect(() => s.set('k'.repeat(16), bytes(1))).to.throw(StorageLimitError);
      expect(() => s.set('', bytes(1))).to.throw(StorageLimitError);
      expect(() => s.set('é'.repeat(8), bytes(1))).to.throw(StorageLimitError); // 16 UTF-8 bytes
      expect(() => s.set('v', new Uint8Array(4001))).to.throw(StorageLimitError);
      expect(() => s.set('v', [1, 2] as unknown as Uint8Array)).to.throw(StorageLimitError);
      expect(() => s.get('k'.repeat(16))).to.throw(StorageLimitError);
      expect(() => s.delete('')).to.throw(StorageLimitError);
      expect(s.writes).to.equal(1); // refused writes are not writes
      expect(s.keys()).to.deep.equal(['k'.repeat(15)]);
    });

    it('stores and returns copies; set replaces, delete removes; counts writes and bytes', () => {
      const s = new MemoryStorage();
      const v = bytes(1, 2, 3);
      s.set('a', v);
      v[0] = 99;
      const got = s.get('a')!;
      expect(list(got)).to.deep.equal([1, 2, 3]);
      got[1] = 99;
      expect(list(s.get('a'))).to.deep.equal([1, 2, 3]);
      s.set('a', bytes(4, 5));
      expect(list(s.get('a'))).to.deep.equal([4, 5]);
      expect(s.get('missing')).to.equal(undefined);
      s.delete('a');
      s.delete('missing');
      expect(s.get('a')).to.equal(undefined);
      expect(s.writes).to.equal(4);
      expect(s.bytesWritten).to.equal(5);
    });

    it('a cut before the write leaves the old value; the storage is off until powerOn()', () => {
      const s = new MemoryStorage();
      s.set('a', bytes(1));
      s.cutAtWrite(2, 'before');
      s.set('b', bytes(2)); // write 1 goes through
      expect(() => s.set('a', bytes(9))).to.throw(PowerCut);
      expect(s.off).to.equal(true);
      expect(() => s.get('a')).to.throw(PowerCut);
      expect(() => s.set('c', bytes(3))).to.throw(PowerCut);
      expect(() => s.delete('b')).to.throw(PowerCut);
      expect(list(s.peek('a'))).to.deep.equal([1]);
      s.powerOn();
      expect(list(s.get('a'))).to.deep.equal([1]);
      expect(list(s.get('b'))).to.deep.equal([2]);
      expect(s.get('c')).to.equal(undefined);
      expect(s.writes).to.equal(2);
      s.set('a', bytes(7)); // no cut armed any more
      expect(list(s.get('a'))).to.deep.equal([7]);
    });

    it('a cut after the write keeps the new value, and cuts deletes too', () => {
      const s = new MemoryStorage([
        ['a', bytes(1)],
        ['b', bytes(2)],
      ]);
      s.cutAtWrite(1, 'after');
      let caught: unknown;
      try {
        s.set('a', bytes(8, 8));
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(PowerCut);
      expect((caught as PowerCut).point).to.equal('after');
      expect((caught as PowerCut).key).to.equal('a');
      expect(() => s.get('a')).to.throw(PowerCut);
      s.powerOn();
      expect(list(s.get('a'))).to.deep.equal([8, 8]);
      s.cutAtWrite(1, 'before');
      expect(() => s.delete('b')).to.throw(PowerCut);
      s.powerOn();
      expect(list(s.get('b'))).to.deep.equal([2]);
      s.cutAtWrite(1, 'after');
      expect(() => s.delete('b')).to.throw(PowerCut);
      s.powerOn();
      expect(s.get('b')).to.equal(undefined);
      expect(s.power.cuts).to.equal(3);
    });

    it('refuses a bad cut request, and cutNow() turns the power off between writes', () => {
      const s = new MemoryStorage();
      expect(() => s.cutAtWrite(0, 'before')).to.throw(RangeError);
      expect(() => s.cutAtWrite(1, 'during' as never)).to.throw(RangeError);
      s.power.cutNow();
      expect(() => s.get('a')).to.throw(PowerCut);
      s.powerOn();
      expect(s.get('a')).to.equal(undefined);
    });
  });

  describe('random', () => {
    it('SeededRandom is deterministic, independent of chunking, and differs by seed', () => {
      const a = new SeededRandom(42).bytes(100);
      const r = new SeededRandom(42);
      const chunks = [...r.bytes(3), ...r.bytes(0), ...r.bytes(40), ...r.bytes(57)];
      expect(chunks).to.deep.equal(Array.from(a));
      expect(r.consumed).to.equal(100);
      expect(Array.from(new SeededRandom(43).bytes(32))).to.not.deep.equal(Array.from(a.subarray(0, 32)));
      const fromBytes = new SeededRandom(bytes(0, 0, 0, 0, 0, 0, 0, 42)).bytes(100);
      expect(Array.from(fromBytes)).to.deep.equal(Array.from(a)); // a number seed is its 8 big-endian bytes
      expect(Array.from(new SeededRandom(bytes(1)).bytes(16))).to.not.deep.equal(Array.from(new SeededRandom(bytes(2)).bytes(16)));
      expect(Array.from(a.subarray(0, 32))).to.not.deep.equal(Array.from(a.subarray(32, 64)));
      expect(() => new SeededRandom(-1)).to.throw(RangeError);
      expect(() => r.bytes(1.5)).to.throw(RangeError);
    });

    it('SystemRandom works where WebCrypto exists and refuses to start where it does not', () => {
      const hasCrypto = typeof (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto?.getRandomValues === 'function';
      if (hasCrypto) {
        const r = new SystemRandom();
        const x = r.bytes(70_000);
        expect(x).to.have.length(70_000);
        expect(x.subarray(66_000).some((b) => b !== 0)).to.equal(true);
      } else {
        expect(() => new SystemRandom()).to.throw(/not available/);
      }
    });
  });

  describe('BleLink', () => {
    function setup(latencyMs = 15) {
      const time = new SimTime();
      const link = new BleLink(time, { latencyMs });
      const events: string[] = [];
      const handlers: BleHandlers = {
        connected: () => events.push(`connected@${time.ticks()}`),
        disconnected: () => events.push(`disconnected@${time.ticks()}`),
        mtuChanged: (mtu) => events.push(`mtu ${mtu}@${time.ticks()}`),
        subscribed: () => events.push(`subscribed@${time.ticks()}`),
        written: (v) => events.push(`written ${Array.from(v).join(',')}@${time.ticks()}`),
      };
      const heard: string[] = [];
      link.central.onNotify((v) => heard.push(`${Array.from(v).join(',')}@${time.ticks()}`));
      link.central.onDisconnect((reason) => heard.push(`disconnect ${reason}@${time.ticks()}`));
      return { time, link, events, handlers, heard, lock: link.peripheral, phone: link.central };
    }

    it('connect before start is an error; connect, MTU and subscribe reach the lock in order, later', () => {
      const { time, events, handlers, lock, phone } = setup();
      expect(() => phone.connect(185)).to.throw(/not advertising/);
      lock.start(handlers);
      expect(lock.advertising).to.equal(true);
      expect(phone.connect(185)).to.equal(185);
      phone.subscribe();
      expect(events).to.deep.equal([]); // nothing synchronous
      expect(lock.advertising).to.equal(false);
      expect(() => phone.connect(23)).to.throw(/already connected/);
      time.advance(100);
      expect(events).to.deep.equal(['connected@15', 'mtu 185@30', 'subscribed@45']);
      expect(lock.mtu).to.equal(185);
      expect(lock.subscribed).to.equal(true);
      expect(() => phone.connect(22)).to.throw(RangeError);
    });

    it('MTU 23: no mtuChanged, writes of 20 bytes pass and 21 throw', () => {
      const { time, events, handlers, lock, phone } = setup();
      lock.start(handlers);
      phone.connect(23);
      expect(() => phone.write(new Uint8Array(21))).to.throw(RangeError);
      phone.write(new Uint8Array(20));
      time.advance(100);
      expect(events[0]).to.equal('connected@15');
      expect(events[1]).to.match(/^written (0,){19}0@30$/);
      expect(events).to.have.length(2);
      expect(phone.maxWriteLength).to.equal(20);
    });

    it('negotiates min(central, lock) MTU and checks notify size by the MTU the lock knows', () => {
      const time = new SimTime();
      const link = new BleLink(time, { peripheralMtu: 100 });
      const mtus: number[] = [];
      link.peripheral.start({ connected() {}, disconnected() {}, subscribed() {}, written() {}, mtuChanged: (m) => mtus.push(m) });
      expect(link.central.connect(247)).to.equal(100);
      link.central.subscribe();
      time.advance(15); // connected, MTU exchange not yet delivered
      expect(link.peripheral.connected).to.equal(true);
      expect(link.peripheral.mtu).to.equal(23);
      expect(() => link.peripheral.notify(new Uint8Array(21))).to.throw(RangeError); // not subscribed yet
      time.advance(30);
      expect(mtus).to.deep.equal([100]);
      expect(() => link.peripheral.notify(new Uint8Array(98))).to.throw(RangeError);
      link.peripheral.notify(new Uint8Array(97));
      time.advance(15);
      expect(link.bytesNotified).to.equal(97);
    });

    it('delivers asynchronously, one packet per latency per direction, in order, with copies', () => {
      const { time, link, events, handlers, heard, lock, phone } = setup(10);
      lock.start(handlers);
      phone.connect(23);
      phone.subscribe();
      const v = bytes(1);
      phone.write(v);
      v[0] = 7; // the sent value was copied
      phone.write(bytes(2));
      phone.write(bytes(3));
      time.advance(19);
      expect(events).to.deep.equal(['connected@10']);
      time.advance(100);
      expect(events).to.deep.equal(['connected@10', 'subscribed@20', 'written 1@30', 'written 2@40', 'written 3@50']);
      lock.notify(bytes(4, 4));
      lock.notify(bytes(5));
      expect(heard).to.deep.equal([]);
      time.advance(100);
      expect(heard).to.deep.equal(['4,4@129', '5@139']);
      expect(link.writes).to.equal(3);
      expect(link.notifications).to.equal(2);
      expect(link.bytesWritten).to.equal(3);
      expect(link.bytesNotified).to.equal(3);
      expect(time.pending()).to.equal(0);
    });

    it('records a transcript that can be replayed byte for byte', () => {
      const first = setup();
      const got: number[][] = [];
      first.lock.start({
        ...first.handlers,
        written: (v) => {
          got.push(Array.from(v));
          first.lock.notify(Uint8Array.from([0xa0, ...v]));
        },
      });
      first.phone.connect(64);
      first.phone.subscribe();
      first.phone.write(bytes(1, 2, 3));
      first.phone.write(bytes(4));
      first.time.advance(1000);
      const t = first.link.transcript;
      expect(t.map((e) => [e.direction, e.ticks, Array.from(e.bytes)])).to.deep.equal([
        ['write', 60, [1, 2, 3]],
        ['write', 75, [4]],
        ['notify', 75, [0xa0, 1, 2, 3]],
        ['notify', 90, [0xa0, 4]],
      ]);

      const second = setup();
      const replayed: number[][] = [];
      second.lock.start({
        ...second.handlers,
        written: (v) => {
          replayed.push(Array.from(v));
        },
      });
      second.phone.connect(64);
      for (const e of t) if (e.direction === 'write') second.phone.write(e.bytes);
      second.time.advance(1000);
      expect(replayed).to.deep.equal(got);
    });

    it('drops packets in flight when the phone disconnects; the lock then hears disconnected()', () => {
      const { time, link, events, handlers, heard, lock, phone } = setup();
      lock.start(handlers);
      phone.connect(23);
      phone.subscribe();
      time.advance(30);
      expect(lock.subscribed).to.equal(true);
      phone.write(bytes(1));
      phone.write(bytes(2));
      lock.notify(bytes(9));
      phone.disconnect();
      expect(phone.connected).to.equal(false);
      expect(() => phone.write(bytes(3))).to.throw(RangeError);
      time.advance(100);
      expect(events).to.deep.equal(['connected@15', 'subscribed@30', 'disconnected@45']);
      expect(heard).to.deep.equal([]); // the phone asked: no onDisconnect
      expect(link.dropped).to.equal(3);
      expect(link.writes).to.equal(0);
      expect(link.transcript).to.deep.equal([]);
      expect(lock.connected).to.equal(false);
      expect(lock.advertising).to.equal(true);
      phone.connect(23); // and again
      time.advance(100);
      expect(events[3]).to.equal('connected@145');
    });

    it('a disconnect before the lock heard of the connection reaches it as nothing at all', () => {
      const { time, events, handlers, lock, phone } = setup();
      lock.start(handlers);
      phone.connect(100);
      phone.disconnect();
      time.advance(100);
      expect(events).to.deep.equal([]);
    });

    it('lock-initiated disconnect: both sides hear of it later; late sends are dropped silently', () => {
      const { time, link, events, handlers, heard, lock, phone } = setup();
      lock.start(handlers);
      phone.connect(23);
      phone.subscribe();
      time.advance(30);
      phone.write(bytes(1));
      lock.disconnect();
      expect(events).to.deep.equal(['connected@15', 'subscribed@30']); // disconnected() is not synchronous
      expect(phone.connected).to.equal(true); // has not heard yet
      phone.write(bytes(2)); // lost
      lock.notify(bytes(3)); // lost: the lock has not heard either
      time.advance(100);
      expect(events).to.deep.equal(['connected@15', 'subscribed@30', 'disconnected@45']);
      expect(heard).to.deep.equal(['disconnect peripheral@45']);
      expect(link.dropped).to.equal(3);
      expect(phone.connected).to.equal(false);
      expect(() => lock.notify(bytes(4))).to.throw(RangeError);
    });

    it('notify without a subscribed central throws; close() ends the link and silences the lock', () => {
      const { time, events, handlers, heard, lock, phone } = setup();
      expect(() => lock.notify(bytes(1))).to.throw(RangeError);
      lock.start(handlers);
      expect(() => lock.start(handlers)).to.throw(/already started/);
      phone.connect(23);
      time.advance(15);
      expect(() => lock.notify(bytes(1))).to.throw(RangeError); // connected, not subscribed
      phone.subscribe();
      lock.close();
      time.advance(100);
      expect(events).to.deep.equal(['connected@15']);
      expect(heard).to.deep.equal(['disconnect closed@30']);
      expect(() => phone.connect(23)).to.throw(/not advertising/);
      lock.start(handlers); // a rebooted lock starts again
      phone.connect(23);
      time.advance(15);
      expect(events).to.deep.equal(['connected@15', 'connected@130']);
    });
  });
});
