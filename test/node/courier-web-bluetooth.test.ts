// The Web Bluetooth adapter (courier/web-bluetooth.ts) on a fake GATT in Node: the happy path
// against the real lock (the simulator, through the same LockBridge the browser tests use), and
// each way a radio lets a phone down — a step that never answers, a write that fails, the lock
// hanging up, a lock that never sends its challenge — with the step named and the link closed.

import { expect } from 'chai';
import {
  chooseLock,
  presentOverBluetooth,
  webBluetooth,
  type BluetoothCharacteristicLike,
  type BluetoothDeviceLike,
  type BluetoothServerLike,
} from '../../courier/web-bluetooth.js';
import { holderKeyFromSeed } from '../../courier/holder-key.js';
import { REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID, SERVICE_UUID } from '../../src/ble/uuids.js';
import { HOLDER_SEED, LOCK_ID } from '../portable/fixtures.js';
import { newSim, tk } from '../portable/lock-fixtures.js';
import { LockBridge } from '../browser/courier-bridge.js';

type Answer = { notifications: number[][]; disconnected: boolean };
interface FakeOptions {
  /** A GATT step that never settles. */
  hang?: 'connect' | 'service' | 'subscribe' | 'write';
  /** The n-th write (1-based) rejects. */
  failWrite?: number;
  /** The lock hangs up after this many writes. */
  hangUpAfterWrites?: number;
}

/** A fake device whose GATT calls go to `handle` (a LockBridge, or a silent lock). */
function fakeDevice(handle: (op: string, arg?: unknown) => Answer, options: FakeOptions = {}) {
  const never = new Promise<never>(() => {});
  const log: string[] = [];
  let writes = 0;
  const device = new EventTarget() as EventTarget & BluetoothDeviceLike & { gatt: BluetoothServerLike };
  const response = Object.assign(new EventTarget(), {
    value: null as DataView | null,
    async startNotifications() {
      if (options.hang === 'subscribe') return never;
      deliver(handle('subscribe'));
      return response;
    },
    async writeValueWithResponse() {
      throw new Error('not writable');
    },
  }) as unknown as BluetoothCharacteristicLike & { value: DataView | null };
  const request = Object.assign(new EventTarget(), {
    async startNotifications() {
      throw new Error('no notify');
    },
    async writeValueWithResponse(value: Uint8Array) {
      writes++;
      if (options.hang === 'write') return never;
      if (options.failWrite === writes) throw new Error('GATT operation failed for unknown reason.');
      deliver(handle('write', Array.from(value)));
      if (options.hangUpAfterWrites === writes) device.dispatchEvent(new Event('gattserverdisconnected'));
    },
  }) as unknown as BluetoothCharacteristicLike;
  const gatt: BluetoothServerLike & { connected: boolean } = {
    connected: false,
    async connect() {
      if (options.hang === 'connect') return never;
      deliver(handle('connect'));
      gatt.connected = true;
      return gatt;
    },
    disconnect() {
      log.push('disconnect');
      if (gatt.connected) handle('disconnect');
      gatt.connected = false;
    },
    async getPrimaryService(uuid: string) {
      if (options.hang === 'service') return never;
      if (uuid !== SERVICE_UUID) throw new Error('no such service');
      return {
        async getCharacteristic(c: string) {
          if (c === REQUEST_CHARACTERISTIC_UUID) return request;
          if (c === RESPONSE_CHARACTERISTIC_UUID) return response;
          throw new Error('no such characteristic');
        },
      };
    },
  };
  Object.assign(device, { id: 'fake', name: 'fake lock', gatt });
  function deliver(answer: Answer) {
    setTimeout(() => {
      for (const n of answer.notifications) {
        response.value = new DataView(Uint8Array.from(n).buffer);
        (response as unknown as EventTarget).dispatchEvent(new Event('characteristicvaluechanged'));
      }
    }, 0);
  }
  return { device, log, writes: () => writes };
}

const silentLock = (): Answer => ({ notifications: [], disconnected: false });
const plan = () => ({ kind: 'present' as const, ticket: tk('fixture'), prove: holderKeyFromSeed(HOLDER_SEED).prove });
const quick = { connect: 60, discover: 60, subscribe: 60, challenge: 60, write: 60, result: 60 };

