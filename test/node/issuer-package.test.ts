// The `latchkey/issuer` package export: it resolves by name, does the whole owner round trip, and
// bundles for a browser (no Node built-ins anywhere in its graph).

import { expect } from 'chai';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

describe('latchkey/issuer (package export)', () => {
  it('resolves by package name and exposes the issuer library', async () => {
    const lib = await import('latchkey/issuer');
    for (const name of [
      'issueTicket',
      'buildProvisioning',
      'buildAdminCommand',
      'buildTimeStatement',
      'verifyReceipt',
      'verifyAuditExport',
      'decodeAuditExport',
      'verifyDeviceAnswer',
      'verifyTicket',
    ]) {
      expect(typeof (lib as Record<string, unknown>)[name], name).to.equal('function');
    }
    const owner = { kid: new TextEncoder().encode('owner'), seed: new Uint8Array(32).fill(9) };
    expect(lib.buildProvisioning(owner, 'lock:x', 1)).to.be.instanceOf(Uint8Array);
  });

  it('bundles for the browser: no Node built-in is reached', async () => {
    const entry = fileURLToPath(new URL('../../../issuer/index.ts', import.meta.url));
    const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'silent' });
    const code = result.outputFiles[0].text;
    expect(code).not.to.match(/\brequire\(\s*["'](node:)?(fs|path|crypto|os|child_process)["']\s*\)/);
    expect(code).not.to.match(/from\s*["']node:/);
  });
});
