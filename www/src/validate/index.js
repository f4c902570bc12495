// The validator view: open, paste or type a record; it is validated in a
// worker as you type (after a short pause) and its problems are listed and
// marked in the editor. A large file is validated from its bytes and shown
// only in excerpts.
import './strings.js';
import { t, getLang, onLangChange, translate } from '../i18n.js';
import { createEditor } from './editor.js';
import { createProblemList, summary } from './problems.js';
import { Runner } from './runner.js';
import { readLines, size } from './excerpt.js';
import { mountSend } from '../send/index.js';
import example from '../../../tests/fixtures/wage-report-broken.xml?raw';
import { onFileDrop } from '../drop.js';

/** Edits are validated after this pause (the tests read it from data-debounce-ms). */
export const DEBOUNCE_MS = 200;
/** Files larger than this are validated from their bytes and never loaded into the editor. */
export const LARGE_FILE_BYTES = 4 * 1024 * 1024;
/** The progress bar appears for validations that take longer than this. */
const PROGRESS_AFTER_MS = 150;
const DRAFT_KEY = 'tulorekisteri.draft';
/** Drafts up to this many characters are kept in localStorage between visits. */
const MAX_DRAFT_CHARS = 1_000_000;

const TEMPLATE = `
  <h2 class="visually-hidden" data-i18n="v.heading"></h2>
  <div class="toolbar">
    <span class="file-button">
      <input type="file" id="file-input" class="visually-hidden" accept=".xml,application/xml,text/xml">
      <label for="file-input" class="button" data-i18n="v.open"></label>
    </span>
    <button type="button" id="example" class="button" data-i18n="v.example"></button>
    <span class="options">
      <label class="check"><input type="checkbox" id="opt-unsigned" checked> <span data-i18n="v.unsigned"></span></label>
      <label class="check"><input type="checkbox" id="opt-schema-only"> <span data-i18n="v.schemaOnly"></span></label>
    </span>
    <span class="spacer"></span>
    <button type="button" id="open-in-form" class="button" data-i18n="v.openInForm"></button>
    <button type="button" id="send" class="button primary" disabled data-i18n="v.send"></button>
  </div>
  <div class="statusbar">
    <span id="status" role="status" aria-live="polite"></span>
    <progress id="progress" max="1" value="0" hidden data-i18n-label="v.progress"></progress>
    <button type="button" id="cancel" class="button small" hidden data-i18n="v.cancel"></button>
    <span id="file-info" class="file-info"></span>
  </div>
  <div class="workspace">
    <div id="editor" class="editor"></div>
    <div id="problems" class="problems"></div>
  </div>
  <p class="note" data-i18n="v.note"></p>
  <div id="send-area" class="send-area">
    <p id="send-error" class="error" role="alert" hidden></p>
    <div id="sent" hidden></div>
  </div>
  <div class="drop-hint" aria-hidden="true" data-i18n="v.drop"></div>
`;

