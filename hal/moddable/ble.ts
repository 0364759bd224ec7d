// HAL BlePeripheral on Moddable's `bleserver` (NimBLE on the ESP32), serving the GATT service of
// bleservices/latchkey.json: `request` (the phone writes frames) and `response` (the lock notifies).
//
// - MTU: NimBLE silently truncates a notification longer than MTU − 3, so notify() refuses one
//   (the presentation service splits messages to fit; this is the last guard). The MTU is 23 until
//   onMTUExchanged reports the negotiated value (at most 256 on the SDK's ESP32 sdkconfigs).
// - Writes are handed to the lock on the next turn (Timer.set 0), in order, never inside the
//   stack's callback: a verification takes tens of milliseconds and must not run in it.
// - One central at a time (manifest_server.json: max_connections 1); advertising resumes when
//   it disconnects.

import BLEServer from 'bleserver';
import { uuid } from 'btutils';
import type { Characteristic, Client } from 'gatt';
import Timer from 'timer';
import { REQUEST_CHARACTERISTIC, RESPONSE_CHARACTERISTIC, type BleHandlers, type BlePeripheral } from 'latchkey';

const ATT_HEADER_BYTES = 3;
const DEFAULT_ATT_MTU = 23;
/** GAP flags: LE general discoverable, BR/EDR not supported. */
const ADVERTISING_FLAGS = 0x06;

class LatchkeyServer extends BLEServer {
  handlers: BleHandlers | undefined;
  response: Characteristic | undefined;
  connected = false;
  mtu = DEFAULT_ATT_MTU;
  private readonly writes: Uint8Array[] = [];
  private delivering: ReturnType<typeof Timer.set> | undefined;

  constructor(private readonly name: string) {
    super();
  }

  override onReady(): void {
    this.deviceName = this.name;
    this.advertise();
  }

  advertise(): void {
    this.startAdvertising({
      // The 128-bit service UUID fills most of the 31-byte packet; the name goes in the scan response.
      advertisingData: { flags: ADVERTISING_FLAGS, completeUUID128List: [uuid`6C6B0001-7A3C-4B8E-9F10-6C617463686B`] },
      scanResponseData: { completeName: this.name },
    });
  }

  override onConnected(_device: Client): void {
    this.connected = true;
    this.mtu = DEFAULT_ATT_MTU;
    this.response = undefined;
    this.writes.length = 0;
    this.handlers?.connected();
  }

  override onDisconnected(_device: Client): void {
    this.connected = false;
    this.response = undefined;
    this.writes.length = 0;
    this.handlers?.disconnected();
    this.advertise();
  }

  onMTUExchanged(mtu: number): void {
    if (typeof mtu !== 'number') return;
    this.mtu = mtu;
    this.handlers?.mtuChanged(mtu);
  }

  override onCharacteristicNotifyEnabled(characteristic: Characteristic): void {
    if (characteristic.name !== RESPONSE_CHARACTERISTIC) return;
    this.response = characteristic;
    this.handlers?.subscribed();
  }

  override onCharacteristicWritten(characteristic: Characteristic, value: ArrayBuffer): void {
    if (characteristic.name !== REQUEST_CHARACTERISTIC || !(value instanceof ArrayBuffer)) return;
    this.writes.push(new Uint8Array(value));
    if (this.delivering === undefined) this.delivering = Timer.set(() => this.deliver(), 0);
  }

  private deliver(): void {
    this.delivering = undefined;
    while (this.writes.length > 0 && this.connected) {
      const value = this.writes.shift() as Uint8Array;
      this.handlers?.written(value);
    }
  }
}

export function createBle(deviceName: string): BlePeripheral {
  let server: LatchkeyServer | undefined;
  return {
    start(handlers: BleHandlers) {
      if (server !== undefined) throw new Error('ble: already started');
      server = new LatchkeyServer(deviceName);
      server.handlers = handlers;
    },
    notify(value: Uint8Array) {
      const s = server;
      if (s === undefined || !s.connected || s.response === undefined) throw new RangeError('ble: no subscribed central');
      if (value.length > s.mtu - ATT_HEADER_BYTES) throw new RangeError(`ble: ${value.length} bytes exceed MTU ${s.mtu} - 3`);
      s.notifyValue(s.response, value.slice().buffer);
    },
    disconnect() {
      if (server?.connected) server.disconnect();
    },
    close() {
      server?.close();
      server = undefined;
    },
  };
}
