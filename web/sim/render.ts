// Draws a Session into the page: the lock (bolt, door, LED, relock countdown, alarms, clock and
// its trust), the phones with their tickets, the verdict and the decisions, and the lists of what
// happened (timeline, BLE frames, flash writes, audit log, receipts). Everything is redrawn from
// the simulator's state after each action: the page keeps no second copy of the lock's state.

import type { LockView } from '../../sim/events.js';
import { readAuditLog } from '../../sim/audit-view.js';
import { ADMIN_STEPS, type ScenarioStep } from '../../sim/scenario/parse.js';
import type { PresentationRecord, RunTimelineEntry } from '../../sim/scenario/run.js';
import { REFUSAL_CODES } from '../../src/reasons.js';
import { toHex } from '../../src/bytes.js';
import { isoTime } from '../../issuer/time.js';
import { byId, el, fill } from './dom.js';
import type { Session } from './session.js';

/** Simulated time since the start: "12.345 s", or "4:07:05.950" past a minute. */
function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return `${h}:${String(m).padStart(2, '0')}:${s}`;
}
const clock = (at: number): string => isoTime(at).slice(11, 19);

/** "not-provisioned (code 27)", "granted", "timeout". */
export function outcomeWithCode(outcome: string): string {
  const code = (REFUSAL_CODES as Record<string, number>)[outcome];
  return code === undefined ? outcome : `${outcome} (code ${code})`;
}

/** A scenario step in words, for "next step". */
export function describeStep(step: ScenarioStep): string {
  const expect = 'expect' in step && step.expect !== undefined ? ` — expects ${step.expect}` : '';
  switch (step.kind) {
    case 'note':
      return `note: ${step.text}`;
    case 'present':
      return `present ticket "${step.ticket}"${step.phone ? ` from ${step.phone}` : ''}${step.mtu ? ` at MTU ${step.mtu}` : ''}${step.proof !== 'valid' ? ` (proof: ${step.proof})` : ''}${expect}`;
    case 'replay':
      return `replay the recorded writes of ${step.presentation === undefined ? `"${step.of}"` : `presentation #${step.presentation + 1}`}${expect}`;
    case 'wait':
      return `wait ${step.ms >= 60_000 ? `${Math.round(step.ms / 60_000)} min` : `${step.ms / 1000} s`}`;
    case 'door':
      return `${step.action} the door`;
    case 'reboot':
      return 'power cycle the lock';
    case 'setClock':
      return `set the lock's clock`;
    case 'jam':
      return `jam the bolt (${step.jam})`;
    default:
      return `owner's phone: ${step.kind}${expect}`;
  }
}

/** The lock drawn as a door in its frame: the bolt, the door leaf and the LED. */
function lockDrawing(view: LockView): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 240 150');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `bolt ${view.bolt}, door ${view.door}, LED ${view.indicator}`);
  const add = (tag: string, attrs: Record<string, string | number>): SVGElement => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
    return node;
  };
  const open = view.door === 'open';
  add('rect', { x: 20, y: 10, width: 200, height: 130, rx: 6, class: 'frame' });
  add('rect', { x: 30, y: 18, width: 140, height: 114, rx: 3, class: 'opening' });
  // The door leaf: shut in its frame, or swung open (drawn narrower, as seen in perspective).
  if (open) add('polygon', { points: '30,18 72,30 72,120 30,132', class: 'leaf open' });
  else add('rect', { x: 30, y: 18, width: 140, height: 114, rx: 3, class: 'leaf' });
  // The lock body on the frame, with its bolt going into the door leaf's edge when locked.
  add('rect', { x: 176, y: 48, width: 38, height: 56, rx: 5, class: 'lock-body' });
  add('rect', { x: view.bolt === 'locked' ? 146 : 168, y: 70, width: 34, height: 12, rx: 2, class: `bolt ${view.bolt}` });
  add('circle', { cx: 195, cy: 60, r: 6, class: `led ${view.powered ? view.indicator : 'off'}` });
  if (!open) add('circle', { cx: 150, cy: 90, r: 4, class: 'handle' });
  if (!view.powered) {
    const t = add('text', { x: 120, y: 145, class: 'power-off-text', 'text-anchor': 'middle' });
    t.textContent = 'POWER OFF';
  }
  return svg;
}

function stateRow(label: string, value: string, cls = ''): Node[] {
  return [el('dt', {}, label), el('dd', { class: cls }, value)];
}

