// One scenario being played in the page: the ScenarioPlayer (the same runner as `latchkey sim`,
// on the same lock code), what the simulator reported while it ran (BLE frames, flash writes,
// receipts), and the page's own actions on that lock (a ticket issued from the form, the door,
// the clock, a power cut). No DOM here: main.ts renders a Session after each change.

import type { FrameEvent, SimEvent } from '../../sim/events.js';
import { derive, parseScenario, ScenarioError, type Scenario, type ScenarioStep } from '../../sim/scenario/parse.js';
import { ScenarioPlayer, type AdminRecord, type PresentationRecord, type ScenarioRun, type StepReport } from '../../sim/scenario/run.js';
import { verifyReceipt, type Receipt } from '../../src/admin/receipts.js';
import { MemoryStorage } from '../../sim/hal/memory-storage.js';
import { resumeOptions } from '../../sim/scenario/resume.js';
import type { KeptFlash } from './flash-store.js';

/** A flash write as the page lists it. */
export type WriteEvent = Extract<SimEvent, { kind: 'write' }>;

export interface ReceiptRecord {
  elapsed: number;
  at: number;
  bytes: number;
  /** The receipt's content when its signature verifies under the lock's device key. */
  receipt?: Receipt;
  problem?: string;
}

/** The form's fields, as typed. */
export interface TicketForm {
  issuer: string;
  courier: string;
  /** A phone name, or '' for a new phone for this courier. */
  phone: string;
  /** Minutes from the lock's clock now (negative: in the past). */
  fromMinutes: number;
  /** Length of the window, minutes. */
  forMinutes: number;
  lockId: string;
}

/** A decision the page lists, in the order it happened: a presentation (numbered as the replay chooser numbers it) or an owner's command. */
export type Decision = { kind: 'presentation'; index: number; record: PresentationRecord } | { kind: 'admin'; step: ScenarioStep; record: AdminRecord };

/** Frames kept for the list: the newest ones (a long scenario sends thousands). */
const MAX_FRAMES = 400;
const MAX_WRITES = 400;

export class Session {
  readonly player: ScenarioPlayer;
  frames: FrameEvent[] = [];
  framesTotal = 0;
  writes: WriteEvent[] = [];
  receipts: ReceiptRecord[] = [];
  /** Presentations and owner's commands, oldest first. */
  readonly decisions: Decision[] = [];
  /** Tickets issued from the form, in order. */
  readonly formTickets: string[] = [];
  /** The lock's flash (NVS), kept in the browser when the page is asked to. */
  readonly storage: MemoryStorage;
  /** Where the lock's clock resumed from kept flash, when it did (later than the scenario's start). */
  readonly resumedAt: number | undefined;

  constructor(
    readonly scenario: Scenario,
    /** Where it came from: "built in", a file name, or "from the command line". */
    readonly origin: string,
    /** Kept flash to boot on (the page's "Keep this lock's flash"), else a factory-fresh lock. */
    kept?: KeptFlash,
  ) {
    this.storage = new MemoryStorage(kept?.entries);
    // The same rule as `latchkey sim --state`: the lock's clock resumes where it stopped, never earlier than the scenario's start.
    const options = kept === undefined ? { storage: this.storage } : resumeOptions(this.storage, scenario.start, kept.rtc);
    this.resumedAt = options.startTime;
    this.player = new ScenarioPlayer(scenario, { ...options, listen: (e) => this.heard(e) });
  }

  /** Parses scenario JSON (a built-in one, a loaded file); throws a one-line Error when it is not one. */
  static fromJson(json: unknown, name: string, origin: string, kept?: KeptFlash): Session {
    try {
      return new Session(parseScenario(json, name), origin, kept);
    } catch (error) {
      if (error instanceof ScenarioError) throw new Error(`${name}: ${error.message}`);
      throw error;
    }
  }

  private heard(e: SimEvent): void {
    if (e.kind === 'frame') {
      this.framesTotal++;
      this.frames.push(e);
      if (this.frames.length > MAX_FRAMES) this.frames.splice(0, this.frames.length - MAX_FRAMES);
      if (e.receipt !== undefined) this.receipts.push(this.checkReceipt(e));
    } else if (e.kind === 'write') {
      this.writes.push(e);
      if (this.writes.length > MAX_WRITES) this.writes.splice(0, this.writes.length - MAX_WRITES);
    }
  }

