// npm run bench [-- --json]: what a ticket verification costs in XS (the engine on the lock) and
// in Node, with the shipped strict noble Ed25519 and with tweetnacl swapped in. docs/bench.md
// explains the figures. XS compute units are deterministic and are the figure to compare; wall
// times are host-dependent and noisy.
//
// Layout: BACKENDS are bundles of bench/verifier-entry.ts, TARGETS run one bundle on one engine
// and list which of its cases to measure. A new measurement is a new case in an entry file plus
// a row (or a name in a row) here; cases may also report extra metrics (bench/report.ts).

import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { toHex } from '../dist/src/bytes.js';
import { nodeBuiltinsAbsent, xsBuildOptions } from '../test/xs/bundle.js';
import { context, ticket } from '../dist/test/portable/fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const asJson = process.argv.includes('--json');

// Time budgets per timed case, split over LOOPS loops: long enough to average out timer and GC
// noise, short enough for a bench of ~15 s.
const XS_TARGET_MS = 1800;
const NODE_TARGET_MS = 1200;
const LOOPS = 3;
const NODE_WARMUP_MS = 300; // lets V8 optimise before timing; XS has no JIT, one warm-up call suffices
const COMPUTE_TOLERANCE = 0.01; // two steady-state XS readings further apart than this get flagged

/** Ed25519 backends: `swap` replaces src/ed25519.ts in the bundle; null keeps the shipped one. */
const BACKENDS = {
  noble: { swap: null },
  tweetnacl: { swap: join(root, 'bench', 'ed25519-tweetnacl.ts') },
};

const BREAKDOWN = ['parseEnvelope', 'sigStructure', 'ed25519Verify', 'parseClaims'];

/**
 * What to measure. `key` is the top-level key in the JSON; `compute` lists cases whose XS compute
 * units are read (XS only), `timed` the cases timed in ms over a loop.
 */
const TARGETS = [
  { key: 'node', engine: 'node', backend: 'noble', timed: ['verify'] },
  { key: 'nodeTweetnacl', engine: 'node', backend: 'tweetnacl', timed: ['verify'] },
  { key: 'xs', engine: 'xs', backend: 'noble', compute: ['verify', ...BREAKDOWN], timed: ['verify'] },
  { key: 'xsTweetnacl', engine: 'xs', backend: 'tweetnacl', compute: ['verify', ...BREAKDOWN], timed: ['verify'] },
];

const progress = (message) => process.stderr.write(`bench: ${message}\n`);

/** results[target][case] = { compute?, ms?, n?, …extra metrics } */
const results = {};
function record(target, name, metrics) {
  results[target] ??= {};
  results[target][name] = { ...results[target][name], ...metrics };
}

// ---------------------------------------------------------------------------------------------
// Fixture: the same valid, granted ticket the portable suites use, issued once here in Node and
// handed to both engines as hex, so they verify identical bytes.

const fixtureContext = context();
const fixtureTicket = ticket();
const fixture = {
  ticketHex: toHex(fixtureTicket),
  lockId: fixtureContext.lockId,
  now: fixtureContext.now,
  issuers: fixtureContext.issuers.map((i) => ({ kidHex: toHex(i.kid), publicKeyHex: toHex(i.publicKey) })),
};

// ---------------------------------------------------------------------------------------------
// Bundling

// Redirects every import that resolves to src/ed25519.ts (verify.ts's './ed25519.js', and the
// entry's own for the breakdown) so the whole bundle uses one backend.
const shippedEd25519 = join(root, 'src', 'ed25519');
function swapEd25519(replacement) {
  return {
    name: 'swap-ed25519',
    setup(b) {
      b.onResolve({ filter: /ed25519\.js$/ }, (args) => {
        const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '');
        return target === shippedEd25519 ? { path: replacement } : undefined;
      });
    },
  };
}

