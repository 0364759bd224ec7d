// The `latchkey` CLI, run as a child process exactly as a user runs it (node bin/latchkey.js …)
// in a fresh temporary directory.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, ROOT, expectOneLineError, runLatchkey, type Run } from './cli-harness.js';
import { fromHex, toHex } from '../../src/index.js';
import { base64urlDecode, parseJwk } from '../../issuer/jwk.js';
import { encodeClaims, signSign1 } from '../../issuer/ticket.js';

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
  'issue',
  '--key',
  'issuer.jwk',
  '--lock',
  LOCK,
  '--courier',
  'courier-42',
  '--holder',
  'holder.pub.jwk',
  '--not-before',
  '2026-11-21T09:00:00Z',
  '--expires',
  '2026-11-21T11:00:00+01:00',
  '--issued-at',
  '2026-11-21T08:30:00Z',
  '--iss',
  'parcel-co',
  '--cti',
  CTI,
  ...extra,
];
const verifyArgs = (ticket: string, extra: string[] = []): string[] => ['verify', ticket, '--lock', LOCK, '--trust', 'issuer.pub.jwk', ...extra];

describe('latchkey CLI', function () {
  this.timeout(60000);
  let holderPublic: Record<string, unknown>;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
    for (const [kid, name] of [
      ['issuer-1', 'issuer'],
      ['holder-phone', 'holder'],
      ['issuer-2', 'other'],
    ]) {
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
      expect(run.stdout).to.equal(`GRANTED courier-42 at ${LOCK} (ticket ${CTI}, valid 2026-11-21T09:00:00Z → 2026-11-21T10:00:00Z)\n`);
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
        'issue',
        '--key',
        'issuer.jwk',
        '--lock',
        LOCK,
        '--courier',
        'courier-42',
        '--holder',
        'holder.pub.jwk',
        '--not-before',
        String(now - 60),
        '--expires',
        String(now + 3600),
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
        granted: false,
        reason: 'expired',
        detail: `now ${EXP + 3600} > exp ${EXP} + 60`,
        claims: g.claims,
      });
      // An unauthenticated ticket: no claims.
      const unknown = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--now', String(NBF), '--json']);
      expect(JSON.parse(unknown.stdout)).to.have.all.keys('granted', 'reason', 'detail');
    });

    it('refuses a ticket whose issuer is not trusted: unknown-issuer', () => {
      const run = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--now', String(NBF), '--json']);
      expect(run.code).to.equal(1);
      expect(JSON.parse(run.stdout)).to.include({ granted: false, reason: 'unknown-issuer' });
      // Trusting both keys grants again.
      expect(latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'other.pub.jwk', '--trust', 'issuer.pub.jwk', '--now', String(NBF)]).code).to.equal(
        0,
      );
    });

    it('refuses a ticket whose kid is trusted under a different key: bad-signature', () => {
      const impostor = { ...readJson('other.pub.jwk'), kid: 'issuer-1' };
      fs.writeFileSync(file('impostor.pub.jwk'), JSON.stringify(impostor));
      const run = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'impostor.pub.jwk', '--now', String(NBF)]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/^REFUSED bad-signature: /);
    });

    it('verify on bytes that are no ticket at all: exit 2 like inspect, saying what a lock would answer', () => {
      fs.writeFileSync(file('garbage-for-verify.bin'), Uint8Array.from([0x01, 0xff, 0x00, 0x7a]));
      const run = latchkey(verifyArgs('garbage-for-verify.bin', ['--now', String(NBF)]));
      expectOneLineError(run, /garbage-for-verify\.bin: not a ticket \(malformed: .*a lock would refuse it as malformed/);
      expectOneLineError(latchkey(['inspect', 'garbage-for-verify.bin']), /not a valid COSE_Sign1 ticket \(malformed/);
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
      const run = latchkey([
        'issue',
        ...issueArgs()
          .slice(1)
          .map((a) => (a === 'issuer.jwk' ? 'other.jwk' : a)),
      ]);
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
        iss: 'parcel-co',
        sub: 'courier-42',
        aud: LOCK,
        nbf: NBF,
        nbfIso: '2026-11-21T09:00:00Z',
        exp: EXP,
        expIso: '2026-11-21T10:00:00Z',
        iatIso: '2026-11-21T08:30:00Z',
        windowSeconds: 3600,
        cti: CTI,
      });
      expect(j.claims.holderKey.base64url).to.equal(holderPublic.x);
    });
  });

  describe('survives any input', () => {
    const LIMIT = 64 * 1024;

    it('reads /dev/zero and /dev/urandom only up to the limit, then one line (and fast)', () => {
      for (const device of ['/dev/zero', '/dev/urandom']) {
        const started = Date.now();
        expectOneLineError(latchkey(['inspect', device]), new RegExp(`ticket ${device}: too large \\(more than ${LIMIT} bytes\\)`));
        expectOneLineError(latchkey(verifyArgs(device)), /too large/);
        expect(Date.now() - started).to.be.below(10000);
      }
      expectOneLineError(latchkey(issueArgs(['--key', '/dev/zero'])), /issuer key \/dev\/zero: too large/);
    });

    it('reads a FIFO fed without end only up to the limit', function () {
      const fifo = file('endless.fifo');
      const made = spawnSync('mkfifo', [fifo]);
      if (made.status !== 0) this.skip();
      // A writer that never stops; it dies of SIGPIPE once the CLI closes its end.
      const writer = spawn('sh', ['-c', `cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
      try {
        expectOneLineError(latchkey(['inspect', fifo]), /endless\.fifo: too large/);
      } finally {
        writer.kill();
      }
    });

    it('reads a pipe on stdin ("-" or /dev/stdin) only up to the limit', () => {
      const flood = new Uint8Array(LIMIT + 1).fill(0x30); // "000…": hex text, just over the limit
      expectOneLineError(latchkey(['inspect', '-'], flood), /ticket on stdin: too large/);
      expectOneLineError(latchkey(['inspect', '/dev/stdin'], flood), /ticket \/dev\/stdin: too large/);
      // A real shell pipe, as a user types it.
      const shell = spawnSync('sh', ['-c', `head -c 1000000 /dev/zero | '${process.execPath}' '${BIN}' inspect /dev/stdin`], {
        encoding: 'utf8',
        env: { ...process.env, LATCHKEY_NO_BUILD: '1' },
      });
      expectOneLineError({ code: shell.status, stdout: shell.stdout, stderr: shell.stderr }, /too large/);
      // Exactly the limit is read whole (and then judged as a ticket).
      expectOneLineError(latchkey(['inspect', '-'], flood.subarray(0, LIMIT)), /not a valid COSE_Sign1 ticket/);
    });

    it('accepts hex with 0x, a UTF-8 BOM, CRLF and spaces, and base64 or base64url', () => {
      const hex = fs.readFileSync(file('ticket.hex'), 'utf8').trim();
      const binary = Buffer.from(hex, 'hex');
      const forms: Record<string, string | Uint8Array> = {
        '0x': '0x' + hex + '\n',
        '0X upper': '0X' + hex.toUpperCase(),
        BOM: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(hex + '\r\n')]),
        spaces: hex.replace(/(.{8})/g, '$1 ').replace(/(.{90})/g, '$1\r\n'),
        base64: binary.toString('base64') + '\n',
        'base64 wrapped': binary.toString('base64').replace(/(.{76})/g, '$1\n'),
        base64url: binary.toString('base64url'),
      };
      for (const [name, text] of Object.entries(forms)) {
        const run = latchkey(verifyArgs('-', ['--now', String(NBF)]), text);
        expect(run.code, `${name}: ${run.stderr}`).to.equal(0);
        expect(run.stdout, name).to.match(/^GRANTED courier-42 /);
      }
    });

    it('names the mistake for a JWK, other JSON, or text in no ticket form', () => {
      expectOneLineError(latchkey(['inspect', 'holder.pub.jwk']), /holder\.pub\.jwk: this is a JWK key, not a ticket/);
      expectOneLineError(latchkey(verifyArgs('issuer.pub.jwk')), /this is a JWK key, not a ticket/);
      expectOneLineError(latchkey(['inspect', '-'], '{"ticket": "d284"}'), /JSON, not a ticket/);
      expectOneLineError(latchkey(['inspect', '-'], 'this is not a ticket!\n'), /neither hex nor base64/);
      expectOneLineError(latchkey(['inspect', '-'], '0xd28'), /odd number of digits/);
    });

    it('refuses a private key given to verify --trust, and to issue --holder', () => {
      expectOneLineError(
        latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', 'issuer.jwk']),
        /trusted key issuer\.jwk: a private key .*never be handed to a verifying tool/,
      );
      expectOneLineError(latchkey(issueArgs(['--holder', 'holder.jwk'])), /holder key holder\.jwk: a private key/);
    });

    it('refuses two --trust keys with the same kid, whichever comes first', () => {
      fs.writeFileSync(file('twin.pub.jwk'), JSON.stringify({ ...readJson('other.pub.jwk'), kid: 'issuer-1' }));
      for (const order of [
        ['issuer.pub.jwk', 'twin.pub.jwk'],
        ['twin.pub.jwk', 'issuer.pub.jwk'],
      ]) {
        const run = latchkey(['verify', 'ticket.hex', '--lock', LOCK, '--trust', order[0], '--trust', order[1], '--now', String(NBF)]);
        expectOneLineError(run, /same kid "issuer-1"/);
      }
    });

    it('issues up to MAX_TICKET_TIME (2^32 - 1 minus a day) and no later; a lock with a day of skew grants the edge', () => {
      const edge = 4294967295 - 86400;
      const at = (expires: number): string[] =>
        issueArgs(['--not-before', String(edge - 3600), '--expires', String(expires), '--issued-at', String(edge - 3600)]);
      expectOneLineError(latchkey(at(4294967295)), /--expires \(4294967295, .*\) is after 4294880895/);
      expectOneLineError(latchkey(at(edge + 1)), /is after 4294880895/);
      const issued = latchkey(at(edge));
      expect(issued.code, issued.stderr).to.equal(0);
      fs.writeFileSync(file('edge.hex'), issued.stdout);
      const run = latchkey(verifyArgs('edge.hex', ['--now', String(edge + 86400), '--skew', '86400', '--json']));
      expect(run.code, run.stdout).to.equal(0);
      expect(JSON.parse(run.stdout).claims.exp).to.equal(edge);
    });

    it('takes relative times: --not-before now --expires +3h, then verify now, +4h and -1h', () => {
      const issued = latchkey([
        'issue',
        '--key',
        'issuer.jwk',
        '--lock',
        LOCK,
        '--courier',
        'courier-42',
        '--holder',
        'holder.pub.jwk',
        '--not-before',
        'now',
        '--expires',
        '+3h',
      ]);
      expect(issued.code, issued.stderr).to.equal(0);
      fs.writeFileSync(file('relative.hex'), issued.stdout);
      const claims = JSON.parse(latchkey(['inspect', 'relative.hex', '--json']).stdout).claims;
      expect(claims.exp - claims.nbf).to.equal(3 * 3600);
      expect(claims.iat).to.equal(claims.nbf); // one "now" for the whole command
      expect(Math.abs(claims.nbf - Date.now() / 1000)).to.be.below(30);
      expect(latchkey(verifyArgs('relative.hex', ['--now', 'now'])).code).to.equal(0);
      expect(latchkey(verifyArgs('relative.hex', ['--now', '+2h59m'])).code).to.equal(0);
      expect(latchkey(verifyArgs('relative.hex', ['--now', '+4h'])).stdout).to.match(/^REFUSED expired/);
      expect(latchkey(verifyArgs('relative.hex', ['--now=-1h'])).stdout).to.match(/^REFUSED issued-in-future/); // iat is checked first
      expectOneLineError(latchkey(verifyArgs('relative.hex', ['--now', '-1h'])), /--now needs a value \(write --now=-x/);
      expectOneLineError(latchkey(verifyArgs('relative.hex', ['--now', '+3x'])), /--now: "\+3x" is not a time.*\+3h/);
    });

    it('keygen --out - writes the private JWK to stdout only, and no file named "-"', () => {
      const run = latchkey(['keygen', '--kid', 'piped', '--out', '-']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.equal('');
      expect(run.stdout.trim().split('\n')).to.have.length(1);
      const jwk = JSON.parse(run.stdout);
      expect(parseJwk(jwk, true).kid).to.equal('piped');
      expect(fs.existsSync(file('-'))).to.equal(false);
    });

    it('exit status rule: a ticket refused is 1 (verify), no ticket at all is 2 (verify and inspect alike)', () => {
      // A real COSE_Sign1, signed by the trusted issuer, but with alg ES256 (-7): a ticket, refused.
      const issuerJwk = readJson('issuer.jwk');
      const key = { kid: new TextEncoder().encode('issuer-1'), seed: base64urlDecode(issuerJwk.d as string)! };
      const es256 = signSign1(
        key,
        encodeClaims({
          courier: 'courier-42',
          lockId: LOCK,
          notBefore: NBF,
          expires: EXP,
          issuedAt: NBF,
          cti: fromHex(CTI)!,
          holderPublicKey: base64urlDecode(holderPublic.x as string)!,
        }),
        new Map<number, unknown>([
          [1, -7],
          [4, key.kid],
        ]),
      );
      fs.writeFileSync(file('es256.cose'), es256);
      const refused = latchkey(verifyArgs('es256.cose', ['--now', String(NBF)]));
      expect(refused.code).to.equal(1);
      expect(refused.stdout).to.match(/^REFUSED unsupported-algorithm: alg -7\n$/);
      expectOneLineError(latchkey(['inspect', 'es256.cose']), /not a valid COSE_Sign1 ticket \(unsupported-algorithm/);
      // Not a ticket at all: 2 from both commands.
      fs.writeFileSync(file('cbor-int.bin'), Uint8Array.of(0x18, 0x2a));
      expectOneLineError(latchkey(verifyArgs('cbor-int.bin')), /not a ticket \(malformed: /);
      expectOneLineError(latchkey(['inspect', 'cbor-int.bin']), /not a valid COSE_Sign1 ticket \(malformed/);
      // And issue --out - is stdout, as hex.
      const out = latchkey(issueArgs(['--out', '-']));
      expect(out.stdout).to.equal(fs.readFileSync(file('ticket.hex'), 'utf8'));
      expect(fs.existsSync(file('-'))).to.equal(false);
    });

    it('starts without rebuilding when no source changed since the build (npm test builds first)', () => {
      const started = Date.now();
      const run = spawnSync(process.execPath, [BIN, '--version'], { cwd: dir, encoding: 'utf8', env: { ...process.env, LATCHKEY_NO_BUILD: '' } });
      expect(run.status).to.equal(0);
      expect(run.stderr, 'a rebuild (or a source edited after the build)').to.equal('');
      expect(Date.now() - started).to.be.below(5000);
    });

    it('--version prints the package version, exit 0', () => {
      const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      const run = latchkey(['--version']);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.equal(`latchkey ${version}\n`);
      expect(run.stderr).to.equal('');
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

    it('a bad --skew or --max-window, or one beyond its bound (a day of skew, 32 bits of window)', () => {
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--skew', '1.5'])), /--skew/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--max-window', '0'])), /--max-window/);
      // --skew 1000000000 used to grant a long-expired ticket.
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 10 ** 8), '--skew', '1000000000'])), /--skew: "1000000000" .*0\.\.86400/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--skew', '86401'])), /--skew/);
      expect(latchkey(verifyArgs('ticket.hex', ['--now', String(EXP + 86400), '--skew', '86400'])).code).to.equal(0);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--max-window', '4294967296'])), /--max-window/);
      expectOneLineError(latchkey(verifyArgs('ticket.hex', ['--now', '4294967296'])), /--now: .*32-bit clock/);
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
      expectOneLineError(latchkey(['inspect', '-'], 'not a ticket at all\n'), /neither hex nor base64/);
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

    it("demo is the simulator under its older name: the default scenario's grant and refusals", () => {
      const run = latchkey(['demo']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.equal('');
      expect(run.stdout).to.match(/phone {2}GRANTED, relocks in 5 s/);
      expect(run.stdout).to.match(/refused: revoked /);
      expect(run.stdout).to.match(/refused: do-not-disturb /);
      expect(run.stdout).to.match(/granted courier=courier-42 issuer=parcel-co /); // the lock's log of the claims
    });
  });
});
