// An earnings payment report built with the generated types: tsc --noEmit
// checks every field name, value type and required field against the schema.
import { build, validate, validateBytes, type Records, type Wrtirt } from 'tulorekisteri';

const payer: Wrtirt.Id = { Type: 1, Code: '7011367-6' };

const record: Records['WageReportRequestToIR'] = {
  DeliveryData: {
    Timestamp: '2024-01-31T12:00:00+02:00',
    Source: 'Example payroll',
    DeliveryDataType: 100,
    DeliveryId: 'payroll-2024-01-001',
    FaultyControl: 1,
    ProductionEnvironment: false,
    DeliveryDataOwner: payer,
    DeliveryDataCreator: payer,
    DeliveryDataSender: payer,
    PaymentPeriod: { PaymentDate: '2024-01-31', StartDate: '2024-01-01', EndDate: '2024-01-31' },
    ContactPersons: {
      ContactPerson: [{ Name: 'Maija Meikäläinen', Telephone: '0401234567', ResponsibilityCode: 1 }],
    },
    Payer: { PayerIds: { Id: [payer] } },
    Reports: {
      Report: [
        {
          ReportData: { ActionCode: 1, ReportId: 'R-2024-01-001' },
          // Time-rate pay (201) needs a profession and pension insurance.
          IncomeEarner: {
            IncomeEarnerIds: { Id: [{ Type: 2, Code: '010190-123A' }] },
            Professions: { Profession: [{ Type: 1, Code: '32591' }] },
            PensionInsurance: { PensionActCode: 1, PensionProvIdCode: 55, PensionPolicyNo: '55-1234567' },
          },
          Transactions: {
            Transaction: [{ TransactionBasic: { TransactionCode: 201, Amount: 3500 } }],
          },
        },
      ],
    },
  },
};

const result = build({ WageReportRequestToIR: record });
if (result.xml !== undefined) {
  const problems = validate(result.xml, { unsigned: true });
  console.log(problems.length === 0 ? 'valid' : problems.map((d) => `${d.path}: ${d.message}`).join('\n'));
  // Options may be left out: then a record must be signed.
  const asSigned = validateBytes(new TextEncoder().encode(result.xml));
  console.log(asSigned.some((d) => d.code === 'schema-missing-element') ? 'not signed yet' : 'signed');
} else {
  for (const d of result.diagnostics) console.log(`${d.code} at ${d.path}: ${d.message}`);
}
