//! The Register's Web Service operations, from the ten official WSDLs: which
//! service and operation a record goes to (it follows from the record's
//! root element), what the answer's root is, and which of the
//! organisation's certificates it is sent with.

/// The purposes the Register issues separate certificates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Reporting earnings payment data: earnings payment reports, employer's
    /// separate reports, and their cancellations.
    Earnings,
    /// Reporting benefits payment data: benefits payment reports and their
    /// cancellations.
    Benefits,
    /// Accessing data: queries and record subscriptions.
    Data,
}

impl Purpose {
    /// The name used in the configuration (`[certificates.NAME]`).
    pub fn key(self) -> &'static str {
        match self {
            Purpose::Earnings => "earnings",
            Purpose::Benefits => "benefits",
            Purpose::Data => "data",
        }
    }

    /// Every purpose, in the order an Echo looks for a certificate.
    pub const ALL: [Purpose; 3] = [Purpose::Earnings, Purpose::Benefits, Purpose::Data];

    /// The purpose of records of a `DeliveryDataType` (100-112, KOOD §1.4).
    pub fn of_delivery_data_type(code: i64) -> Option<Purpose> {
        match code {
            100 | 101 | 105 | 106 | 109 | 110 => Some(Purpose::Earnings),
            102 | 107 | 111 => Some(Purpose::Benefits),
            103 | 108 | 112 => Some(Purpose::Data),
            _ => None,
        }
    }
}

/// How an operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Real-time: one report, processed at once, answered with the
    /// processing feedback (`StatusResponseFromIR`).
    RealTime,
    /// Deferred: many reports, answered with a receipt (`AckFromIR`); the
    /// feedback is asked for later with `GetDeliveryDataStatus`.
    Deferred,
    /// `GetDeliveryDataStatus`: the processing feedback of a record.
    Status,
    /// `SendEcho`: the Register echoes the data.
    Echo,
    /// A query of the data the Register holds.
    Query,
}

/// One operation of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The service, as in its address `/20170526/<service>.svc`.
    pub service: &'static str,
    /// The operation name, also the `SOAPAction`.
    pub name: &'static str,
    /// The root element of the request record.
    pub request: &'static str,
    /// The root element of the answer.
    pub response: &'static str,
    /// How it answers.
    pub kind: Kind,
}

impl Operation {
    /// The path of the service below the base URL's host:
    /// `/20170526/<service>.svc`.
    pub fn path(&self) -> String {
        format!("/20170526/{}.svc", self.service)
    }
}

const fn op(
    service: &'static str,
    name: &'static str,
    request: &'static str,
    response: &'static str,
    kind: Kind,
) -> Operation {
    Operation {
        service,
        name,
        request,
        response,
        kind,
    }
}

const STATUS: &str = "StatusResponseFromIR";
const ACK: &str = "AckFromIR";

