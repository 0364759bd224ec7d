// The step-wise scenario player (sim/scenario/player.ts) the web page drives: stepping to the end
// gives the very run `latchkey sim` prints, listening to the simulator's events changes nothing,
// the events tell the truth about frames, flash writes and verdicts, and actions from outside the
// scenario (a ticket issued from a form, a power cut at the next flash write, a reboot) act on the
// same lock. Portable: runs under Node (mocha) and inside XS (test/xs/run.js); inside XS only two
// built-in scenarios are compared, to keep the XS run short.

import { expect } from 'chai';
import { formatRun } from '../../sim/scenario/format.js';
import { BUILTIN_SCENARIOS, derive, parseScenario, type Scenario } from '../../sim/scenario/parse.js';
import { ScenarioPlayer, runScenario, type ScenarioRun } from '../../sim/scenario/run.js';
import type { FrameEvent, SimEvent } from '../../sim/events.js';
import { readAuditLog } from '../../sim/audit-view.js';

const inXs = (globalThis as { process?: unknown }).process === undefined;
const builtin = (name: string): Scenario => parseScenario(BUILTIN_SCENARIOS[name], name);

/** A fixed lock with one trusted issuer, one phone and one ticket; nothing presented yet. */
function small(): Scenario {
  return parseScenario({
    name: 'small',
    lock: { id: 'lock:test/door', relockSeconds: 5 },
    start: '2026-11-21T09:00:00Z',
    issuers: { 'parcel-co': { seed: 1 }, 'rogue-co': { seed: 9, trusted: false } },
    phones: { 'courier-phone': { seed: 2 } },
    tickets: { valid: { issuer: 'parcel-co', courier: 'courier-1', phone: 'courier-phone', notBefore: '-10m', expires: '+1h' } },
    steps: [{ present: 'valid', expect: 'granted' }, { wait: '2s' }, { door: 'open' }, { wait: '1s' }, { door: 'close' }],
  });
}

