// The lock: decides on a presentation (ticket + holder proof + the challenge it was made for)
// and drives the bolt. Data flows one way: bytes → verified ticket → checks → durable record →
// bolt. `present` never throws and never unlocks on any path but the last line of a grant.

import type { Hardware, Hashes, LogEntry, LogLevel, ResetButton } from '../../hal/index.js';
import { toHex } from '../bytes.js';
import { ed25519SelfTest, verifyEd25519 } from '../ed25519.js';
import { hashesSelfTest } from '../hash-self-test.js';
import type { RefusalReason } from '../reasons.js';
import type { TicketClaims } from '../ticket.js';
import {
  DEFAULT_MAX_WINDOW_SECONDS,
  DEFAULT_SKEW_SECONDS,
  skewProblem,
  trustedIssuersProblem,
  verifyTicket,
  type SignatureCheck,
  type TrustedIssuer,
} from '../verify.js';
import { holderProofMessage, ticketHash } from '../holder-proof.js';
import { errorMessage } from '../result.js';
import { Administration, type AdminAnswer } from '../admin/administration.js';
import { AuditLog, DEFAULT_LOG_PAGE_BYTES, DEFAULT_LOG_PAGES, type AuditLogOptions, type AuditValue } from './audit-log.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { BoltController, DEFAULT_BOLT_OPTIONS, type BoltEvent, type BoltOptions } from './bolt.js';
import { CHECKPOINT_SECONDS, ClockGuard } from './clock-guard.js';
import { findIssuer } from './issuers.js';
import { fixedPolicy, policyRefusal, type Policy } from './policy.js';
import { DEFAULT_REPLAY_CAPACITY, ReplayStore, replayId, useId } from './replay-store.js';

export interface LockConfig {
  /**
   * Administered lock (docs/admin.md): lock ID, issuers and settings come from the owner record
   * in storage, set by signed admin commands; without one the lock is unprovisioned. `lockId`,
   * `issuers`, `skewSeconds`, `maxWindowSeconds` and `bolt.relockMs` are then ignored.
   */
  administered?: boolean;
  /** Fixed (build-time) lock: the address/door this lock is; tickets' `aud` must equal it. */
  lockId?: string;
  issuers?: readonly TrustedIssuer[];
  skewSeconds?: number;
  maxWindowSeconds?: number;
  /** Single use (default): a ticket opens the door once. false: any number of times in its window. */
  singleUse?: boolean;
  /** Used tickets remembered at once (default 128, at most 199 in one NVS value). */
  replayCapacity?: number;
  bolt?: Partial<BoltOptions>;
  backoff?: Partial<BackoffPolicy>;
  /** The factory-reset trigger (an administered lock): held at boot, the lock forgets its owner. */
  resetButton?: ResetButton;
  /** The hash-chained audit log (docs/admin.md): always on for an administered lock; a fixed lock keeps one only when this is given. */
  auditLog?: Partial<AuditLogOptions>;
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
  | { granted: true; relockSeconds: number; claims: TicketClaims; receipt?: Uint8Array }
  | { granted: false; reason: RefusalReason; detail: string; retryAfter: number; claims?: TicketClaims };

/**
 * Refusals caused by the lock's own state, not the presenter: they do not count towards back-off.
 * (issued-in-future means the lock's clock is behind a signed iat: a fault of the lock.)
 */
const NOT_THE_PRESENTERS_FAULT: readonly RefusalReason[] = [
  'backoff',
  'clock-untrusted',
  'issued-in-future',
  'internal-error',
  'replay-store-full',
  'actuator-fault',
  'not-provisioned',
  'outside-scope',
  'do-not-disturb',
];

/** Events that go to the audit log (besides every alarm), and those written at once. */
const AUDITED: readonly string[] = [
  'granted',
  'refused',
  'boot',
  'admin',
  'admin-refused',
  'provisioned',
  'factory-reset',
  'clock-set',
  'clock-behind',
  'replay-store-repaired',
  'self-test-failed',
];
const AUDIT_LATER: readonly string[] = ['refused', 'admin-refused'];
/** Unflushed audit entries are written at most this long after they were made. */
export const AUDIT_FLUSH_MS = 60_000;

export class Lock {
  /** What the lock enforces now; undefined while an administered lock is unprovisioned. */
  private policy: Policy | undefined;
  private readonly singleUse: boolean;
  private readonly resetButton: ResetButton | undefined;
  readonly hashes: Hashes;
  readonly replay: ReplayStore;
  readonly clockGuard: ClockGuard;
  readonly backoff: Backoff;
  readonly bolt: BoltController;
  /** The bolt reads relockMs at each grant: the owner's setting changes it in place. */
  private readonly boltOptions: BoltOptions;
  readonly audit: AuditLog | undefined;
  /** Provisioning and admin commands (administered locks only). */
  readonly admin: Administration | undefined;
  private checkpointTimer: unknown;
  private auditTimer: unknown;
  /** False until the boot self-test passed: a lock with broken crypto grants nothing. */
  private cryptoOk = false;

