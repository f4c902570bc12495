// Runs tulorekisteri (ours.mjs) and xmllint-wasm (xmllint.mjs, DOM and
// --stream) on one record, alternately, RUNS times each, each run a fresh
// Node process. Prints the median of the in-process time (import, start-up
// and validation; the clock starts before the package is imported) and of
// the whole process (Node's own start included), and the ratios.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [file, schemaDir] = process.argv.slice(2);
const runs = Number(process.env.RUNS ?? 7);
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const contenders = {
  'tulorekisteri (wasm)': [here('ours.mjs'), file],
  'xmllint-wasm': [here('xmllint.mjs'), file, schemaDir, 'dom'],
  'xmllint-wasm --stream': [here('xmllint.mjs'), file, schemaDir, 'stream'],
};
const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, { inside: [], process: [] }]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(contenders)) {
    const t = performance.now();
    const out = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const whole = performance.now() - t;
    const [ms, verdict] = out.stdout.trim().split(' ');
    if (out.status !== 0 || verdict !== 'valid') {
      throw new Error(`${name}: ${out.stdout} ${out.stderr}`);
    }
    times[name].inside.push(Number(ms));
    times[name].process.push(whole);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = times['tulorekisteri (wasm)'];
console.log('| validator | start-up + validation (median) | whole Node process (median) | ratio (start-up + validation) | ratio (process) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, t] of Object.entries(times)) {
  const inside = median(t.inside);
  const whole = median(t.process);
  const r1 = (inside / median(ours.inside)).toFixed(1);
  const r2 = (whole / median(ours.process)).toFixed(1);
  console.log(`| ${name} | ${inside.toFixed(0)} ms | ${whole.toFixed(0)} ms | ${r1}x | ${r2}x |`);
}
