// Node's resident size after reading one file and validating it: MODE
// "bytes" (validateBytes, which reads the bytes in chunks), "string"
// (validate, whose string is copied whole into the module's memory) or
// "none" (read only, for comparison). argv: FILE MODE.
import { readFileSync } from 'node:fs';
import { validate, validateBytes } from 'tulorekisteri';

const [file, mode] = process.argv.slice(2);
const bytes = readFileSync(file);
const options = { unsigned: true, schemaOnly: true };
const run = { bytes: () => validateBytes(bytes, options), string: () => validate(bytes.toString('utf8'), options), none: () => [] };
const problems = run[mode]();
const mib = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
console.log(`${mode}: ${mib} MiB resident, ${problems.length} problems`);
