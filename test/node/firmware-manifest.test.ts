// The firmware manifests, checked without the Moddable SDK (CI cannot install it): valid JSON,
// every path they name exists, every HAL interface has a Moddable implementation wired by
// createHardware, every config key is read by hal/moddable and documented, and the memory
// budget is the ESP32 board default. A real build (mcconfig) is described in docs/firmware.md.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Manifest {
  include?: string | string[];
  modules?: Record<string, string | string[]>;
  preload?: string[];
  config?: Record<string, unknown>;
  creation?: { chunk?: { initial: number; incremental: number }; heap?: { initial: number; incremental: number }; stack?: number };
  platforms?: Record<string, Manifest & { error?: string }>;
  ble?: Record<string, string[]>;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const load = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** The project's own manifests reachable from manifest.json (SDK ones are $(...) paths), by file. */
function projectManifests(): Map<string, Manifest> {
  const found = new Map<string, Manifest>();
  const visit = (path: string) => {
    if (found.has(path)) return;
    const manifest = load(path);
    found.set(path, manifest);
    const includes = [...asList(manifest.include), ...Object.values(manifest.platforms ?? {}).flatMap((p) => asList(p.include))];
    for (const include of includes) if (!include.startsWith('$(')) visit(resolve(dirname(path), include));
  };
  visit(join(root, 'manifest.json'));
  return found;
}

/** Module specifier → source path (no extension), for the root manifest plus one platform. */
function modulesFor(platform: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (path: string, m: Manifest) => {
    for (const [name, value] of Object.entries(m.modules ?? {})) if (name !== '*' && typeof value === 'string') out.set(name, resolve(dirname(path), value));
  };
  const rootPath = join(root, 'manifest.json');
  const rootManifest = load(rootPath);
  const visit = (path: string, m: Manifest) => {
    add(path, m);
    for (const include of asList(m.include)) if (!include.startsWith('$(')) visit(resolve(dirname(path), include), load(resolve(dirname(path), include)));
  };
  visit(rootPath, rootManifest);
  const entry = rootManifest.platforms?.[platform];
  if (entry === undefined) throw new Error(`no platforms.${platform}`);
  add(rootPath, entry);
  for (const include of asList(entry.include)) visit(resolve(root, include), load(resolve(root, include)));
  return out;
}

const SOURCE_EXTENSIONS = ['.ts', '.js', '.c', '.json'];
const exists = (pathWithoutExtension: string) => existsSync(pathWithoutExtension) || SOURCE_EXTENSIONS.some((ext) => existsSync(pathWithoutExtension + ext));

