// The audit log: every grant, refusal, admin command, reboot, clock change and alarm, in a
// durable, bounded, hash-chained log. Entry n commits to entry n−1: hash_n = SHA-256(hash_{n−1} ‖
// entry_n bytes), hash_0 = 32 zero bytes. The log is a ring of NVS pages (lk.log.0 …); each page
// starts with the hash before its first entry, so when the oldest page is overwritten the rest
// still verifies from the oldest retained entry. An export is a run of entries, the hash before
// the first (the anchor) and the device key's signature over the last hash (src/admin/audit-export.ts).
//
// Flash: entries wait in RAM and are written in batches — at once for grants, admin commands,
// boots, clock changes and alarms (the caller says `urgent`), otherwise when BATCH entries wait or
// the caller's timer flushes. A flush rewrites the head page (one write), or two when it fills a
// page and starts the next. A power cut loses at most the entries not yet flushed; the chain on
// flash stays whole, since each page is replaced atomically.
//
// Page layout: u8 version | u32 first seq | 32-byte previous hash | n × (u16 length | entry CBOR)
// Entry: CBOR [seq, at, event, { detail }].

import type { HashFunction, Storage } from '../../hal/index.js';
import { concatBytes } from '../bytes.js';
import { encodeCbor } from '../cbor/encode.js';
import { KEY_LOG_PREFIX, RecordReader, RecordWriter } from './records.js';

const VERSION = 1;
const PAGE_HEADER_BYTES = 1 + 4 + 32;
export const HASH_BYTES = 32;
export const DEFAULT_LOG_PAGES = 6;
export const DEFAULT_LOG_PAGE_BYTES = 1500;
/** Non-urgent entries that may wait in RAM before a flush. */
export const BATCH = 8;
/** Longest text kept in an entry's detail. */
export const MAX_DETAIL_TEXT = 64;

export type AuditValue = string | number | boolean;
export interface AuditEntry {
  seq: number;
  at: number;
  event: string;
  detail: Record<string, AuditValue>;
}

export interface AuditLogOptions {
  pages: number;
  pageBytes: number;
}

interface Page {
  index: number;
  firstSeq: number;
  prevHash: Uint8Array;
  entries: Uint8Array[];
}

export function encodeAuditEntry(e: AuditEntry): Uint8Array {
  const detail = new Map<string, AuditValue>();
  for (const k of Object.keys(e.detail).sort()) {
    const v = e.detail[k];
    detail.set(k, typeof v === 'string' && v.length > MAX_DETAIL_TEXT ? v.slice(0, MAX_DETAIL_TEXT) : v);
  }
  return encodeCbor([e.seq, e.at, e.event, detail]);
}

export function chainHash(sha256: HashFunction, previous: Uint8Array, entry: Uint8Array): Uint8Array {
  return sha256(concatBytes(previous, entry));
}

export class AuditLog {
  private head: Page;
  private pending: Uint8Array[] = [];
  /** The seq the next entry gets. */
  private nextSeq = 1;
  /** Hash of the last entry appended (flushed or not). */
  private headHash: Uint8Array = new Uint8Array(HASH_BYTES);
  /** Pages found unreadable at load (flash damage); they are skipped and in time overwritten. */
  readonly damagedPages: number[] = [];
  /** Flash writes made (for the docs' writes-per-unlock figures and tests). */
  writes = 0;

  constructor(
    private readonly storage: Storage,
    private readonly sha256: HashFunction,
    readonly options: AuditLogOptions = { pages: DEFAULT_LOG_PAGES, pageBytes: DEFAULT_LOG_PAGE_BYTES },
  ) {
    const { pages, pageBytes } = options;
    if (!Number.isInteger(pages) || pages < 2 || pages > 64) throw new RangeError('audit log pages must be 2..64');
    if (!Number.isInteger(pageBytes) || pageBytes < 256 || pageBytes > storage.maxValueBytes)
      throw new RangeError(`audit log page bytes must be 256..${storage.maxValueBytes}`);
    if ((KEY_LOG_PREFIX + (pages - 1)).length > storage.maxKeyLength) throw new RangeError('audit log key too long');
    let newest: Page | undefined;
    for (let i = 0; i < pages; i++) {
      const page = this.readPage(i);
      if (page !== undefined && (newest === undefined || page.firstSeq > newest.firstSeq)) newest = page;
    }
    if (newest === undefined) {
      this.head = { index: 0, firstSeq: 1, prevHash: new Uint8Array(HASH_BYTES), entries: [] };
    } else {
      this.head = newest;
      let hash = newest.prevHash;
      for (const e of newest.entries) hash = chainHash(sha256, hash, e);
      this.headHash = hash;
      this.nextSeq = newest.firstSeq + newest.entries.length;
    }
  }

  private key(index: number): string {
    return KEY_LOG_PREFIX + index;
  }

  private readPage(index: number): Page | undefined {
    const bytes = this.storage.get(this.key(index));
    if (bytes === undefined) return undefined;
    const r = new RecordReader(bytes);
    const version = r.u8();
    const firstSeq = r.u32();
    const prevHash = r.raw(HASH_BYTES);
    const entries: Uint8Array[] = [];
    let at = PAGE_HEADER_BYTES;
    while (!r.corrupt && at < bytes.length) {
      const length = r.u16();
      entries.push(r.raw(length));
      at += 2 + length;
    }
    if (version !== VERSION || !r.complete() || firstSeq < 1) {
      this.damagedPages.push(index);
      return undefined;
    }
    return { index, firstSeq, prevHash, entries };
  }

