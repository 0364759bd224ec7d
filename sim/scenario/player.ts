// Playing a parsed scenario step by step on the simulator (the real src/ lock on simulated
// hardware): `next()` performs one step, `perform()` one action from outside the scenario (the web
// page's controls: present a ticket issued from a form, open the door, move the clock, …), and
// `snapshot()` is the run so far — the timeline, the presentations and a summary checked against
// the scenario's expectations. runScenario (run.ts) is a loop over it, so `latchkey sim` and the
// web page play the same scenarios with the same code. Portable.

import type { LogEntry, Storage } from '../../hal/index.js';
import { MAX_UINT32 } from '../../src/bytes.js';
import type { TrustedIssuer } from '../../src/verify.js';
import { issueTicket, publicKeyFromSeed, type SigningKey } from '../../issuer/ticket.js';
import { coseKid } from '../../issuer/jwk.js';
import { formatDuration, isoTime } from '../../issuer/time.js';
import { CourierPhone, type PresentationReport, type ProofMode } from '../phone.js';
import { Simulator, type SimulatorOptions, type TimelineEntry } from '../simulator.js';
import type { SimEvent } from '../events.js';
import { ADMIN_STEPS, derive, resolveTime, type Outcome, type Scenario, type ScenarioPhone, type ScenarioStep, type ScenarioTicket } from './parse.js';
import {
  buildAdminCommand,
  buildProvisioning,
  buildTimeStatement,
  joinAuditExports,
  verifyAuditExport,
  verifyDeviceAnswer,
  type AdminSigner,
  type ArgValue,
  type CommandName,
} from '../../issuer/admin.js';
import { argsFromJson } from '../../issuer/admin-json.js';
import { toHex } from '../../src/bytes.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';

export interface RunOptions {
  /** The lock's durable storage (default: fresh, in memory). The CLI passes a FileStorage for --state. */
  storage?: Storage & { powerOn?(): void };
  /** Start the lock's clock here instead of the scenario's start (relative ticket times follow). */
  startTime?: number;
  /** Hears the simulator's events (frames, bolt, door, LED, flash writes…) from the boot on: the web page. */
  listen?: (event: SimEvent) => void;
}

export interface RunTimelineEntry {
  /** Simulated ms since the start. */
  elapsed: number;
  /** The lock's clock, unix seconds. */
  at: number;
  source: TimelineEntry['source'];
  text: string;
  /** Index of the step that produced the line (absent for the boot). */
  step?: number;
  /** The lock's own log entry, for lines that come from it. */
  entry?: LogEntry;
}

export interface PresentationRecord {
  step: number;
  kind: 'present' | 'replay';
  ticket: string;
  phone: string;
  mtu: number;
  proof: ProofMode | 'replayed-frames';
  /** For a replay of a presentation chosen by index (the page's chooser): that index. */
  replayOf?: number;
  /** "granted", a refusal reason, "error:<frame error>", "timeout" or "disconnected". */
  outcome: Outcome;
  granted: boolean;
  /** Seconds until relock (grant) or until retry is allowed (back-off). */
  seconds?: number;
  writes: number;
  notifications: number;
  latencyMs: number;
  expect?: Outcome;
  /** Whether the outcome matched `expect` (absent without one). */
  met?: boolean;
}

/** An admin step: what the owner's phone carried and the lock's answer. */
export interface AdminRecord {
  step: number;
  kind: string;
  /** An admin reason ("done", "stale-sequence", …), "verified" / "not-verified" for exportLog, or a protocol outcome. */
  outcome: Outcome;
  seq?: number;
  expect?: Outcome;
  met?: boolean;
}

export interface AlarmRecord {
  elapsed: number;
  at: number;
  alarm: string;
  step?: number;
}

