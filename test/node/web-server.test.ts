// The local web server (cli/web-server.ts) and `latchkey sim --web`: loopback only, files under
// dist/web/ only, no traversal, no listing, and one clear line when it cannot start.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveWebPath, startWebServer, WEB_ROOT, type WebServer } from '../../cli/web-server.js';
import { BIN, expectOneLineError, runLatchkey } from './cli-harness.js';

function get(url: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body, headers: response.headers }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A raw request line, so the path reaches the server exactly as written (no client normalisation). */
function rawGet(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

describe('web server (cli/web-server.ts)', () => {
  let server: WebServer;
  let root: string;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-web-'));
    fs.mkdirSync(path.join(root, 'page'));
    fs.writeFileSync(path.join(root, 'index.html'), '<h1>home</h1>');
    fs.writeFileSync(path.join(root, 'page', 'index.html'), '<h1>page</h1>');
    fs.writeFileSync(path.join(root, 'page', 'main.js'), 'export {};');
    fs.writeFileSync(path.join(root, 'page', 'style.css'), 'body{}');
    fs.writeFileSync(path.join(root, '.hidden'), 'secret');
    fs.writeFileSync(path.join(path.dirname(root), 'latchkey-outside.txt'), 'outside');
    server = await startWebServer({ root, extraRoutes: { '/page/extra.json': { contentType: 'application/json', body: '{"a":1}' } } });
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 and serves files with their content types, never cached', async () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const home = await get(server.url);
    expect([home.status, home.type, home.body]).to.deep.equal([200, 'text/html; charset=utf-8', '<h1>home</h1>']);
    expect(home.headers['cache-control']).to.equal('no-store');
    expect((await get(server.url + 'page/main.js')).type).to.equal('text/javascript; charset=utf-8');
    expect((await get(server.url + 'page/style.css')).type).to.equal('text/css; charset=utf-8');
    expect((await get(server.url + 'page/')).body).to.equal('<h1>page</h1>');
    expect((await get(server.url + 'page/extra.json')).body).to.equal('{"a":1}');
  });

  it('redirects a page folder to its slash, answers HEAD without a body and refuses other methods', async () => {
    const moved = await get(server.url + 'page');
    expect([moved.status, moved.headers.location]).to.deep.equal([301, '/page/']);
    const head = await get(server.url + 'page/main.js', 'HEAD');
    expect([head.status, head.body]).to.deep.equal([200, '']);
    const post = await get(server.url, 'POST');
    expect([post.status, post.headers.allow]).to.deep.equal([405, 'GET, HEAD']);
  });

  it('never serves a file outside its root, a hidden file, or a missing one', async () => {
    for (const target of [
      '/../latchkey-outside.txt',
      '/page/../../latchkey-outside.txt',
      '/%2e%2e/latchkey-outside.txt',
      '/.hidden',
      '/page/%00',
      '/nope.html',
      '/%E0%A4%A',
    ]) {
      expect(await rawGet(server.port, target), target).to.equal('HTTP/1.1 404 Not Found');
    }
    expect(resolveWebPath(root, '/..%2flatchkey-outside.txt')).to.equal(undefined);
    expect(resolveWebPath(root, '/page/main.js')).to.equal(path.join(root, 'page', 'main.js'));
  });

  it('names a port in use in one line', async () => {
    let error: unknown;
    try {
      await startWebServer({ root, port: server.port });
    } catch (e) {
      error = e;
    }
    expect(String((error as Error)?.message)).to.equal(`port ${server.port} is in use (choose another with --port, or 0 for any free port)`);
  });
});

describe('latchkey sim --web', function () {
  this.timeout(30_000);

  it('has the pages built into dist/web/: the landing page, the simulator and the courier client', () => {
    for (const file of ['index.html', 'sim/index.html', 'sim/main.js', 'courier/index.html', 'courier/main.js']) {
      expect(fs.existsSync(path.join(WEB_ROOT, file)), file).to.equal(true);
    }
  });

  it('prints the URLs, serves the pages on 127.0.0.1 and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--web', '--port', '0'], { env: { ...process.env, LATCHKEY_NO_BUILD: '1' } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 50));
    const simUrl = /web simulator at (http:\/\/127\.0\.0\.1:\d+\/sim\/)\n/.exec(out)?.[1];
    expect(simUrl, out).to.be.a('string');
    expect(out).to.match(/courier client at http:\/\/127\.0\.0\.1:\d+\/courier\/\n/);
    const page = await get(simUrl!);
    expect(page.status).to.equal(200);
    expect(page.body).to.include('<script type="module" src="main.js">');
    child.kill('SIGINT');
    expect(await exited).to.equal(0);
  });

  it('refuses a bad --port, and --port without --web, in one line', () => {
    expectOneLineError(runLatchkey(os.tmpdir(), ['sim', '--web', '--port', '70000']), /--port: "70000" is not a TCP port/);
    expectOneLineError(runLatchkey(os.tmpdir(), ['sim', '--web', '--port', 'http']), /--port: "http" is not a TCP port/);
    expectOneLineError(runLatchkey(os.tmpdir(), ['sim', '--port', '8000']), /--port: only with --web/);
  });

  it('says in one line when the port is taken', async () => {
    const blocker = await startWebServer({ root: os.tmpdir() });
    try {
      expectOneLineError(runLatchkey(os.tmpdir(), ['sim', '--web', '--port', String(blocker.port)]), new RegExp(`port ${blocker.port} is in use`));
    } finally {
      await blocker.close();
    }
  });
});
