// The simulated lock: the real Lock and PresentationService (src/) on simulated hardware
// (sim/hal), a courier phone on the other end of a virtual BLE link, and a readable timeline of
// everything that happened. Portable: the same simulator runs inside XS in the tests.

import type { Hardware, LogEntry, Storage } from '../hal/index.js';
import { startLatchkey, type Latchkey, type LatchkeyConfig } from '../src/app.js';
import type { PresentationService } from '../src/ble/presentation-service.js';
import type { Lock } from '../src/lock/lock.js';
import type { TrustedIssuer } from '../src/verify.js';
import { BleLink } from './hal/ble-link.js';
import { SimActuator, SimDoor, SimIndicator } from './hal/devices.js';
import { portableHashes } from './hal/hashes.js';
import { MemoryLog } from './hal/log.js';
import { MemoryStorage } from './hal/memory-storage.js';
import { PowerCut } from './hal/power-cut.js';
import { SeededRandom } from './hal/random.js';
import { SimTime } from './hal/time.js';
import { CourierPhone, type PresentOptions, type PresentationReport } from './phone.js';
import { OwnerPhone, type AdminOutcome } from './owner-phone.js';
import type { AuditExport } from '../src/admin/receipts.js';
import { FrameDecoder } from './ble-decoder.js';
import type { LockView, SimEvent } from './events.js';

/** Omit over each member of a union (plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface SimulatorOptions {
  lock: Omit<LatchkeyConfig, 'issuers'> & { issuers: readonly TrustedIssuer[] };
  /** RTC at start, unix seconds (set). */
  startTime: number;
  /** The courier phone's holder key seed (32 bytes). */
  holderSeed: Uint8Array;
  /** Deterministic randomness for challenges (default seed 1). */
  seed?: number;
  /** Fit a door contact (default true). */
  doorSensor?: boolean;
  /** Per-packet BLE latency, ms (default 15). */
  latencyMs?: number;
  /** Durable storage (default: in memory). The CLI passes a FileStorage. */
  storage?: PoweredStorage;
  /** Listens from the very start, the boot included (see listen()). */
  listen?: (event: SimEvent) => void;
}

/** Storage that can simulate a power cut (MemoryStorage, FileStorage). */
export type PoweredStorage = Storage & { powerOn?(): void; readonly off?: boolean };

export interface TimelineEntry {
  /** Simulated ms since the start. */
  elapsed: number;
  /** The lock's clock (unix seconds). */
  at: number;
  source: 'lock' | 'bolt' | 'door' | 'phone' | 'sim';
  text: string;
  /** The lock's log entry, when the line comes from it. */
  entry?: LogEntry;
}

export class Simulator {
  readonly time: SimTime;
  readonly link: BleLink;
  readonly actuator: SimActuator;
  readonly door: SimDoor | undefined;
  readonly indicator: SimIndicator;
  readonly storage: PoweredStorage;
  readonly log: MemoryLog;
  readonly random: SeededRandom;
  readonly phone: CourierPhone;
  /** The owner's phone: carries signed admin commands, time statements and log reads. */
  readonly ownerPhone: OwnerPhone;
  readonly timeline: TimelineEntry[] = [];
  /** The running lock, booted by src/app.ts exactly as the firmware boots it. */
  app!: Latchkey;
  /** Set when a simulated power cut stopped the lock; cleared by reboot(). */
  poweredOff = false;
  /** Listeners for SimEvents (the web page); none for the text simulator. */
  private readonly listeners: ((event: SimEvent) => void)[] = [];
  private readonly decoders = { write: new FrameDecoder(), notify: new FrameDecoder(), connection: 0 };
  /** Simulated ms at which the bolt relocks on its own (from the lock's "unlocked" log entry). */
  private relockAt: number | undefined;
  /** A forced-open alarm stays in view until the door closes or the lock reboots. */
  private forcedOpen = false;

