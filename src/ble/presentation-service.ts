// The lock's side of the BLE conversation (docs/ble-protocol.md): a fresh challenge per
// connection, reassembly of the phone's frames, one presentation per challenge, and the verdict
// notified back. Every handler is guarded: no frame, however broken, can throw out of here, and
// nothing here moves the bolt except through Lock.present.

import type { BlePeripheral, Clock, Random, TimerHandle, Timers } from '../../hal/index.js';
import type { Lock } from '../lock/lock.js';
import { MAX_ATT_MTU, MIN_ATT_MTU, REASSEMBLY_TIMEOUT_MS, Reassembler, splitMessage, type FrameError } from './framing.js';
import { CHALLENGE_BYTES, MESSAGE_TYPES, decodePresent, encodeChallenge, encodeError, encodeResult } from './messages.js';
import { errorMessage } from '../result.js';
import { MAX_UINT32 } from '../bytes.js';
import { decodeLogRead, decodeSigned, encodeAdminResult, encodeSigned } from './admin-messages.js';

/** A connection with no frame for this long is closed, so one idle phone cannot hold the lock. */
export const IDLE_TIMEOUT_MS = 30_000;
/** No connection lasts longer than this, busy or not: a presentation takes well under a second. */
export const MAX_CONNECTION_MS = 60_000;
/** A phone that breaks the protocol this many times on one connection is disconnected. */
export const MAX_PROTOCOL_ERRORS = 3;
/** Time for the last ERROR notification to leave before the lock hangs up. */
export const HANG_UP_GRACE_MS = 250;
/** Admin commands one connection may carry (each costs a signature check and maybe a write). */
export const MAX_ADMIN_PER_CONNECTION = 8;
/** Audit-log chunks one connection may read. */
export const MAX_LOG_READS_PER_CONNECTION = 64;

interface Connection {
  mtu: number;
  reassembler: Reassembler;
  /** Notifications enabled: only then may the lock notify. */
  subscribed: boolean;
  challenge: Uint8Array | undefined;
  presented: boolean;
  /** Admin commands and time statements received on this connection. */
  adminMessages: number;
  timeSet: boolean;
  /** An accepted read-log command opened the audit log for reading on this connection. */
  logReads: number;
  logAccess: boolean;
  protocolErrors: number;
  /** The lock has decided to hang up: further writes are ignored. */
  closing: boolean;
  idleTimer: TimerHandle | undefined;
  expiryTimer: TimerHandle | undefined;
  lifetimeTimer: TimerHandle | undefined;
}

export interface PresentationServiceHardware {
  ble: BlePeripheral;
  timers: Timers;
  random: Random;
  clock: Clock;
}

export class PresentationService {
  private connection: Connection | undefined;

  constructor(
    private readonly hw: PresentationServiceHardware,
    private readonly lock: Lock,
    private readonly idleTimeoutMs: number = IDLE_TIMEOUT_MS,
  ) {}

  start(): void {
    this.hw.ble.start({
      connected: () => this.guard(() => this.connected()),
      disconnected: () => this.guard(() => this.disconnected()),
      mtuChanged: (mtu) => this.guard(() => this.mtuChanged(mtu)),
      subscribed: () => this.guard(() => this.subscribed()),
      written: (value) => this.guard(() => this.written(value)),
    });
  }

