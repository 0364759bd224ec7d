// How the core is bundled for XS: the firmware module (dist/device/latchkey.js, which
// manifest.json hands to a Moddable build), the XS test runs and the bench all use this.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

// Moddable's default "strip" removes `name` from built-in functions (XS Conformance, "strip").
// cbor-x derives DataView method names from TypedArray.name while it loads, so on the device it
// would throw before the firmware's main runs. This swaps that one expression for a lookup by
// identity, and fails the build if a cbor-x update ever moves it.
const CBORX_NAME_EXPRESSION = 'TypedArray.name.slice(0, -5)';
const TYPED_ARRAY_BASE_NAME = `
function latchkeyTypedArrayBaseName(T) {
  const known = [[Uint8Array, 'Uint8'], [Uint8ClampedArray, 'Uint8Clamped'], [Uint16Array, 'Uint16'],
    [Uint32Array, 'Uint32'], [Int8Array, 'Int8'], [Int16Array, 'Int16'], [Int32Array, 'Int32'],
    [Float32Array, 'Float32'], [Float64Array, 'Float64']];
  if (typeof BigUint64Array !== 'undefined') known.push([BigUint64Array, 'BigUint64'], [BigInt64Array, 'BigInt64']);
  for (const [constructor, name] of known) if (constructor === T) return name;
  return T.name.slice(0, -5); // cbor-x's own placeholder objects carry a name
}
`;

export const cborxWithoutBuiltinNames = {
  name: 'cbor-x-without-builtin-names',
  setup(b) {
    b.onLoad({ filter: /cbor-x[\\/]dist[\\/]index-no-eval\.cjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const found = source.split(CBORX_NAME_EXPRESSION).length - 1;
      if (found !== 1) throw new Error(`cbor-x: expected "${CBORX_NAME_EXPRESSION}" once in ${args.path}, found ${found}`);
      return { contents: source.replace(CBORX_NAME_EXPRESSION, 'latchkeyTypedArrayBaseName(TypedArray)') + TYPED_ARRAY_BASE_NAME, loader: 'js' };
    });
  },
};

// tweetnacl probes for Node's crypto module only to seed its PRNG; in XS there is none, and
// nothing bundled asks it for random bytes. Any other Node built-in fails the bundle.
export const nodeBuiltinsAbsent = {
  name: 'node-builtins-absent',
  setup(b) {
    b.onResolve({ filter: /^crypto$/ }, () => ({ path: 'crypto', namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
  },
};

/** esbuild options for XS code; callers add entry points and format. */
export const xsBuildOptions = {
  bundle: true,
  write: false,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  target: 'es2022',
  logLevel: 'error',
  plugins: [nodeBuiltinsAbsent, cborxWithoutBuiltinNames],
};

/** Builds the firmware module when run as a script (npm run build:device). */
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const root = new URL('..', import.meta.url).pathname;
  await build({ ...xsBuildOptions, write: true, entryPoints: [root + 'src/device.ts'], format: 'esm', outfile: root + 'dist/device/latchkey.js', logLevel: 'warning' });
}
