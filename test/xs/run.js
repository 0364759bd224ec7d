// Runs every suite in test/portable/ inside the real XS engine: bundles them with esbuild into one
// script (no Node built-ins can leak in: platform neutral), evaluates it in xsnap-worker and prints
// mocha-like results. Exit code 1 on any failure or if no test ran.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForXs } from './bundle.js';
import { bundlePreloaded } from './preload.js';
import { startXs } from './engine.js';

export { bundleForXs };

const here = dirname(fileURLToPath(import.meta.url));
const portable = join(here, '..', 'portable');
const grep = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : undefined;
const files = readdirSync(portable)
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
// --grep chooses which tests run inside XS (the harness skips the others); every result of a test
// that ran is reported and counted, failures included.
const runArgument = grep === undefined ? '' : JSON.stringify(grep);

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) await main();

async function main() {
  // Two runs, each in a fresh engine: every portable suite, then the firmware core loaded the way
  // a Moddable build loads it (built-in function names stripped, every module preloaded: its
  // module-level objects frozen, test/xs/preload.js) and exercised end to end.
  const runs = [
    {
      name: `${files.length} portable suite files`,
      entry: [`import { runAll } from './harness.ts';`, ...files.map((f) => `import '../portable/${f}';`), `runAll(${runArgument});`],
    },
    {
      name: 'device check (built-in names stripped, loaded as a preload)',
      preload: true,
      entry: [
        `import { runAll } from './harness.ts';`,
        `import './strip-builtin-names.ts';`,
        `import { preloadChecks } from './preload-freeze.ts';`,
        `import './device-check.ts';`,
        `preloadChecks();`,
        `runAll(${runArgument});`,
      ],
    },
  ];
  let passed = 0;
  const failures = [];
  let compute = 0;
  const started = Date.now();
  for (const run of runs) {
    // A throw while the bundle loads (before any test runs) is reported as a failure, not a crash.
    const bundle = run.preload ? await bundlePreloaded(run.entry.join('\n'), here) : await bundleForXs(run.entry.join('\n'), here);
    const script = `try {\n${bundle}\n} catch (e) {\n  issueCommand(new TextEncoder().encode(JSON.stringify({ type: 'fail', title: '(loading the bundle)', error: String(e) })).buffer);\n}`;
    let done = false;
    const xs = await startXs({
      name: 'latchkey-tests',
      onMessage: (m) => {
        if (m.type === 'done') done = true;
        else if (m.type === 'pass') {
          passed++;
          console.log(`  ✔ ${m.title}`);
        } else {
          failures.push(m);
          console.log(`  ✘ ${m.title}\n      ${m.error}`);
        }
      },
    });
    console.log(`\nXS engine (xsnap-worker): ${run.name}, bundle ${(script.length / 1024).toFixed(0)} KiB`);
    try {
      compute += await xs.evaluate(script);
    } catch (error) {
      failures.push({ title: `(evaluate: ${run.name})`, error: String(error?.message ?? error) });
    }
    await xs.close();
    if (!done) failures.push({ title: `(harness: ${run.name})`, error: 'the XS run did not finish' });
  }
  console.log(`XS: ${compute.toLocaleString('en-US')} compute units, ${Date.now() - started} ms`);
  console.log(`XS: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length > 0 || passed === 0 ? 1 : 0);
}