describe('firmware manifest (manifest.json and the manifests it includes)', () => {
  const manifests = projectManifests();

  it('is valid JSON, with its sub-manifests: the module role, the ESP32 hardware and the lin simulator', () => {
    const names = [...manifests.keys()].map((p) => p.slice(root.length)).sort();
    expect(names).to.deep.equal(['hal/moddable/lin/manifest.json', 'hal/moddable/manifest_esp32.json', 'manifest.json', 'manifest_module.json']);
  });

  it('names only paths that exist (modules, native code, includes, GATT services)', () => {
    const missing: string[] = [];
    for (const [path, m] of manifests) {
      const dir = dirname(path);
      const sections = [m, ...Object.values(m.platforms ?? {})];
      for (const s of sections) {
        for (const include of asList(s.include))
          if (!include.startsWith('$(') && !existsSync(resolve(dir, include))) missing.push(`${path}: include ${include}`);
        for (const value of Object.values(s.modules ?? {})) {
          for (const p of asList(value)) if (!p.startsWith('$(') && !exists(resolve(dir, p))) missing.push(`${path}: module ${p}`);
        }
        for (const patterns of Object.values(s.ble ?? {})) {
          for (const p of patterns) if (!existsSync(resolve(dir, p.replace(/\/\*$/, '')))) missing.push(`${path}: ble ${p}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('targets the plain ESP32, two common boards, and the desktop simulator, and refuses the rest', () => {
    const platforms = load(join(root, 'manifest.json')).platforms ?? {};
    expect(Object.keys(platforms)).to.include.members(['esp32', 'esp32/nodemcu', 'esp32/esp32s3', 'lin', '...']);
    expect(platforms['...'].error).to.be.a('string');
  });

  it('preloads every module it declares except main, on every platform', () => {
    for (const platform of ['esp32', 'esp32/esp32s3', 'lin']) {
      const modules = modulesFor(platform);
      const preloads = new Set<string>();
      const collect = (m: Manifest, path: string) => {
        for (const p of m.preload ?? []) preloads.add(p);
        for (const include of asList(m.include)) if (!include.startsWith('$(')) collect(load(resolve(dirname(path), include)), resolve(dirname(path), include));
      };
      const rootPath = join(root, 'manifest.json');
      const rootManifest = load(rootPath);
      collect(rootManifest, rootPath);
      for (const include of asList(rootManifest.platforms?.[platform]?.include)) collect(load(resolve(root, include)), resolve(root, include));
      const notPreloaded = [...modules.keys()].filter((name) => name !== 'main' && !preloads.has(name));
      expect(notPreloaded, platform).to.deep.equal([]);
    }
  });

  it('has a Moddable implementation of every HAL interface, wired by createHardware', () => {
    // The Hardware bundle's fields (hal/index.ts) …
    const hal = read('hal/index.ts');
    const body = /export interface Hardware \{([\s\S]*?)\n\}/.exec(hal)?.[1] ?? '';
    const fields = [...body.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]).sort();
    expect(fields).to.include.members(['clock', 'timers', 'actuator', 'door', 'indicator', 'storage', 'random', 'ble', 'log', 'hashes']);
    // … are each set by the ESP32 createHardware from a module of its own …
    const hardware = read('hal/moddable/hardware.ts');
    const set = [...hardware.matchAll(/^\s+(\w+)(?::|,)/gm), ...hardware.matchAll(/hardware\.(\w+) =/g)].map((m) => m[1]);
    expect([...new Set(set)].filter((f) => fields.includes(f)).sort()).to.deep.equal(fields);
    const esp32 = modulesFor('esp32');
    const imported = [...hardware.matchAll(/from '(latchkey\/[\w/]+)'/g)].map((m) => m[1]);
    for (const name of imported) expect(esp32.has(name), `${name} is in the esp32 manifest`).to.equal(true);
    // … and only hal/moddable imports Moddable modules.
    expect(imported.length).to.be.at.least(fields.length);
  });

  it('reads every config key in hal/moddable/config.ts and documents it in docs/firmware.md', () => {
    const keys = new Set<string>();
    for (const m of manifests.values()) {
      for (const key of Object.keys(m.config ?? {})) keys.add(key);
      for (const p of Object.values(m.platforms ?? {})) for (const key of Object.keys(p.config ?? {})) keys.add(key);
    }
    const config = read('hal/moddable/config.ts');
    const listed = /CONFIG_KEYS = Object\.freeze\(\[([\s\S]*?)\]/.exec(config)?.[1] ?? '';
    const docs = read('docs/firmware.md');
    for (const key of keys) {
      expect(listed, `${key} in CONFIG_KEYS`).to.include(`'${key}'`);
      expect(config.match(new RegExp(`\\((?:'${key}'|'\\w+', '${key}')`, 'g')) ?? [], `${key} is read`).to.not.have.length(0);
      expect(docs, `${key} is documented`).to.match(new RegExp('\\| `' + key + '`'));
    }
    expect(keys.size).to.equal(listed.split(',').filter((s) => s.trim()).length);
  });

  it('sizes the XS machine for an ESP32 without PSRAM: the board defaults, JS stack 1024 slots', () => {
    const creation = load(join(root, 'manifest.json')).creation;
    expect(creation?.chunk).to.deep.equal({ initial: 78848, incremental: 0 });
    expect(creation?.heap).to.deep.equal({ initial: 4928, incremental: 0 });
    expect(creation?.stack).to.equal(1024);
  });

  it('keeps Moddable modules inside hal/moddable: the core, the HAL interfaces and the simulator import none', () => {
    const moddable = /from '(timer|time|bleserver|btutils|gatt|crypt|debug|instrumentation|mc\/[\w/]+|embedded:[\w/:-]+|latchkey(\/[\w/]+)?)'/;
    const offenders: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (path !== 'hal/moddable') visit(path);
        } else if (entry.name.endsWith('.ts') && moddable.test(readFileSync(join(root, path), 'utf8'))) offenders.push(path);
      }
    };
    for (const dir of ['src', 'hal', 'sim', 'issuer', 'cli']) visit(dir);
    expect(offenders).to.deep.equal([]);
    // …and hal/moddable does import them (the check above would pass on an empty pattern otherwise).
    expect(read('hal/moddable/timers.ts')).to.match(moddable);
  });
});
