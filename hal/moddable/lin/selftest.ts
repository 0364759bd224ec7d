// The firmware self-test for Moddable's desktop simulator: `mcconfig -m -p lin selftest=1`.
// It boots the lock with src/app.ts exactly as main.ts does, on the simulated board of
// lin/board.ts, as an administered lock (docs/admin.md), and runs one complete story: the lock
// boots unprovisioned, the owner's phone provisions it over the virtual BLE link and adds an
// issuer (signed admin commands), then a grant with its signed entry receipt checked, the same
// ticket replayed and refused, the audit log exported and verified against the device key, the relock at the deadline (real Moddable timers), a power cut in
// the middle of a grant, and the reboot after it. One trace line per step, then the heap figures
// (XS's own counters, lin/heap.c) and `SELFTEST PASS` or `SELFTEST FAIL <reason>`.
// The keys below are test keys, published here: never provision a real lock with them.

import Debug from 'debug';
import Timer from 'timer';
import { hashesSelfTest, startLatchkey, type Latchkey } from 'latchkey';
import {
  CourierPhone,
  OwnerPhone,
  buildAdminCommand,
  buildProvisioning,
  issueTicket,
  joinAuditExports,
  publicKeyFromSeed,
  verifyAuditExport,
  verifyReceipt,
  type PresentationReport,
} from 'latchkey/sim';
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
  const owner = { kid: ascii('selftest-owner'), seed: new Uint8Array(32).fill(0x3c) };
  // Administered, whatever the build's config says: the lock ID and issuer come from the owner.
  const lock = { administered: true, bolt: { ...config.lock.bolt, relockMs: RELOCK_MS } };
  const board: SimulatedBoard = createSimulatedBoard(config);
  const now = Math.floor(Date.now() / 1000);
  const ticket = (cti: string) =>
    issueTicket(issuer, {
      iss: 'latchkey-selftest',
      courier: 'selftest-courier',
      lockId: LOCK_ID,
      notBefore: now - 60,
      expires: now + 600,
      issuedAt: now - 60,
      cti: ascii(cti),
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
  check(app.lock.admin !== undefined && !app.lock.admin.provisioned, 'boot: a fresh administered lock is not unprovisioned');
  const early = present(first);
  check(outcome(early) !== 'granted' && board.actuator.position === 'locked', `unprovisioned: a ticket was answered ${outcome(early)}`);
  step('unprovisioned', `fresh lock: bolt locked, a ticket is refused (${outcome(early)})`);

  // 1b. The owner provisions the lock and adds an issuer: signed admin commands over BLE.
  const ownerPhone = new OwnerPhone(board.link.central, board.world);
  const administer = (command: Uint8Array, what: string) => {
    startPhase();
    const answer = ownerPhone.admin(command, PHONE_MTU);
    board.world.advance(1000);
    const figures = heapFigures(false);
    check(answer.result === 'done', `${what}: the lock answered ${answer.result}`);
    return figures;
  };
  const provisioned = administer(buildProvisioning(owner, LOCK_ID, 1, { settings: { relockSeconds: RELOCK_MS / 1000 } }), 'provision');
  const admin = app.lock.admin!;
  const deviceKey = admin.devicePublicKey;
  check(admin.provisioned && deviceKey !== undefined, 'provision: the lock has no owner or no device key');
  step('provision', `owner key set, lock ID ${LOCK_ID}, device key made from the RNG; ${heapLine('provisioning', provisioned)}`);
  const added = administer(
    buildAdminCommand(owner, LOCK_ID, 2, 'add-issuer', { kid: issuer.kid, key: publicKeyFromSeed(issuer.seed), name: 'selftest-parcel-co' }),
    'add-issuer',
  );
  step('add-issuer', `issuer ${ISSUER_KID} added by a signed admin command; ${heapLine('admin command', added)}`);

  // 2. A grant.
  const grantedAt = Date.now();
  const granted = present(first);
  const presentation = heapFigures(false);
  check(outcome(granted) === 'granted', `grant: the phone heard ${outcome(granted)}`);
  check(board.actuator.position === 'unlocked', 'grant: the bolt did not unlock');
  step('grant', `GRANTED over the virtual BLE link at MTU ${granted.mtu}: ${granted.writes} writes, ${granted.notifications} notifications; bolt unlocked`);
  step('heap', heapLine('presentation', presentation));
  check(granted.receipt !== undefined, 'receipt: the grant came without a receipt');
  const receipt = verifyReceipt(granted.receipt!, deviceKey!);
  check(receipt.ok, `receipt: ${receipt.ok ? '' : receipt.error}`);
  step('receipt', `the signed entry receipt verifies under the device key (${granted.receipt!.length} bytes)`);

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

  // 4b. The owner exports the audit log (in a function: the export is garbage once checked).
  exportAndVerifyLog(board, ownerPhone, buildAdminCommand(owner, LOCK_ID, 3, 'read-log', { from: 1 }), deviceKey!);

  // 5. Power cut during a grant: right after the replay record lands, before the bolt moves.
  const drivesBefore = board.actuator.history.length;
  board.flash.cutAtWrite(1, 'after');
  const cut = present(second);
  check(board.flash.off, 'power cut: the armed cut did not happen');
  check(outcome(cut) !== 'granted', `power cut: the phone heard ${outcome(cut)}`);
  check(
    board.actuator.history.slice(drivesBefore).every((d) => d.target !== 'unlocked'),
    'power cut: the bolt moved',
  );
  step('power-cut', `power lost writing the replay record; the phone heard nothing (${outcome(cut)}); bolt never moved`);

  // 6. Reboot on the same flash: bolt locked, the ticket whose record landed is spent.
  app = startLatchkey(board.powerCycle(), lock);
  check(app.selfTestPassed && board.actuator.position === 'locked', 'reboot: not locked, or the self-test failed');
  const retry = present(second);
  check(outcome(retry) === 'replayed', `reboot: the cut ticket was answered ${outcome(retry)}`);
  step('reboot', 'bolt locked at boot; the ticket cut mid-grant is refused (replayed): it opened nothing and cannot open later');
  app.close();
}

/** The owner exports the audit log; the chain and the device key's signature over its head verify. */
function exportAndVerifyLog(board: SimulatedBoard, ownerPhone: OwnerPhone, readLog: Uint8Array, deviceKey: Uint8Array): void {
  const exported = ownerPhone.exportLog(readLog, PHONE_MTU);
  board.world.advance(1000);
  const exportFigures = heapFigures(false);
  check(exported.outcome.result === 'done' && exported.chunks.length > 0, `log: the export answered ${exported.outcome.result}`);
  const joined = joinAuditExports(exported.chunks, board.hardware.hashes.sha256);
  check(joined.ok, `log: ${joined.ok ? '' : joined.error}`);
  const verified = joined.ok ? verifyAuditExport(joined.value, deviceKey, board.hardware.hashes.sha256) : undefined;
  check(verified !== undefined && verified.ok, `log: ${verified === undefined || verified.ok ? '' : verified.error}`);
  const events = verified !== undefined && verified.ok ? verified.value.entries.map((e) => e.event) : [];
  check(events.includes('provisioned') && events.includes('granted'), `log: provisioning or grant missing (${events.join(',')})`);
  step(
    'log',
    `exported in ${exported.chunks.length} chunk(s), ${events.length} entries verify from the chain to the device key's signature: ${events.join(', ')}`,
  );
  step('heap', heapLine('log export', exportFigures));
}
