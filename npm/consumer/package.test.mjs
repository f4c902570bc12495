// The package as an npm consumer uses it: imported by name from node_modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, validateBytes, build, parse, readFeedback } from 'tulorekisteri';

const ECHO = 'http://www.tulorekisteri.fi/2017/1/Echo';

test('validate locates every problem', () => {
  const problems = validate(`<e:Echo xmlns:e="${ECHO}">\n  <Data>far too long for it</Data>\n</e:Echo>`);
  assert.deepEqual(
    problems.map((d) => [d.code, d.line, d.column, d.path]),
    [
      ['schema-length', 2, 3, '/Echo/Data'],
      ['schema-missing-element', 1, 1, '/Echo'],
    ],
  );
  assert.equal(problems[0].severity, 'error');
  assert.match(problems[0].message, /1 to 10 characters/);
});

test('validate accepts unsigned drafts when asked, and bytes', () => {
  const xml = `<e:Echo xmlns:e="${ECHO}"><Data>hi</Data></e:Echo>`;
  assert.equal(validate(xml).length, 1);
  assert.deepEqual(validate(xml, { unsigned: true }), []);
  assert.deepEqual(validateBytes(new TextEncoder().encode(xml), { unsigned: true }), []);
});

test('validateBytes reads a Uint8Array, an ArrayBuffer or a view, and refuses anything else', () => {
  // Long enough to be read in several chunks; the problem sits past the first.
  const filler = '<!-- ' + 'x'.repeat(200_000) + ' -->\n';
  const xml = `<e:Echo xmlns:e="${ECHO}">${filler}${filler}<Data>far too long for it</Data></e:Echo>`;
  const bytes = new TextEncoder().encode(xml);
  const expected = validate(xml, { unsigned: true });
  assert.deepEqual(expected.map((d) => [d.code, d.line]), [['schema-length', 3]]);
  assert.deepEqual(validateBytes(bytes, { unsigned: true }), expected);
  assert.deepEqual(validateBytes(bytes.buffer, { unsigned: true }), expected);
  // A view into a larger buffer: only its own bytes count.
  const padded = new Uint8Array(bytes.length + 20);
  padded.set(bytes, 10);
  assert.deepEqual(validateBytes(new DataView(padded.buffer, 10, bytes.length), { unsigned: true }), expected);
  assert.deepEqual(validateBytes(padded.subarray(10, 10 + bytes.length), { unsigned: true }), expected);
  assert.throws(() => validateBytes(xml, { unsigned: true }), TypeError);
});

test('validate reads a long string in chunks without splitting a character', () => {
  // Characters of 1 to 4 bytes of UTF-8 (the last a surrogate pair in
  // JavaScript): 6 units, while a chunk is 21,845, so every phase meets a boundary.
  const comment = '<!-- ' + 'aé€𝄞x'.repeat(70_000) + ' -->';
  const xml = `<e:Echo xmlns:e="${ECHO}">${comment}<Data>far too long for it</Data></e:Echo>`;
  const problems = validate(xml, { unsigned: true });
  // Columns count characters: a split character would move the column.
  const column = [...xml.slice(0, xml.indexOf('<Data>'))].length + 1;
  assert.deepEqual(problems.map((d) => [d.code, d.line, d.column]), [['schema-length', 1, column]]);
  assert.deepEqual(validateBytes(new TextEncoder().encode(xml), { unsigned: true }), problems);
  // A lone surrogate cannot be UTF-8; it is read as U+FFFD, as TextEncoder does.
  assert.deepEqual(validate(`<e:Echo xmlns:e="${ECHO}"><Data>\ud800</Data></e:Echo>`, { unsigned: true }), []);
  assert.throws(() => validate(new TextEncoder().encode(xml)), TypeError);
});

test('build writes valid XML and parse reads it back', () => {
  const record = { Echo: { Data: 'a & b' } };
  const { xml, diagnostics } = build(record);
  assert.deepEqual(diagnostics, []);
  assert.match(xml, /<Data>a &amp; b<\/Data>/);
  assert.deepEqual(parse(xml), record);
});