export function renderLock(session: Session): void {
  const sim = session.player.sim;
  const view = sim.view();
  fill(byId('lock-drawing'), [lockDrawing(view)]);
  const relock = view.relockInMs === undefined ? '—' : `${Math.ceil(view.relockInMs / 1000)} s`;
  const date = isoTime(view.clock.now);
  const writes = session.writes.length;
  fill(byId('lock-state'), [
    ...stateRow('Bolt', view.bolt === 'locked' ? 'Locked' : 'Unlocked', `bolt-${view.bolt}`),
    ...stateRow('Door', view.door === 'none' ? 'no sensor' : view.door === 'open' ? 'Open' : 'Closed', view.door === 'open' ? 'warn' : ''),
    ...stateRow('LED', view.powered ? view.indicator : 'off'),
    ...stateRow('Relocks in', relock),
    ...stateRow('Clock', `${date.slice(0, 10)} ${date.slice(11, 19)}Z`),
    ...(view.powered
      ? stateRow(
          'Clock trust',
          view.clock.set ? (view.clock.trusted ? 'trusted' : 'NOT trusted: before its mark') : 'NOT set',
          view.clock.trusted ? 'ok' : 'bad',
        )
      : stateRow('Clock trust', '— (the lock is off)')),
    ...stateRow('Power', view.powered ? 'on' : 'OFF — reboot to restore', view.powered ? '' : 'bad'),
    ...stateRow('Lock ID', view.provisioned ? view.lockId : 'none yet (unprovisioned)'),
    ...stateRow('Flash writes', `${writes}${view.storage.keys !== undefined ? ` · ${view.storage.keys} key${view.storage.keys === 1 ? '' : 's'} stored` : ''}`),
  ]);
  byId('lock-state').dataset.bolt = view.bolt;
  byId('lock-state').dataset.powered = String(view.powered);
  const history = session.run.summary.alarms;
  // Every alarm raised is kept (the tests read them); the list shows the newest few.
  const SHOWN = 3;
  fill(byId('alarms'), [
    el(
      'h3',
      {},
      'Alarms ',
      view.alarms.length === 0 ? el('span', { class: 'muted plain' }, 'none in force') : undefined,
      ...view.alarms.map((a) => el('span', { class: 'badge bad' }, a)),
    ),
    history.length === 0
      ? el('span')
      : el(
          'ol',
          { id: 'alarm-history', class: 'alarm-history', start: Math.max(1, history.length - SHOWN + 1) },
          ...history.map((a, i) => el('li', { 'data-alarm': a.alarm, hidden: i < history.length - SHOWN }, `${clock(a.at)} ${a.alarm}`)),
        ),
  ]);
}

export function renderPhones(session: Session, onPresent: (ticket: string) => void): void {
  const player = session.player;
  const cards: Node[] = [];
  for (const phone of Object.keys(player.phones)) {
    const tickets = Object.entries(player.tickets).filter(([, t]) => t.phone === phone);
    const start = player.start;
    cards.push(
      el(
        'div',
        { class: 'phone', 'data-phone': phone },
        el('div', { class: 'phone-name' }, phone),
        tickets.length === 0
          ? el('p', { class: 'muted' }, 'no ticket')
          : el(
              'ul',
              { class: 'tickets' },
              ...tickets.map(([name, t]) => {
                const from = t.notBefore.relative ? start + t.notBefore.seconds : t.notBefore.seconds;
                const to = t.expires.relative ? start + t.expires.seconds : t.expires.seconds;
                const button = el('button', { type: 'button', class: 'present', 'data-ticket': name }, 'Present');
                button.addEventListener('click', () => onPresent(name));
                return el(
                  'li',
                  { 'data-ticket': name },
                  el('span', { class: 'ticket-name' }, name),
                  el(
                    'span',
                    { class: 'ticket-detail', title: `${t.courier}, issued by ${t.issuer}${t.lock ? `, for ${t.lock}` : ''}` },
                    `${t.issuer} · ${clock(from).slice(0, 5)}–${clock(to).slice(0, 5)}`,
                  ),
                  button,
                );
              }),
            ),
      ),
    );
  }
  fill(byId('phones'), cards);
}

function decisionText(p: PresentationRecord): string {
  const where = p.step < 0 ? 'by hand' : `step ${p.step + 1}`;
  return `${p.kind === 'replay' ? `replay of ${p.replayOf === undefined ? '' : `#${p.replayOf + 1} `}` : ''}${p.ticket} · ${p.phone} · MTU ${p.mtu}`.concat(
    ` · ${where}`,
  );
}

