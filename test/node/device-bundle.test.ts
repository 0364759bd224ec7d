// The firmware bundles (dist/device/latchkey.js and, for the simulator build, latchkey-sim.js,
// made by `npm run build`) are what the manifests hand to the Moddable build: they must need no
// compiler and no Node module on the device.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';
import { toHex } from '../../src/bytes.js';
import { LOCK_ID, NOW, TRUSTED, ticket } from '../portable/fixtures.js';

/** As test/xs/strip-builtin-names.ts: what the SDK's default "strip" does to built-in functions. */
const STRIP_BUILTIN_NAMES = `
for (const c of [Object, Function, Array, Map, Set, WeakMap, Promise, Error, TypeError, RangeError, DataView, ArrayBuffer,
  Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array,
  BigInt64Array, BigUint64Array, BigInt, Number, String, Symbol, Date, RegExp]) Object.defineProperty(c, 'name', { value: undefined, configurable: true });
`;

/** The ESM bundle as a script whose value is its exports (vm modules need a Node flag). */
function asScript(esm: string): string {
  const match = /\nexport \{([^}]*)\};/.exec(esm);
  if (match === null) throw new Error('no export list in the bundle');
  const names = match[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [local, exported] = s.split(/\s+as\s+/);
      return `${JSON.stringify(exported ?? local)}: ${local}`;
    });
  return `(() => {\n${esm.slice(0, match.index)}\nreturn { ${names.join(', ')} };\n})()`;
}

const FIXTURE = { ticket: toHex(ticket()), lockId: LOCK_ID, now: NOW, issuers: TRUSTED.map((i) => ({ kid: toHex(i.kid), publicKey: toHex(i.publicKey) })) };
const VERIFY_IN_REALM = `(() => {
  const issuers = fixture.issuers.map((i) => ({ kid: core.fromHex(i.kid), publicKey: core.fromHex(i.publicKey) }));
  const t = core.fromHex(fixture.ticket);
  const good = core.verifyTicket(t, { lockId: fixture.lockId, issuers, now: fixture.now });
  const wrong = core.verifyTicket(t, { lockId: 'lock:elsewhere', issuers, now: fixture.now });
  return { granted: good.granted, wrongLock: wrong.reason };
})()`;

const bundlePath = fileURLToPath(new URL('../../device/latchkey.js', import.meta.url));
const simBundlePath = fileURLToPath(new URL('../../device/latchkey-sim.js', import.meta.url));
const manifestPath = fileURLToPath(new URL('../../../manifest.json', import.meta.url));
const moduleManifestPath = fileURLToPath(new URL('../../../manifest_module.json', import.meta.url));

describe('device bundle', () => {
  const code = readFileSync(bundlePath, 'utf8');

  // Both firmware bundles: the core (every build) and the simulator parts (lin builds).
  const bundles = [bundlePath, simBundlePath].map((path) => ({ path, code: readFileSync(path, 'utf8') }));

  it('generates no code at run time (no eval, no new Function)', () => {
    for (const b of bundles) {
      expect(b.code, b.path).not.to.match(/\bnew Function\b/);
      expect(b.code, b.path).not.to.match(/(^|[^\w$.])eval\s*\(/m);
    }
  });

  it('imports nothing: no Node built-ins, no packages left unresolved', () => {
    for (const b of bundles) {
      expect(b.code, b.path).not.to.match(/^\s*import\s/m);
      expect(b.code, b.path).not.to.match(/\brequire\(\s*["']/);
      expect(b.code, b.path).not.to.match(/["']node:/);
    }
  });

  it('uses Buffer nowhere but in cbor-x paths the core never reaches', () => {
    // esbuild marks each bundled module with a "// path" line. cbor-x's no-eval build still names
    // Buffer when joining indefinite-length byte strings (refused by src/cbor/wellformed.ts before
    // cbor-x sees them) and in its stream classes (never imported by the core).
    let module = '';
    const sites: string[] = [];
    for (const line of code.split('\n')) {
      // Paths are relative to the build's folder; node_modules may be a link elsewhere (worktrees).
      const marker = /^\/\/ (?:\.\.\/)*(?:[\w.-]+\/)*?((?:src|node_modules)\/\S+)$/.exec(line);
      if (marker) module = marker[1];
      else if (/(^|[^\w$.])Buffer\./.test(line)) sites.push(module);
    }
    expect(sites.length).to.be.greaterThan(0); // the scan does see them
    expect(sites.filter((m) => !m.startsWith('node_modules/cbor-x/'))).to.deep.equal([]);
  });

  it('exports what the firmware needs', async () => {
    const mod = await import(bundlePath);
    for (const name of ['startLatchkey', 'AtomicStorage', 'hashesSelfTest', 'Lock', 'PresentationService', 'verifyTicket', 'ed25519SelfTest', 'SERVICE_UUID']) {
      expect(mod, name).to.have.property(name);
    }
    expect(mod.ed25519SelfTest()).to.equal(true);
  });

  it('is the module manifest_module.json declares (included by the app manifest), with the GATT services', () => {
    const manifest = JSON.parse(readFileSync(moduleManifestPath, 'utf8'));
    expect(JSON.parse(readFileSync(manifestPath, 'utf8')).include).to.include('./manifest_module.json');
    expect(manifest.modules.latchkey).to.equal('./dist/device/latchkey');
    expect(manifest.ble['*']).to.deep.equal(['./bleservices/*']);
  });

  it('survives the Moddable SDK build: loads and verifies with built-in names stripped and no host globals', () => {
    // The very file manifest.json hands to the SDK, in a fresh realm set up as the SDK's default
    // "strip" leaves XS (built-in functions without `name`) and without Node's Buffer or
    // TextEncoder. cbor-x reads TypedArray.name while loading: without tools/device-build.js's
    // patch this throws before any export is reached.
    const realm = vm.createContext({});
    vm.runInContext(STRIP_BUILTIN_NAMES, realm);
    expect(vm.runInContext('Uint8Array.name', realm)).to.equal(undefined);
    const core = vm.runInContext(asScript(code), realm) as Record<string, (...args: unknown[]) => unknown>;
    expect(core.ed25519SelfTest()).to.equal(true);
    // A ticket built and verified entirely inside that realm: the example of docs/ticket.md's shape.
    const granted = vm.runInContext(VERIFY_IN_REALM, Object.assign(realm, { core, fixture: FIXTURE })) as { granted: boolean; wrongLock?: string };
    expect(granted).to.deep.equal({ granted: true, wrongLock: 'wrong-lock' });
    // The stack: loading the single module needs about 600 slots on Moddable's XS (measured with
    // the SDK's lin build); the stacks the SDK's ESP32 targets set (384 or 512, docs/hal.md) overflow.
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(manifest.creation.stack).to.be.at.least(640);
  });
});
