// The README's commands, run as a reader runs them: every fenced ```sh block of README.md, command
// by command, in one temporary folder, with `npx latchkey` resolving to this checkout's built CLI.
// A command's trailing comment states what to expect: "exit N" (default 0) and each "quoted text"
// must appear in its output. So an example that stops working (a date that has passed, a renamed
// option, a changed message) fails npm test instead of the next newcomer.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT } from './cli-harness.js';

interface Command {
  /** The shell text, continuation lines joined, comment removed. */
  shell: string;
  exit: number;
  expected: string[];
  line: number;
}

/**
 * The commands CI itself runs around this test (.ci/run: npm ci, then npm test, which includes
 * this suite): running them from here would install into the checkout or recurse.
 */
const RUN_BY_CI = new Set(['npm install', 'npm test']);

/** The ```sh blocks of a Markdown text, each a list of commands with their expectations. */
export function readmeCommands(markdown: string): Command[][] {
  const blocks: Command[][] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    const block: Command[] = [];
    let pending = '';
    let startLine = 0;
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) {
      const text = lines[i];
      if (pending === '') startLine = i + 1;
      // A comment starts at " #" outside the command (the examples quote no "#").
      const hash = text.search(/(^|\s)#/);
      const code = hash < 0 ? text : text.slice(0, hash);
      const comment = hash < 0 ? '' : text.slice(hash);
      if (code.trimEnd().endsWith('\\')) {
        pending += code.trimEnd().slice(0, -1) + ' ';
        continue;
      }
      const shell = (pending + code).trim();
      pending = '';
      if (shell === '') continue;
      const exit = /\bexit (\d)\b/.exec(comment);
      block.push({ shell, exit: exit ? Number(exit[1]) : 0, expected: [...comment.matchAll(/"([^"]+)"/g)].map((m) => m[1]), line: startLine });
    }
    blocks.push(block);
  }
  return blocks;
}

describe('README.md commands', function () {
  this.timeout(180000);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = readmeCommands(readme);
  let dir = '';
  let preamble = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-readme-'));
    const bin = path.join(dir, '.bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'latchkey'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    // npx latchkey → the checkout's bin (as npx does inside the checkout); npm scripts run in the checkout.
    preamble = [
      `export PATH='${bin}':"$PATH"`,
      `npx() { if [ "$1" = latchkey ]; then shift; latchkey "$@"; else command npx "$@"; fi; }`,
      `npm() { (cd '${ROOT}' && command npm "$@"); }`,
    ].join('\n');
  });

  after(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has sh blocks with the set-up, the CLI walk-through and the simulator', () => {
    const all = blocks.flat().map((c) => c.shell);
    expect(blocks.length).to.be.at.least(4);
    for (const expected of ['npm install', 'npm test', 'npm start', 'npx latchkey keygen', 'npx latchkey issue', 'npx latchkey verify', 'npx latchkey sim']) {
      expect(
        all.some((c) => c.startsWith(expected)),
        expected,
      ).to.equal(true);
    }
  });

  it('runs every command of every sh block, in order, with the exit status and output its comment states', () => {
    let ran = 0;
    for (const command of blocks.flat()) {
      if (RUN_BY_CI.has(command.shell)) continue;
      const run = spawnSync('bash', ['-c', `${preamble}\n${command.shell}`], { cwd: dir, encoding: 'utf8', timeout: 120000 });
      const output = `${run.stdout}${run.stderr}`;
      const where = `README.md line ${command.line}: ${command.shell}\n--- output:\n${output}`;
      expect(run.status, where).to.equal(command.exit);
      for (const text of command.expected) expect(output, where).to.include(text);
      if (command.exit === 2) expect(run.stderr.trim().split('\n'), where).to.have.length(1);
      ran++;
    }
    expect(ran).to.be.at.least(15);
  });

  it('depends on no date: every absolute time in a command comes with --issued-at and --now', () => {
    for (const command of blocks.flat()) {
      if (!/\d{4}-\d{2}-\d{2}T/.test(command.shell)) continue;
      const explicit = /latchkey issue\b/.test(command.shell) ? '--issued-at' : '--now';
      expect(command.shell, `README.md line ${command.line}`).to.include(explicit);
    }
  });
});
