// npm run bench [-- --json]: what a ticket verification costs in XS (the engine on the lock) and
// in Node, with the shipped strict Ed25519 verifier (src/ed25519.ts) and, swapped in for
// comparison, strict noble (the verifier shipped before) and tweetnacl; what one whole BLE
// presentation costs the lock in XS, with its BLE write/notification counts; and the live XS heap
// the verifiers' tables hold. docs/bench.md
// explains the figures. XS compute units are deterministic and are the figure to compare; wall
// times are host-dependent and noisy.
//
// Layout: BACKENDS are bundles of bench/verifier-entry.ts, TARGETS run one bundle on one engine
// and list which of its cases to measure. A new measurement is a new case in an entry file plus
// a row (or a name in a row) here; cases may also report extra metrics (bench/report.ts).
//
// A whole BLE presentation (bench/presentation-entry.ts) needs a fresh simulator per reading, so
// it has a stage of its own (PRESENTATION_CASES, runPresentation*), not a TARGETS row.

import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { toHex } from '../dist/src/bytes.js';
import { xsBuildOptions } from '../test/xs/bundle.js';
import { presentationFixture } from '../dist/bench/presentation-fixture.js';
import { HOLDER_SEED, context, ticket } from '../dist/test/portable/fixtures.js';

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
  latchkey: { swap: null },
  noble: { swap: join(root, 'bench', 'ed25519-noble.ts') },
  tweetnacl: { swap: join(root, 'bench', 'ed25519-tweetnacl.ts') },
};

const BREAKDOWN = ['parseEnvelope', 'sigStructure', 'ed25519Verify', 'parseClaims'];
/** The shipped verifier's own cases: the prepared-key path and the one-time cost of preparing. */
const PREPARED = ['verifyPrepared', 'ed25519VerifyPrepared', 'prepareKey'];
/** What a grant adds on an administered lock (docs/admin.md): the signed receipt, the audit entry. */
const ADMIN = ['receiptSign', 'auditAppend'];

/**
 * What to measure. `key` is the top-level key in the JSON; `compute` lists cases whose XS compute
 * units are read (XS only), `timed` the cases timed in ms over a loop.
 */
const TARGETS = [
  { key: 'node', engine: 'node', backend: 'latchkey', timed: ['verify', 'verifyPrepared'] },
  { key: 'nodeNoble', engine: 'node', backend: 'noble', timed: ['verify'] },
  { key: 'nodeTweetnacl', engine: 'node', backend: 'tweetnacl', timed: ['verify'] },
  { key: 'xs', engine: 'xs', backend: 'latchkey', compute: ['verify', ...BREAKDOWN, ...PREPARED, ...ADMIN], timed: ['verify', 'verifyPrepared'] },
  { key: 'xsNoble', engine: 'xs', backend: 'noble', compute: ['verify', ...BREAKDOWN], timed: ['verify'] },
  { key: 'xsTweetnacl', engine: 'xs', backend: 'tweetnacl', compute: ['verify', ...BREAKDOWN], timed: ['verify'] },
];

/**
 * One BLE presentation, lock side (bench/presentation-entry.ts): `present` over the simulated
 * link at `mtu`, or `Lock.present` called directly. Each reading boots a fresh Simulator (fresh
 * replay store: the single-use ticket is granted every time). Per XS engine: one warm-up round,
 * then PRESENTATION_READINGS rounds that must agree; PRESENTATION_ENGINES fresh engines whose
 * readings must agree too.
 */
const PRESENTATION_CASES = [{ key: 'mtu185', mtu: 185 }, { key: 'mtu23', mtu: 23 }, { key: 'lockPresent' }];
const PRESENTATION_READINGS = 2;
const PRESENTATION_ENGINES = 2;
/** The Simulator's SeededRandom seed, which fixes the challenge (bench/presentation-fixture.ts). */
const PRESENTATION_SEED = 1;

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

// The same ticket presented over BLE: the phone's holder proof and PRESENT frames are made here
// in Node, for the challenge the simulator will issue, so no phone signing is measured.
const presentationInput = presentationFixture({
  lockId: fixtureContext.lockId,
  now: fixtureContext.now,
  issuers: fixtureContext.issuers,
  holderSeed: HOLDER_SEED,
  ticket: fixtureTicket,
  seed: PRESENTATION_SEED,
  mtus: PRESENTATION_CASES.filter((c) => c.mtu !== undefined).map((c) => c.mtu),
});

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
    plugins: [...xsBuildOptions.plugins, ...(swap ? [swapEd25519(swap)] : [])],
    ...options,
  });
  // A refactor of src/ could make the swap silently miss, and the bench would then compare noble
  // with itself: check what actually went into the bundle.
  const inputs = Object.keys(result.metafile.inputs);
  const has = (fragment) => inputs.some((path) => path.includes(fragment));
  const ok = swap
    ? has(swap.slice(root.length + 1)) && !has('src/ed25519.ts') && has('@noble/ed25519') === (backend === 'noble')
    : has('src/ed25519.ts') && !has('@noble/ed25519');
  if (!ok) throw new Error(`the ${backend} bundle does not contain the expected Ed25519 backend`);
  return result.outputFiles[0].text;
}

