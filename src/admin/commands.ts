// Admin commands: decoding a signed command, deciding whether its signer may give it, and
// applying it to the owner configuration. Pure: bytes and the current configuration in, a new
// configuration (or a refusal with an ADMIN_REASONS code) out; the caller persists it in one write.
//
// A command is a COSE_Sign1 (AAD "Latchkey admin command v1") whose payload is
//   { 1: lock ID, 2: sequence number, 3: command name, 4: { arguments } }
// signed by the owner key or a delegated admin key (kid in the protected header). It is bound to
// the lock ID (a command for another lock is refused) and to a sequence number that must exceed
// the last one this lock accepted from any key (a recorded command cannot be replayed).
// `provision` is the exception: an unprovisioned lock takes it signed by the owner key it installs.

import type { HashFunction } from '../../hal/index.js';
import { bytesEqual, utf8 } from '../bytes.js';
import { findIssuer, MAX_ISSUERS, MAX_KID_BYTES, MAX_NAME_LENGTH, type Issuer } from '../lock/issuers.js';
import { addRevocation, FOREVER, keyRevocationId, keyRevoked, revocationId, type Revocation } from '../lock/revocation.js';
import { defaultScope, scopeProblem, type IssuerScope, type Schedule } from '../lock/scope.js';
import { defaultSettings, settingsProblem, type Settings } from '../lock/settings.js';
import type { AdminReason } from '../reasons.js';
import { CTI_MAX_LENGTH, CTI_MIN_LENGTH } from '../ticket.js';
import { MAX_ADMIN_KEYS, MAX_LOCK_ID_LENGTH, MAX_SEQUENCE, type AdminKey, type OwnerConfig } from './owner-record.js';
import { LABELS, openStatement } from './signed.js';

export const COMMAND_NAMES = [
  'provision',
  'add-issuer',
  'rotate-issuer',
  'remove-issuer',
  'set-scope',
  'settings',
  'revoke',
  'delegate',
  'withdraw',
  'read-log',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
/** Commands only the owner key may give. */
const OWNER_ONLY: readonly CommandName[] = ['delegate', 'withdraw'];

export interface IssuerSpec {
  kid: Uint8Array;
  key: Uint8Array;
  name: string;
  scope: Partial<IssuerScope>;
}

export type RevokeSpec =
  | { kind: 'cti'; kid: Uint8Array; cti: Uint8Array; until: number }
  | { kind: 'sub'; kid: Uint8Array; sub: string; until: number }
  | { kind: 'issued-before'; kid: Uint8Array; before: number }
  | { kind: 'key'; kid: Uint8Array };

export type AdminCommand =
  | { name: 'provision'; ownerKey: Uint8Array; settings: Partial<Settings>; issuers: IssuerSpec[] }
  | { name: 'add-issuer'; issuer: IssuerSpec }
  | { name: 'rotate-issuer'; kid: Uint8Array; key: Uint8Array; newKid: Uint8Array | undefined }
  | { name: 'remove-issuer'; kid: Uint8Array }
  | { name: 'set-scope'; kid: Uint8Array; scope: Partial<IssuerScope> }
  | { name: 'settings'; settings: Partial<Settings> }
  | { name: 'revoke'; revoke: RevokeSpec }
  | { name: 'delegate'; kid: Uint8Array; key: Uint8Array }
  | { name: 'withdraw'; kid: Uint8Array }
  | { name: 'read-log'; from: number };

export type Authorised = { ok: true; command: AdminCommand; seq: number; lockId: string; signer: { kid: Uint8Array; role: 'owner' | 'admin' } };
export type Refused = { ok: false; reason: AdminReason; detail: string };
const refuse = (reason: AdminReason, detail: string): Refused => ({ ok: false, reason, detail });

// ---------------------------------------------------------------------------------------------
// Arguments

class BadArgument extends Error {}
const bad = (what: string): never => {
  throw new BadArgument(what);
};

type Args = Map<unknown, unknown>;
const isMap = (v: unknown): v is Args => v instanceof Map;

function onlyKeys(args: Args, allowed: readonly string[], where: string): void {
  for (const k of args.keys()) if (typeof k !== 'string' || !allowed.includes(k)) bad(`${where}: unknown argument ${String(k)}`);
}
function uintArg(args: Args, name: string, max = 0xffffffff): number | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(`${name} must be an integer 0..${max}`);
  return v as number;
}
function intArg(args: Args, name: string): number | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(`${name} must be an integer`);
  return v as number;
}
function boolArg(args: Args, name: string): boolean | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') bad(`${name} must be true or false`);
  return v as boolean;
}
function bytesArg(args: Args, name: string, min: number, max: number): Uint8Array {
  const v = args.get(name);
  if (!(v instanceof Uint8Array) || v.length < min || v.length > max) bad(`${name} must be ${min === max ? min : `${min}..${max}`} bytes`);
  return Uint8Array.from(v as Uint8Array);
}
function textArg(args: Args, name: string, max: number): string | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(`${name} must be text of 1..${max} characters`);
  return v as string;
}
function mapArg(args: Args, name: string): Args | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (!isMap(v)) bad(`${name} must be a map`);
  return v as Args;
}
function listArg(args: Args, name: string): unknown[] | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 16) bad(`${name} must be a list of at most 16`);
  return v as unknown[];
}