/** An owner's command in words: "add issuer clean-co", "signed time 12:02:05". */
function adminText(step: ScenarioStep): string {
  switch (step.kind) {
    case 'provision':
      return `provision with ${step.issuers.length ? step.issuers.join(', ') : 'no issuers'}`;
    case 'addIssuer':
      return `add issuer ${step.issuer}`;
    case 'removeIssuer':
      return `remove issuer ${step.issuer}`;
    case 'revoke': {
      const r = step.revoke;
      if (r.kind === 'ticket') return `revoke ticket ${r.ticket}`;
      if (r.kind === 'courier') return `revoke ${r.courier} of ${r.issuer}`;
      if (r.kind === 'issued-before') return `revoke ${r.issuer}'s older tickets`;
      return `revoke ${r.issuer}'s key`;
    }
    case 'settings':
      return `settings ${Object.keys(step.settings).join(', ')}`;
    case 'signedTime':
      return 'signed time';
    case 'exportLog':
      return 'audit log export';
    default:
      return step.kind;
  }
}

function expectMark(met: boolean | undefined, expected: string | undefined): HTMLElement | undefined {
  return met === undefined
    ? undefined
    : el('span', { class: met ? 'met' : 'unmet', title: met ? 'as the scenario expects' : `expected ${expected}` }, met ? '✓' : '✗');
}

export function renderDecisions(session: Session): void {
  const run = session.run;
  const items = session.decisions.map((d) => {
    if (d.kind === 'admin') {
      // An owner's command: its result ("done", "stale-sequence", "verified" for a log export).
      const a = d.record;
      const ok = a.outcome === 'done' || a.outcome === 'verified';
      return el(
        'li',
        { 'data-admin': a.kind, 'data-admin-outcome': a.outcome, class: `admin ${ok ? 'granted' : 'refused'}` },
        el('span', { class: 'outcome' }, `owner: ${a.outcome}`),
        el(
          'span',
          { class: 'what' },
          `owner's phone: ${adminText(d.step)}${a.seq ? ` · seq ${a.seq}` : ''} · ${a.step < 0 ? 'by hand' : `step ${a.step + 1}`}`,
        ),
        expectMark(a.met, a.expect),
      );
    }
    const p = d.record;
    return el(
      'li',
      { 'data-outcome': p.outcome, 'data-granted': String(p.granted), class: p.granted ? 'granted' : 'refused' },
      el('span', { class: 'outcome' }, p.granted ? `granted${p.seconds !== undefined ? `, relock ${p.seconds} s` : ''}` : outcomeWithCode(p.outcome)),
      el('span', { class: 'what' }, `#${d.index + 1} ${decisionText(p)}`),
      expectMark(p.met, p.expect),
    );
  });
  const list = byId('decisions');
  fill(list, items.length ? items.reverse() : [el('li', { class: 'muted' }, 'none yet')]);
  const last = run.presentations[run.presentations.length - 1];
  const verdict = byId('verdict');
  if (last === undefined) {
    verdict.className = 'verdict idle';
    verdict.textContent = 'No presentation yet';
  } else {
    verdict.className = `verdict ${last.granted ? 'granted' : 'refused'}`;
    verdict.dataset.outcome = last.outcome;
    verdict.textContent = last.granted
      ? `GRANTED — ${last.ticket}${last.seconds !== undefined ? `, relocks in ${last.seconds} s` : ''}`
      : /^(timeout|disconnected)$/.test(last.outcome)
        ? `NO ANSWER — ${last.outcome} (${last.ticket})`
        : `REFUSED — ${outcomeWithCode(last.outcome)} (${last.ticket})`;
  }
}

function line(e: RunTimelineEntry): HTMLLIElement {
  return el(
    'li',
    { class: `src-${e.source}${e.entry?.level === 'alarm' ? ' alarm' : ''}` },
    el('span', { class: 't' }, `+${seconds(e.elapsed)}`),
    el('span', { class: 'c' }, clock(e.at)),
    el('span', { class: 's' }, e.source),
    el('span', { class: 'x' }, e.text),
  );
}

/** Keeps a scrolled-to-the-end list at its end as lines are added. */
function stickToEnd(container: HTMLElement, update: () => void): void {
  const scroller = container.parentElement as HTMLElement;
  const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  update();
  if (atEnd) scroller.scrollTop = scroller.scrollHeight;
}

/** What each of the lock's flash keys holds (src/lock, src/admin), for people reading the list. */
function keyMeaning(key: string): string {
  if (key.startsWith('lk.log.')) return `audit log page ${key.slice('lk.log.'.length)}`;
  const names: Record<string, string> = {
    'lk.replay': 'used tickets (replay record) and clock mark',
    'lk.clock': 'clock high-water mark',
    'lk.backoff': 'failed-attempt back-off',
    'lk.owner': "owner's configuration",
    'lk.device': 'device key',
  };
  return names[key] ?? '';
}

