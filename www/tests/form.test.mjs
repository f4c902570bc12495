// The record form (#panel-form) in Chromium: filled field by field into an
// earnings payment report that the official schema and the CLI accept;
// a problem shows at its field; a record opens into it and edits rebuild
// the XML; Add and Remove of a repeated group; switching the root leaves
// nothing of the previous record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, schema } from 'tulorekisteri';
import { CLI, FIXTURES, OUTPUT, REFERENCE, SCREENSHOTS, need, openSite } from './harness.mjs';
import { fieldLabel, readable } from '../src/form/labels.js';
import { elementToObjectPath, joinPath, setAt, splitPath } from '../src/form/path.js';
import { toRecord } from '../src/form/record.js';

const FIXTURE = join(FIXTURES, 'wage-report.xml');
const XSD = join(REFERENCE, 'schema', 'WageReportsToIR.xsd');
const sel = (path) => `#record-form [data-path=${JSON.stringify(path)}]`;

// FORM_DIST: another build of the page to test (default: dist/).
const DIST_OPTION = { dist: process.env.FORM_DIST || undefined };

/** The form tab, once the form has built for the first time. */
async function formPage(t) {
  const site = await openSite(t, DIST_OPTION);
  if (!site) return undefined;
  await site.page.click('#tab-form');
  await site.page.waitForSelector('#panel-form[data-builds]');
  return site;
}

/** How many times the form has built so far. */
const builds = (page) => page.evaluate(() => Number(document.getElementById('panel-form').dataset.builds));

/** Waits for a build after the `after`th. */
async function nextBuild(page, after) {
  await page.waitForFunction((n) => Number(document.getElementById('panel-form').dataset.builds) > n, after);
}

/** Sets the control at `path` (opening the folded groups on the way): a select by its value, anything else typed in. */
async function set(page, path, value) {
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    if (await page.locator(`#record-form details[data-group-path=${JSON.stringify(prefix)}]`).count()) await unfold(page, prefix);
  }
  const control = page.locator(sel(path));
  const tag = await control.evaluate((e) => e.tagName);
  if (tag === 'SELECT') await control.selectOption(String(value));
  else await control.fill(String(value));
}

/** Opens the folded group at `path` (a user clicking its summary). */
async function unfold(page, path) {
  const details = page.locator(`#record-form details[data-group-path=${JSON.stringify(path)}]`);
  if (!(await details.evaluate((d) => d.open))) await details.locator(':scope > summary').click();
}

test('labels, paths and the model\'s conversion to the record object (no browser)', () => {
  assert.equal(readable('PaymentDate'), 'Payment date');
  assert.equal(readable('IRReportId'), 'IR report id');
  assert.equal(fieldLabel('DeliveryId'), 'Delivery id (DeliveryId)');
  assert.equal(fieldLabel('Timestamp'), 'Timestamp');
  const path = 'DeliveryData.Reports.Report[10].IncomeEarner.IncomeEarnerIds.Id[0].Code';
  assert.deepEqual(splitPath(path).slice(2, 4), ['Report', 10]);
  assert.equal(joinPath(splitPath(path)), path);
  assert.equal(elementToObjectPath('/WageReportsRequestToIR/DeliveryData/Reports/Report[11]/IncomeEarner/IncomeEarnerIds/Id[1]/Code'), path);
  assert.equal(elementToObjectPath('/WageReportsRequestToIR'), '');

  // What a user types is text: the fixture's every value as a string, and some empty fields,
  // convert back to the object parse() gives (numbers, booleans, amounts as strings).
  const root = 'WageReportsRequestToIR';
  const expected = parse(readFileSync(FIXTURE, 'utf8'))[root];
  const typed = JSON.parse(JSON.stringify(expected, (k, v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v)));
  setAt(typed, 'DeliveryData.PaymentPeriod.Foo', undefined);
  setAt(typed, 'DeliveryData.Reports.Report[0].IncomeEarner.Employment.EmploymentPeriods.Period[0].StartDate', '  ');
  const s = schema(root);
  assert.deepEqual(toRecord(s, s.group, typed), expected);
  // An empty item in the middle stays, so build's indices are the form's.
  const two = { DeliveryData: { ContactPersons: { ContactPerson: [{}, { Name: 'B' }] } } };
  assert.deepEqual(toRecord(s, s.group, two).DeliveryData.ContactPersons.ContactPerson, [{}, { Name: 'B' }]);
  assert.equal(toRecord(s, s.group, { DeliveryData: { ContactPersons: { ContactPerson: [{}, { Name: '' }] } } }), undefined);
});

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

