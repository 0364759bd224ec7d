// The lock: decides on a presentation (ticket + holder proof + the challenge it was made for)
// and drives the bolt. Data flows one way: bytes → verified ticket → checks → durable record →
// bolt. `present` never throws and never unlocks on any path but the last line of a grant.

import type { Hardware, LogEntry, LogLevel } from '../../hal/index.js';
import { toHex } from '../bytes.js';
import { ed25519SelfTest, verifyEd25519 } from '../ed25519.js';
import { hashesSelfTest } from '../hash-self-test.js';
import type { RefusalReason } from '../reasons.js';
import type { TicketClaims } from '../ticket.js';
import { DEFAULT_MAX_WINDOW_SECONDS, DEFAULT_SKEW_SECONDS, prepareIssuers, skewProblem, trustedIssuersProblem, verifyTicket, type SignatureCheck, type TrustedIssuer } from '../verify.js';
import { holderProofMessage, ticketHash } from '../holder-proof.js';
import { errorMessage } from '../result.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { BoltController, DEFAULT_BOLT_OPTIONS, type BoltEvent, type BoltOptions } from './bolt.js';
import { CHECKPOINT_SECONDS, ClockGuard } from './clock-guard.js';
import { DEFAULT_REPLAY_CAPACITY, ReplayStore, replayId } from './replay-store.js';

export interface LockConfig {
  /** The address/door this lock is provisioned as; tickets' `aud` must equal it. */
  lockId: string;
  issuers: readonly TrustedIssuer[];
  skewSeconds?: number;
  maxWindowSeconds?: number;
  /** Single use (default): a ticket opens the door once. false: any number of times in its window. */
  singleUse?: boolean;
  /** Used tickets remembered at once (default 128, at most 199 in one NVS value). */
  replayCapacity?: number;
  bolt?: Partial<BoltOptions>;
  backoff?: Partial<BackoffPolicy>;
}

/**
 * Ed25519 for a test that must memoise it (the model-based driver checks millions of
 * presentations of a few signed tickets): the same functions as src/ed25519.ts, computed once
 * per distinct input. Without it (the device) the lock uses src/ed25519.ts and prepared issuer keys.
 */
export interface LockCrypto {
  checkSignature: SignatureCheck;
  selfTest: () => boolean;
}

export type PresentationResult =
  | { granted: true; relockSeconds: number; claims: TicketClaims }
  | { granted: false; reason: RefusalReason; detail: string; retryAfter: number; claims?: TicketClaims };

/**
 * Refusals caused by the lock's own state, not the presenter: they do not count towards back-off.
 * (issued-in-future means the lock's clock is behind a signed iat: a fault of the lock.)
 */
const NOT_THE_PRESENTERS_FAULT: readonly RefusalReason[] = ['backoff', 'clock-untrusted', 'issued-in-future', 'internal-error', 'replay-store-full', 'actuator-fault'];

export class Lock {
  readonly lockId: string;
  private readonly issuers: readonly TrustedIssuer[];
  private readonly skew: number;
  private readonly maxWindow: number;
  private readonly singleUse: boolean;
  readonly replay: ReplayStore;
  readonly clockGuard: ClockGuard;
  readonly backoff: Backoff;
  readonly bolt: BoltController;
  private checkpointTimer: unknown;
  /** False until the boot self-test passed: a lock with broken crypto grants nothing. */
  private cryptoOk = false;

