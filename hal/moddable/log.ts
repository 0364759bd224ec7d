// HAL Log: every entry goes to `trace` (the serial console on the device, stdout in the simulator)
// as one line, and into a small ring in RAM (the audit store until a flash-backed one and a way
// to read it out land with the administration work; it does not survive a reboot).

import type { Log, LogEntry } from 'latchkey';

/** Entries kept in RAM: enough for the last few presentations, ~100 bytes each. */
export const AUDIT_ENTRIES = 32;

export interface AuditLog extends Log {
  /** The last entries, oldest first. */
  entries(): LogEntry[];
}

export function formatEntry(entry: LogEntry): string {
  let line = `latchkey ${entry.at} ${entry.level} ${entry.event}`;
  for (const key of Object.keys(entry)) {
    if (key === 'at' || key === 'level' || key === 'event') continue;
    const value = entry[key];
    if (value !== undefined) line += ` ${key}=${value}`;
  }
  return line;
}

export function createLog(): AuditLog {
  const ring: LogEntry[] = [];
  return {
    record(entry: LogEntry) {
      trace(formatEntry(entry) + '\n');
      ring.push({ ...entry });
      if (ring.length > AUDIT_ENTRIES) ring.shift();
    },
    entries: () => ring.slice(),
  };
}
