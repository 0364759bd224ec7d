// latchkey admin and latchkey audit verify, end to end: keys from keygen, a provisioning bundle and
// commands built from JSON and taken by a real (simulated) lock, its answer checked, then a
// receipt and an exported log verified — and every mistake a one-line error.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { issueTicket } from '../../issuer/ticket.js';
import { parseJwk } from '../../issuer/jwk.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { FIXED_CHALLENGE, Rig } from '../portable/lock-fixtures.js';
import { holderProofMessage, ticketHash } from '../../src/holder-proof.js';
import { signEd25519, publicKeyFromSeed } from '../../issuer/ticket.js';
import { NOW } from '../portable/fixtures.js';
import { expectOneLineError, runLatchkey, type Run } from './cli-harness.js';

const LOCK = 'lock:12-rue-des-lilas/door-a';

describe('latchkey admin / audit', function () {
  this.timeout(120_000);
  let dir: string;
  const latchkey = (args: string[], input?: string): Run => runLatchkey(dir, args, input);
  const hexOut = (run: Run): Uint8Array => {
    expect(run.code, run.stderr).to.equal(0);
    return fromHex(run.stdout.trim()) as Uint8Array;
  };
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-admin-'));
    for (const kid of ['owner-1', 'parcel-co', 'deputy']) expect(latchkey(['keygen', '--kid', kid, '--out', `${kid}.jwk`]).code).to.equal(0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('provisions a lock, changes it, and verifies its receipt and exported log', () => {
    const rig = new Rig({ lock: { administered: true } });
    write(
      'config.json',
      JSON.stringify({
        settings: { relockSeconds: 7, tzOffsetMinutes: 60, doNotDisturb: { schedules: [{ days: ['sat', 'sun'], from: '22:00', to: '07:00' }] } },
        issuers: [
          {
            kid: 'parcel-co',
            key: 'parcel-co.jwk',
            name: 'Parcel Co',
            scope: { schedules: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }], maxUses: 1 },
          },
        ],
      }),
    );
    const bundle = hexOut(latchkey(['admin', 'provision', '--key', 'owner-1.jwk', '--lock', LOCK, '--config', 'config.json', '--seq', '1']));
    const answer = rig.lock.administer(bundle);
    expect(answer.reason).to.equal('done');
    write('answer.hex', toHex(answer.data!));
    const shown = latchkey(['admin', 'answer', 'answer.hex', '--json']);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(JSON.parse(shown.stdout)).to.deep.include({ lockId: LOCK, deviceKey: toHex(rig.lock.admin!.devicePublicKey!) });

    write('deputy.json', JSON.stringify({ kid: 'deputy', key: 'deputy.jwk' }));
    expect(rig.lock.administer(hexOut(latchkey(['admin', 'delegate', '--key', 'owner-1.jwk', '--lock', LOCK, '--args', 'deputy.json']))).reason).to.equal(
      'done',
    );
    const stale = hexOut(
      latchkey(['admin', 'settings', '--key', 'deputy.jwk', '--lock', LOCK, '--args', write('s.json', '{"relockSeconds": 9}'), '--seq', '1']),
    );
    expect(rig.lock.administer(stale).reason, 'seq 1 is spent').to.equal('stale-sequence');

    // A grant, with its receipt.
    const parcel = parseJwk(JSON.parse(fs.readFileSync(path.join(dir, 'parcel-co.jwk'), 'utf8')), true);
    const holder = new Uint8Array(32).fill(3);
    const ticket = issueTicket(
      { kid: new TextEncoder().encode('parcel-co'), seed: parcel.seed! },
      {
        courier: 'courier-42',
        lockId: LOCK,
        notBefore: NOW - 60,
        expires: NOW + 3600,
        issuedAt: NOW - 60,
        cti: new Uint8Array(16).fill(7),
        holderPublicKey: publicKeyFromSeed(holder),
      },
    );
    const result = rig.lock.present(ticket, signEd25519(holder, holderProofMessage(FIXED_CHALLENGE, LOCK, ticketHash(ticket))), FIXED_CHALLENGE);
    expect(result.granted, JSON.stringify(result)).to.equal(true);
    write('receipt.hex', toHex((result as { receipt: Uint8Array }).receipt));

    const readLog = rig.lock.administer(hexOut(latchkey(['admin', 'read-log', '--key', 'owner-1.jwk', '--lock', LOCK])));
    expect(readLog.reason).to.equal('done');
    write('log.hex', toHex(readLog.data!));
    const verified = latchkey(['audit', 'verify', '--device', 'answer.hex', '--log', 'log.hex', '--receipt', 'receipt.hex', '--json']);
    expect(verified.code, verified.stderr).to.equal(0);
    const report = JSON.parse(verified.stdout);
    expect(report.verified).to.equal(true);
    expect(report.log.entries.map((e: { event: string }) => e.event)).to.include.members(['provisioned', 'granted', 'admin', 'admin-refused']);
    expect(report.receipts[0]).to.deep.include({ verified: true, courier: 'courier-42', result: 'granted' });
    const text = latchkey(['audit', 'verify', '--device', toHex(rig.lock.admin!.devicePublicKey!), '--log', 'log.hex']);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.match(/entries, seq 1\.\.\d+, verified/);
    expect(text.stdout).to.match(/granted courier=courier-42/);

    // One changed byte in the log or the receipt: exit 1, said plainly.
    const log = fs.readFileSync(path.join(dir, 'log.hex'), 'utf8');
    const at = Math.floor(log.length / 2);
    write('bad-log.hex', log.slice(0, at) + (log[at] === '0' ? '1' : '0') + log.slice(at + 1));
    const bad = latchkey(['audit', 'verify', '--device', 'answer.hex', '--log', 'bad-log.hex']);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/NOT VERIFIED/);
    const receipt = fs.readFileSync(path.join(dir, 'receipt.hex'), 'utf8').trim();
    write('bad-receipt.hex', receipt.slice(0, -2) + (receipt.endsWith('00') ? '01' : '00'));
    expect(latchkey(['audit', 'verify', '--device', 'answer.hex', '--receipt', 'bad-receipt.hex']).code).to.equal(1);
  });

  it('builds a time statement for a challenge', () => {
    const challenge = toHex(new Uint8Array(32).fill(5));
    const statement = latchkey(['admin', 'time', '--key', 'owner-1.jwk', '--lock', LOCK, '--challenge', challenge, '--time', '2027-01-15T08:00:00Z']);
    expect(statement.code, statement.stderr).to.equal(0);
    expect(statement.stdout).to.match(/^d2[0-9a-f]+\n$/);
  });

  it('--help, and a one-line error for every mistake', () => {
    for (const args of [
      ['admin', '--help'],
      ['help', 'audit'],
    ]) {
      const help = latchkey(args);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.match(/^Usage: latchkey (admin|audit)/);
    }
    expectOneLineError(latchkey(['admin']), /admin: missing subcommand/);
    expectOneLineError(latchkey(['admin', 'open-sesame']), /unknown subcommand "open-sesame"/);
    expectOneLineError(latchkey(['admin', 'settings', '--lock', LOCK]), /missing --key/);
    expectOneLineError(latchkey(['admin', 'settings', '--key', 'owner-1.jwk']), /missing --lock/);
    expectOneLineError(latchkey(['admin', 'settings', '--key', 'nope.jwk', '--lock', LOCK]), /nope\.jwk.*no such file/);
    expectOneLineError(latchkey(['admin', 'settings', '--key', 'owner-1.jwk', '--lock', LOCK, '--args', write('broken.json', '{"relock')]), /not valid JSON/);
    expectOneLineError(latchkey(['admin', 'settings', '--key', 'owner-1.jwk', '--lock', LOCK, '--args', write('arr.json', '[1]')]), /must be a JSON object/);
    expectOneLineError(
      latchkey(['admin', 'add-issuer', '--key', 'owner-1.jwk', '--lock', LOCK, '--args', write('k.json', '{"kid":"x","key":"zz"}')]),
      /key zz: no such file/,
    );
    expectOneLineError(
      latchkey(['admin', 'add-issuer', '--key', 'owner-1.jwk', '--lock', LOCK, '--args', write('k2.json', '{"kid":"x","key":{"kty":"RSA"}}')]),
      /not an Ed25519 public key/,
    );
    expectOneLineError(latchkey(['admin', 'settings', '--key', 'owner-1.jwk', '--lock', LOCK, '--seq', 'soon']), /--seq/);
    expectOneLineError(
      latchkey([
        'admin',
        'settings',
        '--key',
        'owner-1.jwk',
        '--lock',
        LOCK,
        '--args',
        write('d.json', '{"doNotDisturb":{"schedules":[{"days":["someday"]}]}}'),
      ]),
      /unknown day/,
    );
    expectOneLineError(latchkey(['admin', 'time', '--key', 'owner-1.jwk', '--lock', LOCK, '--challenge', 'abcd']), /32-byte challenge/);
    expectOneLineError(latchkey(['audit', 'verify', '--device', 'ab']), /--log FILE and\/or --receipt/);
    expectOneLineError(latchkey(['audit', 'check']), /unknown subcommand "check"/);
    expectOneLineError(latchkey(['audit', 'verify', '--device', '00'.repeat(32), '--log', write('junk.hex', 'zz-not-a-log')]), /log junk\.hex/);
  });
});