test('the form fills into a valid earnings payment report, downloaded as <DeliveryId>.xml', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    assert.equal(await page.inputValue('#form-root'), 'WageReportRequestToIR');
    // Labels: the element name made readable, with the name itself.
    assert.match(await page.textContent(`label[for="${await page.getAttribute(sel('DeliveryData.PaymentPeriod.PaymentDate'), 'id')}"]`), /Payment date \(PaymentDate\)/);
    assert.equal(await page.getAttribute(sel('DeliveryData.PaymentPeriod.PaymentDate'), 'type'), 'date');
    // Code lists: code and meaning.
    const codes = await page.locator(sel('DeliveryData.DeliveryDataOwner.Type')).locator('option').allTextContents();
    assert.ok(codes.includes('1 – Y-tunnus'), codes.join('|'));
    // Folded until opened: the transactions are built when their group opens.
    const T0 = 'DeliveryData.Reports.Report[0].Transactions.Transaction[0].TransactionBasic.TransactionCode';
    assert.equal(await page.locator(sel(T0)).count(), 0);

    const D = 'DeliveryData';
    await page.click('button.now'); // the Timestamp, now, with its offset
    assert.match(await page.inputValue(sel(`${D}.Timestamp`)), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    const values = [
      [`${D}.Source`, 'tulorekisteri demo'],
      [`${D}.DeliveryDataType`, '100'],
      [`${D}.DeliveryId`, 'form-2022-03-0001'],
      [`${D}.FaultyControl`, '1'],
      [`${D}.ProductionEnvironment`, 'false'],
      ...['Owner', 'Creator', 'Sender'].flatMap((w) => [[`${D}.DeliveryData${w}.Type`, '1'], [`${D}.DeliveryData${w}.Code`, '7654321-2']]),
      [`${D}.PaymentPeriod.PaymentDate`, '2022-03-31'],
      [`${D}.PaymentPeriod.StartDate`, '2022-03-01'],
      [`${D}.PaymentPeriod.EndDate`, '2022-03-31'],
      [`${D}.ContactPersons.ContactPerson[0].Name`, 'Maija Meikäläinen'],
      [`${D}.ContactPersons.ContactPerson[0].Telephone`, '+358 40 123 4567'],
      [`${D}.ContactPersons.ContactPerson[0].ResponsibilityCode`, '1'],
      [`${D}.Payer.PayerIds.Id[0].Type`, '1'],
      [`${D}.Payer.PayerIds.Id[0].Code`, '7654321-2'],
    ];
    for (const [path, value] of values) await set(page, path, value);
    const R = `${D}.Reports.Report[0]`;
    await set(page, `${R}.ReportData.ActionCode`, '1');
    await set(page, `${R}.ReportData.ReportId`, 'form-2022-03-emp-017');
    await set(page, `${R}.IncomeEarner.IncomeEarnerIds.Id[0].Type`, '2');
    await set(page, `${R}.IncomeEarner.IncomeEarnerIds.Id[0].Code`, '010190-900P');
    for (const group of ['Employment', 'Professions', 'PensionInsurance']) await unfold(page, `${R}.IncomeEarner.${group}`);
    await unfold(page, `${R}.Transactions`);
    // The group is built when it opens: wait for its income types.
    await page.locator(sel(T0)).locator('option', { hasText: /^201 – / }).first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => {});
    const incomeTypes = await page.locator(sel(T0)).locator('option').allTextContents();
    assert.ok(incomeTypes.some((o) => /^201 – \S/.test(o)), incomeTypes.slice(0, 5).join('|'));
    await set(page, `${R}.IncomeEarner.Employment.Employed`, 'true');
    await set(page, `${R}.IncomeEarner.Employment.EmploymentCode`, '1');
    await set(page, `${R}.IncomeEarner.Employment.TermCode`, '1');
    await set(page, `${R}.IncomeEarner.Professions.Profession[0].Type`, '1');
    await set(page, `${R}.IncomeEarner.Professions.Profession[0].Code`, '24111');
    await set(page, `${R}.IncomeEarner.PensionInsurance.PensionActCode`, '1');
    await set(page, `${R}.IncomeEarner.PensionInsurance.PensionProvIdCode`, '46');
    await set(page, `${R}.IncomeEarner.PensionInsurance.PensionPolicyNo`, '46-1234567');
    const T = `${R}.Transactions.Transaction`;
    const transactions = [['201', '3450.00'], ['402', '690.00'], ['413', '247.37']];
    for (const [i, [code, amount]] of transactions.entries()) {
      if (i > 0) await page.click(`button.add[data-path="${T}"]`);
      await set(page, `${T}[${i}].TransactionBasic.TransactionCode`, code);
      await set(page, `${T}[${i}].TransactionBasic.Amount`, amount);
    }

    // The form rebuilds after a pause: wait for the build of the last field
    // typed (an earlier build may already be valid and shown as ok).
    await page
      .waitForFunction(() => document.getElementById('form-xml')?.textContent.includes('<Amount>247.37</Amount>'), null, { timeout: 10_000 })
      .catch(() => {});
    await page.waitForSelector('#form-status.ok', { timeout: 10_000 }).catch(() => {});
    const problems = await page.locator('#form-problems li').allTextContents();
    assert.deepEqual(problems, [], 'the filled form still has problems');
    assert.equal(await page.locator('#record-form .field-error').count(), 0);
    const xml = await page.textContent('#form-xml');
    assert.match(xml, /<TransactionCode>413<\/TransactionCode>/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#form-download')]);
    assert.equal(download.suggestedFilename(), 'form-2022-03-0001.xml');
    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, 'form-download.xml');
    await download.saveAs(file);
    assert.equal(readFileSync(file, 'utf8'), xml);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, document.getElementById('panel-form').offsetTop - 8));
    await page.screenshot({ path: join(SCREENSHOTS, 'form.png') });

    if (need(t, which('xmllint') && existsSync(XSD), `xmllint and the official schemas (${XSD})`)) {
      execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' }); // throws when invalid
    }
    if (need(t, existsSync(CLI), `the CLI (${CLI}; cargo build --release)`)) {
      // An unsigned draft: the payer schemas make ds:Signature optional.
      const run = spawnSync(CLI, ['validate', file], { encoding: 'utf8' });
      assert.equal(run.status, 0, `the CLI finds problems: ${run.stdout}${run.stderr}`);
    }
  } finally {
    await site.close();
  }
});

