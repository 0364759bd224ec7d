// The lock's audit log as stored in its flash right now, for people watching the simulator (the
// web page's audit panel): seq, time, event and details of every entry the lock has written, and
// how many it still holds in RAM before the next flush. It reads the lock's own AuditLog (no copy
// of the format) and decodes each stored entry with the strict CBOR decoder; the signed, verified
// export is what the owner's phone reads (exportLog). Portable.

import { decodeStrict } from '../src/cbor/decode.js';
import type { Lock } from '../src/lock/lock.js';

export interface AuditViewEntry {
  seq: number;
  /** Lock time, unix seconds. */
  at: number;
  event: string;
  detail: Record<string, string | number | boolean>;
}

export interface AuditView {
  /** False for a lock without an audit log (a fixed, non-administered lock). */
  present: boolean;
  entries: AuditViewEntry[];
  /** Entries made but not yet written to flash (written within a minute, or at once when urgent). */
  pending: number;
  /** Set when the flash could not be read (the power is off). */
  unreadable?: string;
}

/** Reads the audit log from the lock's flash (no writes). At most `max` newest entries. */
export function readAuditLog(lock: Lock, max = 500): AuditView {
  const audit = lock.audit;
  if (audit === undefined) return { present: false, entries: [], pending: 0 };
  let chunk: ReturnType<typeof audit.read>;
  try {
    chunk = audit.read(Math.max(1, audit.lastSeq - audit.pendingCount - max + 1), Number.MAX_SAFE_INTEGER);
  } catch (error) {
    return { present: true, entries: [], pending: audit.pendingCount, unreadable: String((error as Error)?.message ?? error) };
  }
  const entries: AuditViewEntry[] = [];
  chunk.entries.forEach((bytes, i) => {
    const d = decodeStrict(bytes);
    const v = d.ok ? d.value : undefined;
    if (!Array.isArray(v) || v.length !== 4 || typeof v[0] !== 'number' || typeof v[1] !== 'number' || typeof v[2] !== 'string' || !(v[3] instanceof Map)) {
      entries.push({ seq: chunk.firstSeq + i, at: 0, event: '(undecodable entry)', detail: {} });
      return;
    }
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, val] of v[3] as Map<unknown, unknown>) {
      if (typeof k === 'string' && (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean')) detail[k] = val;
    }
    entries.push({ seq: v[0], at: v[1], event: v[2], detail });
  });
  return { present: true, entries, pending: audit.pendingCount };
}
