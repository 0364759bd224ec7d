// The text report of a scenario run, for people: header, a timeline with a legend for its
// columns and readable times next to the lock's raw unix seconds, a summary, and where to go next.

import { MAX_UINT32 } from '../../src/bytes.js';
import { isoTime } from '../../issuer/time.js';
import { BUILTIN_SCENARIOS } from './parse.js';
import type { ScenarioRun } from './run.js';

// ---------------------------------------------------------------------------------------------
// Text output

const clockOfDay = (at: number): string => isoTime(at).slice(11, 19);
const dateOf = (at: number): string => isoTime(at).slice(0, 10);
const range = ([a, b]: [number, number], word: string): string => `${a === b ? a : `${a}–${b}`} ${word}${a === b && a === 1 ? '' : 's'}`;

/** The header: scenario, lock, MTU, clock. */
export function formatHeader(run: ScenarioRun, origin?: string): string[] {
  const lines = [`Latchkey simulator — scenario "${run.name}"${origin ? ` (${origin})` : ''}`];
  if (run.description) lines.push(run.description);
  lines.push(
    `lock ${run.lockId} · MTU ${run.mtu} · relock ${run.relockSeconds} s · ${run.doorSensor ? 'door sensor' : 'no door sensor'} · clock starts ${isoTime(run.start)}`,
  );
  return lines;
}

/** What the timeline's columns are, printed once above it. */
export const TIMELINE_LEGEND: readonly string[] = Object.freeze([
  "Columns: + simulated time since the start · the lock's clock (UTC) · who: lock (the firmware's own log),",
  "         bolt and door (the hardware), phone (the courier's phone over BLE), sim (the scenario's notes) · what.",
  "         Unix times in the lock's log are followed by the same time in UTC.",
]);

/** Unix seconds in free text (as the lock logs them) get their UTC time alongside. */
export function withReadableTimes(text: string): string {
  return text.replace(/(?<![\w.])(\d{9,10})(?![\w.])/g, (digits) => {
    const n = Number(digits);
    return n >= 100_000_000 && n <= MAX_UINT32 ? `${digits} (${isoTime(n)})` : digits;
  });
}

/** One line per timeline event: "+  0.105 s  09:00:00  phone  GRANTED, …". */
export function formatTimeline(run: ScenarioRun): string[] {
  const width = Math.max(7, ...run.timeline.map((e) => (e.elapsed / 1000).toFixed(3).length));
  const lines: string[] = [];
  let date = dateOf(run.start);
  for (const e of run.timeline) {
    const d = dateOf(e.at);
    if (d !== date) {
      lines.push(`${' '.repeat(width + 5)}── lock clock date ${d}`);
      date = d;
    }
    lines.push(`+${(e.elapsed / 1000).toFixed(3).padStart(width)} s  ${clockOfDay(e.at)}  ${e.source.padEnd(5)}  ${withReadableTimes(e.text)}`);
  }
  return lines;
}

/** The summary at the end. */
export function formatSummary(run: ScenarioRun): string[] {
  const s = run.summary;
  const row = (label: string, value: string): string => `  ${label.padEnd(14)} ${value}`;
  const refusals = Object.entries(s.outcomes)
    .filter(([k]) => k !== 'granted')
    .map(([k, n]) => `${k} ${n}`);
  const lines = ['Summary'];
  lines.push(row('presentations', `${s.presentations}: ${s.granted} granted, ${s.refused} refused${refusals.length ? ` (${refusals.join(', ')})` : ''}`));
  for (const m of s.perMtu) {
    lines.push(
      row(
        `MTU ${m.mtu}`,
        `${range(m.writes, 'write')} and ${range(m.notifications, 'notification')} per presentation (${m.presentations} presented, ${m.granted} granted)`,
      ),
    );
  }
  const relocks = Object.entries(s.relocks).map(([k, n]) => `${n} ${k}`);
  const unlocks =
    s.unlocks === 0 ? 'never unlocked' : `${s.unlocks} unlock${s.unlocks === 1 ? '' : 's'}${relocks.length ? `, relocked by ${relocks.join(', ')}` : ''}`;
  lines.push(row('bolt', `${s.bolt} at the end; ${unlocks}`));
  lines.push(row('alarms', s.alarms.length ? s.alarms.map((a) => `${a.alarm} at ${clockOfDay(a.at)}`).join(', ') : 'none'));
  if (s.storageWrites !== undefined) lines.push(row('flash writes', String(s.storageWrites)));
  const x = s.expectations;
  lines.push(row('expectations', x.total === 0 ? 'none given' : `${x.met}/${x.total} met`));
  for (const f of x.failed) lines.push(`    ✗ steps[${f.step}]: expected ${f.expected}, got ${f.actual}`);
  return lines;
}

/** Where to go after a run: the options, the other scenarios, the docs. */
export function formatNext(run: ScenarioRun): string[] {
  const others = Object.keys(BUILTIN_SCENARIOS).filter((name) => name !== run.name);
  return [
    `Next: latchkey sim --help for the options; other scenarios: ${others.map((name) => `latchkey sim --scenario ${name}`).join(', ')};`,
    '      write your own: docs/simulator.md.',
  ];
}

/** The whole text report: header, legend, timeline, summary, what next. */
export function formatRun(run: ScenarioRun, origin?: string): string[] {
  return [...formatHeader(run, origin), '', ...TIMELINE_LEGEND, '', ...formatTimeline(run), '', ...formatSummary(run), '', ...formatNext(run)];
}
