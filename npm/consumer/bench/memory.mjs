// The module's memory after validating one file: WebAssembly memory only
// grows, so what one validation takes stays taken. MODE "bytes" uses
// validateBytes, "string" validate on the file's text. argv: FILE MODE.
// The package's web module is loaded by path, for its memory export.
import { readFileSync } from 'node:fs';

const [file, mode] = process.argv.slice(2);
const pkg = new URL('.', import.meta.resolve('tulorekisteri'));
const m = await import(new URL('tulorekisteri.js', pkg));
const { memory } = m.initSync({ module: readFileSync(new URL('tulorekisteri_bg.wasm', pkg)) });
const bytes = readFileSync(file);
const options = { unsigned: true, schemaOnly: true };
const problems = mode === 'string' ? m.validate(bytes.toString('utf8'), options) : m.validateBytes(bytes, options);
const mib = (memory.buffer.byteLength / 2 ** 20).toFixed(1);
console.log(`${mode}: ${bytes.length} bytes validated, ${problems.length} problems, module memory ${mib} MiB`);
