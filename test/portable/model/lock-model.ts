// A reference model of the lock's decision, written from the documents (docs/lock.md,
// docs/ticket.md, docs/ble-protocol.md), not from src/: it imports nothing from the code under
// test. The model-based suite (model.test.ts) runs the real Lock and PresentationService next to
// it and compares every decision. Where the model and the lock disagree, either the lock or the
// documents are wrong; keep the model a plain reading of the documents.
//
// Tickets are described by what their issuer put in them (the driver made them), so the model
// needs no CBOR or crypto: a mutated ticket is described by how it was mutated.

/** Result reason codes, as docs/ble-protocol.md lists them (0 = granted). */
export const DOC_REASON_CODES: Readonly<Record<string, number>> = Object.freeze({
  malformed: 1,
  'too-large': 2,
  'unsupported-algorithm': 3,
  'unsupported-critical': 4,
  'unknown-issuer': 5,
  'bad-signature': 6,
  'invalid-claims': 7,
  'wrong-lock': 8,
  'window-too-long': 9,
  'issued-in-future': 10,
  'not-yet-valid': 11,
  expired: 12,
  'internal-error': 13,
  replayed: 20,
  'replay-store-full': 21,
  'clock-untrusted': 22,
  backoff: 23,
  'bad-proof': 24,
  'missing-proof': 25,
  'actuator-fault': 26,
});

/** docs/lock.md: refusals caused by the lock's own state do not count towards back-off. */
const NOT_COUNTED = ['backoff', 'clock-untrusted', 'issued-in-future', 'replay-store-full', 'actuator-fault', 'internal-error'];

/** Refusals a ticket whose bytes were garbled can get (docs/ticket.md steps 1–5: never signed). */
export const GARBLED_REASONS = ['malformed', 'unsupported-algorithm', 'unsupported-critical', 'unknown-issuer', 'bad-signature', 'invalid-claims'];

export interface ModelTicket {
  name: string;
  /** Issuer key id; `trusted` says whether the lock has this key. */
  kid: string;
  trusted: boolean;
  cti: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  /** How the bytes were damaged after signing, if they were. */
  damage?: 'bad-signature' | 'truncated' | 'too-large' | 'garbled';
}

/** What the PRESENT carried as holder proof. */
export type ProofKind = 'valid' | 'stale-challenge' | 'other-key' | 'other-lock' | 'short' | 'none';

export interface ModelConfig {
  lockId: string;
  skew: number;
  maxWindow: number;
  singleUse: boolean;
  capacity: number;
  relockMs: number;
  backoff: { freeFailures: number; baseSeconds: number; maxSeconds: number; resetAfterSeconds: number };
}

interface ReplayRecord {
  mark: number;
  floor: number;
  entries: Map<string, number>;
}

/** docs/lock.md, "What the lock persists": the three records ('damaged': unreadable). */
interface Persisted {
  /** A damaged clock record counts as no mark: 0. */
  clockMark: number;
  replay: ReplayRecord | 'damaged';
  backoff: { failures: number; lockedUntil: number; lastFailure: number } | undefined | 'damaged';
}

const EMPTY_REPLAY: ReplayRecord = Object.freeze({ mark: 0, floor: 0, entries: new Map<string, number>() });

/** One flash write, as docs/lock.md orders them within a decision. */
type Write = (p: Persisted) => void;

export interface Verdict {
  /** 'granted', a reason name, or the set of reasons allowed (garbled tickets). */
  outcome: string | readonly string[];
  /** The RESULT's seconds: relock seconds when granted, retry-after for backoff, else 0. */
  seconds: number;
}

const HOUR = 3600;

export class LockModel {
  private p: Persisted = { clockMark: 0, replay: { mark: 0, floor: 0, entries: new Map() }, backoff: undefined };
  /** RAM: the lockout end, which the lock may pull in (never push out) without writing. */
  private lockedUntil = 0;
  private failures = 0;
  private lastFailure = 0;
  /** Simulation ms until which the bolt is unlocked (a grant's relock deadline). */
  private unlockedUntilMs = -1;
  /** Grants so far (each is exactly one unlock of the bolt). */
  grants = 0;
  /** The mark of the last replay record lost to flash damage. */
  private lostReplayMark = 0;
  /** Repairs made on a clock below the lost record's mark − skew (the documented limit). */
  unguardedRepairs = 0;
  /** Power cut armed: writes left before the cut, and whether the cut write lands. */
  private cut: { remaining: number; lands: boolean } | undefined;
  /** Set when the armed cut happened: the lock is off until reboot(). */
  powerOff = false;

