// Differential test of the Ed25519 verifier (src/ed25519.ts) against two independent
// implementations, on the cases of test/portable/ed25519-cases.ts: random keys, messages of random
// length (0–1000 bytes, edge lengths included), valid signatures and their mutations (single-bit
// flips of R, S, A and M, S + L, S + 2^253, R and A replaced by each small-order point and by
// non-canonical encodings, R plus a torsion point, S = 0 with R = identity), keys of mixed order
// and signatures whose R carries a torsion component.
//
// - node:crypto (OpenSSL, cofactorless like ours) on every case. One policy difference, excluded
//   and counted: OpenSSL accepts small-order public keys, which FIPS 186-5 (and we) refuse; where
//   the two disagree the key must be of small order and our answer false.
// - noble strict (zip215: false) on one case in NOBLE_EVERY (it is several times slower than
//   OpenSSL). noble checks the cofactored equation [8]([S]B − [k]A − R) = O, so it also accepts
//   when that difference is a non-zero point of small order, which RFC 8032's cofactorless check
//   (ours, the lock's policy) refuses: a disagreement is allowed only there, confirmed with noble's
//   own point arithmetic.
// - The prepared-key path must give the one-shot answer: every case of every PREPARED_EVERY-th
//   group that keeps the group's key.
//
// Seed 20261130. LATCHKEY_ED25519_CASES sets the number of cases (default 100,000; 1000000 for a
// long run), LATCHKEY_ED25519_SEED another seed; LATCHKEY_ED25519_FIRST=<index> with
// LATCHKEY_ED25519_CASES=1 reruns one failing case. The cases are split over worker threads (one
// per core, at most 4). About 1–2 ms of CPU a case: a minute or two on two idle cores.

import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { VARIANTS } from '../portable/ed25519-cases.js';
import type { SliceRequest, SliceResult } from './ed25519-differential-slice.js';

const SEED = Number(process.env.LATCHKEY_ED25519_SEED ?? 20261130);
const CASES = Number(process.env.LATCHKEY_ED25519_CASES ?? 100_000);
const FIRST = Number(process.env.LATCHKEY_ED25519_FIRST ?? 0);
const NOBLE_EVERY = 5;
const PREPARED_EVERY = 4;
const WORKERS = Math.max(1, Math.min(4, availableParallelism(), Math.ceil(CASES / 1000)));

function runWorker(request: SliceRequest): Promise<SliceResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ed25519-differential-slice.js', import.meta.url), { workerData: { ed25519Slice: request } });
    worker.once('message', (result: SliceResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`differential worker exited with ${code}`));
    });
  });
}

describe('Ed25519 differential (Node: node:crypto and noble strict)', function () {
  this.timeout(Math.max(120_000, CASES * 6));

  it(`agrees with node:crypto on every case and with noble strict on a sample (seed ${SEED}, ${CASES} cases)`, async () => {
    // Slices on group boundaries, so each group's cases stay together.
    const groups = Math.ceil(CASES / VARIANTS);
    const perWorker = Math.ceil(groups / WORKERS) * VARIANTS;
    const requests: SliceRequest[] = [];
    for (let first = FIRST; first < FIRST + CASES; first += perWorker) {
      requests.push({ seed: SEED, first, count: Math.min(perWorker, FIRST + CASES - first), nobleEvery: NOBLE_EVERY, preparedEvery: PREPARED_EVERY });
    }
    const results = await Promise.all(requests.map(runWorker));
    const counts: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
    expect(results.flatMap((r) => r.failures)).to.deep.equal([]);
    expect(counts.cases).to.equal(CASES);
    expect(counts.openssl).to.equal(CASES);
    if (CASES >= 100 * VARIANTS) {
      // The mix is what it claims: valid signatures, small-order keys, torsion-only differences.
      expect(counts.valid).to.be.greaterThan(CASES / VARIANTS / 2);
      expect(counts.opensslSmallOrderKeyPolicy).to.be.greaterThan(0);
      expect(counts.nobleTorsionOnly).to.be.greaterThan(0);
      expect(counts.prepared).to.be.greaterThan(CASES / PREPARED_EVERY / 2);
    }
    console.log(`      ed25519 differential (${WORKERS} workers): ${JSON.stringify(counts)}`);
  });
});