test('a problem shows at its field, and goes when fixed', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    const source = sel('DeliveryData.Source');
    await page.click('button.now'); // the Timestamp: else its absence is reported at the Source
    const before = await builds(page);
    await page.fill(source, 'x'.repeat(31)); // irct:String30
    await nextBuild(page, before);
    const shown = await page.locator(source).evaluate((c) => {
      const next = c.nextElementSibling;
      return {
        invalid: c.getAttribute('aria-invalid'),
        nextIsError: next?.classList.contains('field-error') ?? false,
        text: next?.textContent ?? '',
        described: (c.getAttribute('aria-describedby') ?? '').split(' ').includes(next?.id),
      };
    });
    assert.equal(shown.invalid, 'true');
    assert.ok(shown.nextIsError, 'no .field-error right after the control');
    assert.match(shown.text, /schema-length/);
    assert.ok(shown.described, 'the control is not described by its error');
    assert.match((await page.locator('#form-problems').textContent()), /DeliveryData\.Source/);
    // The problem list takes you to the field.
    await page.locator('#form-problems button', { hasText: 'schema-length' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.path), 'DeliveryData.Source');

    const again = await builds(page);
    await page.fill(source, 'x'.repeat(30));
    await nextBuild(page, again);
    assert.equal(await page.getAttribute(source, 'aria-invalid'), null);
    assert.equal(await page.locator(`${source} + .field-error`).count(), 0);
    // A problem at a path the form has no control for sits on the nearest group shown: here the
    // missing Timestamp, reported at the next element present, and the Reports (all empty).
    const onGroup = await page.$$eval('#record-form .field-error', (es) => es.map((e) => e.parentElement.closest('[data-path]')?.dataset.path ?? null));
    assert.ok(onGroup.length > 0);
  } finally {
    await site.close();
  }
});

