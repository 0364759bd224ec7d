// The `latchkey` command line: key generation, issuing, inspecting and verifying tickets, and the
// simulator (`sim`, alias `demo`). Host-side only (Node): the lock runs src/ and never this file. `main` never throws: every
// failure becomes one line on stderr, prefixed "latchkey: ", and an exit code
// (0 success or granted, 1 refused, 2 usage, input or file error).

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  DEFAULT_MAX_WINDOW_SECONDS, DEFAULT_SKEW_SECONDS, MAX_TICKET_BYTES, decodeStrict, fromHex, parseClaims, parseEnvelope, toHex, verifyTicket,
  type Decision, type TicketClaims, type TrustedIssuer,
} from '../src/index.js';
import { Tag } from '../src/cbor/decode.js';
import {
  ALG_ED25519, ALG_EDDSA, COSE_SIGN1_TAG, CTI_MAX_LENGTH, CTI_MIN_LENGTH, HEADER_ALG, HEADER_CONTENT_TYPE, HEADER_CRIT,
  HEADER_KID, HEADER_TYP,
} from '../src/ticket.js';
import { FileStorage } from './hal/file-storage.js';
import { BLE_MAX_MTU, BLE_MIN_MTU } from './hal/ble-link.js';
import { issueTicket } from './issuer.js';
import { base64urlEncode, coseKid, JwkError, jwkFromSeed, parseJwk, publicJwk, signingKeyFromJwk } from './jwk.js';
import {
  BUILTIN_SCENARIOS, ScenarioError, formatRun, parseScenario, runScenario, withOverrides, type RunOptions, type Scenario,
  type ScenarioOverrides, type ScenarioRun,
} from './scenario.js';
import { formatDuration, isoTime, parseSecondsArg, parseTimeArg } from './time-arg.js';

// ---------------------------------------------------------------------------------------------
// Usage

const USAGE_KEYGEN = `latchkey keygen --kid ID --out FILE [--force]
    Create an Ed25519 key pair. Writes the private JWK to FILE (mode 0600; an existing
    FILE is kept unless --force) and prints the public JWK on stdout.`;

const USAGE_ISSUE = `latchkey issue --key ISSUER.jwk --lock LOCK_ID --courier ID --holder HOLDER.jwk
               --not-before T --expires T [--iss NAME] [--cti HEX] [--issued-at T] [--out FILE]
    Sign a ticket with the issuer's private key (a JWK with "d" and "kid") for the holder
    key's owner (HOLDER.jwk: public or private, only "x" is used). --issued-at defaults to
    now, --cti (ticket ID, 8 to 32 bytes of hex) to 16 random bytes. Prints the ticket as
    hex on one line, or writes the binary ticket to FILE with --out.`;

const USAGE_INSPECT = `latchkey inspect TICKET [--json]
    Decode a ticket's headers and claims. Does NOT check the signature (use verify).`;

const USAGE_VERIFY = `latchkey verify TICKET --lock LOCK_ID --trust PUBLIC.jwk [--trust PUBLIC.jwk ...]
               [--now T] [--skew S] [--max-window S] [--json]
    Decide as the lock LOCK_ID would, trusting the given issuer keys (each JWK needs a
    "kid"). --now defaults to the current time, --skew to ${DEFAULT_SKEW_SECONDS} s, --max-window to
    ${DEFAULT_MAX_WINDOW_SECONDS} s. Exit status 0 if granted, 1 if refused.`;

const USAGE_SIM = `latchkey sim [--scenario FILE|NAME] [--mtu N] [--lock LOCK_ID] [--relock S] [--no-door]
             [--state DIR] [--json]
    Run the lock firmware (src/) on simulated hardware against a scenario of courier phones
    and tickets, and print the timeline and a summary. Without --scenario: the built-in
    default demo. NAME is a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}); a value
    ending in .json or holding a / is a file. --mtu sets the default BLE MTU (23..517), --lock,
    --relock and --no-door override the scenario's lock. --state DIR keeps the lock's storage
    (replay record, clock mark, back-off) in DIR across runs. --json prints one JSON object.
    Exit status 0 if every "expect" in the scenario was met, 1 if not.`;

