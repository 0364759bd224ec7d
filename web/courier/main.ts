// The courier client page: a holder key kept in this browser, a ticket pasted or loaded from a
// file, and a presentation to a real lock over Web Bluetooth. The page only wires the DOM: the
// protocol is courier/session.ts (the code every simulator test runs), the radio is
// courier/web-bluetooth.ts, the ticket is read with the lock's own parsers (courier/
// ticket-summary.ts) and the receipt checked with src/admin/receipts.ts. docs/courier.md.

import { FAILURE_HELP, REFUSAL_HELP } from './explain.js';
import { forgetKey, generateKey, importKey, loadKey, publicJwkText, type StoredKey } from './key-store.js';
import { summarizeTicket, ticketIsFor, type TicketSummary } from '../../courier/ticket-summary.js';
import { chooseLock, DEFAULT_FRAME_CAPACITY, presentOverBluetooth, webBluetooth, type PresentationAttempt } from '../../courier/web-bluetooth.js';
import { ticketFromFile, ticketFromText } from '../../issuer/ticket-text.js';
import { base64urlDecode } from '../../issuer/jwk.js';
import { isoTime as iso } from '../../issuer/time.js';
import { verifyReceipt } from '../../src/admin/receipts.js';
import { fromHex, toHex } from '../../src/bytes.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`courier page: #${id} is missing`);
  return element as T;
};

const storage = window.localStorage;
let holder: StoredKey | undefined;
let ticket: { bytes: Uint8Array; summary: TicketSummary } | undefined;
let busy = false;

function supportProblem(): string | undefined {
  if (!window.isSecureContext)
    return 'This page is not a secure context (open it over https:// or from http://127.0.0.1 or localhost): the browser hides Bluetooth.';
  if (webBluetooth(window) === undefined)
    return 'This browser has no Web Bluetooth: use Chrome or Edge on Android, Windows, macOS, Linux or ChromeOS. Firefox and Safari do not support it.';
  return undefined;
}

function showSupport(): void {
  const problem = supportProblem();
  const banner = $('support');
  banner.textContent = problem ?? 'Web Bluetooth is available: you can present to a lock.';
  banner.classList.toggle('bad', problem !== undefined);
  banner.dataset.supported = problem === undefined ? 'yes' : 'no';
}

// ---------------------------------------------------------------------------------------------
// Holder key

function showKey(): void {
  const status = $('key-status');
  $('key-public-box').hidden = holder === undefined;
  $('key-forget').hidden = holder === undefined;
  $('key-generate').textContent = holder === undefined ? 'Generate a key' : 'Replace with a new key';
  if (holder === undefined) {
    status.textContent = 'No key in this browser yet: generate one, or import the private JWK you were given.';
  } else {
    status.textContent = `Key ${holder.jwk.kid ?? ''} (fingerprint ${holder.fingerprint}) is kept in this browser.`;
    const text = publicJwkText(holder);
    $<HTMLTextAreaElement>('key-public').value = text;
    $<HTMLAnchorElement>('key-download').href = 'data:application/jwk+json;charset=utf-8,' + encodeURIComponent(text + '\n');
  }
  showTicketWarning();
  updatePresentButton();
}

function keyError(message: string): void {
  $('key-error').textContent = message;
}

function wireKey(): void {
  const loaded = loadKey(storage);
  holder = loaded.key;
  if (loaded.problem !== undefined) keyError(loaded.problem);
  $('key-generate').addEventListener('click', () => {
    if (holder !== undefined && !window.confirm('Replace the key in this browser? Tickets issued for the old key will no longer open anything from here.'))
      return;
    holder = generateKey(storage, (bytes) => crypto.getRandomValues(bytes));
    keyError('');
    showKey();
  });
  $('key-import').addEventListener('click', async () => {
    const file = $<HTMLInputElement>('key-import-file').files?.[0];
    const text = file !== undefined ? await file.text() : $<HTMLTextAreaElement>('key-import-text').value;
    try {
      holder = importKey(storage, text);
      keyError('');
      $<HTMLTextAreaElement>('key-import-text').value = ''; // do not leave the private key on screen
      ($('key-import-box') as HTMLDetailsElement).open = false;
    } catch (error) {
      keyError(`Not imported: ${(error as Error).message}`);
    }
    showKey();
  });
  $('key-forget').addEventListener('click', () => {
    if (!window.confirm('Forget the key? Tickets issued for it cannot be used from this browser any more.')) return;
    forgetKey(storage);
    holder = undefined;
    showKey();
  });
  $('key-copy').addEventListener('click', () => {
    const area = $<HTMLTextAreaElement>('key-public');
    area.select();
    navigator.clipboard?.writeText(area.value).catch(() => {});
  });
  showKey();
}

