// What the firmware's simulator build (mcconfig -p lin: hal/moddable/lin/) takes from the host
// simulator: the virtual BLE link and courier phone, simulated bolt/door/LED and flash, and the
// ticket issuer for the self-test's built-in ticket. Bundled by tools/device-build.js into
// dist/device/latchkey-sim.js (module "latchkey/sim", lin builds only, never on a device).
export { BleLink, type BleLinkOptions } from './hal/ble-link.js';
export { SimTime } from './hal/time.js';
export { SimActuator, SimDoor, SimIndicator } from './hal/devices.js';
export { MemoryStorage } from './hal/memory-storage.js';
export { PowerCut } from './hal/power-cut.js';
export { CourierPhone, type PresentationReport, type PresentOptions } from './phone.js';
export { issueTicket, publicKeyFromSeed, type SigningKey, type TicketFields } from '../issuer/ticket.js';
export { OwnerPhone, type AdminOutcome } from './owner-phone.js';
export {
  buildAdminCommand,
  buildProvisioning,
  joinAuditExports,
  verifyAuditExport,
  verifyReceipt,
  type AdminSigner,
  type AuditExport,
} from '../issuer/admin.js';