test('build points at the object path of each problem', () => {
  const { xml, diagnostics } = build({ Echo: { Data: 'x', Extra: 1 } });
  assert.equal(xml, undefined);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.path]), [['build-field', 'Extra']]);
});

test('parse and readFeedback throw with the diagnostics', () => {
  assert.throws(() => parse('<nope/>'), (e) => e instanceof Error && e.diagnostics[0].code === 'schema-root');
  assert.throws(() => readFeedback(`<e:Echo xmlns:e="${ECHO}"><Data>hi</Data></e:Echo>`), /not feedback/);
});

test('readFeedback summarises an acknowledgement', () => {
  const xml = `<a:AckFromIR xmlns:a="http://www.tulorekisteri.fi/2017/1/AckFromIR">
  <DeliveryData><Timestamp>2024-01-01T10:00:00Z</Timestamp><DeliveryDataType>100</DeliveryDataType>
    <DeliveryId>D-1</DeliveryId><ProductionEnvironment>false</ProductionEnvironment>
    <DeliveryDataOwner><Type>1</Type><Code>7011367-6</Code></DeliveryDataOwner>
    <DeliveryDataCreator><Type>1</Type><Code>7011367-6</Code></DeliveryDataCreator>
    <DeliveryDataSender><Type>1</Type><Code>7011367-6</Code></DeliveryDataSender></DeliveryData>
  <AckData><IRResponseId>0123456789abcdef0123456789abcdef</IRResponseId>
    <IRResponseTimestamp>2024-01-01T10:00:01Z</IRResponseTimestamp><DeliveryDataStatus>4</DeliveryDataStatus>
    <MessageErrors><ErrorInfo><ErrorCode>10012</ErrorCode><ErrorMessage>Virhe</ErrorMessage></ErrorInfo></MessageErrors></AckData>
</a:AckFromIR>`;
  const f = readFeedback(xml);
  assert.equal(f.kind, 'AckFromIR');
  assert.equal(f.status, 4);
  assert.equal(f.statusName, 'rejected-at-reception');
  assert.equal(f.final, true);
  assert.equal(f.deliveryId, 'D-1');
  assert.deepEqual(f.messageErrors, [{ code: '10012', message: 'Virhe', details: null }]);
});

test('the Register\'s rules run unless schemaOnly, in the chosen language', () => {
  const id = (Type, Code) => ({ Type, Code });
  const record = {
    WageReportRequestToIR: {
      DeliveryData: {
        Timestamp: '2024-01-31T12:00:00+02:00', Source: 'payroll', DeliveryDataType: 101, DeliveryId: 'D-1',
        FaultyControl: 1, ProductionEnvironment: false,
        DeliveryDataOwner: id(1, '7011367-6'), DeliveryDataCreator: id(1, '7011367-6'), DeliveryDataSender: id(1, '7011367-6'),
        PaymentPeriod: { PaymentDate: '2024-01-31', StartDate: '2024-01-01', EndDate: '2024-01-31' },
        ContactPersons: { ContactPerson: [{ Name: 'Maija', Telephone: '0401234567', ResponsibilityCode: 1 }] },
        Payer: { PayerIds: { Id: [id(1, '7011367-6')] } },
        Reports: { Report: [{
          ReportData: { ActionCode: 1, ReportId: 'R-1' },
          // Time-rate pay (201) needs a profession and pension insurance.
          IncomeEarner: {
            IncomeEarnerIds: { Id: [id(2, '131052-308T')] },
            Professions: { Profession: [{ Type: 1, Code: '32591' }] },
            PensionInsurance: { PensionActCode: 1, PensionProvIdCode: 55, PensionPolicyNo: '55-1234567' },
          },
          Transactions: { Transaction: [{ TransactionBasic: { TransactionCode: 201, Amount: 3500 } }] },
        }] },
      },
    },
  };
  const { xml, diagnostics } = build(record);
  assert.deepEqual(diagnostics, []);
  const found = validate(xml, { unsigned: true, lang: 'fi', today: '2024-01-31', environment: 'test' });
  assert.deepEqual(found.map((d) => d.code), ['rule-delivery-data-type']);
  assert.match(found[0].message, /^Aineiston tyyppi 101/);
  assert.equal(found[0].path, '/WageReportRequestToIR/DeliveryData/DeliveryDataType');
  assert.deepEqual(validate(xml, { unsigned: true, schemaOnly: true }), []);
  assert.throws(() => validate(xml, { lang: 'de' }), /lang must be/);
  assert.throws(() => validate(xml, { today: '31.1.2024' }), /today must be/);
});

