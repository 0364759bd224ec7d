// Reading the CLI's inputs: files and stdin with a hard byte limit, JSON and JWK files, and tickets
// in the forms people paste them (binary, hex with or without 0x / BOM / whitespace, base64,
// base64url). Every read stops at its limit whatever the file claims to be: /dev/zero, a FIFO or
// a pipe on stdin cannot make the CLI read without end.

import * as fs from 'node:fs';
import { JwkError } from '../issuer/jwk.js';
import { ticketFromFile, ticketFromText as parseTicketText } from '../issuer/ticket-text.js';
import { CliError, describeUnknown, fileProblem } from './output.js';

/** Limits per kind of input: a ticket or key is small; a scenario file is a page of JSON. */
export const INPUT_LIMITS = Object.freeze({ ticket: 64 * 1024, key: 64 * 1024, scenario: 1024 * 1024, state: 64 * 1024 });

const CHUNK = 64 * 1024;

/** Sleeps briefly without busy-waiting (a non-blocking stdin with nothing to read yet). */
const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Reads at most limit bytes from fd; throws CliError(label: too large) if there is more. */
function readBounded(fd: number, limit: number, label: string): Buffer {
  const buffer = Buffer.alloc(limit + 1);
  let length = 0;
  while (length <= limit) {
    let n: number;
    try {
      n = fs.readSync(fd, buffer, length, Math.min(CHUNK, limit + 1 - length), null);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') {
        pause(5);
        continue;
      }
      if ((error as { code?: string }).code === 'EOF') break; // Windows pipes
      throw error;
    }
    if (n === 0) break;
    length += n;
  }
  if (length > limit) throw new CliError(`${label}: too large (more than ${limit} bytes)`);
  return buffer.subarray(0, length);
}

/** The bytes of a file ("-": stdin), at most limit of them. */
export function readInput(path: string, label: string, limit: number): Buffer {
  // /dev/stdin too: opening it fails when stdin is a socket (as some process runners make it).
  if (path === '-' || path === '/dev/stdin') {
    try {
      return readBounded(0, limit, label);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${label}: ${fileProblem(error)}`);
    }
  }
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    if (fs.fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return readBounded(fd, limit, label);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${label}: ${fileProblem(error)}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readJson(path: string, what: string, limit: number = INPUT_LIMITS.key): unknown {
  const label = `${what} ${path}`;
  const text = stripBom(readInput(path, label, limit).toString('utf8'));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${label}: not valid JSON (${describeUnknown(error).replace(/^SyntaxError: /, '')})`);
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

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export const ticketLabel = (path: string): string => (path === '-' ? 'ticket on stdin' : `ticket ${path}`);

/**
 * A ticket as text: hex (a 0x prefix and whitespace anywhere ignored), or base64 / base64url
 * (padding optional). Anything else is named: a JWK, other JSON, or text in no ticket form.
 */
export function ticketFromText(text: string, label: string): Uint8Array {
  const parsed = parseTicketText(text);
  if (!parsed.ok) throw new CliError(`${label}: ${parsed.error}`);
  return parsed.value;
}

/** A ticket from a file or stdin ("-"): binary bytes, or one of the text forms of ticketFromText. */
export function readTicket(path: string): Uint8Array {
  const label = ticketLabel(path);
  const parsed = ticketFromFile(readInput(path, label, INPUT_LIMITS.ticket));
  if (!parsed.ok) throw new CliError(`${label}: ${parsed.error}`);
  return parsed.value;
}
