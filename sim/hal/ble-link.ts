// A virtual BLE link between the lock (GATT peripheral, the HAL's BlePeripheral) and a simulated
// phone (the central). It carries exactly the ATT write / notification values the device would see,
// one packet at a time, on the SimTime timeline. Portable: no Node imports.
//
// Every delivery is asynchronous (a world timer on the SimTime), never a synchronous call into the
// other side, like a real radio. Each direction is a serial pipe: a packet is delivered `latencyMs`
// after the previous one in the same direction was (or after it was sent, if the pipe was idle), so
// order is kept per direction and a chunked transfer costs time per packet. Connection events
// (connected, MTU exchange, subscription, disconnection) travel in the same pipes.
//
// Each side has its own view of the connection, updated when events reach it. When the link goes
// down, the packets in flight on it are dropped (counted in `dropped`); a packet sent by a side that
// has not yet heard of the disconnection is dropped too, silently, as on the device.

import type { BleHandlers, BlePeripheral, TimerHandle } from '../../hal/index.js';
import type { SimTime } from './time.js';

export const BLE_MIN_MTU = 23;
export const BLE_MAX_MTU = 517;
/** ATT header bytes: a write or notification carries at most MTU − 3 bytes of value. */
export const ATT_HEADER_BYTES = 3;

export interface BleLinkOptions {
  /** Delivery time per packet, per direction (ms). Default 15. */
  latencyMs?: number;
  /** The largest ATT MTU the lock's stack accepts; the negotiated MTU is min(central's, this). Default 517. */
  peripheralMtu?: number;
}

export interface BleTranscriptEntry {
  /** 'write': phone → lock (request characteristic); 'notify': lock → phone (response). */
  direction: 'write' | 'notify';
  /** Lock ticks at delivery. */
  ticks: number;
  /** Simulation ms at delivery (never resets, unlike ticks). */
  elapsed: number;
  /** The value delivered (a copy). */
  bytes: Uint8Array;
}

/** Why the central lost the connection without asking: the lock hung up, or closed its BLE stack. */
export type BleDisconnectReason = 'peripheral' | 'closed';

type Direction = 'toLock' | 'toCentral';

interface Packet {
  handle: TimerHandle;
  at: number;
  /** The connection this packet belongs to (dropped when it ends), or undefined for a disconnection event. */
  conn: number | undefined;
  /** A write or notification (counted in `dropped` when lost), as opposed to a connection event. */
  data: boolean;
}

