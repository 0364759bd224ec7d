// The firmware's view of the core: what the device app (hal/moddable) imports from the single
// module `latchkey` that manifest_module.json adds to a Moddable build. Built by `npm run build`
// into dist/device/latchkey.js (esbuild, ES module, no Node built-ins).
export * from './index.js';
export { startLatchkey, type Latchkey, type LatchkeyConfig } from './app.js';
export { hashesSelfTest } from './hash-self-test.js';
export { Lock, type LockConfig, type PresentationResult } from './lock/lock.js';
export { PresentationService, IDLE_TIMEOUT_MS } from './ble/presentation-service.js';
export { SERVICE_UUID, REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID, REQUEST_CHARACTERISTIC, RESPONSE_CHARACTERISTIC } from './ble/uuids.js';
export { AtomicStorage, SLOT_OVERHEAD_BYTES } from '../hal/atomic-storage.js';
export { NVS_MAX_KEY_LENGTH, NVS_MAX_VALUE_BYTES } from '../hal/index.js';
export type * from '../hal/index.js';
