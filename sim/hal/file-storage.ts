// Storage on the host's disk for the simulator CLI: one file per key in a directory, atomic replace
// by temp file + fsync + rename. NODE ONLY (node:fs): not exported from sim/hal/index.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { NVS_MAX_KEY_LENGTH, NVS_MAX_VALUE_BYTES, type Storage } from '../../hal/index.js';
import { checkKey, checkValue, StorageLimitError } from './memory-storage.js';
import { PowerCutInjector, type CutPoint } from './power-cut.js';

const KEY_CHARS = /^[A-Za-z0-9_.-]+$/;
const TMP = '.tmp';

/**
 * Checks a key for FileStorage: the NVS limits, then only [A-Za-z0-9_.-], not "." or "..", and not
 * ending in ".tmp" (reserved for temp files). Throws StorageLimitError.
 */
export function checkFileKey(key: string): void {
  checkKey(key);
  if (!KEY_CHARS.test(key)) throw new StorageLimitError(`storage key "${key}": FileStorage allows only [A-Za-z0-9_.-]`);
  if (key === '.' || key === '..' || key.endsWith(TMP)) throw new StorageLimitError(`storage key "${key}" is reserved in FileStorage`);
}

/**
 * The file name of a key: the key itself, except that each capital letter gets a '^' in front
 * ("lastSeen" → "last^Seen"), so keys differing only in case stay apart on case-insensitive disks
 * (macOS, Windows). Lower-case keys are their own file names.
 */
export function keyToFileName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '^' + c);
}

function fileNameToKey(name: string): string | undefined {
  if (name.endsWith(TMP)) return undefined;
  const key = name.replace(/\^([A-Z])/g, '$1');
  if (keyToFileName(key) !== name) return undefined;
  try {
    checkFileKey(key);
  } catch {
    return undefined;
  }
  return key;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/**
 * NVS on disk. `set` writes `<file>.tmp`, fsyncs it, renames it over `<file>` and fsyncs the
 * directory (where the platform allows), so a key always holds its old or its new value. Opening
 * (and powerOn()) deletes leftover `*.tmp` files: a write cut in the middle.
 *
 * Same limits, counters and power-cut injection as MemoryStorage, plus the cut point 'during': the
 * temp file is left half written and the key's file untouched. A delete is a single unlink, so
 * 'during' a delete behaves as 'before'.
 */
export class FileStorage implements Storage {
  readonly maxKeyLength = NVS_MAX_KEY_LENGTH;
  readonly maxValueBytes = NVS_MAX_VALUE_BYTES;
  writes = 0;
  bytesWritten = 0;
  readonly power = new PowerCutInjector(['before', 'during', 'after']);
  /** Temp files deleted by the last start-up cleanup (constructor or powerOn()). */
  removedTempFiles: string[] = [];
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    fs.mkdirSync(this.dir, { recursive: true });
    this.cleanUp();
  }

  get(key: string): Uint8Array | undefined {
    this.power.assertOn();
    checkFileKey(key);
    return this.read(key);
  }

  set(key: string, value: Uint8Array): void {
    this.power.assertOn();
    checkFileKey(key);
    checkValue(key, value);
    const bytes = new Uint8Array(value); // a copy, taken now
    const cut = this.power.nextWrite();
    if (cut === 'before') this.power.trip(cut, key);
    const file = this.file(key);
    const tmp = file + TMP;
    if (cut === 'during') {
      const half = Math.floor(bytes.length / 2);
      fs.writeFileSync(tmp, bytes.subarray(0, half));
      this.bytesWritten += half;
      this.power.trip(cut, key);
    }
    const fd = fs.openSync(tmp, 'w');
    try {
      let offset = 0;
      while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    this.syncDir();
    this.writes++;
    this.bytesWritten += bytes.length;
    if (cut !== undefined) this.power.trip(cut, key);
  }

  delete(key: string): void {
    this.power.assertOn();
    checkFileKey(key);
    const cut = this.power.nextWrite();
    if (cut === 'before' || cut === 'during') this.power.trip(cut, key);
    try {
      fs.unlinkSync(this.file(key));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    this.syncDir();
    this.writes++;
    if (cut !== undefined) this.power.trip(cut, key);
  }

  /** Arms a power cut at the n-th write (set or delete) from now, 1-based. */
  cutAtWrite(n: number, when: CutPoint): void {
    this.power.cutAtWrite(n, when);
  }

  /** Power back on after a cut: like a boot, deletes leftover temp files. */
  powerOn(): void {
    this.power.powerOn();
    this.cleanUp();
  }

  /** Whether the power is off (after a cut, until powerOn()). */
  get off(): boolean {
    return this.power.off;
  }

  /** Inspection (ignores power): the keys stored, sorted. */
  keys(): string[] {
    const keys: string[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const key = fileNameToKey(name);
      if (key !== undefined && fs.statSync(path.join(this.dir, name)).isFile()) keys.push(key);
    }
    return keys.sort();
  }

  /** Inspection (ignores power): one value. */
  peek(key: string): Uint8Array | undefined {
    checkFileKey(key);
    return this.read(key);
  }

  /** The path of a key's file. */
  file(key: string): string {
    return path.join(this.dir, keyToFileName(key));
  }

  private read(key: string): Uint8Array | undefined {
    try {
      return new Uint8Array(fs.readFileSync(this.file(key)));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  private cleanUp(): void {
    this.removedTempFiles = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith(TMP)) continue;
      fs.rmSync(path.join(this.dir, name), { force: true });
      this.removedTempFiles.push(name);
    }
    if (this.removedTempFiles.length > 0) this.syncDir();
  }

  /** fsync the directory so a rename or unlink is durable; not possible on every platform (Windows). */
  private syncDir(): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.dir, 'r');
      fs.fsyncSync(fd);
    } catch {
      // EISDIR / EPERM / EINVAL on platforms that cannot fsync a directory: nothing more to do.
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
}
