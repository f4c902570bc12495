// The form generated from a record root's schema (`schema(root)`): a
// fieldset per group, a labelled control per value, Add/Remove for what
// repeats, and optional groups folded in <details> whose content is built
// only when opened (the earnings payment record has some 90 group types).
// The model (object paths → what was typed) is the truth; the DOM is its view.
import { t } from '../i18n.js';
import { el } from './dom.js';
import { childPath, getAt, setAt } from './path.js';
import { fieldLabel, placeholderOf, readable, valueHint } from './labels.js';

/** Above this many items of a repeated group, each item is folded until opened. */
const FOLD_ITEMS_OVER = 10;

/**
 * Renders the form of `ctx.schema` into `container`. `ctx`: { schema,
 * model, codeLists, open: Set of opened optional paths, onInput(path,
 * value), onStructure(), onExpand() }.
 */
export function renderForm(ctx, container) {
  // Before the old controls go: a focused one sends 'change' as it is removed,
  // which must not write into the new model.
  ctx.generation = (ctx.generation ?? 0) + 1;
  ctx.nextId = 0;
  ctx.datalists = new Map();
  container.replaceChildren();
  const body = el('div', { class: 'form-body' });
  renderFields(ctx, ctx.schema.group, '', body);
  container.append(body, ...ctx.datalists.values());
}

function newId(ctx, what) {
  ctx.nextId += 1;
  return `form-${what}-${ctx.nextId}`;
}

/** True when `v` holds at least one non-empty value. */
export function hasData(v) {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some(hasData);
  if (typeof v === 'object') return Object.values(v).some(hasData);
  return true;
}

function renderFields(ctx, typeName, base, container) {
  for (const field of ctx.schema.groups[typeName] ?? []) {
    container.append(renderField(ctx, field, childPath(base, field.name)));
  }
}

function renderField(ctx, field, path) {
  if (field.max !== 1) return renderRepeat(ctx, field, path);
  if (field.group) return renderGroup(ctx, field, path, { optional: field.min === 0 });
  return renderValue(ctx, field, path);
}

function requiredMark(field) {
  return field.min > 0 ? el('span', { class: 'required', title: t('form.required'), text: ' *' }) : null;
}

/** A group: a fieldset; an optional one folded in <details>, built when first opened. */
function renderGroup(ctx, field, path, { optional, title, foldedItem = false }) {
  const text = title ?? fieldLabel(field.name);
  const legend = el('legend', {}, text, optional ? null : requiredMark(field));
  const body = el('div', { class: 'group-body' });
  const fieldset = el('fieldset', { class: 'group', 'data-path': path }, legend, body);
  if (!optional) {
    renderFields(ctx, field.group, path, body);
    return fieldset;
  }
  legend.classList.add('visually-hidden'); // the summary shows the name
  const summary = el('summary', {}, text, foldedItem ? null : el('span', { class: 'optional-tag', text: ` ${t('form.optional')}` }));
  const details = el('details', { class: 'optional-group', 'data-group-path': path }, summary, fieldset);
  let built = false;
  details.ensureBuilt = () => {
    if (built) return false;
    built = true;
    renderFields(ctx, field.group, path, body);
    return true;
  };
  details.addEventListener('toggle', () => {
    if (details.open) {
      ctx.open.add(path);
      if (details.ensureBuilt()) ctx.onExpand(details, path);
    } else {
      ctx.open.delete(path);
    }
  });
  if (ctx.open.has(path) || (!foldedItem && hasData(getAt(ctx.model, path)))) {
    details.open = true;
    details.ensureBuilt();
  }
  return details;
}

/** How many items a repeated field shows: what the model has, at least one when required. */
function shownCount(ctx, field, path) {
  const v = getAt(ctx.model, path);
  const n = Array.isArray(v) ? v.length : v === undefined ? 0 : 1;
  return Math.max(n, field.min > 0 ? 1 : 0);
}

/** The model's array at `path`, made as long as the form shows it. */
function modelArray(ctx, field, path) {
  let v = getAt(ctx.model, path);
  if (!Array.isArray(v)) v = v === undefined ? [] : [v];
  const n = shownCount(ctx, field, path);
  while (v.length < n) v.push(field.group ? {} : '');
  setAt(ctx.model, path, v);
  return v;
}

/** A repeated group or value: its items, each with Remove, and Add. */
function renderRepeat(ctx, field, path) {
  const name = readable(field.name);
  const headId = newId(ctx, 'repeat');
  const head = el('div', { class: 'repeat-head', id: headId }, fieldLabel(field.name), requiredMark(field),
    el('span', { class: 'repeat-tag', text: ` ${field.max === null ? t('form.repeats') : t('form.repeatsUpTo', { n: field.max })}` }));
  const items = el('div', { class: 'repeat-items' });
  const add = el('button', { type: 'button', class: 'add button small', 'data-path': path, text: t('form.add', { name }) });
  const wrap = el('div', { class: 'repeat', 'data-path': path, role: 'group', 'aria-labelledby': headId }, head, items, add);

  const draw = () => {
    items.replaceChildren();
    const n = shownCount(ctx, field, path);
    for (let i = 0; i < n; i++) items.append(renderItem(ctx, field, childPath(path, i), i, n, redraw));
    add.disabled = field.max !== null && n >= field.max;
  };
  const redraw = (focusIndex) => {
    draw();
    ctx.onStructure();
    const item = items.children[focusIndex];
    const target = item?.querySelector('summary, input, select, button.add') ?? add;
    target.focus();
  };
  add.addEventListener('click', () => {
    const arr = modelArray(ctx, field, path);
    arr.push(field.group ? {} : '');
    ctx.open.add(childPath(path, arr.length - 1)); // the new item shows open, even among many
    redraw(arr.length - 1);
  });
  draw();
  return wrap;
}