  constructor(readonly options: SimulatorOptions) {
    this.time = new SimTime({ rtc: options.startTime });
    this.link = new BleLink(this.time, { latencyMs: options.latencyMs ?? 15 });
    this.actuator = new SimActuator(this.time.timers, 'unlocked');
    this.door = options.doorSensor === false ? undefined : new SimDoor('closed');
    this.indicator = new SimIndicator(this.time.timers);
    this.storage = options.storage ?? new MemoryStorage();
    this.log = new MemoryLog((entry) => this.fromLog(entry));
    this.random = new SeededRandom(options.seed ?? 1);
    this.phone = new CourierPhone(this.link.central, this.time, options.holderSeed);
    this.phone.onStep = (text) => this.note('phone', text);
    this.ownerPhone = new OwnerPhone(this.link.central, this.time);
    this.ownerPhone.onStep = (text) => this.note('phone', text);
    // Bolt movements come from the lock's own log (with the reason); jams from the actuator.
    this.actuator.onDrive((d) => {
      if (!d.reached) this.note('bolt', `bolt did not reach ${d.target} (jam)`);
      this.emit({ kind: 'bolt', target: d.target, from: d.from, reached: d.reached });
    });
    this.indicator.onShow((r) => this.emit({ kind: 'indicator', pattern: r.pattern }));
    this.time.onError = (e) => {
      // A power cut inside a timer stops the lock; anything else is a bug the timeline shows.
      if (e.error instanceof PowerCut) this.poweredOff = true;
      else this.note('sim', `timer threw: ${String((e.error as Error)?.message ?? e.error)}`);
    };
    if (options.listen !== undefined) this.listen(options.listen);
    this.boot();
  }

  /** True once a simulated power cut hit storage, until reboot(): the device is dead meanwhile. */
  get powerLost(): boolean {
    return this.poweredOff || this.storage.off === true;
  }

  private hardware(): Hardware {
    // A power cut stops the whole device, not just storage: after one, the lock's code may still
    // unwind (it catches the storage error), but no radio packet leaves and no motor moves.
    const peripheral = this.link.peripheral;
    const ble: Hardware['ble'] = {
      start: (handlers) => peripheral.start(handlers),
      notify: (value) => {
        if (!this.powerLost) peripheral.notify(value);
      },
      disconnect: () => {
        if (!this.powerLost) peripheral.disconnect();
      },
      close: () => peripheral.close(),
    };
    const actuator: Hardware['actuator'] = {
      drive: (target) => (this.powerLost ? { reached: false } : this.actuator.drive(target)),
    };
    const deviceTimers = this.time.timers;
    const timers: Hardware['timers'] = {
      set: (callback, delayMs) =>
        deviceTimers.set(() => {
          if (!this.powerLost) callback();
        }, delayMs),
      clear: (handle) => deviceTimers.clear(handle),
      ticks: () => deviceTimers.ticks(),
    };
    const hw: Hardware = {
      clock: this.time.clock,
      timers,
      actuator,
      indicator: this.indicator,
      storage: this.observedStorage(),
      random: this.random,
      ble,
      log: { record: (entry) => (this.powerLost ? undefined : this.log.record(entry)) },
      hashes: portableHashes,
    };
    if (this.door) hw.door = this.door;
    return hw;
  }

  /** The storage the lock is given: the same storage, with each write reported to listeners. */
  private observedStorage(): Storage {
    const storage = this.storage;
    const write = (op: 'set' | 'delete', key: string, bytes: number, apply: () => void): void => {
      try {
        apply();
      } catch (error) {
        if (error instanceof PowerCut && (error.point === 'before' || error.point === 'after')) {
          this.emit({ kind: 'write', op, key, bytes, cut: error.point });
          this.emit({ kind: 'power', on: false });
        }
        throw error;
      }
      this.emit({ kind: 'write', op, key, bytes });
    };
    return {
      get maxKeyLength() {
        return storage.maxKeyLength;
      },
      get maxValueBytes() {
        return storage.maxValueBytes;
      },
      get: (key) => storage.get(key),
      set: (key, value) => write('set', key, value.length, () => storage.set(key, value)),
      delete: (key) => write('delete', key, 0, () => storage.delete(key)),
    };
  }