// ---------------------------------------------------------------------------------------------
// Ticket

function showTicket(): void {
  const details = $('ticket-details');
  details.replaceChildren();
  details.hidden = ticket === undefined;
  if (ticket !== undefined) {
    const s = ticket.summary;
    const rows: [string, string][] = [
      ['Lock', s.lockId],
      ['Valid', `${iso(s.notBefore)} → ${iso(s.expires)}`],
      ['Courier', s.courier],
      ['Issuer key', s.issuerKid + (s.issuerName !== undefined ? ` (${s.issuerName})` : '')],
      ['Issued', iso(s.issuedAt)],
      ['Ticket ID', s.ticketId],
      ['Size', `${s.bytes} bytes`],
    ];
    for (const [term, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = term.toLowerCase().replace(/ /g, '-');
      details.append(dt, dd);
    }
  }
  showTicketWarning();
  updatePresentButton();
}

function showTicketWarning(): void {
  const warning = $('ticket-warning');
  const notes: string[] = [];
  if (ticket !== undefined) {
    const s = ticket.summary;
    const now = Date.now() / 1000;
    if (holder !== undefined && !ticketIsFor(s, holder.key.publicKey))
      notes.push('This ticket names another holder key than the one in this browser: the lock will refuse it (bad-proof).');
    if (now > s.expires) notes.push('By this device’s clock the ticket has expired.');
    else if (now < s.notBefore) notes.push('By this device’s clock the ticket is not valid yet.');
    if (s.boundToChallenge)
      notes.push('This ticket is bound to one connection’s challenge (cnonce): it can only be presented on the connection it was issued for.');
    notes.push('The issuer’s signature is not checked here: the lock checks it.');
  }
  warning.hidden = notes.length === 0;
  warning.textContent = notes.join(' ');
}

function useTicket(parsed: { ok: true; value: Uint8Array } | { ok: false; error: string }): void {
  const error = $('ticket-error');
  if (!parsed.ok) {
    ticket = undefined;
    error.textContent = `Not a ticket: ${parsed.error}`;
    showTicket();
    return;
  }
  const summary = summarizeTicket(parsed.value);
  if (!summary.ok) {
    ticket = undefined;
    error.textContent = summary.error;
  } else {
    ticket = { bytes: parsed.value, summary: summary.value };
    error.textContent = '';
  }
  showTicket();
}

function wireTicket(): void {
  $('ticket-load').addEventListener('click', async () => {
    const file = $<HTMLInputElement>('ticket-file').files?.[0];
    if (file !== undefined) {
      if (file.size > 64 * 1024) return useTicket({ ok: false, error: 'the file is larger than 64 KiB' });
      return useTicket(ticketFromFile(new Uint8Array(await file.arrayBuffer())));
    }
    const text = $<HTMLTextAreaElement>('ticket-text').value;
    if (text.length > 128 * 1024) return useTicket({ ok: false, error: 'the text is longer than 128 KiB' });
    useTicket(ticketFromText(text));
  });
  showTicket();
}

// ---------------------------------------------------------------------------------------------
// Presenting

function updatePresentButton(): void {
  $<HTMLButtonElement>('present').disabled = busy || holder === undefined || ticket === undefined || supportProblem() !== undefined;
}

function progress(line: string): void {
  const item = document.createElement('li');
  item.textContent = line;
  $('progress').append(item);
}

function deviceKey(): Uint8Array | undefined | 'invalid' {
  const text = $<HTMLInputElement>('device-key').value.trim();
  if (text === '') return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? fromHex(text) : base64urlDecode(text);
  return key !== undefined && key.length === 32 ? key : 'invalid';
}

function showVerdict(attempt: PresentationAttempt): void {
  const box = $('verdict');
  box.hidden = false;
  const o = attempt.outcome;
  let headline: string;
  let help = '';
  if (o.kind === 'transport-error') {
    box.dataset.kind = 'transport-error';
    headline = `Bluetooth problem at step “${o.step}”`;
    help = `${o.detail}. ${o.step === 'write' || o.step === 'result' ? 'The lock may have received the ticket: check the door before trying again.' : 'Nothing was presented.'}`;
  } else {
    const v = o.verdict;
    box.dataset.kind = v.kind;
    switch (v.kind) {
      case 'granted':
        headline = 'GRANTED';
        help = `The door is unlocked; it relocks in ${v.relockSeconds} s.`;
        break;
      case 'refused':
        box.dataset.reason = v.reason ?? `code-${v.code}`;
        headline = `REFUSED: ${v.reason ?? 'refused'} (code ${v.code})`;
        help =
          (v.reason !== undefined ? (REFUSAL_HELP[v.reason] ?? '') : 'A reason this page does not know (a newer lock).') +
          (v.reason === 'backoff' ? ` Retry in ${v.retryAfterSeconds} s.` : '');
        break;
      case 'lock-error':
        headline = `Protocol error from the lock: ${v.error ?? `code ${v.code}`}`;
        help = 'The lock did not act on the message; nothing was used up. Try again.';
        break;
      case 'failed':
        headline = `Stopped: ${v.failure}`;
        help = `${FAILURE_HELP[v.failure]} ${v.detail}`;
        break;
      case 'timeout':
        headline = `No answer from the lock (at step “${attempt.step}”)`;
        help = 'Move closer and try again.';
        break;
      case 'disconnected':
        headline = 'The lock hung up';
        help = 'Try again.';
        break;
    }
  }
  box.replaceChildren(headline);
  const small = document.createElement('small');
  small.textContent = help;
  box.append(small);
  showReceipt(attempt.receipt);
}

function showReceipt(receipt: Uint8Array | undefined): void {
  const box = $('receipt');
  box.hidden = receipt === undefined;
  if (receipt === undefined) return;
  $<HTMLTextAreaElement>('receipt-hex').value = toHex(receipt);
  const details = $('receipt-details');
  details.replaceChildren();
  const status = $('receipt-status');
  const key = deviceKey();
  if (key === undefined) {
    status.dataset.verified = 'unchecked';
    status.textContent = 'Signed by the lock; not verified here (enter the lock’s device public key above to verify it). Keep it as your proof of delivery.';
    return;
  }
  if (key === 'invalid') {
    status.dataset.verified = 'unchecked';
    status.textContent = 'The device key entered is not 32 bytes of hex or base64url: receipt not verified.';
    return;
  }
  const verified = verifyReceipt(receipt, key);
  status.dataset.verified = verified.ok ? 'yes' : 'no';
  if (!verified.ok) {
    status.textContent = `NOT verified: ${verified.error}.`;
    return;
  }
  status.textContent = 'Verified: signed by this lock’s device key.';
  const r = verified.value;
  for (const [term, value] of [
    ['Lock', r.lockId],
    ['Time', iso(r.time)],
    ['Courier', r.sub],
    ['Ticket ID', toHex(r.cti)],
    ['Log entry', String(r.logSeq)],
  ]) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    details.append(dt, dd);
  }
}

