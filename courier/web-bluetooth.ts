// The Web Bluetooth transport for the courier session: only GATT calls. It asks the browser for a
// device advertising the Latchkey service, connects, finds the request and response
// characteristics, turns notifications into session.receive() calls and the session's frames into
// writes with response, one at a time, and disconnects. Every step has a timeout. The protocol
// itself (challenge, proof, framing, verdict) is courier/session.ts, tested against the real lock;
// this file is exercised in Chromium against a fake navigator.bluetooth bridged to the real lock
// (test/browser/courier.test.ts), never against a real radio here (docs/courier.md).
//
// The Web Bluetooth types are declared structurally below (TypeScript's DOM library has none), so
// this file type-checks without the DOM and a test can hand it a fake.

import { REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID, SERVICE_UUID } from '../src/ble/uuids.js';
import { errorMessage } from '../src/result.js';
import { isoTime } from '../issuer/time.js';
import { CourierSession, MIN_FRAME_CAPACITY, type SessionOptions, type SessionPlan, type Verdict } from './session.js';
import type { ChallengeMessage } from '../src/ble/messages.js';

/**
 * Bytes per write when nothing else is chosen: 20, what ATT MTU 23 carries. Web Bluetooth does not
 * tell the page the negotiated MTU, and 20 bytes fit one ATT write on every link, so no write ever
 * depends on the OS splitting it (docs/courier.md, "Frame size").
 */
export const DEFAULT_FRAME_CAPACITY = MIN_FRAME_CAPACITY;

export interface LinkTimeouts {
  /** gatt.connect(). */
  connect: number;
  /** Finding the service and its two characteristics. */
  discover: number;
  /** startNotifications() (the CCCD write). */
  subscribe: number;
  /** From subscribing to the whole CHALLENGE. */
  challenge: number;
  /** Each write with response. */
  write: number;
  /** From the last write to the verdict (the lock verifies two signatures and writes its flash). */
  result: number;
}

export const DEFAULT_TIMEOUTS: Readonly<LinkTimeouts> = Object.freeze({
  connect: 10_000,
  discover: 5_000,
  subscribe: 5_000,
  challenge: 5_000,
  write: 5_000,
  result: 10_000,
});

/** Where an attempt stopped. */
export type LinkStep = 'connect' | 'discover' | 'subscribe' | 'challenge' | 'write' | 'result';

export type LinkOutcome =
  /** The session reached a verdict (including the session's own timeout and disconnection). */
  | { kind: 'verdict'; verdict: Verdict }
  /** A GATT call failed or timed out: the lock may or may not have received what was written. */
  | { kind: 'transport-error'; step: LinkStep; detail: string };

export interface PresentationAttempt {
  outcome: LinkOutcome;
  /** The step the attempt was at when it ended. */
  step: LinkStep;
  challenge: ChallengeMessage | undefined;
  frameCapacity: number;
  writes: number;
  notifications: number;
  /** The receipt, if the lock sent one (also in a granted verdict). */
  receipt: Uint8Array | undefined;
}

// ---------------------------------------------------------------------------------------------
// The slice of the Web Bluetooth API used here (https://webbluetoothcg.github.io/web-bluetooth/)

interface EventTargetLike {
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
}
export interface BluetoothCharacteristicLike extends EventTargetLike {
  readonly value?: DataView | null;
  startNotifications(): Promise<unknown>;
  stopNotifications?(): Promise<unknown>;
  writeValueWithResponse(value: Uint8Array): Promise<void>;
}
export interface BluetoothServiceLike {
  getCharacteristic(uuid: string): Promise<BluetoothCharacteristicLike>;
}
export interface BluetoothServerLike {
  readonly connected: boolean;
  connect(): Promise<BluetoothServerLike>;
  disconnect(): void;
  getPrimaryService(uuid: string): Promise<BluetoothServiceLike>;
}
export interface BluetoothDeviceLike extends EventTargetLike {
  readonly id: string;
  readonly name?: string | null;
  readonly gatt?: BluetoothServerLike | null;
}
export interface BluetoothLike {
  requestDevice(options: { filters: { services: string[] }[]; optionalServices?: string[] }): Promise<BluetoothDeviceLike>;
  getAvailability?(): Promise<boolean>;
}

/** navigator.bluetooth, or undefined where the browser has none (Firefox, Safari) or the page is not a secure context. */
export function webBluetooth(scope: unknown = globalThis): BluetoothLike | undefined {
  const nav = (scope as { navigator?: { bluetooth?: BluetoothLike } }).navigator;
  const bluetooth = nav?.bluetooth;
  return bluetooth !== undefined && bluetooth !== null && typeof bluetooth.requestDevice === 'function' ? bluetooth : undefined;
}

/** Opens the browser's device chooser for locks advertising the Latchkey service (needs a user gesture). */
export function chooseLock(bluetooth: BluetoothLike): Promise<BluetoothDeviceLike> {
  return bluetooth.requestDevice({ filters: [{ services: [SERVICE_UUID] }] });
}

class StepTimeout extends Error {}