  constructor(
    private readonly hw: Hardware,
    config: LockConfig,
    private readonly crypto?: LockCrypto,
  ) {
    // A misprovisioned lock fails at construction, loudly, rather than deciding by issuer order.
    const problem = trustedIssuersProblem(config.issuers) ?? skewProblem(config.skewSeconds ?? DEFAULT_SKEW_SECONDS);
    if (problem !== undefined) throw new RangeError(`lock config: ${problem}`);
    this.lockId = config.lockId;
    // Prepared once here, not per ticket: decoding and tabulating a key costs about one verification.
    // (Not when a test memoises the checks: the prepared keys would go unused.)
    this.issuers = crypto === undefined ? prepareIssuers(config.issuers) : config.issuers;
    this.skew = config.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    this.maxWindow = config.maxWindowSeconds ?? DEFAULT_MAX_WINDOW_SECONDS;
    this.singleUse = config.singleUse ?? true;
    this.replay = new ReplayStore(hw.storage, config.replayCapacity ?? DEFAULT_REPLAY_CAPACITY, this.skew);
    this.clockGuard = new ClockGuard(hw.clock, hw.storage, this.replay, this.skew);
    this.backoff = new Backoff(hw.storage, { ...DEFAULT_BACKOFF, ...config.backoff });
    this.bolt = new BoltController(hw, { ...DEFAULT_BOLT_OPTIONS, ...config.bolt }, (e) => this.boltEvent(e));
  }

  /** Boot: bolt locked first, then state checks, then the hourly clock checkpoint. */
  start(): void {
    this.bolt.boot();
    // The hashes come from the HAL (native on the device): prove them before trusting a verdict.
    this.cryptoOk = hashesSelfTest(this.hw.hashes) && (this.crypto === undefined ? ed25519SelfTest(this.hw.hashes.sha512) : this.crypto.selfTest());
    if (!this.cryptoOk) this.record('alarm', 'self-test-failed');
    this.record('info', 'boot', { clockTrusted: this.clockGuard.trusted(), replayEntries: this.replay.size });
    try {
      this.repairIfDamaged();
    } catch (error) {
      // A flash write failing at boot must not stop the boot: the store stays damaged, and the
      // repair is tried again before any presentation is decided (none is granted without it).
      this.record('alarm', 'replay-store-repair-failed', { error: String((error as Error)?.message ?? error) });
    }
    this.scheduleCheckpoint();
  }

  /** Whether the boot self-test passed (until start(): false). */
  get selfTestPassed(): boolean {
    return this.cryptoOk;
  }

  private repairIfDamaged(): void {
    if (!this.replay.damaged || !this.clockGuard.trusted()) return;
    this.replay.repair(this.hw.clock.now());
    this.record('alarm', 'replay-store-repaired', { floor: this.replay.floor });
  }

  private scheduleCheckpoint(): void {
    this.checkpointTimer = this.hw.timers.set(() => {
      try {
        if (this.clockGuard.checkpoint()) this.record('info', 'clock-checkpoint', { mark: this.clockGuard.mark });
      } catch {
        // A failed checkpoint only delays the next mark.
      }
      this.scheduleCheckpoint();
    }, CHECKPOINT_SECONDS * 1000);
  }

  /** Decides on one presentation and, on a grant, unlocks. Never throws. */
  present(ticket: Uint8Array, proof: Uint8Array | undefined, challenge: Uint8Array): PresentationResult {
    let claims: TicketClaims | undefined;
    try {
      const result = this.decide(ticket, proof, challenge, (c) => (claims = c));
      return result;
    } catch (error) {
      return this.refused('internal-error', errorMessage(error), claims);
    }
  }

