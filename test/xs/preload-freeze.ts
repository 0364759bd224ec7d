// The XS side of test/xs/preload.js: freezes what a Moddable preload would put in flash and, at
// the end of the run, checks that no typed array or buffer created at module load was written.

type Root = [label: string, get: () => unknown, set?: (value: unknown) => void];

interface Fingerprint {
  label: string;
  bytes: Uint8Array;
  copy: Uint8Array;
}

const fingerprints: Fingerprint[] = [];
const problems: string[] = [];
/** Typed arrays in "flash" that the code tried to write (the writes were dropped). */
const written = new Set<string>();
let frozenObjects = 0;
let readOnlyViews = 0;

const MUTATORS = new Set<PropertyKey>(['set', 'fill', 'copyWithin', 'reverse', 'sort']);

/** A typed array as flash holds it: reads work, writes are dropped (and recorded). */
function readOnlyView(label: string, target: ArrayBufferView): unknown {
  readOnlyViews++;
  return new Proxy(target, {
    set(_t, key) {
      written.add(`${label}[${String(key)}]`);
      return true;
    },
    defineProperty(_t, key) {
      written.add(`${label}[${String(key)}]`);
      return true;
    },
    get(t, key) {
      if (MUTATORS.has(key)) {
        return () => {
          written.add(`${label}.${String(key)}()`);
        };
      }
      const v = Reflect.get(t, key, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

/** Built-in objects (not the device code's): XS freezes those itself when it preloads. */
function intrinsics(): Set<unknown> {
  const set = new Set<unknown>([globalThis]);
  const add = (v: unknown) => {
    if ((typeof v === 'object' || typeof v === 'function') && v !== null && !set.has(v)) {
      set.add(v);
      const proto = (v as { prototype?: unknown }).prototype;
      if (proto !== undefined) add(proto);
      add(Object.getPrototypeOf(v));
    }
  };
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    if (d && 'value' in d) add(d.value);
  }
  add(Object.getPrototypeOf(Uint8Array));
  add(Object.getPrototypeOf([][Symbol.iterator]()));
  add(Object.getPrototypeOf(new Map().entries()));
  add(Object.getPrototypeOf(new Set().values()));
  add(Object.getPrototypeOf(''[Symbol.iterator]()));
  add(Object.getPrototypeOf(function* () {}));
  add(Object.getPrototypeOf(async function () {}));
  return set;
}

function fingerprint(label: string, buffer: ArrayBufferLike, offset: number, length: number): void {
  const bytes = new Uint8Array(buffer, offset, length);
  fingerprints.push({ label, bytes, copy: bytes.slice() });
}

function freezeDeep(value: unknown, label: string, seen: Set<unknown>, skip: Set<unknown>): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
  if (seen.has(value) || skip.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return fingerprint(label, value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return fingerprint(label, value, 0, value.byteLength);
  if (Array.isArray(value) && value.some((v) => typeof v === 'bigint')) {
    problems.push(`${label}: an array holding BigInts (the SDK 8.2.3 linker crashes preloading it; keep BigInts in named properties or out of module scope)`);
  }
  // Typed arrays held in properties become read-only stand-ins before the holder is frozen.
  for (const key of Reflect.ownKeys(value as object)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && 'value' in d && ArrayBuffer.isView(d.value) && !(d.value instanceof DataView) && d.writable && d.configurable && !skip.has(d.value)) {
      seen.add(d.value);
      Object.defineProperty(value, key, { value: readOnlyView(`${label}.${String(key)}`, d.value) });
    }
  }
  try {
    Object.freeze(value);
    frozenObjects++;
  } catch (error) {
    problems.push(`${label}: cannot be frozen (${String(error)})`);
  }
  for (const key of Reflect.ownKeys(value as object)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d === undefined) continue;
    const sub = `${label}.${String(key)}`;
    if ('value' in d) freezeDeep(d.value, sub, seen, skip);
    else {
      freezeDeep(d.get, sub, seen, skip);
      freezeDeep(d.set, sub, seen, skip);
    }
  }
  freezeDeep(Object.getPrototypeOf(value), `${label}.[[Prototype]]`, seen, skip);
}

/** Called by the bundle (test/xs/preload.js) after every module ran, before any check. */
(globalThis as Record<string, unknown>).latchkeyPreload = (roots: Root[]) => {
  const skip = intrinsics();
  const seen = new Set<unknown>();
  for (const [label, get, set] of roots) {
    let value: unknown;
    try {
      value = get();
    } catch {
      continue; // a binding never initialised
    }
    if (set !== undefined && ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      seen.add(value);
      set(readOnlyView(label, value));
    } else freezeDeep(value, label, seen, skip);
  }
};

/** Registers the closing checks; call after importing the suites. */
export function preloadChecks(): void {
  describe('device code loaded as a preload', () => {
    it('froze the module-level objects (a write to one throws), and found no BigInt in an array', () => {
      if (frozenObjects === 0 || readOnlyViews + fingerprints.length === 0) throw new Error('nothing was frozen: the preload step did not run');
      if (problems.length > 0) throw new Error(problems.join('; '));
    });
    it('no typed array or buffer created at module load was written afterwards (in flash it could not be)', () => {
      if (written.size > 0)
        throw new Error(
          `written after load (dropped, as flash would): ${[...written].slice(0, 8).join(', ')}${written.size > 8 ? ` and ${written.size - 8} more` : ''}`,
        );
      const changed = fingerprints.filter((f) => f.bytes.some((b, i) => b !== f.copy[i])).map((f) => f.label);
      if (changed.length > 0) throw new Error(`written after load: ${changed.join(', ')}`);
    });
  });
}