  constructor(
    private readonly hw: Hardware,
    config: LockConfig,
    private readonly crypto?: LockCrypto,
  ) {
    this.hashes = hw.hashes;
    this.singleUse = config.singleUse ?? true;
    this.resetButton = config.resetButton;
    this.boltOptions = { ...DEFAULT_BOLT_OPTIONS, ...config.bolt };
    if (config.administered) {
      this.audit = new AuditLog(hw.storage, this.hashes.sha256, { pages: DEFAULT_LOG_PAGES, pageBytes: DEFAULT_LOG_PAGE_BYTES, ...config.auditLog });
      this.admin = new Administration(
        hw,
        this.hashes,
        this.audit,
        (policy) => this.usePolicy(policy),
        (level, event, detail) => this.record(level, event, detail),
      );
    } else {
      if (typeof config.lockId !== 'string' || !Array.isArray(config.issuers)) throw new RangeError('a fixed lock needs lockId and issuers');
      // A misprovisioned lock fails at construction, loudly, rather than deciding by issuer order.
      const problem = trustedIssuersProblem(config.issuers) ?? skewProblem(config.skewSeconds ?? DEFAULT_SKEW_SECONDS);
      if (problem !== undefined) throw new RangeError(`lock config: ${problem}`);
      if (config.auditLog)
        this.audit = new AuditLog(hw.storage, this.hashes.sha256, { pages: DEFAULT_LOG_PAGES, pageBytes: DEFAULT_LOG_PAGE_BYTES, ...config.auditLog });
      this.policy = fixedPolicy({
        lockId: config.lockId,
        issuers: config.issuers,
        skewSeconds: config.skewSeconds ?? DEFAULT_SKEW_SECONDS,
        maxWindowSeconds: config.maxWindowSeconds ?? DEFAULT_MAX_WINDOW_SECONDS,
        relockSeconds: Math.ceil(this.boltOptions.relockMs / 1000),
      });
    }
    this.replay = new ReplayStore(hw.storage, config.replayCapacity ?? DEFAULT_REPLAY_CAPACITY, this.skew);
    this.clockGuard = new ClockGuard(hw.clock, hw.storage, this.replay, this.skew);
    this.backoff = new Backoff(hw.storage, { ...DEFAULT_BACKOFF, ...config.backoff });
    this.bolt = new BoltController(hw, this.boltOptions, (e) => this.boltEvent(e));
  }

  /** This lock's ID ('' while unprovisioned). */
  get lockId(): string {
    return this.policy?.lockId ?? '';
  }

  private get skew(): number {
    return this.policy?.settings.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  }

  /** Called by the administration with the owner's configuration as it is now (undefined: none). */
  private usePolicy(policy: Policy | undefined): void {
    this.policy = policy;
    if (policy === undefined) return;
    this.boltOptions.relockMs = policy.settings.relockSeconds * 1000;
    if (this.clockGuard) this.clockGuard.skewSeconds = policy.settings.skewSeconds;
  }

