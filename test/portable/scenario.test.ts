// Scenarios (sim/scenario/: parse, run, format): the default demo runs and meets every expectation, malformed
// scenarios are refused with the path of the problem, and scenario times parse as documented.
// Portable: runs under Node (mocha) and inside XS (test/xs/run.js). The default scenario runs once
// and its result is shared, to keep the XS cost down.

import { expect } from 'chai';
import { formatRun, formatTimeline } from '../../sim/scenario/format.js';
import {
  BUILTIN_SCENARIOS,
  OUTCOMES,
  ScenarioError,
  parseDuration,
  parseScenario,
  parseTimeSpec,
  resolveTime,
  withOverrides,
} from '../../sim/scenario/parse.js';
import { runScenario, type ScenarioRun } from '../../sim/scenario/run.js';

const START = 1795251600; // 2026-11-21T09:00:00Z

/** A small valid scenario; each malformed case changes one thing in a fresh copy. */
function base(): Record<string, any> {
  return {
    name: 'small',
    lock: { id: 'lock:test/door', relockSeconds: 5 },
    start: '2026-11-21T09:00:00Z',
    issuers: { 'parcel-co': { seed: 1 } },
    phones: { 'courier-phone': { seed: 2 } },
    tickets: {
      valid: { issuer: 'parcel-co', courier: 'courier-1', phone: 'courier-phone', notBefore: '-10m', expires: '+1h' },
      elsewhere: { issuer: 'parcel-co', courier: 'courier-1', phone: 'courier-phone', lock: 'lock:test/other', expires: '+1h' },
    },
    steps: [{ note: 'hello' }, { present: 'valid', expect: 'granted' }, { wait: '10s' }, { present: { ticket: 'valid', mtu: 23 } }],
  };
}

function problem(mutate: (s: Record<string, any>) => unknown): string {
  const s = base();
  const replaced = mutate(s);
  try {
    parseScenario(replaced === undefined ? s : replaced);
  } catch (error) {
    expect(error).to.be.instanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message).to.not.match(/[\r\n]/);
    return message;
  }
  throw new Error('parseScenario accepted a malformed scenario');
}

