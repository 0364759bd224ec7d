// `latchkey sim` (and its alias `demo`), run as a child process exactly as a user runs it
// (node bin/latchkey.js sim …) from a fresh temporary directory, not the project root.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, expectOneLineError, runLatchkey, type Run } from './cli-harness.js';

const SCENARIOS = path.join(ROOT, 'sim', 'scenarios');
let dir = '';

const latchkey = (args: string[]): Run => runLatchkey(dir, args);

const file = (name: string): string => path.join(dir, name);
const writeJson = (name: string, value: unknown): string => {
  fs.writeFileSync(file(name), JSON.stringify(value, null, 2));
  return name;
};

/** The timeline line of a presentation's outcome, by its text. */
const line = (stdout: string, pattern: RegExp): string | undefined => stdout.split('\n').find((l) => pattern.test(l));

const small = (steps: unknown[]): Record<string, unknown> => ({
  name: 'small',
  lock: { id: 'lock:test/door' },
  issuers: { 'parcel-co': { seed: 1 } },
  phones: { phone: { seed: 2 } },
  tickets: { t: { courier: 'courier-1', notBefore: '-10m', expires: '+1h' } },
  steps,
});

describe('latchkey sim', function () {
  this.timeout(120000);
  let defaultRun: Run;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-sim-'));
    defaultRun = latchkey(['sim', '--scenario', 'morning']);
  });

  after(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the default scenario: the owner provisions and administers the lock, every expectation met', () => {
    const run = latchkey(['sim']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^Latchkey simulator — scenario "default" \(built in\)\n/);
    expect(
      line(run.stdout, /owner's phone: provision lock:12-rue-des-lilas\/door-a with parcel-co, swift-post; device key [0-9a-f]{16}…: done {2}✓$/),
    ).to.not.equal(undefined);
    for (const reason of ['outside-scope', 'revoked', 'do-not-disturb'])
      expect(line(run.stdout, new RegExp(`phone {2}refused: ${reason} — .* ✓$`)), reason).to.not.equal(undefined);
    expect(line(run.stdout, /owner's phone: export the audit log: verified {2}✓$/)).to.not.equal(undefined);
    expect(run.stdout).to.match(/\n {2}expectations +15\/15 met\n/);
    const again = latchkey(['demo']);
    expect(again.stdout, 'demo is the same command').to.equal(run.stdout);
  });

  it('runs the morning scenario from any directory: exit 0, the key lines of the timeline, a summary', () => {
    const run = defaultRun;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.equal('');
    const out = run.stdout;
    expect(out).to.match(/^Latchkey simulator — scenario "morning" \(built in\)\n/);
    expect(out).to.include('lock lock:12-rue-des-lilas/door-a · MTU 185 · relock 5 s · door sensor · clock starts 2026-11-21T09:00:00Z');
    expect(line(out, /^\+ +0\.105 s {2}09:00:00 {2}phone {2}GRANTED, relocks in 5 s — 2 writes, 2 notifications, 105 ms {2}✓$/)).to.not.equal(undefined);
    expect(line(out, /phone {2}refused: replayed — .* ✓$/)).to.not.equal(undefined);
    expect(line(out, /phone {2}refused: bad-proof — .* ✓$/)).to.not.equal(undefined);
    expect(line(out, /phone {2}refused: expired — .* ✓$/)).to.not.equal(undefined);
    expect(line(out, /phone {2}refused: wrong-lock — .* ✓$/)).to.not.equal(undefined);
    expect(line(out, /bolt {3}bolt locked \(door-closed\)$/)).to.not.equal(undefined);
    expect(line(out, /bolt {3}bolt locked \(deadline\)$/)).to.not.equal(undefined);
    expect(line(out, /lock {3}ALARM alarm:forced-open/)).to.not.equal(undefined);
    expect(out).to.match(/\n {2}presentations +6: 2 granted, 4 refused/);
    expect(out).to.match(/\n {2}MTU 185 +2 writes and 2 notifications per presentation/);
    expect(out).to.match(/\n {2}MTU 23 +\d+ writes and \d+ notifications per presentation/);
    expect(out).to.match(/\n {2}alarms +forced-open at 09:03:14\n/);
    expect(out).to.match(/\n {2}expectations +6\/6 met\n\nNext: latchkey sim --help .*latchkey sim --scenario backoff.*\n.*docs\/simulator\.md\.\n$/);
    // A legend for the columns before the first timeline line, and readable times beside unix seconds.
    expect(out.indexOf('Columns: + simulated time since the start')).to.be.within(0, out.indexOf('\n+  0.000 s'));
    expect(line(out, /lock {3}granted .* validUntil=1795255200 \(2026-11-21T10:00:00Z\)$/)).to.not.equal(undefined);
  });

  it('is deterministic', () => {
    const again = latchkey(['sim', '--scenario', 'morning']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal(defaultRun.stdout);
  });

  it('--mtu 23 changes the write counts of presentations without their own MTU', () => {
    const run = latchkey(['sim', '--scenario', 'morning', '--mtu', '23']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('· MTU 23 ·');
    const granted = line(run.stdout, /phone {2}GRANTED/);
    expect(granted).to.match(/GRANTED, relocks in 5 s — (\d+) writes/);
    expect(Number(/— (\d+) writes/.exec(granted as string)?.[1])).to.be.greaterThan(2);
    expect(run.stdout).to.not.match(/\n {2}MTU 185 /);
    expect(line(run.stdout, /got challenge, presenting in \d+ writes \(MTU 23\)/)).to.not.equal(undefined);
  });

  it("--lock, --relock and --no-door override the scenario's lock", () => {
    const run = latchkey(['sim', '--scenario', 'morning', '--lock', 'lock:elsewhere/door-b', '--relock', '9', '--no-door']);
    expect(run.code, run.stderr).to.equal(0); // tickets follow the lock, except the one for next door
    expect(run.stdout).to.include('lock lock:elsewhere/door-b · MTU 185 · relock 9 s · no door sensor');
    expect(run.stdout).to.include('GRANTED, relocks in 9 s');
    expect(run.stdout).to.include('door opened (no door sensor: the lock cannot tell)');
    expect(run.stdout).to.not.include('door-closed');
    expect(run.stdout).to.match(/\n {2}alarms +none\n/);
  });

  it('--json prints one JSON object: timeline, presentations, summary', () => {
    const run = latchkey(['sim', '--scenario', 'morning', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n')).to.have.length(1);
    const json = JSON.parse(run.stdout);
    expect(json).to.include({ name: 'morning', lockId: 'lock:12-rue-des-lilas/door-a', mtu: 185, ok: true, origin: 'built in' });
    expect(json.presentations.map((p: { outcome: string }) => p.outcome)).to.deep.equal([
      'granted',
      'replayed',
      'bad-proof',
      'expired',
      'wrong-lock',
      'granted',
    ]);
    expect(json.timeline[0]).to.include({ elapsed: 0, at: 1795251600, source: 'bolt', text: 'bolt locked (boot)' });
    expect(json.summary.expectations).to.deep.equal({ total: 6, met: 6, failed: [] });
    expect(json.summary.bolt).to.equal('locked');
  });

  it('runs every example scenario in sim/scenarios/, by file and by name, meeting its expectations', () => {
    const files = fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.json'));
    expect(files).to.include('default.json');
    expect(files.length).to.be.greaterThanOrEqual(4);
    for (const f of files) {
      const run = latchkey(['sim', '--scenario', path.join(SCENARIOS, f)]);
      expect(
        run.code,
        `${f}: ${run.stderr}${run.stdout
          .split('\n')
          .filter((l) => l.includes('✗'))
          .join('\n')}`,
      ).to.equal(0);
      expect(run.stdout).to.include(`(${path.join(SCENARIOS, f)})`);
    }
    const byName = latchkey(['sim', '--scenario', 'clock-rollback']);
    expect(byName.code, byName.stderr).to.equal(0);
    expect(byName.stdout).to.include('refused: clock-untrusted');
  });

  it('exits 1 when an expectation is not met, and says which', () => {
    const name = writeJson('failing.json', small([{ present: 't', expect: 'granted' }, { wait: '10s' }, { present: 't', expect: 'granted' }]));
    const run = latchkey(['sim', '--scenario', name]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.include('refused: replayed');
    expect(run.stdout).to.include('✗ EXPECTED granted');
    expect(run.stdout).to.match(/expectations +1\/2 met\n {4}✗ steps\[2\]: expected granted, got replayed\n\nNext: /);
  });

  it('usage, file and scenario errors: exit 2, one line on stderr', () => {
    expectOneLineError(
      latchkey(['sim', '--scenario', writeJson('bad-mtu.json', small([{ present: { ticket: 't', mtu: 600 } }]))]),
      /^latchkey: scenario bad-mtu\.json: steps\[0\]\.present\.mtu: must be an integer 23\.\.517$/,
    );
    expectOneLineError(latchkey(['sim', '--scenario', writeJson('bad-key.json', { ...small([]), colour: 'red' })]), /colour: unknown key/);
    fs.writeFileSync(file('broken.json'), '{"lock": ');
    expectOneLineError(latchkey(['sim', '--scenario', 'broken.json']), /^latchkey: scenario broken\.json: not valid JSON/);
    expectOneLineError(latchkey(['sim', '--scenario', 'missing.json']), /^latchkey: scenario missing\.json: no such file or directory$/);
    expectOneLineError(latchkey(['sim', '--scenario', 'nonesuch']), /no built-in scenario "nonesuch" \(built in: default, /);
    expectOneLineError(latchkey(['sim', '--mtu', '22']), /--mtu: "22" is not an ATT MTU/);
    expectOneLineError(latchkey(['sim', '--relock', '0']), /--relock: "0" is not a whole number of seconds 1\.\.3600/);
    expectOneLineError(latchkey(['sim', '--frobnicate']), /^latchkey: sim: unknown option --frobnicate/);
    expectOneLineError(latchkey(['sim', 'extra']), /unexpected argument/);
    fs.writeFileSync(file('not-a-dir'), '');
    expectOneLineError(latchkey(['sim', '--state', 'not-a-dir']), /^latchkey: sim: --state not-a-dir: /);
  });

  it('--help prints the usage', () => {
    const run = latchkey(['sim', '--help']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: latchkey sim \[--scenario FILE\|NAME\]/);
    expect(latchkey(['--help']).stdout).to.include('latchkey sim [--scenario');
  });

  it("--state DIR keeps the lock's storage: a second run finds the default tickets already used", () => {
    const first = latchkey(['sim', '--scenario', 'morning', '--state', 'state', '--json']);
    expect(first.code, first.stderr).to.equal(0);
    expect(fs.existsSync(file(path.join('state', 'lk.replay')))).to.equal(true);
    const clock = JSON.parse(fs.readFileSync(file(path.join('state', '@sim-clock.json')), 'utf8'));
    const firstJson = JSON.parse(first.stdout);
    expect(clock.rtc).to.equal(firstJson.end);

    const second = latchkey(['sim', '--scenario', 'morning', '--state', 'state', '--json']);
    expect(second.code, second.stderr).to.equal(1);
    const json = JSON.parse(second.stdout);
    expect(json.state).to.include({ resumed: true, resumedAt: firstJson.end });
    expect(json.start).to.equal(firstJson.end);
    expect(json.timeline[1].text).to.equal('boot clockTrusted=true replayEntries=2');
    expect(json.presentations[0]).to.include({ ticket: 'delivery', outcome: 'replayed', expect: 'granted', met: false });
    expect(json.summary.granted).to.equal(0);

    const text = latchkey(['sim', '--scenario', 'morning', '--state', 'state']);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/\nstate .*state \(resumed: lock clock continues from 2026-11-21T09:\d\d:\d\dZ\)\n/);
    expect(text.stdout).to.include('✗ steps[1]: expected granted, got replayed');
  });
});
