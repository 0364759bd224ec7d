// `latchkey sim --web --scenario FILE|NAME`: the scenario is checked before the server starts (a
// bad one is one line and exit 2, as for the text simulator), then served to the page as
// /sim/preload.json and named in the printed URL; the text report's options are refused with --web.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILTIN_SCENARIOS } from '../../sim/scenario/parse.js';
import { BIN, expectOneLineError, runLatchkey } from './cli-harness.js';

async function fetchJson(url: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url);
  return { status: response.status, json: response.ok ? await response.json() : undefined };
}

describe('latchkey sim --web --scenario', function () {
  this.timeout(30_000);

  it('serves the scenario to the page as preload.json and prints the URL that opens it', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--web', '--port', '0', '--scenario', 'backoff'], { env: { ...process.env, LATCHKEY_NO_BUILD: '1' } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 50));
      const url = /web simulator at (http:\/\/127\.0\.0\.1:\d+\/sim\/)\?preload=1\n/.exec(out)?.[1];
      expect(url, out).to.be.a('string');
      expect(out).to.include('the simulator opens with scenario "backoff" (built in)');
      const preload = await fetchJson(`${url}preload.json`);
      expect(preload.status).to.equal(200);
      expect(preload.json).to.deep.equal({ name: 'backoff', origin: 'built in', scenario: BUILTIN_SCENARIOS.backoff });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).to.equal(0);
  });

  it('checks the scenario first and refuses the text-only options, in one line, exit 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-web-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'door.json'), JSON.stringify({ lock: { id: 'lock:x' }, mtu: 5, steps: [] }));
      expectOneLineError(
        runLatchkey(dir, ['sim', '--web', '--port', '0', '--scenario', 'door.json']),
        /^latchkey: scenario door\.json: mtu: must be an integer 23\.\.517$/,
      );
      expectOneLineError(runLatchkey(dir, ['sim', '--web', '--port', '0', '--scenario', 'nope']), /no built-in scenario "nope"/);
      expectOneLineError(runLatchkey(dir, ['sim', '--web', '--port', '0', '--json']), /--json: not with --web/);
      expectOneLineError(runLatchkey(dir, ['sim', '--web', '--port', '0', '--state', dir]), /--state: not with --web/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
