#!/usr/bin/env node
// The `latchkey` command. All the work is in cli/main.ts (compiled to dist/cli/main.js).

// A closed pipe (latchkey inspect t | head -1) is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`latchkey: cannot write output: ${error.message}\n`);
  process.exit(2);
});

let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  process.stderr.write(`latchkey: cannot load dist/cli/main.js (run npm run build first): ${String(error?.message ?? error).split('\n')[0]}\n`);
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
