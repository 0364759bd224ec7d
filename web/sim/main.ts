// The web simulator page: the lock firmware (src/) on the simulator's hardware (sim/hal), playing
// the same scenarios with the same runner as `latchkey sim` (sim/scenario), step by step or at
// speed, with the controls a person at the door has: issue and present a ticket, open the door,
// move the clock, cut the power, reboot, replay a recorded exchange. main.ts wires the controls;
// session.ts holds the scenario being played; render.ts draws it.
//
// URL parameters: ?scenario=NAME starts a built-in scenario; ?preload=1 starts the scenario that
// `latchkey sim --web --scenario FILE|NAME` serves as preload.json.

import { BLE_MAX_MTU, BLE_MIN_MTU } from '../../sim/hal/ble-link.js';
import { BUILTIN_SCENARIOS } from '../../sim/scenario/parse.js';
import { byId, el, fill } from './dom.js';
import { renderAll } from './render.js';
import { Session } from './session.js';
import { forgetFlash, loadFlash, saveFlash, type KeptFlash } from './flash-store.js';
import { isoTime } from '../../issuer/time.js';

let session: Session;
/** The scenario to restart from: the JSON, its name and origin. */
let source: { json: unknown; name: string; origin: string } = { json: BUILTIN_SCENARIOS.default, name: 'default', origin: 'built in' };
let running: number | undefined;
/** A loaded file's scenario, offered in the select while the page is open. */
let loaded: { json: unknown; name: string; origin: string } | undefined;

