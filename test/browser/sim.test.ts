// The web simulator in a real browser (headless Chromium): it plays the built-in scenarios to the
// same decisions, reason codes and alarms as the text simulator (runScenario, computed here),
// issues and presents a ticket from its form, survives a power cut mid-grant (bolt locked after
// the reboot, the ticket spent), reports a bad scenario file in the page, and logs no console
// error. The end of the default scenario is saved as test-artifacts/web-sim-default.png; with
// LATCHKEY_README_SCREENSHOT=1 it is also written to docs/img/web-simulator.png (the README's).

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SCENARIOS, parseScenario } from '../../sim/scenario/parse.js';
import { runScenario } from '../../sim/scenario/run.js';
import { MemoryStorage } from '../../sim/hal/memory-storage.js';
import { isoTime } from '../../issuer/time.js';
import { REFUSAL_CODES } from '../../src/reasons.js';
import { PRELOAD_PATH } from '../../cli/commands/sim.js';
import { browserTests, saveScreenshot, type PageWithErrors } from './harness.js';

const README_SCREENSHOT = fileURLToPath(new URL('../../../docs/img/web-simulator.png', import.meta.url));

/** The decisions the page shows, oldest first: outcome and the text of its line. */
async function decisions(page: PageWithErrors): Promise<{ outcome: string; text: string }[]> {
  const items = await page
    .locator('#decisions li[data-outcome]')
    .evaluateAll((lis) => lis.map((li) => ({ outcome: li.getAttribute('data-outcome') ?? '', text: li.querySelector('.outcome')?.textContent ?? '' })));
  return items.reverse();
}

async function runToEnd(page: PageWithErrors): Promise<void> {
  await page.selectOption('#speed', '0');
  await page.click('#run');
  await page.waitForSelector('#progress[data-done="true"]');
}

