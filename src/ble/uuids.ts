// The Latchkey GATT service (docs/ble-protocol.md, "GATT service"); bleservices/latchkey.json
// declares the same UUIDs for the Moddable SDK, and a test keeps the two in step.

/** Primary service, advertised in full (128-bit) so phones can scan for it. */
export const SERVICE_UUID = '6c6b0001-7a3c-4b8e-9f10-6c617463686b';
/** `request`: phone → lock frames; write and write without response. */
export const REQUEST_CHARACTERISTIC_UUID = '6c6b0002-7a3c-4b8e-9f10-6c617463686b';
/** `response`: lock → phone frames; notify. */
export const RESPONSE_CHARACTERISTIC_UUID = '6c6b0003-7a3c-4b8e-9f10-6c617463686b';

/** Characteristic names as bleservices/latchkey.json defines them (BLEServer's characteristic.name). */
export const REQUEST_CHARACTERISTIC = 'request';
export const RESPONSE_CHARACTERISTIC = 'response';
