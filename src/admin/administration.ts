// Owner administration on the lock: the provisioned/unprovisioned state, the device key, signed
// admin commands and time statements, entry receipts and audit-log export chunks. The Lock owns
// one (for an administered lock) and hands it the bytes that arrive over BLE; decisions on
// tickets stay in the Lock, which gets the owner's configuration as a Policy through `publish`.
//
// Writes: provisioning writes the device key, then the owner record (its presence is what makes
// the lock provisioned, so a cut between the two leaves it unprovisioned); every other command
// writes the owner record once. NVS replaces a value atomically: after a power cut at any write
// the lock has the old configuration or the new one.

import type { Hardware, Hashes } from '../../hal/index.js';
import { toHex } from '../bytes.js';
import type { AuditLog } from '../lock/audit-log.js';
import { ownerPolicy, type Policy } from '../lock/policy.js';
import { KEY_DEVICE, KEY_OWNER } from '../lock/records.js';
import type { AdminReason } from '../reasons.js';
import { apply, authorise, provisioned, type Authorised } from './commands.js';
import { DeviceKey } from './device-key.js';
import { encodeForStorage, loadOwnerConfig, type OwnerConfig } from './owner-record.js';
import { deviceAnswerPayload, encodeAuditExport, logHeadMessage, receiptPayload, type Receipt } from './receipts.js';
import { checkTimeStatement } from './time-statement.js';

/** Entry bytes per export chunk: with the anchor, signature and lock ID it fits one BLE message. */
export const EXPORT_CHUNK_ENTRY_BYTES = 700;

export interface AdminAnswer {
  reason: AdminReason;
  detail: string;
  /** The command's sequence number when it was accepted, else 0. */
  seq: number;
  /** Provisioning: the signed device answer. read-log: the first export chunk. */
  data?: Uint8Array;
  /** A time statement's accepted time (the Lock sets the clock). */
  time?: number;
  /** read-log was accepted: this connection may read further chunks. */
  logAccess?: boolean;
}

type Record = (level: 'info' | 'warn' | 'alarm', event: string, detail: { [k: string]: string | number | boolean | undefined }) => number | undefined;

const answer = (reason: AdminReason, detail: string, seq = 0): AdminAnswer => ({ reason, detail, seq });

export class Administration {
  private config: OwnerConfig | undefined;
  private device: DeviceKey | undefined;
  /** Why the stored state is unusable (flash damage); the lock then opens for nobody until reset. */
  damaged: string | undefined;

  constructor(
    private readonly hw: Pick<Hardware, 'storage' | 'random'>,
    private readonly hashes: Hashes,
    private readonly audit: AuditLog,
    private readonly publish: (policy: Policy | undefined) => void,
    private readonly record: Record = () => undefined,
  ) {}

  /** Loads the owner record and device key; erases them first when a factory reset was asked for. */
  boot(factoryReset: boolean): void {
    if (factoryReset) this.erase();
    const loaded = loadOwnerConfig(this.hw.storage);
    this.config = undefined;
    this.damaged = undefined;
    if (loaded.state === 'provisioned') {
      this.device = DeviceKey.load(this.hw.storage, this.hashes.sha512);
      if (this.device === undefined) this.damaged = 'device key missing or unreadable';
      else this.config = loaded.config;
    } else if (loaded.state === 'damaged') {
      this.damaged = loaded.problem;
    }
    if (this.damaged !== undefined) this.record('alarm', 'owner-record-damaged', { problem: this.damaged });
    this.publish(this.config ? ownerPolicy(this.config) : undefined);
  }

  get provisioned(): boolean {
    return this.config !== undefined;
  }

  get devicePublicKey(): Uint8Array | undefined {
    return this.device?.publicKey;
  }

  /** The current owner configuration (read-only view for status and tests). */
  get current(): Readonly<OwnerConfig> | undefined {
    return this.config;
  }

  /** Factory reset: the owner record, the device key and the audit log go; the lock is new again. */
  private erase(): void {
    this.hw.storage.delete(KEY_OWNER);
    this.hw.storage.delete(KEY_DEVICE);
    this.audit.erase();
    this.config = undefined;
    this.device = undefined;
  }

