// The one rule for a run on kept storage (sim/scenario/resume.ts), shared by `latchkey sim --state`
// and the web page's kept flash: the lock's clock resumes where it stopped, never earlier than the
// scenario's start, and a kept clock reading is only ever whole seconds the RTC can hold. Portable.

import { expect } from 'chai';
import { MemoryStorage } from '../../sim/hal/memory-storage.js';
import { BUILTIN_SCENARIOS, parseScenario } from '../../sim/scenario/parse.js';
import { keptClock, resumeOptions } from '../../sim/scenario/resume.js';
import { runScenario } from '../../sim/scenario/run.js';

describe('scenario resume (kept storage)', () => {
  it('accepts only whole unix seconds 0..2^32-1 as a kept clock', () => {
    expect(keptClock(0)).to.equal(0);
    expect(keptClock(4294967295)).to.equal(4294967295);
    for (const bad of [-1, 4294967296, 1.5, NaN, Infinity, '1795420500', null, undefined, {}]) expect(keptClock(bad), String(bad)).to.equal(undefined);
  });

  it("resumes the lock's clock only forward of the scenario's start, on the same storage", () => {
    const storage = new MemoryStorage();
    expect(resumeOptions(storage, 1000, undefined)).to.deep.equal({ storage });
    expect(resumeOptions(storage, 1000, 999)).to.deep.equal({ storage });
    expect(resumeOptions(storage, 1000, 1000)).to.deep.equal({ storage });
    expect(resumeOptions(storage, 1000, 1001)).to.deep.equal({ storage, startTime: 1001 });
  });

  it('a second run on the kept storage finds the first grant spent', () => {
    const scenario = parseScenario(BUILTIN_SCENARIOS['power-cycle'], 'power-cycle');
    const storage = new MemoryStorage();
    const first = runScenario(scenario, { storage });
    const grant = first.presentations.findIndex((p) => p.granted);
    expect(grant).to.be.at.least(0);
    const second = runScenario(scenario, resumeOptions(storage, scenario.start, first.end));
    expect(second.start).to.equal(Math.max(first.end, scenario.start));
    expect(second.presentations[grant].outcome).to.equal('replayed');
  });
});
