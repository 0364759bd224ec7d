// The local web server behind `latchkey sim --web`: it serves the built pages (dist/web/: the web
// simulator and the courier client) to a browser on this machine and nothing else. It binds
// 127.0.0.1 only (the pages hold keys and drive a lock; they are not for the network), answers GET
// and HEAD for files under its root, never lists a directory, and never follows a path outside the
// root. Every asset comes from the package, so the pages work offline.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web/, where tools/web-build.js puts the pages (this file is dist/cli/web-server.js). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
});

/** An answer computed by the caller instead of a file (e.g. a scenario preloaded from the command line). */
export interface ExtraRoute {
  contentType: string;
  body: string | Uint8Array;
}

export interface WebServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Always a loopback address; 127.0.0.1 unless a test asks for ::1. */
  host?: '127.0.0.1' | '::1';
  root?: string;
  /** Exact URL paths (e.g. "/sim/preload.json") answered from memory. */
  extraRoutes?: Readonly<Record<string, ExtraRoute>>;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Why the server could not start, in one line (port in use, no permission). */
export class WebServerError extends Error {}

/** Maps a URL path to a file under root, or undefined (outside the root, hidden, or not a file). */
export function resolveWebPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  let file = nodePath.join(root, ...segments);
  if (urlPath.endsWith('/') || segments.length === 0) file = nodePath.join(file, 'index.html');
  const within = nodePath.relative(root, file);
  if (within.startsWith('..') || nodePath.isAbsolute(within)) return undefined;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return undefined;
    return stat.isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const root = nodePath.resolve(options.root ?? WEB_ROOT);
  const host = options.host ?? '127.0.0.1';
  const extra = options.extraRoutes ?? {};
  const server = http.createServer((request, response) => {
    const send = (status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
    const path = (request.url ?? '/').split('?')[0]!.split('#')[0]!;
    const route = Object.hasOwn(extra, path) ? extra[path] : undefined;
    if (route) return send(200, route.contentType, route.body);
    // A page folder without its slash: redirect so the page's relative URLs resolve inside it.
    if (!path.endsWith('/') && resolveWebPath(root, path + '/') !== undefined && resolveWebPath(root, path) === undefined) {
      return send(301, 'text/plain; charset=utf-8', 'moved\n', { Location: path + '/' });
    }
    const file = resolveWebPath(root, path);
    if (file === undefined) return send(404, 'text/plain; charset=utf-8', 'not found\n');
    const type = CONTENT_TYPES[nodePath.extname(file)] ?? 'application/octet-stream';
    let body: Uint8Array;
    try {
      body = fs.readFileSync(file);
    } catch {
      return send(404, 'text/plain; charset=utf-8', 'not found\n');
    }
    send(200, type, body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${options.port} is in use (choose another with --port, or 0 for any free port)`
          : error.code === 'EACCES'
            ? `no permission to listen on port ${options.port}`
            : error.message;
      reject(new WebServerError(why));
    });
    server.listen(options.port ?? 0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const url = `http://${host === '::1' ? '[::1]' : host}:${port}/`;
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