  private decide(ticket: Uint8Array, proof: Uint8Array | undefined, challenge: Uint8Array, seen: (c: TicketClaims) => void): PresentationResult {
    if (!this.cryptoOk) return this.refused('internal-error', 'not started, or the boot self-test failed');
    const now = this.hw.clock.now();
    const retryAfter = this.backoff.retryAfter(now);
    if (retryAfter > 0) return this.refused('backoff', `locked out for ${retryAfter} s`);
    if (!this.clockGuard.trusted()) {
      return this.refused('clock-untrusted', `clock ${now} is unset or before mark ${this.clockGuard.mark} - ${this.skew}`);
    }
    this.repairIfDamaged();

    const decision = verifyTicket(ticket, {
      lockId: this.lockId,
      issuers: this.issuers,
      now,
      skewSeconds: this.skew,
      maxWindowSeconds: this.maxWindow,
      sha512: this.hw.hashes.sha512,
      ...(this.crypto === undefined ? {} : { checkSignature: this.crypto.checkSignature }),
    });
    if (!decision.granted) {
      if (decision.reason === 'issued-in-future' && decision.claims) {
        // A trusted issuer vouches that real time is at least iat: our clock is behind.
        this.clockGuard.raiseTo(decision.claims.iat);
        this.record('alarm', 'clock-behind', { clock: now, iat: decision.claims.iat, behindBy: decision.claims.iat - now });
      }
      return this.refused(decision.reason, decision.detail, decision.claims);
    }
    const claims = decision.claims;
    seen(claims);

    if (proof === undefined) return this.refused('missing-proof', 'no holder proof', claims);
    const message = holderProofMessage(challenge, this.lockId, ticketHash(ticket, this.hw.hashes.sha256));
    const proofValid = this.crypto === undefined ? verifyEd25519(proof, message, claims.holderKey, this.hw.hashes.sha512) : this.crypto.checkSignature(proof, message, claims.holderKey);
    if (!proofValid) return this.refused('bad-proof', 'holder proof does not verify under cnf key', claims);

    if (claims.iat < this.replay.floor) return this.refused('replayed', `issued before replay-store repair at ${this.replay.floor}`, claims);
    if (this.singleUse) {
      // Durable before the bolt moves: a power cut after this line cannot make the ticket reusable.
      // The mark written with it (and against which old entries are pruned) is at least this
      // clock and the guard's mark, so the replay record alone bounds every later clock.
      const mark = Math.max(now, this.clockGuard.mark);
      const outcome = this.replay.record(replayId(decision.kid, claims.cti, this.hw.hashes.sha256), claims.exp + this.skew, mark);
      if (outcome === 'replayed') return this.refused('replayed', `ticket ${toHex(claims.cti)} already used`, claims);
      if (outcome === 'full') return this.refused('replay-store-full', `${this.replay.capacity} live tickets remembered`, claims);
    }

    if (!this.bolt.unlock()) return this.refused('actuator-fault', 'bolt did not unlock', claims);
    this.record('info', 'granted', {
      courier: claims.sub,
      issuer: claims.iss,
      ticket: toHex(claims.cti),
      validUntil: claims.exp,
    });
    try {
      this.backoff.succeed();
    } catch {
      // The grant stands; a stale failure count only makes the next lockout come sooner.
    }
    return { granted: true, relockSeconds: Math.ceil(this.bolt.relockMs / 1000), claims };
  }

  private refused(reason: RefusalReason, detail: string, claims?: TicketClaims): PresentationResult {
    const now = this.hw.clock.now();
    if (!NOT_THE_PRESENTERS_FAULT.includes(reason)) {
      try {
        this.backoff.fail(now);
      } catch {
        // Counting is best effort; the refusal itself stands.
      }
    }
    const retryAfter = this.backoff.retryAfter(now);
    this.record('warn', 'refused', { reason, detail, courier: claims?.sub, ticket: claims ? toHex(claims.cti) : undefined, retryAfter: retryAfter || undefined });
    try {
      this.hw.indicator.show('refused');
    } catch {
      // cosmetic
    }
    const result: PresentationResult = { granted: false, reason, detail, retryAfter };
    if (claims) result.claims = claims;
    return result;
  }

  private boltEvent(e: BoltEvent): void {
    const level: LogLevel = e.event === 'alarm' ? 'alarm' : 'info';
    if (e.event === 'alarm' || e.event === 'alarm-cleared') {
      const { event, alarm, ...detail } = e;
      this.record(level, `${event === 'alarm' ? 'alarm' : 'cleared'}:${alarm}`, detail);
    } else {
      const { event, ...detail } = e;
      this.record(level, event, detail);
    }
    if (e.event === 'unlocked') this.hw.indicator.show('granted');
  }

  record(level: LogLevel, event: string, detail: Record<string, string | number | boolean | undefined> = {}): void {
    try {
      const entry: LogEntry = { at: this.hw.clock.now(), level, event };
      for (const [k, v] of Object.entries(detail)) if (v !== undefined) entry[k] = v;
      this.hw.log.record(entry);
    } catch {
      // The audit log failing must not change a decision.
    }
  }

  close(): void {
    if (this.checkpointTimer !== undefined) this.hw.timers.clear(this.checkpointTimer);
    this.bolt.close();
  }
}
