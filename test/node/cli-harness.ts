// Running the `latchkey` CLI as a user does (node bin/latchkey.js …), for the CLI test suites.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/node/cli-harness.js → the project root.
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'latchkey.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runLatchkey(cwd: string, args: string[], input?: string | Uint8Array, timeout = 30000): Run {
  // LATCHKEY_NO_BUILD: the suites test dist/ as built; a rebuild's progress lines would blur stderr.
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: 'utf8', timeout, env: { ...process.env, LATCHKEY_NO_BUILD: '1' } });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 2, nothing on stdout, exactly one stderr line "latchkey: …" and no stack trace. */
export function expectOneLineError(run: Run, pattern?: RegExp): void {
  expect(run.code, `stderr: ${run.stderr}`).to.equal(2);
  expect(run.stdout).to.equal('');
  expect(run.stderr.endsWith('\n')).to.equal(true);
  const lines = run.stderr.slice(0, -1).split('\n');
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^latchkey: \S/);
  expect(run.stderr).to.not.include('    at ');
  if (pattern) expect(lines[0]).to.match(pattern);
}
