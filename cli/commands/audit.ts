// latchkey audit verify: checks an audit-log export (its hash chain from the oldest entry and the
// device key's signature over its head) and entry receipts against a lock's device public key,
// and prints what they say. Exit 0 when everything verifies, 1 when something does not.

import { decodeAuditExport, joinAuditExports, verifyAuditExport, verifyDeviceAnswer, verifyReceipt, type AuditExport } from '../../issuer/admin.js';
import { isoTime } from '../../issuer/time.js';
import { fromHex, toHex } from '../../src/index.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { parseCommand } from '../args.js';
import { INPUT_LIMITS, readInput, ticketFromText } from '../input.js';
import { CliError, showText, stdout } from '../output.js';

export const usage = `latchkey audit verify --device KEY [--log FILE]... [--receipt FILE]... [--json]
    Verify an exported audit log (hex or binary; several chunks, one per --log or one hex
    chunk per line, are joined in order) and entry receipts against the lock's device key,
    and print the entries. KEY: 64 hex digits, or a file holding them or the lock's
    provisioning answer. Exit 0 all verified, 1 something did not verify.`;

const sha256 = portableHashes().sha256;

function bytesFrom(path: string, what: string): Uint8Array[] {
  const raw = readInput(path, `${what} ${path}`, INPUT_LIMITS.scenario);
  if (raw.length === 0) throw new CliError(`${what} ${path}: empty`);
  if (!raw.every((b) => b < 0x80)) return [new Uint8Array(raw)];
  return raw
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((l) => ticketFromText(l, `${what} ${path}`));
}

function deviceKey(text: string): Uint8Array {
  const direct = /^(0x)?[0-9a-fA-F]{64}$/.test(text) ? fromHex(text.replace(/^0x/i, '')) : undefined;
  if (direct) return direct;
  const [bytes] = bytesFrom(text, 'device key');
  if (bytes.length === 32) return bytes;
  const answer = verifyDeviceAnswer(bytes);
  if (!answer.ok) throw new CliError(`audit verify: --device ${text} is neither a device key nor a provisioning answer (${answer.error})`);
  return answer.value.deviceKey;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify')
    throw new CliError(`audit: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`} (audit verify; see latchkey audit --help)`);
  const { values } = parseCommand(
    'audit verify',
    rest,
    {
      device: { type: 'string' },
      log: { type: 'string', multiple: true },
      receipt: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    0,
  );
  if (typeof values.device !== 'string') throw new CliError('audit verify: missing --device KEY (see latchkey audit --help)');
  const logs = (values.log ?? []) as string[];
  const receipts = (values.receipt ?? []) as string[];
  if (logs.length === 0 && receipts.length === 0) throw new CliError('audit verify: give --log FILE and/or --receipt FILE');
  const key = deviceKey(values.device);
  const report: { verified: boolean; log?: unknown; receipts: unknown[] } = { verified: true, receipts: [] };
  const lines: string[] = [];
  if (logs.length > 0) {
    const parts: AuditExport[] = [];
    for (const path of logs) {
      for (const bytes of bytesFrom(path, 'log')) {
        const part = decodeAuditExport(bytes);
        if (!part.ok) throw new CliError(`audit verify: log ${path}: ${part.error}`);
        parts.push(part.value);
      }
    }
    const joined = joinAuditExports(parts, sha256);
    const verified = joined.ok ? verifyAuditExport(joined.value, key, sha256) : joined;
    if (!verified.ok) {
      report.verified = false;
      report.log = { verified: false, error: verified.error };
      lines.push(`log: NOT VERIFIED: ${verified.error}`);
    } else if (joined.ok) {
      const e = joined.value;
      report.log = { verified: true, lockId: e.lockId, firstSeq: e.firstSeq, head: toHex(verified.value.lastHash), entries: verified.value.entries };
      lines.push(
        `log of ${showText(e.lockId)}: ${e.entries.length} entries, seq ${e.firstSeq}..${e.firstSeq + e.entries.length - 1}, verified (chain head ${toHex(verified.value.lastHash)})`,
      );
      for (const entry of verified.value.entries) {
        const detail = Object.entries(entry.detail)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? showText(v) : v}`)
          .join(' ');
        lines.push(`  #${entry.seq} ${isoTime(entry.at)} ${entry.event}${detail ? ' ' + detail : ''}`);
      }
    }
  }
  for (const path of receipts) {
    for (const bytes of bytesFrom(path, 'receipt')) {
      const r = verifyReceipt(bytes, key);
      if (!r.ok) {
        report.verified = false;
        report.receipts.push({ file: path, verified: false, error: r.error });
        lines.push(`receipt ${path}: NOT VERIFIED: ${r.error}`);
      } else {
        const v = r.value;
        report.receipts.push({
          file: path,
          verified: true,
          lockId: v.lockId,
          time: v.time,
          cti: toHex(v.cti),
          courier: v.sub,
          issuerKid: toHex(v.issuerKid),
          result: v.result,
          logSeq: v.logSeq,
        });
        lines.push(
          `receipt ${path}: verified: ${v.result} at ${showText(v.lockId)} ${isoTime(v.time)}, courier ${showText(v.sub)}, ticket ${toHex(v.cti)}, log #${v.logSeq}`,
        );
      }
    }
  }
  stdout(values.json ? JSON.stringify(report) + '\n' : lines.join('\n') + '\n');
  return report.verified ? 0 : 1;
}