describe('Web Bluetooth adapter on a fake GATT', () => {
  it('asks the browser only for devices advertising the Latchkey service', async () => {
    let asked: unknown;
    const bluetooth = {
      requestDevice: async (options: unknown) => {
        asked = options;
        return fakeDevice(silentLock).device;
      },
    };
    expect(webBluetooth({ navigator: { bluetooth } })).to.equal(bluetooth);
    expect(webBluetooth({ navigator: {} })).to.equal(undefined);
    expect(webBluetooth({})).to.equal(undefined);
    await chooseLock(bluetooth);
    expect(asked).to.deep.equal({ filters: [{ services: [SERVICE_UUID] }] });
  });

  for (const [mtu, capacity, writes] of [
    [23, 20, 16],
    [185, 182, 2],
    [185, 20, 16],
  ] as const) {
    it(`against the real lock at MTU ${mtu} with ${capacity}-byte writes: granted in ${writes} writes, then disconnected`, async () => {
      const sim = newSim();
      const bridge = new LockBridge(sim, mtu);
      const fake = fakeDevice((op, arg) => bridge.handle(op, arg));
      const lines: string[] = [];
      const attempt = await presentOverBluetooth(fake.device, plan(), { frameCapacity: capacity, expectedLockId: LOCK_ID, log: (l) => lines.push(l) });
      expect(attempt.outcome).to.deep.equal({ kind: 'verdict', verdict: { kind: 'granted', relockSeconds: 5, receipt: undefined } });
      expect(attempt.writes).to.equal(writes);
      expect(attempt.challenge?.lockId).to.equal(LOCK_ID);
      expect(sim.actuator.position).to.equal('unlocked');
      expect(fake.log).to.deep.equal(['disconnect']);
      expect(bridge.calls.at(-1)).to.equal('disconnect');
      expect(lines.some((l) => l.includes(`${writes} write`))).to.equal(true);
    });
  }

  it('a write larger than the link carries fails as a transport error at the write step', async () => {
    const bridge = new LockBridge(newSim(), 23);
    const fake = fakeDevice((op, arg) => bridge.handle(op, arg));
    const attempt = await presentOverBluetooth(fake.device, plan(), { frameCapacity: 182 });
    expect(attempt.outcome).to.deep.include({ kind: 'transport-error', step: 'write' });
    expect(fake.log).to.deep.equal(['disconnect']);
  });

  for (const hang of ['connect', 'service', 'subscribe', 'write'] as const) {
    it(`a ${hang} that never answers times out as a transport error at that step, and the link is closed`, async () => {
      const bridge = new LockBridge(newSim(), 185);
      const fake = fakeDevice((op, arg) => bridge.handle(op, arg), { hang });
      const started = Date.now();
      const attempt = await presentOverBluetooth(fake.device, plan(), { frameCapacity: 182, timeouts: quick });
      expect(attempt.outcome.kind).to.equal('transport-error');
      expect(attempt.step).to.equal(hang === 'service' ? 'discover' : hang);
      expect(Date.now() - started).to.be.below(2000);
      expect(fake.log).to.deep.equal(['disconnect']);
    });
  }

  it('a lock that never sends its challenge: the session times out at the challenge step', async () => {
    const fake = fakeDevice(silentLock);
    const attempt = await presentOverBluetooth(fake.device, plan(), { timeouts: quick });
    expect(attempt.outcome).to.deep.equal({ kind: 'verdict', verdict: { kind: 'timeout' } });
    expect(attempt.step).to.equal('challenge');
    expect(fake.writes()).to.equal(0);
  });

  it('a failing write stops the presentation; the lock hanging up mid-message ends it as disconnected', async () => {
    const failing = fakeDevice((op, arg) => bridge.handle(op, arg), { failWrite: 3 });
    const bridge = new LockBridge(newSim(), 23);
    const failed = await presentOverBluetooth(failing.device, plan(), { timeouts: quick });
    expect(failed.outcome).to.deep.equal({ kind: 'transport-error', step: 'write', detail: 'GATT operation failed for unknown reason.' });
    expect(failed.writes).to.equal(2);

    const other = new LockBridge(newSim(), 23);
    const hangUp = fakeDevice((op, arg) => other.handle(op, arg), { hangUpAfterWrites: 4 });
    const dropped = await presentOverBluetooth(hangUp.device, plan(), { timeouts: quick });
    expect(dropped.outcome).to.deep.equal({ kind: 'verdict', verdict: { kind: 'disconnected' } });
    await new Promise((resolve) => setTimeout(resolve, 50)); // a write queued after the verdict would have gone out by now
    expect(hangUp.writes(), 'no write after the hang-up').to.equal(4);
  });
});
