// The browser pages (web/<page>/): each page's main.ts is bundled with esbuild, with the same src/
// and sim/ modules the lock and the text simulator run, into dist/web/<page>/main.js; the page's
// other files (html, css, images) are copied beside it. Bundles are minified (the simulator's
// 510 KB becomes 256 KB, 88 KB gzipped; a phone loads the courier page over a slow link), with a
// source map beside each for the browser's debugger. Nothing is fetched from a CDN: the local
// server (cli/web-server.ts) serves dist/web/ and nothing else.
//
//   node tools/web-build.js
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const OUT = join(ROOT, 'dist', 'web');
/** Files a page may ship besides its bundle. */
const ASSET = /\.(html|css|svg|png|ico|json)$/;

/** A page must not pull in Node: the same code has to run in a browser (and src/ in XS). */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${args.importer.slice(ROOT.length)}: a web page cannot use Node built-ins` }],
    }));
  },
};

function copyAssets(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyAssets(source, join(to, entry.name));
    else if (ASSET.test(entry.name)) copyFileSync(source, join(to, entry.name));
  }
}

export async function buildWeb() {
  rmSync(OUT, { recursive: true, force: true });
  copyAssets(WEB, OUT);
  const pages = readdirSync(WEB).filter((name) => statSync(join(WEB, name)).isDirectory() && existsSync(join(WEB, name, 'main.ts')));
  await build({
    entryPoints: Object.fromEntries(pages.map((page) => [`${page}/main`, join(WEB, page, 'main.ts')])),
    outdir: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [noNodeBuiltins],
  });
  return pages;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  buildWeb().then(
    () => process.exit(0),
    () => process.exit(1), // esbuild has already printed the errors
  );
}
