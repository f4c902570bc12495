// The page's speed in Chromium on this machine, written to
// www/test-output/speed.json and printed as the table docs/www.md shows:
// the page's own files gzipped; load to the first validation of a
// one-report draft; last keystroke to the updated problem list; and the
// 12 MB record in a worker, against xmllint-wasm in a worker on the same
// page in the same run (medians of alternating runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join, relative } from 'node:path';
import {
  DIST, DIST_BENCH, OUTPUT, REFERENCE, median, need, openSite, serve, validationCount, waitForValidation,
} from './harness.mjs';
import { bigRecordFile, wageRecord } from './records.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const figures = {};
function keep(name, value) {
  figures[name] = value;
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, 'speed.json'), JSON.stringify(figures, null, 2) + '\n');
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]);
}

test('the page\'s own JavaScript and wasm, gzipped', (t) => {
  if (!need(t, existsSync(join(DIST, 'index.html')), 'the built page (www/dist)')) return;
  const sizes = files(DIST)
    .filter((f) => /\.(js|wasm|css|html)$/.test(f))
    .map((f) => ({ file: relative(DIST, f), bytes: statSync(f).size, gzipped: gzipSync(readFileSync(f), { level: 9 }).length }));
  const total = (re) => sizes.filter((s) => re.test(s.file)).reduce((a, s) => a + s.gzipped, 0);
  keep('sizes', { files: sizes, js: total(/\.js$/), wasm: total(/\.wasm$/), all: total(/./) });
  for (const s of sizes) console.log(`# ${s.file}: ${s.bytes} bytes, ${s.gzipped} gzipped`);
  assert.ok(sizes.some((s) => s.file.endsWith('.wasm')), 'the package\'s wasm is part of the page');
  assert.ok(!sizes.some((s) => /xmllint/.test(s.file)), 'xmllint-wasm is only on the speed page');
});

test('load to the first validation, and keystroke to the updated problem list, of a one-report draft', { timeout: 120_000 }, async (t) => {
  if (!need(t, existsSync(join(REFERENCE, 'samples')), `the official samples (${REFERENCE})`)) return;
  const draft = wageRecord({ deliveryId: 'speed-1' });
  const loads = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await openSite(t, {
      beforeLoad: { script: (xml) => localStorage.setItem('tulorekisteri.draft', xml), arg: draft },
    });
    if (!s) return;
    try {
      const first = await waitForValidation(s.page, 0, "d.source === 'editor'");
      loads.push(first.shownAt);
    } finally {
      await s.close();
    }
  }
  const s = await openSite(t, {
    beforeLoad: { script: (xml) => localStorage.setItem('tulorekisteri.draft', xml), arg: draft },
  });
  if (!s) return;
  const { page } = s;
  const latencies = [];
  const workers = [];
  try {
    await waitForValidation(page, 0, "d.source === 'editor'");
    const debounce = Number(await page.getAttribute('#panel-validate', 'data-debounce-ms'));
    assert.ok(debounce > 0, 'the panel says its debounce');
    // Type into the Source element's text, then take it back, one key at a time.
    const line = await page.locator('.cm-line', { hasText: '<Source>' }).first();
    await line.click();
    await page.keyboard.press('End');
    for (let i = 0; i < 2 * RUNS + 5; i++) {
      const count = await validationCount(page);
      await page.keyboard.press(i % 2 ? 'Backspace' : 'x');
      const d = await waitForValidation(page, count, "d.source === 'editor' && d.editedAt !== null");
      latencies.push(d.shownAt - d.editedAt - debounce);
      workers.push(d.workerMs);
    }
  } finally {
    await s.close();
  }
  const result = {
    loadToFirstValidationMs: median(loads),
    keystrokeToListMs: median(latencies),
    keystrokeWorkerMs: median(workers),
    runs: { loads, latencies },
  };
  keep('draft', result);
  console.log(`# load to first validation: ${result.loadToFirstValidationMs.toFixed(0)} ms (median of ${loads.length})`);
  console.log(`# keystroke to list after the debounce: ${result.keystrokeToListMs.toFixed(1)} ms (median of ${latencies.length}; the worker's call ${result.keystrokeWorkerMs.toFixed(1)} ms)`);
  // The target is under 50 ms; a loaded CI machine gets room, the docs say what was measured.
  assert.ok(result.keystrokeToListMs < 150, `keystroke to list ${result.keystrokeToListMs} ms`);
});

test('the 12 MB record in a worker, against xmllint-wasm in a worker on the same page', { timeout: 600_000 }, async (t) => {
  if (!need(t, existsSync(join(REFERENCE, 'schema')), `the official schemas (${REFERENCE})`)) return;
  if (!need(t, existsSync(join(DIST_BENCH, 'bench.html')), 'the speed page (www/dist-bench; bash scripts/www.sh test builds it)')) return;
  const file = bigRecordFile(3000);
  const schemaDir = join(REFERENCE, 'schema');
  const main = 'WageReportsToIR.xsd';
  const preload = readdirSync(schemaDir).filter((f) => f.endsWith('.xsd') && f !== main);
  const server = await serve(DIST_BENCH, { data: join(file, '..'), schema: schemaDir });
  const s = await openSite(t, { dist: DIST_BENCH, server, path: 'bench.html' });
  if (!s) return;
  const { page } = s;
  const url = `/extra/data/${basename(file)}`;
  const runs = { oursWarm: [], oursWarmInWorker: [], oursCold: [], xmllint: [] };
  try {
    await page.waitForSelector('body[data-ready="true"]');
    const warmup = await page.evaluate((url) => window.bench.ours(url), url);
    assert.equal(warmup.problems, 0, `the big record is schema-valid: ${JSON.stringify(warmup.first)}`);
    for (let i = 0; i < RUNS; i++) {
      const warm = await page.evaluate((url) => window.bench.ours(url), url);
      runs.oursWarm.push(warm.roundTripMs);
      runs.oursWarmInWorker.push(warm.ms);
      const cold = await page.evaluate((url) => window.bench.ours(url, { cold: true }), url);
      runs.oursCold.push(cold.roundTripMs);
      const theirs = await page.evaluate(([url, base, main, preload]) => window.bench.xmllint(url, base, main, preload),
        [url, '/extra/schema/', main, preload]);
      assert.ok(theirs.valid, `xmllint-wasm finds the record valid: ${JSON.stringify(theirs.errors)}`);
      runs.xmllint.push(theirs.roundTripMs);
    }
  } finally {
    await s.close();
    server.close();
  }
  const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
  const result = {
    bytes: statSync(file).size,
    medians: m,
    ratioCold: m.xmllint / m.oursCold,
    ratioWarm: m.xmllint / m.oursWarm,
    runs,
  };
  keep('bigRecord', result);
  console.log(`# ${result.bytes} bytes, schema only, medians of ${RUNS} alternating runs:`);
  console.log(`#   ours, warm worker: ${m.oursWarm.toFixed(0)} ms (the wasm call ${m.oursWarmInWorker.toFixed(0)} ms)`);
  console.log(`#   ours, new worker:  ${m.oursCold.toFixed(0)} ms`);
  console.log(`#   xmllint-wasm (a new worker per call, its only way): ${m.xmllint.toFixed(0)} ms`);
  console.log(`#   xmllint-wasm / ours: ${result.ratioCold.toFixed(1)}x (new worker each), ${result.ratioWarm.toFixed(1)}x (ours warm)`);
  assert.ok(result.ratioCold > 1, 'the package is faster than xmllint-wasm on the same page');
});
