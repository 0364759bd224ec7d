// The administered lock's whole configuration — lock ID, owner and admin keys, issuers with their
// scopes, settings, revocations and the last accepted command sequence number — in ONE NVS value
// (lk.owner). Every admin command is applied by writing this one value, and NVS replaces a value
// atomically, so a power cut at any write leaves the old configuration or the new one, never a
// mix (docs/admin.md). CBOR rather than a fixed layout because the parts vary in length; decoding
// is strict and every field is range-checked, and a value that does not fit is refused, not cut.

import type { Storage } from '../../hal/index.js';
import { decodeStrict } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { MAX_ISSUERS, MAX_KID_BYTES, MAX_NAME_LENGTH, type Issuer } from '../lock/issuers.js';
import { KEY_OWNER } from '../lock/records.js';
import { MAX_REVOCATIONS, REVOCATION_ID_BYTES, REVOCATION_KINDS, type Revocation, type RevocationKind } from '../lock/revocation.js';
import { scopeProblem, type Period, type Schedule } from '../lock/scope.js';
import { settingsProblem, type Settings } from '../lock/settings.js';

const VERSION = 1;
/** Owner plus delegated admin keys. */
export const MAX_ADMIN_KEYS = 5;
export const MAX_LOCK_ID_LENGTH = 128;
/** Sequence numbers are integers up to 2^53 − 1 (the tools use milliseconds since 1970). */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

export type Role = 'owner' | 'admin';

export interface AdminKey {
  kid: Uint8Array;
  publicKey: Uint8Array;
  role: Role;
}

export interface OwnerConfig {
  lockId: string;
  /** The last admin command sequence number accepted; the next must be greater. */
  seq: number;
  /** keys[0] is the owner. */
  keys: AdminKey[];
  issuers: Issuer[];
  settings: Settings;
  revocations: Revocation[];
}

const schedule = (s: Schedule): unknown[] => [s.days, s.from, s.to];

export function encodeOwnerConfig(c: OwnerConfig): Uint8Array {
  return encodeCbor([
    VERSION,
    c.lockId,
    c.seq,
    c.keys.map((k) => [k.kid, k.publicKey, k.role === 'owner' ? 0 : 1]),
    c.issuers.map((i) => [i.kid, i.publicKey, i.name, i.scope.schedules.map(schedule), i.scope.maxWindowSeconds, i.scope.maxUses, i.revokedBefore]),
    [
      c.settings.relockSeconds,
      c.settings.skewSeconds,
      c.settings.maxWindowSeconds,
      c.settings.holderProof,
      c.settings.cnonceTickets,
      c.settings.cnonceWindowSeconds,
      c.settings.tzOffsetMinutes,
      c.settings.doNotDisturb.schedules.map(schedule),
      c.settings.doNotDisturb.periods.map((p) => [p.start, p.end]),
    ],
    c.revocations.map((r) => [REVOCATION_KINDS[r.kind], r.id, r.until]),
  ]);
}

class Bad extends Error {}
const need = (ok: boolean, what: string): void => {
  if (!ok) throw new Bad(what);
};
const arr = (v: unknown, what: string, max = 255): unknown[] => {
  need(Array.isArray(v) && v.length <= max, what);
  return v as unknown[];
};
const uint = (v: unknown, what: string, max = 0xffffffff): number => {
  need(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max, what);
  return v as number;
};
const bytes = (v: unknown, what: string, min: number, max: number): Uint8Array => {
  need(v instanceof Uint8Array && v.length >= min && v.length <= max, what);
  return Uint8Array.from(v as Uint8Array);
};
const bool = (v: unknown, what: string): boolean => {
  need(typeof v === 'boolean', what);
  return v as boolean;
};
const schedules = (v: unknown): Schedule[] =>
  arr(v, 'schedules').map((s) => {
    const [days, from, to] = arr(s, 'schedule');
    return { days: uint(days, 'days'), from: uint(from, 'from'), to: uint(to, 'to') };
  });

