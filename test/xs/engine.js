// Starts the real XS engine (xsnap-worker, built from source by @agoric/xsnap at install) and
// evaluates scripts in it. @endo/init locks down this Node process (SES), so every XS run lives in
// a process of its own: test/xs/run.js and bench/run.js, never mocha.
import '@endo/init';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { xsnap } from '@agoric/xsnap';

const textDecoder = new TextDecoder();

/**
 * Starts a worker. Messages the script sends with `issueCommand(ArrayBuffer)` arrive as parsed
 * JSON at `onMessage`. meteringLimit 0 lifts the per-evaluation compute cap (1e8 by default).
 * @param {{ onMessage?: (msg: any) => void, meteringLimit?: number, name?: string }} [options]
 */
export async function startXs(options = {}) {
  const { onMessage = () => {}, meteringLimit = 0, name = 'latchkey-xs' } = options;
  const worker = await xsnap({
    os: os.type(),
    spawn,
    fs: { ...fs, ...fsp },
    name,
    meteringLimit,
    stdout: 'inherit',
    stderr: 'inherit',
    handleCommand: async (bytes) => {
      onMessage(JSON.parse(textDecoder.decode(bytes)));
      return new Uint8Array(0);
    },
  });
  return {
    /** Evaluates a script; resolves to the deterministic XS compute units it used. */
    async evaluate(code) {
      const result = await worker.evaluate(code);
      return result.meterUsage.compute;
    },
    /** Evaluates a script; resolves to xsnap's meter usage: compute, and currentHeapCount (live slots). */
    async evaluateUsage(code) {
      return (await worker.evaluate(code)).meterUsage;
    },
    close: () => worker.close(),
  };
}
