// latchkey sim (and demo, its older name): run the lock firmware on simulated hardware against a
// scenario, optionally keeping the lock's storage in a folder across runs.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isoTime, parseSecondsArg } from '../../issuer/time.js';
import { FileStorage } from '../../sim/hal/file-storage.js';
import { BLE_MAX_MTU, BLE_MIN_MTU } from '../../sim/hal/ble-link.js';
import { formatRun } from '../../sim/scenario/format.js';
import { BUILTIN_SCENARIOS, ScenarioError, parseScenario, withOverrides, type Scenario, type ScenarioOverrides } from '../../sim/scenario/parse.js';
import { runScenario, type RunOptions, type ScenarioRun } from '../../sim/scenario/run.js';
import { keptClock, resumeOptions } from '../../sim/scenario/resume.js';
import { optionalString, parseCommand, secondsOption, type Options, type Values } from '../args.js';
import { INPUT_LIMITS, readJson } from '../input.js';
import { CliError, fileProblem, stdout, writeFile } from '../output.js';
import { WEB_ROOT, WebServerError, startWebServer } from '../web-server.js';

export const usage = `latchkey sim [--scenario FILE|NAME] [--mtu N] [--lock LOCK_ID] [--relock S] [--no-door]
             [--state DIR] [--json]
       latchkey sim --web [--port N] [--scenario FILE|NAME]
    Run the lock firmware (src/) on simulated hardware against a scenario of courier phones
    and tickets, and print the timeline and a summary. Without --scenario: the built-in
    default demo. NAME is a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}); a value
    ending in .json or holding a / is a file. --mtu sets the default BLE MTU (23..517), --lock,
    --relock and --no-door override the scenario's lock. --state DIR keeps the lock's storage
    (replay record, clock mark, back-off) in DIR across runs. --json prints one JSON object.
    Exit status 0 if every "expect" in the scenario was met, 1 if not.
    --web serves the web simulator and the courier client on http://127.0.0.1:PORT/ (this machine
    only; --port 0..65535, default 8517, 0 picks a free port) and runs until Ctrl-C; with
    --scenario, the simulator page opens with that scenario (checked first: a bad one exits 2).`;

export const demoUsage = `latchkey demo [OPTIONS]
    The same as latchkey sim (its older name).`;

export const run = (args: string[]): Promise<number> => simCommand('sim', args);
export const runDemoCommand = (args: string[]): Promise<number> => simCommand('demo', args);

/** In --state DIR, beside the lock's storage files: the lock's clock when the last run ended. */
export const STATE_CLOCK_FILE = '@sim-clock.json';

const SIM_OPTIONS: Options = {
  scenario: { type: 'string' },
  mtu: { type: 'string' },
  lock: { type: 'string' },
  relock: { type: 'string' },
  'no-door': { type: 'boolean' },
  state: { type: 'string' },
  json: { type: 'boolean' },
  web: { type: 'boolean' },
  port: { type: 'string' },
};

/** Where the page finds the scenario given with --scenario (web/sim/main.ts reads it when the URL says ?preload=1). */
export const PRELOAD_PATH = '/sim/preload.json';

/** The web simulator's default port: an unassigned one, easy to remember beside the 517-byte MTU. */
export const DEFAULT_WEB_PORT = 8517;

/** Where a scenario came from, for the header: a built-in name or a file path. */
interface LoadedScenario {
  scenario: Scenario;
  origin: string;
  /** Its name, and the JSON as read (what the web page parses again). */
  name: string;
  json: unknown;
}

const isScenarioFile = (value: string): boolean => value.endsWith('.json') || value.includes('/') || value.includes(nodePath.sep);

function loadScenario(c: string, value: string | undefined): LoadedScenario {
  const parse = (json: unknown, name: string, what: string): Scenario => {
    try {
      return parseScenario(json, name);
    } catch (error) {
      if (error instanceof ScenarioError) throw new CliError(`${what}: ${error.message}`);
      throw error;
    }
  };
  if (value === undefined)
    return {
      scenario: parse(BUILTIN_SCENARIOS.default, 'default', 'built-in scenario default'),
      origin: 'built in',
      name: 'default',
      json: BUILTIN_SCENARIOS.default,
    };
  if (!isScenarioFile(value)) {
    if (!Object.hasOwn(BUILTIN_SCENARIOS, value)) {
      throw new CliError(
        `${c}: --scenario: no built-in scenario "${value}" (built in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}; a file name ends in .json)`,
      );
    }
    return { scenario: parse(BUILTIN_SCENARIOS[value], value, `built-in scenario ${value}`), origin: 'built in', name: value, json: BUILTIN_SCENARIOS[value] };
  }
  const name = nodePath.basename(value).replace(/\.json$/, '');
  const json = readJson(value, 'scenario', INPUT_LIMITS.scenario);
  return { scenario: parse(json, name, `scenario ${value}`), origin: value, name, json };
}

function simOverrides(c: string, values: Values): ScenarioOverrides {
  const overrides: ScenarioOverrides = {};
  const mtuText = optionalString(c, values, 'mtu');
  if (mtuText !== undefined) {
    const mtu = parseSecondsArg(mtuText);
    if (mtu === undefined || mtu < BLE_MIN_MTU || mtu > BLE_MAX_MTU)
      throw new CliError(`${c}: --mtu: "${mtuText}" is not an ATT MTU (a whole number ${BLE_MIN_MTU}..${BLE_MAX_MTU})`);
    overrides.mtu = mtu;
  }
  const lockId = optionalString(c, values, 'lock');
  if (lockId !== undefined) overrides.lockId = lockId;
  const relock = secondsOption(c, 'relock', optionalString(c, values, 'relock'), 1, 3600);
  if (relock !== undefined) overrides.relockSeconds = relock;
  if (values['no-door'] === true) overrides.doorSensor = false;
  return overrides;
}