function checkValue(what: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what}: value must be a Uint8Array`);
}

/** The link: create it with the timeline, give `peripheral` to the lock and `central` to the phone. */
export class BleLink {
  readonly latencyMs: number;
  readonly peripheralMtu: number;
  readonly peripheral: SimBlePeripheral;
  readonly central: SimBleCentral;
  /** Writes delivered to the lock. */
  writes = 0;
  /** Notifications delivered to the phone. */
  notifications = 0;
  /** Value bytes delivered to the lock by writes. */
  bytesWritten = 0;
  /** Value bytes delivered to the phone by notifications. */
  bytesNotified = 0;
  /** Writes and notifications lost because the link went down. */
  dropped = 0;
  /** Connections made. */
  connections = 0;
  /** Every write and notification delivered, in delivery order. */
  readonly transcript: BleTranscriptEntry[] = [];
  /** Called with each write and notification as it is delivered, with its connection (id, MTU): for observers. */
  onDeliver: ((entry: BleTranscriptEntry, conn: { id: number; mtu: number }) => void) | undefined = undefined;

  /** @internal The link-level connection (both radios up), if any. */
  conn: { id: number; mtu: number } | undefined = undefined;
  private nextId = 1;
  private readonly pipes: Record<Direction, Packet[]> = { toLock: [], toCentral: [] };
  private readonly last: Record<Direction, number> = { toLock: 0, toCentral: 0 };

  constructor(
    readonly time: SimTime,
    options: BleLinkOptions = {},
  ) {
    const latency = options.latencyMs ?? 15;
    if (!Number.isFinite(latency) || latency < 0) throw new RangeError('BleLink: latencyMs must be a finite number ≥ 0');
    const peripheralMtu = options.peripheralMtu ?? BLE_MAX_MTU;
    if (!Number.isInteger(peripheralMtu) || peripheralMtu < BLE_MIN_MTU || peripheralMtu > BLE_MAX_MTU) {
      throw new RangeError(`BleLink: peripheralMtu must be an integer in ${BLE_MIN_MTU}..${BLE_MAX_MTU}`);
    }
    this.latencyMs = latency;
    this.peripheralMtu = peripheralMtu;
    this.peripheral = new SimBlePeripheral(this);
    this.central = new SimBleCentral(this);
  }

  /** Packets (data and connection events) still in flight. */
  inFlight(): number {
    return this.pipes.toLock.length + this.pipes.toCentral.length;
  }

  /** @internal Queues a delivery in one direction. */
  send(direction: Direction, conn: number | undefined, data: boolean, deliver: () => void): void {
    const now = this.time.elapsed();
    const at = Math.max(now, this.last[direction]) + this.latencyMs;
    this.last[direction] = at;
    const pipe = this.pipes[direction];
    const packet: Packet = {
      at,
      conn,
      data,
      handle: this.time.world.set(() => {
        pipe.splice(pipe.indexOf(packet), 1);
        if (conn !== undefined && this.conn?.id !== conn) return; // cannot happen: dropped at disconnect
        deliver();
      }, at - now),
    };
    pipe.push(packet);
  }

  /** @internal A new link-level connection. */
  open(mtu: number): number {
    const id = this.nextId++;
    this.conn = { id, mtu };
    this.connections++;
    return id;
  }

  /** @internal The link-level connection ends: its packets in flight are dropped. */
  end(): void {
    const id = this.conn?.id;
    this.conn = undefined;
    if (id !== undefined) this.drop('toLock', (p) => p.conn === id);
    if (id !== undefined) this.drop('toCentral', (p) => p.conn === id);
  }

  /** @internal Drops packets in flight in one direction. */
  drop(direction: Direction, which: (p: Packet) => boolean): void {
    const pipe = this.pipes[direction];
    const kept: Packet[] = [];
    for (const p of pipe) {
      if (which(p)) {
        this.time.world.clear(p.handle);
        if (p.data) this.dropped++;
      } else kept.push(p);
    }
    pipe.length = 0;
    pipe.push(...kept);
    let last = this.time.elapsed();
    for (const p of kept) last = Math.max(last, p.at);
    this.last[direction] = last;
  }

  /** @internal */
  record(direction: 'write' | 'notify', bytes: Uint8Array): void {
    const entry: BleTranscriptEntry = { direction, ticks: this.time.ticks(), elapsed: this.time.elapsed(), bytes: new Uint8Array(bytes) };
    this.transcript.push(entry);
    if (this.onDeliver !== undefined && this.conn !== undefined) this.onDeliver(entry, this.conn);
  }
}

/** The lock's side of the link: the HAL BlePeripheral. */
export class SimBlePeripheral implements BlePeripheral {
  private handlers: BleHandlers | undefined;
  /** The connection as the lock knows it (from delivered events). */
  private seen: number | undefined;
  private mtuSeen = BLE_MIN_MTU;
  private subscribedSeen = false;

  constructor(private readonly link: BleLink) {}

  /** start() was called and close() was not. */
  get started(): boolean {
    return this.handlers !== undefined;
  }

  /** Started and free: a central can connect. */
  get advertising(): boolean {
    return this.handlers !== undefined && this.link.conn === undefined;
  }

  /** Whether the lock has been told of a connection (and not yet of its end). */
  get connected(): boolean {
    return this.seen !== undefined;
  }

  /** The MTU as the lock knows it (23 until mtuChanged was delivered). */
  get mtu(): number {
    return this.mtuSeen;
  }

  /** Whether the lock has been told the phone subscribed to notifications. */
  get subscribed(): boolean {
    return this.subscribedSeen;
  }

  start(handlers: BleHandlers): void {
    if (this.handlers !== undefined) throw new Error('BlePeripheral.start: already started (close() first)');
    for (const name of ['connected', 'disconnected', 'mtuChanged', 'subscribed', 'written'] as const) {
      if (typeof handlers?.[name] !== 'function') throw new TypeError(`BlePeripheral.start: handlers.${name} must be a function`);
    }
    this.handlers = handlers;
  }

  notify(value: Uint8Array): void {
    checkValue('BlePeripheral.notify', value);
    if (this.seen === undefined || !this.subscribedSeen) throw new RangeError('BlePeripheral.notify: no central connected and subscribed');
    const max = this.mtuSeen - ATT_HEADER_BYTES;
    if (value.length > max) throw new RangeError(`BlePeripheral.notify: ${value.length} bytes exceed MTU ${this.mtuSeen} − 3 = ${max}`);
    const link = this.link;
    if (link.conn?.id !== this.seen) {
      link.dropped++; // the link is already down; the lock will hear of it
      return;
    }
    const copy = new Uint8Array(value);
    link.send('toCentral', this.seen, true, () => {
      link.notifications++;
      link.bytesNotified += copy.length;
      link.record('notify', copy);
      link.central.deliverNotification(copy);
    });
  }

  disconnect(): void {
    const link = this.link;
    const id = this.seen;
    if (id === undefined || link.conn?.id !== id) return; // not connected, or already going down
    link.end();
    this.queueDisconnected(id);
    link.send('toCentral', undefined, false, () => link.central.deliverDisconnect(id, 'peripheral'));
  }

  close(): void {
    const link = this.link;
    if (this.handlers === undefined) return;
    this.handlers = undefined;
    this.seen = undefined;
    this.mtuSeen = BLE_MIN_MTU;
    this.subscribedSeen = false;
    const conn = link.conn;
    link.end();
    link.drop('toLock', () => true); // the old handlers hear nothing more
    if (conn !== undefined) link.send('toCentral', undefined, false, () => link.central.deliverDisconnect(conn.id, 'closed'));
  }

  /** @internal */
  queueConnected(id: number, mtu: number): void {
    this.link.send('toLock', id, false, () => {
      this.seen = id;
      this.mtuSeen = BLE_MIN_MTU;
      this.subscribedSeen = false;
      this.handlers?.connected();
    });
    if (mtu > BLE_MIN_MTU) {
      this.link.send('toLock', id, false, () => {
        this.mtuSeen = mtu;
        this.handlers?.mtuChanged(mtu);
      });
    }
  }

  /** @internal */
  queueSubscribed(id: number): void {
    this.link.send('toLock', id, false, () => {
      this.subscribedSeen = true;
      this.handlers?.subscribed();
    });
  }

  /** @internal */
  queueWritten(id: number, copy: Uint8Array): void {
    const link = this.link;
    link.send('toLock', id, true, () => {
      link.writes++;
      link.bytesWritten += copy.length;
      link.record('write', copy);
      this.handlers?.written(copy);
    });
  }

  /** @internal Called when the link-level connection `id` ended: tell the lock if it knew of it. */
  queueDisconnected(id: number): void {
    if (this.seen !== id) return; // its connected() was still in flight and has been dropped
    this.link.send('toLock', undefined, false, () => {
      if (this.seen !== id) return;
      this.seen = undefined;
      this.mtuSeen = BLE_MIN_MTU;
      this.subscribedSeen = false;
      this.handlers?.disconnected();
    });
  }
}

/** The phone's side of the link. */
export class SimBleCentral {
  private conn: number | undefined;
  private mtuNow = BLE_MIN_MTU;
  private subscribedNow = false;
  private readonly notifyListeners: ((value: Uint8Array) => void)[] = [];
  private readonly disconnectListeners: ((reason: BleDisconnectReason) => void)[] = [];

  constructor(private readonly link: BleLink) {}

  /** Whether the phone believes it is connected. */
  get connected(): boolean {
    return this.conn !== undefined;
  }

  /** The negotiated MTU (23 when not connected). */
  get mtu(): number {
    return this.mtuNow;
  }

  get subscribed(): boolean {
    return this.subscribedNow;
  }

  /** Largest value write() accepts now: MTU − 3. */
  get maxWriteLength(): number {
    return this.mtuNow - ATT_HEADER_BYTES;
  }

  /**
   * Connects and exchanges the MTU: the lock gets connected(), then mtuChanged(negotiated) if that
   * is above 23. Returns the negotiated MTU, min(mtu, the lock's maximum).
   */
  connect(mtu: number = BLE_MIN_MTU): number {
    if (!Number.isInteger(mtu) || mtu < BLE_MIN_MTU || mtu > BLE_MAX_MTU)
      throw new RangeError(`BLE connect: mtu must be an integer in ${BLE_MIN_MTU}..${BLE_MAX_MTU}, got ${String(mtu)}`);
    if (this.conn !== undefined) throw new Error('BLE connect: already connected');
    const link = this.link;
    if (!link.peripheral.started) throw new Error('BLE connect: the lock is not advertising (start() not called, or closed)');
    if (link.conn !== undefined) throw new Error('BLE connect: the lock is connected to another central');
    const negotiated = Math.min(mtu, link.peripheralMtu);
    const id = link.open(negotiated);
    this.conn = id;
    this.mtuNow = negotiated;
    this.subscribedNow = false;
    link.peripheral.queueConnected(id, negotiated);
    return negotiated;
  }

  /** Enables notifications (writes the CCCD): the lock gets subscribed(). */
  subscribe(): void {
    if (this.conn === undefined) throw new Error('BLE subscribe: not connected');
    this.subscribedNow = true;
    if (this.link.conn?.id === this.conn) this.link.peripheral.queueSubscribed(this.conn);
  }

  /** One ATT write of `value` (at most MTU − 3 bytes) to the request characteristic. */
  write(value: Uint8Array): void {
    checkValue('BLE write', value);
    if (this.conn === undefined) throw new RangeError('BLE write: not connected');
    if (value.length > this.maxWriteLength) throw new RangeError(`BLE write: ${value.length} bytes exceed MTU ${this.mtuNow} − 3 = ${this.maxWriteLength}`);
    if (this.link.conn?.id !== this.conn) {
      this.link.dropped++; // the lock already hung up; the phone will hear of it
      return;
    }
    this.link.peripheral.queueWritten(this.conn, new Uint8Array(value));
  }

  /** Hangs up; the lock gets disconnected() (if it had heard of the connection). No-op if not connected. */
  disconnect(): void {
    const id = this.conn;
    if (id === undefined) return;
    this.conn = undefined;
    this.mtuNow = BLE_MIN_MTU;
    this.subscribedNow = false;
    const link = this.link;
    if (link.conn?.id !== id) return; // already down: the lock hung up first
    link.end();
    link.peripheral.queueDisconnected(id);
  }

  /** Adds a listener for notifications (each gets its own copy). Returns a function removing it. */
  onNotify(listener: (value: Uint8Array) => void): () => void {
    this.notifyListeners.push(listener);
    return () => remove(this.notifyListeners, listener);
  }

  /** Adds a listener for disconnections the phone did not ask for. Returns a function removing it. */
  onDisconnect(listener: (reason: BleDisconnectReason) => void): () => void {
    this.disconnectListeners.push(listener);
    return () => remove(this.disconnectListeners, listener);
  }

  /** @internal */
  deliverNotification(value: Uint8Array): void {
    for (const listener of [...this.notifyListeners]) listener(new Uint8Array(value));
  }

  /** @internal */
  deliverDisconnect(id: number, reason: BleDisconnectReason): void {
    if (this.conn !== id) return;
    this.conn = undefined;
    this.mtuNow = BLE_MIN_MTU;
    this.subscribedNow = false;
    for (const listener of [...this.disconnectListeners]) listener(reason);
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