  constructor(
    readonly config: ModelConfig,
    clockSet: boolean,
    now: number,
  ) {
    this.reboot(clockSet, now);
  }

  /** The replay record as the lock reads it: an unreadable one is empty until repaired. */
  private get replay(): ReplayRecord {
    return this.p.replay === 'damaged' ? EMPTY_REPLAY : this.p.replay;
  }

  /** The clock high-water mark (docs/lock.md: the larger of the clock record and the replay record). */
  get mark(): number {
    return Math.max(this.p.clockMark, this.replay.mark);
  }

  get replayEntries(): number {
    return this.replay.entries.size;
  }

  /** Flash damage: the record becomes unreadable (the driver reboots the lock right after). */
  damage(record: 'replay' | 'clock' | 'backoff'): void {
    if (record === 'replay') {
      if (this.p.replay !== 'damaged') this.lostReplayMark = this.p.replay.mark;
      this.p.replay = 'damaged';
    } else if (record === 'clock') this.p.clockMark = 0;
    else this.p.backoff = 'damaged';
  }

  /**
   * docs/lock.md: an unreadable replay record is replaced, on a trusted clock, by an empty one with
   * mark = now and floor = now + 2 × skew + 1. Returns false if the power went during the write.
   */
  private repairIfDamaged(clockSet: boolean, now: number): boolean {
    if (this.p.replay !== 'damaged' || !this.trusted(clockSet, now)) return true;
    const record: ReplayRecord = { mark: now, floor: now + 2 * this.config.skew + 1, entries: new Map() };
    const lost = this.lostReplayMark;
    return this.persist([
      (p) => {
        p.replay = record;
        // docs/lock.md, "Flash damage", limit: a repair on a clock the lost record would have
        // refused (below its mark − skew) may put the floor too early.
        if (now < lost - this.config.skew) this.unguardedRepairs++;
      },
    ]);
  }

  trusted(clockSet: boolean, now: number): boolean {
    return clockSet && now >= this.mark - this.config.skew;
  }

  boltUnlocked(elapsedMs: number): boolean {
    return elapsedMs < this.unlockedUntilMs;
  }

  /**
   * A restart: RAM is lost, the bolt is locked (fail-secure boot), the records are read back, and
   * a damaged replay record is repaired if the clock is trusted. Power comes back disarmed.
   */
  reboot(clockSet: boolean, now: number): void {
    const b = this.p.backoff;
    if (b === 'damaged') {
      // Unreadable: the count resumes at the last free step, and no quiet hour resets it.
      this.failures = this.config.backoff.freeFailures;
      this.lockedUntil = 0;
      this.lastFailure = Number.MAX_SAFE_INTEGER;
    } else {
      this.failures = b?.failures ?? 0;
      this.lockedUntil = b?.lockedUntil ?? 0;
      this.lastFailure = b?.lastFailure ?? 0;
    }
    this.unlockedUntilMs = -1;
    this.cut = undefined;
    this.powerOff = false;
    this.repairIfDamaged(clockSet, now);
  }

  /** The power goes off at the n-th flash write from now (`lands`: after that write landed). */
  armPowerCut(n: number, lands: boolean): void {
    this.cut = { remaining: n, lands };
  }

  /** Applies writes in order until the power cut, if one is armed. Returns false if the power went. */
  private persist(writes: Write[]): boolean {
    for (const w of writes) {
      if (this.powerOff) return false;
      if (this.cut !== undefined && --this.cut.remaining === 0) {
        if (this.cut.lands) w(this.p);
        this.cut = undefined;
        this.powerOff = true;
        return false;
      }
      w(this.p);
    }
    return !this.powerOff;
  }

  /** docs/lock.md: advanced at most once an hour while idle, on a trusted clock. */
  checkpoint(clockSet: boolean, now: number): void {
    if (this.powerOff || !this.trusted(clockSet, now) || now - this.mark < HOUR) return;
    this.persist([(p) => (p.clockMark = now)]);
  }

  // --- back-off (docs/lock.md, "Back-off") -------------------------------------------------

  private step(failures: number): number {
    const b = this.config.backoff;
    const over = failures - b.freeFailures;
    return over <= 0 ? 0 : Math.min(b.maxSeconds, b.baseSeconds * 2 ** Math.min(over - 1, 30));
  }