/// Every operation of the ten WSDLs (`tests/wsdl.rs` compares this table
/// with them).
pub const OPERATIONS: &[Operation] = &[
    op(
        "WageReportService",
        "SendWageReport",
        "WageReportRequestToIR",
        STATUS,
        Kind::RealTime,
    ),
    op(
        "WageReportService",
        "SendWageReports",
        "WageReportsRequestToIR",
        ACK,
        Kind::Deferred,
    ),
    op(
        "PayerSummaryReportService",
        "SendPayerSummaryReport",
        "PayerSummaryReportRequestToIR",
        STATUS,
        Kind::RealTime,
    ),
    op(
        "PayerSummaryReportService",
        "SendPayerSummaryReports",
        "PayerSummaryReportsRequestToIR",
        ACK,
        Kind::Deferred,
    ),
    op(
        "BenefitReportService",
        "SendBenefitReport",
        "BenefitReportRequestToIR",
        STATUS,
        Kind::RealTime,
    ),
    op(
        "BenefitReportService",
        "SendBenefitReports",
        "BenefitReportsRequestToIR",
        ACK,
        Kind::Deferred,
    ),
    op(
        "InvalidationService",
        "SendInvalidation",
        "InvalidationRequestToIR",
        STATUS,
        Kind::RealTime,
    ),
    op(
        "InvalidationService",
        "SendInvalidations",
        "InvalidationsRequestToIR",
        ACK,
        Kind::Deferred,
    ),
    op(
        "SubscriptionService",
        "ProcessSubscription",
        "SubscriptionsRequestToIR",
        STATUS,
        Kind::RealTime,
    ),
    op(
        "SubscriptionService",
        "SendSubscription",
        "SubscriptionsRequestToIRAsync",
        ACK,
        Kind::Deferred,
    ),
    op(
        "StatusService",
        "GetDeliveryDataStatus",
        "StatusRequestToIR",
        STATUS,
        Kind::Status,
    ),
    op("EchoService", "SendEcho", "Echo", "Echo", Kind::Echo),
    op(
        "WageReportQueryService",
        "GetWageReportsOneIncomeEarner",
        "WageReportsOneIncomeEarnerRequestToIR",
        "WageReportsFromIR",
        Kind::Query,
    ),
    op(
        "WageReportQueryService",
        "GetWageReportsOnePayer",
        "WageReportsOnePayerRequestToIR",
        "WageReportsFromIR",
        Kind::Query,
    ),
    op(
        "WageReportQueryService",
        "GetWageReportsOnePayerOneIncomeEarner",
        "WageReportsOnePayerOneIncomeEarnerRequestToIR",
        "WageReportsFromIR",
        Kind::Query,
    ),
    op(
        "WageReportQueryService",
        "GetWageReportsOnePolicyNo",
        "WageReportsOnePolicyNoRequestToIR",
        "WageReportsFromIR",
        Kind::Query,
    ),
    op(
        "PayerSummaryReportQueryService",
        "GetPayerSummaryReportsOnePayer",
        "PayerSummaryReportsOnePayerRequestToIR",
        "PayerSummaryReportsFromIR",
        Kind::Query,
    ),
    op(
        "PayerSummaryReportQueryService",
        "GetPayerSummaryReportsOnePolicyNo",
        "PayerSummaryReportsOnePolicyNoRequestToIR",
        "PayerSummaryReportsFromIR",
        Kind::Query,
    ),
    op(
        "BenefitReportQueryService",
        "GetBenefitReportsOneIncomeEarner",
        "BenefitReportsOneIncomeEarnerRequestToIR",
        "BenefitReportsFromIR",
        Kind::Query,
    ),
    op(
        "BenefitReportQueryService",
        "GetBenefitReportsOnePayerOneIncomeEarner",
        "BenefitReportsOnePayerOneIncomeEarnerRequestToIR",
        "BenefitReportsFromIR",
        Kind::Query,
    ),
    op(
        "BenefitReportQueryService",
        "GetBenefitReportsOneIRReportId",
        "BenefitReportsOneIRReportIdRequestToIR",
        "BenefitReportsFromIR",
        Kind::Query,
    ),
];

/// The operation a record with root element `root` is sent with.
pub fn for_request(root: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.request == root)
}

/// The operation at `path` (`/20170526/<service>.svc`) named by `action`
/// (the `SOAPAction`, with or without its quotes).
pub fn for_action(path: &str, action: &str) -> Option<&'static Operation> {
    let action = action.trim_matches('"');
    OPERATIONS.iter().find(|o| o.name == action && o.path() == path)
}

/// The certificate purpose of a request: by its root, and for
/// cancellations and status queries by the `DeliveryDataType` it names.
/// `None` for Echo, which any of the organisation's certificates may send.
pub fn purpose(root: &str, delivery_data_type: Option<i64>) -> Option<Purpose> {
    let by_type = || delivery_data_type.and_then(Purpose::of_delivery_data_type);
    match root {
        "Echo" => None,
        "StatusRequestToIR" | "InvalidationRequestToIR" | "InvalidationsRequestToIR" => by_type(),
        r if r.starts_with("WageReport") && r.ends_with("RequestToIR") && !r.contains("One") => Some(Purpose::Earnings),
        r if r.starts_with("PayerSummaryReport") && !r.contains("One") => Some(Purpose::Earnings),
        r if r.starts_with("BenefitReport") && !r.contains("One") => Some(Purpose::Benefits),
        _ => Some(Purpose::Data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_root_has_one_operation_and_a_purpose() {
        for o in OPERATIONS {
            assert_eq!(for_request(o.request), Some(o));
            assert_eq!(for_action(&o.path(), &format!("\"{}\"", o.name)), Some(o));
        }
        assert_eq!(purpose("WageReportsRequestToIR", Some(100)), Some(Purpose::Earnings));
        assert_eq!(
            purpose("PayerSummaryReportRequestToIR", Some(101)),
            Some(Purpose::Earnings)
        );
        assert_eq!(purpose("BenefitReportsRequestToIR", Some(102)), Some(Purpose::Benefits));
        assert_eq!(purpose("InvalidationsRequestToIR", Some(107)), Some(Purpose::Benefits));
        assert_eq!(purpose("InvalidationRequestToIR", Some(110)), Some(Purpose::Earnings));
        assert_eq!(purpose("StatusRequestToIR", Some(103)), Some(Purpose::Data));
        assert_eq!(purpose("SubscriptionsRequestToIRAsync", Some(103)), Some(Purpose::Data));
        assert_eq!(purpose("WageReportsOnePayerRequestToIR", None), Some(Purpose::Data));
        assert_eq!(
            purpose("BenefitReportsOneIRReportIdRequestToIR", None),
            Some(Purpose::Data)
        );
        assert_eq!(purpose("Echo", None), None);
        assert_eq!(purpose("StatusRequestToIR", Some(999)), None);
    }
}
