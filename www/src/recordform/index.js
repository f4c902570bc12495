// The record form: made at run time from schema(root) for the eight roots a
// payer sends; every edit rebuilds the record (build(), debounced) and shows
// its XML, or its problems at their fields. A record can be opened into it.
import './strings.js';
import './form.css';
import codeLists from 'tulorekisteri/code-lists.json';
import { t, onLangChange, translate } from '../i18n.js';
import { ready, build, parse, schema } from '../pkg.js';
import { createRenderer } from './render.js';
import { prune } from './model.js';
import { clearMarks, mark, list, listOpenFailure } from './problems.js';

export const ROOTS = [
  'WageReportRequestToIR', 'WageReportsRequestToIR',
  'PayerSummaryReportRequestToIR', 'PayerSummaryReportsRequestToIR',
  'BenefitReportRequestToIR', 'BenefitReportsRequestToIR',
  'InvalidationRequestToIR', 'InvalidationsRequestToIR',
];
/** Edits are built after this pause. */
export const DEBOUNCE_MS = 150;

const TEMPLATE = `
  <h2 class="visually-hidden" data-i18n="f.heading"></h2>
  <div class="toolbar rf-toolbar">
    <label for="form-root" data-i18n="f.root"></label>
    <select id="form-root"></select>
    <span class="file-button">
      <input type="file" id="form-open" class="visually-hidden" accept=".xml,application/xml,text/xml">
      <label for="form-open" class="button" data-i18n="f.open"></label>
    </span>
    <span class="spacer"></span>
    <button type="button" id="form-copy" class="button" data-i18n="f.copy" disabled></button>
    <button type="button" id="form-download" class="button primary" data-i18n="f.download" disabled></button>
  </div>
  <p id="form-status" class="rf-status" role="status" aria-live="polite"></p>
  <p class="note" data-i18n="f.note"></p>
  <div class="rf-workspace">
    <form id="record-form" class="rf-form" novalidate></form>
    <div class="rf-side">
      <div id="form-problems" class="rf-problems" aria-live="polite"></div>
      <h3 data-i18n="f.xml"></h3>
      <pre id="form-xml" class="rf-xml" tabindex="0" data-i18n-label="f.xml"></pre>
    </div>
  </div>
`;

export function mountForm(panel) {
  panel.innerHTML = TEMPLATE;
  panel.dataset.debounceMs = String(DEBOUNCE_MS);
  const $ = (id) => panel.querySelector(`#${id}`);
  const rootSelect = $('form-root');
  const form = $('record-form');
  const problems = $('form-problems');
  const xmlView = $('form-xml');
  const status = $('form-status');
  const copy = $('form-copy');
  const download = $('form-download');
  const open = $('form-open');

  const state = { root: ROOTS[0], record: {}, xml: undefined, builds: 0 };
  let timer;
  let loaded = false;

  function fillRoots() {
    const current = rootSelect.value || state.root;
    rootSelect.replaceChildren(...ROOTS.map((r) => new Option(t(`f.root.${r}`), r)));
    rootSelect.value = current;
  }

  function render() {
    try {
      createRenderer(schema(state.root), codeLists, state, schedule).render(form);
    } catch (e) {
      console.error('the form could not be made', e);
      form.replaceChildren();
      listOpenFailure(problems, t('f.renderFailed', { message: e?.message ?? String(e) }));
    }
  }

  function schedule() {
    clearTimeout(timer);
    panel.dataset.pending = 'true';
    timer = setTimeout(rebuild, DEBOUNCE_MS);
  }

  /** Builds now if an edit is waiting (so Copy and Download never give an older XML). */
  function flush() {
    if (panel.dataset.pending) rebuild();
  }

  function rebuild() {
    clearTimeout(timer);
    delete panel.dataset.pending;
    let result;
    try {
      result = build({ [state.root]: prune(state.record) ?? {} });
    } catch (e) {
      result = { diagnostics: [{ line: 0, column: 0, path: '', code: 'build-failed', severity: 'error', message: e?.message ?? String(e) }] };
    }
    state.xml = result.xml;
    xmlView.textContent = result.xml ?? t('f.xml.none');
    xmlView.classList.toggle('rf-xml-none', result.xml === undefined);
    copy.disabled = download.disabled = result.xml === undefined;
    clearMarks(form);
    const diagnostics = result.diagnostics ?? [];
    list(problems, diagnostics, mark(form, diagnostics));
    panel.dataset.builds = String(++state.builds);
    panel.dispatchEvent(new CustomEvent('tulorekisteri:form-built', { bubbles: true, detail: { ok: result.xml !== undefined, problems: diagnostics.length } }));
  }

  function switchRoot(root, record = {}) {
    state.root = root;
    state.record = record;
    rootSelect.value = root;
    status.textContent = '';
    render();
    rebuild();
  }

  /** Parses `xml` and fills the form with it; a record that cannot be read is explained in #form-problems. */
  function openXml(xml, name) {
    if (!loaded) return void ready.then(() => openXml(xml, name));
    let obj;
    try {
      obj = parse(xml);
    } catch (e) {
      const diagnostics = Array.isArray(e?.diagnostics) ? e.diagnostics : [];
      const message = diagnostics.length
        ? t('f.openInvalid', { n: diagnostics.length })
        : t('f.openFailed', { message: e?.message ?? String(e) });
      listOpenFailure(problems, message, diagnostics);
      status.textContent = message;
      return;
    }
    const root = Object.keys(obj ?? {})[0];
    if (!ROOTS.includes(root)) {
      const message = t('f.wrongRoot', { root });
      listOpenFailure(problems, message);
      status.textContent = message;
      return;
    }
    switchRoot(root, obj[root] ?? {});
    status.textContent = t('f.opened', { name: name ?? root });
  }

  function fileName() {
    const id = String(state.record?.DeliveryData?.DeliveryId ?? '').trim();
    const safe = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
    return `${safe || 'record'}.xml`;
  }

  rootSelect.addEventListener('change', () => switchRoot(rootSelect.value));
  open.addEventListener('change', async () => {
    const file = open.files?.[0];
    if (!file) return;
    try {
      openXml(await file.text(), file.name);
    } catch (e) {
      listOpenFailure(problems, t('f.openFailed', { message: e?.message ?? String(e) }));
    }
    open.value = ''; // the same file can be opened again
  });
  copy.addEventListener('click', async () => {
    flush();
    if (state.xml === undefined) return;
    try {
      await navigator.clipboard.writeText(state.xml);
      status.textContent = t('f.copied');
    } catch (e) {
      status.textContent = t('f.copyFailed', { message: e?.message ?? String(e) });
    }
  });
  download.addEventListener('click', () => {
    flush();
    if (state.xml === undefined) return;
    const url = URL.createObjectURL(new Blob([state.xml], { type: 'application/xml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName();
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('tulorekisteri:open-in-form', (e) => {
    if (typeof e.detail?.xml === 'string') openXml(e.detail.xml);
  });
  onLangChange(() => {
    translate(panel);
    fillRoots();
    if (loaded) {
      render();
      rebuild();
    }
  });

  translate(panel);
  fillRoots();
  ready.then(() => {
    loaded = true;
    if (!form.childElementCount) switchRoot(state.root, state.record);
    panel.dataset.ready = 'true';
  }, () => {});
}
