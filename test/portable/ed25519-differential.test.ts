// The Ed25519 differential cases (ed25519-cases.ts) inside XS as well as under Node: our verifier
// against noble strict bundled into the same script, an independent implementation, on every
// case, and the prepared-key path against the one-shot answer. The only allowed disagreement is
// noble's cofactored acceptance of a torsion-only difference (see test/node/ed25519-differential),
// confirmed with noble's point arithmetic. XS is slow: CASES is sized for a CI run.

import { expect } from 'chai';
import { bytesEqual } from '../../src/bytes.js';
import { prepareEd25519Key, verifyEd25519, verifyEd25519Prepared, type PreparedEd25519Key } from '../../src/ed25519.js';
import { describeCase, ed25519Cases, nobleStrict, torsionOnlyDifference, VARIANTS } from './ed25519-cases.js';

const SEED = 20261201; // not the Node test's seed: XS sees other keys and messages
const CASES = 2016; // 144 groups of 14

describe('Ed25519 differential (portable: noble strict, in XS too)', () => {
  it(`agrees with noble strict on ${CASES} cases, one-shot and prepared (seed ${SEED})`, function (this: { timeout?: (ms: number) => void } | undefined) {
    this?.timeout?.(300_000);
    const failures: string[] = [];
    let valid = 0;
    let torsionOnly = 0;
    let preparedChecks = 0;
    let preparedGroup = -1;
    let prepared: PreparedEd25519Key | undefined;
    let count = 0;
    for (const c of ed25519Cases(SEED, CASES)) {
      count++;
      const ours = verifyEd25519(c.signature, c.message, c.publicKey);
      if (ours) valid++;
      const noble = nobleStrict(c);
      if (noble !== ours) {
        if (noble && !ours && torsionOnlyDifference(c) === true) torsionOnly++;
        else failures.push(`noble strict says ${noble}: ${describeCase(c)}`);
      }
      if (preparedGroup !== c.group) {
        preparedGroup = c.group;
        prepared = prepareEd25519Key(c.publicKey);
      }
      if (prepared !== undefined && bytesEqual(prepared.publicKey, c.publicKey)) {
        preparedChecks++;
        if (verifyEd25519Prepared(c.signature, c.message, prepared) !== ours) failures.push(`prepared path says ${!ours}: ${describeCase(c)}`);
      }
      if (failures.length >= 5) break;
    }
    expect(failures).to.deep.equal([]);
    expect(count).to.equal(CASES);
    expect(valid).to.be.greaterThan(CASES / VARIANTS / 2);
    expect(torsionOnly).to.be.greaterThan(0);
    expect(preparedChecks).to.be.greaterThan(CASES / 2);
  });
});
