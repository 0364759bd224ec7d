// Issuer scopes and do-not-disturb (src/lock/scope.ts): every boundary — week days, the first and
// last minute of a range, overnight ranges, whole days, time zone offsets that move the local day.

import { expect } from 'chai';
import { defaultScope, doNotDisturbProblem, inDoNotDisturb, inSchedule, inScope, localTime, scheduleProblem, scopeProblem } from '../../src/lock/scope.js';

// 2027-01-11 was a Monday; MONDAY is its 00:00 UTC.
const MONDAY = 1_799_625_600;
const at = (day: number, hh: number, mm = 0, ss = 0): number => MONDAY + day * 86400 + hh * 3600 + mm * 60 + ss;
const MON = 1,
  TUE = 2,
  FRI = 16,
  SAT = 32,
  SUN = 64;

describe('issuer scopes and do-not-disturb', () => {
  it('local week day and minute, with offsets that cross midnight', () => {
    expect(localTime(MONDAY, 0)).to.deep.equal({ weekday: 0, minute: 0 });
    expect(localTime(MONDAY - 1, 0)).to.deep.equal({ weekday: 6, minute: 1439 });
    expect(localTime(MONDAY, -60)).to.deep.equal({ weekday: 6, minute: 23 * 60 });
    expect(localTime(at(6, 23, 30), 60)).to.deep.equal({ weekday: 0, minute: 30 });
    expect(localTime(at(0, 12), 840)).to.deep.equal({ weekday: 1, minute: 2 * 60 });
    expect(localTime(at(0, 12), -720)).to.deep.equal({ weekday: 0, minute: 0 });
    expect(localTime(1_800_000_000, 0), "the suites' NOW").to.deep.equal({ weekday: 4, minute: 480 });
  });

  it('a daytime range: from inclusive, to exclusive, listed days only', () => {
    const s = { days: MON | TUE, from: 9 * 60, to: 17 * 60 };
    expect(inSchedule(s, at(0, 8, 59, 59), 0)).to.equal(false);
    expect(inSchedule(s, at(0, 9), 0)).to.equal(true);
    expect(inSchedule(s, at(0, 16, 59, 59), 0)).to.equal(true);
    expect(inSchedule(s, at(0, 17), 0)).to.equal(false);
    expect(inSchedule(s, at(1, 12), 0)).to.equal(true);
    expect(inSchedule(s, at(2, 12), 0), 'Wednesday').to.equal(false);
    expect(inSchedule(s, at(6, 12), 0), 'Sunday').to.equal(false);
  });

  it('the whole day is 0..1440', () => {
    const s = { days: SUN, from: 0, to: 1440 };
    expect(inSchedule(s, at(6, 0), 0)).to.equal(true);
    expect(inSchedule(s, at(6, 23, 59, 59), 0)).to.equal(true);
    expect(inSchedule(s, at(7, 0), 0), 'Monday 00:00').to.equal(false);
    expect(inSchedule(s, at(5, 23, 59, 59), 0), 'Saturday 23:59:59').to.equal(false);
  });

  it('an overnight range belongs to the day it starts', () => {
    const s = { days: FRI, from: 22 * 60, to: 6 * 60 };
    expect(inSchedule(s, at(4, 21, 59), 0)).to.equal(false);
    expect(inSchedule(s, at(4, 22), 0), 'Friday 22:00').to.equal(true);
    expect(inSchedule(s, at(5, 5, 59), 0), 'Saturday 05:59').to.equal(true);
    expect(inSchedule(s, at(5, 6), 0), 'Saturday 06:00').to.equal(false);
    expect(inSchedule(s, at(5, 22), 0), 'Saturday 22:00').to.equal(false);
    expect(inSchedule(s, at(4, 3), 0), 'Friday 03:00 belongs to Thursday night').to.equal(false);
  });

  it('the time zone offset moves the range, and the day, in UTC', () => {
    const s = { days: SAT, from: 0, to: 60 }; // Saturday 00:00–01:00 local
    expect(inSchedule(s, at(4, 22, 30), 120), 'Friday 22:30 UTC is Saturday 00:30 at UTC+2').to.equal(true);
    expect(inSchedule(s, at(5, 0, 30), 120), 'Saturday 00:30 UTC is 02:30 at UTC+2').to.equal(false);
    expect(inSchedule(s, at(5, 0, 30), 0)).to.equal(true);
    expect(inSchedule(s, at(5, 5, 30), -300), 'Saturday 05:30 UTC is 00:30 at UTC−5').to.equal(true);
    expect(inSchedule(s, at(5, 4, 59), -300)).to.equal(false);
  });

  it('a scope opens when any of its schedules does', () => {
    const scope = {
      schedules: [
        { days: MON, from: 8 * 60, to: 9 * 60 },
        { days: FRI, from: 14 * 60, to: 15 * 60 },
      ],
      maxWindowSeconds: 3600,
      maxUses: 1,
    };
    expect(inScope(scope, at(0, 8, 30), 0)).to.equal(true);
    expect(inScope(scope, at(4, 14, 30), 0)).to.equal(true);
    expect(inScope(scope, at(4, 8, 30), 0)).to.equal(false);
    expect(inScope(defaultScope(3600), at(3, 3, 3), 0)).to.equal(true);
  });

  it('do-not-disturb: daily ranges and absolute periods (start inclusive, end exclusive)', () => {
    const dnd = { schedules: [{ days: 0x7f, from: 22 * 60, to: 7 * 60 }], periods: [{ start: at(2, 12), end: at(3, 12) }] };
    expect(inDoNotDisturb(dnd, at(0, 21, 59), 0)).to.equal(false);
    expect(inDoNotDisturb(dnd, at(0, 22), 0)).to.equal(true);
    expect(inDoNotDisturb(dnd, at(1, 6, 59), 0)).to.equal(true);
    expect(inDoNotDisturb(dnd, at(1, 7), 0)).to.equal(false);
    expect(inDoNotDisturb(dnd, at(2, 11, 59, 59), 0)).to.equal(false);
    expect(inDoNotDisturb(dnd, at(2, 12), 0)).to.equal(true);
    expect(inDoNotDisturb(dnd, at(3, 11, 59, 59), 0)).to.equal(true);
    expect(inDoNotDisturb(dnd, at(3, 12), 0)).to.equal(false);
    expect(inDoNotDisturb({ schedules: [], periods: [] }, at(0, 0), 0)).to.equal(false);
  });

  it('refuses malformed schedules and scopes', () => {
    expect(scheduleProblem({ days: 0, from: 0, to: 60 })).to.be.a('string');
    expect(scheduleProblem({ days: 128, from: 0, to: 60 })).to.be.a('string');
    expect(scheduleProblem({ days: 1, from: 1440, to: 60 })).to.be.a('string');
    expect(scheduleProblem({ days: 1, from: 60, to: 60 })).to.be.a('string');
    expect(scheduleProblem({ days: 1, from: 0, to: 0 })).to.be.a('string');
    expect(scheduleProblem({ days: 1, from: 0.5, to: 60 })).to.be.a('string');
    expect(scheduleProblem({ days: 1, from: 0, to: 1440 })).to.equal(undefined);
    expect(scopeProblem({ schedules: [], maxWindowSeconds: 60, maxUses: 1 })).to.be.a('string');
    expect(scopeProblem({ ...defaultScope(60), maxUses: 0 })).to.be.a('string');
    expect(scopeProblem({ ...defaultScope(60), maxUses: 256 })).to.be.a('string');
    expect(scopeProblem({ ...defaultScope(0) })).to.be.a('string');
    expect(doNotDisturbProblem({ schedules: [], periods: [{ start: 10, end: 10 }] })).to.be.a('string');
  });
});
