// One timed run of xmllint-wasm with the official XSDs, start-up included:
// the clock starts before the package is imported. argv: FILE SCHEMA_DIR MODE
// (MODE "stream" passes --stream, as for the native xmllint benchmark).
const started = performance.now();
const { readFileSync, readdirSync } = await import('node:fs');
const { join } = await import('node:path');
const { validateXML, memoryPages } = (await import('xmllint-wasm')).default;
const [file, schemaDir, mode] = process.argv.slice(2);
const main = 'WageReportsToIR.xsd';
const preload = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.xsd') && f !== main)
  .map((f) => ({ fileName: f, contents: readFileSync(join(schemaDir, f)) }));
const result = await validateXML({
  xml: [{ fileName: 'record.xml', contents: readFileSync(file) }],
  schema: [{ fileName: main, contents: readFileSync(join(schemaDir, main)) }],
  preload,
  stream: mode === 'stream',
  initialMemoryPages: 256,
  maxMemoryPages: 2 * memoryPages.GiB,
});
const ms = performance.now() - started;
console.log(`${ms.toFixed(1)} ${result.valid ? 'valid' : 'invalid'}`);
if (!result.valid) console.error(result.errors.slice(0, 3));
