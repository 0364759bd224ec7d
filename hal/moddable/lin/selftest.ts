// The firmware self-test for Moddable's desktop simulator: `mcconfig -m -p lin selftest=1`.
// It boots the lock with src/app.ts exactly as main.ts does, on the simulated board of
// lin/board.ts, and runs one complete story against a built-in test ticket: a grant, the same
// ticket replayed and refused, the relock at the deadline (real Moddable timers), a power cut in
// the middle of a grant, and the reboot after it. One trace line per step, then the heap figures
// (XS's own counters, lin/heap.c) and `SELFTEST PASS` or `SELFTEST FAIL <reason>`.
// The keys below are test keys, published here: never provision a real lock with them.

import Debug from 'debug';
import Timer from 'timer';
import { hashesSelfTest, startLatchkey, type Latchkey } from 'latchkey';
import { CourierPhone, issueTicket, publicKeyFromSeed, type PresentationReport } from 'latchkey/sim';
import { SELFTEST_LOCK_ID, type FirmwareConfig } from 'latchkey/config';
import { createSimulatedBoard, type SimulatedBoard } from 'latchkey/lin/board';
import { heapFigures, type HeapFigures } from 'latchkey/native/heap';
import { print } from 'latchkey/native/console';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ISSUER_KID = 'selftest-issuer';
const LOCK_ID = SELFTEST_LOCK_ID;
/** Relock deadline for the self-test: short, so the real timer fires within a second or two. */
const RELOCK_MS = 1000;
const PHONE_MTU = 185;

class Failure extends Error {}

function check(condition: boolean, reason: string): void {
  if (!condition) throw new Failure(reason);
}

/** One line per step, on stdout: a headless release build discards trace (lin/console.c). */
function report(line: string): void {
  print(line);
}

