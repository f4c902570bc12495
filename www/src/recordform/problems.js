// Puts build()'s diagnostics on the form: at the control of their path, or
// on the nearest group the form shows; and lists them all.
import { t, tn } from '../i18n.js';
import { parentPath } from './model.js';

const esc = (s) => CSS.escape(s);

/** The control, or the nearest shown group, for a diagnostic's path. */
export function target(form, path) {
  for (let p = path; ; p = parentPath(p)) {
    if (p) {
      const control = form.querySelector(`.rf-control[data-path="${esc(p)}"]`);
      if (control) return { control };
      const group = form.querySelector(`fieldset[data-path="${esc(p)}"], .rf-repeat[data-array-path="${esc(p)}"]`);
      if (group) return { group };
    }
    if (!p) return { group: form };
  }
}

/** Removes the marks of the previous build. */
export function clearMarks(form) {
  for (const e of form.querySelectorAll('.field-error')) e.remove();
  for (const c of form.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid');
    c.setAttribute('aria-describedby', `${c.id}-hint`);
  }
  for (const s of form.querySelectorAll('summary.rf-has-error')) s.classList.remove('rf-has-error');
  for (const g of form.querySelectorAll('[data-error-id]')) {
    g.removeAttribute('aria-describedby');
    delete g.dataset.errorId;
  }
}

let serial = 0;

/** Marks every diagnostic at its place; returns the targets, in order. */
export function mark(form, diagnostics) {
  const byTarget = new Map();
  const targets = diagnostics.map((d) => {
    const tg = target(form, d.path ?? '');
    const el = tg.control ?? tg.group;
    if (!byTarget.has(el)) byTarget.set(el, { tg, messages: [] });
    byTarget.get(el).messages.push(d);
    return el;
  });
  for (const [el, { tg, messages }] of byTarget) {
    const box = document.createElement(tg.control ? 'span' : 'div');
    box.className = 'field-error';
    box.id = `${tg.control ? tg.control.id : `rf-group-${++serial}`}-error`;
    for (const d of messages) {
      const line = document.createElement('span');
      line.className = `rf-message ${d.severity}`;
      // Below a group, say which part of it is meant.
      line.textContent = tg.group && d.path ? `${d.message} (${d.path})` : d.message;
      box.append(line);
    }
    if (tg.control) {
      tg.control.after(box);
      if (messages.some((d) => d.severity !== 'warning')) tg.control.setAttribute('aria-invalid', 'true');
      tg.control.setAttribute('aria-describedby', `${box.id} ${tg.control.id}-hint`);
    } else {
      const legend = el.querySelector(':scope > legend, :scope > .rf-repeat-title');
      if (legend) legend.after(box);
      else el.prepend(box);
      el.dataset.errorId = box.id;
      el.setAttribute('aria-describedby', box.id);
    }
    // A folded group that holds a problem says so on its summary.
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details')) {
      d.querySelector(':scope > summary')?.classList.add('rf-has-error');
    }
  }
  return targets;
}

/** Opens the folded groups around `el` and gives it the focus. */
export function focusAt(el) {
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
  const focusable = el.matches('input, select, textarea, button') ? el : el.querySelector('.rf-control, button');
  if (focusable) focusable.focus();
  else {
    el.tabIndex = -1;
    el.focus();
  }
  (focusable ?? el).scrollIntoView({ block: 'center' });
}

/** Fills #form-problems with the build's problems (buttons that go to their field). */
export function list(box, diagnostics, targets) {
  box.replaceChildren();
  const heading = document.createElement('h3');
  heading.textContent = diagnostics.length ? `${t('f.problems')}: ${tn('f.problems.count', diagnostics.length)}` : t('f.problems.none');
  box.append(heading);
  if (!diagnostics.length) return;
  const ul = document.createElement('ul');
  diagnostics.forEach((d, i) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `form-problem ${d.severity}`;
    button.dataset.path = d.path ?? '';
    button.dataset.code = d.code;
    button.textContent = `${d.path || '/'}: ${d.code}: ${d.message}`;
    button.addEventListener('click', () => focusAt(targets[i]));
    const li = document.createElement('li');
    li.append(button);
    ul.append(li);
  });
  box.append(ul);
}

/** Shows why a record could not be opened: a message, and its problems by line. */
export function listOpenFailure(box, message, diagnostics = []) {
  box.replaceChildren();
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  box.append(p);
  if (!diagnostics.length) return;
  const ul = document.createElement('ul');
  ul.className = 'rf-open-problems';
  for (const d of diagnostics.slice(0, 200)) {
    const li = document.createElement('li');
    li.textContent = `${d.line}:${d.column} ${d.code}: ${d.message}${d.path ? ` (${d.path})` : ''}`;
    ul.append(li);
  }
  box.append(ul);
}