export function renderLogs(session: Session): void {
  const run = session.run;
  stickToEnd(byId('tab-timeline'), () => fill(byId('tab-timeline'), run.timeline.map(line)));

  const body = byId('tab-frames').querySelector('tbody') as HTMLTableSectionElement;
  stickToEnd(body, () =>
    fill(
      body,
      session.frames.map((f) =>
        el(
          'tr',
          { class: f.direction, 'data-direction': f.direction },
          el('td', {}, `+${seconds(f.elapsed)}`),
          el('td', { class: 'dir' }, f.direction === 'write' ? 'phone → lock' : 'lock → phone'),
          el('td', {}, f.size),
          el('td', {}, f.mtu),
          el('td', {}, el('b', {}, f.type ?? '?'), f.first ? '' : ' (cont.)', f.message ? ` — ${f.message}` : ''),
        ),
      ),
    ),
  );
  byId('frames-count').textContent = String(session.framesTotal);

  stickToEnd(byId('tab-flash'), () =>
    fill(
      byId('tab-flash'),
      session.writes.map((w) =>
        el(
          'li',
          { class: w.cut ? 'alarm' : '' },
          el('span', { class: 't' }, `+${seconds(w.elapsed)}`),
          el('span', { class: 'c' }, clock(w.at)),
          el('span', { class: 's' }, w.op),
          el(
            'span',
            { class: 'x' },
            `${w.key}${w.op === 'set' ? `, ${w.bytes} bytes` : ''}${keyMeaning(w.key) ? ` (${keyMeaning(w.key)})` : ''}${w.cut ? ` — POWER CUT ${w.cut} this write` : ''}`,
          ),
        ),
      ),
    ),
  );
  byId('flash-count').textContent = String(session.writes.length);

  const audit = readAuditLog(session.player.sim.lock);
  const auditLines: Node[] = [];
  if (!audit.present) auditLines.push(el('li', { class: 'muted' }, 'This lock keeps no audit log (a fixed lock, not owner-administered).'));
  else if (audit.unreadable) auditLines.push(el('li', { class: 'muted' }, `Flash unreadable: ${audit.unreadable}`));
  for (const e of audit.entries) {
    const detail = Object.entries(e.detail)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    auditLines.push(
      el(
        'li',
        { class: e.event.startsWith('alarm') ? 'alarm' : '' },
        el('span', { class: 't' }, `#${e.seq}`),
        el('span', { class: 'c' }, clock(e.at)),
        el('span', { class: 'x' }, `${e.event}${detail ? ' ' + detail : ''}`),
      ),
    );
  }
  if (audit.pending > 0) auditLines.push(el('li', { class: 'muted' }, `${audit.pending} more in RAM, written within a minute`));
  stickToEnd(byId('tab-audit'), () => fill(byId('tab-audit'), auditLines));
  byId('audit-count').textContent = audit.present ? String(audit.entries.length) : '';

  fill(
    byId('tab-receipts'),
    session.receipts.length === 0
      ? [el('li', { class: 'muted' }, 'An administered lock signs a receipt for each grant; none yet.')]
      : session.receipts.map((r) =>
          el(
            'li',
            {},
            el('span', { class: 't' }, `+${seconds(r.elapsed)}`),
            el('span', { class: 'c' }, clock(r.at)),
            el(
              'span',
              { class: 'x' },
              r.receipt
                ? `${r.receipt.sub} granted at ${clock(r.receipt.time)} on ${r.receipt.lockId}, ticket ${toHex(r.receipt.cti).slice(0, 12)}…, log #${r.receipt.logSeq} — signature verified with the device key`
                : `receipt of ${r.bytes} bytes NOT verified: ${r.problem}`,
            ),
          ),
        ),
  );
  byId('receipts-count').textContent = String(session.receipts.length);
}

export function renderProgress(session: Session): void {
  const player = session.player;
  const total = player.scenario.steps.length;
  const done = player.nextIndex;
  byId('progress-text').textContent = `step ${done} of ${total}${player.done ? ' — done' : ''}`;
  byId('progress').dataset.done = String(player.done);
  byId('progress-fill').style.width = total === 0 ? '100%' : `${(100 * done) / total}%`;
  const next = player.nextStep;
  const run = session.run;
  const x = run.summary.expectations;
  byId('next-step').textContent = next
    ? `Next: ${describeStep(next)}${ADMIN_STEPS.includes(next.kind) ? ' (signed by the owner)' : ''}`
    : `Scenario done: ${run.summary.granted} granted, ${run.summary.refused} refused; expectations ${x.total === 0 ? 'none given' : `${x.met}/${x.total} met`}.`;
}

export function renderAll(session: Session, onPresent: (ticket: string) => void): void {
  renderProgress(session);
  renderLock(session);
  renderPhones(session, onPresent);
  renderDecisions(session);
  renderLogs(session);
}