/** The bench script: bench/verifier-entry.ts, which sets `latchkeyBench` on the global object. */
const benchBundle = (backend) => bundle(backend, { entryPoints: [join(root, 'bench', 'verifier-entry.ts')], format: 'iife' });

/** bench/presentation-entry.ts with a verifier backend; sets `latchkeyPresentation`. */
const presentationBundle = (backend) => bundle(backend, { entryPoints: [join(root, 'bench', 'presentation-entry.ts')], format: 'iife' });

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
// current target, or go to `metricsSink` while the presentation stage collects them itself.
let currentTarget;
let metricsSink;
function onMessage(message) {
  if (message.type !== 'metrics') return;
  if (metricsSink) metricsSink(message.case, message.metrics);
  else record(currentTarget, message.case, message.metrics);
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
  const load = await xs.evaluate(script);
  return {
    load,
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
  // Module load: evaluating the whole bench bundle (CBOR, ticket, verifier, tables) in a fresh engine.
  if (engine.load !== undefined) record(target.key, 'load', { compute: engine.load });
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
      const options = target.engine === 'node' ? { targetMs: NODE_TARGET_MS, warmupMs: NODE_WARMUP_MS } : { targetMs: XS_TARGET_MS, singleMs: singleMs[name] };
      record(target.key, name, await measureTime(engine, name, options));
    }
  } finally {
    // An uncaught exception in XS also ends the worker, and closing it then fails: keep the
    // exception's own error, which names the cause.
    await engine.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// One BLE presentation, lock side (bench/presentation-entry.ts)

/** The MTU case behind the headline `xs.presentation.compute`: the courier phone's default MTU. */
const HEADLINE_CASE = 'mtu185';
/** The BLE figures kept from a case's report, per MTU. */
const BLE_FIELDS = ['writes', 'notifications', 'bytesWritten', 'bytesNotified', 'latencyMs', 'challengeNotifications', 'resultNotifications'];

/** latchkeyPresentation.fn(...args) in one XS evaluation; resolves to its compute units. */
const presentationCall = (xs, fn, ...args) => xs.evaluate(`latchkeyPresentation.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')});`);

/**
 * Node: every case once, on the same bundle, for the BLE counts (deterministic, cross-checked
 * against XS). Runs in this context, before the XS engine locks the process down.
 */
function runPresentationNode(script) {
  progress('presentation: node (BLE counts)');
  const reports = {};
  globalThis.issueCommand = (buffer) => onMessage(JSON.parse(new TextDecoder().decode(buffer)));
  metricsSink = (name, metrics) => (reports[name] = metrics);
  try {
    vm.runInThisContext(script);
    const p = globalThis.latchkeyPresentation;
    p.setup(presentationInput);
    for (const c of PRESENTATION_CASES) {
      p.boot(c.key);
      if (c.mtu === undefined) p.lockPresent(c.key);
      else p.present(c.key, c.mtu);
      p.check(c.key);
    }
  } finally {
    metricsSink = undefined;
    delete globalThis.issueCommand;
    delete globalThis.latchkeyPresentation;
  }
  return reports;
}

/**
 * One fresh XS engine. Every boot, presentation and check is an evaluation of its own; only the
 * presentation's is a reading. The first boot is the cold one (noble builds its tables in the
 * self-test); round 0 is a warm-up (the first run of a code path in an engine costs ~100 units
 * more), rounds 1..PRESENTATION_READINGS are readings.
 */
async function runPresentationXs(script, run) {
  progress(`presentation: xs, fresh engine ${run + 1}/${PRESENTATION_ENGINES}`);
  const reports = {};
  const xs = await startXs({ name: 'latchkey-bench-presentation', onMessage });
  metricsSink = (name, metrics) => (reports[name] = metrics);
  try {
    await xs.evaluate(script);
    await presentationCall(xs, 'setup', presentationInput);
    const overhead = await presentationCall(xs, 'noop');
    const boots = [];
    const compute = {}; // compute[case] = [warm-up, reading 1, …], evaluation overhead subtracted
    for (let round = 0; round <= PRESENTATION_READINGS; round++) {
      for (const c of PRESENTATION_CASES) {
        const slot = `${c.key}-${round}`;
        boots.push((await presentationCall(xs, 'boot', slot)) - overhead);
        const used = c.mtu === undefined ? await presentationCall(xs, 'lockPresent', slot) : await presentationCall(xs, 'present', slot, c.mtu);
        (compute[c.key] ??= []).push(used - overhead);
        await presentationCall(xs, 'check', slot);
      }
    }
    return { overhead, boots, compute, reports };
  } finally {
    metricsSink = undefined;
    await xs.close().catch(() => {});
  }
}

/** Cross-checks the runs and records <key>.presentation, <key>.boot and (for xs) ble. */
function recordPresentation(nodeReports, runs, key = 'xs') {
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const [first] = runs;
  // Compute is deterministic: fresh engines must agree exactly, boots and warm-ups included.
  const freshRunsAgree = runs.every((r) => same(r.compute, first.compute) && same(r.boots, first.boots));
  if (!freshRunsAgree) progress(`warning: fresh XS engines disagree on presentation compute: ${JSON.stringify(runs.map((r) => r.compute))}`);

  const cases = {};
  for (const c of PRESENTATION_CASES) {
    const readings = first.compute[c.key].slice(1);
    const last = readings[readings.length - 1];
    const stable = readings.every((x) => Math.abs(x - last) <= COMPUTE_TOLERANCE * last);
    if (!stable) progress(`warning: ${c.key} presentation compute not steady (${readings.join(', ')})`);
    cases[c.key] = { compute: last, ...(stable ? {} : { stable }) };
  }
  const lockPresentCompute = cases.lockPresent.compute;
  const presentation = { compute: cases[HEADLINE_CASE].compute, lockPresentCompute };
  for (const c of PRESENTATION_CASES) {
    if (c.mtu === undefined) continue;
    presentation[c.key] = { ...cases[c.key], bleOverheadCompute: cases[c.key].compute - lockPresentCompute };
  }
  if (cases.lockPresent.stable === false) presentation.lockPresentStable = false;
  Object.assign(presentation, { readings: PRESENTATION_READINGS, freshEngines: PRESENTATION_ENGINES, freshRunsAgree });
  record(key, 'presentation', presentation);
  // Boot: the first in an engine is a device's power-on; later ones find noble's tables built.
  record(key, 'boot', { compute: first.boots[0], warmCompute: first.boots[1] });
  if (key !== 'xs') return;

  // BLE counts: the same in Node and in every XS reading, or the bench has a bug.
  const ble = { measuredIn: 'node+xs' };
  for (const c of PRESENTATION_CASES) {
    if (c.mtu === undefined) continue;
    const node = nodeReports[c.key];
    if (node === undefined) throw new Error(`presentation: no BLE report from Node for ${c.key}`);
    for (const [i, run] of runs.entries()) {
      for (let round = 0; round <= PRESENTATION_READINGS; round++) {
        if (!same(run.reports[`${c.key}-${round}`], node)) {
          throw new Error(
            `presentation: BLE figures of ${c.key} differ between Node and XS engine ${i + 1} round ${round}: ${JSON.stringify(node)} vs ${JSON.stringify(run.reports[`${c.key}-${round}`])}`,
          );
        }
      }
    }
    ble.latencyPerPacketMs = node.latencyPerPacketMs;
    ble[c.key] = Object.fromEntries(BLE_FIELDS.map((f) => [f, node[f]]));
  }
  results.ble = ble;
}

// ---------------------------------------------------------------------------------------------
// XS wall time, shipped against noble, interleaved
//
// The per-target ms above are taken seconds apart, and on a shared host the load changes in
// between: their ratio swings. Here both bundles run in engines of their own, alternately, loop
// for loop, PAIRED_ROUNDS times; the fastest loop of each counts. The ratio of these is the one
// reported as xs.verify.msRatioToNoble.

const PAIRED_ROUNDS = 6;
const PAIRED_LOOP_MS = 300;

async function pairedXsTiming(scripts) {
  progress('xs: shipped and noble timed alternately');
  const engines = {};
  try {
    for (const backend of ['latchkey', 'noble']) {
      engines[backend] = await xsEngine(scripts[backend]);
      await engines[backend].setup(fixture);
    }
    const best = {};
    const n = {};
    for (const backend of ['latchkey', 'noble']) {
      for (const name of ['verify', 'verifyPrepared']) {
        if (backend === 'noble' && name === 'verifyPrepared') continue;
        const key = `${backend}.${name}`;
        await engines[backend].call(name, 1); // warm-up (noble: its tables)
        const single = (await engines[backend].call(name, 1)).ms;
        n[key] = Math.max(2, Math.round(PAIRED_LOOP_MS / Math.max(single, 1e-3)));
        best[key] = Infinity;
      }
    }
    for (let round = 0; round < PAIRED_ROUNDS; round++) {
      for (const key of Object.keys(best)) {
        const [backend, name] = key.split('.');
        best[key] = Math.min(best[key], (await engines[backend].call(name, n[key])).ms / n[key]);
      }
    }
    record('xs', 'verify', { msPaired: best['latchkey.verify'] });
    record('xs', 'verifyPrepared', { msPaired: best['latchkey.verifyPrepared'] });
    record('xsNoble', 'verify', { msPaired: best['noble.verify'] });
  } finally {
    for (const engine of Object.values(engines)) await engine.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Live XS heap held by the verifiers' tables
//
// xsnap reports the live slot count (currentHeapCount) with every evaluation; after gc() it is
// exact. Slots are measured as differences between fresh engines or before/after; chunk bytes
// (BigInt digits, array item storage), which xsnap does not report, are counted from the tables'
// contents. Bytes on a 32-bit device: 16 per slot, 8 per chunk header, 4 per BigInt word, 16 per
// array item (XS slot size on 32-bit targets).

const SLOT32 = 16;
const CHUNK_HEADER32 = 8;
const WORD = 4;

/** XS compute of evaluating `script` (loading its modules) in a fresh engine. */
async function loadCompute(script) {
  const xs = await startXs({ name: 'latchkey-bench-load', onMessage: () => {} });
  try {
    return await xs.evaluate(script);
  } finally {
    await xs.close().catch(() => {});
  }
}

/** Live slots after gc() once `code` has run, in a fresh engine that loaded `script`. */
async function liveSlots(script, code) {
  const xs = await startXs({ name: 'latchkey-bench-heap', onMessage: () => {} });
  try {
    await xs.evaluate(script);
    await xs.evaluate(code);
    return (await xs.evaluateUsage('gc();')).currentHeapCount;
  } finally {
    await xs.close().catch(() => {});
  }
}

const tablesScript = (contents) =>
  build({ ...xsBuildOptions, stdin: { contents, resolveDir: join(root, 'bench'), loader: 'ts', sourcefile: 'tables-entry.ts' }, format: 'iife' }).then(
    (r) => r.outputFiles[0].text,
  );

async function measureTables() {
  progress('verifier tables: live XS heap');
  const words = (x) => Math.max(1, Math.ceil(x.toString(16).length / 8));
  // Shipped: the frozen base tables (module constants; held for the life of the firmware, in
  // flash under a Moddable preload), against the same entry without them.
  const { BASE_TABLE, BASE_TABLE_HIGH } = await import('../dist/src/crypto/base-table.js');
  const withTables = await tablesScript(
    `import { BASE_TABLE, BASE_TABLE_HIGH } from '../src/crypto/base-table.js';\nglobalThis.keep = [BASE_TABLE, BASE_TABLE_HIGH];`,
  );
  const without = await tablesScript(`globalThis.keep = [[1n], [1n]];`);
  const baseSlots = (await liveSlots(withTables, '0;')) - (await liveSlots(without, '0;'));
  const entries = [...BASE_TABLE, ...BASE_TABLE_HIGH].flatMap((e) => [e.ypx, e.ymx, e.xy2d]);
  const baseChunks = 2 * CHUNK_HEADER32 + entries.length * SLOT32 + entries.reduce((n, x) => n + CHUNK_HEADER32 + WORD * words(x), 0);
  // One prepared key, made at run time: before and after, same engine script.
  const preparedScript = await tablesScript(
    `import { prepareEd25519Key } from '../src/ed25519.js';\nimport { fromHex } from '../src/bytes.js';\nglobalThis.prepare = (hex) => { globalThis.keep = prepareEd25519Key(fromHex(hex)); if (globalThis.keep === undefined) throw new Error('bad key'); };`,
  );
  const keyHex = fixture.issuers[0].publicKeyHex;
  const preparedSlots = (await liveSlots(preparedScript, `prepare(${JSON.stringify(keyHex)});`)) - (await liveSlots(preparedScript, '0;'));
  // Two tables of 16 affine points (3 canonical values < 2^255, at most 8 words each) and a copy of the key.
  const preparedValues = 2 * 16 * 3;
  const preparedChunks = 2 * CHUNK_HEADER32 + preparedValues * (SLOT32 + CHUNK_HEADER32 + WORD * 8) + CHUNK_HEADER32 + 32;
  // noble: its base-point table is built by the first verification.
  const nobleScript = await tablesScript(
    `import * as ed from '@noble/ed25519';\nimport { sha512 } from '@noble/hashes/sha2.js';\nimport { fromHex } from '../src/bytes.js';\ned.hashes.sha512 = sha512;\nglobalThis.keep = ed;\nglobalThis.warm = () => { if (!ed.verify(fromHex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'), fromHex('72'), fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'), { zip215: false })) throw new Error('noble KAT'); };`,
  );
  const nobleSlots = (await liveSlots(nobleScript, 'warm();')) - (await liveSlots(nobleScript, '0;'));
  // 33 windows × 128 points (noble's precompute() with W = 8), X, Y, Z, T each: 8-word BigInts.
  const noblePoints = 33 * 128;
  const nobleChunks = CHUNK_HEADER32 + noblePoints * SLOT32 + noblePoints * 4 * (CHUNK_HEADER32 + WORD * 8);
  record('xs', 'verifierTables', {
    slots: baseSlots,
    bigints: entries.length,
    bytes32: baseSlots * SLOT32 + baseChunks,
    perPreparedKeySlots: preparedSlots,
    perPreparedKeyBytes32: preparedSlots * SLOT32 + preparedChunks,
  });
  record('xsNoble', 'verifierTables', { slots: nobleSlots, bytes32: nobleSlots * SLOT32 + nobleChunks });
  // Loading the verifier module alone (with its SHA-512 and tables), against an empty script.
  const empty = await loadCompute(await tablesScript('globalThis.keep = 0;'));
  const shipped = await loadCompute(await tablesScript(`import { verifyEd25519 } from '../src/ed25519.js';\nglobalThis.keep = verifyEd25519;`));
  const noble = await loadCompute(
    await tablesScript(
      `import * as ed from '@noble/ed25519';\nimport { sha512 } from '@noble/hashes/sha2.js';\ned.hashes.sha512 = sha512;\nglobalThis.keep = ed;`,
    ),
  );
  record('xs', 'verifierModule', { loadCompute: shipped - empty });
  record('xsNoble', 'verifierModule', { loadCompute: noble - empty });
}

// ---------------------------------------------------------------------------------------------
// Derived figures and output

const ratio = (a, b) => (a !== undefined && b !== undefined && b !== 0 ? a / b : undefined);

function derive() {
  const { xs, xsNoble, xsTweetnacl, node, nodeNoble, nodeTweetnacl } = results;
  // The headline comparison: the shipped verifier against strict noble, same run, same fixture.
  if (xs?.verify !== undefined) xs.verify.msRatioToNoble = ratio(xs.verify.msPaired, xsNoble?.verify?.msPaired);
  if (xs?.verifyPrepared !== undefined) xs.verifyPrepared.msRatioToNoble = ratio(xs.verifyPrepared.msPaired, xsNoble?.verify?.msPaired);
  results.ratios = {
    xsComputeLatchkeyOverNoble: ratio(xs?.verify?.compute, xsNoble?.verify?.compute),
    xsComputeNobleOverLatchkey: ratio(xsNoble?.verify?.compute, xs?.verify?.compute),
    xsComputeNobleOverLatchkeyPrepared: ratio(xsNoble?.verify?.compute, xs?.verifyPrepared?.compute),
    xsEd25519ComputeNobleOverLatchkey: ratio(xsNoble?.ed25519Verify?.compute, xs?.ed25519Verify?.compute),
    xsEd25519ComputeNobleOverLatchkeyPrepared: ratio(xsNoble?.ed25519Verify?.compute, xs?.ed25519VerifyPrepared?.compute),
    xsMsLatchkeyOverNoble: ratio(xs?.verify?.msPaired, xsNoble?.verify?.msPaired),
    xsMsLatchkeyPreparedOverNoble: ratio(xs?.verifyPrepared?.msPaired, xsNoble?.verify?.msPaired),
    xsColdOverSteady: ratio(xs?.verify?.coldCompute, xs?.verify?.compute),
    xsColdOverSteadyNoble: ratio(xsNoble?.verify?.coldCompute, xsNoble?.verify?.compute),
    presentationNobleOverLatchkey: ratio(xsNoble?.presentation?.compute, xs?.presentation?.compute),
    verifierTablesNobleOverLatchkey: ratio(xsNoble?.verifierTables?.bytes32, xs?.verifierTables?.bytes32),
    nodeMsLatchkeyOverNoble: ratio(node?.verify?.ms, nodeNoble?.verify?.ms),
    xsComputeTweetnaclOverNoble: ratio(xsTweetnacl?.verify?.compute, xsNoble?.verify?.compute),
    xsMsTweetnaclOverNoble: ratio(xsTweetnacl?.verify?.ms, xsNoble?.verify?.ms),
    xsMsOverNodeMs: ratio(xs?.verify?.ms, node?.verify?.ms),
    xsMsOverNodeMsTweetnacl: ratio(xsTweetnacl?.verify?.ms, nodeTweetnacl?.verify?.ms),
    nodeMsTweetnaclOverNoble: ratio(nodeTweetnacl?.verify?.ms, nodeNoble?.verify?.ms),
    // What the holder proof, replay record, unlock and BLE add to one verifyTicket.
    presentationOverVerify: ratio(xs?.presentation?.compute, xs?.verify?.compute),
    presentationMtu23OverVerify: ratio(xs?.presentation?.mtu23?.compute, xs?.verify?.compute),
    lockPresentOverVerify: ratio(xs?.presentation?.lockPresentCompute, xs?.verify?.compute),
    presentationComputeMtu23OverMtu185: ratio(xs?.presentation?.mtu23?.compute, xs?.presentation?.mtu185?.compute),
    bleWritesMtu23OverMtu185: ratio(results.ble?.mtu23?.writes, results.ble?.mtu185?.writes),
    bleNotificationsMtu23OverMtu185: ratio(results.ble?.mtu23?.notifications, results.ble?.mtu185?.notifications),
    bleLatencyMtu23OverMtu185: ratio(results.ble?.mtu23?.latencyMs, results.ble?.mtu185?.latencyMs),
  };
  // Where one verification's compute goes; `rest` is what the parts do not cover (issuer lookup,
  // claim checks, the Decision object).
  results.breakdown = {};
  for (const key of ['xs', 'xsNoble', 'xsTweetnacl']) {
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
const times2 = (x) => (x === undefined ? '–' : `${x.toFixed(2)}×`);
const pct = (x) => (x === undefined ? '–' : `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`);
const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

function printTable() {
  const { xs, xsNoble, xsTweetnacl, node, nodeNoble, nodeTweetnacl, ratios, breakdown, bundleBytes, meta } = results;
  const kib = (x) => (x === undefined ? '–' : `${(x / 1024).toFixed(1)} KiB`);
  const w = [40, 16, 16, 12];
  console.log(`\nShipped verifier (src/ed25519.ts) against strict noble, XS compute units (${meta.ticketBytes}-byte ticket)`);
  console.log(row(['', 'latchkey', 'strict noble', 'noble/ours'], w));
  const line = (label, ours, noble, fmt = int) => console.log(row([label, fmt(ours), fmt(noble), times2(ratio(noble, ours))], w));
  line('verifyTicket, one-shot issuer key', xs?.verify?.compute, xsNoble?.verify?.compute);
  line('verifyTicket, prepared issuer key', xs?.verifyPrepared?.compute, xsNoble?.verify?.compute);
  line('Ed25519 check alone, one-shot', xs?.ed25519Verify?.compute, xsNoble?.ed25519Verify?.compute);
  line('Ed25519 check alone, prepared key', xs?.ed25519VerifyPrepared?.compute, xsNoble?.ed25519Verify?.compute);
  line('presentation over BLE (MTU 185)', xs?.presentation?.compute, xsNoble?.presentation?.compute);
  line('first verifyTicket in a fresh engine', xs?.verify?.coldCompute, xsNoble?.verify?.coldCompute);
  line('boot (simulator + lock start), cold', xs?.boot?.compute, xsNoble?.boot?.compute);
  line('preparing one issuer key (once)', xs?.prepareKey?.compute, undefined);
  line('entry receipt, device-key signature', xs?.receiptSign?.compute, undefined);
  line('audit-log append (grant, flushed)', xs?.auditAppend?.compute, undefined);
  line('module load (bench bundle)', xs?.load?.compute, xsNoble?.load?.compute);
  line('module load (verifier alone)', xs?.verifierModule?.loadCompute, xsNoble?.verifierModule?.loadCompute);
  line('verifier tables, bytes on 32-bit', xs?.verifierTables?.bytes32, xsNoble?.verifierTables?.bytes32, kib);
  line('verifier tables, live slots', xs?.verifierTables?.slots, xsNoble?.verifierTables?.slots);
  console.log(row(['  + per prepared issuer key', kib(xs?.verifierTables?.perPreparedKeyBytes32), '', ''], w));
  console.log(row(['lock live slots: boot / mid-presentation', `${int(xs?.lockHeap?.bootSlots)} / ${int(xs?.lockHeap?.duringSlots)}`, '', ''], w));
  console.log(row(['  as 32-bit bytes (16 B a slot)', `${kib(xs?.lockHeap?.bootBytes32)} / ${kib(xs?.lockHeap?.duringBytes32)}`, '', ''], w));
  line('XS ms per verifyTicket, one-shot', xs?.verify?.msPaired, xsNoble?.verify?.msPaired, ms);
  line('XS ms per verifyTicket, prepared', xs?.verifyPrepared?.msPaired, xsNoble?.verify?.msPaired, ms);
  line('Node ms per verifyTicket, one-shot', node?.verify?.ms, nodeNoble?.verify?.ms, ms);
  console.log(
    `  XS ms ratio to noble: ${times2(xs?.verify?.msRatioToNoble)} one-shot, ${times2(ratios.xsMsLatchkeyPreparedOverNoble)} prepared (timed alternately, ${PAIRED_ROUNDS} rounds); first/steady verify ${times2(ratios.xsColdOverSteady)} (noble ${times(ratios.xsColdOverSteadyNoble)})`,
  );
  console.log(
    `  ms: fastest of ${LOOPS} loops of n calls; tweetnacl: ${int(xsTweetnacl?.verify?.compute)} XS compute, ${ms(xsTweetnacl?.verify?.ms)} XS ms, ${ms(nodeTweetnacl?.verify?.ms)} Node ms`,
  );

  console.log(`\nBreakdown, XS compute units (share of one one-shot verifyTicket)`);
  const b = [26, 22, 22, 22];
  console.log(row(['', 'latchkey', 'strict noble', 'tweetnacl'], b));
  for (const name of [...BREAKDOWN, 'rest']) {
    const cell = (key) => (breakdown[key] ? `${int(breakdown[key][name].compute)} (${pct(breakdown[key][name].share)})` : '–');
    console.log(row([name, cell('xs'), cell('xsNoble'), cell('xsTweetnacl')], b));
  }

  printPresentation();

  console.log(`\nRatios`);
  console.log(`  XS compute, tweetnacl / noble   ${times(ratios.xsComputeTweetnaclOverNoble)}`);
  console.log(`  XS ms / Node ms, latchkey       ${times(ratios.xsMsOverNodeMs)}`);
  console.log(
    `  BLE presentation / verifyTicket ${times2(ratios.presentationOverVerify)} (MTU 185), ${times2(ratios.presentationMtu23OverVerify)} (MTU 23); Lock.present alone ${times2(ratios.lockPresentOverVerify)}`,
  );
  console.log(`  BLE writes, MTU 23 / MTU 185    ${times(ratios.bleWritesMtu23OverMtu185)}`);
  console.log(
    `\nVerifier bundle (verifyTicket, esbuild minified): latchkey ${int(bundleBytes.latchkey)} B, noble ${int(bundleBytes.noble)} B, tweetnacl ${int(bundleBytes.tweetnacl)} B`,
  );
  console.log(`XS compute units are deterministic; ms are this host's wall clock (${meta.elapsedS.toFixed(1)} s run).\n`);
}

function printPresentation() {
  const { xs, ble, ratios } = results;
  const p = xs?.presentation;
  if (p === undefined) return;
  const verify = xs?.verify?.compute;
  console.log(`\nOne BLE presentation, lock side: CHALLENGE to RESULT, granted (shipped verifier, XS compute units)`);
  const w = [34, 14, 15, 16];
  console.log(row(['', 'XS compute', '× verifyTicket', 'over Lock.present'], w));
  for (const [label, x] of [
    ['over BLE, MTU 185', p.mtu185],
    ['over BLE, MTU 23', p.mtu23],
  ]) {
    console.log(
      row([label, int(x?.compute), times2(ratio(x?.compute, verify)), `+${int(x?.bleOverheadCompute)} (${pct(ratio(x?.bleOverheadCompute, x?.compute))})`], w),
    );
  }
  console.log(row(['Lock.present alone', int(p.lockPresentCompute), times2(ratio(p.lockPresentCompute, verify)), ''], w));
  console.log(row(['verifyTicket (above)', int(verify), '1.00×', ''], w));
  console.log(`  Lock.present = verifyTicket + holder proof + replay check and durable record + unlock + log;`);
  console.log(`  over BLE adds challenge generation, reassembly, PRESENT decode, RESULT encode, simulated link.`);
  console.log(`  Phone signing excluded (frames precomputed in Node). ${p.readings} readings after a warm-up, each on a fresh simulator,`);
  console.log(`  in ${p.freshEngines} fresh XS engines: ${p.freshRunsAgree ? 'all identical' : 'DISAGREE (see warning)'}.`);
  console.log(
    `  Boot (Simulator + lock start incl. Ed25519 self-test and preparing the issuer keys): ${int(xs?.boot?.compute)} cold, ${int(xs?.boot?.warmCompute)} later.`,
  );

  if (ble === undefined) return;
  console.log(`\nBLE per unlock, whole exchange (connect to RESULT; Node and XS agree)`);
  const b = [14, 8, 14, 13, 13, 13];
  console.log(row(['', 'writes', 'notifications', 'bytes →lock', 'bytes →phone', 'latency ms'], b));
  for (const [label, x] of [
    ['MTU 185', ble.mtu185],
    ['MTU 23', ble.mtu23],
  ]) {
    console.log(
      row([label, x.writes, `${x.notifications} (${x.challengeNotifications}+${x.resultNotifications})`, x.bytesWritten, x.bytesNotified, x.latencyMs], b),
    );
  }
  console.log(
    row(
      ['MTU 23 / 185', times(ratios.bleWritesMtu23OverMtu185), times(ratios.bleNotificationsMtu23OverMtu185), '', '', times(ratios.bleLatencyMtu23OverMtu185)],
      b,
    ),
  );
  console.log(`  writes: GATT writes of the PRESENT frames; notifications: CHALLENGE + RESULT frames; bytes are attribute values.`);
  console.log(`  latency: simulated, ${ble.latencyPerPacketMs} ms per packet per direction (connection events included).`);
}

// ---------------------------------------------------------------------------------------------
// The lock's live XS heap after boot and during a presentation
//
// A lock on the simulator (src/app.ts wiring, as the firmware boots it), measured in xsnap as live
// slots after gc(): after boot, halfway through a presentation (connected, challenge sent, the first
// PRESENT frame reassembled, the second not yet sent) and after it, each against the same script
// not booted. xsnap reports slots, not chunk bytes, and no peaks: the firmware's lin self-test
// reports those with the real SDK (docs/firmware.md). Includes the simulator's own objects.

async function measureLockHeap() {
  progress('lock: live XS heap after boot and during a presentation');
  const f = presentationInput;
  const script = await tablesScript(`
import { Simulator } from '../sim/simulator.js';
import { fromHex } from '../src/bytes.js';
const f = ${JSON.stringify({ ...f, frames: { 185: f.frames['185'] } })};
const issuers = f.issuers.map((i) => ({ kid: fromHex(i.kidHex), publicKey: fromHex(i.publicKeyHex) }));
const frames = f.frames['185'].map((h) => fromHex(h));
globalThis.boot = () => { globalThis.sim = new Simulator({ lock: { lockId: f.lockId, issuers }, startTime: f.now, holderSeed: fromHex(f.holderSeedHex), seed: f.seed }); };
globalThis.halfway = () => { const c = sim.link.central; c.connect(185); c.subscribe(); sim.wait(200); for (const fr of frames.slice(0, -1)) c.write(fr); sim.wait(200); };
globalThis.finish = () => { sim.link.central.write(frames[frames.length - 1]); sim.wait(200); if (sim.actuator.position !== 'unlocked') throw new Error('not granted'); };
`);
  const base = await liveSlots(script, '0;');
  const boot = (await liveSlots(script, 'boot();')) - base;
  const during = (await liveSlots(script, 'boot(); halfway();')) - base;
  const after = (await liveSlots(script, 'boot(); halfway(); finish();')) - base;
  record('xs', 'lockHeap', { bootSlots: boot, duringSlots: during, afterSlots: after, bootBytes32: boot * SLOT32, duringBytes32: during * SLOT32 });
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
  const presentationScript = await presentationBundle('latchkey');
  const noblePresentationScript = await presentationBundle('noble');
  // Node first: the XS engine locks this process down on first use.
  for (const target of TARGETS.filter((t) => t.engine === 'node')) await runTarget(target, scripts);
  const nodeReports = runPresentationNode(presentationScript);
  for (const target of TARGETS.filter((t) => t.engine !== 'node')) await runTarget(target, scripts);
  const presentationRuns = [];
  for (let run = 0; run < PRESENTATION_ENGINES; run++) presentationRuns.push(await runPresentationXs(presentationScript, run));
  recordPresentation(nodeReports, presentationRuns);
  // noble for comparison: one fresh engine (its cold boot builds the 1 MiB table, ~11 M units).
  recordPresentation(nodeReports, [await runPresentationXs(noblePresentationScript, 0)], 'xsNoble');
  await pairedXsTiming(scripts);
  await measureTables();
  await measureLockHeap();
  derive();
  results.bundleBytes = bundleBytes;
  results.meta = {
    ticketBytes: fixtureTicket.length,
    presentationSeed: PRESENTATION_SEED,
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
