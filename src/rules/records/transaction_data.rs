//! The rules of an income type's own groups in earnings payment reports:
//! insurance data, car, meal and other benefits, daily and kilometre
//! allowances, recovery data, the six-month rule and the ranges of their
//! values (PTI §2.27-2.39), and the value ranges of §2.40 and §2.44.

use super::transactions::Transaction;
use super::{Group, RecordChecker, Role};
use crate::diagnostic::Code;
use crate::rules::{Date, Finding};

/// The groups of a transaction (bits of `Transaction::groups`).
pub(super) const TX_CAR: u8 = 1;
pub(super) const TX_MEAL: u8 = 2;
pub(super) const TX_OTHER_BENEFIT: u8 = 4;
pub(super) const TX_RECOVERY_DATA: u8 = 8;
pub(super) const TX_DAILY_ALLOWANCE: u8 = 16;
pub(super) const TX_KM_ALLOWANCE: u8 = 32;

/// Each group, the income type it belongs to, and whether that income type
/// must have it (PTI §2.32-2.38). RecoveryData goes with Recovery instead.
const TYPE_GROUPS: &[(u8, &str, i64, bool)] = &[
    (TX_CAR, "CarBenefit", 304, true),
    (TX_MEAL, "MealBenefit", 334, false),
    (TX_OTHER_BENEFIT, "OtherBenefit", 317, true),
    (TX_DAILY_ALLOWANCE, "DailyAllowance", 331, true),
    (TX_KM_ALLOWANCE, "KmAllowance", 311, false),
];

/// OtherBenefit's BenefitCode (§2.34) and DailyAllowance's AllowanceCode
/// (§2.37) that stand for an income type, which may then not be given.
const BENEFIT_INCOME_TYPES: &[(i64, i64)] = &[(1, 301), (2, 330), (3, 334)];
const MEAL_ALLOWANCE: i64 = 1;
const MEAL_ALLOWANCE_INCOME_TYPE: i64 = 303;

/// §2.29 A-E: with 101 and this income type in one group of 100-series
/// income types, 101 needs InsuranceData with one of these InsuranceCodes
/// and Included false.
const TOTALS_INSURANCE: &[(i64, &[i64])] = &[
    (102, &[1, 2]),
    (103, &[1]),
    (104, &[1, 3]),
    (105, &[1, 5]),
    (106, &[1, 6]),
];

/// The transaction-data state of a report that is not a transaction's own.
#[derive(Default)]
pub(super) struct TransactionDataState {
    /// InsuranceCode of the TransactionInclusion being read.
    inclusion: Option<i64>,
    recovery_date: Option<Date>,
    /// The six-month rule being read: Applicable, CountryCode given, and 99.
    six_month: (bool, bool, bool),
    six_month_country_name: bool,
}

fn bit(code: i64) -> u8 {
    if (0..8).contains(&code) {
        1 << code
    } else {
        0
    }
}

impl RecordChecker {
    /// A value of an income type's groups (earnings payment reports only).
    pub(super) fn transaction_data_value(&mut self, role: Role, value: &str, out: &mut Vec<Finding>) {
        let code = || value.parse::<i64>().ok();
        let state = &mut self.report.transaction_data;
        let Some(t) = self.report.current.as_mut() else { return };
        match role {
            Role::InsuranceCode => {
                state.inclusion = code();
                let b = state.inclusion.map_or(0, bit);
                t.inclusion_twice |= t.inclusion_codes & b != 0;
                t.inclusion_codes |= b;
            }
            Role::Included => {
                let included = value == "true" || value == "1";
                if !included {
                    t.excluded |= state.inclusion.map_or(0, bit);
                }
                // Code 1 covers all social insurances (codes 2-6).
                match state.inclusion {
                    Some(1) => (t.pension, t.accident) = (Some(included), Some(included)),
                    Some(2) => t.pension = Some(included),
                    Some(6) => t.accident = Some(included),
                    _ => {}
                }
            }
            Role::TaxValue => t.tax_value = value == "true",
            Role::BenefitCode => t.benefit_codes |= code().map_or(0, bit),
            Role::AllowanceCode => t.meal_allowance |= code() == Some(MEAL_ALLOWANCE),
            Role::RecoveryDate => {
                state.recovery_date = Date::parse(value);
                let payment_date = self.payment_date;
                let too_early = state.recovery_date.is_some_and(|r| Some(r) < Date::new(2019, 1, 1));
                let too_late = state.recovery_date.zip(payment_date).is_some_and(|(r, p)| r > p);
                if too_early || too_late {
                    let shown = payment_date.map(|d| d.to_string()).unwrap_or_default();
                    out.push(self.finding(Code::RuleRecoveryDate, &[value, &shown]));
                }
            }
            Role::OrigPaymentDate | Role::OrigStart => {
                // Recoveries are grouped by their original payment periods.
                t.orig_key = value
                    .bytes()
                    .fold(t.orig_key.wrapping_mul(31), |k, b| k.wrapping_mul(31) ^ u64::from(b));
                let recovery_date = state.recovery_date;
                if role == Role::OrigStart {
                    self.report.employment.period_start = Date::parse(value);
                }
                let date = Date::parse(value);
                let wrong =
                    date.is_some_and(|d| Some(d) < Date::new(1800, 1, 1) || recovery_date.is_some_and(|r| d > r));
                if wrong {
                    let element = if role == Role::OrigStart {
                        "StartDate"
                    } else {
                        "PaymentDate"
                    };
                    let shown = recovery_date.map(|d| d.to_string()).unwrap_or_default();
                    out.push(self.finding(Code::RuleOriginalPeriod, &[element, value, &shown]));
                }
            }
            _ => {}
        }
    }

