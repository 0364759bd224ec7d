// A minimal mocha-compatible describe/it for running the portable suites inside XS. Results go to
// the host with issueCommand (xsnap's channel to test/xs/run.js); the host prints and counts them.

type Fn = () => void | Promise<void>;
interface Suite {
  title: string;
  tests: { title: string; fn: Fn }[];
  suites: Suite[];
  beforeEach: Fn[];
  afterEach: Fn[];
  before: Fn[];
  after: Fn[];
}

const root: Suite = { title: '', tests: [], suites: [], beforeEach: [], afterEach: [], before: [], after: [] };
let current = root;

declare function issueCommand(message: ArrayBuffer): void;

function send(message: unknown): void {
  const text = JSON.stringify(message);
  const bytes = new Uint8Array(text.length * 3);
  // JSON.stringify output is ASCII-safe after escaping non-ASCII, which we do here by hand.
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes[n++] = c;
    else for (const ch of '\\u' + c.toString(16).padStart(4, '0')) bytes[n++] = ch.charCodeAt(0);
  }
  issueCommand(bytes.buffer.slice(0, n));
}

const g = globalThis as Record<string, unknown>;

// chai 6 creates an EventTarget for its plugin events; xsnap has none. Test-only, never on device.
if (typeof g.EventTarget === 'undefined') {
  g.EventTarget = class EventTarget {
    #listeners = new Map<string, ((event: unknown) => void)[]>();
    addEventListener(type: string, fn: (event: unknown) => void) {
      this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), fn]);
    }
    removeEventListener(type: string, fn: (event: unknown) => void) {
      this.#listeners.set(
        type,
        (this.#listeners.get(type) ?? []).filter((f) => f !== fn),
      );
    }
    dispatchEvent(event: { type: string }) {
      for (const fn of this.#listeners.get(event.type) ?? []) fn(event);
      return true;
    }
  };
  g.Event ??= class Event {
    constructor(readonly type: string) {}
  };
}

// fast-check looks setTimeout up when it loads (for async properties, which the suites do not
// use); xsnap has no timers. Test-only: a microtask stand-in, never on the device.
if (typeof g.setTimeout === 'undefined') {
  g.setTimeout = (fn: () => void) => {
    Promise.resolve().then(fn);
    return 0;
  };
  g.clearTimeout = () => {};
}
g.describe = (title: string, body: () => void) => {
  const suite: Suite = { title, tests: [], suites: [], beforeEach: [], afterEach: [], before: [], after: [] };
  current.suites.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
};
g.it = (title: string, fn: Fn) => current.tests.push({ title, fn });
g.beforeEach = (fn: Fn) => current.beforeEach.push(fn);
g.afterEach = (fn: Fn) => current.afterEach.push(fn);
g.before = (fn: Fn) => current.before.push(fn);
g.after = (fn: Fn) => current.after.push(fn);

/** Whether any test in the suite (or below) has a full title containing grep. */
function selected(suite: Suite, path: string[], grep: string | undefined): boolean {
  if (grep === undefined) return true;
  const titlePath = suite.title ? [...path, suite.title] : path;
  return suite.tests.some((t) => [...titlePath, t.title].join(' › ').includes(grep)) || suite.suites.some((s) => selected(s, titlePath, grep));
}

/**
 * Runs the tests whose full title contains grep (all without one). The filter chooses what runs,
 * never what is reported: every result of a test that ran reaches the host.
 */
async function runSuite(suite: Suite, path: string[], hooks: { beforeEach: Fn[]; afterEach: Fn[] }, grep: string | undefined): Promise<void> {
  if (!selected(suite, path, grep)) return;
  const each = { beforeEach: [...hooks.beforeEach, ...suite.beforeEach], afterEach: [...suite.afterEach, ...hooks.afterEach] };
  const titlePath = suite.title ? [...path, suite.title] : path;
  for (const fn of suite.before) await fn();
  for (const test of suite.tests) {
    const title = [...titlePath, test.title].join(' › ');
    if (grep !== undefined && !title.includes(grep)) continue;
    try {
      for (const fn of each.beforeEach) await fn();
      await test.fn();
      for (const fn of each.afterEach) await fn();
      send({ type: 'pass', title });
    } catch (error) {
      const e = error as Error;
      send({ type: 'fail', title, error: String(e && e.message ? e.message : e) });
    }
  }
  for (const child of suite.suites) await runSuite(child, titlePath, each, grep);
  for (const fn of suite.after) await fn();
}

export function runAll(grep?: string): void {
  runSuite(root, [], { beforeEach: [], afterEach: [] }, grep).then(
    () => send({ type: 'done' }),
    (error) => send({ type: 'fail', title: '(harness)', error: String(error) }),
  );
}