async function open(page: PageWithErrors, url: string, scenario = 'default'): Promise<void> {
  await page.goto(`${url}sim/?scenario=${scenario}`);
  await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === ${JSON.stringify(scenario)}`);
}

/** Issues a ticket from the form with its defaults (courier-99, a new phone, valid from 5 min ago for an hour). */
async function issueFromForm(page: PageWithErrors, issuer: string): Promise<string> {
  await page.selectOption('#form-issuer', issuer);
  await page.click('#form-issue');
  const ticket = page.locator('.phone[data-phone="courier-99-phone"] li[data-ticket]').last();
  await ticket.waitFor();
  return (await ticket.getAttribute('data-ticket')) as string;
}

async function present(page: PageWithErrors, ticket: string): Promise<string> {
  const before = await page.locator('#decisions li[data-outcome]').count();
  await page.locator(`button.present[data-ticket="${ticket}"]`).click();
  await page.waitForFunction(`document.querySelectorAll('#decisions li[data-outcome]').length > ${before}`);
  return (await page.locator('#verdict').getAttribute('data-outcome')) as string;
}

browserTests(
  'web simulator in Chromium',
  (suite) => {
    for (const name of ['default', 'morning']) {
      it(`plays the built-in scenario "${name}" to the end with the text simulator's grants, refusals (reason codes) and alarms`, async () => {
        const expected = runScenario(parseScenario(BUILTIN_SCENARIOS[name], name));
        const page = await suite.newPage();
        const requested: string[] = [];
        page.on('request', (request) => requested.push(request.url()));
        await open(page, suite.server().url, name);
        // Two single steps first, then the rest at once: the same runner either way.
        await page.click('#step');
        await page.click('#step');
        await page.waitForFunction(`document.getElementById('progress-text')?.textContent?.startsWith('step 2 of')`);
        await runToEnd(page);

        const shown = await decisions(page);
        expect(shown.map((d) => d.outcome)).to.deep.equal(expected.presentations.map((p) => p.outcome));
        for (const [i, d] of shown.entries()) {
          const p = expected.presentations[i];
          if (p.granted) expect(d.text).to.match(/^granted/);
          else if (Object.hasOwn(REFUSAL_CODES, p.outcome))
            expect(d.text).to.equal(`${p.outcome} (code ${REFUSAL_CODES[p.outcome as keyof typeof REFUSAL_CODES]})`);
        }
        const alarms = await page.locator('#alarm-history li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alarm')));
        expect(alarms).to.deep.equal(expected.summary.alarms.map((a) => a.alarm));
        const x = expected.summary.expectations;
        expect(await page.locator('#next-step').textContent()).to.include(
          `${expected.summary.granted} granted, ${expected.summary.refused} refused; expectations ${x.met}/${x.total} met`,
        );
        expect(await page.locator('#lock-state').getAttribute('data-bolt')).to.equal(expected.summary.bolt);
        // The timeline is the text simulator's, line for line.
        const lines = await page.locator('#tab-timeline li .x').allTextContents();
        expect(lines).to.deep.equal(expected.timeline.map((l) => l.text));
        if (name === 'default') {
          // BLE frames, flash writes, the audit log and receipts are listed.
          expect(Number(await page.locator('#frames-count').textContent())).to.be.greaterThan(0);
          expect(Number(await page.locator('#flash-count').textContent())).to.be.greaterThan(0);
          expect(Number(await page.locator('#receipts-count').textContent())).to.equal(expected.summary.granted);
          await page.click('[data-tab="receipts"]');
          expect(await page.locator('#tab-receipts li').first().textContent()).to.include('signature verified with the device key');
          await page.click('[data-tab="timeline"]');
          await saveScreenshot(page, 'web-sim-default');
          if (process.env.LATCHKEY_README_SCREENSHOT === '1') {
            fs.mkdirSync(nodePath.dirname(README_SCREENSHOT), { recursive: true });
            await page.screenshot({ path: README_SCREENSHOT });
          }
        }
        expect(page.errors()).to.deep.equal([]);
        // Offline: everything the page loaded came from the local server.
        expect(requested.filter((url) => !url.startsWith(suite.server().url))).to.deep.equal([]);
      });
    }

    it("plays every other built-in scenario, chosen in the page, to the text simulator's decisions and alarms", async () => {
      const page = await suite.newPage();
      await open(page, suite.server().url);
      for (const name of Object.keys(BUILTIN_SCENARIOS).filter((n) => n !== 'default' && n !== 'morning')) {
        await page.selectOption('#scenario-select', `builtin:${name}`);
        await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === ${JSON.stringify(name)}`);
        await runToEnd(page);
        const expected = runScenario(parseScenario(BUILTIN_SCENARIOS[name], name));
        expect(
          (await decisions(page)).map((d) => d.outcome),
          name,
        ).to.deep.equal(expected.presentations.map((p) => p.outcome));
        const alarms = await page.locator('#alarm-history li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alarm')));
        expect(alarms, name).to.deep.equal(expected.summary.alarms.map((a) => a.alarm));
        expect(await page.locator('#lock-state').getAttribute('data-bolt'), name).to.equal(expected.summary.bolt);
      }
      expect(page.errors()).to.deep.equal([]);
    });

    it('issues a ticket from the form and presents it: granted, the relock countdown runs down and the bolt relocks on its own', async () => {
      const page = await suite.newPage();
      await page.clock.install(); // the page's timers, under the test's control
      await open(page, suite.server().url);
      await runToEnd(page);
      const ticket = await issueFromForm(page, 'parcel-co');
      expect(await present(page, ticket)).to.equal('granted');
      expect(await page.locator('#lock-state').getAttribute('data-bolt')).to.equal('unlocked');
      expect(await page.locator('#verdict').textContent()).to.match(/^GRANTED/);
      await page.click('#wait-1s');
      const relocksIn = page.locator('#lock-state dd').nth(3);
      expect(await relocksIn.textContent()).to.equal('4 s');
      // "time runs": simulated time follows the (page's) clock, and the bolt relocks on its own.
      await page.check('#live');
      await page.clock.runFor(2000);
      expect(await relocksIn.textContent()).to.equal('2 s');
      expect(await page.locator('#lock-state').getAttribute('data-bolt')).to.equal('unlocked');
      await page.clock.runFor(3000);
      expect(await page.locator('#lock-state').getAttribute('data-bolt')).to.equal('locked');
      await page.uncheck('#live');
      // An issuer whose scope does not cover this hour (clean-co: Mondays 09:00-12:00): refused with the reason.
      const rogue = await issueFromForm(page, 'clean-co');
      expect(await present(page, rogue)).to.equal('outside-scope');
      expect(page.errors()).to.deep.equal([]);
    });

    it('replays any recorded exchange chosen from the list (an earlier grant, after a later one): refused as the text simulator refuses it', async () => {
      // The same replay written as a scenario: the default one up to the cleaner's second grant,
      // then the first grant's exchange (labelled) replayed while the ticket is still valid.
      const json = structuredClone(BUILTIN_SCENARIOS.default) as { steps: Record<string, unknown>[] };
      const isGrant = (s: Record<string, unknown>): boolean => s.present === 'cleaning' && s.expect === 'granted';
      const firstGrant = json.steps.findIndex(isGrant);
      const laterGrant = json.steps.findIndex((s, i) => i > firstGrant && isGrant(s));
      json.steps[firstGrant].label = 'first-grant';
      json.steps = json.steps.slice(0, laterGrant + 1);
      json.steps.push({ replay: 'first-grant' });
      const expected = runScenario(parseScenario(json, 'default'));
      const replayed = expected.presentations[expected.presentations.length - 1];
      expect(replayed.granted).to.equal(false);

      const page = await suite.newPage();
      await open(page, suite.server().url);
      expect(await page.locator('#replay').isDisabled()).to.equal(true);
      for (let i = 0; i <= laterGrant; i++) await page.click('#step');
      await page.waitForFunction(`document.getElementById('progress-text')?.textContent?.startsWith('step ${laterGrant + 1} of')`);
      const options = await page
        .locator('#replay-of option')
        .evaluateAll((os) => os.map((o) => ({ value: o.getAttribute('value') ?? '', text: o.textContent ?? '' })));
      const presented = expected.presentations.filter((p) => p.kind === 'present');
      expect(options).to.have.length(presented.length);
      // Newest first, the latest chosen by default; each says where it came from, what, and how it ended.
      expect(await page.locator('#replay-of').inputValue()).to.equal(options[0].value);
      expect(options[0].text).to.equal(`#${presented.length} step ${laterGrant + 1} · cleaning · cleaner-phone · MTU ${expected.mtu} · granted`);
      const first = options.find((o) => o.text.includes(` step ${firstGrant + 1} `)) as { value: string; text: string };
      expect(first.text).to.equal(`#${Number(first.value) + 1} step ${firstGrant + 1} · cleaning · cleaner-phone · MTU ${expected.mtu} · granted`);
      await page.selectOption('#replay-of', first.value);
      const before = await page.locator('#decisions li[data-outcome]').count();
      await page.click('#replay');
      await page.waitForFunction(`document.querySelectorAll('#decisions li[data-outcome]').length > ${before}`);
      expect(await page.locator('#verdict').getAttribute('data-outcome')).to.equal(replayed.outcome);
      const shown = (await decisions(page)).at(-1);
      expect(shown?.outcome).to.equal(replayed.outcome);
      expect(shown?.text).to.equal(`${replayed.outcome} (code ${REFUSAL_CODES[replayed.outcome as keyof typeof REFUSAL_CODES]})`);
      expect(await page.locator('#decisions li[data-outcome] .what').first().textContent()).to.include(`replay of #${Number(first.value) + 1} cleaning`);
      // The timeline says which exchange was replayed, as the text simulator's does for a label.
      const lines = await page.locator('#tab-timeline li .x').allTextContents();
      expect(
        lines.some((l) =>
          l.startsWith(`an eavesdropper replays the ${replayed.writes} recorded writes of presentation #${Number(first.value) + 1} ("cleaning")`),
        ),
      ).to.equal(true);
      expect(page.errors()).to.deep.equal([]);
    });

    it("keeps the lock's flash across a reload when asked (as latchkey sim --state does), ignores bad kept data, and forgets it on a factory reset", async () => {
      // What the CLI does with --state: the second run boots on the first run's storage, its clock resumed where the first stopped.
      const scenario = parseScenario(BUILTIN_SCENARIOS.default, 'default');
      const flash = new MemoryStorage();
      const first = runScenario(scenario, { storage: flash });
      expect(first.end).to.be.greaterThan(scenario.start);
      const second = runScenario(scenario, { storage: new MemoryStorage(flash.snapshot()), startTime: first.end });
      const grant = first.presentations.findIndex((p) => p.granted);
      expect(second.presentations[grant].outcome).to.equal('replayed');
      const outcomes = async (page: PageWithErrors): Promise<string[]> => (await decisions(page)).map((d) => d.outcome);
      const stored = (page: PageWithErrors): Promise<string | null> => page.evaluate("window.localStorage.getItem('latchkey.sim.flash')");

      const page = await suite.newPage();
      await open(page, suite.server().url);
      // Off by default: the page keeps nothing.
      expect(await page.locator('#keep-flash').isChecked()).to.equal(false);
      await runToEnd(page);
      expect(await outcomes(page)).to.deep.equal(first.presentations.map((p) => p.outcome));
      expect(await stored(page)).to.equal(null);
      // Ticked now: this lock's flash (and clock) are kept from here on.
      await page.check('#keep-flash');
      expect(await stored(page)).to.be.a('string');
      // A reload boots the same lock on the kept flash, its clock where the last run stopped.
      await page.reload();
      await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'default'`);
      expect(await page.locator('#keep-flash').isChecked()).to.equal(true);
      expect(await page.locator('#flash-note').textContent()).to.include(`clock resumed at ${isoTime(first.end).slice(0, 19).replace('T', ' ')}Z`);
      await runToEnd(page);
      expect(await outcomes(page)).to.deep.equal(second.presentations.map((p) => p.outcome));
      expect((await decisions(page))[grant].text).to.equal('replayed (code 20)');
      await saveScreenshot(page, 'web-sim-kept-flash');
      expect(page.errors()).to.deep.equal([]);

      // Kept data that is not the lock's own (a foreign format, a key NVS would refuse, a bad clock) is ignored, with the reason.
      for (const [bad, reason] of [
        ['{"flash":', 'not JSON'],
        ['{"format":"something-else","rtc":1,"flash":{}}', 'not a "latchkey-sim-flash/1" record'],
        ['{"format":"latchkey-sim-flash/1","rtc":-1,"flash":{}}', 'no valid "rtc"'],
        ['{"format":"latchkey-sim-flash/1","rtc":1,"flash":{"a-key-far-too-long-for-nvs":"00"}}', 'NVS allows 1..15'],
        ['{"format":"latchkey-sim-flash/1","rtc":1,"flash":{"lk.replay":"zz"}}', 'not hex bytes'],
      ]) {
        await page.evaluate(`window.localStorage.setItem('latchkey.sim.flash', ${JSON.stringify(bad)})`);
        await page.reload();
        await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'default'`);
        expect(await page.locator('#flash-note').textContent(), bad)
          .to.include('Kept flash ignored')
          .and.include(reason);
        await runToEnd(page);
        expect(await outcomes(page), bad).to.deep.equal(first.presentations.map((p) => p.outcome));
      }
      expect(page.errors()).to.deep.equal([]);

      // Factory reset: a fresh lock; the flash it writes is kept again (the box stays ticked), so a reload resumes that one.
      await page.click('#factory-reset');
      expect(await page.locator('#flash-note').textContent()).to.include('Factory reset');
      await runToEnd(page);
      expect(await outcomes(page)).to.deep.equal(first.presentations.map((p) => p.outcome));
      // Unticked: nothing kept, and a reload boots factory-fresh.
      await page.uncheck('#keep-flash');
      expect(await stored(page)).to.equal(null);
      await page.reload();
      await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'default'`);
      expect(await page.locator('#keep-flash').isChecked()).to.equal(false);
      await runToEnd(page);
      expect(await outcomes(page)).to.deep.equal(first.presentations.map((p) => p.outcome));
      expect(page.errors()).to.deep.equal([]);
    });

    it("lists the owner's commands among the decisions, in order, with their results and ✓/✗ as the text simulator has them", async () => {
      // The default scenario with one expectation the lock will not meet (provision is "done").
      const json = { ...(structuredClone(BUILTIN_SCENARIOS.default) as { steps: Record<string, unknown>[] }), name: 'owner-door' };
      const provision = json.steps.findIndex((s) => s.provision !== undefined);
      json.steps[provision].expect = 'wrong-state';
      const expected = runScenario(parseScenario(json, 'owner-door'));
      expect(expected.admin.length).to.be.greaterThan(3);
      const order = [
        ...expected.presentations.map((p) => ({ step: p.step, shown: p.outcome, met: p.met })),
        ...expected.admin.map((a) => ({ step: a.step, shown: `${a.kind}:${a.outcome}`, met: a.met })),
      ].sort((a, b) => a.step - b.step);

      const page = await suite.newPage();
      await open(page, suite.server().url);
      await page.setInputFiles('#scenario-file', { name: 'owner-door.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
      await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'owner-door (owner-door.json)'`);
      await runToEnd(page);
      const listed = async (): Promise<{ shown: string; met: string; outcome: string; what: string }[]> =>
        (
          await page.locator('#decisions li[data-outcome], #decisions li[data-admin]').evaluateAll((lis) =>
            lis.map((li) => ({
              shown: li.hasAttribute('data-admin')
                ? `${li.getAttribute('data-admin')}:${li.getAttribute('data-admin-outcome')}`
                : (li.getAttribute('data-outcome') ?? ''),
              met: li.querySelector('.met, .unmet')?.textContent ?? '',
              outcome: li.querySelector('.outcome')?.textContent ?? '',
              what: li.querySelector('.what')?.textContent ?? '',
            })),
          )
        ).reverse();
      const shown = await listed();
      expect(shown.map((d) => d.shown)).to.deep.equal(order.map((d) => d.shown));
      expect(shown.map((d) => d.met)).to.deep.equal(order.map((d) => (d.met === undefined ? '' : d.met ? '✓' : '✗')));
      const provisioned = shown[order.findIndex((d) => d.step === provision)];
      expect(provisioned).to.deep.include({ outcome: 'owner: done', met: '✗' });
      expect(provisioned.what).to.match(new RegExp(`^owner's phone: provision with parcel-co, swift-post · seq 1 · step ${provision + 1}$`));
      // By hand: the owner's phone sends the true time to a lock whose clock lost its battery.
      await page.selectOption('#clock-move', 'battery');
      await page.selectOption('#clock-move', 'true');
      const newest = (await listed()).at(-1);
      const line = (await page.locator('#tab-timeline li .x').allTextContents()).filter((l) => l.startsWith("owner's phone: signed time")).at(-1);
      expect(line).to.match(new RegExp(`: ${newest?.shown.replace('signedTime:', '')}$`));
      expect(newest).to.deep.include({ shown: 'signedTime:done', outcome: 'owner: done', met: '', what: "owner's phone: signed time · by hand" });
      expect(page.errors()).to.deep.equal([]);
    });

    it('cuts the power mid-grant: no answer, bolt locked after the reboot, and the same ticket is refused as replayed', async () => {
      const page = await suite.newPage();
      await open(page, suite.server().url);
      await runToEnd(page);
      const ticket = await issueFromForm(page, 'parcel-co');
      await page.selectOption('#cut-when', 'after');
      await page.click('#cut');
      expect(await present(page, ticket)).to.equal('timeout');
      expect(await page.locator('#lock-state').getAttribute('data-powered')).to.equal('false');
      expect(await page.locator('#tab-flash li.alarm').count()).to.equal(1);
      await page.click('#reboot');
      expect(await page.locator('#lock-state').getAttribute('data-powered')).to.equal('true');
      expect(await page.locator('#lock-state').getAttribute('data-bolt')).to.equal('locked');
      expect(await present(page, ticket)).to.equal('replayed');
      expect(await page.locator('#verdict').textContent()).to.include('replayed (code 20)');
      expect(page.errors()).to.deep.equal([]);
    });

    it("a clock whose battery died refuses (clock-untrusted) until the owner's phone sends the true time; a stuck bolt refuses and alarms", async () => {
      const page = await suite.newPage();
      await open(page, suite.server().url);
      await runToEnd(page);
      const trust = page.locator('#lock-state dd').nth(5);
      expect(await trust.textContent()).to.equal('trusted');
      await page.selectOption('#clock-move', 'battery');
      expect(await trust.textContent()).to.equal('NOT set');
      const ticket = await issueFromForm(page, 'parcel-co');
      expect(await present(page, ticket)).to.equal('clock-untrusted');
      await page.selectOption('#clock-move', 'true');
      expect(await trust.textContent()).to.equal('trusted');
      expect(await present(page, ticket)).to.equal('granted');
      await page.click('#wait-1m');
      await page.selectOption('#jam', 'stuck');
      const second = await issueFromForm(page, 'parcel-co');
      expect(await present(page, second)).to.equal('actuator-fault');
      expect(await page.locator('#alarms .badge').allTextContents()).to.include('jam');
      expect(page.errors()).to.deep.equal([]);
    });

    it('says in the page, not the console, why a loaded scenario file is refused, and plays a good one', async () => {
      const page = await suite.newPage();
      await open(page, suite.server().url);
      const bad = { ...(BUILTIN_SCENARIOS.morning as Record<string, unknown>), mtu: 5 };
      await page.setInputFiles('#scenario-file', { name: 'door.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
      await page.locator('#error').waitFor();
      expect(await page.locator('#error').textContent()).to.equal('door: mtu: must be an integer 23..517');
      const good = { ...(BUILTIN_SCENARIOS.morning as Record<string, unknown>), name: 'my-door' };
      await page.setInputFiles('#scenario-file', { name: 'my-door.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
      await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'my-door (my-door.json)'`);
      expect(await page.locator('#error').isHidden()).to.equal(true);
      await runToEnd(page);
      const expected = runScenario(parseScenario(good, 'my-door'));
      expect((await decisions(page)).map((d) => d.outcome)).to.deep.equal(expected.presentations.map((p) => p.outcome));
      expect(page.errors()).to.deep.equal([]);
    });

    it('opens with the scenario the server preloads (latchkey sim --web --scenario)', async () => {
      const page = await suite.newPage();
      await page.goto(`${suite.server().url}sim/?preload=1`);
      await page.waitForFunction(`document.getElementById('scenario-name')?.textContent === 'power-cycle (power-cycle.json)'`);
      expect(await page.locator('#scenario-select').inputValue()).to.equal('loaded');
      expect(page.errors()).to.deep.equal([]);
    });
  },
  {
    // What `latchkey sim --web --scenario power-cycle.json` serves (cli/commands/sim.ts, PRELOAD_PATH).
    extraRoutes: {
      [PRELOAD_PATH]: {
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ name: 'power-cycle', origin: 'power-cycle.json', scenario: BUILTIN_SCENARIOS['power-cycle'] }),
      },
    },
  },
);
