// Labels and hints of the form's fields. The labels are the schema's
// element names made readable (there are no official translations of
// them), with the name itself beside, so that it can be looked up.
import { t } from '../i18n.js';

/** `PaymentDate` → `Payment date`; `IRReportId` → `IR report id`. */
export function readable(name) {
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g);
  if (!words) return name;
  return words
    .map((w, i) => {
      if (w.length > 1 && w === w.toUpperCase()) return w; // an acronym stays
      return i === 0 ? w[0].toUpperCase() + w.slice(1) : w.toLowerCase();
    })
    .join(' ');
}

/** "Payment date (PaymentDate)"; just "Timestamp" when the name reads as it is. */
export function fieldLabel(name) {
  const r = readable(name);
  return r === name ? name : `${r} (${name})`;
}

/** The hint under a value field: its kind, limits and pattern. */
export function valueHint(value, typeName, field) {
  const parts = [t(`form.kind.${value.kind}`)];
  const { minLength: min, maxLength: max } = value;
  if (max != null && min != null && min === max) parts.push(t('form.hint.exactLength', { n: max }));
  else if (max != null) parts.push(t('form.hint.maxLength', { n: max }));
  else if (min != null && min > 1) parts.push(t('form.hint.minLength', { n: min }));
  if (value.patterns.length && value.kind !== 'boolean') parts.push(t('form.hint.pattern', { pattern: value.patterns.join(' | ') }));
  if (field.list) parts.push(t('form.hint.list', { list: field.list }));
  parts.push(typeName);
  return parts.join(' · ');
}

/** A placeholder showing the expected form of dates, times and amounts. */
export function placeholderOf(kind) {
  return {
    dateTime: '2024-01-31T12:00:00+02:00',
    time: '12:00:00',
    decimal: '1500.00',
    integer: '',
  }[kind] ?? '';
}
