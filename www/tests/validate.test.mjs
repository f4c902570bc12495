// The validator view in Chromium: the broken example's problems are the
// ones the command-line tool (or, without it, the package in Node) finds;
// a problem takes the editor to its line; an edit re-validates; the
// language switch changes the page's words and the rules' messages; the
// tabs work from the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'tulorekisteri';
import { CLI, FIXTURES, REFERENCE, SCREENSHOTS, need, openSite, validationCount, waitForValidation } from './harness.mjs';
import { bigRecordFile } from './records.mjs';

const EXAMPLE = join(FIXTURES, 'wage-report-broken.xml');
const exampleXml = readFileSync(EXAMPLE, 'utf8');

/** What the reference says of the example: the CLI's JSON (it exits 1 for an invalid record), else the package in Node. */
function expectedProblems() {
  if (existsSync(CLI)) {
    let out;
    try {
      out = execFileSync(CLI, ['validate', '--format', 'json', EXAMPLE], { encoding: 'utf8' });
    } catch (e) {
      if (e.status !== 1) throw e;
      out = e.stdout;
    }
    return { by: 'the CLI', problems: JSON.parse(out) };
  }
  return { by: 'the package in Node', problems: validate(exampleXml, { unsigned: true }) };
}

const key = (p) => `${p.line}:${p.column} ${p.code}`;

async function listed(page) {
  return page.$$eval('#problems button.problem', (bs) => bs.map((b) => ({
    line: Number(b.dataset.line), column: Number(b.dataset.column), code: b.dataset.code,
    severity: b.dataset.severity, text: b.textContent,
  })));
}

async function loadExample(page) {
  const before = await validationCount(page);
  await page.click('#example');
  return waitForValidation(page, before, "d.source === 'editor'");
}

test('the example\'s problems are the reference\'s, and a problem takes the editor to its line', { timeout: 60_000 }, async (t) => {
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    const { by, problems: expected } = expectedProblems();
    assert.ok(expected.length >= 3, `the broken example has problems (${by})`);
    const result = await loadExample(page);
    const shown = await listed(page);
    assert.deepEqual(shown.map(key), expected.map(key), `the listed problems are the ones ${by} reports`);
    const errors = expected.filter((p) => p.severity === 'error').length;
    assert.equal(result.errors, errors);
    assert.equal(await page.$$eval('#errors button.problem', (b) => b.length), errors);
    assert.match(await page.textContent('#status'), new RegExp(`^${errors} errors`));
    for (const [i, p] of expected.entries()) {
      assert.ok(shown[i].text.includes(`${p.line}:${p.column}`) && shown[i].text.includes(p.code), `the text says where and what: ${shown[i].text}`);
      assert.ok(shown[i].text.includes(p.path), `the element path is shown: ${p.path}`);
    }
    // Lint marks in the editor, one per problem.
    await page.waitForSelector('.cm-lint-marker-error');
    // Each problem, clicked (the last by the keyboard), puts the cursor on its line.
    for (const [i, p] of expected.entries()) {
      const button = page.locator('#problems button.problem').nth(i);
      if (i === expected.length - 1) {
        await button.focus();
        await page.keyboard.press('Enter');
      } else {
        await button.click();
      }
      await page.waitForFunction((line) => document.querySelector('.cm-activeLineGutter')?.textContent === String(line), p.line, { timeout: 5_000 });
      assert.ok(await page.evaluate(() => document.activeElement?.closest('.cm-editor') !== null), 'the editor has the focus');
    }
    // For the screenshot: the first problem chosen, the list beside it.
    await page.locator('#problems button.problem').first().click();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'validator.png') });
  } finally {
    await s.close();
  }
});

test('an edit is validated again after the pause, and the fixed error disappears', { timeout: 60_000 }, async (t) => {
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    const first = await loadExample(page);
    const before = await listed(page);
    const faulty = before.find((p) => p.line === 10);
    assert.ok(faulty, 'the example has an error on line 10 (FaultyControl "one")');
    assert.equal(Number(await page.getAttribute('#panel-validate', 'data-debounce-ms')), 200);
    // Replace "one" by "1": after "one" is 16 characters of "</FaultyControl>".
    await page.locator('.cm-line', { hasText: '<FaultyControl>one' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowLeft');
    const count = await validationCount(page);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('1');
    const d = await waitForValidation(page, count, "d.source === 'editor' && d.editedAt !== null");
    assert.ok(d.shownAt - d.editedAt >= 190, `validated after the pause (${(d.shownAt - d.editedAt).toFixed(0)} ms)`);
    // One validation for the four keys typed within the pause.
    await page.waitForTimeout(400);
    assert.equal(await validationCount(page), count + 1, 'the keys typed within the pause were validated once');
    assert.equal(d.errors, first.errors - 1, 'one error less');
    const after = await listed(page);
    assert.ok(!after.some((p) => p.line === 10), 'the line 10 error is gone');
    assert.deepEqual(after.map(key), before.filter((p) => p.line !== 10).map(key), 'the others stay');
    assert.ok((await page.textContent('.cm-content')).includes('<FaultyControl>1</FaultyControl>'));
  } finally {
    await s.close();
  }
});

test('the language switch changes the page\'s words and the rules\' messages', { timeout: 60_000 }, async (t) => {
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    await page.selectOption('#lang', 'en');
    await loadExample(page);
    const english = await listed(page);
    const rule = english.find((p) => p.code.startsWith('rule-'));
    assert.ok(rule, 'the example breaks a rule');
    const expectFi = validate(exampleXml, { unsigned: true, lang: 'fi' }).find((p) => p.code === rule.code).message;
    const expectEn = validate(exampleXml, { unsigned: true, lang: 'en' }).find((p) => p.code === rule.code).message;
    assert.notEqual(expectFi, expectEn, 'the package has the rule in Finnish');
    assert.ok(rule.text.includes(expectEn));
    assert.equal(await page.textContent('#tab-validate'), 'Validate');

    for (const [lang, tab, example, status] of [
      ['fi', 'Tarkistus', 'Lataa esimerkki', /virhettä/],
      ['sv', 'Kontroll', 'Ladda exemplet', /fel/],
    ]) {
      const count = await validationCount(page);
      await page.selectOption('#lang', lang);
      await waitForValidation(page, count, 'true');
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal(await page.textContent('#tab-validate'), tab);
      assert.equal(await page.textContent('#example'), example);
      assert.match(await page.textContent('#status'), status);
      const message = validate(exampleXml, { unsigned: true, lang }).find((p) => p.code === rule.code).message;
      const now = (await listed(page)).find((p) => p.code === rule.code);
      assert.ok(now.text.includes(message), `the rule's message is in ${lang}: ${now.text}`);
    }
    // The choice is kept for the next visit.
    await page.reload();
    await page.waitForSelector('#tab-validate');
    assert.equal(await page.textContent('#tab-validate'), 'Kontroll');
    assert.equal(await page.inputValue('#lang'), 'sv');
  } finally {
    await s.close();
  }
});