export interface ScenarioSummary {
  presentations: number;
  granted: number;
  refused: number;
  /** Count per outcome name (refusal reasons, errors). */
  outcomes: Record<string, number>;
  /** Per MTU used: BLE writes and notifications per presentation (min and max), and how many. */
  perMtu: { mtu: number; presentations: number; granted: number; writes: [number, number]; notifications: [number, number] }[];
  bleWrites: number;
  bleNotifications: number;
  unlocks: number;
  /** What relocked the bolt after each unlock, by the lock's reason (deadline, door-closed, boot, jam-retry). */
  relocks: Record<string, number>;
  bolt: 'locked' | 'unlocked';
  alarms: AlarmRecord[];
  /** Writes to the lock's durable storage during the run. */
  storageWrites: number | undefined;
  expectations: { total: number; met: number; failed: { step: number; expected: Outcome; actual: Outcome }[] };
}

export interface ScenarioRun {
  name: string;
  description?: string;
  lockId: string;
  mtu: number;
  relockSeconds: number;
  doorSensor: boolean;
  /** Lock clock at the start and at the end, unix seconds. */
  start: number;
  end: number;
  /** Simulated ms the run took. */
  elapsed: number;
  timeline: RunTimelineEntry[];
  presentations: PresentationRecord[];
  /** Admin steps (administered locks). */
  admin: AdminRecord[];
  /** The lock's device public key (hex), from its provisioning answer. */
  deviceKey?: string;
  summary: ScenarioSummary;
  /** True when every expectation was met. */
  ok: boolean;
}

function outcomeName(report: PresentationReport): Outcome {
  const o = report.outcome;
  if (o.kind === 'result') return o.granted ? 'granted' : (o.reason ?? `code ${o.reasonCode}`);
  if (o.kind === 'error') return `error:${o.error}`;
  return o.kind;
}

