// The build, run once at install (npm's "prepare") and again only when a source changed: `npm start`
// and `latchkey` (bin/latchkey.js) call buildIfNeeded(), which compares the newest source file's
// mtime with a stamp written after the last successful build. `npm test` and `npm run build` always
// build (tsc is incremental, so an unchanged tree still costs only a few seconds).
//
//   node tools/build.js              build now
//   node tools/build.js --if-needed  build only if a source is newer than dist/.build-stamp
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** What the build reads: TypeScript sources, the build's own configuration and tools. */
const SOURCE_DIRS = ['src', 'hal', 'sim', 'cli', 'issuer', 'courier', 'web', 'bench', 'test', 'tools', 'bleservices'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.device.json', 'tsconfig.web.json', 'manifest.json'];
const SOURCE_EXTENSIONS = /\.(ts|js|json|html|css|svg|png)$/;

/** The newest mtime (ms) of anything the build reads. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (SOURCE_EXTENSIONS.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(ROOT, dir));
  for (const file of SOURCE_FILES) if (existsSync(join(ROOT, file))) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  return newest;
}

/** True if dist/ is missing or older than a source. */
export function buildNeeded() {
  if (!existsSync(STAMP)) return true;
  return newestSource() > statSync(STAMP).mtimeMs;
}

const STEPS = [
  ['TypeScript (tsc -p tsconfig.json)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']],
  ['device type check (tsc -p tsconfig.device.json)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.device.json']],
  ['device bundle (tools/device-build.js)', ['tools/device-build.js']],
  ['web pages type check (tsc -p tsconfig.web.json)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.web.json']],
  ['web pages (tools/web-build.js)', ['tools/web-build.js']],
];

/** Builds; progress on stderr (stdout stays the command's own). Returns true on success. */
export function build(say = (line) => process.stderr.write(line + '\n')) {
  const started = Date.now();
  for (const [what, args] of STEPS) {
    say(`latchkey: building: ${what}…`);
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (run.status !== 0) {
      say(`latchkey: build failed at ${what}`);
      return false;
    }
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  say(`latchkey: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Builds only when a source changed since the last build; says so on stderr when it does. */
export function buildIfNeeded() {
  if (!buildNeeded()) return true;
  process.stderr.write('latchkey: sources changed since the last build (or never built): building, about 10-20 s…\n');
  return build();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const ok = process.argv.includes('--if-needed') ? buildIfNeeded() : build();
  process.exit(ok ? 0 : 1);
}
