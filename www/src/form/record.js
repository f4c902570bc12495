// The form's model (what the controls hold: strings, as typed, at object
// paths) turned into the record object `build` takes: integers as numbers,
// booleans as true/false, amounts and the rest as strings; empty means
// absent. Array items stay where they are, even empty ones, so that the
// indices of build's problems are the indices the form shows.

const INTEGER = /^[+-]?\d+$/;

/** One value as the record object holds it, or undefined when empty. */
export function convertValue(raw, kind) {
  if (raw == null) return undefined;
  if (typeof raw !== 'string') return raw; // already typed (from parse)
  const s = raw.trim();
  if (s === '') return undefined;
  if (kind === 'integer' && INTEGER.test(s)) {
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
  }
  if (kind === 'boolean' && (s === 'true' || s === 'false')) return s === 'true';
  // Anything else goes as written: build says what is wrong with it.
  return s;
}

function isEmpty(v) {
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

/** The record object of the group of type `typeName` from its model `model`, or undefined when empty. */
export function toRecord(schema, typeName, model) {
  if (model == null || typeof model !== 'object') return undefined;
  const out = {};
  for (const field of schema.groups[typeName] ?? []) {
    const raw = model[field.name];
    if (raw === undefined) continue;
    const one = field.group
      ? (item) => toRecord(schema, field.group, item)
      : (item) => convertValue(item, schema.values[field.value]?.kind);
    if (field.max !== 1) {
      const items = (Array.isArray(raw) ? raw : [raw]).map(one);
      if (items.every(isEmpty)) continue;
      // An empty item stays as {} / null, so the indices do not shift.
      out[field.name] = items.map((v) => (v === undefined ? (field.group ? {} : null) : v));
    } else {
      const v = one(raw);
      if (!isEmpty(v)) out[field.name] = v;
    }
  }
  return Object.keys(out).length ? out : undefined;
}
