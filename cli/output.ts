// How the CLI reports: one-line errors with an exit code, stdout text, and writing files. Every
// failure reaches the user as one line on stderr, prefixed "latchkey: ", never as a stack trace.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

/** A failure to report as one line; exitCode 2 unless said otherwise. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export function describeUnknown(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : error.name + ': '}${error.message}`;
  return String(error);
}

export const stdout = (text: string): void => void process.stdout.write(text);
export const stderrLine = (text: string): void => void process.stderr.write(`latchkey: ${oneLine(text)}\n`);

/** A file system error in a few words. */
export function fileProblem(error: unknown): string {
  switch ((error as { code?: string })?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EEXIST':
      return 'already exists';
    case 'ENXIO':
      return 'cannot be opened for reading (no such device or address)';
    default:
      return describeUnknown(error);
  }
}

export function writeFile(path: string, bytes: Uint8Array | string, what: string): void {
  try {
    fs.writeFileSync(path, bytes);
  } catch (error) {
    throw new CliError(`cannot write ${what} ${path}: ${fileProblem(error)}`);
  }
}

/**
 * Creates FILE with mode 0600. An existing FILE is an error unless force; then only a regular file
 * is replaced (a new 0600 file renamed over it), never a symlink, device or directory.
 */
export function writePrivateFile(command: string, path: string, text: string, force: boolean): void {
  const fail = (error: unknown): never => {
    throw error instanceof CliError ? error : new CliError(`cannot write key ${path}: ${fileProblem(error)}`);
  };
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') fail(error);
  }
  if (existing !== undefined && !force) throw new CliError(`${command}: ${path} already exists; not overwriting it (use --force)`);
  if (existing !== undefined && !existing.isFile()) throw new CliError(`${command}: ${path} exists and is not a regular file; not replacing it`);
  const target = existing === undefined ? path : `${path}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(target, 'wx', 0o600);
    created = true;
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, text);
    fs.closeSync(fd);
    fd = undefined;
    if (target !== path) fs.renameSync(target, path);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    if (created) fs.rmSync(target, { force: true }); // no half-written key left behind
    if (!created && (error as { code?: string }).code === 'EEXIST') {
      throw new CliError(`${command}: ${path} already exists; not overwriting it (use --force)`);
    }
    fail(error);
  }
}

/** Text as is, unless it has control characters: then JSON-quoted so the output stays one line per field. */
export const showText = (text: string): string => (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text);
