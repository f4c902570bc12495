// The feedback view in Chromium: the Register's AckFromIR and
// StatusResponseFromIR shown as the package's readFeedback reads them in
// Node, the delivery's status in words, and a clear error for a document
// that is not feedback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFeedback } from 'tulorekisteri';
import { FIXTURES, SCREENSHOTS, openSite } from './harness.mjs';

// The official material has no feedback sample: these are written by the
// project from the XSDs (StatusMessageTypes.xsd).
/** The project's own feedback documents (tests/fixtures), written for these tests. */
const PROJECT = ['ack-rejected.xml', 'status-response.xml'].map((f) => join(FIXTURES, f));

const STATUS_WORDS = { 0: 'Unknown', 2: 'Processing', 3: 'Stored', 4: 'Rejected at reception', 5: 'Rejected in processing', 6: 'Cancelled' };

async function rows(page, which) {
  return page.$$eval(`#feedback table.feedback-items.${which} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
}

const errorsText = (errors) => errors.map((e) => `${e.code}: ${e.message}${e.details ? ` (${e.details})` : ''}`).join('');

/** Opens `file` in the feedback view and checks what it shows against readFeedback in Node. */
async function check(page, file) {
  const expected = readFeedback(readFileSync(file, 'utf8'));
  await page.click('#tab-feedback');
  await page.setInputFiles('#feedback-input', file);
  await page.waitForFunction((id) => document.querySelector('#feedback dd')?.textContent === id
    || [...document.querySelectorAll('#feedback dd')].some((d) => d.textContent === id), expected.irResponseId, { timeout: 10_000 });
  const status = await page.textContent('#delivery-status');
  assert.ok(status.includes(`(${expected.status})`), `the status code is shown: ${status}`);
  assert.ok(status.startsWith(STATUS_WORDS[expected.status]), `the status in words: ${status}`);
  const ids = await page.$$eval('#feedback dd', (dds) => dds.map((d) => d.textContent));
  for (const k of ['irResponseId', 'irResponseTimestamp', 'irDeliveryId', 'deliveryId']) {
    if (expected[k] !== null) assert.ok(ids.includes(String(expected[k])), `${k} ${expected[k]} is shown`);
  }
  for (const [which, items, word] of [['valid', expected.validItems, 'stored'], ['invalid', expected.invalidItems, 'rejected']]) {
    const shown = await rows(page, which);
    assert.deepEqual(shown, items.map((i) => [
      i.itemId ?? '', word, i.irItemId ?? '', i.version === null ? '' : String(i.version), errorsText(i.errors),
    ]), `the ${which} reports of ${file}`);
  }
  const text = await page.textContent('#feedback');
  assert.ok(!/\bnull\b|\bundefined\b/.test(text), 'no "null" or "undefined" shows');
  for (const e of [...expected.messageErrors, ...expected.deliveryErrors]) {
    assert.ok(text.includes(`${e.code}: ${e.message}`), `the error ${e.code} is listed`);
  }
  assert.ok(await page.isHidden('#feedback-error'));
  return expected;
}

test('the project\'s AckFromIR and StatusResponseFromIR, their status in words, and not-feedback', { timeout: 60_000 }, async (t) => {
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    const kinds = [];
    for (const f of PROJECT) kinds.push((await check(page, f)).kind);
    assert.deepEqual(kinds.sort(), ['AckFromIR', 'StatusResponseFromIR']);
    // The last one read (the StatusResponseFromIR, with both lists) for the screenshot.
    const shown = readFeedback(readFileSync(PROJECT[1], 'utf8'));
    assert.ok(shown.validItems.length > 0 && shown.invalidItems.length > 0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'feedback.png'), fullPage: true });

    // In Finnish and Swedish, the status in those words.
    await page.selectOption('#lang', 'fi');
    assert.match(await page.textContent('#delivery-status'), /^Tallennettu \(3\): tulorekisteri tallensi/);
    assert.deepEqual((await rows(page, 'valid')).map((r) => r[1]), shown.validItems.map(() => 'tallennettu'));
    await page.selectOption('#lang', 'sv');
    assert.match(await page.textContent('#delivery-status'), /^Lagrad \(3\)/);
    await page.selectOption('#lang', 'en');

    // Pasted: the same reading.
    await page.fill('#feedback-text', readFileSync(PROJECT[0], 'utf8'));
    await page.click('#feedback-read');
    await page.waitForFunction(() => document.querySelector('#delivery-status')?.textContent.startsWith('Rejected at reception (4)'));

    // A record that is not feedback: a clear message, and no stale result.
    await page.fill('#feedback-text', readFileSync(join(FIXTURES, 'wage-report.xml'), 'utf8'));
    await page.click('#feedback-read');
    await page.waitForSelector('#feedback-error', { state: 'visible' });
    const error = await page.textContent('#feedback-error');
    let why;
    try {
      readFeedback(readFileSync(join(FIXTURES, 'wage-report.xml'), 'utf8'));
    } catch (e) {
      why = e.message;
    }
    assert.ok(why, 'readFeedback refuses a record');
    assert.ok(error.includes(why), `the message says what it found: ${error}`);
    assert.equal(await page.$('#delivery-status'), null);
    // Not XML at all.
    await page.fill('#feedback-text', 'hello');
    await page.click('#feedback-read');
    await page.waitForFunction(() => /1:1/.test(document.querySelector('#feedback-error').textContent));
  } finally {
    await s.close();
  }
});