describe('scenarios', () => {
  describe('the default scenario: an owner administers the lock', () => {
    let run: ScenarioRun;
    before(() => {
      run = runScenario(parseScenario(BUILTIN_SCENARIOS.default, 'default'));
    });

    it('provisions, scopes two delivery companies and a cleaner, revokes a courier, refuses in do-not-disturb, verifies the log', () => {
      expect(run.summary.expectations.failed).to.deep.equal([]);
      expect(run.ok).to.equal(true);
      expect(run.presentations.map((p) => p.outcome)).to.deep.equal([
        'not-provisioned',
        'granted',
        'unknown-issuer',
        'outside-scope',
        'revoked',
        'granted',
        'granted',
        'replayed',
        'do-not-disturb',
        'granted',
      ]);
      expect(run.admin.map((a) => `${a.kind}:${a.outcome}`)).to.deep.equal([
        'provision:done',
        'addIssuer:done',
        'revoke:done',
        'settings:done',
        'exportLog:verified',
      ]);
      expect(run.deviceKey).to.match(/^[0-9a-f]{64}$/);
      expect(run.summary.expectations.total).to.equal(15);
    });
  });

  describe('the morning scenario', () => {
    let run: ScenarioRun;
    before(() => {
      run = runScenario(parseScenario(BUILTIN_SCENARIOS.morning, 'morning'));
    });

    it('meets every expectation, one per presentation', () => {
      expect(run.summary.expectations.failed).to.deep.equal([]);
      expect(run.ok).to.equal(true);
      expect(run.summary.expectations.total).to.equal(run.presentations.length);
      expect(run.presentations.every((p) => p.met === true)).to.equal(true);
    });

    it('shows a grant, a replay, a replayed proof, an expired ticket, the wrong lock and a grant at MTU 23', () => {
      expect(run.presentations.map((p) => p.outcome)).to.deep.equal(['granted', 'replayed', 'bad-proof', 'expired', 'wrong-lock', 'granted']);
      expect(run.presentations.map((p) => p.mtu)).to.deep.equal([185, 185, 185, 185, 185, 23]);
      const [first, , , , , small] = run.presentations;
      expect(first.writes).to.be.lessThan(small.writes);
      expect(run.summary.perMtu.map((m) => m.mtu)).to.deep.equal([185, 23]);
    });

    it('relocks on the door closing and at the deadline, ends locked, and alarms on the forced door', () => {
      const texts = run.timeline.map((e) => e.text);
      expect(texts).to.include('bolt locked (door-closed)');
      expect(texts).to.include('bolt locked (deadline)');
      expect(run.summary.relocks).to.deep.equal({ 'door-closed': 1, deadline: 1 });
      expect(run.summary.unlocks).to.equal(2);
      expect(run.summary.bolt).to.equal('locked');
      expect(run.summary.alarms.map((a) => a.alarm)).to.deep.equal(['forced-open']);
    });

    it('prints one line per event: elapsed, lock clock, source, text', () => {
      const lines = formatTimeline(run);
      expect(lines).to.have.length(run.timeline.length);
      for (const line of lines) expect(line).to.match(/^\+ *\d+\.\d{3} s {2}\d\d:\d\d:\d\d {2}(lock |bolt |door |phone|sim  ) {2}\S/);
      expect(lines.some((l) => /phone {2}GRANTED, relocks in 5 s — 2 writes, 2 notifications, \d+ ms {2}✓$/.test(l))).to.equal(true);
      const text = formatRun(run).join('\n');
      expect(text).to.match(/expectations +6\/6 met/);
      expect(text).to.include('lock lock:12-rue-des-lilas/door-a · MTU 185');
    });

    it('tags each line with the step that caused it', () => {
      const granted = run.timeline.find((e) => e.text.startsWith('GRANTED'));
      expect(granted?.step).to.equal(1);
      expect(run.timeline[0].step).to.equal(undefined); // the boot
    });
  });

  describe('running', () => {
    it('reports unmet expectations; tickets follow a --lock override unless they name their own lock; no door sensor', () => {
      const s = base();
      s.steps = [{ present: 'valid', expect: 'expired' }, { door: 'open' }, { wait: '10s' }, { present: 'elsewhere', expect: 'wrong-lock' }];
      const run = runScenario(withOverrides(parseScenario(s), { lockId: 'lock:test/renamed', doorSensor: false, relockSeconds: 7, mtu: 100 }));
      expect(run.lockId).to.equal('lock:test/renamed');
      expect(run.ok).to.equal(false);
      expect(run.summary.expectations).to.deep.equal({ total: 2, met: 1, failed: [{ step: 0, expected: 'expired', actual: 'granted' }] });
      expect(run.presentations[0].seconds).to.equal(7);
      expect(run.presentations[0].mtu).to.equal(100);
      expect(run.timeline.map((e) => e.text)).to.include('door opened (no door sensor: the lock cannot tell)');
      expect(run.summary.relocks).to.deep.equal({ deadline: 1 });
      expect(run.timeline.find((e) => e.text.includes('✗ EXPECTED expired'))).to.not.equal(undefined);
    });
  });

  describe('admin steps', () => {
    it('are refused on a fixed lock and name every bad field', () => {
      expect(
        problem((s) => {
          s.steps = [{ exportLog: true }];
        }),
      ).to.match(/steps\[0\]\.exportLog: admin steps need an administered lock/);
      const admin = (mutate: (s: Record<string, any>) => unknown) =>
        problem((s) => {
          s.lock.administered = true;
          mutate(s);
        });
      expect(
        admin((s) => {
          s.steps = [{ provision: { issuers: ['nobody'] } }];
        }),
      ).to.match(/steps\[0\]\.provision\.issuers\[0\]: no issuer named "nobody"/);
      expect(
        admin((s) => {
          s.steps = [{ settings: { doNotDisturb: { schedules: [{ days: ['someday'] }] } } }];
        }),
      ).to.match(/steps\[0\]\.settings: "days": unknown day/);
      expect(
        admin((s) => {
          s.issuers['parcel-co'].scope = { schedules: [{ days: ['mon'], from: '25:00', to: '26:00' }] };
        }),
      ).to.match(/issuers\.parcel-co\.scope: "from" must be "HH:MM"/);
      expect(
        admin((s) => {
          s.steps = [{ revoke: { issuer: 'parcel-co' } }];
        }),
      ).to.match(/steps\[0\]\.revoke: needs "ticket", "courier"/);
      expect(
        admin((s) => {
          s.steps = [{ exportLog: true, expect: 'granted' }];
        }),
      ).to.match(/steps\[0\]\.expect: must be one of done, bad-command/);
      expect(
        problem((s) => {
          s.owner = { seed: 1 };
        }),
      ).to.match(/owner: only for an administered lock/);
    });

    it('run against an administered lock: refused commands are outcomes, expectations counted', () => {
      const s = base();
      s.lock.administered = true;
      s.steps = [
        { present: 'valid', expect: 'not-provisioned' },
        { provision: { issuers: ['parcel-co'] }, expect: 'done' },
        { present: 'valid', expect: 'granted' },
        { revoke: { issuer: 'parcel-co', key: true }, expect: 'done' },
        { addIssuer: 'parcel-co', expect: 'bad-arguments' },
        { exportLog: true, expect: 'verified' },
      ];
      const run = runScenario(parseScenario(s));
      expect(run.summary.expectations.failed).to.deep.equal([]);
      expect(run.summary.expectations.total).to.equal(6);
    });
  });

  describe('parseScenario', () => {
    it('accepts the built-in scenarios and fills in defaults', () => {
      for (const [name, json] of Object.entries(BUILTIN_SCENARIOS)) expect(parseScenario(json).name).to.equal(name);
      const s = base();
      delete s.start;
      delete s.name;
      const parsed = parseScenario(s, 'fallback');
      expect(parsed.name).to.equal('fallback');
      expect(parsed.start).to.equal(START);
      expect(parsed.mtu).to.equal(185);
      expect(parsed.issuers['parcel-co']).to.include({ kid: 'parcel-co', iss: 'parcel-co', trusted: true });
      expect(parsed.tickets.valid.cti).to.have.length(16);
      expect(parsed.tickets.elsewhere.notBefore).to.deep.equal({ relative: true, seconds: 0 });
      expect(parsed.steps[3]).to.deep.equal({ kind: 'present', ticket: 'valid', mtu: 23, proof: 'valid' });
    });

    it('derives keys and ticket IDs deterministically from seeds and names', () => {
      const a = parseScenario(base());
      const b = parseScenario(base());
      expect(Array.from(a.tickets.valid.cti)).to.deep.equal(Array.from(b.tickets.valid.cti));
      expect(Array.from(a.tickets.valid.cti)).to.not.deep.equal(Array.from(a.tickets.elsewhere.cti));
      expect(Array.from(a.issuers['parcel-co'].seed)).to.deep.equal(Array.from(b.issuers['parcel-co'].seed));
      expect(Array.from(a.issuers['parcel-co'].seed)).to.not.deep.equal(Array.from(a.phones['courier-phone'].seed));
    });

    it('refuses malformed scenarios with a one-line message naming the path', () => {
      const cases: [string, (s: Record<string, any>) => unknown][] = [
        ['scenario: must be an object', () => []],
        ['colour: unknown key', (s) => void (s.colour = 'red')],
        ['lock: missing', (s) => void delete s.lock],
        ['lock.id: missing', (s) => void delete s.lock.id],
        ['lock.relock: unknown key', (s) => void (s.lock.relock = 5)],
        ['lock.relockSeconds: must be an integer 1..3600', (s) => void (s.lock.relockSeconds = '5')],
        ['lock.replayCapacity: must be an integer 1..199', (s) => void (s.lock.replayCapacity = 500)],
        ['start: must be an absolute time', (s) => void (s.start = '+1h')],
        ['mtu: must be an integer 23..517', (s) => void (s.mtu = 22)],
        ['issuers.parcel-co.seed: must be an integer', (s) => void (s.issuers['parcel-co'].seed = 'abc')],
        [
          'issuers.twin.kid: the same kid as issuers.parcel-co: a lock refuses two trusted keys under one kid',
          (s) => void (s.issuers.twin = { kid: s.issuers['parcel-co'].kid ?? 'parcel-co' }),
        ],
        ['phones["old phone"].colour: unknown key', (s) => void (s.phones['old phone'] = { colour: 'red' })],
        ['tickets.valid.issuer: no issuer named "nobody"', (s) => void (s.tickets.valid.issuer = 'nobody')],
        ['tickets.valid.expires: "+1 hour": must be a relative time', (s) => void (s.tickets.valid.expires = '+1 hour')],
        ['tickets.valid.expires: missing', (s) => void delete s.tickets.valid.expires],
        ['tickets.valid.notBefore: "+1.5s" is not a whole number of seconds', (s) => void (s.tickets.valid.notBefore = '+1.5s')],
        ['tickets.valid.cti: must be 8..32 bytes as hex', (s) => void (s.tickets.valid.cti = '0011')],
        ['steps: missing', (s) => void delete s.steps],
        ['steps[0]: needs one of note, present', (s) => void (s.steps[0] = {})],
        ['steps[0].wiat: unknown key', (s) => void (s.steps[0] = { wiat: '1s' })],
        ['steps[0]: has both "note" and "wait"', (s) => void (s.steps[0] = { note: 'x', wait: '1s' })],
        ['steps[0].expect: unknown key (known here: note)', (s) => void (s.steps[0].expect = 'granted')],
        ['steps[1].expect: "grant" is not an outcome', (s) => void (s.steps[1].expect = 'grant')],
        ['steps[1].present: no ticket named "nope"', (s) => void (s.steps[1].present = 'nope')],
        ['steps[3].present.mtu: must be an integer 23..517', (s) => void (s.steps[3].present.mtu = 600)],
        ['steps[3].present.proof: must be one of valid, none, other-key, other-lock', (s) => void (s.steps[3].present.proof = 'forged')],
        ['steps[3].present.phone: no phone named "x"', (s) => void (s.steps[3].present.phone = 'x')],
        ['steps[0].replay: no earlier present step to replay', (s) => void (s.steps[0] = { replay: 'last' })],
        ['steps[2].replay: no earlier present step has label "first"', (s) => void (s.steps[2] = { replay: 'first' })],
        ['steps[2].wait: must be a duration', (s) => void (s.steps[2] = { wait: 'soon' })],
        ['steps[2].door: must be "open" or "close"', (s) => void (s.steps[2] = { door: 'opened' })],
        ['steps[2].reboot: must be true', (s) => void (s.steps[2] = { reboot: 'yes' })],
        ['steps[2].jam: must be an integer 1..1000', (s) => void (s.steps[2] = { jam: 0 })],
        ['steps[2].setClock: "yesterday": must be a relative time', (s) => void (s.steps[2] = { setClock: 'yesterday' })],
      ];
      for (const [expected, mutate] of cases) expect(problem(mutate), expected).to.include(expected);
    });

    it('lists every outcome an expectation may name', () => {
      for (const o of ['granted', 'replayed', 'expired', 'wrong-lock', 'bad-proof', 'backoff', 'clock-untrusted', 'error:bad-frame', 'timeout']) {
        expect(OUTCOMES).to.include(o);
      }
    });
  });

  describe('times', () => {
    it('parses durations', () => {
      expect(parseDuration('500ms')).to.equal(500);
      expect(parseDuration('30s')).to.equal(30_000);
      expect(parseDuration('1.5s')).to.equal(1500);
      expect(parseDuration('10m')).to.equal(600_000);
      expect(parseDuration('2min')).to.equal(120_000);
      expect(parseDuration('1h30m')).to.equal(5_400_000);
      expect(parseDuration('1d')).to.equal(86_400_000);
      for (const bad of ['', '5', '1 h', 'h', '-1s', '1s ', '1w']) expect(parseDuration(bad), bad).to.equal(undefined);
    });

    it('parses relative and absolute times', () => {
      const ok = (v: unknown) => {
        const r = parseTimeSpec(v);
        if (!r.ok) throw new Error(r.problem);
        return r.time;
      };
      expect(ok('+1h')).to.deep.equal({ relative: true, seconds: 3600 });
      expect(ok('-10m')).to.deep.equal({ relative: true, seconds: -600 });
      expect(ok('30s')).to.deep.equal({ relative: true, seconds: 30 });
      expect(ok('+0')).to.deep.equal({ relative: true, seconds: 0 });
      expect(ok('-0')).to.deep.equal({ relative: true, seconds: 0 });
      expect(ok('-1d2h')).to.deep.equal({ relative: true, seconds: -93_600 });
      expect(ok('2026-11-21T09:00:00Z')).to.deep.equal({ relative: false, seconds: START });
      expect(ok('2026-11-21T10:00:00+01:00')).to.deep.equal({ relative: false, seconds: START });
      expect(ok(String(START))).to.deep.equal({ relative: false, seconds: START });
      expect(ok(START)).to.deep.equal({ relative: false, seconds: START });
      for (const bad of ['+', '+1', '1 h', '+1.5s', '2026-11-21T09:00:00', 'tomorrow', -5, 1.5, null, true]) {
        expect(parseTimeSpec(bad).ok, String(bad)).to.equal(false);
      }
      expect(resolveTime(ok('-10m'), START)).to.equal(START - 600);
      expect(resolveTime(ok(START + 5), 0)).to.equal(START + 5);
    });
  });
});