export function mountValidator(panel) {
  panel.innerHTML = TEMPLATE;
  panel.dataset.debounceMs = String(DEBOUNCE_MS);
  translate(panel);
  const $ = (sel) => panel.querySelector(sel);
  const els = {
    file: $('#file-input'), example: $('#example'), unsigned: $('#opt-unsigned'), schemaOnly: $('#opt-schema-only'),
    status: $('#status'), progress: $('#progress'), cancel: $('#cancel'), info: $('#file-info'),
    openInForm: $('#open-in-form'),
  };

  const runner = new Runner();
  const state = {
    mode: 'text', // or 'large': a big file, validated from its bytes
    file: null, // the large file
    lines: null, // its line index, from the worker
    excerpt: null, // { from, to } of the lines shown
    version: 0, // bumped on every change of the document
    result: null, // { version, problems, errors, warnings }
    running: false,
    runToken: 0,
    statusKey: null, // how to rewrite the status when the language changes
  };
  let debounce = null;

  const editor = createEditor($('#editor'), { onEdit: edited, label: t('v.editor') });
  const problems = createProblemList($('#problems'), choose);
  const sender = mountSend({
    button: $('#send'),
    output: $('#sent'),
    error: $('#send-error'),
    body: () => (state.mode === 'large' ? { body: state.file, bytes: state.file.size } : { body: editor.text() }),
  });

  function setStatus(key, params = {}) {
    state.statusKey = { key, params };
    els.status.textContent = typeof key === 'function' ? key() : t(key, params);
  }

  function updateSendable() {
    const r = state.result;
    sender.setReady(!state.running && r !== null && r.version === state.version && r.errors === 0);
    els.openInForm.disabled = state.mode === 'large';
  }

  function saveDraft() {
    if (state.mode !== 'text') return;
    const text = editor.text();
    try {
      if (text.length <= MAX_DRAFT_CHARS) localStorage.setItem(DRAFT_KEY, text);
      else localStorage.removeItem(DRAFT_KEY);
    } catch {
      // storage full or disabled: the draft is simply not kept
    }
  }

  function edited(at) {
    state.version += 1;
    state.lastEdit = at;
    updateSendable();
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      saveDraft();
      run('editor', state.lastEdit);
    }, DEBOUNCE_MS);
  }

  function showProgress(visible) {
    els.progress.hidden = !visible;
    els.cancel.hidden = !visible;
  }

  function options() {
    return { unsigned: els.unsigned.checked, schemaOnly: els.schemaOnly.checked, lang: getLang() };
  }

  /** Validates the current document; `editedAt` is the last keystroke it covers (null for a load). */
  async function run(source, editedAt = null) {
    clearTimeout(debounce);
    const version = state.version;
    const token = ++state.runToken;
    const input = state.mode === 'large' ? { file: state.file } : { xml: editor.text() };
    if (input.xml !== undefined && input.xml.trim() === '') {
      runner.cancel();
      state.running = false;
      showProgress(false);
      state.result = null;
      problems.show([]);
      editor.mark([]);
      setStatus('v.status.empty');
      updateSendable();
      return;
    }
    state.running = true;
    updateSendable();
    // A large file shows its bar at once: it is sure to take a while, and the bar says it was picked up.
    const timer = setTimeout(() => {
      if (token === state.runToken && state.running) showProgress(true);
    }, state.mode === 'large' ? 0 : PROGRESS_AFTER_MS);
    let result;
    try {
      result = await runner.run(input, options(), (done, total) => {
        if (token !== state.runToken) return;
        els.progress.value = total ? done / total : 0;
        setStatus('v.status.running', { percent: total ? Math.floor((100 * done) / total) : 0 });
      });
    } catch (e) {
      result = { error: e };
    } finally {
      clearTimeout(timer);
    }
    if (token !== state.runToken) return; // superseded by a newer validation
    state.running = false;
    showProgress(false);
    els.progress.value = 0;
    if (result === null) return; // cancelled: the Cancel button says so
    if (result.error) {
      setStatus('v.status.failed', { message: result.error.message });
      updateSendable();
      return;
    }
    if (state.mode === 'large') {
      state.lines = result.lines;
      showFileInfo();
    }
    const list = result.problems;
    const errors = list.filter((p) => p.severity !== 'warning').length;
    const warnings = list.length - errors;
    state.result = { version, problems: list, errors, warnings };
    problems.show(list);
    editor.mark(list);
    setStatus(() => summary(errors, warnings));
    updateSendable();
    const shownAt = performance.now();
    document.dispatchEvent(new CustomEvent('tulorekisteri:validated', {
      detail: { source, editedAt, shownAt, workerMs: result.workerMs, bytes: result.bytes, errors, warnings },
    }));
  }

  function showFileInfo() {
    if (state.mode !== 'large') {
      els.info.textContent = state.fileName ? t('v.file', { name: state.fileName }) : '';
      return;
    }
    const params = { name: state.file.name, size: size(state.file.size) };
    els.info.textContent = state.excerpt && state.lines
      ? t('v.large', { ...params, ...state.excerpt, lines: state.lines.lines })
      : t('v.largeHead', params);
  }

  /** Shows the large file's lines around `line` in the read-only editor. */
  async function showExcerpt(line) {
    const file = state.file;
    const part = await readLines(file, state.lines, line);
    if (state.file !== file) return;
    state.excerpt = { from: part.from, to: part.to };
    editor.load(part.text, { first: part.from, readOnly: true });
    if (state.result) editor.mark(state.result.problems);
    showFileInfo();
  }

  async function choose(line, column) {
    if (state.mode === 'large' && (!state.excerpt || line < state.excerpt.from || line > state.excerpt.to)) {
      try {
        await showExcerpt(line);
      } catch (e) {
        setStatus('v.status.readFailed', { message: e.message });
        return;
      }
    }
    editor.goTo(line, column);
  }

  /** Loads text into the editor (a small file, the example, the saved draft) and validates it. */
  function loadText(text, source, fileName = null) {
    state.mode = 'text';
    state.file = null;
    state.lines = null;
    state.excerpt = null;
    state.fileName = fileName;
    state.version += 1;
    editor.load(text);
    showFileInfo();
    saveDraft();
    run(source);
  }

  async function openFile(file) {
    if (!file) return;
    if (file.size > LARGE_FILE_BYTES) {
      state.mode = 'large';
      state.file = file;
      state.lines = null;
      state.excerpt = null;
      state.version += 1;
      editor.load('', { readOnly: true });
      showFileInfo();
      run('file');
      showExcerpt(1).catch((e) => setStatus('v.status.readFailed', { message: e.message }));
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (e) {
      setStatus('v.status.readFailed', { message: e.message });
      return;
    }
    loadText(text, 'file', file.name);
  }

  els.file.addEventListener('change', () => {
    const file = els.file.files?.[0];
    els.file.value = ''; // the same file can be chosen again
    openFile(file);
  });
  els.example.addEventListener('click', () => loadText(example, 'editor'));
  for (const box of [els.unsigned, els.schemaOnly]) {
    box.addEventListener('change', () => run(state.mode === 'large' ? 'file' : 'editor'));
  }
  els.cancel.addEventListener('click', () => {
    if (!runner.cancel()) return;
    state.runToken += 1;
    state.running = false;
    showProgress(false);
    setStatus('v.status.cancelled');
    updateSendable();
  });
  els.openInForm.addEventListener('click', () => {
    window.dispatchEvent(new CustomEvent('tulorekisteri:open-in-form', { detail: { xml: editor.text() } }));
  });

  onFileDrop(panel, openFile);

  onLangChange(() => {
    translate(panel);
    editor.setLabel(t('v.editor'));
    showFileInfo();
    const s = state.statusKey;
    if (s) els.status.textContent = typeof s.key === 'function' ? s.key() : t(s.key, s.params);
    // The rules' messages are in the chosen language: ask again.
    if (state.mode === 'large' || editor.text().trim() !== '') run(state.mode === 'large' ? 'file' : 'editor');
  });

  let draft = null;
  try {
    draft = localStorage.getItem(DRAFT_KEY);
  } catch {
    // no storage: start empty
  }
  if (draft) loadText(draft, 'editor');
  else setStatus('v.hint');
  updateSendable();
}