test('Tab reaches the tabs and the arrow keys switch them', { timeout: 60_000 }, async (t) => {
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    await page.waitForSelector('#tab-validate');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focused()) === 'tab-validate';
    }
    assert.ok(reached, 'Tab reaches the selected tab');
    // The focus is visible on the tab.
    const outline = await page.$eval('#tab-validate', (e) => getComputedStyle(e).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused tab shows its focus');
    const selected = () => page.$eval('[role=tab][aria-selected=true]', (e) => e.id);
    const visible = () => page.$$eval('[role=tabpanel]', (ps) => ps.filter((p) => !p.hidden).map((p) => p.id));
    for (const [keyName, tab] of [['ArrowRight', 'form'], ['ArrowRight', 'feedback'], ['ArrowRight', 'settings'],
      ['ArrowRight', 'validate'], ['ArrowLeft', 'settings'], ['Home', 'validate'], ['End', 'settings']]) {
      await page.keyboard.press(keyName);
      assert.equal(await selected(), `tab-${tab}`, `${keyName} selects ${tab}`);
      assert.equal(await focused(), `tab-${tab}`);
      assert.deepEqual(await visible(), [`panel-${tab}`]);
    }
    // One tab stop: Tab goes on into the panel, not to the next tab.
    await page.keyboard.press('Tab');
    assert.ok(!(await focused()).startsWith('tab-'), 'Tab leaves the tab bar');
    // Every control of the validator has a name.
    await page.click('#tab-validate');
    const unnamed = await page.$$eval('#panel-validate input, #panel-validate button, #panel-validate select', (els) =>
      els.filter((e) => {
        const labelled = e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
        return e.tagName === 'BUTTON' ? !e.textContent.trim() && !labelled : !labelled;
      }).map((e) => e.id || e.outerHTML.slice(0, 60)));
    assert.deepEqual(unnamed, []);
  } finally {
    await s.close();
  }
});

test('a large file is validated from its bytes and shown in excerpts numbered by its real lines', { timeout: 120_000 }, async (t) => {
  if (!need(t, existsSync(join(REFERENCE, 'samples')), `the official samples (${REFERENCE})`)) return;
  const file = bigRecordFile(3000);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.ok(statSync(file).size > 4 * 1024 * 1024, 'the record is over 4 MiB');
  const s = await openSite(t);
  if (!s) return;
  const { page } = s;
  try {
    const before = await validationCount(page);
    await page.setInputFiles('#file-input', file);
    const d = await waitForValidation(page, before, "d.source === 'file'", 60_000);
    assert.equal(d.bytes, statSync(file).size, 'validated from the bytes');
    assert.equal(await page.getAttribute('#open-in-form', 'disabled'), '', 'too large for the form');
    const problems = await listed(page);
    assert.ok(problems.length > 100, `the record has problems to choose from (${problems.length})`);
    // Far into the file, then back near its start: the excerpt follows, numbered by the file's lines.
    for (const i of [problems.length - 1, 2]) {
      const p = problems[i];
      await page.locator('#problems button.problem').nth(i).click();
      await page.waitForFunction((line) => document.querySelector('.cm-activeLineGutter')?.textContent === String(line), p.line, { timeout: 10_000 });
      assert.equal(await page.textContent('.cm-activeLine'), lines[p.line - 1].replace(/\r$/, ''), `line ${p.line} is the file's`);
      // The editor's first and last lines, by their numbers in the gutter.
      await page.keyboard.press('Control+Home');
      const first = Number(await page.textContent('.cm-activeLineGutter'));
      await page.keyboard.press('Control+End');
      const last = Number(await page.textContent('.cm-activeLineGutter'));
      assert.ok(first <= p.line && p.line <= last && last - first < 250, `an excerpt around ${p.line}: lines ${first}-${last}`);
      if (i > 2) assert.ok(first > 1, 'the excerpt far into the file does not start at line 1');
    }
    // Read-only: typing changes nothing.
    const count = await validationCount(page);
    const line = await page.textContent('.cm-activeLine');
    await page.keyboard.type('x');
    await page.waitForTimeout(400);
    assert.equal(await validationCount(page), count);
    assert.equal(await page.textContent('.cm-activeLine'), line);
  } finally {
    await s.close();
  }
});