function parseSchedule(v: unknown): Schedule {
  if (!isMap(v)) return bad('a schedule must be a map {days, from, to}');
  onlyKeys(v, ['days', 'from', 'to'], 'schedule');
  const days = uintArg(v, 'days', 0x7f);
  const from = uintArg(v, 'from', 1440);
  const to = uintArg(v, 'to', 1440);
  if (days === undefined || from === undefined || to === undefined) return bad('a schedule needs days, from and to');
  return { days, from, to };
}

function parseScope(v: Args): Partial<IssuerScope> {
  onlyKeys(v, ['schedules', 'maxWindowSeconds', 'maxUses'], 'scope');
  const scope: Partial<IssuerScope> = {};
  const schedules = listArg(v, 'schedules');
  if (schedules !== undefined) scope.schedules = schedules.map(parseSchedule);
  const window = uintArg(v, 'maxWindowSeconds');
  if (window !== undefined) scope.maxWindowSeconds = window;
  const uses = uintArg(v, 'maxUses');
  if (uses !== undefined) scope.maxUses = uses;
  return scope;
}

function parseIssuer(v: Args): IssuerSpec {
  onlyKeys(v, ['kid', 'key', 'name', 'scope'], 'issuer');
  const scope = mapArg(v, 'scope');
  return {
    kid: bytesArg(v, 'kid', 1, MAX_KID_BYTES),
    key: bytesArg(v, 'key', 32, 32),
    name: textArg(v, 'name', MAX_NAME_LENGTH) ?? '',
    scope: scope ? parseScope(scope) : {},
  };
}

const SETTING_NAMES = [
  'relockSeconds',
  'skewSeconds',
  'maxWindowSeconds',
  'holderProof',
  'cnonceTickets',
  'cnonceWindowSeconds',
  'tzOffsetMinutes',
  'doNotDisturb',
] as const;

function parseSettings(v: Args): Partial<Settings> {
  onlyKeys(v, SETTING_NAMES, 'settings');
  const s: Partial<Settings> = {};
  for (const name of ['relockSeconds', 'skewSeconds', 'maxWindowSeconds', 'cnonceWindowSeconds'] as const) {
    const n = uintArg(v, name);
    if (n !== undefined) s[name] = n;
  }
  for (const name of ['holderProof', 'cnonceTickets'] as const) {
    const b = boolArg(v, name);
    if (b !== undefined) s[name] = b;
  }
  const tz = intArg(v, 'tzOffsetMinutes');
  if (tz !== undefined) s.tzOffsetMinutes = tz;
  const dnd = mapArg(v, 'doNotDisturb');
  if (dnd !== undefined) {
    onlyKeys(dnd, ['schedules', 'periods'], 'doNotDisturb');
    s.doNotDisturb = {
      schedules: (listArg(dnd, 'schedules') ?? []).map(parseSchedule),
      periods: (listArg(dnd, 'periods') ?? []).map((p) => {
        if (!isMap(p)) return bad('a period must be a map {start, end}');
        onlyKeys(p, ['start', 'end'], 'period');
        const start = uintArg(p, 'start');
        const end = uintArg(p, 'end');
        if (start === undefined || end === undefined) return bad('a period needs start and end');
        return { start, end };
      }),
    };
  }
  return s;
}