  private checkReceipt(e: FrameEvent): ReceiptRecord {
    const bytes = e.receipt as Uint8Array;
    const record: ReceiptRecord = { elapsed: e.elapsed, at: e.at, bytes: bytes.length };
    const key = this.player.deviceKey;
    if (key === undefined) {
      record.problem = 'no device key known (the lock was not provisioned in this session)';
      return record;
    }
    const checked = verifyReceipt(bytes, key);
    if (checked.ok) record.receipt = checked.value;
    else record.problem = checked.error;
    return record;
  }

  private cached: { key: string; run: ScenarioRun } | undefined;

  /** The run so far (the same object until something happens). */
  get run(): ScenarioRun {
    const sim = this.player.sim;
    const key = `${sim.timeline.length}|${sim.time.elapsed()}|${this.player.presentations.length}|${this.player.admin.length}`;
    if (this.cached?.key !== key) this.cached = { key, run: this.player.snapshot() };
    return this.cached.run;
  }

  /** The next scenario step. */
  step(): void {
    this.decided(this.player.next());
  }

  /** An action from the page's controls (door, wait, clock, reboot, replay, present, signed time). */
  act(step: ScenarioStep): void {
    this.decided(this.player.perform(step));
  }

  private decided(report: StepReport | undefined): void {
    if (report?.presentation !== undefined)
      this.decisions.push({ kind: 'presentation', index: this.player.presentations.length - 1, record: report.presentation });
    if (report?.admin !== undefined) this.decisions.push({ kind: 'admin', step: report.step, record: report.admin });
  }

  /**
   * The true time, as an issuer's server or the owner's phone knows it: the scenario's start plus
   * the simulated time that passed. The lock's own clock may differ (moved, rolled back, or reset
   * by a dead battery); that difference is what the clock controls demonstrate.
   */
  trueNow(): number {
    return this.player.start + Math.floor(this.player.sim.time.elapsed() / 1000);
  }

  /**
   * Puts the true time on the lock's clock: for an administered lock, as a time statement signed
   * by the owner (the lock checks it); for a fixed lock, by setting the clock (an installer's tool).
   */
  setTrueTime(): void {
    const time = { relative: false as const, seconds: this.trueNow() };
    this.act(this.scenario.owner !== undefined ? { kind: 'signedTime', time } : { kind: 'setClock', time });
  }

  /** Issues a ticket from the form (signed by the scenario's issuer key) and gives it to a phone. Returns its name. */
  issue(form: TicketForm): string {
    const courier = form.courier.trim();
    if (!/^[\x21-\x7e][\x20-\x7e]{0,62}$/.test(courier)) throw new Error('courier: 1 to 63 printable characters');
    if (!Object.hasOwn(this.scenario.issuers, form.issuer)) throw new Error(`issuer: no issuer named "${form.issuer}" in this scenario`);
    if (!Number.isInteger(form.fromMinutes) || Math.abs(form.fromMinutes) > 60 * 24 * 365) throw new Error('valid from: a whole number of minutes');
    if (!Number.isInteger(form.forMinutes) || form.forMinutes < 1 || form.forMinutes > 60 * 24 * 365) throw new Error('valid for: 1 minute to a year');
    const lockId = form.lockId.trim();
    if (lockId === '' || lockId.length > 200) throw new Error('lock ID: 1 to 200 characters');
    let phone = form.phone;
    if (phone === '') {
      phone = `${courier}-phone`;
      if (!Object.hasOwn(this.player.phones, phone)) this.player.addPhone(phone, derive(`phone:web:${courier}`));
    } else if (!Object.hasOwn(this.player.phones, phone)) throw new Error(`phone: no phone named "${phone}"`);
    const n = this.formTickets.length + 1;
    const name = `form-${n} (${courier})`;
    const now = this.trueNow();
    const from = now + form.fromMinutes * 60;
    this.player.addTicket(name, {
      issuer: form.issuer,
      courier,
      phone,
      lock: lockId,
      notBefore: { relative: false, seconds: from },
      expires: { relative: false, seconds: from + form.forMinutes * 60 },
      issuedAt: { relative: false, seconds: Math.min(from, now) },
      cti: derive(`cti:web:${this.scenario.name}:${n}:${courier}`).subarray(0, 16),
    });
    this.formTickets.push(name);
    return name;
  }

  /** Presents a known ticket from its phone at the page's MTU. */
  present(ticket: string): void {
    this.act({ kind: 'present', ticket, proof: 'valid', mtu: this.player.mtu });
  }
}
