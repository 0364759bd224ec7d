// The `latchkey` CLI, run as a child process exactly as a user runs it (node bin/latchkey.js …)
// in a fresh temporary directory.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectOneLineError, runLatchkey, type Run } from './cli-harness.js';
import { fromHex, toHex } from '../../src/index.js';
import { base64urlDecode, parseJwk } from '../../issuer/jwk.js';

let dir = '';

const latchkey = (args: string[], input?: string | Uint8Array): Run => runLatchkey(dir, args, input, 15000);

const file = (name: string): string => path.join(dir, name);
const readJson = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file(name), 'utf8'));

// A one-hour ticket on 21 November 2026.
const LOCK = 'lock:12-rue-des-lilas/door-a';
const NBF = 1795251600; // 2026-11-21T09:00:00Z
const EXP = NBF + 3600; // 2026-11-21T10:00:00Z
const CTI = '00112233445566778899aabbccddeeff';
const issueArgs = (extra: string[] = []): string[] => [
  'issue', '--key', 'issuer.jwk', '--lock', LOCK, '--courier', 'courier-42', '--holder', 'holder.pub.jwk',
  '--not-before', '2026-11-21T09:00:00Z', '--expires', '2026-11-21T11:00:00+01:00', '--issued-at', '2026-11-21T08:30:00Z',
  '--iss', 'parcel-co', '--cti', CTI, ...extra,
];
const verifyArgs = (ticket: string, extra: string[] = []): string[] => ['verify', ticket, '--lock', LOCK, '--trust', 'issuer.pub.jwk', ...extra];

