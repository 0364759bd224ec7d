// The `latchkey` command line: dispatch to one module per command (cli/commands/), --help and
// --version. Host-side only (Node): the lock runs src/ and never this code. `main` never throws:
// every failure becomes one line on stderr, prefixed "latchkey: ", and an exit code (see USAGE_NOTES).

import * as fs from 'node:fs';
import * as admin from './commands/admin.js';
import * as audit from './commands/audit.js';
import * as inspect from './commands/inspect.js';
import * as issue from './commands/issue.js';
import * as keygen from './commands/keygen.js';
import * as sim from './commands/sim.js';
import * as verify from './commands/verify.js';
import { CliError, describeUnknown, oneLine, stderrLine, stdout } from './output.js';

const USAGE_HELP = `latchkey help [COMMAND]
    Show this text, or the usage of one command (same as latchkey COMMAND --help).`;

const USAGE_NOTES = `T       a time: ISO-8601 with a timezone (2026-11-21T09:00:00Z, 2026-11-21T10:00:00+01:00)
        or unix seconds (digits only)
S       seconds (digits only)
TICKET  a file holding the binary ticket, or its hex (0x prefix and whitespace allowed) or
        base64/base64url text; - reads it from stdin. Inputs are read up to 64 KiB, no more.
Keys are JWK files (RFC 8037): {"kty":"OKP","crv":"Ed25519","x":...,"d":...,"kid":...}.
Times (T) for issue and verify may also be relative to now: now, +3h, -10m, +1d12h.
Exit status: 0 success or granted; 1 a ticket refused (verify) or an expectation not met (sim);
2 usage, file or input error, including input that is not a ticket at all. See docs/cli.md.
latchkey --version prints the version.`;

type Command = { usage: string; run: (args: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  keygen: { usage: keygen.usage, run: keygen.run },
  issue: { usage: issue.usage, run: issue.run },
  inspect: { usage: inspect.usage, run: inspect.run },
  verify: { usage: verify.usage, run: verify.run },
  sim: { usage: sim.usage, run: sim.run },
  admin: { usage: admin.usage, run: admin.run },
  audit: { usage: audit.usage, run: audit.run },
  demo: { usage: sim.demoUsage, run: sim.runDemoCommand },
};

export const USAGE = `Usage: latchkey COMMAND [OPTIONS]

Latchkey offline tickets (COSE_Sign1 / CWT, Ed25519): make keys, issue, inspect, verify, simulate; administer locks and verify their audit logs.

Commands:
${[...Object.values(COMMANDS).map((c) => c.usage), USAGE_HELP].map((u) => '  ' + u.replace(/\n/g, '\n  ')).join('\n\n')}

${USAGE_NOTES}
`;

const commandUsage = (text: string): string => `Usage: ${text}\n\n${USAGE_NOTES}\n`;

const isHelpFlag = (arg: string): boolean => arg === '--help' || arg === '-h';

/** The package version, read from package.json beside dist/ (the CLI ships with the project). */
function version(): string {
  try {
    const json = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof json.version === 'string') return json.version;
  } catch {
    // fall through
  }
  throw new CliError('cannot read the version from package.json');
}

/** Runs the CLI on argv (without "node" and the script); resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    if (error instanceof CliError) {
      stderrLine(error.message);
      return error.exitCode;
    }
    stderrLine('internal error: ' + describeUnknown(error));
    return 2;
  }
}

async function dispatch(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    if (rest.length > 0) throw new CliError('--version takes no arguments');
    stdout(`latchkey ${version()}\n`);
    return 0;
  }
  if (isHelpFlag(name) || name === 'help') {
    const topic = rest[0];
    if (rest.length > 1) throw new CliError('help takes at most one command name');
    if (topic === undefined) {
      stdout(USAGE);
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : topic === 'help' ? { usage: USAGE_HELP } : undefined;
    if (command === undefined) throw new CliError(`help: unknown command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    stdout(commandUsage(command.usage));
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    const what = name.startsWith('-') ? `unknown option ${name} (a command comes first)` : `unknown command "${name}"`;
    process.stderr.write(`latchkey: ${oneLine(what)}\n\n${USAGE}`);
    return 2;
  }
  const command = COMMANDS[name];
  const endOfOptions = rest.indexOf('--');
  if ((endOfOptions < 0 ? rest : rest.slice(0, endOfOptions)).some(isHelpFlag)) {
    stdout(commandUsage(command.usage));
    return 0;
  }
  return command.run(rest);
}
