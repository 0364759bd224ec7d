// Power-cut injection shared by the simulated storages (MemoryStorage, FileStorage). Portable.

/**
 * Where a write is cut: 'before' (not applied), 'after' (applied, then the power goes),
 * 'during' (FileStorage only: a torn temp file is left behind, the key keeps its old value).
 */
export type CutPoint = 'before' | 'during' | 'after';

/**
 * The device lost power. Thrown by the write that was cut, then by every storage call until
 * powerOn(). `point` is the cut point for the write that was cut, 'off' for a call made while the
 * power was off, 'now' for a cut requested with cutNow().
 */
export class PowerCut extends Error {
  constructor(
    readonly point: CutPoint | 'off' | 'now',
    readonly key?: string,
  ) {
    super(point === 'off' ? 'power cut: storage is off until powerOn()' : `power cut (${point}${key === undefined ? '' : ` writing "${key}"`})`);
    this.name = 'PowerCut';
  }
}

/** Counts writes, cuts the power at an armed one, and keeps it off until powerOn(). */
export class PowerCutInjector {
  /** True between a cut and powerOn(). */
  off = false;
  /** Number of cuts that happened. */
  cuts = 0;
  private remaining = 0;
  private when: CutPoint = 'before';

  constructor(private readonly points: readonly CutPoint[] = ['before', 'after']) {}

  /** Arms a cut at the n-th write from now (1-based). Replaces any armed cut. */
  cutAtWrite(n: number, when: CutPoint): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('cutAtWrite: n must be an integer ≥ 1');
    if (!this.points.includes(when)) throw new RangeError(`cutAtWrite: cut point must be one of ${this.points.join(', ')}`);
    this.remaining = n;
    this.when = when;
  }

  /** Whether a cut is armed and has not happened yet. */
  get armed(): boolean {
    return this.remaining > 0;
  }

  /** Cancels an armed cut. */
  disarm(): void {
    this.remaining = 0;
  }

  /** The power goes off right now (between writes); the next storage call throws. */
  cutNow(): void {
    this.remaining = 0;
    this.off = true;
    this.cuts++;
  }

  /** Power is back (the simulator then reboots the lock on the same storage). Disarms. */
  powerOn(): void {
    this.off = false;
    this.remaining = 0;
  }

  /** Throws PowerCut if the power is off. Every storage call starts with this. */
  assertOn(): void {
    if (this.off) throw new PowerCut('off');
  }

  /** Called once per write, after validation: the cut point if this write is the one to cut. */
  nextWrite(): CutPoint | undefined {
    if (this.remaining === 0) return undefined;
    this.remaining--;
    return this.remaining === 0 ? this.when : undefined;
  }

  /** Turns the power off and throws. */
  trip(point: CutPoint, key: string): never {
    this.off = true;
    this.cuts++;
    throw new PowerCut(point, key);
  }
}