  /** Runs a handler; a failure is logged and the connection dropped, never rethrown. */
  private guard(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.lock.record('warn', 'ble-fault', { error: errorMessage(error) });
      try {
        this.hw.ble.disconnect();
      } catch {
        // nothing more to do: the stack will time the link out
      }
    }
  }

  private connected(): void {
    this.drop();
    this.connection = {
      mtu: MIN_ATT_MTU,
      reassembler: new Reassembler(),
      subscribed: false,
      challenge: undefined,
      presented: false,
      adminMessages: 0,
      timeSet: false,
      logReads: 0,
      logAccess: false,
      protocolErrors: 0,
      closing: false,
      idleTimer: undefined,
      expiryTimer: undefined,
      lifetimeTimer: undefined,
    };
    this.connection.lifetimeTimer = this.hw.timers.set(() => this.guard(() => this.hangUp('ble-connection-too-long')), MAX_CONNECTION_MS);
    this.touch();
    this.lock.record('info', 'ble-connected');
  }

  private disconnected(): void {
    if (this.connection === undefined) return;
    this.drop();
    this.lock.record('info', 'ble-disconnected');
  }

  private mtuChanged(mtu: number): void {
    if (this.connection === undefined || !Number.isInteger(mtu)) return;
    this.connection.mtu = Math.max(MIN_ATT_MTU, Math.min(MAX_ATT_MTU, mtu));
  }

  /** The phone listens: now it can receive the challenge. One challenge per connection. */
  private subscribed(): void {
    const c = this.connection;
    if (c === undefined || c.challenge !== undefined) return;
    c.subscribed = true;
    const challenge = this.hw.random.bytes(CHALLENGE_BYTES);
    if (!(challenge instanceof Uint8Array) || challenge.length !== CHALLENGE_BYTES) throw new Error('random source failed');
    c.challenge = challenge;
    this.send(
      MESSAGE_TYPES.CHALLENGE,
      encodeChallenge({ challenge, lockId: this.lock.lockId, lockTime: Math.max(0, Math.min(this.hw.clock.now(), MAX_UINT32)) }),
    );
  }

  private written(value: Uint8Array): void {
    const c = this.connection;
    if (c === undefined || c.closing) return;
    this.touch();
    const event = c.reassembler.push(value, this.hw.timers.ticks());
    switch (event.kind) {
      case 'pending':
        this.armExpiry();
        return;
      case 'ignored':
        return;
      case 'error':
        this.clearTimer('expiryTimer');
        this.protocolError(event.error);
        return;
      case 'message':
        this.clearTimer('expiryTimer');
        this.message(event.type, event.body);
        return;
    }
  }

  private message(type: number, body: Uint8Array): void {
    const c = this.connection as Connection;
    if (c.challenge === undefined) {
      this.protocolError('unexpected-message');
      return;
    }
    switch (type) {
      case MESSAGE_TYPES.PRESENT:
        return this.present(c, c.challenge, body);
      case MESSAGE_TYPES.ADMIN:
      case MESSAGE_TYPES.TIME:
        return this.admin(c, c.challenge, type, body);
      case MESSAGE_TYPES.LOG_READ:
        return this.logRead(c, body);
      default:
        this.protocolError('unexpected-message');
    }
  }

  private present(c: Connection, challenge: Uint8Array, body: Uint8Array): void {
    if (c.presented) {
      this.protocolError('unexpected-message');
      return;
    }
    const decoded = decodePresent(body);
    if (!decoded.ok) {
      this.protocolError('bad-message');
      return;
    }
    // The challenge is spent before deciding: whatever the verdict, it cannot be presented again.
    c.presented = true;
    const result = this.lock.present(decoded.value.ticket, decoded.value.proof, challenge);
    const reply = result.granted
      ? encodeResult({ granted: true, seconds: result.relockSeconds })
      : encodeResult({ granted: false, reason: result.reason, seconds: result.reason === 'backoff' ? result.retryAfter : 0 });
    // The receipt first: RESULT is always the last message of a presentation.
    if (result.granted && result.receipt !== undefined) this.send(MESSAGE_TYPES.RECEIPT, encodeSigned(result.receipt));
    this.send(MESSAGE_TYPES.RESULT, reply);
  }

  /** ADMIN (signed command) or TIME (signed time statement bound to this challenge) → ADMIN_RESULT. */
  private admin(c: Connection, challenge: Uint8Array, type: number, body: Uint8Array): void {
    if (c.adminMessages >= MAX_ADMIN_PER_CONNECTION || (type === MESSAGE_TYPES.TIME && c.timeSet)) {
      this.protocolError('unexpected-message');
      return;
    }
    const decoded = decodeSigned(body);
    if (!decoded.ok) {
      this.protocolError('bad-message');
      return;
    }
    c.adminMessages++;
    if (type === MESSAGE_TYPES.TIME) c.timeSet = true;
    const answer = type === MESSAGE_TYPES.TIME ? this.lock.setTime(decoded.value.bytes, challenge) : this.lock.administer(decoded.value.bytes);
    if (answer.logAccess) c.logAccess = true;
    const reply: { reason: typeof answer.reason; seq: number; data?: Uint8Array } = { reason: answer.reason, seq: answer.seq };
    if (answer.data !== undefined) reply.data = answer.data;
    this.send(MESSAGE_TYPES.ADMIN_RESULT, encodeAdminResult(reply));
  }

  /** The next audit-log chunk, only after an accepted read-log command on this connection. */
  private logRead(c: Connection, body: Uint8Array): void {
    if (!c.logAccess || c.logReads >= MAX_LOG_READS_PER_CONNECTION) {
      this.protocolError('unexpected-message');
      return;
    }
    const decoded = decodeLogRead(body);
    if (!decoded.ok) {
      this.protocolError('bad-message');
      return;
    }
    c.logReads++;
    const chunk = this.lock.readLog(decoded.value.from);
    if (chunk === undefined) {
      this.protocolError('unexpected-message');
      return;
    }
    this.send(MESSAGE_TYPES.LOG, encodeSigned(chunk));
  }

  private protocolError(error: FrameError): void {
    const c = this.connection as Connection;
    this.lock.record('warn', 'ble-protocol-error', { error });
    this.send(MESSAGE_TYPES.ERROR, encodeError(error));
    // A phone that keeps sending garbage must not hold the lock's only connection.
    if (++c.protocolErrors >= MAX_PROTOCOL_ERRORS && !c.closing) {
      c.closing = true;
      this.hw.timers.set(
        () =>
          this.guard(() => {
            if (this.connection === c) this.hangUp('ble-too-many-errors');
          }),
        HANG_UP_GRACE_MS,
      );
    }
  }

  /** Notifies a message, frame by frame; a phone that has not subscribed hears nothing. */
  private send(type: number, body: Uint8Array): void {
    const c = this.connection;
    if (c === undefined || !c.subscribed) return;
    for (const frame of splitMessage(type, body, c.mtu)) this.hw.ble.notify(frame);
  }

  /** Restarts the idle timer: the connection ends if the phone goes quiet. */
  private touch(): void {
    this.clearTimer('idleTimer');
    const c = this.connection as Connection;
    c.idleTimer = this.hw.timers.set(() => this.guard(() => this.idle()), this.idleTimeoutMs);
  }

  private idle(): void {
    if (this.connection === undefined) return;
    this.connection.idleTimer = undefined;
    this.hangUp('ble-idle-timeout');
  }

  /** Ends the connection from the lock's side, saying why in the log. */
  private hangUp(why: string): void {
    if (this.connection === undefined) return;
    this.lock.record('info', why);
    this.drop();
    this.hw.ble.disconnect();
  }

  private armExpiry(): void {
    this.clearTimer('expiryTimer');
    const c = this.connection as Connection;
    c.expiryTimer = this.hw.timers.set(() => this.guard(() => this.expire()), REASSEMBLY_TIMEOUT_MS + 1);
  }

  private expire(): void {
    const c = this.connection;
    if (c === undefined) return;
    c.expiryTimer = undefined;
    const event = c.reassembler.expire(this.hw.timers.ticks());
    if (event.kind === 'error') this.protocolError(event.error);
    else if (event.kind === 'pending') this.armExpiry();
  }

  private clearTimer(name: 'idleTimer' | 'expiryTimer' | 'lifetimeTimer'): void {
    const c = this.connection;
    if (c === undefined || c[name] === undefined) return;
    this.hw.timers.clear(c[name]);
    c[name] = undefined;
  }

  /** Forgets the connection and its timers (not the link: callers disconnect when they mean to). */
  private drop(): void {
    this.clearTimer('idleTimer');
    this.clearTimer('expiryTimer');
    this.clearTimer('lifetimeTimer');
    this.connection = undefined;
  }

  close(): void {
    this.drop();
    this.hw.ble.close();
  }
}