  private retryAfter(now: number): number {
    const step = this.step(this.failures);
    if (this.lockedUntil - now > step) this.lockedUntil = now + step;
    return Math.max(0, this.lockedUntil - now);
  }

  private countRefusal(now: number): Write {
    const quiet = now - Math.min(this.lastFailure, now);
    const failures = Math.min((quiet > this.config.backoff.resetAfterSeconds ? 0 : this.failures) + 1, 0xffff);
    const record = { failures, lockedUntil: now + this.step(failures), lastFailure: now };
    return (p) => {
      p.backoff = { ...record };
      this.failures = record.failures;
      this.lockedUntil = record.lockedUntil;
      this.lastFailure = record.lastFailure;
    };
  }

  // --- the decision (docs/lock.md, "Deciding on a presentation") ---------------------------

  /**
   * One PRESENT, decided at lock clock `now` (`clockSet`: the RTC was ever set) and simulation time
   * `elapsedMs`. `proofValid` is whether the proof is a valid signature by the ticket's holder key
   * over this connection's challenge (the driver knows, having made it).
   */
  present(t: ModelTicket, proof: ProofKind, clockSet: boolean, now: number, elapsedMs: number): Verdict {
    const c = this.config;
    const refuse = (reason: string | readonly string[], writes: Write[] = []): Verdict => {
      const counted = typeof reason !== 'string' || !NOT_COUNTED.includes(reason);
      if (counted) writes.push(this.countRefusal(now));
      this.persist(writes);
      return { outcome: reason, seconds: reason === 'backoff' ? this.retryAfter(now) : 0 };
    };

    // 1 self-test: always passes here. 2 back-off.
    if (this.retryAfter(now) > 0) return refuse('backoff');
    // 3 clock trust; then a damaged replay record is repaired before anything else.
    if (!this.trusted(clockSet, now)) return refuse('clock-untrusted');
    if (!this.repairIfDamaged(clockSet, now)) return { outcome: 'power-cut', seconds: 0 };
    // 4 ticket (docs/ticket.md, checks in order).
    if (t.damage === 'too-large') return refuse('too-large');
    if (t.damage === 'truncated') return refuse('malformed');
    if (t.damage === 'garbled') return refuse(GARBLED_REASONS);
    if (!t.trusted) return refuse('unknown-issuer');
    if (t.damage === 'bad-signature') return refuse('bad-signature');
    if (t.aud !== c.lockId) return refuse('wrong-lock');
    if (t.exp - t.nbf > c.maxWindow) return refuse('window-too-long');
    if (t.iat > now + c.skew) {
      // A signed iat proves the clock is behind: the mark is raised to it.
      const iat = t.iat;
      return refuse('issued-in-future', iat > this.mark ? [(p) => (p.clockMark = iat)] : []);
    }
    if (now < t.nbf - c.skew) return refuse('not-yet-valid');
    if (now > t.exp + c.skew) return refuse('expired');
    // 5 holder proof.
    if (proof === 'none') return refuse('missing-proof');
    if (proof !== 'valid') return refuse('bad-proof');
    // 6 replay.
    if (t.iat < this.replay.floor) return refuse('replayed');
    const writes: Write[] = [];
    if (c.singleUse) {
      const id = `${t.kid}/${t.cti}`;
      const r = this.replay;
      if (r.entries.has(id)) return refuse('replayed');
      // The record is written with mark = max(its mark, the clock record's mark, now), and keeps
      // every entry with until ≥ that mark − skew (docs/lock.md, "Replay retention").
      const mark = Math.max(r.mark, this.p.clockMark, now);
      const kept = new Map([...r.entries].filter(([, until]) => until >= mark - c.skew));
      if (kept.size >= c.capacity) return refuse('replay-store-full');
      kept.set(id, t.exp + c.skew);
      const floor = r.floor;
      if (!this.persist([(p) => (p.replay = { mark, floor, entries: kept })])) return { outcome: 'power-cut', seconds: 0 };
    }
    // 7 bolt: unlocked for relockMs; then the back-off count is cleared (a write if there was one).
    this.grants++;
    this.unlockedUntilMs = elapsedMs + c.relockMs;
    if (this.failures !== 0 || this.lockedUntil !== 0) {
      writes.push((p) => {
        p.backoff = undefined;
        this.failures = 0;
        this.lockedUntil = 0;
        this.lastFailure = 0;
      });
    }
    this.persist(writes);
    return { outcome: 'granted', seconds: Math.ceil(c.relockMs / 1000) };
  }
}
