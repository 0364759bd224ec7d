// The portable simulator HAL (runs on Node and inside XS). FileStorage is Node-only: import it from
// './file-storage.js' directly.

export { SimTime, type SimTimeOptions, type TimerDomain, type TimerError } from './time.js';
export { SimActuator, SimDoor, SimIndicator, type DriveRecord, type ShowRecord, type TickSource } from './devices.js';
export { MemoryStorage, StorageLimitError, checkKey, checkValue, copyBytes } from './memory-storage.js';
export { PowerCut, PowerCutInjector, type CutPoint } from './power-cut.js';
export { SeededRandom, SystemRandom } from './random.js';
export {
  ATT_HEADER_BYTES,
  BLE_MAX_MTU,
  BLE_MIN_MTU,
  BleLink,
  SimBleCentral,
  SimBlePeripheral,
  type BleDisconnectReason,
  type BleLinkOptions,
  type BleTranscriptEntry,
} from './ble-link.js';
export { MemoryLog } from './log.js';
export { portableHashes } from './hashes.js';
