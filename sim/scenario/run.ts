// Playing a parsed scenario to the end on the simulator (the real src/ lock on simulated
// hardware): the timeline of what happened and a summary, checked against the scenario's
// expectations. The stepping is ScenarioPlayer's (player.ts); this is the loop `latchkey sim` runs.
// Portable.

import type { Scenario } from './parse.js';
import { ScenarioPlayer, type RunOptions, type ScenarioRun } from './player.js';

export {
  ScenarioPlayer,
  type AdminRecord,
  type AlarmRecord,
  type PresentationRecord,
  type Recording,
  type RunOptions,
  type RunTimelineEntry,
  type ScenarioRun,
  type ScenarioSummary,
  type StepReport,
} from './player.js';

/** Plays a parsed scenario on a fresh simulator. Deterministic for the same scenario and storage. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioRun {
  return new ScenarioPlayer(scenario, options).finish();
}