/** Rejects with StepTimeout when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface PresentOverBluetoothOptions {
  /** Bytes per write: DEFAULT_FRAME_CAPACITY unless the user chose more (docs/courier.md). */
  frameCapacity?: number;
  expectedLockId?: string;
  timeouts?: Partial<LinkTimeouts>;
  /** One line per step, for the page's progress log. */
  log?: (line: string) => void;
  /** A monotonic clock in ms (the session's reassembly timeout). */
  now?: () => number;
}

/**
 * One presentation on a chosen device: connect, discover, subscribe, answer the challenge, wait
 * for the verdict, disconnect. Never throws: every failure is in the returned outcome.
 */
export async function presentOverBluetooth(
  device: BluetoothDeviceLike,
  plan: SessionPlan,
  options: PresentOverBluetoothOptions = {},
): Promise<PresentationAttempt> {
  const t: LinkTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => Date.now());
  const frameCapacity = options.frameCapacity ?? DEFAULT_FRAME_CAPACITY;
  const sessionOptions: SessionOptions = { frameCapacity };
  if (options.expectedLockId !== undefined) sessionOptions.expectedLockId = options.expectedLockId;
  const session = new CourierSession(plan, sessionOptions);

  let step: LinkStep = 'connect';
  let writes = 0;
  let response: BluetoothCharacteristicLike | undefined;
  let server: BluetoothServerLike | undefined;
  let settle: (outcome: LinkOutcome) => void = () => {};
  const finished = new Promise<LinkOutcome>((resolve) => {
    let done = false;
    settle = (outcome) => {
      if (done) return;
      done = true;
      resolve(outcome);
    };
  });
  let waitTimer: ReturnType<typeof setTimeout> | undefined;
  const waitFor = (which: 'challenge' | 'result') => {
    clearTimeout(waitTimer);
    step = which;
    waitTimer = setTimeout(() => settle({ kind: 'verdict', verdict: session.timedOut() }), t[which]);
  };

  // Writes go out one at a time: a GATT client has one operation in flight.
  let queue: Promise<void> = Promise.resolve();
  const write = (request: BluetoothCharacteristicLike, frames: Uint8Array[]) => {
    if (frames.length === 0) return;
    log(`presenting: ${frames.length} write${frames.length === 1 ? '' : 's'} of at most ${frameCapacity} bytes`);
    clearTimeout(waitTimer);
    step = 'write';
    queue = queue.then(async () => {
      for (const frame of frames) {
        if (session.state === 'done') return; // an ERROR or a disconnection ended it mid-message
        await within(request.writeValueWithResponse(frame), t.write, 'write');
        writes++;
      }
      if (session.state !== 'done') waitFor('result');
    });
    queue.catch((error) => settle({ kind: 'transport-error', step: 'write', detail: errorMessage(error) }));
  };

  const onDisconnected = () => settle({ kind: 'verdict', verdict: session.disconnected() });
  device.addEventListener('gattserverdisconnected', onDisconnected);
  let onValue: ((event: unknown) => void) | undefined;

  try {
    const gatt = device.gatt;
    if (gatt === undefined || gatt === null) return attempt({ kind: 'transport-error', step, detail: 'the device has no GATT server' });
    log(`connecting to ${device.name ?? 'the lock'}…`);
    server = await within(gatt.connect(), t.connect, 'connect');
    step = 'discover';
    const service = await within(server.getPrimaryService(SERVICE_UUID), t.discover, 'Latchkey service');
    const request = await within(service.getCharacteristic(REQUEST_CHARACTERISTIC_UUID), t.discover, 'request characteristic');
    response = await within(service.getCharacteristic(RESPONSE_CHARACTERISTIC_UUID), t.discover, 'response characteristic');
    const notified = response;
    onValue = () => {
      const view = notified.value;
      const bytes = view ? new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)) : new Uint8Array(0);
      const result = session.receive(bytes, now());
      // The lock's clock is informational (unauthenticated), but it explains a not-yet-valid or expired refusal.
      if (result.challenge !== undefined) log(`challenge from lock "${result.challenge.lockId}" (its clock: ${isoTime(result.challenge.lockTime)})`);
      write(request, result.writes);
      if (result.verdict !== undefined) settle({ kind: 'verdict', verdict: result.verdict });
    };
    response.addEventListener('characteristicvaluechanged', onValue);
    step = 'subscribe';
    log('subscribing: the lock answers with its challenge');
    await within(response.startNotifications(), t.subscribe, 'start notifications');
    if (session.state === 'awaiting-challenge') waitFor('challenge');
    return attempt(await finished);
  } catch (error) {
    settle({ kind: 'transport-error', step, detail: errorMessage(error) });
    return attempt(await finished);
  } finally {
    clearTimeout(waitTimer);
    device.removeEventListener('gattserverdisconnected', onDisconnected);
    if (response !== undefined && onValue !== undefined) response.removeEventListener('characteristicvaluechanged', onValue);
    try {
      if (server?.connected) server.disconnect();
      else device.gatt?.disconnect();
    } catch {
      // already gone
    }
  }

  function attempt(outcome: LinkOutcome): PresentationAttempt {
    return { outcome, step, challenge: session.challenge, frameCapacity, writes, notifications: session.notifications, receipt: session.receipt };
  }
}
