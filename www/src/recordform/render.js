// Makes the form's DOM from a record schema (schema(root)), at run time:
// a fieldset per group, a control per value, Add/Remove for lists. Optional
// groups are folded in <details> and made only when first opened, so the
// big earnings payment tree costs nothing until it is used.
import { t } from '../i18n.js';
import { labelText, hintText } from './labels.js';
import { getAt, setAt, join, isEmpty, fromText, toText } from './model.js';

/** The element id of the control at `path` (ids cannot hold dots or brackets usefully). */
export function controlId(path) {
  return `rf-${path.replace(/\./g, '_').replace(/\[(\d+)\]/g, '-$1')}`;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

function requiredMark() {
  return el('span', { class: 'rf-required', title: t('f.required') }, el('span', { 'aria-hidden': 'true', text: ' *' }), el('span', { class: 'visually-hidden', text: ` (${t('f.required')})` }));
}

const repeats = (f) => f.max === null || f.max > 1;

/**
 * A renderer bound to one schema and one record object (`state.record`);
 * `onChange()` is called after every edit.
 */
export function createRenderer(schema, codeLists, state, onChange) {
  /** The <option>s of a field, or null when it takes free text. */
  function options(field, type) {
    const list = field.list && schema.lists[field.list];
    if (list) {
      const meanings = codeLists[field.list] ?? {};
      return list.codes.map((c) => ({ value: c.code, meaning: c.meaning ?? meanings[c.code] }));
    }
    if (type.kind === 'boolean') return [{ value: 'true' }, { value: 'false' }];
    if (type.values.length) return type.values.map((v) => ({ value: v }));
    return null;
  }

  function valueControl(field, path) {
    const type = schema.values[field.value] ?? { kind: 'text', minLength: null, maxLength: null, values: [], patterns: [] };
    const id = controlId(path);
    const current = toText(getAt(state.record, path));
    const opts = options(field, type);
    let control;
    if (opts) {
      control = el('select', {});
      control.append(el('option', { value: '', text: t('f.empty') }));
      for (const o of opts) control.append(el('option', { value: o.value, text: o.meaning ? `${o.value} – ${o.meaning}` : o.value }));
      // A value the list does not know (an older list, a typo) is kept and shown as such.
      if (current && !opts.some((o) => o.value === current)) control.append(el('option', { value: current, text: t('f.notInList', { code: current }) }));
    } else if (type.kind === 'date' && (current === '' || /^\d{4}-\d{2}-\d{2}$/.test(current))) {
      control = el('input', { type: 'date' });
    } else {
      control = el('input', {
        type: 'text',
        inputmode: type.kind === 'integer' ? 'numeric' : type.kind === 'decimal' ? 'decimal' : undefined,
        autocomplete: 'off',
        spellcheck: 'false',
      });
    }
    control.id = id;
    control.className = 'rf-control';
    control.dataset.path = path;
    control.dataset.kind = type.kind;
    control.setAttribute('aria-describedby', `${id}-hint`);
    if (field.min >= 1) control.setAttribute('aria-required', 'true');
    control.value = current;
    control.addEventListener(opts ? 'change' : 'input', () => {
      setAt(state.record, control.dataset.path, fromText(type.kind, control.value));
      onChange();
    });
    return { control, hint: el('p', { class: 'rf-hint', id: `${id}-hint`, text: hintText(field, type) }) };
  }

  function valueField(field, path, label) {
    const { control, hint } = valueControl(field, path);
    const lab = el('label', { for: control.id, text: label });
    if (field.min >= 1) lab.append(requiredMark());
    return el('div', { class: 'rf-field' }, lab, control, hint);
  }

  function groupBody(typeName, path, fieldset) {
    for (const f of schema.groups[typeName] ?? []) fieldset.append(field(f, join(path, f.name)));
  }

  function group(f, path, legendText, required) {
    const fieldset = el('fieldset', { class: 'rf-group', 'data-path': path });
    const legend = el('legend', { text: legendText });
    if (required) legend.append(requiredMark());
    fieldset.append(legend);
    if (required) {
      groupBody(f.group, path, fieldset);
      return fieldset;
    }
    // Folded until opened; made on first opening.
    legend.className = 'visually-hidden';
    const details = el('details', { class: 'rf-optional' }, el('summary', { text: legendText }), fieldset);
    const make = () => {
      if (fieldset.dataset.built) return;
      fieldset.dataset.built = '1';
      groupBody(f.group, path, fieldset);
    };
    details.addEventListener('toggle', () => details.open && make());
    if (!isEmpty(getAt(state.record, path))) {
      make();
      details.open = true;
    }
    return details;
  }

  function repeat(f, path) {
    const wrapper = el('div', { class: 'rf-repeat', 'data-array-path': path });
    const title = el('div', { class: 'rf-repeat-title', text: labelText(f.name) });
    if (f.min >= 1) title.append(requiredMark());
    const items = el('div', { class: 'rf-items' });
    const add = el('button', { type: 'button', class: 'add button small', 'data-path': path, text: t('f.add', { name: f.name }) });
    wrapper.append(title, items, add);

    const list = () => {
      let arr = getAt(state.record, path);
      if (!Array.isArray(arr)) {
        arr = [];
        setAt(state.record, path, arr);
      }
      return arr;
    };
    const blank = () => (f.group ? {} : null);

    function draw() {
      const arr = list();
      while (arr.length < f.min) arr.push(blank());
      items.replaceChildren();
      arr.forEach((_, i) => {
        const itemPath = `${path}[${i}]`;
        const name = t('f.item', { name: f.name, n: i + 1 });
        const remove = el('button', { type: 'button', class: 'remove button small', 'aria-label': t('f.removeItem', { name: f.name, n: i + 1 }), text: t('f.remove') });
        remove.disabled = arr.length <= f.min;
        remove.addEventListener('click', () => {
          list().splice(i, 1);
          draw();
          onChange();
          const next = items.children[Math.min(i, items.children.length - 1)];
          (next?.querySelector('.rf-control, button') ?? add).focus();
        });
        if (f.group) {
          const fieldset = el('fieldset', { class: 'rf-group rf-item', 'data-path': itemPath }, el('legend', { text: name }), remove);
          groupBody(f.group, itemPath, fieldset);
          items.append(fieldset);
        } else {
          const row = valueField(f, itemPath, name);
          row.classList.add('rf-item');
          row.append(remove);
          items.append(row);
        }
      });
      add.disabled = f.max !== null && arr.length >= f.max;
    }

    add.addEventListener('click', () => {
      list().push(blank());
      draw();
      onChange();
      items.lastElementChild?.querySelector('.rf-control')?.focus();
    });
    draw();
    return wrapper;
  }

  function field(f, path) {
    if (repeats(f)) return repeat(f, path);
    if (f.group) return group(f, path, labelText(f.name), f.min >= 1);
    return valueField(f, path, labelText(f.name));
  }

  return {
    /** (Re)makes the whole form in `container` from `state.record`. */
    render(container) {
      container.replaceChildren();
      groupBody(schema.group, '', container);
    },
  };
}