const USAGE_DEMO = `latchkey demo [OPTIONS]
    The same as latchkey sim (its older name).`;

const USAGE_HELP = `latchkey help [COMMAND]
    Show this text, or the usage of one command (same as latchkey COMMAND --help).`;

const USAGE_NOTES = `T       a time: ISO-8601 with a timezone (2026-11-21T09:00:00Z, 2026-11-21T10:00:00+01:00)
        or unix seconds (digits only)
S       seconds (digits only)
TICKET  a file holding the binary ticket or its hex text, or - to read it from stdin
Keys are JWK files (RFC 8037): {"kty":"OKP","crv":"Ed25519","x":...,"d":...,"kid":...}.
Exit status: 0 success or granted, 1 refused (sim: an expectation not met), 2 usage, input or file error.`;

export const USAGE = `Usage: latchkey COMMAND [OPTIONS]

Latchkey offline tickets (COSE_Sign1 / CWT, Ed25519): make keys, issue, inspect, verify, simulate.

Commands:
${[USAGE_KEYGEN, USAGE_ISSUE, USAGE_INSPECT, USAGE_VERIFY, USAGE_SIM, USAGE_DEMO, USAGE_HELP].map((u) => '  ' + u.replace(/\n/g, '\n  ')).join('\n\n')}

${USAGE_NOTES}
`;

const commandUsage = (text: string): string => `Usage: ${text}\n\n${USAGE_NOTES}\n`;

// ---------------------------------------------------------------------------------------------
// Errors and output

/** A failure to report as one line; exitCode 2 unless said otherwise. */
class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

function describeUnknown(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : error.name + ': '}${error.message}`;
  return String(error);
}

const stdout = (text: string): void => void process.stdout.write(text);
const stderrLine = (text: string): void => void process.stderr.write(`latchkey: ${oneLine(text)}\n`);

// ---------------------------------------------------------------------------------------------
// Entry point

type Command = { usage: string; run: (args: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  keygen: { usage: USAGE_KEYGEN, run: cmdKeygen },
  issue: { usage: USAGE_ISSUE, run: cmdIssue },
  inspect: { usage: USAGE_INSPECT, run: cmdInspect },
  verify: { usage: USAGE_VERIFY, run: cmdVerify },
  sim: { usage: USAGE_SIM, run: cmdSim },
  demo: { usage: USAGE_DEMO, run: cmdDemo },
};

const isHelpFlag = (arg: string): boolean => arg === '--help' || arg === '-h';

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

// ---------------------------------------------------------------------------------------------
// Argument helpers

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parseCommand(command: string, args: string[], options: Options, positionals: number): { values: Values; positionals: string[] } {
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

function requireString(command: string, values: Values, name: string, metavar: string): string {
  const value = values[name];
  if (typeof value !== 'string') throw new CliError(`${command}: missing --${name} ${metavar} (see latchkey ${command} --help)`);
  if (value.length === 0) throw new CliError(`${command}: --${name} must not be empty`);
  return value;
}

function optionalString(command: string, values: Values, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new CliError(`${command}: --${name} must not be empty`);
  return value;
}

function timeOption(command: string, name: string, text: string): number {
  const parsed = parseTimeArg(text);
  if (!parsed.ok) throw new CliError(`${command}: --${name}: ${parsed.error}`);
  return parsed.seconds;
}

function secondsOption(command: string, name: string, text: string | undefined, positive: boolean): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseSecondsArg(text);
  if (seconds === undefined || (positive && seconds === 0)) {
    throw new CliError(`${command}: --${name}: "${text}" is not a ${positive ? 'positive' : 'non-negative'} whole number of seconds`);
  }
  return seconds;
}

/** Latest claim time the CLI issues: the largest 32-bit unsigned integer (2106-02-07T06:28:15Z). */
const MAX_CLAIM_TIME = 0xffffffff;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// Files

function fileProblem(error: unknown): string {
  switch ((error as { code?: string })?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'EEXIST': return 'already exists';
    default: return describeUnknown(error);
  }
}

const MAX_INPUT_BYTES = 1 << 20;

function readFileBytes(path: string, what: string): Buffer {
  try {
    const stat = fs.statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stat.size > MAX_INPUT_BYTES) throw new CliError(`${what} ${path}: too large (${stat.size} bytes)`);
    return fs.readFileSync(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${what} ${path}: ${fileProblem(error)}`);
  }
}