function parseRevoke(v: Args): RevokeSpec {
  onlyKeys(v, ['kind', 'kid', 'cti', 'sub', 'until', 'before'], 'revoke');
  const kind = v.get('kind');
  const kid = bytesArg(v, 'kid', 1, MAX_KID_BYTES);
  const until = (): number => uintArg(v, 'until') ?? bad('until (unix seconds) is required');
  switch (kind) {
    case 'cti':
      return { kind, kid, cti: bytesArg(v, 'cti', CTI_MIN_LENGTH, CTI_MAX_LENGTH), until: until() };
    case 'sub':
      return { kind, kid, sub: textArg(v, 'sub', 256) ?? bad('sub is required'), until: until() };
    case 'issued-before':
      return { kind, kid, before: uintArg(v, 'before') ?? bad('before (unix seconds) is required') };
    case 'key':
      return { kind, kid };
    default:
      return bad('kind must be cti, sub, issued-before or key');
  }
}

function parseArguments(name: CommandName, args: Args): AdminCommand {
  switch (name) {
    case 'provision': {
      onlyKeys(args, ['owner', 'settings', 'issuers'], name);
      const settings = mapArg(args, 'settings');
      const issuers = (listArg(args, 'issuers') ?? []).map((i) => (isMap(i) ? parseIssuer(i) : bad('an issuer must be a map')));
      return { name, ownerKey: bytesArg(args, 'owner', 32, 32), settings: settings ? parseSettings(settings) : {}, issuers };
    }
    case 'add-issuer':
      return { name, issuer: parseIssuer(args) };
    case 'rotate-issuer':
      onlyKeys(args, ['kid', 'key', 'newKid'], name);
      return {
        name,
        kid: bytesArg(args, 'kid', 1, MAX_KID_BYTES),
        key: bytesArg(args, 'key', 32, 32),
        newKid: args.has('newKid') ? bytesArg(args, 'newKid', 1, MAX_KID_BYTES) : undefined,
      };
    case 'remove-issuer':
    case 'withdraw':
      onlyKeys(args, ['kid'], name);
      return { name, kid: bytesArg(args, 'kid', 1, MAX_KID_BYTES) };
    case 'set-scope': {
      onlyKeys(args, ['kid', 'scope'], name);
      return { name, kid: bytesArg(args, 'kid', 1, MAX_KID_BYTES), scope: parseScope(mapArg(args, 'scope') ?? bad('scope is required')) };
    }
    case 'settings':
      return { name, settings: parseSettings(args) };
    case 'revoke':
      return { name, revoke: parseRevoke(args) };
    case 'delegate':
      onlyKeys(args, ['kid', 'key'], name);
      return { name, kid: bytesArg(args, 'kid', 1, MAX_KID_BYTES), key: bytesArg(args, 'key', 32, 32) };
    case 'read-log':
      onlyKeys(args, ['from'], name);
      return { name, from: uintArg(args, 'from') ?? 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Authentication and authorisation

/**
 * Decodes a command and checks who signed it and for what: unprovisioned (`config` undefined),
 * only `provision` signed by the owner key it carries; provisioned, a known key, this lock ID and
 * a fresh sequence number. Never throws.
 */
export function authorise(bytes: Uint8Array, config: OwnerConfig | undefined): Authorised | Refused {
  const opened = openStatement('admin', bytes);
  if (typeof opened === 'string') return refuse('bad-command', opened);
  const p = opened.payload;
  const lockId = p.get(LABELS.lockId);
  const seq = p.get(LABELS.seq);
  const name = p.get(LABELS.command);
  const args = p.get(LABELS.args) ?? new Map();
  if (p.size > 4 || [...p.keys()].some((k) => typeof k !== 'number' || k < LABELS.lockId || k > LABELS.args))
    return refuse('bad-command', 'unknown payload label');
  if (typeof lockId !== 'string' || lockId.length === 0 || lockId.length > MAX_LOCK_ID_LENGTH) return refuse('bad-command', 'lock ID missing');
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > MAX_SEQUENCE) return refuse('bad-command', 'sequence number missing');
  if (typeof name !== 'string' || !(COMMAND_NAMES as readonly string[]).includes(name)) return refuse('bad-command', `unknown command ${String(name)}`);
  if (!isMap(args)) return refuse('bad-command', 'arguments must be a map');
  let command: AdminCommand;
  try {
    command = parseArguments(name as CommandName, args);
  } catch (e) {
    if (e instanceof BadArgument) return refuse('bad-arguments', e.message);
    throw e;
  }

  if (command.name === 'provision') {
    if (config !== undefined) return refuse('wrong-state', 'already provisioned: factory reset first');
    if (opened.kid.length > MAX_KID_BYTES) return refuse('bad-arguments', 'owner kid too long');
    if (!opened.verify(command.ownerKey)) return refuse('bad-signature', 'not signed by the owner key it installs');
    return { ok: true, command, seq, lockId, signer: { kid: opened.kid, role: 'owner' } };
  }
  if (config === undefined) return refuse('wrong-state', 'not provisioned');
  const key = config.keys.find((k) => bytesEqual(k.kid, opened.kid));
  if (key === undefined) return refuse('unknown-key', 'no owner or admin key with this kid');
  if (!opened.verify(key.publicKey)) return refuse('bad-signature', 'signature does not verify under that key');
  if (lockId !== config.lockId) return refuse('wrong-lock', `command is for "${lockId}"`);
  if (seq <= config.seq) return refuse('stale-sequence', `sequence ${seq} is not above ${config.seq}`);
  if (OWNER_ONLY.includes(command.name) && key.role !== 'owner') return refuse('not-permitted', `only the owner may ${command.name}`);
  return { ok: true, command, seq, lockId, signer: { kid: key.kid, role: key.role } };
}

// ---------------------------------------------------------------------------------------------
// Applying

export type Applied = { ok: true; config: OwnerConfig } | Refused;

function issuerFrom(spec: IssuerSpec, lockMaxWindow: number): Issuer | string {
  const scope = { ...defaultScope(lockMaxWindow), ...spec.scope };
  const problem = scopeProblem(scope);
  if (problem !== undefined) return problem;
  return { kid: spec.kid, publicKey: spec.key, name: spec.name, scope, revokedBefore: 0 };
}

/** The configuration a provisioning command creates. */
export function provisioned(a: Authorised & { command: { name: 'provision' } }): Applied {
  const settings = { ...defaultSettings(), ...a.command.settings };
  const problem = settingsProblem(settings);
  if (problem !== undefined) return refuse('bad-arguments', problem);
  const config: OwnerConfig = {
    lockId: a.lockId,
    seq: a.seq,
    keys: [{ kid: a.signer.kid, publicKey: a.command.ownerKey, role: 'owner' }],
    issuers: [],
    settings,
    revocations: [],
  };
  for (const spec of a.command.issuers) {
    const added = addIssuer(config, spec);
    if (!added.ok) return added;
    config.issuers = added.config.issuers;
  }
  return { ok: true, config };
}

function addIssuer(c: OwnerConfig, spec: IssuerSpec, sha256?: HashFunction): Applied {
  if (findIssuer(c.issuers, spec.kid)) return refuse('bad-arguments', 'an issuer with this kid exists (rotate-issuer changes its key)');
  if (sha256 && keyRevoked(c.revocations, sha256, spec.key)) return refuse('bad-arguments', 'this issuer key was revoked');
  if (c.issuers.length >= MAX_ISSUERS) return refuse('store-full', `${MAX_ISSUERS} issuers already`);
  const issuer = issuerFrom(spec, c.settings.maxWindowSeconds);
  if (typeof issuer === 'string') return refuse('bad-arguments', issuer);
  return { ok: true, config: { ...c, issuers: [...c.issuers, issuer] } };
}

function withIssuer(c: OwnerConfig, kid: Uint8Array, change: (i: Issuer) => Issuer | Refused): Applied {
  const index = c.issuers.findIndex((i) => bytesEqual(i.kid, kid));
  if (index < 0) return refuse('unknown-issuer', 'no issuer with this kid');
  const changed = change(c.issuers[index]);
  if ('ok' in changed) return changed;
  const issuers = c.issuers.slice();
  issuers[index] = changed;
  return { ok: true, config: { ...c, issuers } };
}

/**
 * Applies an authorised command (not provision) at lock time `now`. The result carries the new
 * sequence number; nothing is written here.
 */
export function apply(c: OwnerConfig, a: Authorised, now: number, sha256: HashFunction): Applied {
  const result = applyCommand(c, a.command, now, sha256);
  return result.ok ? { ok: true, config: { ...result.config, seq: a.seq } } : result;
}

function applyCommand(c: OwnerConfig, command: AdminCommand, now: number, sha256: HashFunction): Applied {
  const skew = c.settings.skewSeconds;
  switch (command.name) {
    case 'provision':
      return refuse('wrong-state', 'already provisioned');
    case 'add-issuer':
      return addIssuer(c, command.issuer, sha256);
    case 'rotate-issuer': {
      if (keyRevoked(c.revocations, sha256, command.key)) return refuse('bad-arguments', 'this issuer key was revoked');
      const newKid = command.newKid;
      if (newKid && !bytesEqual(newKid, command.kid) && findIssuer(c.issuers, newKid)) return refuse('bad-arguments', 'newKid is taken');
      return withIssuer(c, command.kid, (i) => ({ ...i, kid: newKid ?? i.kid, publicKey: command.key }));
    }
    case 'remove-issuer': {
      if (!findIssuer(c.issuers, command.kid)) return refuse('unknown-issuer', 'no issuer with this kid');
      return { ok: true, config: { ...c, issuers: c.issuers.filter((i) => !bytesEqual(i.kid, command.kid)) } };
    }
    case 'set-scope':
      return withIssuer(c, command.kid, (i) => {
        const scope = { ...i.scope, ...command.scope };
        const problem = scopeProblem(scope);
        return problem === undefined ? { ...i, scope } : refuse('bad-arguments', problem);
      });
    case 'settings': {
      const settings = { ...c.settings, ...command.settings };
      const problem = settingsProblem(settings);
      return problem === undefined ? { ok: true, config: { ...c, settings } } : refuse('bad-arguments', problem);
    }
    case 'revoke':
      return revoke(c, command.revoke, now, skew, sha256);
    case 'delegate': {
      if (c.keys.some((k) => bytesEqual(k.kid, command.kid))) return refuse('bad-arguments', 'a key with this kid exists');
      if (c.keys.length >= MAX_ADMIN_KEYS) return refuse('store-full', `${MAX_ADMIN_KEYS - 1} admin keys already`);
      const key: AdminKey = { kid: command.kid, publicKey: command.key, role: 'admin' };
      return { ok: true, config: { ...c, keys: [...c.keys, key] } };
    }
    case 'withdraw': {
      const index = c.keys.findIndex((k) => bytesEqual(k.kid, command.kid));
      if (index < 0) return refuse('unknown-key', 'no admin key with this kid');
      if (index === 0) return refuse('not-permitted', 'the owner key cannot be withdrawn (factory reset)');
      return { ok: true, config: { ...c, keys: c.keys.filter((_, i) => i !== index) } };
    }
    case 'read-log':
      return { ok: true, config: c };
  }
}

function revoke(c: OwnerConfig, spec: RevokeSpec, now: number, skew: number, sha256: HashFunction): Applied {
  if (spec.kind === 'issued-before') {
    return withIssuer(c, spec.kid, (i) => ({ ...i, revokedBefore: Math.max(i.revokedBefore, spec.before) }));
  }
  let entry: Revocation;
  let config = c;
  if (spec.kind === 'key') {
    const issuer = findIssuer(c.issuers, spec.kid);
    if (issuer === undefined) return refuse('unknown-issuer', 'no issuer with this kid');
    entry = { kind: 'key', id: keyRevocationId(sha256, issuer.publicKey), until: FOREVER };
    // The key is no longer trusted at all; it stays listed so it cannot be added back.
    config = { ...c, issuers: c.issuers.filter((i) => i !== issuer) };
  } else if (spec.kind === 'cti') {
    entry = { kind: 'cti', id: revocationId(sha256, 'cti', spec.kid, spec.cti), until: spec.until };
  } else {
    entry = { kind: 'sub', id: revocationId(sha256, 'sub', spec.kid, utf8(spec.sub)), until: spec.until };
  }
  const revocations = addRevocation(config.revocations, entry, now, skew);
  if (revocations === 'full') return refuse('store-full', 'the revocation store is full of entries that still cover valid tickets');
  return { ok: true, config: { ...config, revocations } };
}
