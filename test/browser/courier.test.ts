// The courier page in Chromium, end to end against the real lock: the page's Web Bluetooth adapter
// and the courier session run in the browser on a fake navigator.bluetooth bridged to the
// simulator's Lock and PresentationService in Node (courier-bridge.ts). A key is generated in the
// page, a ticket issued for it here (the issuer library), presented: GRANTED with a receipt that
// the page verifies; the same ticket again is refused (replayed); a ticket for another key is
// refused (bad-proof) until that key is imported. No console errors.

import { expect } from 'chai';
import { parseJwk, jwkFromSeed } from '../../issuer/jwk.js';
import { buildProvisioning, verifyDeviceAnswer } from '../../issuer/admin.js';
import { issueTicket } from '../../issuer/ticket.js';
import { Simulator } from '../../sim/simulator.js';
import { toHex } from '../../src/bytes.js';
import { SERVICE_UUID } from '../../src/ble/uuids.js';
import { issuerArg, OWNER } from '../portable/admin-fixtures.js';
import { HOLDER_SEED, ISSUER, LOCK_ID, NOW, ascii, fields } from '../portable/fixtures.js';
import { browserTests, saveScreenshot, type PageWithErrors } from './harness.js';
import { LockBridge, removeWebBluetooth } from './courier-bridge.js';

/** An administered lock provisioned by OWNER with ISSUER: it signs a receipt on every grant. */
function provisionedLock(): { sim: Simulator; deviceKey: Uint8Array } {
  const sim = new Simulator({ lock: { administered: true, issuers: [] }, startTime: NOW, holderSeed: HOLDER_SEED });
  const answer = sim.admin(buildProvisioning(OWNER, LOCK_ID, 1, { issuers: [issuerArg(ISSUER, 'parcel-co')] }), 'provision');
  const device = verifyDeviceAnswer(answer.data!);
  if (!device.ok) throw new Error(`provisioning: ${device.error}`);
  return { sim, deviceKey: device.value.deviceKey };
}

async function loadTicket(page: PageWithErrors, ticket: Uint8Array): Promise<void> {
  await page.fill('#ticket-text', toHex(ticket));
  await page.click('#ticket-load');
  await page.waitForSelector('#ticket-details:not([hidden])');
}

/** Clicks "Scan and present" and waits for the verdict box; returns its kind and text. */
async function present(page: PageWithErrors): Promise<{ kind: string; text: string }> {
  await page.evaluate("document.getElementById('verdict').removeAttribute('data-kind')");
  await page.click('#present');
  const verdict = await page.waitForSelector('#verdict[data-kind]:not([hidden])', { timeout: 15_000 });
  return { kind: (await verdict.getAttribute('data-kind')) ?? '', text: (await verdict.textContent()) ?? '' };
}