/** Decodes and checks a stored configuration; a string says what is wrong. */
export function decodeOwnerConfig(value: Uint8Array): OwnerConfig | string {
  const decoded = decodeStrict(value, { maxDepth: 10 });
  if (!decoded.ok) return decoded.error;
  try {
    const [version, lockId, seq, keys, issuers, settings, revocations, ...rest] = arr(decoded.value, 'record');
    need(version === VERSION && rest.length === 0, 'version');
    need(typeof lockId === 'string' && lockId.length > 0 && lockId.length <= MAX_LOCK_ID_LENGTH, 'lockId');
    const config: OwnerConfig = {
      lockId: lockId as string,
      seq: uint(seq, 'seq', MAX_SEQUENCE),
      keys: arr(keys, 'keys', MAX_ADMIN_KEYS).map((k, index) => {
        const [kid, publicKey, role] = arr(k, 'key');
        need(role === (index === 0 ? 0 : 1), 'role');
        return { kid: bytes(kid, 'kid', 1, MAX_KID_BYTES), publicKey: bytes(publicKey, 'key', 32, 32), role: index === 0 ? 'owner' : 'admin' };
      }),
      issuers: arr(issuers, 'issuers', MAX_ISSUERS).map((i) => {
        const [kid, publicKey, name, sched, maxWindowSeconds, maxUses, revokedBefore] = arr(i, 'issuer');
        need(typeof name === 'string' && name.length <= MAX_NAME_LENGTH, 'name');
        const scope = { schedules: schedules(sched), maxWindowSeconds: uint(maxWindowSeconds, 'maxWindow'), maxUses: uint(maxUses, 'maxUses') };
        need(scopeProblem(scope) === undefined, 'scope');
        return {
          kid: bytes(kid, 'kid', 1, MAX_KID_BYTES),
          publicKey: bytes(publicKey, 'key', 32, 32),
          name: name as string,
          scope,
          revokedBefore: uint(revokedBefore, 'revokedBefore'),
        };
      }),
      settings: (() => {
        const [relock, skew, window, holderProof, cnonce, cnonceWindow, tz, dndSchedules, dndPeriods] = arr(settings, 'settings');
        need(typeof tz === 'number' && Number.isInteger(tz), 'tz');
        const s: Settings = {
          relockSeconds: uint(relock, 'relock'),
          skewSeconds: uint(skew, 'skew'),
          maxWindowSeconds: uint(window, 'window'),
          holderProof: bool(holderProof, 'holderProof'),
          cnonceTickets: bool(cnonce, 'cnonce'),
          cnonceWindowSeconds: uint(cnonceWindow, 'cnonceWindow'),
          tzOffsetMinutes: tz as number,
          doNotDisturb: {
            schedules: schedules(dndSchedules),
            periods: arr(dndPeriods, 'periods').map((p): Period => {
              const [start, end] = arr(p, 'period');
              return { start: uint(start, 'start'), end: uint(end, 'end') };
            }),
          },
        };
        need(settingsProblem(s) === undefined, 'settings');
        return s;
      })(),
      revocations: arr(revocations, 'revocations', MAX_REVOCATIONS).map((r) => {
        const [kind, id, until] = arr(r, 'revocation');
        const name = (Object.keys(REVOCATION_KINDS) as RevocationKind[]).find((k) => REVOCATION_KINDS[k] === kind);
        need(name !== undefined, 'kind');
        return { kind: name as RevocationKind, id: bytes(id, 'id', REVOCATION_ID_BYTES, REVOCATION_ID_BYTES), until: uint(until, 'until') };
      }),
    };
    need(config.keys.length >= 1, 'owner');
    return config;
  } catch (e) {
    if (e instanceof Bad) return `owner record: bad ${e.message}`;
    throw e;
  }
}

export type LoadedOwner = { state: 'unprovisioned' } | { state: 'provisioned'; config: OwnerConfig } | { state: 'damaged'; problem: string };

export function loadOwnerConfig(storage: Storage): LoadedOwner {
  const value = storage.get(KEY_OWNER);
  if (value === undefined) return { state: 'unprovisioned' };
  const config = decodeOwnerConfig(value);
  return typeof config === 'string' ? { state: 'damaged', problem: config } : { state: 'provisioned', config };
}

/** The encoded record, or undefined when it would not fit one NVS value. */
export function encodeForStorage(storage: Storage, config: OwnerConfig): Uint8Array | undefined {
  const value = encodeOwnerConfig(config);
  return value.length <= storage.maxValueBytes ? value : undefined;
}
