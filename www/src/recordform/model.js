// The record object the form edits (below the root key), addressed by the
// same paths as build()'s diagnostics: `A.B[0].C`.

/** `A.B[0].C` -> ['A', 'B', 0, 'C']. */
export function splitPath(path) {
  const parts = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return parts;
}

/** The path one step up (`A.B[0].C` -> `A.B[0]` -> `A.B` -> `A`), or '' at the top. */
export function parentPath(path) {
  const m = path.match(/^(.*)(\[\d+\]|\.[^.[\]]+)$/);
  return m ? m[1] : '';
}

export function join(prefix, name) {
  return prefix ? `${prefix}.${name}` : name;
}

export function getAt(obj, path) {
  let v = obj;
  for (const p of splitPath(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[p];
  }
  return v;
}

/** Sets (or, for undefined, deletes) the value at `path`, making the groups on the way. */
export function setAt(obj, path, value) {
  const parts = splitPath(path);
  let v = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (v[p] === null || typeof v[p] !== 'object') v[p] = typeof parts[i + 1] === 'number' ? [] : {};
    v = v[p];
  }
  const last = parts[parts.length - 1];
  if (value === undefined) {
    if (Array.isArray(v)) v[last] = null;
    else delete v[last];
  } else v[last] = value;
}

/** True when `v` holds no value at all (the form leaves it out). */
export function isEmpty(v) {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.every(isEmpty);
  if (typeof v === 'object') return Object.values(v).every(isEmpty);
  return false;
}

/**
 * The object to build: empty values and groups left out. An empty item of
 * a list that has other items stays (as {} or null), so that the indices
 * of the diagnostics are the form's.
 */
export function prune(v) {
  if (isEmpty(v)) return undefined;
  if (Array.isArray(v)) return v.map((item) => prune(item) ?? (item !== null && typeof item === 'object' ? {} : null));
  if (typeof v === 'object') {
    const out = {};
    for (const [k, item] of Object.entries(v)) {
      const p = prune(item);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return v;
}

/** A control's text as the record's value of this kind (undefined = absent). */
export function fromText(kind, text) {
  if (text === '') return undefined;
  if (kind === 'integer') return /^[+-]?\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : text;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** A record's value as a control's text. */
export function toText(value) {
  if (value === undefined || value === null) return '';
  return String(value);
}