interface SimState {
  dir: string;
  storage: FileStorage;
  /** The lock's clock when the previous run in DIR ended, if there was one. */
  resumeAt: number | undefined;
}

function openState(c: string, dir: string): SimState {
  let storage: FileStorage;
  try {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new CliError(`${c}: --state ${dir}: not a directory`);
    storage = new FileStorage(dir);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${c}: --state ${dir}: ${fileProblem(error)}`);
  }
  const clockFile = nodePath.join(storage.dir, STATE_CLOCK_FILE);
  let resumeAt: number | undefined;
  if (fs.existsSync(clockFile)) {
    const saved = readJson(clockFile, 'simulator state', INPUT_LIMITS.state);
    resumeAt = keptClock((saved as { rtc?: unknown } | null)?.rtc);
    if (resumeAt === undefined) throw new CliError(`simulator state ${clockFile}: no valid "rtc" (delete the file to start the clock afresh)`);
  }
  return { dir: storage.dir, storage, resumeAt };
}

function saveState(state: SimState, run: ScenarioRun): void {
  const clockFile = nodePath.join(state.dir, STATE_CLOCK_FILE);
  writeFile(clockFile, JSON.stringify({ rtc: run.end, rtcIso: isoTime(run.end), scenario: run.name }) + '\n', 'simulator state');
}

async function simCommand(c: string, args: string[]): Promise<number> {
  const { values } = parseCommand(c, args, SIM_OPTIONS, 0);
  if (values.web === true) return serveWeb(c, values);
  if (values.port !== undefined) throw new CliError(`${c}: --port: only with --web`);
  const loaded = loadScenario(c, optionalString(c, values, 'scenario'));
  const scenario = withOverrides(loaded.scenario, simOverrides(c, values));
  const stateDir = optionalString(c, values, 'state');
  const state = stateDir === undefined ? undefined : openState(c, stateDir);
  // The lock's clock never runs backwards between runs: resume where the last run stopped.
  const options: RunOptions = state === undefined ? {} : resumeOptions(state.storage, scenario.start, state.resumeAt);
  const run = runScenario(scenario, options);
  if (state !== undefined) saveState(state, run);

  if (values.json === true) {
    const stateJson =
      state === undefined
        ? undefined
        : { dir: state.dir, resumed: state.resumeAt !== undefined, ...(options.startTime === undefined ? {} : { resumedAt: options.startTime }) };
    stdout(JSON.stringify({ origin: loaded.origin, ...(stateJson === undefined ? {} : { state: stateJson }), ...run }) + '\n');
  } else {
    const lines = formatRun(run, loaded.origin);
    if (state !== undefined) {
      const how =
        state.resumeAt === undefined
          ? 'fresh'
          : `resumed: ${options.startTime === undefined ? 'clock from the scenario' : `lock clock continues from ${isoTime(options.startTime)}`}`;
      lines.splice(lines.indexOf(''), 0, `state ${state.dir} (${how})`);
    }
    for (const line of lines) stdout(line + '\n');
  }
  return run.ok ? 0 : 1;
}

/** latchkey sim --web: serve the pages until the user stops the command (Ctrl-C). */
async function serveWeb(c: string, values: Values): Promise<number> {
  // The page plays the scenario as written; the text report's options have no meaning there.
  for (const flag of ['mtu', 'lock', 'relock', 'no-door', 'state', 'json'])
    if (values[flag] !== undefined) throw new CliError(`${c}: --${flag}: not with --web (the page has its own controls)`);
  const scenarioArg = optionalString(c, values, 'scenario');
  const preload = scenarioArg === undefined ? undefined : loadScenario(c, scenarioArg);
  const portText = optionalString(c, values, 'port');
  let port = DEFAULT_WEB_PORT;
  if (portText !== undefined) {
    const parsed = parseSecondsArg(portText);
    if (parsed === undefined || parsed > 65535) throw new CliError(`${c}: --port: "${portText}" is not a TCP port (a whole number 0..65535)`);
    port = parsed;
  }
  if (!fs.existsSync(nodePath.join(WEB_ROOT, 'index.html'))) throw new CliError(`${c}: --web: the web pages are not built (${WEB_ROOT}); run npm run build`);
  let server;
  try {
    server = await startWebServer({
      port,
      ...(preload === undefined
        ? {}
        : {
            extraRoutes: {
              [PRELOAD_PATH]: {
                contentType: 'application/json; charset=utf-8',
                body: JSON.stringify({ name: preload.name, origin: preload.origin, scenario: preload.json }),
              },
            },
          }),
    });
  } catch (error) {
    if (error instanceof WebServerError) throw new CliError(`${c}: --web: ${error.message}`);
    throw error;
  }
  stdout(`latchkey: web simulator at ${server.url}sim/${preload === undefined ? '' : '?preload=1'}\n`);
  if (preload !== undefined) stdout(`latchkey: the simulator opens with scenario "${preload.name}" (${preload.origin})\n`);
  stdout(`latchkey: courier client at ${server.url}courier/\n`);
  stdout('latchkey: serving this machine only (127.0.0.1); Ctrl-C stops\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