  /** Boot: bolt locked first, then state checks, then the hourly clock checkpoint. */
  start(): void {
    this.bolt.boot();
    // The hashes come from the HAL (native on the device): prove them before trusting a verdict.
    this.cryptoOk = hashesSelfTest(this.hw.hashes) && (this.crypto === undefined ? ed25519SelfTest(this.hw.hashes.sha512) : this.crypto.selfTest());
    if (!this.cryptoOk) this.record('alarm', 'self-test-failed');
    if (this.admin) {
      const reset = this.resetRequested();
      this.admin.boot(reset);
      if (reset) this.record('alarm', 'factory-reset');
    }
    this.record('info', 'boot', {
      clockTrusted: this.clockGuard.trusted(),
      replayEntries: this.replay.size,
      provisioned: this.admin ? this.policy !== undefined : undefined,
    });
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

  /** The documented physical trigger: the reset button held at boot (docs/admin.md). */
  private resetRequested(): boolean {
    try {
      return this.resetButton?.heldAtBoot() === true;
    } catch {
      return false;
    }
  }

  /** An admin command from BLE (src/admin/commands.ts). Never throws. */
  administer(command: Uint8Array): AdminAnswer {
    if (this.admin === undefined) return { reason: 'wrong-state', detail: 'this lock is configured at build time', seq: 0 };
    return this.admin.command(command, this.hw.clock.now());
  }

  /** A signed time statement bound to `challenge` (src/admin/time-statement.ts). Never throws. */
  setTime(statement: Uint8Array, challenge: Uint8Array): AdminAnswer {
    if (this.admin === undefined) return { reason: 'wrong-state', detail: 'this lock is configured at build time', seq: 0 };
    const answer = this.admin.time(statement, challenge, this.clockGuard.mark);
    if (answer.reason !== 'done' || answer.time === undefined) return answer;
    try {
      const before = this.hw.clock.now();
      this.hw.clock.set(answer.time);
      this.clockGuard.raiseTo(answer.time);
      this.record('info', 'clock-set', { from: before, to: answer.time });
    } catch (error) {
      return { reason: 'storage-fault', detail: String((error as Error)?.message ?? error), seq: 0 };
    }
    return answer;
  }

  /** A chunk of the audit-log export from `from`; the caller checked the reader was authorised. */
  readLog(from: number): Uint8Array | undefined {
    return this.admin?.exportChunk(from);
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
    const policy = this.policy;
    if (policy === undefined) return this.refused(this.admin?.damaged ? 'internal-error' : 'not-provisioned', this.admin?.damaged ?? 'no owner yet');
    const settings = policy.settings;
    const now = this.hw.clock.now();
    const retryAfter = this.backoff.retryAfter(now);
    if (retryAfter > 0) return this.refused('backoff', `locked out for ${retryAfter} s`);
    const clockTrusted = this.clockGuard.trusted();
    if (!clockTrusted && !settings.cnonceTickets) {
      return this.refused('clock-untrusted', `clock ${now} is unset or before mark ${this.clockGuard.mark} - ${this.skew}`);
    }
    if (clockTrusted) this.repairIfDamaged();

    const decision = verifyTicket(ticket, {
      lockId: policy.lockId,
      issuers: policy.trusted,
      now,
      skewSeconds: settings.skewSeconds,
      maxWindowSeconds: settings.maxWindowSeconds,
      challenge,
      sha512: this.hw.hashes.sha512,
      ...(this.crypto === undefined ? {} : { checkSignature: this.crypto.checkSignature }),
      ...(clockTrusted ? {} : { clockless: { maxWindowSeconds: settings.cnonceWindowSeconds } }),
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

    if (proof === undefined) {
      if (settings.holderProof) return this.refused('missing-proof', 'no holder proof', claims);
    } else {
      const message = holderProofMessage(challenge, policy.lockId, ticketHash(ticket, this.hw.hashes.sha256));
      const proofValid =
        this.crypto === undefined
          ? verifyEd25519(proof, message, claims.holderKey, this.hw.hashes.sha512)
          : this.crypto.checkSignature(proof, message, claims.holderKey);
      if (!proofValid) return this.refused('bad-proof', 'holder proof does not verify under cnf key', claims);
    }

    // A cnonce ticket on an untrusted clock: the issuer signed it moments ago, so its iat stands in for the time.
    const at = clockTrusted ? now : claims.iat;
    const policyProblem = policyRefusal(policy, decision.kid, claims, at, this.hashes.sha256);
    if (policyProblem !== undefined) return this.refused(policyProblem.reason, policyProblem.detail, claims);

    if (clockTrusted) {
      if (claims.iat < this.replay.floor) return this.refused('replayed', `issued before replay-store repair at ${this.replay.floor}`, claims);
      const uses = this.admin ? (findIssuer(policy.issuers, decision.kid)?.scope.maxUses ?? 1) : this.singleUse ? 1 : 0;
      if (uses > 0) {
        const refusal = this.recordUse(decision.kid, claims, uses, now);
        if (refusal !== undefined) return refusal;
      }
    }
    // (Clockless, a cnonce ticket can only be presented on the connection whose challenge it carries: it needs no replay record.)

    if (!this.bolt.unlock()) return this.refused('actuator-fault', 'bolt did not unlock', claims);
    const logSeq = this.record('info', 'granted', {
      courier: claims.sub,
      issuer: claims.iss,
      kid: toHex(decision.kid),
      ticket: toHex(claims.cti),
      validUntil: claims.exp,
      cnonce: clockTrusted ? undefined : true,
    });
    try {
      this.backoff.succeed();
    } catch {
      // The grant stands; a stale failure count only makes the next lockout come sooner.
    }
    const result: PresentationResult = { granted: true, relockSeconds: Math.ceil(this.bolt.relockMs / 1000), claims };
    const receipt = this.admin?.receipt({
      lockId: policy.lockId,
      time: now,
      cti: claims.cti,
      sub: claims.sub,
      issuerKid: decision.kid,
      result: 'granted',
      logSeq: logSeq ?? 0,
    });
    if (receipt !== undefined) result.receipt = receipt;
    return result;
  }

  /**
   * Records one use of a ticket durably, before the bolt moves (a power cut after this cannot make
   * it reusable). Use n of a ticket allowed `uses` times has its own replay entry (useId), so the
   * replay store's format is unchanged; the first use's entry is the single-use one.
   */
  private recordUse(kid: Uint8Array, claims: TicketClaims, uses: number, now: number): PresentationResult | undefined {
    const until = claims.exp + this.skew;
    for (let n = 1; n <= uses; n++) {
      const id = n === 1 ? replayId(kid, claims.cti, this.hashes.sha256) : useId(kid, claims.cti, n, this.hashes.sha256);
      if (this.replay.has(id)) continue;
      // The mark written with it is at least this clock and the guard's mark (see replay-store.ts).
      const outcome = this.replay.record(id, until, Math.max(now, this.clockGuard.mark));
      if (outcome === 'full') return this.refused('replay-store-full', `${this.replay.capacity} live tickets remembered`, claims);
      if (outcome === 'recorded') return undefined;
    }
    return this.refused('replayed', uses === 1 ? `ticket ${toHex(claims.cti)} already used` : `ticket ${toHex(claims.cti)} used ${uses} times`, claims);
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
    this.record('warn', 'refused', {
      reason,
      detail,
      courier: claims?.sub,
      issuer: claims?.iss,
      ticket: claims ? toHex(claims.cti) : undefined,
      retryAfter: retryAfter || undefined,
    });
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

  /**
   * Logs an event (HAL log: serial console, simulator timeline) and, when it is audited, appends it
   * to the audit log; returns its audit seq. A logging failure never changes a decision.
   */
  record(level: LogLevel, event: string, detail: Record<string, string | number | boolean | undefined> = {}): number | undefined {
    const at = this.hw.clock.now();
    try {
      const entry: LogEntry = { at, level, event };
      for (const [k, v] of Object.entries(detail)) if (v !== undefined) entry[k] = v;
      this.hw.log.record(entry);
    } catch {
      // The serial log failing must not change a decision.
    }
    if (this.audit === undefined || (level !== 'alarm' && !AUDITED.includes(event))) return undefined;
    try {
      const audited: Record<string, AuditValue> = {};
      for (const [k, v] of Object.entries(detail)) if (v !== undefined && k !== 'detail') audited[k] = v;
      const urgent = !AUDIT_LATER.includes(event);
      const seq = this.audit.append(at, event, audited, urgent);
      if (this.audit.pendingCount > 0 && this.auditTimer === undefined) {
        this.auditTimer = this.hw.timers.set(() => {
          this.auditTimer = undefined;
          try {
            this.audit?.flush();
          } catch {
            // Retried with the next entry.
          }
        }, AUDIT_FLUSH_MS);
      }
      return seq;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.checkpointTimer !== undefined) this.hw.timers.clear(this.checkpointTimer);
    if (this.auditTimer !== undefined) this.hw.timers.clear(this.auditTimer);
    this.bolt.close();
  }
}
