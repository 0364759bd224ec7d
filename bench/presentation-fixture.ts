// Host side of the presentation bench (bench/presentation-entry.ts): everything the courier phone
// computes, done once in Node so no phone work lands in the lock's measured figures. In XS,
// tweetnacl signing alone costs ~20M compute units, and a phone is not the lock.
//
// The lock draws its challenge from the Simulator's SeededRandom, which is deterministic: a fresh
// Simulator with seed N sends, on its first connection, the first CHALLENGE_BYTES bytes of
// SeededRandom(N), in Node and in XS alike (nothing draws randomness during boot). So the phone's
// holder proof and PRESENT frames can be made here, ahead of time, for the challenge the lock will
// issue. The entry checks afterwards that the lock really sent that challenge.

import { SeededRandom } from '../sim/hal/random.js';
import { signEd25519 } from '../issuer/ticket.js';
import { splitMessage } from '../src/ble/framing.js';
import { CHALLENGE_BYTES, MESSAGE_TYPES, encodePresent } from '../src/ble/messages.js';
import { holderProofMessage, ticketHash } from '../src/holder-proof.js';
import { toHex } from '../src/bytes.js';
import type { TrustedIssuer } from '../src/verify.js';

/** What the bench entry receives: hex, because the evaluated script is text. */
export interface PresentationFixture {
  lockId: string;
  /** The simulator's RTC at start (unix seconds). */
  now: number;
  issuers: { kidHex: string; publicKeyHex: string }[];
  /** The Simulator's SeededRandom seed: fixes the challenge of its first connection. */
  seed: number;
  /** Handed to the Simulator's own CourierPhone, which the bench never uses. */
  holderSeedHex: string;
  ticketHex: string;
  /** The challenge the lock will send (predicted from the seed), and the proof signed over it. */
  challengeHex: string;
  proofHex: string;
  /** The phone's PRESENT message split into GATT writes, per MTU (key: the MTU as a string). */
  frames: Record<string, string[]>;
}

export interface PresentationFixtureInput {
  lockId: string;
  now: number;
  issuers: readonly TrustedIssuer[];
  holderSeed: Uint8Array;
  ticket: Uint8Array;
  seed: number;
  mtus: readonly number[];
}

/** The first challenge a fresh Simulator with this seed sends. */
export function firstChallenge(seed: number): Uint8Array {
  return new SeededRandom(seed).bytes(CHALLENGE_BYTES);
}

export function presentationFixture(input: PresentationFixtureInput): PresentationFixture {
  const challenge = firstChallenge(input.seed);
  const proof = signEd25519(input.holderSeed, holderProofMessage(challenge, input.lockId, ticketHash(input.ticket)));
  const body = encodePresent({ ticket: input.ticket, proof });
  const frames: Record<string, string[]> = {};
  for (const mtu of input.mtus) frames[String(mtu)] = splitMessage(MESSAGE_TYPES.PRESENT, body, mtu).map(toHex);
  return {
    lockId: input.lockId,
    now: input.now,
    issuers: input.issuers.map((i) => ({ kidHex: toHex(i.kid), publicKeyHex: toHex(i.publicKey) })),
    seed: input.seed,
    holderSeedHex: toHex(input.holderSeed),
    ticketHex: toHex(input.ticket),
    challengeHex: toHex(challenge),
    proofHex: toHex(proof),
    frames,
  };
}
