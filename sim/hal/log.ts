// The audit log in memory, for the simulator and the tests. Portable.

import type { Log, LogEntry, LogLevel } from '../../hal/index.js';

/** Keeps every entry (a shallow copy, in order) and optionally passes each to a listener. */
export class MemoryLog implements Log {
  readonly entries: LogEntry[] = [];

  constructor(public listener?: (entry: LogEntry) => void) {}

  record(entry: LogEntry): void {
    const copy: LogEntry = { ...entry };
    this.entries.push(copy);
    if (this.listener !== undefined) this.listener(copy);
  }

  /** The event names, in order. */
  events(): string[] {
    return this.entries.map((e) => e.event);
  }

  /** The entries with this event name (and, if given, this level). */
  find(event: string, level?: LogLevel): LogEntry[] {
    return this.entries.filter((e) => e.event === event && (level === undefined || e.level === level));
  }

  /** The last entry, if any. */
  last(): LogEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