/** One item of a repeated field, with its Remove button. */
function renderItem(ctx, field, path, index, count, redraw) {
  const name = readable(field.name);
  const remove = el('button', {
    type: 'button', class: 'remove button small',
    'aria-label': t('form.removeItem', { name, n: index + 1 }), text: t('form.remove'),
  });
  remove.disabled = count <= field.min;
  remove.addEventListener('click', () => {
    const arr = modelArray(ctx, field, path.replace(/\[\d+\]$/, ''));
    arr.splice(index, 1);
    redraw(Math.max(0, index - 1));
  });
  if (field.group) {
    const title = `${name} ${index + 1} (${field.name})`;
    // Many items (an opened record of hundreds of reports): each folded, built when opened.
    const folded = count > FOLD_ITEMS_OVER && !ctx.open.has(path);
    const group = renderGroup(ctx, field, path, { optional: folded, title, foldedItem: folded });
    const fieldset = folded ? group.querySelector('fieldset') : group;
    fieldset.classList.add('item');
    fieldset.querySelector('legend').after(el('div', { class: 'item-tools' }, remove));
    return group;
  }
  const row = renderValue(ctx, field, path, { itemLabel: `${name} ${index + 1} (${field.name})` });
  row.classList.add('item');
  row.querySelector('.control-line').append(remove);
  return row;
}

/** The choices of a code field: the rules' list (meanings from code-lists.json) or the schema's enumeration. */
function codesOf(ctx, field, value) {
  const list = field.list && ctx.schema.lists[field.list];
  if (list) {
    const meanings = ctx.codeLists[field.list] ?? {};
    return { dated: list.dated, codes: list.codes.map((c) => ({ code: c.code, meaning: c.meaning ?? meanings[c.code] })) };
  }
  if (value.values.length) {
    const meanings = ctx.codeLists[field.name] ?? {};
    return { dated: false, codes: value.values.map((code) => ({ code, meaning: meanings[code] })) };
  }
  return null;
}

function codeText(c) {
  return c.meaning ? `${c.code} – ${c.meaning}` : c.code;
}

/** A dated list's codes as a shared <datalist>: other codes may be typed (the list changes over time). */
function datalistFor(ctx, listName, codes) {
  if (!ctx.datalists.has(listName)) {
    const dl = el('datalist', { id: `form-list-${listName}` });
    for (const c of codes) dl.append(el('option', { value: c.code, label: c.meaning ?? '' }));
    ctx.datalists.set(listName, dl);
  }
  return ctx.datalists.get(listName).id;
}

function controlFor(ctx, field, value, current) {
  const choices = codesOf(ctx, field, value);
  if (choices && choices.dated) {
    return el('input', { type: 'text', inputmode: value.kind === 'integer' ? 'numeric' : null, list: datalistFor(ctx, field.list, choices.codes), autocomplete: 'off' });
  }
  if (choices || value.kind === 'boolean') {
    const codes = choices?.codes ?? [{ code: 'true', meaning: t('form.true') }, { code: 'false', meaning: t('form.false') }];
    const select = el('select', {}, el('option', { value: '', text: t('form.none') }));
    for (const c of codes) select.append(el('option', { value: c.code, text: codeText(c) }));
    if (current !== '' && !codes.some((c) => c.code === current)) {
      select.append(el('option', { value: current, text: t('form.notInList', { code: current }) }));
    }
    return select;
  }
  // A date picker cannot show a date with a time zone (xs:date allows one): such a value stays text.
  if (value.kind === 'date' && (current === '' || /^\d{4}-\d\d-\d\d$/.test(current))) return el('input', { type: 'date' });
  const inputmode = { integer: 'numeric', decimal: 'decimal' }[value.kind];
  return el('input', { type: 'text', inputmode, placeholder: placeholderOf(value.kind) || null, autocomplete: 'off', spellcheck: 'false' });
}

/** The local time now as xs:dateTime with its offset: 2024-01-31T12:00:00+02:00. */
export function nowDateTime(d = new Date()) {
  const p = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
    + `${off < 0 ? '-' : '+'}${p(off / 60)}:${p(off % 60)}`;
}

/** A value: label, control (data-path), hint. */
function renderValue(ctx, field, path, { itemLabel } = {}) {
  const value = ctx.schema.values[field.value] ?? { kind: 'text', minLength: null, maxLength: null, values: [], patterns: [] };
  const raw = getAt(ctx.model, path);
  const current = raw === undefined || raw === null ? '' : String(raw);
  const id = newId(ctx, 'field');
  const hintId = `${id}-hint`;
  const control = controlFor(ctx, field, value, current);
  Object.assign(control, { id, value: current });
  control.dataset.path = path;
  control.dataset.describedby = hintId;
  control.setAttribute('aria-describedby', hintId);
  if (field.min > 0) control.setAttribute('aria-required', 'true');
  const generation = ctx.generation;
  const update = () => {
    if (generation === ctx.generation) ctx.onInput(path, control.value);
  };
  control.addEventListener('input', update);
  control.addEventListener('change', update);
  const label = el('label', { for: id }, itemLabel ?? fieldLabel(field.name), itemLabel ? null : requiredMark(field));
  const line = el('div', { class: 'control-line' }, control);
  if (value.kind === 'dateTime') {
    const now = el('button', { type: 'button', class: 'button small now', text: t('form.now'), 'aria-label': t('form.nowFor', { name: readable(field.name) }) });
    now.addEventListener('click', () => {
      control.value = nowDateTime();
      update();
    });
    line.append(now);
  }
  const hint = el('p', { class: 'hint', id: hintId, text: valueHint(value, field.value, field) });
  return el('div', { class: `field kind-${value.kind}` }, label, line, hint);
}
