// Records for the browser tests, made with the package in Node from the
// official sample of an earnings payment report (../shared/reference/ir):
// a one-report draft, a big deferred record, the simulator's organisation's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, parse } from 'tulorekisteri';
import { OUTPUT, REFERENCE } from './harness.mjs';

export const SAMPLE = join(REFERENCE, 'samples', 'esimerkki_nt1.xml');
/** The simulator's organisation (`simulator init --business-id`, its default). */
export const BUSINESS_ID = '1234567-1';
/** A well-formed personal identity code of nobody. */
export const PERSON = '010101-123N';

function sampleData() {
  return parse(readFileSync(SAMPLE, 'utf8')).WageReportRequestToIR.DeliveryData;
}

/**
 * A deferred earnings payment record of `count` reports (ReportIds
 * `${prefix}-N`), from the organisation `payer` (it owns, creates and
 * sends it, as the simulator expects). Returns the XML.
 */
export function wageRecord({ deliveryId, count = 1, prefix = 'R', payer = BUSINESS_ID, root = 'WageReportsRequestToIR' }) {
  const data = sampleData();
  const report = data.Reports.Report[0];
  const id = { Type: 1, Code: payer };
  data.Reports.Report = Array.from({ length: count }, (_, i) => {
    const r = structuredClone(report);
    r.ReportData.ReportId = `${prefix}-${i + 1}`;
    r.IncomeEarner.IncomeEarnerIds.Id[0].Code = PERSON;
    if (r.IncomeEarner.AccidentInsurance?.AccInsProvId) r.IncomeEarner.AccidentInsurance.AccInsProvId.Code = payer;
    return r;
  });
  data.Payer.PayerIds.Id[0].Code = payer;
  Object.assign(data, { DeliveryId: deliveryId, DeliveryDataOwner: id, DeliveryDataCreator: id, DeliveryDataSender: id });
  data.Timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  data.ProductionEnvironment = false;
  const { xml, diagnostics } = build({ [root]: { DeliveryData: data } });
  if (xml === undefined) throw new Error(`the test record does not build: ${JSON.stringify(diagnostics.slice(0, 3))}`);
  return xml;
}

/** A big record (`count` reports) written once to www/test-output; returns its path. */
export function bigRecordFile(count) {
  const file = join(OUTPUT, `wage-${count}.xml`);
  if (!existsSync(file)) {
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(file, wageRecord({ deliveryId: `big-${count}`, count }));
  }
  return file;
}
