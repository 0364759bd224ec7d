// A simulated owner's phone: carries signed admin commands, time statements and audit-log reads
// to the lock over the virtual BLE link and brings the lock's signed answers back. It holds no key:
// the commands are built by the owner's side (issuer/admin.ts) — for a time statement or a
// read-log, from the challenge the lock just sent. Portable: runs inside XS in the tests.

import { adminReasonName, decodeAdminResult, decodeSigned, encodeLogRead, encodeSigned } from '../src/ble/admin-messages.js';
import { Reassembler, frameErrorName, splitMessage } from '../src/ble/framing.js';
import { MESSAGE_TYPES, decodeChallenge, decodeError } from '../src/ble/messages.js';
import { decodeAuditExport, type AuditExport } from '../src/admin/receipts.js';
import type { SimBleCentral } from './hal/ble-link.js';
import type { SimTime } from './hal/time.js';

export interface AdminOutcome {
  /** 'done', an admin reason, or 'error:<protocol error>' / 'timeout' / 'disconnected'. */
  result: string;
  seq: number;
  /** ADMIN_RESULT data (provisioning answer, first log chunk), when any. */
  data?: Uint8Array;
}

/** What the owner's side makes from the lock's CHALLENGE: the message to send. */
export type Build = (challenge: Uint8Array, lockId: string) => { type: number; signed: Uint8Array };

export class OwnerPhone {
  onStep: (text: string) => void = () => {};

  constructor(
    private readonly central: SimBleCentral,
    private readonly time: SimTime,
  ) {}

  /** Sends one signed admin command (fixed bytes, or built from the challenge). */
  admin(command: Uint8Array | ((challenge: Uint8Array, lockId: string) => Uint8Array), mtu = 185): AdminOutcome {
    return this.converse(mtu, (c, id) => ({ type: MESSAGE_TYPES.ADMIN, signed: command instanceof Uint8Array ? command : command(c, id) })).outcome;
  }

  /** Sends a time statement built for this connection's challenge. */
  setTime(statement: (challenge: Uint8Array, lockId: string) => Uint8Array, mtu = 185): AdminOutcome {
    return this.converse(mtu, (c, id) => ({ type: MESSAGE_TYPES.TIME, signed: statement(c, id) })).outcome;
  }

  /** Sends a read-log command, then LOG_READs until a chunk comes back empty. */
  exportLog(readLog: Uint8Array, mtu = 185): { outcome: AdminOutcome; chunks: AuditExport[] } {
    return this.converse(mtu, () => ({ type: MESSAGE_TYPES.ADMIN, signed: readLog }), true);
  }

  private converse(mtu: number, build: Build, readLog = false): { outcome: AdminOutcome; chunks: AuditExport[] } {
    const reassembler = new Reassembler();
    const chunks: AuditExport[] = [];
    let outcome: AdminOutcome | undefined;
    let done = false;
    const write = (type: number, body: Uint8Array) => {
      for (const f of splitMessage(type, body, this.central.mtu)) this.central.write(f);
    };
    const nextChunk = (bytes: Uint8Array): void => {
      const chunk = decodeAuditExport(bytes);
      if (!chunk.ok) {
        outcome = { result: 'error:bad-log-chunk', seq: 0 };
        done = true;
        return;
      }
      if (chunk.value.entries.length === 0) {
        done = true;
        return;
      }
      chunks.push(chunk.value);
      write(MESSAGE_TYPES.LOG_READ, encodeLogRead(chunk.value.firstSeq + chunk.value.entries.length));
    };
    const stopNotify = this.central.onNotify((value) => {
      const event = reassembler.push(value, this.time.elapsed());
      if (event.kind !== 'message') return;
      if (event.type === MESSAGE_TYPES.CHALLENGE) {
        const c = decodeChallenge(event.body);
        if (!c.ok) {
          outcome = { result: 'error:bad-challenge', seq: 0 };
          done = true;
          return;
        }
        const { type, signed } = build(c.value.challenge, c.value.lockId);
        this.onStep(`owner's phone: sending ${type === MESSAGE_TYPES.TIME ? 'a time statement' : 'an admin command'} (${signed.length} bytes)`);
        write(type, encodeSigned(signed));
      } else if (event.type === MESSAGE_TYPES.ADMIN_RESULT) {
        const r = decodeAdminResult(event.body);
        if (!r.ok) {
          outcome = { result: 'error:bad-admin-result', seq: 0 };
          done = true;
          return;
        }
        outcome = { result: adminReasonName(r.value.code) ?? `code ${r.value.code}`, seq: r.value.seq };
        if (r.value.data.length > 0) outcome.data = r.value.data;
        if (readLog && outcome.result === 'done' && outcome.data) nextChunk(outcome.data);
        else done = true;
      } else if (event.type === MESSAGE_TYPES.LOG) {
        const body = decodeSigned(event.body);
        if (body.ok) nextChunk(body.value.bytes);
        else done = true;
      } else if (event.type === MESSAGE_TYPES.ERROR) {
        const e = decodeError(event.body);
        outcome = { result: `error:${e.ok ? (frameErrorName(e.value.code) ?? e.value.code) : 'bad-error'}`, seq: 0 };
        done = true;
      }
    });
    const stopDisconnect = this.central.onDisconnect(() => {
      outcome ??= { result: 'disconnected', seq: 0 };
      done = true;
    });
    const deadline = this.time.elapsed() + 10_000;
    this.central.connect(mtu);
    this.central.subscribe();
    while (!done && this.time.elapsed() < deadline) if (!this.time.next()) break;
    stopNotify();
    stopDisconnect();
    if (this.central.connected) this.central.disconnect();
    return { outcome: outcome ?? { result: 'timeout', seq: 0 }, chunks };
  }
}
