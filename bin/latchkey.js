#!/usr/bin/env node
// The `latchkey` command. All the work is in cli/main.ts (compiled to dist/cli/main.js). In a
// source checkout it first rebuilds dist/ if a source changed since the last build (saying so on
// stderr); otherwise it starts at once.

// A closed pipe (latchkey inspect t | head -1) is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`latchkey: cannot write output: ${error.message}\n`);
  process.exit(2);
});

import { existsSync } from 'node:fs';

const buildTool = new URL('../tools/build.js', import.meta.url);
if (existsSync(buildTool) && process.env.LATCHKEY_NO_BUILD !== '1') {
  const { buildIfNeeded } = await import(buildTool.href);
  if (!buildIfNeeded()) process.exit(2);
}

let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  process.stderr.write(`latchkey: cannot load dist/cli/main.js (run npm run build first): ${String(error?.message ?? error).split('\n')[0]}\n`);
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
