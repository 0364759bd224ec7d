// Browser tests run the real pages in a real browser: Debian's Chromium, headless, driven by
// playwright-core (which never downloads a browser of its own). .ci/run installs Chromium and sets
// LATCHKEY_REQUIRE_BROWSER=1, so on CI a missing browser fails the run; on a developer's machine
// without Chromium the browser suites are reported as pending, with the reason, instead.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebServer, type ExtraRoute, type WebServer } from '../../cli/web-server.js';

/** <repo>/test-artifacts: screenshots and other things a person looks at after a run (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

/** The browser: LATCHKEY_CHROMIUM, else Debian's /usr/bin/chromium, if it exists. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.LATCHKEY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => typeof path === 'string' && path !== '' && fs.existsSync(path));
}

/**
 * Flags for a headless browser on a closed network: without the background-networking ones,
 * Chromium keeps trying to reach Google's hosts, and the machine refuses each connection.
 */
export const CHROMIUM_FLAGS: readonly string[] = Object.freeze([
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]);

/** A page that remembers every console error and uncaught page error, for the "no errors" checks. */
export interface PageWithErrors extends Page {
  errors(): string[];
}

export interface BrowserSuite {
  browser(): Browser;
  /** The local server (the real cli/web-server.ts) serving dist/web/. */
  server(): WebServer;
  /** A new page in a fresh context (own storage), recording errors. Closed after each test. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<PageWithErrors>;
}

export interface BrowserSuiteOptions {
  /** Routes answered from memory beside dist/web/ (see startWebServer). */
  extraRoutes?: Readonly<Record<string, ExtraRoute>>;
}

/** Launches headless Chromium (throws with the reason when it cannot); Playwright gives it a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium: install Debian chromium (apt-get install chromium) or set LATCHKEY_CHROMIUM');
  return chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS], headless: true });
}

/**
 * A mocha describe() whose tests share one Chromium and one local server. Without Chromium the
 * suite is pending with the reason, unless LATCHKEY_REQUIRE_BROWSER=1 (CI), where it fails.
 */
export function browserTests(title: string, body: (suite: BrowserSuite) => void, options: BrowserSuiteOptions = {}): void {
  describe(title, function () {
    this.timeout(60_000);
    let browser: Browser | undefined;
    let server: WebServer | undefined;
    const contexts: BrowserContext[] = [];
    const suite: BrowserSuite = {
      browser: () => {
        if (!browser) throw new Error('the browser is not running');
        return browser;
      },
      server: () => {
        if (!server) throw new Error('the web server is not running');
        return server;
      },
      newPage: async (pageOptions = {}) => {
        const context = await suite.browser().newContext({ viewport: pageOptions.viewport ?? { width: 1280, height: 800 } });
        contexts.push(context);
        const page = (await context.newPage()) as PageWithErrors;
        const errors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(`console: ${message.text()}`);
        });
        page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
        page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
        page.errors = () => errors.slice();
        return page;
      },
    };
    before(async function () {
      if (!chromiumPath()) {
        if (process.env.LATCHKEY_REQUIRE_BROWSER === '1') throw new Error('LATCHKEY_REQUIRE_BROWSER=1 but no Chromium found (install Debian chromium)');
        // eslint-disable-next-line no-console
        console.warn(`\n  ${title}: skipped, no Chromium (install Debian chromium, or set LATCHKEY_CHROMIUM)`);
        this.skip();
      }
      browser = await launchChromium();
      server = await startWebServer(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {});
    });
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });
    body(suite);
  });
}

/** Saves a screenshot into test-artifacts/ and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = nodePath.join(ARTIFACTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