  /** Decides on one admin command and applies it. Never throws. */
  command(bytes: Uint8Array, now: number): AdminAnswer {
    try {
      if (this.damaged !== undefined) return this.refused(answer('wrong-state', `stored state damaged (${this.damaged}): factory reset`));
      const authorised = authorise(bytes, this.config);
      if (!authorised.ok) return this.refused(answer(authorised.reason, authorised.detail));
      if (authorised.command.name === 'provision') return this.provision(authorised as Authorised & { command: { name: 'provision' } });
      const applied = apply(this.config as OwnerConfig, authorised, now, this.hashes.sha256);
      if (!applied.ok) return this.refused(answer(applied.reason, applied.detail));
      const value = encodeForStorage(this.hw.storage, applied.config);
      if (value === undefined) return this.refused(answer('store-full', 'the owner record would not fit one NVS value'));
      this.hw.storage.set(KEY_OWNER, value);
      // Only after the write landed does the lock act on the new configuration.
      this.config = applied.config;
      this.publish(ownerPolicy(applied.config));
      const name = authorised.command.name;
      this.record('info', 'admin', { command: name, seq: authorised.seq, by: toHex(authorised.signer.kid) });
      const result: AdminAnswer = answer('done', name, authorised.seq);
      if (authorised.command.name === 'read-log') {
        result.logAccess = true;
        const chunk = this.exportChunk(authorised.command.from);
        if (chunk !== undefined) result.data = chunk;
      }
      return result;
    } catch (error) {
      return answer('storage-fault', String((error as Error)?.message ?? error));
    }
  }

  private provision(a: Authorised & { command: { name: 'provision' } }): AdminAnswer {
    const created = provisioned(a);
    if (!created.ok) return this.refused(answer(created.reason, created.detail));
    const value = encodeForStorage(this.hw.storage, created.config);
    if (value === undefined) return this.refused(answer('store-full', 'the owner record would not fit one NVS value'));
    const device = DeviceKey.generate(this.hw.storage, this.hw.random, this.hashes.sha512);
    this.hw.storage.set(KEY_OWNER, value);
    this.device = device;
    this.config = created.config;
    this.publish(ownerPolicy(created.config));
    this.record('info', 'provisioned', { lock: created.config.lockId, owner: toHex(a.signer.kid), device: toHex(device.publicKey), seq: a.seq });
    const result = answer('done', 'provisioned', a.seq);
    result.data = device.statement('device', deviceAnswerPayload({ lockId: created.config.lockId, deviceKey: device.publicKey, ownerKey: a.command.ownerKey }));
    return result;
  }

  private refused(a: AdminAnswer): AdminAnswer {
    this.record('warn', 'admin-refused', { reason: a.reason, detail: a.detail });
    return a;
  }

  /** Checks a time statement (the Lock sets the clock when it is accepted). Never throws. */
  time(bytes: Uint8Array, challenge: Uint8Array, mark: number): AdminAnswer {
    try {
      const c = this.config;
      if (c === undefined) return this.refused(answer('wrong-state', 'not provisioned'));
      const signers = [...c.keys, ...c.issuers];
      const decided = checkTimeStatement(bytes, { lockId: c.lockId, challenge, mark, signers });
      if (!decided.ok) return this.refused(answer(decided.reason, decided.detail));
      const result = answer('done', 'time set', 0);
      result.time = decided.time;
      return result;
    } catch (error) {
      return answer('storage-fault', String((error as Error)?.message ?? error));
    }
  }

  /** A signed receipt for a grant, or undefined when the lock has no device key. */
  receipt(r: Receipt): Uint8Array | undefined {
    try {
      return this.device?.statement('receipt', receiptPayload(r));
    } catch {
      return undefined;
    }
  }

  /** One export chunk from seq `from`, signed over its last hash (encodeAuditExport). */
  exportChunk(from: number): Uint8Array | undefined {
    const c = this.config;
    const device = this.device;
    if (c === undefined || device === undefined) return undefined;
    const chunk = this.audit.read(Math.max(1, from), EXPORT_CHUNK_ENTRY_BYTES);
    const signature = device.sign(logHeadMessage(c.lockId, chunk.lastSeq, chunk.lastHash));
    return encodeAuditExport({ lockId: c.lockId, anchor: chunk.anchor, firstSeq: chunk.firstSeq, entries: chunk.entries, signature });
  }
}
