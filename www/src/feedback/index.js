// The feedback view: reads the Register's AckFromIR or StatusResponseFromIR
// with the package's readFeedback and shows the delivery's status in words,
// the Register's ids, and a table per list of reports.
import './strings.js';
import { t, onLangChange, translate } from '../i18n.js';
import { ready, readFeedback } from '../pkg.js';
import { onFileDrop } from '../drop.js';

const TEMPLATE = `
  <h2 data-i18n="f.heading"></h2>
  <p class="lead" data-i18n="f.intro"></p>
  <div class="toolbar">
    <span class="file-button">
      <input type="file" id="feedback-input" class="visually-hidden" accept=".xml,application/xml,text/xml">
      <label for="feedback-input" class="button" data-i18n="f.open"></label>
    </span>
  </div>
  <div class="paste">
    <label for="feedback-text" data-i18n="f.text"></label>
    <textarea id="feedback-text" rows="5" spellcheck="false"></textarea>
    <button type="button" id="feedback-read" class="button" data-i18n="f.read"></button>
  </div>
  <p id="feedback-error" class="error" role="alert" hidden></p>
  <div id="feedback" aria-live="polite"></div>
  <div class="drop-hint" aria-hidden="true" data-i18n="f.drop"></div>
`;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function errorText(e) {
  return `${e.code}: ${e.message}${e.details ? ` (${e.details})` : ''}`;
}

function errorList(items) {
  if (!items.length) return el('p', { className: 'none', textContent: t('f.none') });
  return el('ul', { className: 'feedback-errors' }, ...items.map((e) => el('li', { textContent: errorText(e) })));
}

function itemTable(items, valid) {
  const table = el('table', { className: `feedback-items ${valid ? 'valid' : 'invalid'}` });
  const head = table.createTHead().insertRow();
  for (const k of ['itemId', 'status', 'irItemId', 'version', 'errors']) {
    head.append(el('th', { scope: 'col', textContent: t(`f.col.${k}`) }));
  }
  const body = table.createTBody();
  for (const item of items) {
    const row = body.insertRow();
    row.dataset.itemId = item.itemId ?? '';
    const cells = [
      item.itemId ?? '',
      t(valid ? 'f.item.valid' : 'f.item.invalid'),
      item.irItemId ?? '',
      item.version ?? '',
    ];
    for (const text of cells) row.insertCell().append(String(text));
    row.cells[1].className = 'status';
    const errors = row.insertCell();
    errors.className = 'errors';
    if (item.errors.length) errors.append(el('ul', {}, ...item.errors.map((e) => el('li', { textContent: errorText(e) }))));
  }
  return table;
}

/** The summary of one feedback document, as DOM. */
function render(fb) {
  const known = [0, 2, 3, 4, 5, 6].includes(fb.status);
  const name = known ? t(`f.status.${fb.status}`) : fb.statusName;
  const meaning = known ? t(`f.meaning.${fb.status}`) : fb.statusMeaning;
  const status = el('p', {
    id: 'delivery-status',
    className: `delivery-status status-${fb.status}`,
    textContent: t('f.statusLine', { name, code: fb.status, meaning }),
  });
  const parts = [
    el('p', { className: 'kind', textContent: t(`f.kind.${fb.kind}`) }),
    status,
    fb.final ? null : el('p', { className: 'help', textContent: t('f.notFinal') }),
  ];
  const ids = el('dl', { className: 'ids' });
  for (const k of ['irResponseId', 'irResponseTimestamp', 'irDeliveryId', 'deliveryId', 'deliveryDataType']) {
    if (fb[k] === null || fb[k] === undefined) continue;
    ids.append(el('dt', { textContent: t(`f.${k}`) }), el('dd', { textContent: String(fb[k]) }));
  }
  parts.push(el('h3', { textContent: t('f.ids') }), ids);
  if (fb.messageErrors.length) parts.push(el('h3', { textContent: t('f.messageErrors') }), errorList(fb.messageErrors));
  if (fb.deliveryErrors.length) parts.push(el('h3', { textContent: t('f.deliveryErrors') }), errorList(fb.deliveryErrors));
  parts.push(
    el('h3', { textContent: t('f.valid', { n: fb.validItems.length }) }),
    itemTable(fb.validItems, true),
    el('h3', { textContent: t('f.invalid', { n: fb.invalidItems.length }) }),
    itemTable(fb.invalidItems, false),
  );
  return parts.filter(Boolean);
}

export function mountFeedback(panel) {
  panel.innerHTML = TEMPLATE;
  translate(panel);
  const input = panel.querySelector('#feedback-input');
  const text = panel.querySelector('#feedback-text');
  const out = panel.querySelector('#feedback');
  const error = panel.querySelector('#feedback-error');
  let shown = null; // the last feedback read, re-rendered when the language changes
  let lastError = null;

  function showError(key, params) {
    lastError = key ? { key, params } : null;
    error.hidden = !key;
    error.textContent = key ? t(key, params) : '';
  }

  async function read(xml) {
    if (!xml.trim()) {
      shown = null;
      out.replaceChildren();
      showError('f.empty');
      return;
    }
    await ready;
    try {
      shown = readFeedback(xml);
      showError(null);
    } catch (e) {
      shown = null;
      showError('f.error', { message: String(e?.message ?? e) });
    }
    out.replaceChildren(...(shown ? render(shown) : []));
  }

  async function open(file) {
    if (!file) return;
    try {
      await read(await file.text());
    } catch (e) {
      showError('f.readFailed', { message: e.message });
    }
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    open(file);
  });
  panel.querySelector('#feedback-read').addEventListener('click', () => read(text.value));
  onFileDrop(panel, open);
  onLangChange(() => {
    translate(panel);
    if (shown) out.replaceChildren(...render(shown));
    if (lastError) error.textContent = t(lastError.key, lastError.params);
  });
}
