// latchkey keygen: a new Ed25519 key pair as JWK files (issuer keys and holder/phone keys alike).

import { randomBytes } from 'node:crypto';
import { jwkFromSeed, publicJwk } from '../../issuer/jwk.js';
import { parseCommand, requireString } from '../args.js';
import { stdout, writePrivateFile } from '../output.js';

export const usage = `latchkey keygen --kid ID --out FILE [--force]
    Create an Ed25519 key pair. Writes the private JWK to FILE (mode 0600; an existing
    FILE is kept unless --force) and prints the public JWK on stdout. With --out - the
    private JWK goes to stdout instead, and nothing else is printed (its "x" is the
    public key: the public JWK is the same object without "d").`;

export async function run(args: string[]): Promise<number> {
  const c = 'keygen';
  const { values } = parseCommand(
    c,
    args,
    {
      kid: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    0,
  );
  const kid = requireString(c, values, 'kid', 'ID');
  const out = requireString(c, values, 'out', 'FILE');
  const jwk = jwkFromSeed(new Uint8Array(randomBytes(32)), kid);
  if (out === '-') {
    // stdout carries one thing only, so `keygen --out - > key.jwk` and pipes get a clean JWK.
    stdout(JSON.stringify(jwk) + '\n');
    return 0;
  }
  writePrivateFile(c, out, JSON.stringify(jwk, null, 2) + '\n', values.force === true);
  stdout(JSON.stringify(publicJwk(jwk)) + '\n');
  return 0;
}