function outcomeText(report: PresentationReport): string {
  const o = report.outcome;
  const main =
    o.kind === 'result'
      ? o.granted
        ? `GRANTED, relocks in ${o.seconds} s`
        : `refused: ${o.reason}${o.reason === 'backoff' ? `, retry in ${o.seconds} s` : ''}`
      : o.kind === 'error'
        ? `protocol error: ${o.error}`
        : o.kind === 'timeout'
          ? 'no answer (timeout)'
          : 'disconnected';
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${main} — ${plural(report.writes, 'write')}, ${plural(report.notifications, 'notification')}, ${report.latencyMs} ms`;
}
/** A replayable exchange: the phone's writes of an earlier presentation. */
export interface Recording {
  frames: Uint8Array[];
  mtu: number;
  ticket: string;
  phone: string;
}

/** What one step did. */
export interface StepReport {
  /** The step's index in the scenario, or -1 for an action from outside it (perform()). */
  index: number;
  step: ScenarioStep;
  /** The timeline lines it added. */
  timeline: RunTimelineEntry[];
  /** Its presentation, for a present or replay step. */
  presentation?: PresentationRecord;
  /** Its admin record, for an admin step. */
  admin?: AdminRecord;
}

/**
 * A scenario being played. Deterministic: the same scenario and storage give the same run
 * whether it is played in one go or step by step. Actions from outside the scenario are
 * recorded with step index -1 and carry no expectation.
 */
export class ScenarioPlayer {
  readonly sim: Simulator;
  /** The lock's clock at the start, unix seconds (the scenario's, or RunOptions.startTime). */
  readonly start: number;
  /** The MTU a presentation asks for when its step gives none (the scenario's `mtu`; the page may change it). */
  mtu: number;
  readonly presentations: PresentationRecord[] = [];
  readonly admin: AdminRecord[] = [];
  /** The lock's device public key, from its provisioning answer. */
  deviceKey: Uint8Array | undefined;
  /** The phones and tickets known: the scenario's, and any added by addPhone / addTicket. */
  readonly phones: Record<string, ScenarioPhone>;
  readonly tickets: Record<string, ScenarioTicket>;
  private position = 0;
  private stepIndex = -1;
  private readonly stepOf = new Map<TimelineEntry, number>();
  private readonly recorded = new Map<string, Recording>();
  /** Every present step's writes, by the index of its presentation record: any of them can be replayed. */
  private readonly exchanges = new Map<number, Recording>();
  private readonly storageWritesBefore: number | undefined;
  private readonly act: (step: ScenarioStep) => void;
  private readonly issue: (name: string) => Uint8Array;

  constructor(
    readonly scenario: Scenario,
    options: RunOptions = {},
  ) {
    this.mtu = scenario.mtu;
    const phones: Record<string, ScenarioPhone> = { ...scenario.phones };
    const tickets: Record<string, ScenarioTicket> = { ...scenario.tickets };
    this.phones = phones;
    this.tickets = tickets;
    const start = options.startTime ?? scenario.start;
    this.start = start;
    const lockCfg = scenario.lock;
    const doorSensor = lockCfg.doorSensor ?? true;
    const relockSeconds = lockCfg.relockSeconds ?? 5;

    const signingKeys = new Map<string, SigningKey>();
    const signingKey = (name: string): SigningKey => {
      let key = signingKeys.get(name);
      if (key === undefined) {
        const issuer = scenario.issuers[name];
        key = { kid: coseKid(issuer.kid), seed: issuer.seed };
        signingKeys.set(name, key);
      }
      return key;
    };
    const trusted: TrustedIssuer[] = Object.keys(scenario.issuers)
      .filter((name) => scenario.issuers[name].trusted)
      .map((name) => ({ kid: signingKey(name).kid, publicKey: publicKeyFromSeed(scenario.issuers[name].seed) }));

    const phoneNames = Object.keys(scenario.phones);
    const simOptions: SimulatorOptions = {
      lock: {
        lockId: lockCfg.id,
        issuers: lockCfg.administered ? [] : trusted,
        ...(lockCfg.administered ? { administered: true } : {}),
        bolt: {
          relockMs: relockSeconds * 1000,
          ...(lockCfg.heldOpenSeconds === undefined ? {} : { heldOpenMs: lockCfg.heldOpenSeconds * 1000 }),
          ...(lockCfg.jamRetries === undefined ? {} : { jamRetries: lockCfg.jamRetries }),
        },
        ...(lockCfg.skewSeconds === undefined ? {} : { skewSeconds: lockCfg.skewSeconds }),
        ...(lockCfg.maxWindowSeconds === undefined ? {} : { maxWindowSeconds: lockCfg.maxWindowSeconds }),
        ...(lockCfg.singleUse === undefined ? {} : { singleUse: lockCfg.singleUse }),
        ...(lockCfg.replayCapacity === undefined ? {} : { replayCapacity: lockCfg.replayCapacity }),
        ...(lockCfg.backoff === undefined ? {} : { backoff: lockCfg.backoff }),
      },
      startTime: start,
      holderSeed: phoneNames.length > 0 ? scenario.phones[phoneNames[0]].seed : derive('phone:none'),
      seed: scenario.seed,
      doorSensor,
      latencyMs: scenario.latencyMs,
    };
    if (options.storage !== undefined) simOptions.storage = options.storage;
    if (options.listen !== undefined) simOptions.listen = options.listen;
    this.storageWritesBefore = writesOf(options.storage);
    const sim = new Simulator(simOptions);
    this.sim = sim;

    // One CourierPhone per named phone, all on the simulator's BLE central (one at a time).
    const courierPhones = new Map<string, CourierPhone>();
    const phoneFor = (name: string): CourierPhone => {
      let phone = courierPhones.get(name);
      if (phone === undefined) {
        phone = new CourierPhone(sim.link.central, sim.time, phones[name].seed);
        phone.onStep = (text) => sim.note('phone', text.replace(/^phone: /, ''));
        courierPhones.set(name, phone);
      }
      return phone;
    };

    const issued = new Map<string, Uint8Array>();
    const ticketBytes = (name: string): Uint8Array => {
      let bytes = issued.get(name);
      if (bytes === undefined) {
        const t = tickets[name];
        const notBefore = resolveTime(t.notBefore, start);
        bytes = issueTicket(signingKey(t.issuer), {
          iss: scenario.issuers[t.issuer].iss,
          courier: t.courier,
          lockId: t.lock ?? lockCfg.id,
          notBefore,
          expires: resolveTime(t.expires, start),
          issuedAt: t.issuedAt === undefined ? Math.min(notBefore, start) : resolveTime(t.issuedAt, start),
          cti: t.cti,
          holderPublicKey: publicKeyFromSeed(phones[t.phone].seed),
        });
        issued.set(name, bytes);
      }
      return bytes;
    };

    const presentations = this.presentations;
    const recorded = this.recorded;
    const exchanges = this.exchanges;
    const stepOf = this.stepOf;
    const tagStep = (from: number): void => {
      for (let i = from; i < sim.timeline.length; i++) if (!stepOf.has(sim.timeline[i])) stepOf.set(sim.timeline[i], this.stepIndex);
    };

    const finish = (
      kind: 'present' | 'replay',
      ticket: string,
      phoneName: string,
      proof: PresentationRecord['proof'],
      report: PresentationReport,
      expect: Outcome | undefined,
    ): PresentationRecord => {
      const name = outcomeName(report);
      const record: PresentationRecord = {
        step: this.stepIndex,
        kind,
        ticket,
        phone: phoneName,
        mtu: report.mtu,
        proof,
        outcome: name,
        granted: name === 'granted',
        writes: report.writes,
        notifications: report.notifications,
        latencyMs: report.latencyMs,
      };
      if (report.outcome.kind === 'result' && (report.outcome.granted || report.outcome.reason === 'backoff')) record.seconds = report.outcome.seconds;
      let text = outcomeText(report);
      if (expect !== undefined) {
        record.expect = expect;
        record.met = expect === name;
        text += record.met ? '  ✓' : `  ✗ EXPECTED ${expect}`;
      }
      sim.note('phone', text);
      presentations.push(record);
      return record;
    };

    // Owner administration (administered locks): the owner's key signs, the owner's phone carries.
    const owner: AdminSigner | undefined = scenario.owner ? { kid: coseKid(scenario.owner.kid), seed: scenario.owner.seed } : undefined;
    let seq = 0;
    const admin = this.admin;
    const jsonArgs = (json: Record<string, unknown>): { [k: string]: ArgValue } => argsFromJson(json, { now: sim.time.now(), key: () => new Uint8Array(32) });
    const issuerArgs = (name: string): { [k: string]: ArgValue | undefined } => ({
      kid: signingKey(name).kid,
      key: publicKeyFromSeed(scenario.issuers[name].seed),
      name: name.slice(0, 32),
      scope: scenario.issuers[name].scope === undefined ? undefined : jsonArgs(scenario.issuers[name].scope as Record<string, unknown>),
    });
    const command = (name: CommandName, args: { [k: string]: ArgValue | undefined }): Uint8Array =>
      buildAdminCommand(owner as AdminSigner, lockCfg.id, ++seq, name, args);
    const adminDone = (kind: string, outcome: Outcome, expect: Outcome | undefined, what: string, seqOf?: number): void => {
      const record: AdminRecord = { step: this.stepIndex, kind, outcome };
      if (seqOf) record.seq = seqOf;
      let text = `owner's phone: ${what}: ${outcome}`;
      if (expect !== undefined) {
        record.expect = expect;
        record.met = expect === outcome;
        text += record.met ? '  ✓' : `  ✗ EXPECTED ${expect}`;
      }
      sim.note('phone', text);
      admin.push(record);
    };
    const sendAdmin = (kind: string, what: string, bytes: Uint8Array, expect: Outcome | undefined): void => {
      const o = sim.ownerPhone.admin(bytes);
      adminDone(kind, o.result, expect, what, o.seq);
    };

    this.issue = ticketBytes;
    this.act = (step: ScenarioStep): void => {
      const before = sim.timeline.length;
      switch (step.kind) {
        case 'note':
          sim.note('sim', `── ${step.text}`);
          break;
        case 'present': {
          const t = tickets[step.ticket];
          const phoneName = step.phone ?? t.phone;
          const m = step.mtu ?? this.mtu;
          const bytes = ticketBytes(step.ticket);
          sim.note(
            'phone',
            `${phoneName} presents ticket "${step.ticket}" (${t.courier}, ${bytes.length} bytes, MTU ${m}${step.proof === 'valid' ? '' : `, proof: ${step.proof}`})`,
          );
          const report = phoneFor(phoneName).present(bytes, { mtu: m, proof: step.proof });
          finish('present', step.ticket, phoneName, step.proof, report, step.expect);
          const entry = { frames: report.sentFrames, mtu: report.mtu, ticket: step.ticket, phone: phoneName };
          recorded.set('last', entry);
          exchanges.set(presentations.length - 1, entry);
          if (step.label !== undefined) recorded.set(step.label, entry);
          break;
        }
        case 'replay': {
          const r = (step.presentation === undefined ? recorded.get(step.of) : exchanges.get(step.presentation)) as Recording;
          const of =
            step.presentation === undefined ? `"${step.of === 'last' ? r.ticket : step.of}"` : `presentation #${step.presentation + 1} ("${r.ticket}")`;
          sim.note('phone', `an eavesdropper replays the ${r.frames.length} recorded write${r.frames.length === 1 ? '' : 's'} of ${of} on a new connection`);
          const report = phoneFor(r.phone).replay(r.frames, { mtu: r.mtu });
          const record = finish('replay', r.ticket, r.phone, 'replayed-frames', report, step.expect);
          if (step.presentation !== undefined) record.replayOf = step.presentation;
          break;
        }
        case 'wait':
          sim.wait(step.ms);
          break;
        case 'door':
          if (sim.door === undefined) sim.note('door', `door ${step.action === 'open' ? 'opened' : 'closed'} (no door sensor: the lock cannot tell)`);
          else if (step.action === 'open') sim.openDoor();
          else sim.closeDoor();
          break;
        case 'reboot':
          sim.reboot();
          break;
        case 'setClock': {
          const from = sim.time.now();
          const to = resolveTime(step.time, from);
          if (to < 0 || to > MAX_UINT32) {
            sim.note('sim', `clock not set: ${to} is outside 0..${MAX_UINT32}`);
            break;
          }
          const delta = to - from;
          sim.note('sim', `lock clock set to ${isoTime(to)} (${delta >= 0 ? '+' : '-'}${formatDuration(Math.abs(delta))})`);
          sim.moveClock(to);
          break;
        }
        case 'provision': {
          seq++;
          const bundle = buildProvisioning(owner as AdminSigner, lockCfg.id, seq, { settings: jsonArgs(step.settings), issuers: step.issuers.map(issuerArgs) });
          const o = sim.ownerPhone.admin(bundle);
          const answer = o.data === undefined ? undefined : verifyDeviceAnswer(o.data);
          if (answer?.ok) this.deviceKey = answer.value.deviceKey;
          adminDone(
            'provision',
            o.result,
            step.expect,
            `provision ${lockCfg.id} with ${step.issuers.length ? step.issuers.join(', ') : 'no issuers'}${this.deviceKey ? `; device key ${toHex(this.deviceKey).slice(0, 16)}…` : ''}`,
            o.seq,
          );
          break;
        }
        case 'addIssuer':
          sendAdmin('addIssuer', `add issuer ${step.issuer}`, command('add-issuer', issuerArgs(step.issuer)), step.expect);
          break;
        case 'removeIssuer':
          sendAdmin('removeIssuer', `remove issuer ${step.issuer}`, command('remove-issuer', { kid: signingKey(step.issuer).kid }), step.expect);
          break;
        case 'settings':
          sendAdmin('settings', `settings ${JSON.stringify(step.settings)}`, command('settings', jsonArgs(step.settings)), step.expect);
          break;
        case 'revoke': {
          const r = step.revoke;
          const now = sim.time.now();
          if (r.kind === 'ticket') {
            const t = tickets[r.ticket];
            sendAdmin(
              'revoke',
              `revoke ticket "${r.ticket}"`,
              command('revoke', { kind: 'cti', kid: signingKey(t.issuer).kid, cti: t.cti, until: resolveTime(t.expires, start) }),
              step.expect,
            );
          } else if (r.kind === 'courier') {
            sendAdmin(
              'revoke',
              `revoke courier ${r.courier} of ${r.issuer}`,
              command('revoke', { kind: 'sub', kid: signingKey(r.issuer).kid, sub: r.courier, until: resolveTime(r.until, now) }),
              step.expect,
            );
          } else if (r.kind === 'issued-before') {
            const before = resolveTime(r.before, now);
            sendAdmin(
              'revoke',
              `revoke ${r.issuer}'s tickets issued before ${isoTime(before)}`,
              command('revoke', { kind: 'issued-before', kid: signingKey(r.issuer).kid, before }),
              step.expect,
            );
          } else {
            sendAdmin('revoke', `revoke ${r.issuer}'s key`, command('revoke', { kind: 'key', kid: signingKey(r.issuer).kid }), step.expect);
          }
          break;
        }
        case 'signedTime': {
          const time = resolveTime(step.time, sim.time.now());
          const o = sim.ownerPhone.setTime((challenge) => buildTimeStatement(owner as AdminSigner, lockCfg.id, challenge, time));
          adminDone('signedTime', o.result, step.expect, `signed time ${isoTime(time)}`);
          break;
        }
        case 'exportLog': {
          const { outcome, chunks } = sim.ownerPhone.exportLog(command('read-log', { from: 1 }));
          let result: Outcome = outcome.result;
          if (outcome.result === 'done') {
            const joined = joinAuditExports(chunks, portableHashes().sha256);
            const verified = joined.ok && this.deviceKey !== undefined ? verifyAuditExport(joined.value, this.deviceKey, portableHashes().sha256) : undefined;
            result = verified?.ok ? 'verified' : 'not-verified';
            if (verified?.ok) {
              sim.note('phone', `owner's phone: audit log, ${verified.value.entries.length} entries, chain and device signature verified:`);
              for (const e of verified.value.entries) {
                const detail = Object.entries(e.detail)
                  .filter(([k]) => k !== 'retryAfter')
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ');
                sim.note('phone', `  #${e.seq} ${isoTime(e.at).slice(11, 19)} ${e.event}${detail ? ' ' + detail : ''}`);
              }
            }
          }
          adminDone('exportLog', result, step.expect, 'export the audit log', outcome.seq);
          break;
        }
        case 'jam':
          if (step.jam === 'clear') {
            sim.actuator.clearJam();
            sim.note('sim', 'bolt mechanism freed (jam cleared)');
          } else if (step.jam === 'stuck') {
            sim.actuator.jammed = true;
            sim.note('sim', 'bolt mechanism stuck: every drive fails until "jam": "clear"');
          } else {
            sim.actuator.jam(step.jam);
            sim.note('sim', `bolt mechanism will fail the next ${step.jam} drive${step.jam === 1 ? '' : 's'}`);
          }
          break;
      }
      sim.notePowerCut();
      tagStep(before);
    };
  }

  /** True when every step of the scenario was performed. */
  get done(): boolean {
    return this.position >= this.scenario.steps.length;
  }

  /** Index of the next scenario step (= steps performed so far). */
  get nextIndex(): number {
    return this.position;
  }

  /** The next scenario step, if any. */
  get nextStep(): ScenarioStep | undefined {
    return this.scenario.steps[this.position];
  }

  /** Performs the next scenario step; undefined when the scenario is done. */
  next(): StepReport | undefined {
    if (this.done) return undefined;
    const index = this.position++;
    return this.play(index, this.scenario.steps[index]);
  }

  /**
   * Performs a step that is not in the scenario (the page's controls), on the same lock. It must
   * name known tickets, phones and issuers, and a replay an earlier presentation; otherwise it
   * throws a RangeError and nothing happens.
   */
  perform(step: ScenarioStep): StepReport {
    if (step.kind === 'present' && (!Object.hasOwn(this.tickets, step.ticket) || (step.phone !== undefined && !Object.hasOwn(this.phones, step.phone))))
      throw new RangeError(`no ticket or phone named "${step.ticket}"`);
    if (step.kind === 'replay' && (step.presentation === undefined ? !this.recorded.has(step.of) : !this.exchanges.has(step.presentation)))
      throw new RangeError(`nothing recorded as ${step.presentation === undefined ? `"${step.of}"` : `presentation #${step.presentation + 1}`} to replay`);
    if (ADMIN_STEPS.includes(step.kind) && this.scenario.owner === undefined) throw new RangeError('admin steps need an administered lock');
    if (step.kind === 'door' && this.sim.door === undefined) throw new RangeError('this lock has no door sensor');
    return this.play(-1, step);
  }

  /** Plays every remaining step and returns the whole run. */
  finish(): ScenarioRun {
    while (!this.done) this.next();
    return this.snapshot();
  }

  /** Adds (or replaces) a phone holding the key from `seed` (32 bytes). */
  addPhone(name: string, seed: Uint8Array): void {
    this.phones[name] = { seed };
  }

  /** Adds a ticket (e.g. issued from the page's form); its issuer and phone must be known. */
  addTicket(name: string, ticket: ScenarioTicket): void {
    if (!Object.hasOwn(this.scenario.issuers, ticket.issuer)) throw new RangeError(`no issuer named "${ticket.issuer}"`);
    if (!Object.hasOwn(this.phones, ticket.phone)) throw new RangeError(`no phone named "${ticket.phone}"`);
    if (Object.hasOwn(this.tickets, name)) throw new RangeError(`a ticket named "${name}" exists already`);
    this.tickets[name] = ticket;
  }

  /** The signed ticket bytes for a known ticket (issued once, then the same bytes). */
  ticketBytes(name: string): Uint8Array {
    if (!Object.hasOwn(this.tickets, name)) throw new RangeError(`no ticket named "${name}"`);
    return this.issue(name);
  }

  /** The recorded exchanges a replay step may name: "last", and the labels given so far. */
  recordings(): string[] {
    return [...this.recorded.keys()];
  }

  /**
   * The presentations whose writes were recorded (every present step, scenario or page), oldest
   * first: a replay step with `presentation: index` resends any of them, as `of` does for labels.
   */
  replayable(): { index: number; presentation: PresentationRecord }[] {
    return [...this.exchanges.keys()].map((index) => ({ index, presentation: this.presentations[index] }));
  }

  /**
   * Arms a power cut at the lock's next flash write (before it is applied, or just after), as the
   * page's "cut the power" control does. The lock then stays off until a reboot step.
   */
  cutPowerAtNextWrite(when: 'before' | 'after'): void {
    const storage = this.sim.storage as { cutAtWrite?: (n: number, when: 'before' | 'after') => void };
    if (typeof storage.cutAtWrite !== 'function') throw new RangeError('this storage cannot simulate a power cut');
    storage.cutAtWrite(1, when);
    this.sim.note('sim', `the power will be cut at the next flash write (${when === 'before' ? 'before it is applied' : 'just after it is applied'})`);
  }

  /** The RTC's battery dies: the lock's clock restarts at 1970, unset. */
  rtcPowerLoss(): void {
    this.sim.rtcPowerLoss();
  }

  private play(index: number, step: ScenarioStep): StepReport {
    const from = this.sim.timeline.length;
    const presentations = this.presentations.length;
    const admins = this.admin.length;
    this.stepIndex = index;
    this.act(step);
    const report: StepReport = { index, step, timeline: this.sim.timeline.slice(from).map((e) => this.line(e)) };
    if (this.presentations.length > presentations) report.presentation = this.presentations[this.presentations.length - 1];
    if (this.admin.length > admins) report.admin = this.admin[this.admin.length - 1];
    return report;
  }

  private line(e: TimelineEntry): RunTimelineEntry {
    const line: RunTimelineEntry = { elapsed: e.elapsed, at: e.at, source: e.source, text: e.text };
    const step = this.stepOf.get(e);
    if (step !== undefined) line.step = step;
    if (e.entry !== undefined) line.entry = e.entry;
    return line;
  }

  /** The run so far: timeline, presentations, admin records and the summary as of now. */
  snapshot(): ScenarioRun {
    const sim = this.sim;
    const scenario = this.scenario;
    const timeline = sim.timeline.map((e) => this.line(e));
    const presentations = [...this.presentations];
    const admin = [...this.admin];
    const summary = summarize(timeline, presentations, sim.actuator.position, writesOf(sim.storage), this.storageWritesBefore);
    for (const a of admin) {
      if (a.expect === undefined) continue;
      summary.expectations.total++;
      if (a.met) summary.expectations.met++;
      else summary.expectations.failed.push({ step: a.step, expected: a.expect, actual: a.outcome });
    }
    const run: ScenarioRun = {
      name: scenario.name,
      lockId: scenario.lock.id,
      mtu: scenario.mtu,
      relockSeconds: scenario.lock.relockSeconds ?? 5,
      doorSensor: scenario.lock.doorSensor ?? true,
      start: this.start,
      end: sim.time.now(),
      elapsed: sim.time.elapsed(),
      timeline,
      presentations,
      admin,
      summary,
      ok: summary.expectations.failed.length === 0,
    };
    if (this.deviceKey !== undefined) run.deviceKey = toHex(this.deviceKey);
    if (scenario.description !== undefined) run.description = scenario.description;
    return run;
  }
}