  /**
   * Listens to what happens (BLE frames, bolt, door, LED, flash writes, power, clock). Frames are
   * decoded only while someone listens. Returns a function that stops listening.
   */
  listen(listener: (event: SimEvent) => void): () => void {
    this.listeners.push(listener);
    if (this.link.onDeliver === undefined) this.link.onDeliver = (entry, conn) => this.frame(entry.direction, entry.bytes, conn);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(event: DistributiveOmit<SimEvent, 'elapsed' | 'at'>): void {
    if (this.listeners.length === 0) return;
    const full = { ...event, elapsed: this.time.elapsed(), at: this.time.now() } as SimEvent;
    for (const listener of [...this.listeners]) listener(full);
  }

  private frame(direction: 'write' | 'notify', bytes: Uint8Array, conn: { id: number; mtu: number }): void {
    if (this.decoders.connection !== conn.id) {
      this.decoders.connection = conn.id;
      this.decoders.write.reset();
      this.decoders.notify.reset();
    }
    const decoded = this.decoders[direction].push(bytes, this.time.elapsed());
    this.emit({ kind: 'frame', direction, size: bytes.length, mtu: conn.mtu, connection: conn.id, ...decoded });
  }

  /** The lock as one would see it now: bolt, door, LED, relock countdown, alarms, clock and trust. */
  view(): LockView {
    const bolt = this.powerLost ? undefined : this.app.lock.bolt.state;
    const alarms: string[] = [];
    if (bolt?.jammed) alarms.push('jam');
    if (bolt?.heldOpen) alarms.push('held-open');
    if (this.forcedOpen) alarms.push('forced-open');
    const elapsed = this.time.elapsed();
    const writes = (this.storage as { writes?: unknown }).writes;
    const keys = (this.storage as { keys?: unknown }).keys;
    let trusted = false;
    let mark = 0;
    try {
      trusted = !this.powerLost && this.lock.clockGuard.trusted();
      mark = this.lock.clockGuard.mark;
    } catch {
      // a guard that cannot read its state does not trust the clock
    }
    return {
      elapsed,
      powered: !this.powerLost,
      bolt: this.actuator.position,
      door: this.door === undefined ? 'none' : this.door.read(),
      indicator: this.indicator.current ?? 'idle',
      relockInMs: this.relockAt === undefined || this.powerLost ? undefined : Math.max(0, this.relockAt - elapsed),
      alarms,
      clock: { now: this.time.now(), set: this.time.clock.isSet(), trusted, mark },
      lockId: this.lock.lockId,
      provisioned: this.lock.lockId !== '',
      storage: {
        writes: typeof writes === 'number' ? writes : undefined,
        keys: typeof keys === 'function' ? (keys.call(this.storage) as string[]).length : undefined,
      },
      ble: { connected: this.link.peripheral.connected, connections: this.link.connections },
    };
  }

  /**
   * Notes a power cut that a storage write caused during the last action (the lock's code caught
   * the PowerCut and unwound): from now on the lock is off until reboot(). Returns whether it did.
   */
  notePowerCut(): boolean {
    if (!this.powerLost || this.poweredOff) return false;
    this.poweredOff = true;
    this.note('sim', 'power cut during a storage write: the lock is off until it reboots');
    return true;
  }

  get lock(): Lock {
    return this.app.lock;
  }

  get service(): PresentationService {
    return this.app.service;
  }

  private boot(): void {
    this.app = startLatchkey(this.hardware(), this.options.lock);
  }

  /** Power cycle: device timers and RAM are lost, storage and the RTC survive, the bolt relocks. */
  reboot(): void {
    this.note('sim', 'power cycle: lock restarts');
    const wasOff = this.powerLost;
    this.storage.powerOn?.();
    this.poweredOff = false;
    this.relockAt = undefined;
    this.forcedOpen = false;
    if (wasOff) this.emit({ kind: 'power', on: true });
    this.time.reboot();
    this.link.peripheral.close();
    this.boot();
  }

  /**
   * Runs one presentation by the courier phone. A power cut during it (storage cut injection)
   * leaves the lock off until reboot(): the phone then hears nothing and times out.
   */
  present(ticket: Uint8Array, options: PresentOptions = {}): PresentationReport {
    const report = this.phone.present(ticket, options);
    this.notePowerCut();
    this.noteOutcome(report);
    return report;
  }

  /** Replays frames recorded from an earlier presentation on a fresh connection. */
  replay(frames: Uint8Array[], options: PresentOptions = {}): PresentationReport {
    this.note('phone', `replaying ${frames.length} recorded write${frames.length === 1 ? '' : 's'} on a new connection`);
    const report = this.phone.replay(frames, options);
    this.noteOutcome(report);
    return report;
  }

  private noteOutcome(report: PresentationReport): void {
    const o = report.outcome;
    const text =
      o.kind === 'result'
        ? o.granted
          ? `phone: GRANTED, relocks in ${o.seconds} s`
          : `phone: refused (${o.reason}${o.reason === 'backoff' ? `, retry in ${o.seconds} s` : ''})`
        : o.kind === 'error'
          ? `phone: protocol error ${o.error}`
          : `phone: ${o.kind}`;
    this.note(
      'phone',
      `${text} — ${report.writes} write${report.writes === 1 ? '' : 's'}, ${report.notifications} notification${report.notifications === 1 ? '' : 's'}, ${report.latencyMs} ms`,
    );
  }

  /** The owner's phone sends a signed admin command (or one built from the lock's challenge). */
  admin(command: Uint8Array | ((challenge: Uint8Array, lockId: string) => Uint8Array), what = 'admin command'): AdminOutcome {
    const outcome = this.ownerPhone.admin(command);
    this.note('phone', `owner's phone: ${what}: ${outcome.result}${outcome.seq ? ` (seq ${outcome.seq})` : ''}`);
    return outcome;
  }

  /** The owner's phone sends a time statement built for the connection's challenge. */
  setTimeSigned(statement: (challenge: Uint8Array, lockId: string) => Uint8Array): AdminOutcome {
    const outcome = this.ownerPhone.setTime(statement);
    this.note('phone', `owner's phone: signed time: ${outcome.result}`);
    return outcome;
  }

  /** The owner's phone reads the whole audit log (a read-log command, then LOG_READs). */
  exportLog(readLog: Uint8Array): { outcome: AdminOutcome; chunks: AuditExport[] } {
    const result = this.ownerPhone.exportLog(readLog);
    const entries = result.chunks.reduce((n, c) => n + c.entries.length, 0);
    this.note(
      'phone',
      `owner's phone: read-log: ${result.outcome.result}, ${entries} entries in ${result.chunks.length} chunk${result.chunks.length === 1 ? '' : 's'}`,
    );
    return result;
  }

  /** Lets simulated time pass (timers fire: relock, alarms, checkpoints). */
  wait(ms: number): void {
    this.time.advance(ms);
  }

  openDoor(): void {
    if (!this.door) throw new Error('this lock has no door sensor');
    this.note('door', 'door opened');
    this.door.open();
    this.emit({ kind: 'door', state: 'open' });
  }

  closeDoor(): void {
    if (!this.door) throw new Error('this lock has no door sensor');
    this.note('door', 'door closed');
    this.forcedOpen = false;
    this.door.close();
    this.emit({ kind: 'door', state: 'closed' });
  }

  setClock(unixSeconds: number): void {
    this.note('sim', `clock set to ${unixSeconds}`);
    this.moveClock(unixSeconds);
  }

  /** Sets the lock's RTC (no timeline line: the caller says why), and tells listeners. */
  moveClock(unixSeconds: number): void {
    const from = this.time.now();
    this.time.clock.set(unixSeconds);
    this.emit({ kind: 'clock', from, to: this.time.now(), set: true });
  }

  /** The RTC's battery died too: the clock reads 1970 and counts as unset until someone sets it. */
  rtcPowerLoss(): void {
    const from = this.time.now();
    this.note('sim', "the clock's battery died: the lock's clock restarts at 1970 and is not set");
    this.time.rtcPowerLoss();
    this.emit({ kind: 'clock', from, to: this.time.now(), set: false });
  }

  note(source: TimelineEntry['source'], text: string, entry?: LogEntry): void {
    const line: TimelineEntry = { elapsed: this.time.elapsed(), at: this.time.now(), source, text };
    if (entry) line.entry = entry;
    this.timeline.push(line);
  }

  private fromLog(entry: LogEntry): void {
    if (entry.event === 'unlocked') this.relockAt = this.time.elapsed() + Number(entry.relockMs);
    if (entry.event === 'locked') this.relockAt = undefined;
    if (entry.event === 'alarm:forced-open') this.forcedOpen = true;
    if (entry.event === 'locked') return this.note('bolt', `bolt locked (${entry.why})`, entry);
    if (entry.event === 'unlocked') return this.note('bolt', `bolt UNLOCKED, relock deadline ${Number(entry.relockMs) / 1000} s`, entry);
    if (entry.event === 'door') return; // the door's own line says it
    const { at: _at, level, event, ...detail } = entry;
    const parts = Object.entries(detail).map(([k, v]) => `${k}=${v}`);
    this.note('lock', `${level === 'info' ? '' : level.toUpperCase() + ' '}${event}${parts.length ? ' ' + parts.join(' ') : ''}`, entry);
  }
}
