//! The rules of the records sent to the Register: earnings payment,
//! employer's separate and benefits payment reports, invalidations and
//! status requests. One checker serves them all: the elements it looks at
//! are found by name in the schema tables, so the same rule works in every
//! family that has the element.

use super::codes::{income_type, Method};
use super::ids::{check_business_id, check_hetu, is_reference, HetuProblem};
use super::{Checker, Date, Environment, Finding, RuleOptions};
use crate::diagnostic::Code;
use crate::schema::model::{Builtin, Content, ElementType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, SIMPLE_TYPES};
use crate::validate::lexical::has_zone;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Wage,
    PayerSummary,
    Benefit,
    Invalidation,
    Status,
}

/// What a value means to the rules: (parent type's local name, element name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    DeliveryDataType,
    ProductionEnvironment,
    Reference,
    ReportDate,
    PaymentDate,
    StartDate,
    EndDate,
    ActionCode,
    IrReportId,
    ReportId,
    ReportVersion,
    TransactionCode,
    Amount,
    UnjustEnrichment,
    Recovery,
    IdType,
    IdCode,
    IdCountryCode,
    IdCountryName,
}

const VALUE_ROLES: &[(&str, &str, Role)] = &[
    ("DeliveryData", "DeliveryDataType", Role::DeliveryDataType),
    ("StatusRequestToIR", "DeliveryDataType", Role::DeliveryDataType),
    ("DeliveryData", "ProductionEnvironment", Role::ProductionEnvironment),
    (
        "StatusRequestToIR",
        "ProductionEnvironment",
        Role::ProductionEnvironment,
    ),
    ("DeliveryData", "DeliveryId", Role::Reference),
    ("DeliveryData", "ReportDate", Role::ReportDate),
    ("PaymentPeriod", "PaymentDate", Role::PaymentDate),
    ("PaymentPeriod", "StartDate", Role::StartDate),
    ("PaymentPeriod", "EndDate", Role::EndDate),
    ("ReportData", "ActionCode", Role::ActionCode),
    ("ReportData", "IRReportId", Role::IrReportId),
    ("ReportData", "ReportId", Role::ReportId),
    ("ReportData", "ReportVersion", Role::ReportVersion),
    ("TransactionBasic", "TransactionCode", Role::TransactionCode),
    ("TransactionBasic", "Amount", Role::Amount),
    ("TransactionBasic", "UnjustEnrichment", Role::UnjustEnrichment),
    ("TransactionBasic", "Recovery", Role::Recovery),
    ("Id", "Type", Role::IdType),
    ("Id", "Code", Role::IdCode),
    ("Id", "CountryCode", Role::IdCountryCode),
    ("Id", "CountryName", Role::IdCountryName),
];

/// Groups whose end the rules act on, by their complex type's local name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Id,
    ReportData,
    InsuranceData,
    Transaction,
    Transactions,
    Report,
    Reports,
}

const GROUPS: &[(&str, Group)] = &[
    ("Id", Group::Id),
    ("ReportData", Group::ReportData),
    ("InsuranceData", Group::InsuranceData),
    ("Transaction", Group::Transaction),
    ("Transactions", Group::Transactions),
    ("Report", Group::Report),
    ("Reports", Group::Reports),
];

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The state of the identifier group being read.
#[derive(Default)]
struct IdState {
    kind: Option<i64>,
    country: Option<String>,
    country_name: bool,
}

#[derive(Default)]
struct ReportState {
    action: Option<i64>,
    ir_report_id: bool,
    report_id: bool,
    /// (income type, amount) of the transactions read so far.
    transactions: Vec<(i64, Option<f64>)>,
    /// The transaction being read.
    code: Option<i64>,
    amount: Option<f64>,
    unjust_or_recovery: bool,
    insurance_data: bool,
}

pub(super) struct RecordChecker {
    family: Family,
    realtime: bool,
    options: RuleOptions,
    /// By element declaration: (parent complex type, role) pairs; few each.
    roles: Vec<Vec<(u16, Role)>>,
    groups: Vec<Option<Group>>,
    wanted: Vec<bool>,
    id: IdState,
    report: ReportState,
    start_date: Option<Date>,
    report_ids: HashSet<String>,
    reports: usize,
}