describe('latchkey CLI', function () {
  this.timeout(60000);
  let holderPublic: Record<string, unknown>;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
    for (const [kid, name] of [['issuer-1', 'issuer'], ['holder-phone', 'holder'], ['issuer-2', 'other']]) {
      const run = latchkey(['keygen', '--kid', kid, '--out', `${name}.jwk`]);
      expect(run.code, run.stderr).to.equal(0);
      fs.writeFileSync(file(`${name}.pub.jwk`), run.stdout);
    }
    holderPublic = readJson('holder.pub.jwk');
    const issued = latchkey(issueArgs());
    expect(issued.code, issued.stderr).to.equal(0);
    fs.writeFileSync(file('ticket.hex'), issued.stdout);
  });

  after(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('keygen', () => {
    it('writes a private JWK with mode 0600 and prints the public JWK without "d"', () => {
      const run = latchkey(['keygen', '--kid', 'fresh-key', '--out', 'fresh.jwk']);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.equal('');
      const printed = JSON.parse(run.stdout);
      expect(printed).to.have.all.keys('kty', 'crv', 'x', 'kid');
      expect(printed).to.include({ kty: 'OKP', crv: 'Ed25519', kid: 'fresh-key' });
      expect(fs.statSync(file('fresh.jwk')).mode & 0o777).to.equal(0o600);
      const stored = readJson('fresh.jwk');
      expect(stored.x).to.equal(printed.x);
      const parsed = parseJwk(stored, true); // d present, and x derived from d
      expect(parsed.kid).to.equal('fresh-key');
      expect(parsed.seed).to.have.length(32);
    });

    it('generates a different key each time', () => {
      expect(readJson('issuer.jwk').d).to.not.equal(readJson('other.jwk').d);
    });

    it('refuses to overwrite an existing file unless --force, and --force leaves mode 0600', () => {
      fs.writeFileSync(file('taken.jwk'), 'precious');
      fs.chmodSync(file('taken.jwk'), 0o644);
      expectOneLineError(latchkey(['keygen', '--kid', 'k', '--out', 'taken.jwk']), /taken\.jwk already exists.*--force/);
      expect(fs.readFileSync(file('taken.jwk'), 'utf8')).to.equal('precious');

      const forced = latchkey(['keygen', '--kid', 'k', '--out', 'taken.jwk', '--force']);
      expect(forced.code).to.equal(0);
      expect(readJson('taken.jwk')).to.include({ kty: 'OKP', kid: 'k' });
      expect(fs.statSync(file('taken.jwk')).mode & 0o777).to.equal(0o600);
    });

    it('does not replace a symlink even with --force', () => {
      fs.symlinkSync('issuer.jwk', file('link.jwk'));
      const before = fs.readFileSync(file('issuer.jwk'), 'utf8');
      expectOneLineError(latchkey(['keygen', '--kid', 'k', '--out', 'link.jwk', '--force']), /not a regular file/);
      expect(fs.lstatSync(file('link.jwk')).isSymbolicLink()).to.equal(true);
      expect(fs.readFileSync(file('issuer.jwk'), 'utf8')).to.equal(before);
    });
  });

  describe('issue and verify', () => {
    it('issues a ticket as one line of lowercase hex that verifies: GRANTED, exit 0', () => {
      const hex = fs.readFileSync(file('ticket.hex'), 'utf8');
      expect(hex).to.match(/^(d2)[0-9a-f]+\n$/);
      const run = latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21T09:30:00Z']));
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal(
        `GRANTED courier-42 at ${LOCK} (ticket ${CTI}, valid 2026-11-21T09:00:00Z → 2026-11-21T10:00:00Z)\n`,
      );
      expect(run.stderr).to.equal('');
    });

    it('with --out writes the same ticket as binary bytes, which verify reads too', () => {
      const run = latchkey(issueArgs(['--out', 'ticket.cose']));
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal('');
      const binary = fs.readFileSync(file('ticket.cose'));
      expect(binary[0]).to.equal(0xd2); // COSE_Sign1 tag 18
      // Ed25519 signing is deterministic, so the same inputs give the very same ticket.
      expect(toHex(binary)).to.equal(fs.readFileSync(file('ticket.hex'), 'utf8').trim());
      expect(latchkey(verifyArgs('ticket.cose', ['--now', String(NBF + 60)])).code).to.equal(0);
    });

    it('defaults iat to now and cti to 16 random bytes', () => {
      const now = Math.floor(Date.now() / 1000);
      const future = [
        'issue', '--key', 'issuer.jwk', '--lock', LOCK, '--courier', 'courier-42', '--holder', 'holder.pub.jwk',
        '--not-before', String(now - 60), '--expires', String(now + 3600),
      ];
      const first = latchkey(future);
      const second = latchkey(future);
      expect(first.code, first.stderr).to.equal(0);
      fs.writeFileSync(file('now.hex'), first.stdout);
      const inspected = JSON.parse(latchkey(['inspect', 'now.hex', '--json']).stdout);
      expect(Math.abs(inspected.claims.iat - Date.now() / 1000)).to.be.below(30);
      expect(inspected.claims.cti).to.match(/^[0-9a-f]{32}$/);
      expect(first.stdout).to.not.equal(second.stdout); // a fresh cti each time
      expect(latchkey(verifyArgs('now.hex')).code).to.equal(0); // --now defaults to the current time
    });

    it('reads the ticket from stdin with "-", as hex (wrapped, with newlines) or as binary', () => {
      const hex = fs.readFileSync(file('ticket.hex'), 'utf8').trim();
      const wrapped = '\n' + hex.replace(/(.{64})/g, '$1\n') + '\n\n';
      const fromHexText = latchkey(verifyArgs('-', ['--now', String(NBF)]), wrapped);
      expect(fromHexText.code, fromHexText.stderr).to.equal(0);
      expect(fromHexText.stdout).to.match(/^GRANTED courier-42 /);
      const fromBinary = latchkey(verifyArgs('-', ['--now', String(NBF)]), fromHex(hex));
      expect(fromBinary.code, fromBinary.stderr).to.equal(0);
    });

    it('refuses at another lock: exit 1, reason wrong-lock', () => {
      const run = latchkey(['verify', 'ticket.hex', '--lock', 'lock:elsewhere/door-b', '--trust', 'issuer.pub.jwk', '--now', String(NBF)]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal(`REFUSED wrong-lock: ticket is for "${LOCK}"\n`);
      expect(run.stderr).to.equal('');
    });

    it('takes --now as unix seconds or ISO-8601 with an offset: expired and not-yet-valid, 60 s skew', () => {
      expect(latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 60)])).code).to.equal(0);
      const expired = latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 61)]));
      expect(expired.code).to.equal(1);
      expect(expired.stdout).to.equal(`REFUSED expired: now ${EXP + 61} > exp ${EXP} + 60\n`);

      const expiredIso = latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21T10:01:01Z']));
      expect(expiredIso.stdout).to.match(/^REFUSED expired: /);
      // 09:58:59+01:00 is 08:58:59Z, 61 s before nbf.
      const early = latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21T09:58:59+01:00']));
      expect(early.code).to.equal(1);
      expect(early.stdout).to.equal(`REFUSED not-yet-valid: now ${NBF - 61} < nbf ${NBF} - 60\n`);
      expect(latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21T08:59:00Z'])).code).to.equal(0);
    });

    it('honours --skew and --max-window', () => {
      expect(latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 1), '--skew', '0'])).stdout).to.match(/^REFUSED expired: .* \+ 0\n$/);
      expect(latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 100), '--skew', '120'])).code).to.equal(0);
      const narrow = latchkey(verifyArgs('ticket.hex', ['--now', String(NBF), '--max-window', '1800']));
      expect(narrow.code).to.equal(1);
      expect(narrow.stdout).to.match(/^REFUSED window-too-long: /);
    });

    it('prints one JSON object with --json, bytes as hex', () => {
      const granted = latchkey(verifyArgs('ticket.hex', ['--now', String(NBF), '--json']));
      expect(granted.code).to.equal(0);
      expect(granted.stdout.trim().split('\n')).to.have.length(1);
      const g = JSON.parse(granted.stdout);
      expect(g).to.have.all.keys('granted', 'claims');
      expect(g.granted).to.equal(true);
      expect(g.claims).to.deep.equal({
        iss: 'parcel-co',
        sub: 'courier-42',
        aud: LOCK,
        exp: EXP,
        nbf: NBF,
        iat: NBF - 1800,
        cti: CTI,
        holderKey: toHex(base64urlDecode(holderPublic.x as string) as Uint8Array),
      });

      // A signed ticket refused for its claims still reports them (the verifier vouches for them).
      const refused = latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 3600), '--json']));
      expect(refused.code).to.equal(1);
      expect(JSON.parse(refused.stdout)).to.deep.equal({
        granted: false, reason: 'expired', detail: `now ${EXP + 3600} > exp ${EXP} + 60`, claims: g.claims,
      });
      // An unauthenticated ticket: no claims.
      const unknown = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--now', String(NBF), '--json']);
      expect(JSON.parse(unknown.stdout)).to.have.all.keys('granted', 'reason', 'detail');
    });

    it('refuses a ticket whose issuer is not trusted: unknown-issuer', () => {
      const run = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--now', String(NBF), '--json']);
      expect(run.code).to.equal(1);
      expect(JSON.parse(run.stdout)).to.include({ granted: false, reason: 'unknown-issuer' });
      // Trusting both keys (one of them the private JWK file: only x is used) grants again.
      expect(latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--trust', 'issuer.jwk', '--now', String(NBF)]).code).to.equal(0);
    });

    it('refuses a ticket whose kid is trusted under a different key: bad-signature', () => {
      const impostor = { ...readJson('other.pub.jwk'), kid: 'issuer-1' };
      fs.writeFileSync(file('impostor.pub.jwk'), JSON.stringify(impostor));
      const run = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'impostor.pub.jwk', '--now', String(NBF)]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/^REFUSED bad-signature: /);
    });

    it('verify reports garbage as the lock would: REFUSED malformed, exit 1', () => {
      fs.writeFileSync(file('garbage-for-verify.bin'), Uint8Array.from([0x01, 0xff, 0x00, 0x7a]));
      const run = latchkey(verifyArgs('garbage-for-verify.bin', ['--now', String(NBF)]));
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/^REFUSED malformed: /);
    });
  });

  describe('inspect', () => {
    it('shows headers and claims with ISO times, and says the signature is not checked', () => {
      const run = latchkey(['inspect', 'ticket.hex']);
      expect(run.code, run.stderr).to.equal(0);
      const out = run.stdout;
      const size = fromHex(fs.readFileSync(file('ticket.hex'), 'utf8').trim())!.length;
      expect(out).to.include(`${size} bytes`);
      expect(out).to.match(/alg\s+EdDSA \(-8\)/);
      expect(out).to.match(/kid\s+"issuer-1"\s+hex 6973737565722d31/);
      expect(out).to.match(/iss \(issuer\)\s+parcel-co/);
      expect(out).to.match(/sub \(courier\)\s+courier-42/);
      expect(out).to.include(LOCK);
      expect(out).to.match(new RegExp(`nbf \\(not before\\)\\s+${NBF}\\s+2026-11-21T09:00:00Z`));
      expect(out).to.match(new RegExp(`exp \\(expires\\)\\s+${EXP}\\s+2026-11-21T10:00:00Z`));
      expect(out).to.match(/iat \(issued at\)\s+\d+\s+2026-11-21T08:30:00Z/);
      expect(out).to.match(/window\s+3600 s \(1 h\)/);
      expect(out).to.include(CTI);
      expect(out).to.include(holderPublic.x as string);
      expect(out).to.include(toHex(base64urlDecode(holderPublic.x as string) as Uint8Array));
      expect(out).to.match(/not checked/i);
    });

    it('inspects even a ticket no lock would grant (inspect does not verify)', () => {
      // A ticket signed by the untrusted issuer still decodes: inspect never checks signatures.
      const run = latchkey(['issue', ...issueArgs().slice(1).map((a) => (a === 'issuer.jwk' ? 'other.jwk' : a))]);
      fs.writeFileSync(file('other.hex'), run.stdout);
      const inspected = latchkey(['inspect', 'other.hex']);
      expect(inspected.code).to.equal(0);
      expect(inspected.stdout).to.include('"issuer-2"');
    });

    it('prints the same facts as JSON with --json', () => {
      const run = latchkey(['inspect', '--json', 'ticket.hex']);
      expect(run.code).to.equal(0);
      const j = JSON.parse(run.stdout);
      expect(j.signatureChecked).to.equal(false);
      expect(j.headers).to.deep.include({ alg: -8, algName: 'EdDSA', protected: [1, 4], unprotected: [] });
      expect(j.headers.kid).to.deep.include({ hex: '6973737565722d31', text: 'issuer-1' });
      expect(j.claims).to.deep.include({
        iss: 'parcel-co', sub: 'courier-42', aud: LOCK, nbf: NBF, nbfIso: '2026-11-21T09:00:00Z', exp: EXP,
        expIso: '2026-11-21T10:00:00Z', iatIso: '2026-11-21T08:30:00Z', windowSeconds: 3600, cti: CTI,
      });
      expect(j.claims.holderKey.base64url).to.equal(holderPublic.x);
    });
  });

  describe('errors: one line on stderr, exit 2', () => {
    before(() => {
      fs.writeFileSync(file('not-a-jwk.json'), JSON.stringify({ hello: 'world' }));
      fs.writeFileSync(file('garbage.bin'), Uint8Array.from([0x00, 0x01, 0xfe, 0x42, 0x13]));
      fs.writeFileSync(file('nokid.pub.jwk'), JSON.stringify({ ...readJson('issuer.pub.jwk'), kid: undefined }));
    });

    it('an unknown flag', () => {
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--frobnicate'])), /unknown option --frobnicate/);
      expectOneLineError(latchkey(issueArgs(['--lock-id', 'x'])), /unknown option --lock-id/);
    });

    it('a missing --lock', () => {
      expectOneLineError(latchkey(['verify', 'ticket.hex', '--trust', 'issuer.pub.jwk']), /missing --lock/);
      expectOneLineError(latchkey(issueArgs().filter((a, i, all) => a !== '--lock' && all[i - 1] !== '--lock')), /missing --lock/);
    });

    it('a flag without its value', () => {
      expectOneLineError(latchkey(['verify', 'ticket.hex', '--trust', 'issuer.pub.jwk', '--lock']), /--lock needs a value/);
    });

    it('a bad time ("tomorrow", no timezone, no such date)', () => {
      expectOneLineError(latchkey(issueArgs(['--expires', 'tomorrow'])), /--expires: "tomorrow" is not a time/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', 'tomorrow'])), /--now: "tomorrow" is not a time/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21T09:30:00'])), /no timezone/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', '2026-11-21'])), /no timezone/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', '2026-02-30T09:30:00Z'])), /no such date/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', '-5'])), /--now/);
    });

    it('expires not after not-before, or issued after it expires', () => {
      expectOneLineError(latchkey(issueArgs(['--expires', '2026-11-21T09:00:00Z'])), /--expires .* must be after --not-before/);
      expectOneLineError(latchkey(issueArgs(['--issued-at', '2026-11-21T10:00:01Z'])), /expired when issued/);
    });

    it('a --cti of the wrong length or not hex', () => {
      expectOneLineError(latchkey(issueArgs(['--cti', '0011223344556677'.slice(0, 14)])), /--cti must be 8 to 32 bytes/);
      expectOneLineError(latchkey(issueArgs(['--cti', 'ab'.repeat(33)])), /--cti must be 8 to 32 bytes/);
      expectOneLineError(latchkey(issueArgs(['--cti', 'zz'.repeat(10)])), /--cti .* not hex/);
    });

    it('a bad --skew or --max-window', () => {
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--skew', '1.5'])), /--skew/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--max-window', '0'])), /--max-window/);
    });

    it('a missing file', () => {
      expectOneLineError(latchkey(verifyArgs('no-such-ticket.hex')), /no-such-ticket\.hex: no such file/);
      expectOneLineError(latchkey(['inspect', 'no-such-ticket.hex']), /no-such-ticket\.hex: no such file/);
      expectOneLineError(latchkey(issueArgs(['--key', 'no-such-key.jwk'])), /no-such-key\.jwk: no such file/);
      expectOneLineError(latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'no-such.jwk']), /no-such\.jwk: no such file/);
    });

    it('a JSON file that is not a JWK, a file that is not JSON, and unusable keys', () => {
      expectOneLineError(latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'not-a-jwk.json']), /not-a-jwk\.json: not a usable Ed25519 JWK/);
      expectOneLineError(latchkey(issueArgs(['--holder', 'not-a-jwk.json'])), /not-a-jwk\.json: not a usable Ed25519 JWK/);
      expectOneLineError(latchkey(issueArgs(['--key', 'garbage.bin'])), /garbage\.bin: not valid JSON/);
      expectOneLineError(latchkey(issueArgs(['--key', 'issuer.pub.jwk'])), /private key/);
      expectOneLineError(latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'nokid.pub.jwk']), /needs a "kid"/);
    });

    it('a garbage or empty ticket file for inspect', () => {
      expectOneLineError(latchkey(['inspect', 'garbage.bin']), /garbage\.bin: not a valid COSE_Sign1 ticket/);
      fs.writeFileSync(file('odd.hex'), 'd28\n');
      expectOneLineError(latchkey(['inspect', 'odd.hex']), /odd number/);
      fs.writeFileSync(file('empty.hex'), '');
      expectOneLineError(latchkey(['inspect', 'empty.hex']), /empty/);
      expectOneLineError(latchkey(['inspect', '-'], 'not a ticket at all\n'), /not a valid COSE_Sign1 ticket/);
    });

    it('an unwritable --out', () => {
      expectOneLineError(latchkey(issueArgs(['--out', path.join('no-such-dir', 't.cose')])), /cannot write ticket/);
    });
  });

  describe('help and demo', () => {
    it('--help, help and <cmd> --help print usage on stdout, exit 0', () => {
      for (const args of [['--help'], ['help'], ['-h']]) {
        const run = latchkey(args);
        expect(run.code).to.equal(0);
        expect(run.stderr).to.equal('');
        expect(run.stdout).to.match(/^Usage: latchkey COMMAND/);
        for (const command of ['keygen', 'issue', 'inspect', 'verify', 'demo']) expect(run.stdout).to.include(`latchkey ${command}`);
      }
      const issueHelp = latchkey(['issue', '--help']);
      expect(issueHelp.code).to.equal(0);
      expect(issueHelp.stdout).to.match(/^Usage: latchkey issue /);
      expect(issueHelp.stdout).to.include('--not-before T');
      expect(latchkey(['help', 'verify']).stdout).to.match(/^Usage: latchkey verify TICKET/);
    });

    it('no command or an unknown command: usage on stderr, exit 2', () => {
      const none = latchkey([]);
      expect(none.code).to.equal(2);
      expect(none.stdout).to.equal('');
      expect(none.stderr).to.match(/^Usage: latchkey COMMAND/);
      const unknown = latchkey(['frobnicate']);
      expect(unknown.code).to.equal(2);
      expect(unknown.stdout).to.equal('');
      expect(unknown.stderr.split('\n')[0]).to.equal('latchkey: unknown command "frobnicate"');
      expect(unknown.stderr).to.include('Usage: latchkey COMMAND');
    });

    it('demo (now the simulator) grants a fresh ticket, then refuses it at another lock and once expired', () => {
      const run = latchkey(['demo']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.equal('');
      expect(run.stdout).to.match(/phone {2}GRANTED, relocks in 5 s/);
      expect(run.stdout).to.match(/refused: wrong-lock /);
      expect(run.stdout).to.match(/refused: expired /);
      expect(run.stdout).to.match(/granted courier=courier-42 issuer=parcel-co /); // the lock's log of the claims
    });
  });
});