browserTests('courier page in Chromium, bridged to the real lock', (suite) => {
  it('generate a key, present a ticket issued for it: GRANTED with a verified receipt; again: refused replayed', async () => {
    const { sim, deviceKey } = provisionedLock();
    const bridge = new LockBridge(sim, 23);
    const page = await suite.newPage({ viewport: { width: 480, height: 1000 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await bridge.install(page);
    await page.goto(suite.server().url + 'courier/');
    expect(await page.getAttribute('#support', 'data-supported')).to.equal('yes');
    expect(await page.isDisabled('#present'), 'no key, no ticket').to.equal(true);

    await page.click('#key-generate');
    const publicJwk = JSON.parse(await page.inputValue('#key-public'));
    expect(publicJwk.d, 'only the public half is shown for the issuer').to.equal(undefined);
    const holderPublicKey = parseJwk(publicJwk, false).publicKey;
    const stored = await page.evaluate<string | null>("localStorage.getItem('latchkey.courier.holder-key')");
    expect(JSON.parse(stored!).x).to.equal(publicJwk.x);

    const ticket = issueTicket(ISSUER, fields({ holderPublicKey, cti: ascii('browser-0001'), courier: 'courier-77' }));
    await loadTicket(page, ticket);
    expect(await page.textContent('#ticket-details [data-field=lock]')).to.equal(LOCK_ID);
    expect(await page.textContent('#ticket-details [data-field=courier]')).to.equal('courier-77');
    expect(await page.textContent('#ticket-details [data-field=issuer-key]')).to.equal('issuer-1 (parcel-co)');
    expect(await page.textContent('#ticket-warning')).to.not.contain('another holder key');
    await page.fill('#device-key', toHex(deviceKey));

    const first = await present(page);
    expect(first.kind, first.text).to.equal('granted');
    expect(first.text).to.contain('GRANTED');
    expect(sim.actuator.position, 'the real lock unlocked').to.equal('unlocked');
    expect(await page.getAttribute('#receipt-status', 'data-verified')).to.equal('yes');
    expect(await page.textContent('#receipt-details')).to.contain('courier-77');
    const requests = await page.evaluate<string[]>('window.__latchkeyRequests');
    expect(requests.map((r) => JSON.parse(r))).to.deep.equal([{ filters: [{ services: [SERVICE_UUID] }] }]);
    const writes = bridge.calls.filter((c) => c.startsWith('write:'));
    expect(writes.length, 'PRESENT in 20-byte writes').to.be.above(10);
    expect(writes.every((c) => Number(c.slice(6)) <= 20)).to.equal(true);
    expect(bridge.calls.at(-1), 'the page hangs up after the verdict').to.equal('disconnect');
    await saveScreenshot(page, 'courier-granted');

    sim.wait(10_000);
    const again = await present(page);
    expect([again.kind, await page.getAttribute('#verdict', 'data-reason')]).to.deep.equal(['refused', 'replayed']);
    expect(again.text).to.contain('code 20');
    expect(await page.isHidden('#receipt')).to.equal(true);
    expect(
      requested.every((url) => url.startsWith(suite.server().url)),
      `everything from the local server: ${requested.join(' ')}`,
    ).to.equal(true);
    expect(page.errors()).to.deep.equal([]);
  });

  it('a ticket for another key is refused bad-proof; with that key imported it is granted; forget removes the key', async () => {
    const { sim, deviceKey } = provisionedLock();
    const bridge = new LockBridge(sim, 185);
    const page = await suite.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await bridge.install(page);
    await page.goto(suite.server().url + 'courier/');
    await page.click('#key-generate');
    const forFixtureKey = issueTicket(ISSUER, fields({ cti: ascii('browser-0002') })); // names HOLDER_SEED's key
    await loadTicket(page, forFixtureKey);
    expect(await page.textContent('#ticket-warning')).to.contain('another holder key');
    const refused = await present(page);
    expect([refused.kind, await page.getAttribute('#verdict', 'data-reason')]).to.deep.equal(['refused', 'bad-proof']);
    expect(sim.actuator.position).to.equal('locked');

    await page.click('#key-import-box summary');
    await page.fill('#key-import-text', JSON.stringify(jwkFromSeed(HOLDER_SEED, 'phone-7')));
    await page.click('#key-import');
    expect(await page.textContent('#key-status')).to.contain('phone-7');
    expect(await page.inputValue('#key-import-text'), 'the private key does not stay on screen').to.equal('');
    expect(await page.textContent('#ticket-warning')).to.not.contain('another holder key');
    sim.wait(10_000);
    const granted = await present(page);
    expect(granted.kind, granted.text).to.equal('granted');
    expect(await page.getAttribute('#receipt-status', 'data-verified'), 'no device key entered').to.equal('unchecked');
    await page.fill(
      '#device-key',
      toHex(deviceKey).replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    await page.dispatchEvent('#device-key', 'change');
    expect(await page.getAttribute('#receipt-status', 'data-verified'), 'another key').to.equal('no');
    await page.fill('#device-key', toHex(deviceKey));
    await page.dispatchEvent('#device-key', 'change');
    expect(await page.getAttribute('#receipt-status', 'data-verified'), 'the key entered after the grant').to.equal('yes');

    await page.click('#key-forget');
    expect(await page.evaluate<string | null>("localStorage.getItem('latchkey.courier.holder-key')")).to.equal(null);
    expect(await page.isDisabled('#present')).to.equal(true);
    expect(page.errors()).to.deep.equal([]);
  });

  it('182-byte writes on a link that stayed at MTU 23 fail, and the page falls back to 20-byte writes: granted', async () => {
    const { sim } = provisionedLock();
    const bridge = new LockBridge(sim, 23);
    const page = await suite.newPage();
    await bridge.install(page);
    await page.goto(suite.server().url + 'courier/');
    await page.click('#key-import-box summary');
    await page.fill('#key-import-text', JSON.stringify(jwkFromSeed(HOLDER_SEED, 'phone-7')));
    await page.click('#key-import');
    await loadTicket(page, issueTicket(ISSUER, fields({ cti: ascii('browser-0004') })));
    await page.selectOption('#frame-size', '182');
    const verdict = await present(page);
    expect(verdict.kind, verdict.text).to.equal('granted');
    expect(await page.textContent('#progress')).to.contain('retrying with 20-byte writes');
    expect(bridge.calls.filter((c) => c === 'connect').length, 'a second connection, a new challenge').to.equal(2);
    expect(bridge.calls.filter((c) => c.startsWith('write:')).every((c) => Number(c.slice(6)) <= 20)).to.equal(true);
    expect(page.errors()).to.deep.equal([]);
  });

  it('a ticket for another lock is not presented; text that is not a ticket is named', async () => {
    const { sim } = provisionedLock();
    const bridge = new LockBridge(sim, 185);
    const page = await suite.newPage();
    await bridge.install(page);
    await page.goto(suite.server().url + 'courier/');
    await page.click('#key-generate');
    await page.fill('#ticket-text', JSON.stringify(jwkFromSeed(HOLDER_SEED)));
    await page.click('#ticket-load');
    expect(await page.textContent('#ticket-error')).to.contain('this is a JWK key, not a ticket');
    await loadTicket(page, issueTicket(ISSUER, fields({ lockId: 'lock:3-rue-des-roses/door-b', cti: ascii('browser-0003') })));
    const stopped = await present(page);
    expect(stopped.kind).to.equal('failed');
    expect(stopped.text).to.contain('wrong-lock');
    expect(
      bridge.calls.some((c) => c.startsWith('write:')),
      'nothing written to the wrong lock',
    ).to.equal(false);
    expect(page.errors()).to.deep.equal([]);
  });

  it('says so when the browser has no Web Bluetooth, and keeps the present button off', async () => {
    const page = await suite.newPage();
    await removeWebBluetooth(page);
    await page.goto(suite.server().url + 'courier/');
    expect(await page.getAttribute('#support', 'data-supported')).to.equal('no');
    expect(await page.textContent('#support')).to.contain('no Web Bluetooth');
    await page.click('#key-generate');
    expect(await page.isDisabled('#present')).to.equal(true);
    expect(page.errors()).to.deep.equal([]);
  });

  it('its Content-Security-Policy keeps injected inline script from running beside the stored key', async () => {
    const page = await suite.newPage();
    await page.goto(suite.server().url + 'courier/');
    await page.evaluate("const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.append(s)");
    expect(await page.evaluate('window.injected')).to.equal(undefined);
    expect(page.errors().join('\n')).to.contain('Content Security Policy');
  });
});