impl RecordChecker {
    pub(super) fn new(root: u16, options: RuleOptions) -> Option<RecordChecker> {
        let name = ELEMENTS[root as usize].name;
        let (family, realtime) = match name {
            "WageReportRequestToIR" => (Family::Wage, true),
            "WageReportsRequestToIR" => (Family::Wage, false),
            "PayerSummaryReportRequestToIR" => (Family::PayerSummary, true),
            "PayerSummaryReportsRequestToIR" => (Family::PayerSummary, false),
            "BenefitReportRequestToIR" => (Family::Benefit, true),
            "BenefitReportsRequestToIR" => (Family::Benefit, false),
            "InvalidationRequestToIR" | "InvalidationsRequestToIR" => (Family::Invalidation, false),
            "StatusRequestToIR" => (Family::Status, false),
            _ => return None,
        };
        let mut roles = vec![vec![]; ELEMENTS.len()];
        let mut groups = vec![None; ELEMENTS.len()];
        let mut wanted = vec![false; ELEMENTS.len()];
        for (ct_index, ct) in COMPLEX_TYPES.iter().enumerate() {
            let Content::Elements { children, .. } = ct.content else {
                continue;
            };
            let parent = local(ct.name);
            for child in children.iter() {
                let el = &ELEMENTS[child.element as usize];
                if let Some(&(_, _, role)) = VALUE_ROLES.iter().find(|(p, e, _)| *p == parent && *e == el.name) {
                    roles[child.element as usize].push((ct_index as u16, role));
                    wanted[child.element as usize] = true;
                }
                match el.ty {
                    ElementType::Complex(inner) => {
                        let inner_name = local(COMPLEX_TYPES[inner as usize].name);
                        if let Some(&(_, group)) = GROUPS.iter().find(|(n, _)| *n == inner_name) {
                            groups[child.element as usize] = Some(group);
                            wanted[child.element as usize] = true;
                        }
                    }
                    ElementType::Simple(st) => {
                        if matches!(
                            SIMPLE_TYPES[st as usize].builtin,
                            Builtin::Date | Builtin::DateTime | Builtin::Time
                        ) {
                            wanted[child.element as usize] = true;
                        }
                    }
                }
            }
        }
        Some(RecordChecker {
            family,
            realtime,
            options,
            roles,
            groups,
            wanted,
            id: IdState::default(),
            report: ReportState::default(),
            start_date: None,
            report_ids: HashSet::new(),
            reports: 0,
        })
    }

    fn finding(&self, code: Code, args: &[&str]) -> Finding {
        Finding::new(code, self.options.lang, args)
    }

