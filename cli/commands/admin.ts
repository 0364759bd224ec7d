// latchkey admin: builds what the owner's side signs for a lock (docs/admin.md) — a provisioning
// bundle, an admin command or a time statement — from JSON, and checks a lock's provisioning
// answer. JSON in, CBOR out (hex on stdout, or binary with --out). The signing is issuer/admin.ts.

import {
  buildAdminCommand,
  buildProvisioning,
  buildTimeStatement,
  COMMAND_NAMES,
  verifyDeviceAnswer,
  type AdminSigner,
  type ArgValue,
  type CommandName,
} from '../../issuer/admin.js';
import { ArgumentError, argsFromJson } from '../../issuer/admin-json.js';
import { coseKid, parseJwk } from '../../issuer/jwk.js';
import { parseTimeArg } from '../../issuer/time.js';
import { fromHex, toHex } from '../../src/index.js';
import { nowSeconds, optionalString, parseCommand, requireString } from '../args.js';
import { INPUT_LIMITS, readInput, readJson, ticketFromText, withJwk } from '../input.js';
import { CliError, stdout, writeFile } from '../output.js';

const SUBCOMMANDS = ['provision', 'time', 'answer', ...COMMAND_NAMES.filter((c) => c !== 'provision')] as const;

export const usage = `latchkey admin provision --key OWNER_JWK --lock ID [--config JSON] [--seq N] [--out FILE]
latchkey admin COMMAND --key JWK --lock ID [--args JSON] [--seq N] [--out FILE]
latchkey admin time --key JWK --lock ID --challenge HEX [--time T] [--out FILE]
latchkey admin answer FILE [--json]
    Build a signed provisioning bundle, admin command or time statement for a lock
    (docs/admin.md); print it as hex, or write the binary CBOR to --out. COMMAND is one of
    ${COMMAND_NAMES.filter((c) => c !== 'provision').join(', ')}.
    --args / --config: a JSON file of the arguments ("-": stdin). Keys (key, owner) are
    JWK files or objects, or 64 hex digits; kids are text; cti is hex; times (until, before,
    start, end) are T; days a list like ["mon","fri"] or a bit mask; from/to "HH:MM".
    --seq defaults to the current time in milliseconds (it must exceed the lock's last one).
    answer: check a lock's provisioning answer (hex or binary) and print its device key.`;

function convertObject(c: string, object: Record<string, unknown>, now: number): { [k: string]: ArgValue } {
  try {
    return argsFromJson(object, { now, key: (value, where) => publicKeyArg(`${c}: ${where}`, value) });
  } catch (error) {
    if (error instanceof ArgumentError) throw new CliError(`${c}: ${error.message}`);
    throw error;
  }
}

function publicKeyArg(where: string, value: unknown): Uint8Array {
  const jwk = typeof value === 'string' ? readJson(value, 'key') : value;
  try {
    return parseJwk(jwk, false).publicKey;
  } catch (error) {
    throw new CliError(`${where}: not an Ed25519 public key (JWK or 64 hex digits): ${(error as Error).message}`);
  }
}

function signer(c: string, path: string): AdminSigner {
  const parsed = withJwk(path, 'key', () => parseJwk(readJson(path, 'key'), true));
  if (parsed.seed === undefined) throw new CliError(`${c}: key ${path} has no private part ("d")`);
  if (parsed.kid === undefined) throw new CliError(`${c}: key ${path} has no "kid"`);
  return { kid: coseKid(parsed.kid), seed: parsed.seed };
}

function sequence(c: string, text: string | undefined): number {
  if (text === undefined) return Date.now();
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw new CliError(`${c}: --seq must be a whole number up to 2^53 − 1`);
  return Number(text);
}

function argsFile(c: string, path: string | undefined, now: number): { [k: string]: ArgValue } {
  if (path === undefined) return {};
  const json = readJson(path, 'arguments', INPUT_LIMITS.key);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CliError(`${c}: arguments ${path} must be a JSON object`);
  return convertObject(c, json as Record<string, unknown>, now);
}

function emit(c: string, bytes: Uint8Array, out: string | undefined): number {
  if (out === undefined) stdout(toHex(bytes) + '\n');
  else writeFile(out, bytes, `${c} output`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new CliError(
      `admin: ${sub === undefined ? 'missing' : `unknown`} subcommand${sub === undefined ? '' : ` "${sub}"`} (one of ${SUBCOMMANDS.join(', ')}; see latchkey admin --help)`,
    );
  }
  const c = `admin ${sub}`;
  const now = nowSeconds();
  if (sub === 'answer') {
    const { values, positionals } = parseCommand('admin', rest, { json: { type: 'boolean' } }, 1);
    if (positionals.length !== 1) throw new CliError(`${c}: give the provisioning answer FILE`);
    const raw = readInput(positionals[0], `answer ${positionals[0]}`, INPUT_LIMITS.ticket);
    const bytes = raw.every((b) => b < 0x80) ? ticketFromText(raw.toString('utf8'), `answer ${positionals[0]}`) : new Uint8Array(raw);
    const answer = verifyDeviceAnswer(bytes);
    if (!answer.ok) throw new CliError(`${c}: ${answer.error}`, 1);
    const fields = { lockId: answer.value.lockId, deviceKey: toHex(answer.value.deviceKey), ownerKey: toHex(answer.value.ownerKey) };
    stdout(values.json ? JSON.stringify(fields) + '\n' : `lock ${fields.lockId}\ndevice key ${fields.deviceKey}\nowner key ${fields.ownerKey}\n`);
    return 0;
  }
  const { values } = parseCommand(
    'admin',
    rest,
    {
      key: { type: 'string' },
      lock: { type: 'string' },
      seq: { type: 'string' },
      out: { type: 'string' },
      args: { type: 'string' },
      config: { type: 'string' },
      challenge: { type: 'string' },
      time: { type: 'string' },
    },
    0,
  );
  const key = signer(c, requireString(c, values, 'key', 'JWK'));
  const lock = requireString(c, values, 'lock', 'ID');
  const out = optionalString(c, values, 'out');
  if (sub === 'time') {
    const challenge = fromHex(requireString(c, values, 'challenge', 'HEX').replace(/^0x/i, ''));
    if (challenge === undefined || challenge.length !== 32) throw new CliError(`${c}: --challenge must be the lock's 32-byte challenge in hex`);
    const timeText = optionalString(c, values, 'time');
    const t = timeText === undefined ? { ok: true as const, seconds: now } : parseTimeArg(timeText, now);
    if (!t.ok) throw new CliError(`${c}: --time: ${t.error}`);
    return emit(c, buildTimeStatement(key, lock, challenge, t.seconds), out);
  }
  const seq = sequence(c, optionalString(c, values, 'seq'));
  if (sub === 'provision') {
    if (values.args !== undefined) throw new CliError(`${c}: use --config for provisioning`);
    const config = argsFile(c, optionalString(c, values, 'config'), now);
    for (const k of Object.keys(config))
      if (k !== 'settings' && k !== 'issuers') throw new CliError(`${c}: --config may hold "settings" and "issuers" only, not "${k}"`);
    return emit(c, buildProvisioning(key, lock, seq, config as { settings?: { [k: string]: ArgValue }; issuers?: { [k: string]: ArgValue }[] }), out);
  }
  if (values.config !== undefined) throw new CliError(`${c}: --config is for provisioning; use --args`);
  return emit(c, buildAdminCommand(key, lock, seq, sub as CommandName, argsFile(c, optionalString(c, values, 'args'), now)), out);
}