    /// A value that must lie in a range (PTI §2.31-2.32, §2.35, §2.38,
    /// §2.40, §2.44): `low..=high`, no upper bound for `i32::MAX`.
    pub(super) fn value_range(
        &self,
        element: impl Fn() -> String,
        low: i32,
        high: i32,
        value: &str,
        out: &mut Vec<Finding>,
    ) {
        let Ok(v) = value.parse::<f64>() else { return };
        if v < f64::from(low) || v > f64::from(high) {
            let range = if high == i32::MAX {
                format!(">= {low}")
            } else {
                format!("{low}-{high}")
            };
            out.push(self.finding(Code::RuleValueRange, &[&element(), value, &range]));
        }
    }

    /// EmissionsValue: 0-100, and only with a payment date in 2022-2025.
    pub(super) fn emissions_value(&self, value: &str, out: &mut Vec<Finding>) {
        let element = || "CarBenefit/EmissionsValue".to_string();
        self.value_range(element, 0, 100, value, out);
        if let Some(date) = self.payment_date.filter(|d| !(2022..=2025).contains(&d.year)) {
            out.push(self.finding(Code::RuleEmissionsValueYear, &[&date.to_string()]));
        }
    }

    /// The start of a transaction's group.
    pub(super) fn transaction_data_open(&mut self, group: Group) {
        let Some(t) = self.report.current.as_mut() else { return };
        t.groups |= match group {
            Group::CarBenefit => TX_CAR,
            Group::MealBenefit => TX_MEAL,
            Group::OtherBenefit => TX_OTHER_BENEFIT,
            Group::RecoveryData => TX_RECOVERY_DATA,
            Group::DailyAllowance => TX_DAILY_ALLOWANCE,
            Group::KmAllowance => TX_KM_ALLOWANCE,
            _ => 0,
        };
    }

    pub(super) fn six_month_value(&mut self, role: Role, value: &str) {
        let s = &mut self.report.transaction_data;
        match role {
            Role::SixMonthApplicable => s.six_month.0 = value == "true" || value == "1",
            Role::SixMonthCountryCode => (s.six_month.1, s.six_month.2) = (true, value == "99"),
            Role::SixMonthCountryName => s.six_month_country_name = true,
            _ => {}
        }
    }

    /// The end of SixMonthRule: CountryCode when it applies (§2.39).
    pub(super) fn six_month_end(&mut self, out: &mut Vec<Finding>) {
        let s = &mut self.report.transaction_data;
        let ((applicable, country, unknown), named) = (
            std::mem::take(&mut s.six_month),
            std::mem::take(&mut s.six_month_country_name),
        );
        if applicable && !country {
            out.push(self.finding(Code::RuleSixMonthRuleCountry, &[]));
        }
        if unknown && !named {
            out.push(self.finding(Code::RuleCountryName, &[]));
        }
    }

