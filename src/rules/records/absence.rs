//! The rules of absences in earnings payment reports (PTI §2.52-2.54), and
//! what a reimbursement application to Kela (ReimbPayment of type 1 or 2)
//! needs elsewhere in the record (PTI §2.3, §2.5, §2.14, §2.18).

use super::{Group, RecordChecker, Role};
use crate::diagnostic::Code;
use crate::rules::{Date, Finding};

/// ReimbPaymentType: Kela's daily allowance (1) and family leave
/// compensation (2) applications.
const DAILY_ALLOWANCE_APPLICATION: i64 = 1;
const FAMILY_LEAVE_APPLICATION: i64 = 2;

/// The absence data of one report.
#[derive(Default)]
pub(super) struct AbsenceState {
    /// AbsenceRepStartDate and AbsenceRepEndDate given.
    report_period: (bool, bool),
    /// The absence period being read.
    start: Option<Date>,
    end: Option<Date>,
    cause: Option<i64>,
    reimbursement: bool,
    /// ReimbPaymentTypes 1 and 2 of the period being read (bits by type).
    applications: u8,
    /// The ReimbPayment being read: PaymentType, PaymentRef, PaymentSpecifier.
    payment: (Option<i64>, bool, bool),
    /// Every absence period of the report: start, last day, paid.
    periods: Vec<(Date, Date, bool)>,
    /// Applications of type 1 or 2 in the report (bits by type), and the
    /// earliest start of an absence they are for.
    report_applications: u8,
    first_applied_start: Option<Date>,
}

impl RecordChecker {
    /// A value these rules look at (earnings payment reports only).
    pub(super) fn absence_value(&mut self, role: Role, value: &str, out: &mut Vec<Finding>) {
        let a = &mut self.report.absence;
        match role {
            Role::AbsenceRepStart => a.report_period.0 = true,
            Role::AbsenceRepEnd => a.report_period.1 = true,
            Role::AbsenceStart => a.start = Date::parse(value),
            Role::AbsenceEnd => a.end = Date::parse(value),
            Role::AbsenceCause => a.cause = value.parse().ok(),
            Role::AbsenceUntil => {
                let start = a.start;
                if let (Some(until), Some(start)) = (Date::parse(value), start) {
                    if until < start {
                        out.push(self.finding(Code::RuleAbsenceUntil, &[value, &start.to_string()]));
                    }
                }
            }
            Role::ReimbInfo if !a.reimbursement => out.push(self.finding(Code::RuleReimbursementInfo, &[])),
            Role::ReimbType => a.payment.0 = value.parse().ok(),
            Role::ReimbRef => a.payment.1 = true,
            Role::ReimbSpecifier => a.payment.2 = true,
            _ => {}
        }
        // The dates of the reporting period and of each absence period also
        // follow the rules of every period (from 1800, end not before start).
        if matches!(role, Role::AbsenceRepStart | Role::AbsenceStart) {
            self.employment_value(Role::PeriodStart, value, out);
        } else if matches!(role, Role::AbsenceRepEnd | Role::AbsenceEnd) {
            self.employment_value(Role::PeriodEnd, value, out);
        }
    }

    pub(super) fn absence_open(&mut self, group: Group) {
        if group == Group::ReimbApp {
            self.report.absence.reimbursement = true;
        }
    }

    pub(super) fn absence_close(&mut self, group: Group, out: &mut Vec<Finding>) {
        let a = &mut self.report.absence;
        match group {
            Group::Absence => {
                let (start, end) = std::mem::take(&mut a.report_period);
                if start != end {
                    out.push(self.finding(Code::RuleAbsenceReportPeriod, &[]));
                }
            }
            Group::ReimbPayment => {
                let (kind, reference, specifier) = std::mem::take(&mut a.payment);
                let cause = a.cause;
                let Some(kind @ (DAILY_ALLOWANCE_APPLICATION | FAMILY_LEAVE_APPLICATION)) = kind else {
                    return;
                };
                a.applications |= 1 << kind;
                if reference && specifier {
                    out.push(self.finding(Code::RuleReimbursementReference, &[]));
                }
                let allowed: &[i64] = if kind == DAILY_ALLOWANCE_APPLICATION {
                    &[1, 3, 4, 5]
                } else {
                    &[3]
                };
                if let Some(cause) = cause.filter(|c| !allowed.contains(c)) {
                    let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
                    let args = [kind.to_string(), cause.to_string(), list.join(", ")];
                    out.push(self.finding(Code::RuleReimbursementCause, &[&args[0], &args[1], &args[2]]));
                }
            }
            Group::PaidAbsencePeriod | Group::UnpaidAbsencePeriod => {
                let (start, end, applications) = (a.start.take(), a.end.take(), std::mem::take(&mut a.applications));
                a.cause = None;
                a.reimbursement = false;
                if let Some(start) = start {
                    // Without an end date, the absence is taken to be one day.
                    a.periods
                        .push((start, end.unwrap_or(start), group == Group::PaidAbsencePeriod));
                    if applications != 0 {
                        a.report_applications |= applications;
                        a.first_applied_start = Some(a.first_applied_start.map_or(start, |f| f.min(start)));
                    }
                }
                if applications != 0 && end.is_none() {
                    out.push(self.finding(Code::RuleReimbursementEndDate, &[]));
                }
            }
            _ => {}
        }
    }

    /// At the end of a report: overlapping absences, and what the
    /// reimbursement applications need elsewhere in the record.
    pub(super) fn absence_report_end(&self, out: &mut Vec<Finding>) {
        let a = &self.report.absence;
        let overlap = a
            .periods
            .iter()
            .enumerate()
            .any(|(i, p)| a.periods[..i].iter().any(|q| (p.2 || q.2) && p.0 <= q.1 && q.0 <= p.1));
        if overlap {
            out.push(self.finding(Code::RuleAbsenceOverlap, &[]));
        }
        if a.report_applications == 0 {
            return;
        }
        let e = &self.report.employment;
        let family_leave = a.report_applications & (1 << FAMILY_LEAVE_APPLICATION) != 0;
        let mut missing = vec![];
        let mut need = |needed: bool, what| {
            if needed {
                missing.push(what);
            }
        };
        need(
            !self.contact_for_applications,
            "ContactPerson with Email and ResponsibilityCode 1",
        );
        need(!self.payer.finnish_id, "a payer identifier of Type 1 or 2");
        need(!self.report.earner_personal_id, "an earner identifier of Type 2");
        need(family_leave && !e.employment_code(), "Employment/EmploymentCode");
        need(
            !e.monthly_or_hourly_pay(),
            "Employment/PaymentTypes with PaymentType 1 or 2",
        );
        match e.first_employment_start() {
            None => need(true, "Employment/EmploymentPeriods"),
            Some(first) => need(
                a.first_applied_start.is_some_and(|s| s < first),
                "a paid absence that starts no earlier than the first employment period",
            ),
        }
        if !missing.is_empty() {
            out.push(self.finding(Code::RuleReimbursementData, &[&missing.join("; ")]));
        }
    }
}