  private pageSize(page: Page): number {
    return page.entries.reduce((n, e) => n + 2 + e.length, PAGE_HEADER_BYTES);
  }

  private writePage(page: Page): void {
    const w = new RecordWriter(this.pageSize(page)).u8(VERSION).u32(page.firstSeq).raw(page.prevHash);
    for (const e of page.entries) w.u16(e.length).raw(e);
    this.storage.set(this.key(page.index), w.done());
    this.writes++;
  }

  /** The seq of the last entry appended (0: none yet). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get lastHash(): Uint8Array {
    return this.headHash.slice();
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Appends an entry (in RAM); flushes when urgent or when a batch is waiting. Returns its seq. */
  append(at: number, event: string, detail: Record<string, AuditValue>, urgent: boolean): number {
    const seq = this.nextSeq;
    const bytes = encodeAuditEntry({ seq, at: Math.max(0, Math.min(Math.floor(at), 0xffffffff)), event, detail });
    if (PAGE_HEADER_BYTES + 2 + bytes.length > this.options.pageBytes) throw new RangeError('audit entry larger than a page');
    this.headHash = chainHash(this.sha256, this.headHash, bytes);
    this.nextSeq++;
    this.pending.push(bytes);
    if (urgent || this.pending.length >= BATCH) this.flush();
    return seq;
  }

  /** Writes waiting entries: the head page, and the next page when it fills. */
  flush(): void {
    while (this.pending.length > 0) {
      const head = this.head;
      const room = this.options.pageBytes - this.pageSize(head);
      let taken = 0;
      let used = 0;
      while (taken < this.pending.length && used + 2 + this.pending[taken].length <= room) used += 2 + this.pending[taken++].length;
      if (taken > 0) {
        const next: Page = { ...head, entries: [...head.entries, ...this.pending.slice(0, taken)] };
        this.writePage(next);
        this.head = next;
        this.pending = this.pending.slice(taken);
      }
      if (this.pending.length === 0) return;
      // The head page is full: the next one (the oldest, on wrap-around) starts after it.
      let hash = head.prevHash;
      for (const e of this.head.entries) hash = chainHash(this.sha256, hash, e);
      this.head = { index: (this.head.index + 1) % this.options.pages, firstSeq: this.head.firstSeq + this.head.entries.length, prevHash: hash, entries: [] };
    }
  }

  /** Every retained page, oldest first (flushing first, so an export includes everything). */
  private pagesInOrder(): Page[] {
    this.flush();
    const pages: Page[] = [];
    for (let i = 0; i < this.options.pages; i++) {
      const page = i === this.head.index ? this.head : this.readPage(i);
      if (page !== undefined && page.firstSeq <= this.head.firstSeq) pages.push(page);
    }
    return pages.sort((a, b) => a.firstSeq - b.firstSeq);
  }

  /**
   * Entries from `from` (or the oldest retained, if that is later) while they fit `maxBytes`,
   * with the anchor (hash before the first) and the hash after the last.
   */
  read(from: number, maxBytes: number): { anchor: Uint8Array; firstSeq: number; entries: Uint8Array[]; lastSeq: number; lastHash: Uint8Array; more: boolean } {
    const pages = this.pagesInOrder();
    // Only the contiguous run of pages ending at the head: a gap is a damaged page.
    let start = pages.length - 1;
    while (start > 0 && pages[start - 1].firstSeq + pages[start - 1].entries.length === pages[start].firstSeq) start--;
    const run = pages.slice(start);
    let hash = run.length > 0 ? run[0].prevHash : this.lastHash;
    let anchor = hash;
    let firstSeq = 0;
    const entries: Uint8Array[] = [];
    let used = 0;
    let more = false;
    outer: for (const page of run) {
      let seq = page.firstSeq;
      for (const e of page.entries) {
        if (seq >= from) {
          if (entries.length > 0 && used + e.length > maxBytes) {
            more = true;
            break outer;
          }
          if (entries.length === 0) {
            anchor = hash;
            firstSeq = seq;
          }
          entries.push(e);
          used += e.length;
        }
        hash = chainHash(this.sha256, hash, e);
        seq++;
      }
    }
    if (entries.length === 0)
      return { anchor: this.lastHash, firstSeq: this.lastSeq + 1, entries: [], lastSeq: this.lastSeq, lastHash: this.lastHash, more: false };
    return { anchor, firstSeq, entries, lastSeq: firstSeq + entries.length - 1, lastHash: hash, more };
  }

  /** Forgets everything (factory reset). */
  erase(): void {
    for (let i = 0; i < this.options.pages; i++) this.storage.delete(this.key(i));
    this.pending = [];
    this.head = { index: 0, firstSeq: 1, prevHash: new Uint8Array(HASH_BYTES), entries: [] };
    this.nextSeq = 1;
    this.headHash = new Uint8Array(HASH_BYTES);
  }
}
