// The firmware's view of the core: what the device app (hal/moddable) imports from the single
// module `latchkey` that manifest.json adds to a Moddable build. Built by `npm run build` into
// dist/device/latchkey.js (esbuild, ES module, no Node built-ins).
export * from './index.js';
export { Lock, type LockConfig, type PresentationResult } from './lock/lock.js';
export { PresentationService, IDLE_TIMEOUT_MS } from './ble/presentation-service.js';
export { SERVICE_UUID, REQUEST_CHARACTERISTIC_UUID, RESPONSE_CHARACTERISTIC_UUID } from './ble/uuids.js';
export type * from '../hal/index.js';