async function bundle(backend, options) {
  const { swap } = BACKENDS[backend];
  const result = await build({
    ...xsBuildOptions,
    metafile: true,
    plugins: [nodeBuiltinsAbsent, ...(swap ? [swapEd25519(swap)] : [])],
    ...options,
  });
  // A refactor of src/ could make the swap silently miss, and the bench would then compare noble
  // with itself: check what actually went into the bundle.
  const inputs = Object.keys(result.metafile.inputs);
  const has = (fragment) => inputs.some((path) => path.includes(fragment));
  const ok = swap ? has('bench/ed25519-tweetnacl.ts') && !has('src/ed25519.ts') && !has('@noble/ed25519') : has('src/ed25519.ts');
  if (!ok) throw new Error(`the ${backend} bundle does not contain the expected Ed25519 backend`);
  return result.outputFiles[0].text;
}

/** The bench script: bench/verifier-entry.ts, which sets `latchkeyBench` on the global object. */
const benchBundle = (backend) => bundle(backend, { entryPoints: [join(root, 'bench', 'verifier-entry.ts')], format: 'iife' });

/** Flash-footprint proxy: verifyTicket and everything it pulls in, minified. */
async function verifierSize(backend) {
  const text = await bundle(backend, {
    stdin: { contents: `export { verifyTicket } from '../src/verify.js';`, resolveDir: join(root, 'bench'), loader: 'ts' },
    format: 'esm',
    minify: true,
  });
  return Buffer.byteLength(text);
}

// ---------------------------------------------------------------------------------------------
// Engines: both expose call(name, n) → { ms, compute? } over the bundle's run(name, n).

// Messages from the bundle (bench/report.ts): extra metrics of a case land in results under the
// current target.
let currentTarget;
function onMessage(message) {
  if (message.type === 'metrics') record(currentTarget, message.case, message.metrics);
}

async function nodeEngine(script) {
  // Run in this very context, not a fresh vm context: V8 reaches the globals of a vm context
  // (Math, Uint8Array, …) through interceptors, which made tweetnacl ~5x slower there.
  globalThis.issueCommand = (buffer) => onMessage(JSON.parse(new TextDecoder().decode(buffer)));
  vm.runInThisContext(script);
  const bench = globalThis.latchkeyBench;
  delete globalThis.latchkeyBench; // the next bundle sets its own
  return {
    setup: async (f) => bench.setup(f),
    async call(name, n) {
      const started = performance.now();
      bench.run(name, n);
      return { ms: performance.now() - started };
    },
    close: async () => {
      delete globalThis.issueCommand;
    },
  };
}

// engine.js locks down this process (SES) on import: load it only once the Node targets are done
// so their timings are of plain Node.
let startXs;
async function xsEngine(script) {
  startXs ??= (await import('../test/xs/engine.js')).startXs;
  const xs = await startXs({ name: 'latchkey-bench', onMessage });
  await xs.evaluate(script);
  return {
    setup: (f) => xs.evaluate(`latchkeyBench.setup(${JSON.stringify(f)});`),
    async call(name, n) {
      const started = performance.now();
      const compute = await xs.evaluate(`latchkeyBench.run(${JSON.stringify(name)}, ${n});`);
      return { compute, ms: performance.now() - started };
    },
    close: () => xs.close(),
  };
}

const ENGINES = { node: nodeEngine, xs: xsEngine };

// ---------------------------------------------------------------------------------------------
// Measurements

/**
 * Steady-state XS compute of one call: one warm-up call (first-use effects), then two readings
 * that should agree. The cost of an evaluation that runs nothing (run(name, 0)) is subtracted, so
 * the figure is the work of the case itself. The warm-up reading is returned too: for the first
 * case of a fresh engine it is the cold cost (noble builds its precomputed tables on first use).
 */
async function measureCompute(engine, name, overhead) {
  const warmup = await engine.call(name, 1);
  const first = await engine.call(name, 1);
  const second = await engine.call(name, 1);
  const stable = Math.abs(first.compute - second.compute) <= COMPUTE_TOLERANCE * second.compute;
  if (!stable) progress(`warning: ${name} compute not steady (${first.compute} then ${second.compute})`);
  return {
    compute: second.compute - overhead,
    warmupCompute: warmup.compute - overhead,
    stable,
    singleMs: Math.min(first.ms, second.ms),
  };
}

