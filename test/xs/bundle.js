// How code is bundled for the XS engine, shared by the XS test runner and the bench: one
// self-contained script (esbuild, iife, platform neutral), so nothing host-only can leak in.
// Kept apart from engine.js, which locks the process down when imported.
import { build } from 'esbuild';

// tweetnacl probes for Node's crypto module only to seed its PRNG; in XS there is none, and
// nothing bundled asks it for random bytes. Any other Node built-in fails the bundle.
export const nodeBuiltinsAbsent = {
  name: 'node-builtins-absent',
  setup(b) {
    b.onResolve({ filter: /^crypto$/ }, () => ({ path: 'crypto', namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
  },
};

/** esbuild options for an XS script; callers add entry points, format and extra plugins. */
export const xsBuildOptions = {
  bundle: true,
  write: false,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  target: 'es2022',
  logLevel: 'error',
};

/** Bundles TypeScript source text (imports resolved from resolveDir) into one XS script. */
export async function bundleForXs(contents, resolveDir) {
  const result = await build({
    ...xsBuildOptions,
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'xs-entry.ts' },
    format: 'iife',
    plugins: [nodeBuiltinsAbsent],
  });
  return result.outputFiles[0].text;
}
