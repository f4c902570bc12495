// Sending through the submission service: POST the record to /v1/records,
// then follow /v1/events (long polls from the feed's cursor at send time)
// and show each report's state as the service names it.
import './strings.js';
import { t, onLangChange } from '../i18n.js';
import { getSettings, onSettingsChange } from './settings.js';

const FINAL = new Set(['stored', 'rejected', 'cancelled']);
const WAIT_SECONDS = 20;
const PAGE = 10_000; // the service's largest page of events
const CURSOR_KEY = 'tulorekisteri.shim.cursor';

class ServiceError extends Error {
  constructor(text) {
    super(text);
    this.name = 'ServiceError';
  }
}

/** A request to the service; resolves to the parsed JSON, or throws a ServiceError in words. */
async function call(settings, path, init = {}) {
  let answer;
  try {
    answer = await fetch(`${settings.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${settings.token}`, ...(init.headers ?? {}) },
    });
  } catch {
    throw new ServiceError(t('send.err.network', { url: settings.url, origin: location.origin }));
  }
  let body = null;
  try {
    body = await answer.json();
  } catch (e) {
    if (answer.ok) throw new ServiceError(t('send.err.badAnswer', { message: e.message }));
  }
  if (answer.ok) return { status: answer.status, body };
  const err = body?.error ?? {};
  const params = { status: answer.status, code: err.code ?? '?', message: err.message ?? answer.statusText };
  const key = { 401: 'send.err.401', 409: 'send.err.409', 413: 'send.err.413', 422: 'send.err.422' }[answer.status];
  const error = new ServiceError(t(key ?? 'send.err.other', params));
  error.problems = Array.isArray(err.problems) ? err.problems : [];
  throw error;
}

/** The feed's cursor now: the saved one if the feed still has it, else read from the start. */
async function cursorNow(settings) {
  let saved = 0;
  try {
    const s = JSON.parse(localStorage.getItem(CURSOR_KEY) ?? 'null');
    if (s && s.url === settings.url && Number.isInteger(s.cursor)) saved = s.cursor;
  } catch {
    // no saved cursor
  }
  let cursor = 0;
  if (saved > 0) {
    // A new ledger behind the same address restarts its feed: check the saved cursor is still in it.
    const { body } = await call(settings, `/v1/events?after=${saved - 1}&limit=1&wait=0`);
    if (body?.events?.[0]?.cursor === saved) cursor = saved;
  }
  for (;;) {
    const { body } = await call(settings, `/v1/events?after=${cursor}&limit=${PAGE}&wait=0`);
    const events = body?.events ?? [];
    cursor = Number.isInteger(body?.next) ? body.next : cursor;
    if (events.length < PAGE) break;
  }
  try {
    localStorage.setItem(CURSOR_KEY, JSON.stringify({ url: settings.url, cursor }));
  } catch {
    // not kept: the next send reads the feed again
  }
  return cursor;
}

function errorsText(errors) {
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return errors.map((e) => (e && typeof e === 'object' ? `${e.code ?? ''}: ${e.message ?? ''}`.trim() : String(e))).join('; ');
}

