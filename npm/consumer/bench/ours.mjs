// One timed run of tulorekisteri's validate in Node, start-up included: the
// clock starts before the package is imported (module load, wasm compile).
// Prints "ms valid|invalid".
const started = performance.now();
const { readFileSync } = await import('node:fs');
const { validateBytes } = await import('tulorekisteri');
// The same checks as xmllint's: the XSD only.
const problems = validateBytes(readFileSync(process.argv[2]), { unsigned: true, schemaOnly: true });
const ms = performance.now() - started;
console.log(`${ms.toFixed(1)} ${problems.length === 0 ? 'valid' : 'invalid'}`);
