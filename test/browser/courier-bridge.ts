// A fake navigator.bluetooth for the courier page, whose one "device" is bridged to the real lock
// running in Node: the simulator's Lock and PresentationService on the other end of its virtual
// BLE link. The page's Web Bluetooth adapter (courier/web-bluetooth.ts) makes its GATT calls on
// the fake; each call crosses to Node (page.exposeBinding), is done on the simulator's BLE
// central, the simulated timeline runs until the link is quiet, and the lock's notifications come
// back to the page as characteristicvaluechanged events. So the adapter, the session and the page
// run in Chromium against the real lock code; only the radio is simulated.

import type { Page } from 'playwright-core';
import type { Simulator } from '../../sim/simulator.js';
import { REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID, SERVICE_UUID } from '../../src/ble/uuids.js';

/** What a bridged GATT call returns to the page: the notifications the lock sent meanwhile. */
interface BridgeAnswer {
  notifications: number[][];
  disconnected: boolean;
}

/** The lock's side of the bridge: one simulator, its BLE central driven by the page's calls. */
export class LockBridge {
  /** Every GATT call the page made, in order ('write:<n bytes>'). */
  readonly calls: string[] = [];
  #pending: number[][] = [];
  #disconnected = false;

  constructor(
    readonly sim: Simulator,
    /** The ATT MTU the fake link negotiates (the page cannot see it, as with real Web Bluetooth). */
    readonly mtu = 23,
  ) {
    sim.link.central.onNotify((value) => this.#pending.push(Array.from(value)));
    sim.link.central.onDisconnect(() => {
      this.#disconnected = true;
    });
  }

  handle(op: string, arg: unknown): BridgeAnswer {
    const central = this.sim.link.central;
    switch (op) {
      case 'connect':
        this.calls.push('connect');
        this.#disconnected = false;
        central.connect(this.mtu);
        break;
      case 'subscribe':
        this.calls.push('subscribe');
        central.subscribe();
        break;
      case 'write': {
        const bytes = Uint8Array.from(arg as number[]);
        // Above MTU − 3 the write fails, as it would where the phone's stack does no long write.
        if (bytes.length > central.maxWriteLength) throw new Error(`GATT operation failed: ${bytes.length} bytes at MTU ${central.mtu}`);
        this.calls.push(`write:${bytes.length}`);
        central.write(bytes);
        break;
      }
      case 'disconnect':
        this.calls.push('disconnect');
        central.disconnect();
        break;
      default:
        throw new Error(`unknown bridged call ${op}`);
    }
    // Run the simulated timeline until nothing is in flight on the link (the lock answers at once).
    for (let i = 0; i < 1000 && this.sim.link.inFlight() > 0; i++) this.sim.time.advance(5);
    const answer = { notifications: this.#pending, disconnected: this.#disconnected };
    this.#pending = [];
    return answer;
  }

  /** Installs the fake navigator.bluetooth and the bridge in a page (before it navigates). */
  async install(page: Page): Promise<void> {
    await page.exposeBinding('__latchkeyBle', (_source, op: string, arg: unknown) => this.handle(op, arg));
    await page.addInitScript(FAKE_BLUETOOTH, { service: SERVICE_UUID, request: REQUEST_CHARACTERISTIC_UUID, response: RESPONSE_CHARACTERISTIC_UUID });
  }
}

/** A browser without Web Bluetooth (Firefox, Safari): navigator.bluetooth is undefined. */
export async function removeWebBluetooth(page: Page): Promise<void> {
  await page.addInitScript(() =>
    Object.defineProperty((globalThis as unknown as { Navigator: { prototype: object } }).Navigator.prototype, 'bluetooth', {
      get: () => undefined,
      configurable: true,
    }),
  );
}

/** Runs in the page before its scripts: the Web Bluetooth API surface the adapter uses, and no more. */
function FAKE_BLUETOOTH(uuids: { service: string; request: string; response: string }): void {
  type Answer = { notifications: number[][]; disconnected: boolean };
  const w = globalThis as unknown as { __latchkeyBle(op: string, arg: unknown): Promise<Answer>; __latchkeyRequests: string[] };
  const call = (op: string, arg: unknown = null) => w.__latchkeyBle(op, arg);
  w.__latchkeyRequests = [];

  class Characteristic extends EventTarget {
    value: DataView | null = null;
    constructor(readonly uuid: string) {
      super();
    }
    async startNotifications() {
      if (this.uuid !== uuids.response) throw new DOMException('GATT operation not permitted.', 'NotSupportedError');
      deliver(await call('subscribe'));
      return this;
    }
    async stopNotifications() {
      return this;
    }
    async writeValueWithResponse(value: ArrayBuffer | ArrayBufferView) {
      if (this.uuid !== uuids.request) throw new DOMException('GATT operation not permitted.', 'NotSupportedError');
      if (!gatt.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      deliver(await call('write', Array.from(bytes)));
    }
  }
  const request = new Characteristic(uuids.request);
  const response = new Characteristic(uuids.response);
  const device = Object.assign(new EventTarget(), { id: 'bridged-lock', name: 'Latchkey lock (simulated, bridged)', gatt: undefined as unknown });
  const gatt = {
    connected: false,
    device,
    async connect() {
      deliver(await call('connect'));
      gatt.connected = true;
      return gatt;
    },
    disconnect() {
      if (!gatt.connected) return;
      gatt.connected = false;
      void call('disconnect');
    },
    async getPrimaryService(uuid: string) {
      if (uuid !== uuids.service) throw new DOMException(`No Services matching UUID ${uuid} found in Device.`, 'NotFoundError');
      return {
        uuid,
        async getCharacteristic(c: string) {
          if (c === uuids.request) return request;
          if (c === uuids.response) return response;
          throw new DOMException(`No Characteristics matching UUID ${c} found in Service.`, 'NotFoundError');
        },
      };
    },
  };
  device.gatt = gatt;
  // Notifications arrive as events after the GATT call that provoked them has returned, as on a radio.
  function deliver(answer: Answer): void {
    setTimeout(() => {
      for (const n of answer.notifications) {
        response.value = new DataView(Uint8Array.from(n).buffer);
        response.dispatchEvent(new Event('characteristicvaluechanged'));
      }
      if (answer.disconnected && gatt.connected) {
        gatt.connected = false;
        device.dispatchEvent(new Event('gattserverdisconnected'));
      }
    }, 0);
  }
  const bluetooth = {
    async getAvailability() {
      return true;
    },
    async requestDevice(options: { filters?: { services?: string[] }[] }) {
      w.__latchkeyRequests.push(JSON.stringify(options));
      if (!options?.filters?.some((f) => f.services?.includes(uuids.service)))
        throw new DOMException('User cancelled the requestDevice() chooser.', 'NotFoundError');
      return device;
    },
  };
  const navigatorClass = (globalThis as unknown as { Navigator: { prototype: object } }).Navigator;
  Object.defineProperty(navigatorClass.prototype, 'bluetooth', { get: () => bluetooth, configurable: true });
}