export function mountSend({ button, output, error, body }) {
  let ready = false;
  let session = 0; // a newer send stops following the older record
  let shown = null; // { record, reports: Map(reportId -> report), note }

  function update() {
    const s = getSettings();
    const configured = Boolean(s.url && s.token);
    button.disabled = !(ready && configured);
    button.title = !configured ? t('send.why.settings') : !ready ? t('send.why.record') : '';
  }

  function showError(text, problems = []) {
    error.hidden = !text;
    error.replaceChildren(text ?? '');
    if (problems.length) {
      const ul = document.createElement('ul');
      for (const p of problems.slice(0, 50)) {
        const li = document.createElement('li');
        li.textContent = `${p.line ?? ''}:${p.column ?? ''} ${p.code ?? ''} ${p.message ?? ''}`.trim();
        ul.append(li);
      }
      error.append(ul);
    }
  }

  function render() {
    if (!shown) {
      output.hidden = true;
      return;
    }
    const { record, reports, note } = shown;
    output.hidden = false;
    const h = document.createElement('h3');
    h.textContent = t('send.heading');
    const p = document.createElement('p');
    p.className = 'record-state';
    p.textContent = t('send.record', { id: record.id, deliveryId: record.deliveryId ?? '', state: record.state ?? '' });
    const table = document.createElement('table');
    table.className = 'sent-reports';
    const head = table.createTHead().insertRow();
    for (const k of ['reportId', 'state', 'irReportId', 'version', 'errors']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = t(`send.col.${k}`);
      head.append(th);
    }
    const tbody = table.createTBody();
    for (const r of reports.values()) {
      const row = tbody.insertRow();
      row.dataset.reportId = r.reportId;
      row.className = `state-${r.state}`;
      const cells = [r.reportId, r.state, r.irReportId ?? '', r.version ?? '', errorsText(r.errors)];
      cells.forEach((text, i) => {
        const td = row.insertCell();
        td.textContent = String(text);
        if (i === 1) {
          td.className = 'state';
          td.title = t(`send.state.${r.state}`);
        }
      });
    }
    const n = document.createElement('p');
    n.className = 'help';
    n.setAttribute('aria-live', 'polite');
    n.textContent = note ? t(note) : '';
    output.replaceChildren(h, p, table, n);
  }

  function allFinal() {
    const list = [...shown.reports.values()];
    return list.length ? list.every((r) => FINAL.has(r.state)) : FINAL.has(shown.record.state);
  }

  async function follow(settings, cursor, mine) {
    let delay = 1000;
    while (mine === session && !allFinal()) {
      let body;
      try {
        ({ body } = await call(settings, `/v1/events?after=${cursor}&wait=${WAIT_SECONDS}`));
        delay = 1000;
      } catch (e) {
        if (mine !== session) return;
        shown.note = 'send.retrying';
        render();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 30_000);
        continue;
      }
      if (mine !== session) return;
      for (const e of body?.events ?? []) {
        if (e.recordId !== shown.record.id) continue;
        if (e.reportId === undefined) {
          shown.record.state = e.state;
          continue;
        }
        const r = shown.reports.get(e.reportId) ?? { reportId: e.reportId };
        r.state = e.state;
        if ('irReportId' in e) r.irReportId = e.irReportId;
        if ('version' in e) r.version = e.version;
        if ('errors' in e) r.errors = e.errors;
        shown.reports.set(e.reportId, r);
      }
      if (Number.isInteger(body?.next)) cursor = body.next;
      shown.note = 'send.following';
      render();
    }
    if (mine === session) {
      shown.note = 'send.done';
      render();
    }
  }

  async function send() {
    const settings = getSettings();
    if (!settings.url || !settings.token) {
      showError(t('send.err.noSettings'));
      return;
    }
    const mine = ++session;
    const { body: doc } = body();
    button.disabled = true;
    showError(null);
    shown = null;
    output.hidden = false;
    output.replaceChildren(t('send.sending'));
    try {
      const cursor = await cursorNow(settings);
      const { body: record } = await call(settings, '/v1/records', {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml' },
        body: doc,
      });
      if (mine !== session) return;
      if (!record || typeof record.id !== 'number') throw new ServiceError(t('send.err.badAnswer', { message: 'no record id' }));
      const reports = new Map();
      for (const r of record.reports ?? []) reports.set(r.reportId, { ...r });
      shown = { record, reports, note: 'send.following' };
      render();
      follow(settings, cursor, mine);
    } catch (e) {
      if (mine !== session) return;
      output.hidden = true;
      showError(e instanceof ServiceError ? e.message : t('send.err.badAnswer', { message: e.message }), e.problems ?? []);
    } finally {
      update();
    }
  }

  button.addEventListener('click', send);
  onSettingsChange(update);
  onLangChange(() => {
    render();
    update();
  });
  update();

  return {
    /** Whether the document may be sent (validated, no errors). */
    setReady(ok) {
      ready = ok;
      update();
    },
  };
}
