// Readable names and hints for the schema's fields.
import { t } from '../i18n.js';

/** `PaymentDate` -> `Payment date`, `IRReportId` -> `IR report id`. */
export function readable(name) {
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [name];
  return words
    .map((w, i) => (w.length > 1 && w === w.toUpperCase() ? w : i === 0 ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase()))
    .join(' ');
}

/** The label of a field: its name in words, then the schema's name (once, when they are the same word). */
export function labelText(name) {
  const words = readable(name);
  return words === name ? name : `${words} (${name})`;
}

/** The hint under a value control: kind, limits, pattern, code list. */
export function hintText(field, type) {
  const parts = [t(`f.kind.${type.kind}`)];
  const { minLength: min, maxLength: max } = type;
  if (max !== null && min !== null && min === max) parts.push(t('f.length.exact', { max }));
  else if (max !== null && min !== null && min > 1) parts.push(t('f.length.range', { min, max }));
  else if (max !== null) parts.push(t('f.length.max', { max }));
  // A boolean's or decimal's pattern says no more than its kind does.
  if (type.kind === 'text' || type.kind === 'integer') for (const p of type.patterns) parts.push(t('f.pattern', { pattern: p }));
  if (field.list) parts.push(t('f.list', { list: field.list }));
  else if (type.values.length) parts.push(t('f.values'));
  parts.push(field.value);
  return parts.join(' · ');
}