function wirePresent(): void {
  $('present').addEventListener('click', async () => {
    const bluetooth = webBluetooth(window);
    if (bluetooth === undefined || holder === undefined || ticket === undefined || busy) return;
    busy = true;
    updatePresentButton();
    $('progress').replaceChildren();
    $('verdict').hidden = true;
    $('receipt').hidden = true;
    try {
      progress('choose the lock in the browser’s list…');
      let device;
      try {
        device = await chooseLock(bluetooth);
      } catch (error) {
        progress(`no lock chosen (${(error as Error).message})`);
        return;
      }
      const plan = { kind: 'present' as const, ticket: ticket.bytes, prove: holder.key.prove };
      const frameCapacity = Number($<HTMLSelectElement>('frame-size').value) || DEFAULT_FRAME_CAPACITY;
      const options = { expectedLockId: ticket.summary.lockId, log: progress, now: () => performance.now() };
      let attempt = await presentOverBluetooth(device, plan, { ...options, frameCapacity });
      if (attempt.outcome.kind === 'transport-error' && attempt.outcome.step === 'write' && frameCapacity > DEFAULT_FRAME_CAPACITY) {
        // A larger write needs the link's MTU (or the OS's long write): fall back to what always fits.
        progress(`${frameCapacity}-byte writes failed (${attempt.outcome.detail}); retrying with ${DEFAULT_FRAME_CAPACITY}-byte writes`);
        attempt = await presentOverBluetooth(device, plan, { ...options, frameCapacity: DEFAULT_FRAME_CAPACITY });
      }
      progress(`done: ${attempt.writes} writes, ${attempt.notifications} notifications`);
      showVerdict(attempt);
    } finally {
      busy = false;
      updatePresentButton();
    }
  });
  $('device-key').addEventListener('change', () => {
    // Re-check a receipt already shown against the key just entered.
    const hex = $<HTMLTextAreaElement>('receipt-hex').value;
    if (!$('receipt').hidden && hex !== '') {
      const bytes = fromHex(hex);
      if (bytes !== undefined) showReceipt(bytes);
    }
  });
}

showSupport();
wireKey();
wireTicket();
wirePresent();
