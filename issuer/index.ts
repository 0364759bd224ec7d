// `latchkey/issuer`: the library an issuer's backend or an owner's app uses, without the CLI.
// Issue tickets; build signed provisioning bundles, admin commands and time statements; verify
// the lock's provisioning answer, entry receipts and audit-log exports. Portable (no Node
// built-ins): the same module works in Node and in a browser bundle. docs/admin.md, docs/ticket.md.

export { issueTicket, publicKeyFromSeed, signEd25519, encodeClaims, type SigningKey, type TicketFields } from './ticket.js';
export {
  ADMIN_REASONS,
  COMMAND_NAMES,
  buildAdminCommand,
  buildProvisioning,
  buildTimeStatement,
  decodeAuditExport,
  encodeAuditExport,
  joinAuditExports,
  publicKeyOf,
  verifyAuditExport,
  verifyDeviceAnswer,
  verifyReceipt,
  type AdminReason,
  type AdminSigner,
  type ArgValue,
  type AuditEntry,
  type AuditExport,
  type CommandName,
  type DeviceAnswer,
  type Receipt,
} from './admin.js';
export { verifyTicket, type Decision, type TrustedIssuer } from '../src/verify.js';
export { REFUSAL_CODES, type RefusalReason } from '../src/reasons.js';
export { toHex, fromHex } from '../src/bytes.js';
