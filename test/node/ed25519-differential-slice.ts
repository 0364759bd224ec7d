// One slice of the Ed25519 differential test (test/node/ed25519-differential.test.ts), run in a
// worker thread so the slices of a large run use every core. See the test for the oracles and the
// policy differences this allows.

import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { prepareEd25519Key, verifyEd25519, verifyEd25519Prepared, type PreparedEd25519Key } from '../../src/ed25519.js';
import { describeCase, ed25519Cases, isSmallOrderKey, nobleStrict, torsionOnlyDifference } from '../portable/ed25519-cases.js';

export interface SliceRequest {
  seed: number;
  first: number;
  count: number;
  nobleEvery: number;
  preparedEvery: number;
}

export interface SliceResult {
  counts: Record<string, number>;
  failures: string[];
}

function openssl(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return opensslVerify(null, message, key, signature);
  } catch {
    return false; // OpenSSL will not make a key of some encodings
  }
}

export function runSlice({ seed, first, count, nobleEvery, preparedEvery }: SliceRequest): SliceResult {
  const counts: Record<string, number> = { cases: 0, valid: 0, openssl: 0, opensslSmallOrderKeyPolicy: 0, noble: 0, nobleTorsionOnly: 0, prepared: 0 };
  const failures: string[] = [];
  let preparedGroup = -1;
  let prepared: PreparedEd25519Key | undefined;
  for (const c of ed25519Cases(seed, count, first)) {
    counts.cases++;
    const ours = verifyEd25519(c.signature, c.message, c.publicKey);
    if (ours) counts.valid++;

    counts.openssl++;
    if (openssl(c.signature, c.message, c.publicKey) !== ours) {
      // The one policy difference: OpenSSL accepts small-order keys; FIPS 186-5 and we refuse them.
      if (!ours && isSmallOrderKey(c.publicKey)) counts.opensslSmallOrderKeyPolicy++;
      else failures.push(`node:crypto says ${!ours}: ${describeCase(c)}`);
    }

    if (c.index % nobleEvery === 0) {
      counts.noble++;
      const noble = nobleStrict(c);
      if (noble !== ours) {
        // noble checks the cofactored equation; see the test's header.
        if (noble && !ours && torsionOnlyDifference(c) === true) counts.nobleTorsionOnly++;
        else failures.push(`noble strict says ${noble}: ${describeCase(c)}`);
      }
    }

    if (c.group % preparedEvery === 0) {
      if (preparedGroup !== c.group) {
        preparedGroup = c.group;
        prepared = undefined;
      }
      // The group's first case carries its signing key; variants that swap A are checked one-shot only.
      prepared ??= prepareEd25519Key(c.publicKey);
      if (prepared !== undefined && Buffer.from(prepared.publicKey).equals(c.publicKey)) {
        counts.prepared++;
        if (verifyEd25519Prepared(c.signature, c.message, prepared) !== ours) failures.push(`prepared path says ${!ours}: ${describeCase(c)}`);
      }
    }
    if (failures.length >= 10) break;
  }
  return { counts, failures };
}

if (parentPort !== null && workerData?.ed25519Slice !== undefined) {
  parentPort.postMessage(runSlice(workerData.ed25519Slice as SliceRequest));
}
