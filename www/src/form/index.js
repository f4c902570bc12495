// The record form (#panel-form): a form generated from `schema(root)` for
// the record chosen, its values built live into XML with `build`, problems
// shown at their fields, and records opened from files or the validator.
import './form.css';
import codeLists from 'tulorekisteri/code-lists.json';
import { getLang, onLangChange, t, translate } from '../i18n.js';
import { build, parse, ready, schema as schemaOf, validate } from '../pkg.js';
import { el } from './dom.js';
import { attachProblems, attachWithin, clearProblems, listProblems, reveal } from './errors.js';
import { copy, download, fileName } from './output.js';
import { elementToObjectPath, setAt } from './path.js';
import { toRecord } from './record.js';
import { renderForm } from './render.js';
import { ROOTS, rootKey } from './roots.js';
import './strings.js';

const DEBOUNCE_MS = 150;
/** Bigger records are for the validator: the form shows every field of every report. */
const MAX_OPEN_BYTES = 4 * 1024 * 1024;
const MAX_LISTED = 200;
const MAX_SHOWN_XML = 128 * 1024;

function layout(panel) {
  const rootSelect = el('select', { id: 'form-root' });
  const fileInput = el('input', { type: 'file', id: 'form-open', accept: '.xml,application/xml,text/xml', class: 'visually-hidden' });
  const parts = {
    rootSelect,
    fileInput,
    clear: el('button', { type: 'button', id: 'form-clear', class: 'button', 'data-i18n': 'form.clear' }),
    openError: el('div', { id: 'form-open-error', class: 'error', role: 'alert', hidden: true }),
    form: el('form', { id: 'record-form', class: 'record-form', novalidate: true, 'data-i18n-label': 'form.formLabel' }),
    status: el('p', { id: 'form-status', 'aria-live': 'polite' }),
    problems: el('ul', { id: 'form-problems', class: 'form-problems' }),
    xml: el('pre', { id: 'form-xml', class: 'form-xml', tabindex: '0', 'data-i18n-label': 'form.xml' }),
    copy: el('button', { type: 'button', id: 'form-copy', class: 'button', 'data-i18n': 'form.copy', disabled: true }),
    download: el('button', { type: 'button', id: 'form-download', class: 'button primary', 'data-i18n': 'form.download', disabled: true }),
    copyStatus: el('span', { class: 'copy-status', 'aria-live': 'polite' }),
    xmlNote: el('p', { class: 'note', hidden: true }),
  };
  panel.dataset.debounceMs = String(DEBOUNCE_MS);
  panel.append(
    el('h2', { 'data-i18n': 'form.title' }),
    el('p', { class: 'lead', 'data-i18n': 'form.lead' }),
    el('p', { class: 'help', 'data-i18n': 'form.labelsHint' }),
    el('div', { class: 'toolbar' },
      el('label', { for: 'form-root', 'data-i18n': 'form.rootLabel' }), rootSelect,
      el('span', { class: 'file-button' }, fileInput, el('label', { for: 'form-open', class: 'button', 'data-i18n': 'form.open' })),
      parts.clear),
    parts.openError,
    el('div', { class: 'form-layout' },
      parts.form,
      el('aside', { class: 'form-output', 'data-i18n-label': 'form.output' },
        el('h3', { 'data-i18n': 'form.problems' }), parts.status, parts.problems,
        el('h3', { 'data-i18n': 'form.xml' }),
        el('div', { class: 'toolbar' }, parts.copy, parts.download, parts.copyStatus),
        el('p', { class: 'note', 'data-i18n': 'form.unsignedNote' }),
        parts.xmlNote, parts.xml)),
  );
  return parts;
}

function fillRoots(select, current) {
  select.replaceChildren(...ROOTS.map((r) => el('option', { value: r, text: `${t(rootKey(r))} (${r})` })));
  select.value = current;
}