function step(name: string, text: string): void {
  report(`SELFTEST ${name}: ${text}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => Timer.set(() => resolve(), ms));

function outcome(report: PresentationReport): string {
  const o = report.outcome;
  if (o.kind === 'result') return o.granted ? 'granted' : String(o.reason);
  return o.kind === 'error' ? `error ${o.error}` : o.kind;
}

/** Heap figures with the 32-bit equivalent (XS slots are 16 bytes on the ESP32). */
function heapLine(label: string, h: HeapFigures): string {
  const bytes64 = h.chunksPeak + h.slotsPeak * h.slotBytes;
  const bytes32 = h.chunksPeak + h.slotsPeak * 16;
  return `${label}: chunks peak ${h.chunksPeak} B, slots peak ${h.slotsPeak} (${h.slotBytes} B each: ${bytes64} B here, ~${bytes32} B on a 32-bit ESP32), stack peak ${h.stackPeak < 0 ? 'n/a (build with -i)' : h.stackPeak + ' slots'}`;
}

/** A clean starting point for a measured phase: garbage collected, peaks restarted. */
function startPhase(): void {
  Debug.gc();
  heapFigures(true);
}

export function runSelfTest(config: FirmwareConfig): void {
  run(config).then(
    () => report('SELFTEST PASS'),
    (error: unknown) => report(`SELFTEST FAIL ${error instanceof Failure ? error.message : `unexpected: ${String((error as Error)?.message ?? error)}`}`),
  );
}

async function run(config: FirmwareConfig): Promise<void> {
  const bootFigures = heapFigures(true); // module loading and everything before this point
  step('load', heapLine('modules loaded', bootFigures));

  const issuer = { kid: ascii(ISSUER_KID), seed: new Uint8Array(32).fill(0x5a) };
  const holderSeed = new Uint8Array(32).fill(0xa5);
  const lock = {
    ...config.lock,
    lockId: LOCK_ID,
    issuers: [{ kid: issuer.kid, publicKey: publicKeyFromSeed(issuer.seed) }],
    bolt: { ...config.lock.bolt, relockMs: RELOCK_MS },
  };
  const board: SimulatedBoard = createSimulatedBoard(config);
  const now = Math.floor(Date.now() / 1000);
  const ticket = (cti: string) =>
    issueTicket(issuer, {
      iss: 'latchkey-selftest', courier: 'selftest-courier', lockId: LOCK_ID,
      notBefore: now - 60, expires: now + 600, issuedAt: now - 60, cti: ascii(cti),
      holderPublicKey: publicKeyFromSeed(holderSeed),
    });
  const first = ticket('selftest-ticket-1');
  const second = ticket('selftest-ticket-2');
  const phone = new CourierPhone(board.link.central, board.world, holderSeed);
  const present = (t: Uint8Array): PresentationReport => {
    // The phone signs its holder proof first (not the lock's work): the lock's phase starts after.
    phone.onStep = () => startPhase();
    const report = phone.present(t, { mtu: PHONE_MTU });
    board.world.advance(1000); // deliver the disconnection to the lock
    return report;
  };

  // 0. The native digests (Moddable's crypt Digest) against the known answers the boot checks.
  check(hashesSelfTest(board.hardware.hashes), 'hashes: the native SHA-256/SHA-512 (crypt Digest) give wrong digests');
  step('hashes', 'native SHA-256 and SHA-512 (Moddable crypt Digest) match the FIPS 180 known answers');

  // 1. Boot, exactly as main.ts does it.
  startPhase();
  let app: Latchkey = startLatchkey(board.hardware, lock);
  const boot = heapFigures(false);
  Debug.gc();
  const live = heapFigures(true);
  check(app.selfTestPassed, 'boot: the crypto self-test failed (hashes or Ed25519)');
  check(board.actuator.position === 'locked', 'boot: the bolt was not locked at boot');
  step('boot', `crypto self-test passed, bolt locked; ${heapLine('boot', boot)}`);
  step('heap', `live after boot (after a collection): chunks ${live.chunks} B, slots ${live.slots} (~${live.chunks + live.slots * 16} B on a 32-bit ESP32)`);

  // 2. A grant.
  const grantedAt = Date.now();
  const granted = present(first);
  const presentation = heapFigures(false);
  check(outcome(granted) === 'granted', `grant: the phone heard ${outcome(granted)}`);
  check(board.actuator.position === 'unlocked', 'grant: the bolt did not unlock');
  step('grant', `GRANTED over the virtual BLE link at MTU ${granted.mtu}: ${granted.writes} writes, ${granted.notifications} notifications; bolt unlocked`);
  step('heap', heapLine('presentation', presentation));

  // 3. The same ticket again: refused as replayed.
  const replayed = present(first);
  check(outcome(replayed) === 'replayed', `replay: the phone heard ${outcome(replayed)}`);
  step('replay', 'the same ticket again: refused (replayed)');

  // 4. The relock deadline, on real Moddable timers.
  while (board.actuator.position !== 'locked' && Date.now() - grantedAt < RELOCK_MS + 2000) await sleep(20);
  check(board.actuator.position === 'locked', `relock: still unlocked ${RELOCK_MS + 2000} ms after the grant`);
  const relockedAfter = Date.now() - grantedAt;
  check(relockedAfter >= RELOCK_MS - 50, `relock: locked after ${relockedAfter} ms, before the ${RELOCK_MS} ms deadline`);
  step('relock', `bolt locked by the deadline timer ${relockedAfter} ms after the grant (deadline ${RELOCK_MS} ms)`);

  // 5. Power cut during a grant: right after the replay record lands, before the bolt moves.
  const drivesBefore = board.actuator.history.length;
  board.flash.cutAtWrite(1, 'after');
  const cut = present(second);
  check(board.flash.off, 'power cut: the armed cut did not happen');
  check(outcome(cut) !== 'granted', `power cut: the phone heard ${outcome(cut)}`);
  check(board.actuator.history.slice(drivesBefore).every((d) => d.target !== 'unlocked'), 'power cut: the bolt moved');
  step('power-cut', `power lost writing the replay record; the phone heard nothing (${outcome(cut)}); bolt never moved`);

  // 6. Reboot on the same flash: bolt locked, the ticket whose record landed is spent.
  app = startLatchkey(board.powerCycle(), lock);
  check(app.selfTestPassed && board.actuator.position === 'locked', 'reboot: not locked, or the self-test failed');
  const retry = present(second);
  check(outcome(retry) === 'replayed', `reboot: the cut ticket was answered ${outcome(retry)}`);
  step('reboot', 'bolt locked at boot; the ticket cut mid-grant is refused (replayed): it opened nothing and cannot open later');
  app.close();
}