    /// The rules of one transaction's own groups and amount.
    pub(super) fn transaction_data_end(&self, t: &Transaction, out: &mut Vec<Finding>) {
        // Written out only for a finding: most transactions have none.
        let c = || t.code.to_string();
        for &(group, name, income_type, required) in TYPE_GROUPS {
            let given = t.groups & group != 0;
            if given && t.code != income_type {
                out.push(self.finding(Code::RuleTransactionGroupNotAllowed, &[name, &c()]));
            } else if required && !given && t.code == income_type {
                out.push(self.finding(Code::RuleTransactionGroupRequired, &[name, &c()]));
            }
        }
        let recovery_data = t.groups & TX_RECOVERY_DATA != 0;
        if recovery_data && !t.recovery {
            out.push(self.finding(Code::RuleTransactionGroupNotAllowed, &["RecoveryData", &c()]));
        } else if t.recovery && !recovery_data {
            out.push(self.finding(Code::RuleTransactionGroupRequired, &["RecoveryData", &c()]));
        }
        if t.amount.is_none() && !t.amount_invalid && !(t.code == 334 && t.tax_value) {
            out.push(self.finding(Code::RuleAmountRequired, &[&c()]));
        }
        let all_social = t.inclusion_codes & bit(1) != 0;
        let any_single = t.inclusion_codes & (bit(2) | bit(3) | bit(5) | bit(6)) != 0;
        if t.inclusion_twice || (all_social && any_single) {
            out.push(self.finding(Code::RuleInsuranceCodes, &[&c()]));
        }
    }

    /// The rules between a report's transactions (§2.27-2.29, §2.34, §2.37).
    pub(super) fn transaction_data_report_end(&self, out: &mut Vec<Finding>) {
        let codes = &self.report.transactions;
        let has = |c: i64| codes.iter().any(|t| t.code == c);
        let meal_at_tax_value = codes.iter().any(|t| t.code == 334 && t.tax_value);
        if has(407) && meal_at_tax_value && ![301, 302, 317, 330].into_iter().any(has) {
            out.push(self.finding(Code::RuleMealBenefitDeduction, &[]));
        }
        if has(402) && self.report.employment.earner_type(4) {
            out.push(self.finding(Code::RuleWithholdingKeyPerson, &[]));
        }
        let benefit_codes = codes.iter().fold(0, |b, t| b | t.benefit_codes);
        for &(benefit, income_type) in BENEFIT_INCOME_TYPES {
            if benefit_codes & bit(benefit) != 0 && has(income_type) {
                let args = [benefit.to_string(), income_type.to_string()];
                out.push(self.finding(
                    Code::RuleBenefitAsIncomeType,
                    &["OtherBenefit/BenefitCode", &args[0], &args[1]],
                ));
            }
        }
        if codes.iter().any(|t| t.meal_allowance) && has(MEAL_ALLOWANCE_INCOME_TYPE) {
            let args = [MEAL_ALLOWANCE.to_string(), MEAL_ALLOWANCE_INCOME_TYPE.to_string()];
            out.push(self.finding(
                Code::RuleBenefitAsIncomeType,
                &["DailyAllowance/AllowanceCode", &args[0], &args[1]],
            ));
        }
        let recoveries_of_101: Vec<u64> = codes
            .iter()
            .filter(|t| t.code == 101 && t.recovery)
            .map(|t| t.orig_key)
            .collect();
        if recoveries_of_101
            .iter()
            .enumerate()
            .any(|(i, k)| recoveries_of_101[..i].contains(k))
        {
            out.push(self.finding(Code::RuleRecoveryPeriodsDiffer, &[]));
        }
        self.totals_insurance(out);
    }

    /// §2.29 A-E, for each group of 100-series income types: neither unjust
    /// enrichment nor recovery; unjust enrichment; recoveries of one
    /// original payment period.
    fn totals_insurance(&self, out: &mut Vec<Finding>) {
        let totals: Vec<&Transaction> = self
            .report
            .transactions
            .iter()
            .filter(|t| (101..=106).contains(&t.code))
            .collect();
        let group_of = |t: &Transaction| (t.unjust, t.recovery, if t.recovery { t.orig_key } else { 0 });
        for (i, t101) in totals.iter().enumerate().filter(|(_, t)| t.code == 101) {
            let group = group_of(t101);
            // Each group once, at its first 101.
            if totals[..i].iter().any(|t| t.code == 101 && group_of(t) == group) {
                continue;
            }
            let in_group: Vec<&&Transaction> = totals.iter().filter(|t| group_of(t) == group).collect();
            let excluded = in_group.iter().filter(|t| t.code == 101).fold(0, |b, t| b | t.excluded);
            for &(other, insurance_codes) in TOTALS_INSURANCE {
                let needed = in_group.iter().any(|t| t.code == other);
                if needed && !insurance_codes.iter().any(|c| excluded & bit(*c) != 0) {
                    let list: Vec<String> = insurance_codes.iter().map(i64::to_string).collect();
                    out.push(self.finding(Code::RuleTotalsInsuranceData, &[&other.to_string(), &list.join(" / ")]));
                }
            }
        }
    }
}