    fn expected_types(&self) -> &'static [i64] {
        match self.family {
            Family::Wage => &[100],
            Family::PayerSummary => &[101],
            Family::Benefit => &[102],
            Family::Invalidation => &[105, 106, 107, 108, 109, 110, 111, 112],
            Family::Status => &[100, 101, 102, 103, 105, 106, 107, 108, 109, 110, 111, 112],
        }
    }

    fn time_zone(&self, el: u16, value: &str, out: &mut Vec<Finding>) {
        let ElementType::Simple(st) = ELEMENTS[el as usize].ty else {
            return;
        };
        let zoned = has_zone(value);
        let wrong = match SIMPLE_TYPES[st as usize].builtin {
            Builtin::Date => zoned,
            Builtin::DateTime | Builtin::Time => !zoned,
            _ => false,
        };
        if wrong {
            out.push(self.finding(Code::RuleTimeZone, &[value]));
        }
    }

    /// The rules of one income type, from the code list.
    fn transaction_end(
        &self,
        code: i64,
        amount: Option<f64>,
        unjust_or_recovery: bool,
        insurance: bool,
        out: &mut Vec<Finding>,
    ) {
        let c = code.to_string();
        let Some(t) = income_type(code) else {
            out.push(self.finding(Code::RuleIncomeTypeUnknown, &[&c]));
            return;
        };
        if let Some(a) = amount.filter(|a| *a < 0.0 && !t.negative_allowed) {
            out.push(self.finding(Code::RuleNegativeAmount, &[&c, &format!("{a:.2}")]));
        }
        if unjust_or_recovery && t.unjust_enrichment_and_recovery_blocked {
            out.push(self.finding(Code::RuleUnjustEnrichment, &[&c]));
        }
        if insurance && !t.insurance_data_allowed {
            out.push(self.finding(Code::RuleInsuranceData, &[&c]));
        }
    }

    fn transactions_end(&mut self, out: &mut Vec<Finding>) {
        let codes = &self.report.transactions;
        let method = |m: Method| codes.iter().find(|t| income_type(t.0).is_some_and(|i| i.method == m));
        if let (Some(one), Some(two)) = (method(Method::One), method(Method::Two)) {
            let args = [one.0.to_string(), two.0.to_string()];
            out.push(self.finding(Code::RuleReportingMethods, &[&args[0], &args[1]]));
        }
        let has = |c: i64| codes.iter().any(|t| t.0 == c);
        let mut found = vec![];
        for c in [102, 103, 104, 105, 106] {
            if has(c) && !has(101) {
                found.push(self.finding(Code::RuleIncomeType101, &[&c.to_string()]));
            }
        }
        if has(103) {
            for c in [102, 104, 105, 106] {
                if has(c) {
                    found.push(self.finding(Code::RuleIncomeType103, &[&c.to_string()]));
                }
            }
        }
        // With several 101s (unjust enrichment, recovery) the rule's base is ambiguous.
        let totals: Vec<f64> = codes.iter().filter(|t| t.0 == 101).filter_map(|t| t.1).collect();
        if let [total] = totals[..] {
            for &(c, amount) in codes.iter().filter(|t| (102..=106).contains(&t.0)) {
                if let Some(a) = amount.filter(|a| *a > total) {
                    let args = [c.to_string(), format!("{a:.2}"), format!("{total:.2}")];
                    found.push(self.finding(Code::RuleAmountOver101, &[&args[0], &args[1], &args[2]]));
                }
            }
        }
        out.extend(found);
        self.report.transactions.clear();
    }
}

impl Checker for RecordChecker {
    fn wants(&self, el: u16) -> bool {
        self.wanted[el as usize]
    }