/**
 * ms per call: LOOPS loops of n calls, each loop in one evaluation, n sized from a single-call
 * estimate; the fastest loop counts, since noise (other processes, GC, CPU frequency) only ever
 * adds time.
 */
async function measureTime(engine, name, { targetMs, warmupMs = 0, singleMs }) {
  let estimate = singleMs;
  if (estimate === undefined || warmupMs > 0) {
    // Node: run until warmed up, counting calls, which also gives the estimate.
    let calls = 0;
    const started = performance.now();
    do {
      await engine.call(name, 1);
      calls++;
    } while (performance.now() - started < warmupMs);
    estimate = (performance.now() - started) / calls;
  }
  const n = Math.max(2, Math.round(targetMs / LOOPS / Math.max(estimate, 1e-3)));
  let best = Infinity;
  for (let loop = 0; loop < LOOPS; loop++) best = Math.min(best, (await engine.call(name, n)).ms);
  return { ms: best / n, n, loops: LOOPS };
}

async function runTarget(target, scripts) {
  currentTarget = target.key;
  progress(`${target.key}: ${target.engine}, ${target.backend}`);
  const engine = await ENGINES[target.engine](scripts[target.backend]);
  try {
    await engine.setup(fixture);
    const singleMs = {};
    if (target.compute?.length) {
      const overhead = (await engine.call(target.compute[0], 0)).compute;
      record(target.key, 'evaluateOverhead', { compute: overhead });
      for (const [index, name] of target.compute.entries()) {
        const { compute, warmupCompute, stable, singleMs: ms } = await measureCompute(engine, name, overhead);
        singleMs[name] = ms;
        record(target.key, name, {
          compute,
          ...(index === 0 ? { coldCompute: warmupCompute } : {}),
          ...(stable ? {} : { stable }),
        });
      }
    }
    for (const name of target.timed ?? []) {
      const options = target.engine === 'node'
        ? { targetMs: NODE_TARGET_MS, warmupMs: NODE_WARMUP_MS }
        : { targetMs: XS_TARGET_MS, singleMs: singleMs[name] };
      record(target.key, name, await measureTime(engine, name, options));
    }
  } finally {
    // An uncaught exception in XS also ends the worker, and closing it then fails: keep the
    // exception's own error, which names the cause.
    await engine.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Derived figures and output

const ratio = (a, b) => (a !== undefined && b !== undefined && b !== 0 ? a / b : undefined);

function derive() {
  const { xs, xsTweetnacl, node, nodeTweetnacl } = results;
  results.ratios = {
    xsComputeTweetnaclOverNoble: ratio(xsTweetnacl?.verify?.compute, xs?.verify?.compute),
    xsMsTweetnaclOverNoble: ratio(xsTweetnacl?.verify?.ms, xs?.verify?.ms),
    xsMsOverNodeMs: ratio(xs?.verify?.ms, node?.verify?.ms),
    xsMsOverNodeMsTweetnacl: ratio(xsTweetnacl?.verify?.ms, nodeTweetnacl?.verify?.ms),
    nodeMsTweetnaclOverNoble: ratio(nodeTweetnacl?.verify?.ms, node?.verify?.ms),
  };
  // Where one verification's compute goes; `rest` is what the parts do not cover (issuer lookup,
  // claim checks, the Decision object).
  results.breakdown = {};
  for (const key of ['xs', 'xsTweetnacl']) {
    const total = results[key]?.verify?.compute;
    if (total === undefined) continue;
    const parts = {};
    let covered = 0;
    for (const name of BREAKDOWN) {
      const compute = results[key][name].compute;
      covered += compute;
      parts[name] = { compute, share: compute / total };
    }
    parts.rest = { compute: total - covered, share: (total - covered) / total };
    results.breakdown[key] = parts;
  }
}

// By hand: SES lockdown (engine.js) turns toLocaleString into toString.
const int = (x) => (x === undefined ? '–' : String(Math.round(x)).replace(/\B(?=(\d{3})+$)/g, ','));
const ms = (x) => (x === undefined ? '–' : x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const times = (x) => (x === undefined ? '–' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×`);
const pct = (x) => (x === undefined ? '–' : `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`);
const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

function printTable() {
  const { xs, xsTweetnacl, node, nodeTweetnacl, ratios, breakdown, bundleBytes, meta } = results;
  const w = [26, 14, 10, 10, 9];
  console.log(`\nOne full verifyTicket (decode + signature + claims) of a granted ${meta.ticketBytes}-byte ticket`);
  console.log(row(['', 'XS compute', 'XS ms', 'Node ms', 'XS/Node'], w));
  for (const [label, x, n] of [['strict noble (shipped)', xs, node], ['tweetnacl', xsTweetnacl, nodeTweetnacl]]) {
    console.log(row([label, int(x?.verify?.compute), ms(x?.verify?.ms), ms(n?.verify?.ms), times(ratio(x?.verify?.ms, n?.verify?.ms))], w));
  }
  console.log(`  first verification in a fresh XS engine (cold): noble ${int(xs?.verify?.coldCompute)}, tweetnacl ${int(xsTweetnacl?.verify?.coldCompute)} compute`);
  console.log(`  ms: fastest of ${LOOPS} loops of n calls; n = XS ${xs?.verify?.n}/${xsTweetnacl?.verify?.n}, Node ${node?.verify?.n}/${nodeTweetnacl?.verify?.n} (noble/tweetnacl)`);

  console.log(`\nBreakdown, XS compute units (share of one verifyTicket)`);
  const b = [26, 22, 22];
  console.log(row(['', 'strict noble', 'tweetnacl'], b));
  for (const name of [...BREAKDOWN, 'rest']) {
    const cell = (key) => (breakdown[key] ? `${int(breakdown[key][name].compute)} (${pct(breakdown[key][name].share)})` : '–');
    console.log(row([name, cell('xs'), cell('xsTweetnacl')], b));
  }

  console.log(`\nRatios`);
  console.log(`  XS compute, tweetnacl / noble   ${times(ratios.xsComputeTweetnaclOverNoble)}`);
  console.log(`  XS ms, tweetnacl / noble        ${times(ratios.xsMsTweetnaclOverNoble)}`);
  console.log(`  XS ms / Node ms, noble          ${times(ratios.xsMsOverNodeMs)}`);
  console.log(`  XS ms / Node ms, tweetnacl      ${times(ratios.xsMsOverNodeMsTweetnacl)}`);
  console.log(`\nVerifier bundle (verifyTicket, esbuild minified): noble ${int(bundleBytes.noble)} B, tweetnacl ${int(bundleBytes.tweetnacl)} B`);
  console.log(`XS compute units are deterministic; ms are this host's wall clock (${meta.elapsedS.toFixed(1)} s run).\n`);
}

async function main() {
  const started = performance.now();
  progress('bundling');
  const scripts = {};
  const bundleBytes = {};
  for (const backend of Object.keys(BACKENDS)) {
    scripts[backend] = await benchBundle(backend);
    bundleBytes[backend] = await verifierSize(backend);
  }
  // TARGETS lists Node first: the XS engine locks this process down on first use.
  for (const target of TARGETS) await runTarget(target, scripts);
  derive();
  results.bundleBytes = bundleBytes;
  results.meta = {
    ticketBytes: fixtureTicket.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    elapsedS: (performance.now() - started) / 1000,
  };
  // 4 significant digits: more would only be noise for wall times, and compute units are integers.
  const rounded = (key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value);
  if (asJson) process.stdout.write(JSON.stringify(results, rounded, 2) + '\n');
  else printTable();
}

main().then(
  () => process.exit(0), // the xsnap workers are closed; exit does not wait on stray handles
  (error) => {
    console.error(`bench failed: ${error?.stack || error?.message || error}`);
    process.exit(1);
  },
);
