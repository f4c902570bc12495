// Problems shown where they are: each diagnostic's object path finds its
// control (or, when the path goes below what the form shows, the nearest
// group that is shown), which gets a `.field-error` and aria-invalid; a
// folded group with problems inside says so on its summary.
import { t } from '../i18n.js';
import { el } from './dom.js';
import { parentPath } from './path.js';

const CONTROLS = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Every element of `form` that shows a path, by its path. */
function pathIndex(form) {
  const index = new Map();
  // Not the Add buttons: they carry their array's path too.
  for (const e of form.querySelectorAll('[data-path]:not(button)')) index.set(e.dataset.path, e);
  return index;
}

/** The element showing `path`, or the nearest one above it; the form itself at the top. */
export function nearest(form, path, index = pathIndex(form)) {
  let p = path;
  for (;;) {
    const found = index.get(p);
    if (found) return found;
    if (p === '') return form;
    p = parentPath(p);
  }
}

/** Removes every problem shown in `root` (the form, or a part of it). */
export function clearProblems(root) {
  for (const e of root.querySelectorAll('.field-error')) e.remove();
  const marked = [...root.querySelectorAll('[aria-invalid]')];
  if (root.hasAttribute?.('aria-invalid')) marked.push(root);
  for (const c of marked) {
    c.removeAttribute('aria-invalid');
    if (c.dataset.describedby) c.setAttribute('aria-describedby', c.dataset.describedby);
    else c.removeAttribute('aria-describedby');
  }
  for (const s of root.querySelectorAll('summary.has-error')) {
    s.classList.remove('has-error');
    s.querySelector('.summary-error')?.remove();
  }
}

let serial = 0;

/** Shows problem `d` at `target` (a control, a group, a repeat or the form). */
function place(form, target, d) {
  serial += 1;
  const id = `form-error-${serial}`;
  const msg = el('p', { class: `field-error ${d.severity === 'warning' ? 'warning' : 'error'}`, id },
    el('span', { class: 'code', text: d.code }), ' ', d.message);
  if (CONTROLS.has(target.tagName)) {
    target.after(msg);
  } else if (target.tagName === 'FIELDSET') {
    target.querySelector(':scope > legend').after(msg);
  } else if (target.classList.contains('repeat')) {
    target.querySelector(':scope > .repeat-head').after(msg);
  } else {
    target.prepend(msg);
  }
  if (target !== form) {
    target.setAttribute('aria-invalid', 'true');
    const ids = (target.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    target.setAttribute('aria-describedby', [...ids, id].join(' '));
  }
  // The summaries of the closed groups around it tell that something inside needs a look.
  for (let d2 = target.closest('details:not([open])'); d2; d2 = d2.parentElement?.closest('details:not([open])')) {
    const summary = d2.querySelector(':scope > summary');
    if (summary.classList.contains('has-error')) continue;
    summary.classList.add('has-error');
    summary.append(el('span', { class: 'summary-error', text: ` ${t('form.problemsInside')}` }));
  }
}

/** Shows each problem at its place in `form`. */
export function attachProblems(form, problems) {
  clearProblems(form);
  const index = pathIndex(form);
  for (const d of problems) place(form, nearest(form, d.path ?? '', index), d);
}

/**
 * After the folded group `details` (showing `path`) is built: its problems,
 * which sat on the group, move to their fields. Only that part is redone,
 * so opening one report of hundreds stays quick.
 */
export function attachWithin(form, details, path, problems) {
  const scope = details.querySelector(':scope > fieldset');
  clearProblems(scope);
  const summary = details.querySelector(':scope > summary');
  summary.classList.remove('has-error');
  summary.querySelector('.summary-error')?.remove();
  const index = pathIndex(scope);
  index.set(path, scope);
  for (const d of problems) {
    const p = d.path ?? '';
    if (p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) place(form, nearest(scope, p, index), d);
  }
}

/**
 * Opens the folded groups on the way to `path` (building them), then
 * focuses what shows it. `reapply(details)` re-attaches the problems to what was built.
 */
export function reveal(form, path, reapply) {
  for (let guard = 0; guard < 50; guard++) {
    const target = nearest(form, path);
    const closed = target.closest('details:not([open])');
    if (!closed) {
      const focusable = CONTROLS.has(target.tagName) ? target : target.querySelector('input, select, button') ?? target;
      focusable.scrollIntoView({ block: 'center' });
      focusable.focus();
      return;
    }
    // Open the outermost closed one first; building it may show more of the path.
    let outer = closed;
    for (let up = closed.parentElement?.closest('details:not([open])'); up; up = up.parentElement?.closest('details:not([open])')) outer = up;
    outer.open = true;
    if (outer.ensureBuilt?.()) reapply(outer);
  }
}

/** The list of every problem (#form-problems): buttons that go to the place. */
export function listProblems(list, problems, onGo) {
  list.replaceChildren();
  for (const d of problems) {
    const button = el('button', { type: 'button', class: `problem ${d.severity === 'warning' ? 'warning' : ''}`, 'data-path': null, 'data-target': d.path },
      el('span', { class: 'code', text: d.code }), ' ', d.message, ' ',
      el('span', { class: 'path', text: d.path || t('form.wholeRecord') }));
    button.addEventListener('click', () => onGo(d.path ?? ''));
    list.append(el('li', {}, button));
  }
}
