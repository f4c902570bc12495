// The records the form makes: the roots of the reports and invalidations
// sent to the Register, real-time (one report) and deferred (many).
export const ROOTS = [
  'WageReportRequestToIR',
  'WageReportsRequestToIR',
  'PayerSummaryReportRequestToIR',
  'PayerSummaryReportsRequestToIR',
  'BenefitReportRequestToIR',
  'BenefitReportsRequestToIR',
  'InvalidationRequestToIR',
  'InvalidationsRequestToIR',
];

/** The i18n key of a root's name in words. */
export function rootKey(root) {
  return `form.root.${root}`;
}
