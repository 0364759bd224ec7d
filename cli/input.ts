// Reading the CLI's inputs: files, stdin, JSON and JWK files, and tickets (binary or hex text).

import * as fs from 'node:fs';
import { fromHex } from '../src/index.js';
import { JwkError } from '../issuer/jwk.js';
import { CliError, describeUnknown, fileProblem } from './output.js';

const MAX_INPUT_BYTES = 1 << 20;

export function readFileBytes(path: string, what: string): Buffer {
  try {
    const stat = fs.statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stat.size > MAX_INPUT_BYTES) throw new CliError(`${what} ${path}: too large (${stat.size} bytes)`);
    return fs.readFileSync(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${what} ${path}: ${fileProblem(error)}`);
  }
}

export function readJson(path: string, what: string): unknown {
  const text = readFileBytes(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} ${path}: not valid JSON (${describeUnknown(error).replace(/^SyntaxError: /, '')})`);
  }
}

/** Runs a JWK check and reports a JwkError as a problem with the named file. */
export function withJwk<T>(path: string, what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof JwkError) throw new CliError(`${what} ${path}: not a usable Ed25519 JWK: ${error.message}`);
    throw error;
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    length += buffer.length;
    if (length > MAX_INPUT_BYTES) throw new CliError('ticket on stdin: too large');
  }
  return Buffer.concat(chunks);
}

/** True if every byte is an ASCII hex digit or whitespace. */
const isHexText = (bytes: Uint8Array): boolean => bytes.every((b) => /[0-9a-fA-F\s]/.test(String.fromCharCode(b)));

export const ticketLabel = (path: string): string => (path === '-' ? 'ticket on stdin' : `ticket ${path}`);

/** A ticket from a file or stdin ("-"): binary bytes, or hex text (whitespace ignored). */
export async function readTicket(path: string): Promise<Uint8Array> {
  const label = ticketLabel(path);
  const raw = path === '-' ? await readStdin() : readFileBytes(path, 'ticket');
  if (raw.length === 0) throw new CliError(`${label}: empty`);
  if (!isHexText(raw)) return new Uint8Array(raw);
  const hex = raw.toString('latin1').replace(/\s+/g, '');
  if (hex.length === 0) throw new CliError(`${label}: empty (only whitespace)`);
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new CliError(`${label}: hex text with an odd number of digits`);
  return bytes;
}
