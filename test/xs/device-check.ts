// The firmware core on a device-like XS: built-in names stripped (see strip-builtin-names.ts,
// imported first). Plain assertions: chai itself relies on constructor names.
import { ed25519SelfTest, verifyTicket, fromHex } from '../../src/device.js';
import { Simulator } from '../../sim/simulator.js';
import { context, ticket, HOLDER_SEED, LOCK_ID, NOW, TRUSTED } from '../portable/fixtures.js';

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

describe('device core with built-in names stripped (as the Moddable SDK builds it)', () => {
  it('loads, and the Ed25519 self-test passes', () => {
    check((Uint8Array as { name?: unknown }).name === undefined, 'names are stripped');
    check(ed25519SelfTest(), 'self-test');
  });

  it('verifies a ticket and refuses a wrong lock', () => {
    const good = verifyTicket(ticket(), context());
    check(good.granted, `granted: ${JSON.stringify(good)}`);
    const wrong = verifyTicket(ticket(), context({ lockId: 'lock:elsewhere' }));
    check(!wrong.granted && wrong.reason === 'wrong-lock', 'wrong-lock');
    check(fromHex('00ff')?.length === 2, 'hex');
  });

  it('runs a whole BLE presentation to a grant and the relock', () => {
    const sim = new Simulator({ lock: { lockId: LOCK_ID, issuers: TRUSTED }, startTime: NOW, holderSeed: HOLDER_SEED });
    const report = sim.present(ticket());
    check(report.outcome.kind === 'result' && report.outcome.granted, `presentation: ${JSON.stringify(report.outcome)}`);
    check(sim.actuator.position === 'unlocked', 'unlocked');
    sim.wait(6000);
    check(sim.actuator.position === 'locked', 'relocked');
  });
});