function readJson(path: string, what: string): unknown {
  const text = readFileBytes(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} ${path}: not valid JSON (${describeUnknown(error).replace(/^SyntaxError: /, '')})`);
  }
}

/** Runs a JWK check and reports a JwkError as a problem with the named file. */
function withJwk<T>(path: string, what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof JwkError) throw new CliError(`${what} ${path}: not a usable Ed25519 JWK: ${error.message}`);
    throw error;
  }
}

function writeFile(path: string, bytes: Uint8Array | string, what: string): void {
  try {
    fs.writeFileSync(path, bytes);
  } catch (error) {
    throw new CliError(`cannot write ${what} ${path}: ${fileProblem(error)}`);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    length += buffer.length;
    if (length > MAX_INPUT_BYTES) throw new CliError('ticket on stdin: too large');
  }
  return Buffer.concat(chunks);
}

/** True if every byte is an ASCII hex digit or whitespace. */
const isHexText = (bytes: Uint8Array): boolean => bytes.every((b) => /[0-9a-fA-F\s]/.test(String.fromCharCode(b)));

/** A ticket from a file or stdin ("-"): binary bytes, or hex text (whitespace ignored). */
async function readTicket(path: string): Promise<Uint8Array> {
  const label = path === '-' ? 'ticket on stdin' : `ticket ${path}`;
  const raw = path === '-' ? await readStdin() : readFileBytes(path, 'ticket');
  if (raw.length === 0) throw new CliError(`${label}: empty`);
  if (!isHexText(raw)) return new Uint8Array(raw);
  const hex = raw.toString('latin1').replace(/\s+/g, '');
  if (hex.length === 0) throw new CliError(`${label}: empty (only whitespace)`);
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new CliError(`${label}: hex text with an odd number of digits`);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// keygen

async function cmdKeygen(args: string[]): Promise<number> {
  const { values } = parseCommand('keygen', args, {
    kid: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  }, 0);
  const kid = requireString('keygen', values, 'kid', 'ID');
  const out = requireString('keygen', values, 'out', 'FILE');
  const jwk = jwkFromSeed(new Uint8Array(randomBytes(32)), kid);
  writePrivateFile(out, JSON.stringify(jwk, null, 2) + '\n', values.force === true);
  stdout(JSON.stringify(publicJwk(jwk)) + '\n');
  return 0;
}

/**
 * Creates FILE with mode 0600. An existing FILE is an error unless force; then only a regular file
 * is replaced (a new 0600 file renamed over it), never a symlink, device or directory.
 */
function writePrivateFile(path: string, text: string, force: boolean): void {
  const fail = (error: unknown): never => {
    throw error instanceof CliError ? error : new CliError(`cannot write key ${path}: ${fileProblem(error)}`);
  };
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') fail(error);
  }
  if (existing !== undefined && !force) throw new CliError(`keygen: ${path} already exists; not overwriting it (use --force)`);
  if (existing !== undefined && !existing.isFile()) throw new CliError(`keygen: ${path} exists and is not a regular file; not replacing it`);
  const target = existing === undefined ? path : `${path}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(target, 'wx', 0o600);
    created = true;
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, text);
    fs.closeSync(fd);
    fd = undefined;
    if (target !== path) fs.renameSync(target, path);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    if (created) fs.rmSync(target, { force: true }); // no half-written key left behind
    if (!created && (error as { code?: string }).code === 'EEXIST') {
      throw new CliError(`keygen: ${path} already exists; not overwriting it (use --force)`);
    }
    fail(error);
  }
}

