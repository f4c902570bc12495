// Adds the Node entry and the conditional exports to the package.json that
// wasm-pack wrote: Node gets node.js (initialised on import), browsers and
// bundlers get the --target web module (call its default export `init()` once).
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2];
const pkg = JSON.parse(readFileSync(path, 'utf8'));
pkg.files = [...new Set([...(pkg.files ?? []), 'node.js', 'node.d.ts', 'snippets', 'code-lists.json'])];
pkg.exports = {
  '.': {
    node: { types: './node.d.ts', default: './node.js' },
    types: './tulorekisteri.d.ts',
    default: './tulorekisteri.js',
  },
  './tulorekisteri_bg.wasm': './tulorekisteri_bg.wasm',
  './code-lists.json': './code-lists.json',
};
pkg.keywords = ['tulorekisteri', 'incomes-register', 'payroll', 'xml', 'xsd', 'webassembly'];
writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