test('the problem of an empty record sits on the form itself', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    assert.match(await page.textContent('#record-form > .field-error'), /schema-missing-element.*DeliveryData/);
    assert.equal(await page.isDisabled('#form-download'), true);
  } finally {
    await site.close();
  }
});

test('a record opens into the form; an edit rebuilds the XML; another root starts clean, and the first is kept', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    await page.setInputFiles('#form-open', FIXTURE);
    await page.waitForFunction(() => document.getElementById('form-root').value === 'WageReportsRequestToIR');
    const reportId = sel('DeliveryData.Reports.Report[0].ReportData.ReportId');
    assert.equal(await page.inputValue(reportId), 'demo-2022-03-emp-017');
    assert.equal(await page.inputValue(sel('DeliveryData.Reports.Report[0].Transactions.Transaction[2].TransactionBasic.Amount')), '247.37');
    // The folded groups that hold data are open.
    assert.equal(await page.inputValue(sel('DeliveryData.Reports.Report[0].IncomeEarner.PensionInsurance.PensionPolicyNo')), '46-1234567');
    assert.match(await page.textContent('#form-xml'), /<ReportId>demo-2022-03-emp-017<\/ReportId>/);
    assert.equal(await page.locator('#form-status.ok').count(), 1, await page.textContent('#form-status'));

    const before = await builds(page);
    await page.fill(reportId, 'demo-2022-03-emp-099');
    await nextBuild(page, before);
    const xml = await page.textContent('#form-xml');
    assert.match(xml, /<ReportId>demo-2022-03-emp-099<\/ReportId>/);
    assert.doesNotMatch(xml, /emp-017/);

    // A record that does not parse: its problems, clearly; the form keeps what it had.
    await page.evaluate(() => window.dispatchEvent(new CustomEvent('tulorekisteri:open-in-form', {
      detail: { xml: '<WageReportsRequestToIR xmlns="http://www.tulorekisteri.fi/2017/1/WageReportsToIR"><Nonsense/></WageReportsRequestToIR>' },
    })));
    await page.waitForSelector('#form-open-error:not([hidden])');
    assert.match(await page.textContent('#form-open-error'), /\d+:\d+ schema-/);
    assert.equal(await page.inputValue(reportId), 'demo-2022-03-emp-099');

    // The hand-over from the validator fills the form.
    await page.evaluate((xml) => window.dispatchEvent(new CustomEvent('tulorekisteri:open-in-form', { detail: { xml } })), readFileSync(FIXTURE, 'utf8'));
    await page.waitForFunction((p) => document.querySelector(p)?.value === 'demo-2022-03-emp-017', reportId);
    assert.equal(await page.isHidden('#form-open-error'), true);

    // Another root: nothing of the record stays.
    await page.selectOption('#form-root', 'InvalidationRequestToIR');
    await page.waitForFunction(() => !document.getElementById('form-xml').textContent.includes('demo-'));
    assert.equal(await page.locator(reportId).count(), 0);
    const stale = await page.$$eval('#record-form input, #record-form select', (cs) => cs.filter((c) => c.value !== '').map((c) => c.dataset.path));
    assert.deepEqual(stale, []);
    assert.equal(await page.textContent('#form-xml'), '');
    assert.doesNotMatch(await page.textContent('#form-problems'), /Reports/);
    // And back: what was typed for the earnings payment record is still there.
    await page.selectOption('#form-root', 'WageReportsRequestToIR');
    await page.waitForFunction((p) => document.querySelector(p)?.value === 'demo-2022-03-emp-017', reportId);
  } finally {
    await site.close();
  }
});

