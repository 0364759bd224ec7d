// Bundling for the XS engine (test runner and bench): the same esbuild set-up as the firmware
// module (tools/device-build.js), as one self-contained script.
import { build } from 'esbuild';
import { xsBuildOptions } from '../../tools/device-build.js';

export { xsBuildOptions };

/** Bundles TypeScript source text (imports resolved from resolveDir) into one XS script. */
export async function bundleForXs(contents, resolveDir) {
  const result = await build({
    ...xsBuildOptions,
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'xs-entry.ts' },
    format: 'iife',
  });
  return result.outputFiles[0].text;
}