export function mountForm(panel) {
  const ui = layout(panel);
  const schemas = new Map();
  const state = { root: ROOTS[0], schema: null, model: {}, open: new Set(), problems: [], xml: undefined, timer: 0, builds: 0, loaded: false };
  fillRoots(ui.rootSelect, state.root);
  translate(panel);
  ui.status.textContent = t('app.loading');

  const ctx = {
    codeLists,
    open: state.open,
    onInput(path, value) {
      setAt(state.model, path, value);
      schedule();
    },
    onStructure: () => schedule(),
    onExpand: (details, path) => attachWithin(ui.form, details, path, state.problems),
  };

  function render() {
    Object.assign(ctx, { schema: state.schema, model: state.model });
    renderForm(ctx, ui.form);
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(runBuild, DEBOUNCE_MS);
  }

  /** Builds the record, checks the XML against the rules, and shows both. */
  function runBuild() {
    clearTimeout(state.timer);
    const record = { [state.root]: toRecord(state.schema, state.schema.group, state.model) ?? {} };
    let result;
    try {
      result = build(record);
    } catch (e) {
      result = { diagnostics: [{ path: '', code: 'build-failed', severity: 'error', message: e?.message ?? String(e) }] };
    }
    let problems = result.diagnostics ?? [];
    if (result.xml !== undefined) {
      try {
        const rules = validate(result.xml, { unsigned: true, lang: getLang() });
        problems = problems.concat(rules.map((d) => ({ ...d, path: elementToObjectPath(d.path ?? '') })));
      } catch (e) {
        problems = problems.concat([{ path: '', code: 'validate-failed', severity: 'error', message: e?.message ?? String(e) }]);
      }
    }
    state.problems = problems;
    state.xml = result.xml;
    show();
  }

  function show() {
    const { problems, xml } = state;
    attachProblems(ui.form, problems);
    listProblems(ui.problems, problems.slice(0, MAX_LISTED), (path) => reveal(ui.form, path, (d) => attachWithin(ui.form, d, d.dataset.groupPath, state.problems)));
    if (problems.length > MAX_LISTED) ui.problems.append(el('li', { class: 'more', text: t('form.more', { n: problems.length - MAX_LISTED }) }));
    const errors = problems.filter((d) => d.severity !== 'warning').length;
    const warnings = problems.length - errors;
    if (xml === undefined) ui.status.textContent = t('form.notBuilt', { errors });
    else if (problems.length === 0) ui.status.textContent = t('form.valid');
    else ui.status.textContent = t('form.builtWithProblems', { errors, warnings });
    ui.status.className = xml !== undefined && errors === 0 ? 'ok' : 'bad';
    // A big record's XML in full would slow every keystroke: its beginning, and the download has it all.
    ui.xml.textContent = xml === undefined ? '' : xml.length > MAX_SHOWN_XML ? `${xml.slice(0, MAX_SHOWN_XML)}\n…` : xml;
    ui.xmlNote.hidden = xml === undefined || xml.length <= MAX_SHOWN_XML;
    ui.xmlNote.textContent = t('form.xmlCut', { kib: MAX_SHOWN_XML / 1024 });
    ui.xml.classList.toggle('empty', xml === undefined);
    ui.xml.dataset.empty = t('form.noXml');
    ui.copy.disabled = xml === undefined;
    ui.download.disabled = xml === undefined;
    ui.copyStatus.textContent = '';
    state.builds += 1;
    panel.dataset.builds = String(state.builds);
  }

  /** Shows the form of `root`, empty or holding `model`; nothing of the previous record stays. */
  function switchRoot(root, model = {}) {
    clearTimeout(state.timer);
    if (!schemas.has(root)) schemas.set(root, schemaOf(root));
    Object.assign(state, { root, schema: schemas.get(root), model, problems: [], xml: undefined });
    state.open.clear();
    ui.rootSelect.value = root;
    clearProblems(ui.form);
    render();
    runBuild();
  }

  function openError(message, diagnostics = []) {
    const items = diagnostics.slice(0, 20).map((d) => el('li', {}, `${d.line}:${d.column} `, el('code', { text: d.code }), ` ${d.message}`, d.path ? el('span', { class: 'path', text: ` (${d.path})` }) : null));
    ui.openError.replaceChildren(el('p', { text: message }), items.length ? el('ul', {}, ...items) : '');
    if (diagnostics.length > 20) ui.openError.append(el('p', { text: t('form.more', { n: diagnostics.length - 20 }) }));
    ui.openError.hidden = false;
  }

  /** Fills the form from an existing record. */
  async function openXml(xml, name) {
    await ready;
    ui.openError.hidden = true;
    if (typeof xml !== 'string' || xml.trim() === '') return openError(t('form.openEmpty', { name }));
    let obj;
    try {
      obj = parse(xml);
    } catch (e) {
      return openError(t('form.openInvalid', { name, n: e?.diagnostics?.length ?? 1 }), e?.diagnostics ?? [{ line: 0, column: 0, code: 'error', message: e?.message ?? String(e) }]);
    }
    const root = Object.keys(obj ?? {})[0];
    if (!ROOTS.includes(root)) return openError(t('form.openWrongRoot', { name, root }));
    state.loaded = true;
    switchRoot(root, obj[root] ?? {});
    ui.status.textContent = `${t('form.opened', { name })} ${ui.status.textContent}`;
  }

  // What was typed for each root is kept while this page is open: choosing
  // another kind of record and back loses nothing.
  const drafts = new Map();
  ui.rootSelect.addEventListener('change', () => {
    ui.openError.hidden = true;
    if (!state.loaded) return;
    drafts.set(state.root, state.model);
    switchRoot(ui.rootSelect.value, drafts.get(ui.rootSelect.value) ?? {});
  });
  ui.clear.addEventListener('click', () => {
    ui.openError.hidden = true;
    if (state.loaded) switchRoot(state.root);
  });
  ui.form.addEventListener('submit', (e) => e.preventDefault());
  ui.fileInput.addEventListener('change', async () => {
    const file = ui.fileInput.files?.[0];
    ui.fileInput.value = ''; // the same file can be opened again
    if (!file) return;
    if (file.size > MAX_OPEN_BYTES) return openError(t('form.openTooBig', { name: file.name, mib: MAX_OPEN_BYTES / 1048576 }));
    try {
      await openXml(await file.text(), file.name);
    } catch (e) {
      openError(t('form.openFailed', { name: file.name, message: e?.message ?? String(e) }));
    }
  });
  window.addEventListener('tulorekisteri:open-in-form', (e) => {
    const xml = e.detail?.xml;
    if (typeof xml === 'string' && xml.length > MAX_OPEN_BYTES) return openError(t('form.openTooBig', { name: t('form.fromValidator'), mib: MAX_OPEN_BYTES / 1048576 }));
    openXml(xml, t('form.fromValidator')).catch((err) => openError(t('form.openFailed', { name: t('form.fromValidator'), message: err?.message ?? String(err) })));
  });
  ui.copy.addEventListener('click', async () => {
    if (state.xml !== undefined) ui.copyStatus.textContent = await copy(state.xml, ui.xml);
  });
  ui.download.addEventListener('click', () => {
    if (state.xml === undefined) return;
    download(state.xml, fileName(state.model?.DeliveryData?.DeliveryId));
  });

  onLangChange(() => {
    translate(panel);
    fillRoots(ui.rootSelect, state.root);
    if (!state.loaded) return;
    render();
    runBuild(); // the rules' messages come in the new language
  });

  // The first form is made when the panel first shows (or a record is opened into it),
  // not while the page loads.
  const start = () => {
    if (state.loaded) return;
    state.loaded = true;
    switchRoot(ui.rootSelect.value);
  };
  ready.then(
    () => {
      if (!panel.hidden) return start();
      const watch = new MutationObserver(() => {
        if (panel.hidden) return;
        watch.disconnect();
        start();
      });
      watch.observe(panel, { attributes: true, attributeFilter: ['hidden'] });
    },
    (e) => {
      ui.status.textContent = t('app.loadFailed', { message: e?.message ?? String(e) });
    },
  );
}