    fn value(&mut self, parent: u16, el: u16, value: &str, out: &mut Vec<Finding>) {
        if matches!(self.family, Family::Wage | Family::PayerSummary | Family::Benefit) {
            self.time_zone(el, value, out);
        }
        let Some(&(_, role)) = self.roles[el as usize].iter().find(|(p, _)| *p == parent) else {
            return;
        };
        let today = self.options.today;
        match role {
            Role::DeliveryDataType => {
                let expected = self.expected_types();
                if !value.parse().is_ok_and(|v: i64| expected.contains(&v)) {
                    let list: Vec<String> = expected.iter().map(i64::to_string).collect();
                    out.push(self.finding(Code::RuleDeliveryDataType, &[value, &list.join(", ")]));
                }
            }
            Role::ProductionEnvironment => {
                let production = matches!(value, "true" | "1");
                if let Some(env) = self.options.environment {
                    if production != (env == Environment::Production) {
                        let named = if env == Environment::Production {
                            "production"
                        } else {
                            "test"
                        };
                        out.push(self.finding(Code::RuleEnvironment, &[value, named]));
                    }
                }
            }
            Role::Reference if !is_reference(value) => {
                out.push(self.finding(Code::RuleReferenceCharacters, &[&format!("{value:?}")]));
            }
            Role::ReportDate => {
                if let Some(d) = Date::parse(value) {
                    if d > today || d < Date::new(2019, 1, 1).expect("a date") {
                        out.push(self.finding(Code::RuleReportDate, &[value, &today.to_string()]));
                    }
                }
            }
            Role::PaymentDate if self.family == Family::Wage => {
                if let Some(d) = Date::parse(value) {
                    if d < Date::new(2019, 1, 1).expect("a date") || d > today.add_days(45) {
                        out.push(self.finding(Code::RulePaymentDate, &[value, &today.to_string()]));
                    }
                }
            }
            Role::StartDate if self.family == Family::Wage => {
                self.start_date = Date::parse(value);
                if self
                    .start_date
                    .is_some_and(|d| d < Date::new(1800, 1, 1).expect("a date"))
                {
                    out.push(self.finding(Code::RuleStartDate, &[value]));
                }
            }
            Role::EndDate if self.family == Family::Wage => {
                if let (Some(end), Some(start)) = (Date::parse(value), self.start_date) {
                    if end < start {
                        out.push(self.finding(Code::RuleEndBeforeStart, &[value, &start.to_string()]));
                    }
                }
            }
            Role::ActionCode => self.report.action = value.parse().ok(),
            Role::IrReportId => {
                self.report.ir_report_id = true;
                if self.report.action == Some(1) {
                    out.push(self.finding(Code::RuleIrReportIdOnNew, &[]));
                }
            }
            Role::ReportId => {
                self.report.report_id = true;
                if !is_reference(value) {
                    out.push(self.finding(Code::RuleReferenceCharacters, &[&format!("{value:?}")]));
                }
                if !self.report_ids.insert(value.to_string()) {
                    out.push(self.finding(Code::RuleReportOnce, &[value]));
                }
            }
            Role::ReportVersion => {
                let version: i64 = value.parse().unwrap_or(0);
                if self.report.action == Some(1) || version <= 0 {
                    out.push(self.finding(Code::RuleReportVersion, &[value]));
                }
            }
            Role::TransactionCode => self.report.code = value.parse().ok(),
            Role::Amount => self.report.amount = value.parse().ok(),
            Role::UnjustEnrichment | Role::Recovery => self.report.unjust_or_recovery |= value == "true",
            Role::IdType => self.id.kind = value.parse().ok(),
            Role::IdCode => match self.id.kind {
                Some(1) if !check_business_id(value) => {
                    out.push(self.finding(Code::RuleBusinessId, &[value]));
                }
                Some(2) => {
                    if let Err(problem) = check_hetu(value) {
                        // Never echo a personal identity code: say what is wrong.
                        let what = match problem {
                            HetuProblem::Form => "form",
                            HetuProblem::Date => "date",
                            HetuProblem::IndividualNumber => "individual number",
                            HetuProblem::CheckCharacter => "check character",
                        };
                        out.push(self.finding(Code::RulePersonalId, &[what]));
                    }
                }
                _ => {}
            },
            Role::IdCountryCode => self.id.country = Some(value.to_string()),
            Role::IdCountryName => self.id.country_name = true,
            _ => {}
        }
    }

    fn close(&mut self, el: u16, out: &mut Vec<Finding>) {
        let Some(group) = self.groups[el as usize] else { return };
        match group {
            Group::Id => {
                let id = std::mem::take(&mut self.id);
                if let Some(kind) = id.kind.filter(|k| *k != 1 && *k != 2) {
                    if id.country.is_none() {
                        out.push(self.finding(Code::RuleCountryCode, &[&kind.to_string()]));
                    }
                }
                if id.country.as_deref() == Some("99") && !id.country_name {
                    out.push(self.finding(Code::RuleCountryName, &[]));
                }
            }
            Group::ReportData => {
                let r = &self.report;
                let needs_report_id = match r.action {
                    Some(1) => true,
                    Some(2) => !r.ir_report_id,
                    _ => false,
                };
                if needs_report_id && !r.report_id {
                    out.push(self.finding(Code::RuleReportIdRequired, &[]));
                }
            }
            Group::InsuranceData => self.report.insurance_data = true,
            Group::Transaction => {
                let r = &mut self.report;
                let (code, amount) = (r.code.take(), r.amount.take());
                let unjust_or_recovery = std::mem::take(&mut r.unjust_or_recovery);
                let insurance_data = std::mem::take(&mut r.insurance_data);
                if let Some(code) = code {
                    r.transactions.push((code, amount));
                    if self.family == Family::Wage {
                        self.transaction_end(code, amount, unjust_or_recovery, insurance_data, out);
                    }
                }
            }
            Group::Transactions if self.family == Family::Wage => self.transactions_end(out),
            Group::Report => {
                self.reports += 1;
                self.report = ReportState::default();
            }
            Group::Reports if self.realtime && self.reports > 1 => {
                out.push(self.finding(Code::RuleOneReport, &[&self.reports.to_string()]));
            }
            _ => {}
        }
    }
}