test('Add and Remove of a repeated group keep the items and their paths in order', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    const A = 'DeliveryData.ContactPersons.ContactPerson';
    const items = () => page.$$eval(`#record-form fieldset.item[data-path^="${A}["]`, (fs) => fs.map((f) => f.dataset.path));
    assert.deepEqual(await items(), [`${A}[0]`]);
    assert.equal(await page.locator(`${sel(`${A}[0]`)} button.remove`).isDisabled(), true, 'the only required item cannot go');

    await page.click(`button.add[data-path="${A}"]`);
    await page.click(`button.add[data-path="${A}"]`);
    assert.deepEqual(await items(), [`${A}[0]`, `${A}[1]`, `${A}[2]`]);
    for (const i of [0, 1, 2]) await page.fill(sel(`${A}[${i}].Name`), `Person ${i}`);

    // Remove the middle one: the last moves up to [1], with its value.
    const before = await builds(page);
    await page.locator(`${sel(`${A}[1]`)} button.remove`).first().click();
    await nextBuild(page, before);
    assert.deepEqual(await items(), [`${A}[0]`, `${A}[1]`]);
    assert.equal(await page.inputValue(sel(`${A}[0].Name`)), 'Person 0');
    assert.equal(await page.inputValue(sel(`${A}[1].Name`)), 'Person 2');
    // Build's problems follow the new indices: ContactPerson[1] exists, [2] is gone.
    assert.doesNotMatch(await page.textContent('#form-problems'), /ContactPerson\[2\]/);

    // Keyboard: the Add button is a button reachable with Tab; Enter adds an item.
    await page.focus(`button.add[data-path="${A}"]`);
    await page.keyboard.press('Enter');
    assert.deepEqual(await items(), [`${A}[0]`, `${A}[1]`, `${A}[2]`]);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.path), `${A}[2].Name`, 'the new item takes the focus');
  } finally {
    await site.close();
  }
});

test('"Open in form" from another tab fills the form (made when first needed)', async (t) => {
  const site = await openSite(t, DIST_OPTION);
  if (!site) return;
  const { page } = site;
  try {
    await page.waitForFunction(() => document.getElementById('lang') && !document.getElementById('panel-validate').hidden);
    await page.evaluate((xml) => window.dispatchEvent(new CustomEvent('tulorekisteri:open-in-form', { detail: { xml } })), readFileSync(FIXTURE, 'utf8'));
    await page.waitForFunction(() => document.querySelector('[data-path="DeliveryData.DeliveryId"]')?.value === 'demo-2022-03-0001');
    assert.equal(await page.inputValue('#form-root'), 'WageReportsRequestToIR');
    assert.equal(await page.isVisible('#panel-form'), true);
  } finally {
    await site.close();
  }
});

test('another language: the form\'s words change, the values stay', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    await page.fill(sel('DeliveryData.Source'), 'kept');
    await page.selectOption('#lang', 'sv');
    await page.waitForFunction(() => document.querySelector('#panel-form h2').textContent === 'Skapa en post');
    assert.equal(await page.inputValue(sel('DeliveryData.Source')), 'kept');
    const hint = await page.getAttribute(sel('DeliveryData.Source'), 'aria-describedby');
    assert.match(await page.textContent(`[id="${hint.split(' ')[0]}"]`), /högst 30 tecken/);
    assert.match(await page.textContent('#form-root option[value="BenefitReportRequestToIR"]'), /förmånsuppgifter/);
    await page.selectOption('#lang', 'fi');
    await page.waitForFunction(() => document.querySelector('#panel-form h2').textContent === 'Laadi tietue');
    assert.match(await page.textContent('#form-status'), /Ei vielä muodostettu|Muodostettu/);
  } finally {
    await site.close();
  }
});

test('every root renders its form, with a label for each control', async (t) => {
  const site = await formPage(t);
  if (!site) return;
  const { page } = site;
  try {
    const roots = await page.$$eval('#form-root option', (os) => os.map((o) => o.value));
    assert.equal(roots.length, 8);
    for (const root of roots) {
      await page.selectOption('#form-root', root);
      const unlabelled = await page.$$eval('#record-form input, #record-form select', (cs) =>
        cs.filter((c) => !c.labels?.length && !c.getAttribute('aria-label')).map((c) => c.dataset.path));
      assert.deepEqual(unlabelled, [], root);
      assert.ok(await page.locator('#record-form [data-path="DeliveryData"]').count() === 1, root);
    }
  } finally {
    await site.close();
  }
});