// ---------------------------------------------------------------------------------------------
// issue

async function cmdIssue(args: string[]): Promise<number> {
  const c = 'issue';
  const { values } = parseCommand(c, args, {
    key: { type: 'string' },
    lock: { type: 'string' },
    courier: { type: 'string' },
    holder: { type: 'string' },
    'not-before': { type: 'string' },
    expires: { type: 'string' },
    iss: { type: 'string' },
    cti: { type: 'string' },
    'issued-at': { type: 'string' },
    out: { type: 'string' },
  }, 0);
  // Everything that needs no file first, so a usage mistake is reported before a file problem.
  const keyPath = requireString(c, values, 'key', 'ISSUER.jwk');
  const lockId = requireString(c, values, 'lock', 'LOCK_ID');
  const courier = requireString(c, values, 'courier', 'ID');
  const holderPath = requireString(c, values, 'holder', 'HOLDER.jwk');
  const notBefore = timeOption(c, 'not-before', requireString(c, values, 'not-before', 'T'));
  const expires = timeOption(c, 'expires', requireString(c, values, 'expires', 'T'));
  const iss = optionalString(c, values, 'iss');
  const ctiText = optionalString(c, values, 'cti');
  const issuedAtText = optionalString(c, values, 'issued-at');
  const out = optionalString(c, values, 'out');
  const issuedAt = issuedAtText === undefined ? nowSeconds() : timeOption(c, 'issued-at', issuedAtText);

  // The lock keeps times as 32-bit unsigned seconds (replay store, clock mark): 2^32 - 1 is year 2106.
  for (const [name, value] of [['not-before', notBefore], ['expires', expires], ['issued-at', issuedAt]] as const) {
    if (value > MAX_CLAIM_TIME) throw new CliError(`${c}: --${name} (${isoTime(value)}) is after ${isoTime(MAX_CLAIM_TIME)}, the latest time a ticket can carry`);
  }
  if (expires <= notBefore) {
    throw new CliError(`${c}: --expires (${isoTime(expires)}) must be after --not-before (${isoTime(notBefore)})`);
  }
  if (issuedAt > expires) {
    const which = issuedAtText === undefined ? 'now (the default --issued-at)' : `--issued-at (${isoTime(issuedAt)})`;
    throw new CliError(`${c}: ${which} is after --expires (${isoTime(expires)}): the ticket would be expired when issued`);
  }
  let cti: Uint8Array;
  if (ctiText === undefined) {
    cti = new Uint8Array(randomBytes(16));
  } else {
    const parsed = fromHex(ctiText);
    if (parsed === undefined) throw new CliError(`${c}: --cti "${ctiText}" is not hex (an even number of digits 0-9, a-f)`);
    if (parsed.length < CTI_MIN_LENGTH || parsed.length > CTI_MAX_LENGTH) {
      throw new CliError(`${c}: --cti must be ${CTI_MIN_LENGTH} to ${CTI_MAX_LENGTH} bytes (${CTI_MIN_LENGTH * 2} to ${CTI_MAX_LENGTH * 2} hex digits), got ${parsed.length} bytes`);
    }
    cti = parsed;
  }

  const issuerJwk = readJson(keyPath, 'issuer key');
  const signingKey = withJwk(keyPath, 'issuer key', () => signingKeyFromJwk(issuerJwk));
  const holderJwk = readJson(holderPath, 'holder key');
  const holderPublicKey = withJwk(holderPath, 'holder key', () => parseJwk(holderJwk, false).publicKey);

  const fields = { courier, lockId, notBefore, expires, issuedAt, cti, holderPublicKey, ...(iss === undefined ? {} : { iss }) };
  const ticket = issueTicket(signingKey, fields);
  if (ticket.length > MAX_TICKET_BYTES) {
    throw new CliError(`${c}: the ticket would be ${ticket.length} bytes, over the locks' limit of ${MAX_TICKET_BYTES} (shorten the IDs)`);
  }
  if (expires - notBefore > DEFAULT_MAX_WINDOW_SECONDS) {
    stderrLine(`warning: the window (${formatDuration(expires - notBefore)}) is longer than a lock accepts by default (${formatDuration(DEFAULT_MAX_WINDOW_SECONDS)}); such locks refuse it as window-too-long`);
  }
  if (out === undefined) stdout(toHex(ticket) + '\n');
  else writeFile(out, ticket, 'ticket');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// inspect

const HEADER_NAMES = new Map<unknown, string>([
  [HEADER_ALG, 'alg'], [HEADER_CRIT, 'crit'], [HEADER_CONTENT_TYPE, 'content type'], [HEADER_KID, 'kid'], [HEADER_TYP, 'typ'],
]);
const ALG_NAMES = new Map<number, string>([[ALG_EDDSA, 'EdDSA'], [ALG_ED25519, 'Ed25519']]);

/** A ticket decoded for people; nothing in it is authenticated. */
export interface TicketDescription {
  size: number;
  alg: number;
  kid: Uint8Array;
  kidInProtectedHeader: boolean;
  protectedLabels: (number | string)[];
  unprotectedLabels: (number | string)[];
  claims: TicketClaims;
}

/** Decodes a ticket's structure and claims without checking the signature; throws CliError if it is no ticket. */
export function describeTicket(bytes: Uint8Array, label = 'ticket'): TicketDescription {
  const envelope = parseEnvelope(bytes);
  if (!envelope.ok) throw new CliError(`${label}: not a valid COSE_Sign1 ticket (${envelope.reason}: ${envelope.detail})`);
  const claims = parseClaims(envelope.value.payload);
  if (!claims.ok) throw new CliError(`${label}: COSE_Sign1 but not a Latchkey ticket (${claims.reason}: ${claims.detail})`);
  // parseEnvelope accepted both, so both decode to maps.
  const prot = decodeStrict(envelope.value.protectedBytes);
  const whole = decodeStrict(bytes, { topLevelTag: COSE_SIGN1_TAG });
  const protMap = prot.ok ? (prot.value as Map<number | string, unknown>) : new Map();
  const unprotMap = whole.ok ? ((whole.value as Tag).value as unknown[])[1] as Map<number | string, unknown> : new Map();
  return {
    size: bytes.length,
    alg: envelope.value.alg,
    kid: envelope.value.kid,
    kidInProtectedHeader: protMap.has(HEADER_KID),
    protectedLabels: [...protMap.keys()],
    unprotectedLabels: [...unprotMap.keys()],
    claims: claims.value,
  };
}

const printableAscii = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes.every((b) => b >= 0x20 && b <= 0x7e);
const kidText = (kid: Uint8Array): string | undefined => (printableAscii(kid) ? String.fromCharCode(...kid) : undefined);
/** Text as is, unless it has control characters: then JSON-quoted so the output stays one line per field. */
const showText = (text: string): string => (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text);
const headerList = (labels: (number | string)[]): string =>
  labels.length === 0 ? 'none' : labels.map((l) => (HEADER_NAMES.has(l) ? `${HEADER_NAMES.get(l)} (${l})` : JSON.stringify(l))).join(', ');

export const SIGNATURE_NOT_CHECKED = 'Signature NOT checked by inspect: use `latchkey verify` to check it against a trusted key.';

/** The human-readable form of inspect, one string per line. */
export function formatTicket(d: TicketDescription): string[] {
  const { claims } = d;
  const row = (label: string, value: string): string => `  ${label.padEnd(18)} ${value}`;
  const time = (s: number): string => `${s}  ${isoTime(s)}`;
  const text = kidText(d.kid);
  const lines = [
    `COSE_Sign1 ticket, ${d.size} bytes`,
    row('alg', `${ALG_NAMES.get(d.alg) ?? 'unknown'} (${d.alg})`),
    row('kid', `${text === undefined ? '' : `"${text}"  `}hex ${toHex(d.kid)}${d.kidInProtectedHeader ? '' : '  (unprotected header)'}`),
    row('headers', `protected: ${headerList(d.protectedLabels)}; unprotected: ${headerList(d.unprotectedLabels)}`),
  ];
  if (claims.iss !== undefined) lines.push(row('iss (issuer)', showText(claims.iss)));
  lines.push(
    row('sub (courier)', showText(claims.sub)),
    row('aud (lock)', showText(claims.aud)),
    row('nbf (not before)', time(claims.nbf)),
    row('exp (expires)', time(claims.exp)),
    row('iat (issued at)', time(claims.iat)),
    row('window', `${claims.exp - claims.nbf} s (${formatDuration(claims.exp - claims.nbf)})`),
    row('cti (ticket ID)', `${toHex(claims.cti)}  (${claims.cti.length} bytes)`),
    row('cnf (holder key)', `base64url ${base64urlEncode(claims.holderKey)}`),
    row('', `hex ${toHex(claims.holderKey)}`),
    SIGNATURE_NOT_CHECKED,
  );
  return lines;
}

/** The JSON form of inspect: the same facts, bytes as hex. */
export function ticketJson(d: TicketDescription): object {
  const { claims } = d;
  const text = kidText(d.kid);
  return {
    size: d.size,
    headers: {
      alg: d.alg,
      algName: ALG_NAMES.get(d.alg) ?? 'unknown',
      kid: { hex: toHex(d.kid), ...(text === undefined ? {} : { text }), protected: d.kidInProtectedHeader },
      protected: d.protectedLabels,
      unprotected: d.unprotectedLabels,
    },
    claims: {
      ...(claims.iss === undefined ? {} : { iss: claims.iss }),
      sub: claims.sub,
      aud: claims.aud,
      nbf: claims.nbf,
      nbfIso: isoTime(claims.nbf),
      exp: claims.exp,
      expIso: isoTime(claims.exp),
      iat: claims.iat,
      iatIso: isoTime(claims.iat),
      windowSeconds: claims.exp - claims.nbf,
      cti: toHex(claims.cti),
      holderKey: { base64url: base64urlEncode(claims.holderKey), hex: toHex(claims.holderKey) },
    },
    signatureChecked: false,
    note: SIGNATURE_NOT_CHECKED,
  };
}

async function cmdInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('inspect', args, { json: { type: 'boolean' } }, 1);
  const path = positionals[0];
  if (path === undefined) throw new CliError('inspect: missing TICKET (a file, or - for stdin)');
  const description = describeTicket(await readTicket(path), path === '-' ? 'ticket on stdin' : `ticket ${path}`);
  if (values.json === true) stdout(JSON.stringify(ticketJson(description), null, 2) + '\n');
  else stdout(formatTicket(description).join('\n') + '\n');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// verify

/** One line: GRANTED courier at lock (ticket …, valid … → …) or REFUSED reason: detail. */
export function formatDecision(decision: Decision): string {
  if (!decision.granted) return `REFUSED ${decision.reason}: ${oneLine(decision.detail)}`;
  const c = decision.claims;
  return `GRANTED ${showText(c.sub)} at ${showText(c.aud)} (ticket ${toHex(c.cti)}, valid ${isoTime(c.nbf)} → ${isoTime(c.exp)})`;
}

function claimsJson(claims: TicketClaims): object {
  return {
    ...(claims.iss === undefined ? {} : { iss: claims.iss }),
    sub: claims.sub,
    aud: claims.aud,
    exp: claims.exp,
    nbf: claims.nbf,
    iat: claims.iat,
    cti: toHex(claims.cti),
    holderKey: toHex(claims.holderKey),
  };
}

/**
 * verify --json: {granted, reason?, detail?, claims?} with bytes as hex. A refusal carries claims
 * when the verifier returns them (a ticket whose signature verified, refused for its claims).
 */
export function decisionJson(decision: Decision): object {
  if (decision.granted) return { granted: true, claims: claimsJson(decision.claims) };
  const claims = (decision as { claims?: TicketClaims }).claims;
  return { granted: false, reason: decision.reason, detail: decision.detail, ...(claims === undefined ? {} : { claims: claimsJson(claims) }) };
}

function readTrustedIssuer(path: string): TrustedIssuer {
  const value = readJson(path, 'trusted key');
  const parsed = withJwk(path, 'trusted key', () => parseJwk(value, false));
  if (parsed.kid === undefined) throw new CliError(`trusted key ${path}: needs a "kid" (tickets name their issuer key by it)`);
  return { kid: coseKid(parsed.kid), publicKey: parsed.publicKey };
}

async function cmdVerify(args: string[]): Promise<number> {
  const c = 'verify';
  const { values, positionals } = parseCommand(c, args, {
    lock: { type: 'string' },
    trust: { type: 'string', multiple: true },
    now: { type: 'string' },
    skew: { type: 'string' },
    'max-window': { type: 'string' },
    json: { type: 'boolean' },
  }, 1);
  const path = positionals[0];
  if (path === undefined) throw new CliError(`${c}: missing TICKET (a file, or - for stdin) (see latchkey ${c} --help)`);
  const lockId = requireString(c, values, 'lock', 'LOCK_ID');
  const trustPaths = (values.trust as string[] | undefined) ?? [];
  if (trustPaths.length === 0) throw new CliError(`${c}: missing --trust PUBLIC.jwk (at least one trusted issuer key) (see latchkey ${c} --help)`);
  if (trustPaths.some((p) => p.length === 0)) throw new CliError(`${c}: --trust must not be empty`);
  const nowText = optionalString(c, values, 'now');
  const now = nowText === undefined ? nowSeconds() : timeOption(c, 'now', nowText);
  const skewSeconds = secondsOption(c, 'skew', optionalString(c, values, 'skew'), false);
  const maxWindowSeconds = secondsOption(c, 'max-window', optionalString(c, values, 'max-window'), true);

  const issuers = trustPaths.map(readTrustedIssuer);
  const ticket = await readTicket(path);
  const decision = verifyTicket(ticket, {
    lockId, issuers, now,
    ...(skewSeconds === undefined ? {} : { skewSeconds }),
    ...(maxWindowSeconds === undefined ? {} : { maxWindowSeconds }),
  });
  if (values.json === true) stdout(JSON.stringify(decisionJson(decision)) + '\n');
  else stdout(formatDecision(decision) + '\n');
  return decision.granted ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// sim (and demo, its older name)

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
};

async function cmdSim(args: string[]): Promise<number> {
  return simCommand('sim', args);
}

async function cmdDemo(args: string[]): Promise<number> {
  return simCommand('demo', args);
}

/** Where a scenario came from, for the header: a built-in name or a file path. */
interface LoadedScenario {
  scenario: Scenario;
  origin: string;
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
  if (value === undefined) return { scenario: parse(BUILTIN_SCENARIOS.default, 'default', 'built-in scenario default'), origin: 'built in' };
  if (!isScenarioFile(value)) {
    if (!Object.hasOwn(BUILTIN_SCENARIOS, value)) {
      throw new CliError(`${c}: --scenario: no built-in scenario "${value}" (built in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}; a file name ends in .json)`);
    }
    return { scenario: parse(BUILTIN_SCENARIOS[value], value, `built-in scenario ${value}`), origin: 'built in' };
  }
  const name = nodePath.basename(value).replace(/\.json$/, '');
  return { scenario: parse(readJson(value, 'scenario'), name, `scenario ${value}`), origin: value };
}

function simOverrides(c: string, values: Values): ScenarioOverrides {
  const overrides: ScenarioOverrides = {};
  const mtuText = optionalString(c, values, 'mtu');
  if (mtuText !== undefined) {
    const mtu = parseSecondsArg(mtuText);
    if (mtu === undefined || mtu < BLE_MIN_MTU || mtu > BLE_MAX_MTU) throw new CliError(`${c}: --mtu: "${mtuText}" is not an ATT MTU (a whole number ${BLE_MIN_MTU}..${BLE_MAX_MTU})`);
    overrides.mtu = mtu;
  }
  const lockId = optionalString(c, values, 'lock');
  if (lockId !== undefined) overrides.lockId = lockId;
  const relock = secondsOption(c, 'relock', optionalString(c, values, 'relock'), true);
  if (relock !== undefined) {
    if (relock > 3600) throw new CliError(`${c}: --relock: at most 3600 s`);
    overrides.relockSeconds = relock;
  }
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
    const saved = readJson(clockFile, 'simulator state');
    const rtc = (saved as { rtc?: unknown } | null)?.rtc;
    if (typeof rtc !== 'number' || !Number.isSafeInteger(rtc) || rtc < 0 || rtc > 0xffffffff) {
      throw new CliError(`simulator state ${clockFile}: no valid "rtc" (delete the file to start the clock afresh)`);
    }
    resumeAt = rtc;
  }
  return { dir: storage.dir, storage, resumeAt };
}

