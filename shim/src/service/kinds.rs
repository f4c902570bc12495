//! The kinds of reports the service groups into records, and what each
//! record's header needs (NOTES.md §3: `PaymentPeriod` for earnings
//! payment records, `PaymentDate` for benefits payment records,
//! `ReportDate` for employer's separate reports).

/// One kind of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Its name in the API: `earnings`, `employer-separate`, `benefits`.
    pub name: &'static str,
    /// DeliveryDataType of its records.
    pub ddt: i64,
    /// DeliveryDataType of a cancellation of its reports (105-107).
    pub cancel_reports: i64,
    /// DeliveryDataType of a cancellation of its whole records (109-111).
    pub cancel_record: i64,
    /// The deferred record's root.
    pub deferred: &'static str,
    /// The real-time record's root.
    pub realtime: &'static str,
    /// The header fields a posted report gives: (its key in the API,
    /// the element in `DeliveryData`, required).
    pub header: &'static [(&'static str, &'static str, bool)],
}

/// Every kind.
pub const KINDS: [Kind; 3] = [
    Kind {
        name: "earnings",
        ddt: 100,
        cancel_reports: 105,
        cancel_record: 109,
        deferred: "WageReportsRequestToIR",
        realtime: "WageReportRequestToIR",
        header: &[
            ("payer", "Payer", true),
            ("paymentPeriod", "PaymentPeriod", true),
            ("contactPersons", "ContactPersons", false),
        ],
    },
    Kind {
        name: "employer-separate",
        ddt: 101,
        cancel_reports: 106,
        cancel_record: 110,
        deferred: "PayerSummaryReportsRequestToIR",
        realtime: "PayerSummaryReportRequestToIR",
        header: &[
            ("payer", "Payer", true),
            ("reportDate", "ReportDate", true),
            ("contactPersons", "ContactPersons", true),
        ],
    },
    Kind {
        name: "benefits",
        ddt: 102,
        cancel_reports: 107,
        cancel_record: 111,
        deferred: "BenefitReportsRequestToIR",
        realtime: "BenefitReportRequestToIR",
        header: &[
            ("payer", "Payer", true),
            ("paymentDate", "PaymentDate", true),
            ("contactPersons", "ContactPersons", true),
        ],
    },
];

/// The kind called `name` (or its DeliveryDataType, `"100"`).
pub fn by_name(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name || k.ddt.to_string() == name)
}

/// The kind of a record root (deferred or real-time).
pub fn by_root(root: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.deferred == root || k.realtime == root)
}

/// The names, for messages.
pub fn names() -> String {
    KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}