test('an XML declaration after a comment, a PI or whitespace is refused where it stands', () => {
  const record = `<?xml version="1.0" encoding="UTF-8"?><e:Echo xmlns:e="${ECHO}"><Data>hi</Data></e:Echo>`;
  assert.deepEqual(validate(record, { unsigned: true }), []);
  for (const [prefix, line, column] of [['<!-- first -->', 1, 15], ['<?pi x?>', 1, 9], ['\n ', 2, 2]]) {
    for (const problems of [validate(prefix + record), validateBytes(new TextEncoder().encode(prefix + record), { schemaOnly: true })]) {
      assert.deepEqual(problems.map((d) => [d.code, d.line, d.column]), [['xml-syntax', line, column]], prefix);
    }
  }
});

test('validate and validateBytes report their progress, and refuse a callback that is not a function', () => {
  const filler = '<!-- ' + 'x'.repeat(300_000) + ' -->\n';
  const xml = `<e:Echo xmlns:e="${ECHO}">${filler}<Data>hi</Data></e:Echo>`;
  for (const [run, total] of [
    [(cb) => validate(xml, { unsigned: true }, cb), xml.length],
    [(cb) => validateBytes(new TextEncoder().encode(xml), { unsigned: true }, cb), new TextEncoder().encode(xml).length],
  ]) {
    const seen = [];
    assert.deepEqual(run((done, all) => seen.push([done, all])), []);
    assert.ok(seen.length >= 2, `several chunks: ${seen.length}`);
    assert.ok(seen.every(([, all]) => all === total));
    assert.ok(seen.every(([done], i) => i === 0 || done > seen[i - 1][0]), 'progress only grows');
    assert.equal(seen.at(-1)[0], total);
  }
  assert.throws(() => validate(xml, {}, 'not a function'), /onProgress must be a function/);
});

test('schema describes a record root for forms, with its code lists', async () => {
  const { schema } = await import('tulorekisteri');
  const s = schema('WageReportRequestToIR');
  assert.equal(s.root, 'WageReportRequestToIR');
  const top = s.groups[s.group];
  assert.deepEqual(top.map((f) => [f.name, f.min, f.max]), [['DeliveryData', 1, 1]]);
  const data = s.groups[top[0].group];
  const timestamp = data.find((f) => f.name === 'Timestamp');
  assert.equal(s.values[timestamp.value].kind, 'dateTime');
  const reports = s.groups[data.find((f) => f.name === 'Reports').group];
  assert.deepEqual([reports[0].name, reports[0].min, reports[0].max], ['Report', 1, null]);
  const ids = Object.entries(s.groups).find(([name]) => name.endsWith(':Id'))[1];
  assert.equal(ids.find((f) => f.name === 'Type').list, 'IdType');
  assert.equal(s.lists.IncomeType.codes.find((c) => c.code === '101').meaning, 'Palkka yhteissumma');
  assert.throws(() => schema('NotARoot'), /not a record root/);
  const { default: lists } = await import('tulorekisteri/code-lists.json', { with: { type: 'json' } });
  assert.equal(lists.IdType['1'], 'Y-tunnus');
  for (const name of Object.keys(s.lists).filter((n) => n !== 'IncomeType')) {
    assert.ok(lists[name], `code-lists.json has ${name}`);
    for (const { code } of s.lists[name].codes) assert.ok(code in lists[name], `${name} ${code} has a meaning`);
  }
});
