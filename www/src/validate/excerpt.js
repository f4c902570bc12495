// Lines of a large file, read from its bytes (a slice of the File) with the
// worker's index of line starts: the editor never holds the whole file.

/** About this many lines are shown around a chosen line. */
export const EXCERPT_LINES = 200;

/**
 * The text of lines `from`..`to` (1-based, inclusive, as far as the file
 * goes) and the real range: `{text, from, to}`. `index` is
 * `{step, starts, lines}` from the worker, or null (then from the start).
 */
export async function readLines(file, index, around) {
  const lines = index?.lines ?? Infinity;
  let from = Math.max(1, around - Math.floor(EXCERPT_LINES / 2));
  let to = Math.min(lines, from + EXCERPT_LINES - 1);
  from = Math.max(1, Math.min(from, to - EXCERPT_LINES + 1));
  let startLine = 1;
  let startByte = 0;
  let endByte = Math.min(file.size, 1 << 20); // without an index: the first MiB is plenty for 200 lines
  if (index) {
    const k = Math.floor((from - 1) / index.step);
    startLine = k * index.step + 1;
    startByte = index.starts[k];
    const kEnd = Math.floor(to / index.step) + 1;
    endByte = kEnd < index.starts.length ? index.starts[kEnd] : file.size;
  }
  const text = await file.slice(startByte, endByte).text();
  const all = text.split('\n');
  const skip = from - startLine;
  const picked = all.slice(skip, skip + (to - from + 1)).map((l) => l.replace(/\r$/, ''));
  return { text: picked.join('\n'), from, to: from + picked.length - 1 };
}

/** "12.3 MB" */
export function size(bytes) {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}
