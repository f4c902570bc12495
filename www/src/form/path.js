// Object paths as `build` writes them: `DeliveryData.Reports.Report[0].ReportData`
// (keys joined by dots, 0-based array indices in brackets), as arrays of
// keys and indices, and reading/writing the form's model along them.

/** `A.B[0].C` → ['A', 'B', 0, 'C']; '' → []. */
export function splitPath(path) {
  const out = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const m = part.match(/^([^[\]]*)((?:\[\d+\])*)$/);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

/** ['A', 'B', 0, 'C'] → `A.B[0].C`. */
export function joinPath(parts) {
  let s = '';
  for (const p of parts) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** `base` extended by a key or an index. */
export function childPath(base, part) {
  return joinPath([...splitPath(base), part]);
}

/** The value at `path` in `obj`, or undefined. */
export function getAt(obj, path) {
  let cur = obj;
  for (const p of splitPath(path)) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Sets `path` in `obj` to `value`, making the objects and arrays on the way. */
export function setAt(obj, path, value) {
  const parts = splitPath(path);
  let cur = obj;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) {
      cur[p] = value;
      return;
    }
    const wantArray = typeof parts[i + 1] === 'number';
    if (cur[p] == null || typeof cur[p] !== 'object' || Array.isArray(cur[p]) !== wantArray) {
      cur[p] = wantArray ? [] : {};
    }
    cur = cur[p];
  });
}

/** The path one step up (`A.B[0]` → `A.B`, `A.B` → `A`, `A` → ''). */
export function parentPath(path) {
  return joinPath(splitPath(path).slice(0, -1));
}

/**
 * A validator's element path (`/Root/DeliveryData/Reports/Report[1]/Id[2]/Code`,
 * 1-based indices) as an object path below the root key (0-based).
 */
export function elementToObjectPath(elementPath) {
  const steps = elementPath.split('/').filter(Boolean).slice(1);
  return steps
    .map((s) => s.replace(/^[^:[]*:/, '').replace(/\[(\d+)\]/g, (_, n) => `[${Math.max(0, Number(n) - 1)}]`))
    .join('.');
}
