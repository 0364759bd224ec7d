// Model-based adversarial suite (issue 11): seeded random sequences against the real Lock +
// PresentationService on the simulator HAL, every decision compared with the reference model in
// model/lock-model.ts (written from docs/), invariants checked after every step (model/driver.ts).
//
// Under Node: 10,000 cases by default; LATCHKEY_MODEL_CASES=1000000 for the long run,
// LATCHKEY_MODEL_SEED to change the run, LATCHKEY_MODEL_FIRST to start at a later case,
// LATCHKEY_MODEL_CASE=n to print one case step by step.
// Inside XS (no `process`): a short run, since the engine is much slower.

import { expect } from 'chai';
import { buildPool, generateCase, runCases, traceCase, type Pool } from './model/driver.js';

interface Env {
  [name: string]: string | undefined;
}
const env: Env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};
const inXs = (globalThis as { process?: unknown }).process === undefined;

const SEED = env.LATCHKEY_MODEL_SEED !== undefined ? Number(env.LATCHKEY_MODEL_SEED) : 20261130;
const CASES = env.LATCHKEY_MODEL_CASES !== undefined ? Number(env.LATCHKEY_MODEL_CASES) : inXs ? 60 : 10_000;
/** First case number (to continue a long run): cases FIRST .. CASES − 1 run. */
const FIRST = env.LATCHKEY_MODEL_FIRST !== undefined ? Number(env.LATCHKEY_MODEL_FIRST) : 0;

describe('model-based: the lock against its reference model', () => {
  let pool: Pool;
  const getPool = (): Pool => (pool ??= buildPool(SEED, inXs ? 2 : 3));

  if (env.LATCHKEY_MODEL_CASE !== undefined) {
    it(`case ${env.LATCHKEY_MODEL_CASE} of seed ${SEED}, step by step`, () => {
      console.log(traceCase(SEED, Number(env.LATCHKEY_MODEL_CASE), getPool()).join('\n'));
    });
    return;
  }

  it('generates the same case for the same seed and number, and varied cases otherwise', () => {
    const a = JSON.stringify(generateCase(SEED, 7, getPool()));
    expect(JSON.stringify(generateCase(SEED, 7, getPool()))).to.equal(a);
    const kinds = new Set<string>();
    for (let n = 0; n < 200; n++) for (const c of generateCase(SEED, n, getPool()).commands) kinds.add(c.k);
    expect([...kinds].sort()).to.deep.equal(['clock', 'damage', 'power-cut', 'present', 'reboot', 'rtc-loss', 'wait']);
  });

  it(`${CASES.toLocaleString('en-US')} seeded cases (seed ${SEED}): every decision matches the model, every invariant holds`, function (this: {
    timeout?: (ms: number) => void;
  }) {
    this.timeout?.(0);
    const report = runCases(SEED, FIRST, CASES - FIRST, getPool(), {
      progress: CASES >= 100_000 ? (upTo) => console.log(`  model-based: cases up to ${upTo.toLocaleString('en-US')} passed`) : undefined,
    });
    if (CASES >= 100_000 || env.LATCHKEY_MODEL_REPORT) {
      console.log(
        `  model-based: ${report.cases.toLocaleString('en-US')} cases, ${report.steps.toLocaleString('en-US')} commands in ${(report.ms / 1000).toFixed(1)} s`,
      );
      console.log(
        `  outcomes: ${[...report.outcomes]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    }
    // The run must reach the outcomes it exists to compare, not only refusals.
    for (const outcome of ['granted', 'replayed', 'replay-store-full', 'clock-untrusted', 'backoff', 'expired', 'bad-proof', '(power cut)']) {
      expect(report.outcomes.get(outcome) ?? 0, outcome).to.be.above(0);
    }
  });
});
