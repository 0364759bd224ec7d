// The firmware's flash partition table (hal/moddable/partitions.csv, wired into the ESP32 builds
// by hal/moddable/manifest_esp32.json): checked against ESP-IDF's own rules for a table
// (components/partition_table/gen_esp32part.py: offsets after the table at 0x8000, app partitions
// on 64 KB boundaries, data on 4 KB, no overlaps, unique names) and against what the lock keeps in
// NVS, counted from the sources, so a new NVS key or a bigger log cannot outgrow it unnoticed.
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NVS_MAX_VALUE_BYTES } from '../../hal/index.js';
import { DEFAULT_LOG_PAGES } from '../../src/lock/audit-log.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FLASH_BYTES = 4 * 1024 * 1024; // the 4 MB modules the manifests build for (sdkconfig FLASHSIZE_4MB)
const TABLE_END = 0x8000 + 0x1000; // ESP-IDF puts the partition table at 0x8000, one 4 KB sector
const NVS_PAGE_BYTES = 4096;
/** An NVS page holds 126 entries of 32 bytes after its header and entry bitmap. */
const NVS_PAGE_DATA_BYTES = 126 * 32;
/** One page NVS keeps free to reclaim space, and one for the system (PHY calibration, BLE). */
const NVS_RESERVED_PAGES = 2;

interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

function table(): Partition[] {
  return readFileSync(join(root, 'hal/moddable/partitions.csv'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, type, subtype, offset, size] = line.split(',').map((f) => f.trim());
      return { name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size) };
    });
}

/** The NVS keys the lock writes, as string literals in src/ and hal/ (the log's key is a prefix). */
function nvsKeys(): string[] {
  const keys = new Set<string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/'(lk\.[a-z.]+)'/g)) keys.add(m[1]!);
    }
  };
  visit(join(root, 'src'));
  visit(join(root, 'hal'));
  return [...keys].flatMap((key) => (key.endsWith('.') ? Array.from({ length: DEFAULT_LOG_PAGES }, (_, i) => key + i) : [key]));
}

describe('flash partition table (hal/moddable/partitions.csv)', () => {
  it('is the table every ESP32 build uses', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'hal/moddable/manifest_esp32.json'), 'utf8')) as { build: Record<string, string> };
    expect(manifest.build.PARTITIONS_FILE).to.equal('./partitions.csv');
  });

  it("follows ESP-IDF's rules and fits a 4 MB flash", () => {
    const parts = table();
    expect(parts.map((p) => p.name)).to.have.members(['phy_init', 'factory', 'nvs']);
    expect(new Set(parts.map((p) => p.name)).size).to.equal(parts.length);
    const sorted = [...parts].sort((a, b) => a.offset - b.offset);
    let end = TABLE_END;
    for (const p of sorted) {
      expect(Number.isInteger(p.offset) && Number.isInteger(p.size) && p.size > 0, p.name).to.equal(true);
      expect(p.offset % (p.type === 'app' ? 0x10000 : 0x1000), `${p.name} alignment`).to.equal(0);
      expect(p.offset, `${p.name} overlaps what is before it`).to.be.at.least(end);
      end = p.offset + p.size;
    }
    expect(end).to.be.at.most(FLASH_BYTES);
    // phy_init and the app keep Moddable's offsets (ESP-IDF's Kconfig names the phy_init one).
    expect(parts.find((p) => p.name === 'phy_init')).to.include({ offset: 0xf000, size: 0x1000 });
    expect(parts.find((p) => p.name === 'factory')).to.include({ type: 'app', subtype: 'factory', offset: 0x10000 });
  });

  it('gives NVS room for two slots of every value the lock keeps, each at its largest, plus NVS reserve', () => {
    const keys = nvsKeys();
    expect(keys).to.include.members(['lk.owner', 'lk.replay', 'lk.clock', 'lk.device', 'lk.backoff', 'lk.log.0', `lk.log.${DEFAULT_LOG_PAGES - 1}`]);
    const nvs = table().find((p) => p.subtype === 'nvs');
    expect(nvs?.name).to.equal('nvs'); // embedded:storage/key-value opens the default partition, by name
    // Worst case: each slot (two per key, hal/atomic-storage.ts) holds a value of the storage's
    // largest size, a blob of one index entry and data entries of 32 bytes, never split.
    const entriesPerValue = 1 + 1 + Math.ceil(NVS_MAX_VALUE_BYTES / 32);
    const pagesPerValue = Math.ceil((entriesPerValue * 32) / NVS_PAGE_DATA_BYTES);
    const needed = keys.length * 2 * pagesPerValue + NVS_RESERVED_PAGES;
    const pages = nvs!.size / NVS_PAGE_BYTES;
    expect(pages, `${keys.length} keys need ${needed} pages`).to.be.at.least(needed);
    expect(MODDABLE_DEFAULT_NVS_PAGES, 'the default table would not do').to.be.below(needed);
  });
});

/** Moddable's default table (build/devices/esp32/xsProj-esp32/partitions.csv): nvs 0x6000. */
const MODDABLE_DEFAULT_NVS_PAGES = 0x6000 / NVS_PAGE_BYTES;