describe('scenario player', () => {
  const names = inXs ? ['power-cycle', 'backoff'] : Object.keys(BUILTIN_SCENARIOS);
  for (const name of names) {
    it(`steps through the built-in scenario "${name}" to the same run, line for line, as runScenario`, () => {
      const whole = runScenario(builtin(name));
      const player = new ScenarioPlayer(builtin(name));
      let steps = 0;
      const lines: string[] = [];
      while (!player.done) {
        const index = player.nextIndex;
        const report = player.next();
        expect(report?.index).to.equal(index);
        lines.push(...report!.timeline.map((l) => l.text));
        steps++;
      }
      expect(player.next()).to.equal(undefined);
      expect(steps).to.equal(builtin(name).steps.length);
      const stepped: ScenarioRun = player.snapshot();
      expect(stepped).to.deep.equal(whole);
      expect(formatRun(stepped)).to.deep.equal(formatRun(whole));
      // The step reports together hold every line but the boot's.
      expect(lines).to.deep.equal(whole.timeline.filter((l) => l.step !== undefined).map((l) => l.text));
    });
  }

  it('listening to every event changes nothing in the run, and the events match the link, the flash and the verdicts', () => {
    const name = inXs ? 'power-cycle' : 'default';
    const whole = runScenario(builtin(name));
    const events: SimEvent[] = [];
    const player = new ScenarioPlayer(builtin(name), { listen: (e) => events.push(e) });
    const run = player.finish();
    expect(run).to.deep.equal(whole);

    const frames = events.filter((e): e is FrameEvent => e.kind === 'frame');
    expect(frames.filter((f) => f.direction === 'write')).to.have.length(player.sim.link.writes);
    expect(frames.filter((f) => f.direction === 'notify')).to.have.length(player.sim.link.notifications);
    for (const f of frames) expect(f.size).to.be.at.most(f.mtu - 3);
    // Every presentation that got an answer has exactly one decoded RESULT, with the same outcome.
    const verdicts = frames.filter((f) => f.verdict !== undefined).map((f) => (f.verdict!.granted ? 'granted' : f.verdict!.reason));
    expect(verdicts).to.deep.equal(run.presentations.filter((p) => !/^(timeout|disconnected|error:)/.test(p.outcome)).map((p) => p.outcome));
    expect(frames.some((f) => f.type === 'CHALLENGE' && f.first && /^challenge for /.test(f.message ?? ''))).to.equal(true);
    const writes = events.filter((e) => e.kind === 'write');
    expect(writes).to.have.length(run.summary.storageWrites as number);
    const bolts = events.filter((e) => e.kind === 'bolt' && e.reached && e.target === 'unlocked');
    expect(bolts).to.have.length(run.summary.unlocks);
  });

  // The default scenario is an administered lock; inside XS it costs more than it adds here.
  if (!inXs)
    it("lists the audit log as stored in flash: the same entries the owner's verified export shows", () => {
      const player = new ScenarioPlayer(builtin('default'));
      const run = player.finish();
      // The export's lines: "  #N hh:mm:ss event detail…" after "audit log, N entries, chain and device signature verified".
      const exported = run.timeline.map((l) => /^ {2}#(\d+) (\d\d:\d\d:\d\d) (\S+)/.exec(l.text)).filter((m) => m !== null);
      expect(exported.length).to.be.greaterThan(10);
      const view = readAuditLog(player.sim.lock);
      expect(view.present).to.equal(true);
      const stored = new Map(view.entries.map((e) => [e.seq, e]));
      for (const m of exported) {
        const entry = stored.get(Number(m![1]));
        expect(entry, m![0]).to.not.equal(undefined);
        expect(entry!.event).to.equal(m![3]);
        expect(new Date(entry!.at * 1000).toISOString().slice(11, 19)).to.equal(m![2]);
      }
      // A fixed lock keeps no audit log.
      const fixed = new ScenarioPlayer(small());
      expect(readAuditLog(fixed.sim.lock)).to.deep.equal({ present: false, entries: [], pending: 0 });
    });

  it('presents a ticket added from outside the scenario, shows the relock countdown, then records the door', () => {
    const player = new ScenarioPlayer(small());
    player.finish();
    player.addPhone('form-phone', derive('phone:form'));
    player.addTicket('from-form', {
      issuer: 'parcel-co',
      courier: 'courier-77',
      phone: 'form-phone',
      notBefore: { relative: true, seconds: -60 },
      expires: { relative: true, seconds: 3600 },
      cti: derive('cti:form').subarray(0, 16),
    });
    const granted = player.perform({ kind: 'present', ticket: 'from-form', proof: 'valid' });
    expect(granted.index).to.equal(-1);
    expect(granted.presentation?.outcome).to.equal('granted');
    const view = player.sim.view();
    expect(view.bolt).to.equal('unlocked');
    expect(view.relockInMs).to.be.within(4000, 5000);
    player.perform({ kind: 'wait', ms: 1000 });
    expect(player.sim.view().relockInMs).to.equal((view.relockInMs as number) - 1000);
    player.perform({ kind: 'wait', ms: 5000 });
    expect(player.sim.view().bolt).to.equal('locked');
    expect(player.sim.view().relockInMs).to.equal(undefined);
    // The recorded exchange replayed on a new connection: its holder proof was for another challenge.
    expect(player.recordings()).to.include('last');
    expect(player.perform({ kind: 'replay', of: 'last' }).presentation?.outcome).to.equal('bad-proof');
    // An untrusted issuer's ticket, and a forced door.
    player.addTicket('rogue', { ...player.tickets['from-form'], issuer: 'rogue-co', cti: derive('cti:rogue').subarray(0, 16) });
    expect(player.perform({ kind: 'present', ticket: 'rogue', proof: 'valid' }).presentation?.outcome).to.equal('unknown-issuer');
    player.perform({ kind: 'door', action: 'open' });
    expect(player.sim.view().alarms).to.deep.equal(['forced-open']);
    player.perform({ kind: 'door', action: 'close' });
    expect(player.sim.view().alarms).to.deep.equal([]);
    expect(() => player.perform({ kind: 'present', ticket: 'nope', proof: 'valid' })).to.throw(RangeError);
    expect(() => player.addTicket('from-form', player.tickets['from-form'])).to.throw(RangeError);
  });

  it('replays any recorded presentation by its index, as a replay step does for a labelled one', () => {
    // The same run written as a scenario: two tickets granted, then the first exchange replayed by label.
    const twoTickets = (): Scenario => {
      const s = small();
      s.tickets.second = { ...s.tickets.valid, courier: 'courier-2', cti: derive('cti:second').subarray(0, 16) };
      s.steps = [
        { kind: 'present', ticket: 'valid', proof: 'valid', label: 'first' },
        { kind: 'wait', ms: 10_000 },
        { kind: 'present', ticket: 'second', proof: 'valid' },
        { kind: 'wait', ms: 10_000 },
      ];
      return s;
    };
    const scripted = twoTickets();
    scripted.steps.push({ kind: 'replay', of: 'first' });
    const expected = runScenario(scripted);
    const player = new ScenarioPlayer(twoTickets());
    player.finish();
    expect(player.replayable().map((r) => [r.index, r.presentation.ticket, r.presentation.outcome])).to.deep.equal([
      [0, 'valid', 'granted'],
      [1, 'second', 'granted'],
    ]);
    const replay = player.perform({ kind: 'replay', of: '#1', presentation: 0 }).presentation;
    const scriptedReplay = expected.presentations[2];
    expect(replay).to.deep.include({ kind: 'replay', replayOf: 0, ticket: 'valid', outcome: scriptedReplay.outcome, writes: scriptedReplay.writes });
    expect(replay?.granted).to.equal(false);
    // A replay is not itself a recorded exchange; an index never presented is refused before anything happens.
    expect(player.replayable()).to.have.length(2);
    expect(() => player.perform({ kind: 'replay', of: '#3', presentation: 2 })).to.throw(RangeError);
  });

  for (const when of ['after', 'before'] as const) {
    it(`cuts the power at the next flash write (${when} it) mid-grant: no unlock, locked after reboot, and the ticket is ${when === 'after' ? 'spent' : 'still good'}`, () => {
      const scenario = small();
      scenario.steps = [];
      const player = new ScenarioPlayer(scenario);
      const events: SimEvent[] = [];
      player.sim.listen((e) => events.push(e));
      player.cutPowerAtNextWrite(when);
      const cut = player.perform({ kind: 'present', ticket: 'valid', proof: 'valid' });
      expect(cut.presentation?.granted).to.equal(false);
      expect(cut.presentation?.outcome).to.equal('timeout');
      expect(events.some((e) => e.kind === 'write' && e.cut === when)).to.equal(true);
      expect(events.some((e) => e.kind === 'bolt' && e.target === 'unlocked' && e.reached)).to.equal(false);
      expect(player.sim.view().powered).to.equal(false);
      expect(player.sim.timeline.map((l) => l.text)).to.include('power cut during a storage write: the lock is off until it reboots');
      player.perform({ kind: 'reboot' });
      expect(player.sim.view().powered).to.equal(true);
      expect(player.sim.view().bolt).to.equal('locked');
      const again = player.perform({ kind: 'present', ticket: 'valid', proof: 'valid' });
      expect(again.presentation?.outcome).to.equal(when === 'after' ? 'replayed' : 'granted');
    });
  }

  it("moves the lock's clock: a clock that lost its battery is not trusted, and tickets are refused until it is set", () => {
    const scenario = small();
    scenario.steps = [];
    const player = new ScenarioPlayer(scenario);
    expect(player.sim.view().clock.trusted).to.equal(true);
    player.rtcPowerLoss();
    const view = player.sim.view();
    expect(view.clock).to.include({ set: false, trusted: false });
    expect(view.clock.now).to.be.below(100);
    expect(player.perform({ kind: 'present', ticket: 'valid', proof: 'valid' }).presentation?.outcome).to.equal('clock-untrusted');
    player.perform({ kind: 'setClock', time: { relative: false, seconds: player.start + 60 } });
    expect(player.sim.view().clock.trusted).to.equal(true);
  });
});
