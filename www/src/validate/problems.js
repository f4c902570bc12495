// The problem list: errors and warnings, each a button that takes the
// editor to the problem's line and column.
import { t, tn } from '../i18n.js';

/** At most this many buttons per list; a broken large file can have very many problems. */
const MAX_LISTED = 500;

function section(id, headingKey) {
  const box = document.createElement('section');
  box.className = 'problem-group';
  const h = document.createElement('h3');
  h.id = `${id}-heading`;
  const title = document.createElement('span');
  title.dataset.i18n = headingKey;
  title.textContent = t(headingKey);
  const count = document.createElement('span');
  count.className = 'count';
  h.append(title, ' ', count);
  const list = document.createElement('ul');
  list.id = id;
  list.setAttribute('aria-labelledby', h.id);
  const more = document.createElement('p');
  more.className = 'more';
  more.hidden = true;
  box.append(h, list, more);
  return { box, list, count, more };
}

function item(p) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `problem ${p.severity}`;
  Object.assign(b.dataset, { line: p.line, column: p.column, code: p.code, severity: p.severity });
  const where = document.createElement('span');
  where.className = 'where';
  where.textContent = `${p.line}:${p.column}`;
  const code = document.createElement('span');
  code.className = 'code';
  code.textContent = p.code;
  const message = document.createElement('span');
  message.className = 'message';
  message.textContent = p.message;
  const path = document.createElement('span');
  path.className = 'path';
  path.textContent = p.path;
  b.append(where, ' ', code, ' ', message, path);
  li.append(b);
  return li;
}

export function createProblemList(container, onChoose) {
  const errors = section('errors', 'v.list.errors');
  const warnings = section('warnings', 'v.list.warnings');
  container.append(errors.box, warnings.box);
  container.addEventListener('click', (e) => {
    const b = e.target.closest('button.problem');
    if (b) onChoose(Number(b.dataset.line), Number(b.dataset.column));
  });

  function fill(part, problems) {
    part.count.textContent = `(${problems.length})`;
    const shown = problems.slice(0, MAX_LISTED);
    const fragment = document.createDocumentFragment();
    if (problems.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = t('v.list.none');
      fragment.append(li);
    }
    for (const p of shown) fragment.append(item(p));
    part.list.replaceChildren(fragment);
    part.more.hidden = problems.length <= shown.length;
    part.more.textContent = t('v.list.more', { n: problems.length - shown.length, shown: shown.length });
  }

  return {
    show(problems) {
      fill(errors, problems.filter((p) => p.severity !== 'warning'));
      fill(warnings, problems.filter((p) => p.severity === 'warning'));
    },
  };
}

/** "3 errors, 1 warning", "Valid" or "Valid, 1 warning". */
export function summary(errorCount, warningCount) {
  const w = warningCount ? tn('v.warnings', warningCount) : '';
  if (errorCount === 0) return w ? t('v.status.validWarnings', { warnings: w }) : t('v.status.valid');
  return [tn('v.errors', errorCount), w].filter(Boolean).join(', ');
}
