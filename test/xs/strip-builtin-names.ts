// Mimics the Moddable SDK's default "strip" (manifest_base.json "strip": "*"): built-in
// functions lose their `name` (XS Conformance). Imported before the core, so the core loads in
// the same conditions as on a device. On the real SDK `Uint8Array.name` reads undefined.
const constructors: unknown[] = [
  Object,
  Function,
  Array,
  Map,
  Set,
  WeakMap,
  Promise,
  Error,
  TypeError,
  RangeError,
  DataView,
  ArrayBuffer,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  BigInt,
  Number,
  String,
  Symbol,
  Date,
  RegExp,
];
for (const c of constructors) Object.defineProperty(c, 'name', { value: undefined, configurable: true });
if ((Uint8Array as { name?: unknown }).name !== undefined) throw new Error('could not strip built-in names');