function showError(message: string | undefined): void {
  const box = byId('error');
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

/** A line under "Keep this lock's flash": what was kept or restored, or why kept data was ignored. */
function flashNote(text: string, bad = false): void {
  const note = byId('flash-note');
  note.textContent = text;
  note.classList.toggle('bad', bad);
}

function keeping(): boolean {
  return byId<HTMLInputElement>('keep-flash').checked;
}

/** After every action: the lock's flash and clock as they are now, when the page is asked to keep them. */
function keepFlash(): void {
  if (!keeping()) return;
  const problem = saveFlash(session.storage, session.player.sim.time.now(), session.scenario.name);
  if (problem !== undefined) flashNote(`Not kept: ${problem}.`, true);
}

/** The kept flash to boot on, if the page keeps it and it is sound; a bad one is reported and ignored. */
function keptFlash(): KeptFlash | undefined {
  if (!keeping()) return undefined;
  const kept = loadFlash();
  if (kept.kind === 'bad') {
    flashNote(`Kept flash ignored (${kept.problem}): a factory-fresh lock booted.`, true);
    return undefined;
  }
  return kept.kind === 'kept' ? kept.flash : undefined;
}

function render(): void {
  renderAll(session, present);
  keepFlash();
  const button = byId<HTMLButtonElement>('run');
  button.textContent = running === undefined ? 'Run' : 'Pause';
  byId<HTMLButtonElement>('step').disabled = session.player.done || running !== undefined;
  byId<HTMLButtonElement>('run').disabled = session.player.done;
  renderReplayChoices();
  const door = session.player.sim.door;
  byId<HTMLButtonElement>('door-open').disabled = door === undefined || door.read() === 'open';
  byId<HTMLButtonElement>('door-close').disabled = door === undefined || door.read() === 'closed';
  const bolt = session.player.sim.view().bolt;
  byId('door-open').title = bolt === 'locked' ? 'The bolt is locked: opening now forces the door' : 'Open the door (the grant allows one door cycle)';
  byId('door-open').textContent = bolt === 'locked' ? 'Force door' : 'Open door';
}

/**
 * The replay chooser: every recorded presentation, newest first (the latest selected unless one
 * was chosen), as "#2 step 3 · delivery · courier-phone · MTU 185 · granted".
 */
function renderReplayChoices(): void {
  const select = byId<HTMLSelectElement>('replay-of');
  const choices = session.player.replayable();
  const current = select.value;
  fill(
    select,
    choices.length === 0
      ? [el('option', { value: '' }, 'no exchange recorded yet')]
      : choices
          .slice()
          .reverse()
          .map(({ index, presentation: p }) =>
            el(
              'option',
              { value: index },
              `#${index + 1} ${p.step < 0 ? 'by hand' : `step ${p.step + 1}`} · ${p.ticket} · ${p.phone} · MTU ${p.mtu} · ${p.outcome}`,
            ),
          ),
  );
  // The latest exchange until the user picks one; their pick stays until the run restarts.
  if (choices.length === 0) delete select.dataset.chosen;
  else if (select.dataset.chosen === 'true' && choices.some((c) => String(c.index) === current)) select.value = current;
  select.disabled = choices.length === 0;
  byId<HTMLButtonElement>('replay').disabled = choices.length === 0;
}

/** Runs an action on the lock; a problem shows in the page's error line (never a stack trace). */
function guarded(action: () => void): void {
  try {
    action();
    showError(undefined);
  } catch (error) {
    showError(String((error as Error)?.message ?? error));
  }
  render();
}

function present(ticket: string): void {
  guarded(() => session.present(ticket));
}

/** "time runs": simulated time follows the wall clock, a quarter second at a time. */
let live: number | undefined;
const LIVE_TICK_MS = 250;

function setLive(on: boolean): void {
  if (live !== undefined) window.clearInterval(live);
  live = on ? window.setInterval(() => guarded(() => session.act({ kind: 'wait', ms: LIVE_TICK_MS })), LIVE_TICK_MS) : undefined;
}

function stop(): void {
  if (running !== undefined) window.clearTimeout(running);
  running = undefined;
}

function start(next: { json: unknown; name: string; origin: string }): void {
  stop();
  const kept = keptFlash();
  try {
    session = Session.fromJson(next.json, next.name, next.origin, kept);
  } catch (error) {
    showError(String((error as Error)?.message ?? error));
    return;
  }
  if (kept !== undefined) {
    const keys = `${kept.entries.size} key${kept.entries.size === 1 ? '' : 's'}`;
    flashNote(
      session.resumedAt === undefined
        ? `Kept flash (${keys}); clock from the scenario.`
        : `Kept flash (${keys}), clock resumed at ${isoTime(session.resumedAt).slice(0, 19).replace('T', ' ')}Z.`,
    );
  } else if (keeping() && !byId('flash-note').classList.contains('bad')) flashNote("This lock's flash is kept in this browser from now on.");
  source = next;
  showError(undefined);
  const s = session.scenario;
  byId('scenario-name').textContent = `${s.name}${next.origin === 'built in' ? '' : ` (${next.origin})`}`;
  byId('scenario-description').textContent = s.description ?? '';
  fill(
    byId('form-issuer'),
    Object.keys(s.issuers).map((name) => el('option', { value: name }, name)),
  );
  byId<HTMLInputElement>('form-lock').value = s.lock.id;
  const mtus = [...new Set([BLE_MIN_MTU, 64, 100, 185, 247, BLE_MAX_MTU, s.mtu])].sort((a, b) => a - b);
  fill(
    byId('mtu'),
    mtus.map((m) => el('option', { value: m, selected: m === s.mtu }, String(m))),
  );
  refreshPhoneChoices();
  render();
}

function refreshPhoneChoices(): void {
  const select = byId<HTMLSelectElement>('form-phone');
  const current = select.value;
  fill(select, [
    el('option', { value: '' }, 'a new phone for this courier'),
    ...Object.keys(session.player.phones).map((name) => el('option', { value: name }, name)),
  ]);
  select.value = current;
}

function runLoop(): void {
  const delay = Number(byId<HTMLSelectElement>('speed').value);
  if (delay === 0) {
    guarded(() => {
      while (!session.player.done) session.step();
    });
    stop();
    render();
    return;
  }
  const tick = (): void => {
    running = undefined;
    if (session.player.done) return render();
    try {
      session.step();
      showError(undefined);
    } catch (error) {
      showError(String((error as Error)?.message ?? error));
      return render();
    }
    running = session.player.done ? undefined : window.setTimeout(tick, Number(byId<HTMLSelectElement>('speed').value));
    render();
  };
  running = window.setTimeout(tick, 0);
  render();
}

function scenarioOptions(selected: string): void {
  const options = Object.keys(BUILTIN_SCENARIOS).map((name) => el('option', { value: `builtin:${name}`, selected: `builtin:${name}` === selected }, name));
  if (loaded) options.push(el('option', { value: 'loaded', selected: selected === 'loaded' }, `${loaded.name} (${loaded.origin})`));
  fill(byId('scenario-select'), options);
}

function wire(): void {
  byId('step').addEventListener('click', () => guarded(() => session.step()));
  byId('run').addEventListener('click', () => {
    if (running !== undefined) {
      stop();
      render();
    } else runLoop();
  });
  byId('restart').addEventListener('click', () => start(source));
  byId('scenario-select').addEventListener('change', (e) => {
    const value = (e.target as HTMLSelectElement).value;
    if (value === 'loaded' && loaded) start(loaded);
    else if (value.startsWith('builtin:')) {
      const name = value.slice('builtin:'.length);
      start({ json: BUILTIN_SCENARIOS[name], name, origin: 'built in' });
    }
  });
  byId<HTMLInputElement>('scenario-file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > 1_000_000) return showError(`${file.name}: larger than 1 MB, not a scenario`);
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      return showError(`${file.name}: not JSON`);
    }
    const candidate = { json, name: file.name.replace(/\.json$/i, ''), origin: file.name };
    const before = session;
    start(candidate);
    if (session !== before) {
      loaded = candidate;
      scenarioOptions('loaded');
    }
  });

  byId<HTMLInputElement>('keep-flash').addEventListener('change', (e) => {
    if ((e.target as HTMLInputElement).checked) {
      flashNote("This lock's flash is kept in this browser: a reload or Restart boots on it.");
      keepFlash();
    } else {
      forgetFlash();
      flashNote('Nothing kept: a reload or Restart boots a factory-fresh lock.');
    }
  });
  byId('factory-reset').addEventListener('click', () => {
    forgetFlash();
    const keep = keeping();
    byId<HTMLInputElement>('keep-flash').checked = false; // boot fresh, not on the flash just erased
    start(source);
    byId<HTMLInputElement>('keep-flash').checked = keep;
    flashNote(`Factory reset: the flash was erased and a fresh lock booted${keep ? ' (its flash is kept from now on)' : ''}.`);
    render();
  });
  byId('door-open').addEventListener('click', () => guarded(() => session.act({ kind: 'door', action: 'open' })));
  byId('door-close').addEventListener('click', () => guarded(() => session.act({ kind: 'door', action: 'close' })));
  byId('wait-1s').addEventListener('click', () => guarded(() => session.act({ kind: 'wait', ms: 1000 })));
  byId('wait-1m').addEventListener('click', () => guarded(() => session.act({ kind: 'wait', ms: 60_000 })));
  byId<HTMLInputElement>('live').addEventListener('change', (e) => setLive((e.target as HTMLInputElement).checked));
  byId('reboot').addEventListener('click', () => guarded(() => session.act({ kind: 'reboot' })));
  byId('replay-of').addEventListener('change', (e) => ((e.target as HTMLSelectElement).dataset.chosen = 'true'));
  byId('replay').addEventListener('click', () =>
    guarded(() => {
      const index = Number(byId<HTMLSelectElement>('replay-of').value);
      session.act({ kind: 'replay', of: `#${index + 1}`, presentation: index });
    }),
  );
  byId('cut').addEventListener('click', () =>
    guarded(() => session.player.cutPowerAtNextWrite(byId<HTMLSelectElement>('cut-when').value === 'before' ? 'before' : 'after')),
  );
  byId('clock-move').addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    const value = select.value;
    select.value = '';
    if (value === 'battery') guarded(() => session.player.rtcPowerLoss());
    else if (value === 'true') guarded(() => session.setTrueTime());
    else if (value !== '') guarded(() => session.act({ kind: 'setClock', time: { relative: true, seconds: Number(value) } }));
  });
  byId('jam').addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    const value = select.value;
    select.value = '';
    if (value === '1') guarded(() => session.act({ kind: 'jam', jam: 1 }));
    else if (value === 'stuck' || value === 'clear') guarded(() => session.act({ kind: 'jam', jam: value }));
  });
  byId('mtu').addEventListener('change', (e) => {
    session.player.mtu = Number((e.target as HTMLSelectElement).value);
    session.player.sim.note('sim', `phones now ask for MTU ${session.player.mtu}`);
    render();
  });
  byId('issue-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(() => {
      const name = session.issue({
        issuer: byId<HTMLSelectElement>('form-issuer').value,
        courier: byId<HTMLInputElement>('form-courier').value,
        phone: byId<HTMLSelectElement>('form-phone').value,
        fromMinutes: Math.round(Number(byId<HTMLInputElement>('form-from').value)),
        forMinutes: Math.round(Number(byId<HTMLInputElement>('form-for').value)),
        lockId: byId<HTMLInputElement>('form-lock').value,
      });
      session.player.sim.note('sim', `ticket "${name}" issued from the form`);
      refreshPhoneChoices();
    });
  });
  for (const tab of document.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll<HTMLButtonElement>('[role=tab]')) other.setAttribute('aria-selected', String(other === tab));
      for (const panel of document.querySelectorAll<HTMLElement>('[data-panel]')) panel.hidden = panel.dataset.panel !== tab.dataset.tab;
      // Every list has its newest entries at the end: show those.
      const body = document.querySelector<HTMLElement>('.tab-body');
      if (body) body.scrollTop = body.scrollHeight;
    });
  }
}

async function initial(): Promise<{ json: unknown; name: string; origin: string }> {
  const params = new URLSearchParams(window.location.search);
  if (params.get('preload') === '1') {
    try {
      const response = await fetch('preload.json');
      if (response.ok) {
        const body = (await response.json()) as { name: string; origin: string; scenario: unknown };
        loaded = { json: body.scenario, name: body.name, origin: body.origin === 'built in' ? 'built in' : body.origin };
        return loaded;
      }
    } catch {
      // fall through to the default, with a note
    }
    showError('No scenario was preloaded by the server: showing the default one.');
  }
  const name = params.get('scenario');
  if (name !== null && Object.hasOwn(BUILTIN_SCENARIOS, name)) return { json: BUILTIN_SCENARIOS[name], name, origin: 'built in' };
  return source;
}

wire();
// Kept flash from an earlier visit ticks "Keep this lock's flash"; start() then boots on it (or says why not).
const kept = loadFlash();
byId<HTMLInputElement>('keep-flash').checked = kept.kind !== 'none';
void initial().then((first) => {
  scenarioOptions(first === loaded ? 'loaded' : `builtin:${first.name}`);
  start(first);
});