function writesOf(storage: unknown): number | undefined {
  const n = (storage as { writes?: unknown } | undefined)?.writes;
  return typeof n === 'number' ? n : undefined;
}

function summarize(
  timeline: RunTimelineEntry[],
  presentations: PresentationRecord[],
  bolt: 'locked' | 'unlocked',
  writesAfter: number | undefined,
  writesBefore: number | undefined,
): ScenarioSummary {
  const outcomes: Record<string, number> = {};
  const mtus = new Map<number, ScenarioSummary['perMtu'][number]>();
  for (const p of presentations) {
    outcomes[p.outcome] = (outcomes[p.outcome] ?? 0) + 1;
    const m = mtus.get(p.mtu);
    if (m === undefined) {
      mtus.set(p.mtu, {
        mtu: p.mtu,
        presentations: 1,
        granted: p.granted ? 1 : 0,
        writes: [p.writes, p.writes],
        notifications: [p.notifications, p.notifications],
      });
    } else {
      m.presentations++;
      if (p.granted) m.granted++;
      m.writes = [Math.min(m.writes[0], p.writes), Math.max(m.writes[1], p.writes)];
      m.notifications = [Math.min(m.notifications[0], p.notifications), Math.max(m.notifications[1], p.notifications)];
    }
  }
  const relocks: Record<string, number> = {};
  let unlocks = 0;
  let unlocked = false;
  const alarms: AlarmRecord[] = [];
  for (const line of timeline) {
    const e = line.entry;
    if (e === undefined) continue;
    if (e.event === 'unlocked') {
      unlocks++;
      unlocked = true;
    }
    if (e.event === 'locked' && unlocked) {
      // What ended each unlock: the deadline, the door closing, or a boot (power cycle).
      relocks[String(e.why)] = (relocks[String(e.why)] ?? 0) + 1;
      unlocked = false;
    }
    if (e.level === 'alarm') {
      const alarm: AlarmRecord = { elapsed: line.elapsed, at: line.at, alarm: e.event.replace(/^alarm:/, '') };
      if (line.step !== undefined) alarm.step = line.step;
      alarms.push(alarm);
    }
  }
  const withExpect = presentations.filter((p) => p.expect !== undefined);
  const granted = presentations.filter((p) => p.granted).length;
  return {
    presentations: presentations.length,
    granted,
    refused: presentations.length - granted,
    outcomes,
    perMtu: [...mtus.values()].sort((a, b) => b.mtu - a.mtu),
    bleWrites: presentations.reduce((n, p) => n + p.writes, 0),
    bleNotifications: presentations.reduce((n, p) => n + p.notifications, 0),
    unlocks,
    relocks,
    bolt,
    alarms,
    storageWrites: writesAfter === undefined ? undefined : writesAfter - (writesBefore ?? 0),
    expectations: {
      total: withExpect.length,
      met: withExpect.filter((p) => p.met).length,
      failed: withExpect.filter((p) => !p.met).map((p) => ({ step: p.step, expected: p.expect as Outcome, actual: p.outcome })),
    },
  };
}
