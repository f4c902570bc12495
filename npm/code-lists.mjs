// Writes the package's code-lists.json, {ListName: {code: meaning_fi}}, from
// the project's schemas/code-lists.csv (Koodistot 2022; see schemas/README.md):
// the meanings a form shows beside each code. Usage: node npm/code-lists.mjs OUT.json
import { readFileSync, writeFileSync } from 'node:fs';

/** The fields of one CSV line: commas, and double quotes around a field with commas or quotes. */
function fields(line) {
  const out = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') { value += '"'; i += 2; }
        else if (line[i] === '"') { i += 1; break; }
        else { value += line[i]; i += 1; }
      }
      out.push(value);
      i += 1; // the comma
    } else {
      const end = line.indexOf(',', i) === -1 ? line.length : line.indexOf(',', i);
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

const csv = new URL('../schemas/code-lists.csv', import.meta.url);
const [header, ...rows] = readFileSync(csv, 'utf8').split('\n').filter((l) => l.trim() !== '');
if (header.trim() !== 'list,code,meaning_fi') throw new Error(`schemas/code-lists.csv: unexpected header ${header}`);
const lists = {};
rows.forEach((row, i) => {
  const [list, code, meaning] = fields(row);
  if (!list || code === undefined || meaning === undefined) throw new Error(`schemas/code-lists.csv:${i + 2}: expected list,code,meaning_fi`);
  (lists[list] ??= {})[code] = meaning;
});
writeFileSync(process.argv[2], JSON.stringify(lists) + '\n');
