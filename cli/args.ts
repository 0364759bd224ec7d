// Option parsing for the CLI's commands: node:util parseArgs in strict mode, its errors said in one
// short line, and typed readers for required and optional values, times and bounded numbers.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_UINT32 } from '../src/index.js';
import { isoTime, parseSecondsArg, parseTimeArg } from '../issuer/time.js';
import { CliError, oneLine } from './output.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parseCommand(command: string, args: string[], options: Options, positionals: number): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true }) as { values: Values; positionals: string[] };
  } catch (error) {
    throw new CliError(`${command}: ${argumentProblem(error)} (see latchkey ${command} --help)`);
  }
  if (parsed.positionals.length > positionals) {
    throw new CliError(`${command}: unexpected argument "${parsed.positionals[positionals]}" (see latchkey ${command} --help)`);
  }
  return parsed;
}

/** node:util parseArgs messages are long and sometimes multi-line; say the same thing briefly. */
function argumentProblem(error: unknown): string {
  const code = (error as { code?: string })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `option ${option} takes no value`;
      if (/ambiguous/.test(message)) return `option ${option} needs a value (write ${option}=-x for a value starting with "-")`;
      return `option ${option} needs a value`;
    default:
      return oneLine(message);
  }
}

export function requireString(command: string, values: Values, name: string, metavar: string): string {
  const value = values[name];
  if (typeof value !== 'string') throw new CliError(`${command}: missing --${name} ${metavar} (see latchkey ${command} --help)`);
  if (value.length === 0) throw new CliError(`${command}: --${name} must not be empty`);
  return value;
}

export function optionalString(command: string, values: Values, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new CliError(`${command}: --${name} must not be empty`);
  return value;
}

/**
 * A time option: absolute, or relative to `now` (the command's start, so "now" and "+3h" in one
 * command agree). Bounded by the lock's 32-bit clock.
 */
export function timeOption(command: string, name: string, text: string, now: number): number {
  const parsed = parseTimeArg(text, now);
  if (!parsed.ok) throw new CliError(`${command}: --${name}: ${parsed.error}`);
  if (parsed.seconds > MAX_UINT32) {
    throw new CliError(`${command}: --${name}: ${isoTime(parsed.seconds)} is after ${isoTime(MAX_UINT32)}, the end of a lock's 32-bit clock`);
  }
  return parsed.seconds;
}

/** A whole number of seconds (digits only) in min..max; the bound and its reason are said on error. */
export function secondsOption(command: string, name: string, text: string | undefined, min: number, max: number, why = ''): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseSecondsArg(text);
  if (seconds === undefined || seconds < min || seconds > max) {
    throw new CliError(`${command}: --${name}: "${text}" is not a whole number of seconds ${min}..${max}${why}`);
  }
  return seconds;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
