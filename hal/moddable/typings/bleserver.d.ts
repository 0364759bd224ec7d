// From the SDK's typings/ble/bleserver.d.ts, btutils.d.ts and gatt.d.ts (modules "bleserver",
// "btutils"), the parts the firmware uses — plus onMTUExchanged, which bleserver.js calls
// (callback "onMTUExchanged", the negotiated ATT MTU as a number on NimBLE) and the SDK's
// typings omit.
declare module 'btutils' {
  export class Bytes extends ArrayBuffer {
    constructor(bytes: string | ArrayBufferLike, littleEndian?: boolean);
    equals(bytes: Bytes): boolean;
  }
  export function uuid(strings: TemplateStringsArray): Bytes;
}

declare module 'gatt' {
  import type { Bytes } from 'btutils';
  export interface Client {
    connection: number;
    address: Bytes;
  }
  export interface Characteristic {
    uuid: Bytes;
    handle: number;
    name: string;
    type: string;
  }
}

declare module 'bleserver' {
  import type { Bytes } from 'btutils';
  import type { Characteristic, Client } from 'gatt';

  type AdvertisementData = {
    flags?: number;
    completeUUID128List?: Bytes[];
    completeName?: string;
    shortName?: string;
  };

  export class BLEServer {
    deviceName: string;
    onReady(): void;
    startAdvertising(params: { advertisingData: AdvertisementData; scanResponseData?: AdvertisementData; fast?: boolean }): void;
    stopAdvertising(): void;
    notifyValue(characteristic: Characteristic, value: any): void;
    onCharacteristicNotifyEnabled(characteristic: Characteristic): void;
    onCharacteristicWritten(characteristic: Characteristic, value: any): void;
    disconnect(): void;
    onConnected(device: Client): void;
    onDisconnected(device: Client): void;
    /** Not in the SDK's typings; called by bleserver.js after an ATT MTU exchange. */
    onMTUExchanged?(mtu: number): void;
    close(): void;
  }
  export { BLEServer as default };
}