function saveState(state: SimState, run: ScenarioRun): void {
  const clockFile = nodePath.join(state.dir, STATE_CLOCK_FILE);
  writeFile(clockFile, JSON.stringify({ rtc: run.end, rtcIso: isoTime(run.end), scenario: run.name }) + '\n', 'simulator state');
}

async function simCommand(c: string, args: string[]): Promise<number> {
  const { values } = parseCommand(c, args, SIM_OPTIONS, 0);
  const loaded = loadScenario(c, optionalString(c, values, 'scenario'));
  const scenario = withOverrides(loaded.scenario, simOverrides(c, values));
  const stateDir = optionalString(c, values, 'state');
  const state = stateDir === undefined ? undefined : openState(c, stateDir);
  const options: RunOptions = {};
  if (state !== undefined) {
    options.storage = state.storage;
    // The lock's clock never runs backwards between runs: resume where the last run stopped.
    if (state.resumeAt !== undefined && state.resumeAt > scenario.start) options.startTime = state.resumeAt;
  }
  const run = runScenario(scenario, options);
  if (state !== undefined) saveState(state, run);

  if (values.json === true) {
    const stateJson = state === undefined ? undefined : { dir: state.dir, resumed: state.resumeAt !== undefined, ...(options.startTime === undefined ? {} : { resumedAt: options.startTime }) };
    stdout(JSON.stringify({ origin: loaded.origin, ...(stateJson === undefined ? {} : { state: stateJson }), ...run }) + '\n');
  } else {
    const lines = formatRun(run, loaded.origin);
    if (state !== undefined) {
      const how = state.resumeAt === undefined
        ? 'fresh'
        : `resumed: ${options.startTime === undefined ? 'clock from the scenario' : `lock clock continues from ${isoTime(options.startTime)}`}`;
      lines.splice(lines.indexOf(''), 0, `state ${state.dir} (${how})`);
    }
    for (const line of lines) stdout(line + '\n');
  }
  return run.ok ? 0 : 1;
}

/** The demo: the default simulation, as `latchkey sim` prints it. Returns the exit code. */
export async function runDemo(write: (line: string) => void = (line) => stdout(line + '\n')): Promise<number> {
  const { scenario, origin } = loadScenario('demo', undefined);
  const run = runScenario(scenario);
  for (const line of formatRun(run, origin)) write(line);
  return run.ok ? 0 : 1;
}
