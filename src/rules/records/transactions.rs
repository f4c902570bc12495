//! The rules of income types in earnings payment reports (PTI §2.27-2.28,
//! and the flags of the income-type code list).

use super::RecordChecker;
use crate::diagnostic::Code;
use crate::rules::codes::{income_type, Method};
use crate::rules::Finding;

/// A test of income-type codes.
type CodeSet = fn(i64) -> bool;

/// Deductions whose amount must not exceed that of their base income types
/// (and which need one of them): PTI §2.28.
const DEDUCTION_BASES: &[(i64, CodeSet)] = &[
    (401, |c| c == 304),
    (407, |c| matches!(c, 301 | 302 | 317 | 330 | 334)),
    (
        419,
        |c| matches!(c, 101..=106 | 201..=207 | 209..=227 | 230..=239 | 308 | 315 | 316 | 320 | 326 | 336 | 339 | 351 | 353..=355 | 359),
    ),
];

/// One income type of a report, as the rules need it.
#[derive(Default, Clone, Copy)]
pub(super) struct Transaction {
    pub(super) code: i64,
    pub(super) amount: Option<f64>,
    /// Amount was given but the schema refused it.
    pub(super) amount_invalid: bool,
    pub(super) unjust: bool,
    pub(super) recovery: bool,
    pub(super) insurance_data: bool,
    /// Whether the income is subject to pension or accident insurance, when
    /// InsuranceData says otherwise than the code list.
    pub(super) pension: Option<bool>,
    pub(super) accident: Option<bool>,
    /// Its groups given (the `TX_` bits of transaction_data.rs).
    pub(super) groups: u8,
    /// MealBenefit/TaxValue: the meal benefit is paid for at its taxable value.
    pub(super) tax_value: bool,
    /// OtherBenefit's BenefitCodes (bits by code).
    pub(super) benefit_codes: u8,
    /// DailyAllowance has AllowanceCode 1 (meal allowance).
    pub(super) meal_allowance: bool,
    /// InsuranceData: the InsuranceCodes given (bits by code), whether one
    /// was given twice, and those with Included false.
    pub(super) inclusion_codes: u8,
    pub(super) inclusion_twice: bool,
    pub(super) excluded: u8,
    /// A hash of RecoveryData's original payment periods: recoveries of the
    /// same periods share it.
    pub(super) orig_key: u64,
}

impl RecordChecker {
    /// The rules of one income type, from the code list.
    pub(super) fn transaction_end(&self, tx: &Transaction, out: &mut Vec<Finding>) {
        let (code, amount) = (tx.code, tx.amount);
        // Written out only for a finding: most transactions have none.
        let c = || code.to_string();
        let Some(t) = income_type(code) else {
            out.push(self.finding(Code::RuleIncomeTypeUnknown, &[&c()]));
            return;
        };
        if let Some(a) = amount.filter(|a| *a < 0.0 && !t.negative_allowed) {
            out.push(self.finding(Code::RuleNegativeAmount, &[&c(), &format!("{a:.2}")]));
        }
        if (tx.unjust || tx.recovery) && t.unjust_enrichment_and_recovery_blocked {
            out.push(self.finding(Code::RuleUnjustEnrichment, &[&c()]));
        }
        if tx.insurance_data && !t.insurance_data_allowed {
            out.push(self.finding(Code::RuleInsuranceData, &[&c()]));
        }
    }

    pub(super) fn transactions_end(&self, out: &mut Vec<Finding>) {
        let codes = &self.report.transactions;
        let method = |m: Method| {
            codes
                .iter()
                .find(|t| income_type(t.code).is_some_and(|i| i.method == m))
        };
        if let (Some(one), Some(two)) = (method(Method::One), method(Method::Two)) {
            let args = [one.code.to_string(), two.code.to_string()];
            out.push(self.finding(Code::RuleReportingMethods, &[&args[0], &args[1]]));
        }
        let has = |c: i64| codes.iter().any(|t| t.code == c);
        let found = out;
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
        let mut totals = codes.iter().filter(|t| t.code == 101).filter_map(|t| t.amount);
        if let (Some(total), None) = (totals.next(), totals.next()) {
            for &Transaction { code: c, amount, .. } in codes.iter().filter(|t| (102..=106).contains(&t.code)) {
                if let Some(a) = amount.filter(|a| *a > total) {
                    let args = [c.to_string(), format!("{a:.2}"), format!("{total:.2}")];
                    found.push(self.finding(Code::RuleAmountOver101, &[&args[0], &args[1], &args[2]]));
                }
            }
        }
        let plain_101 = codes
            .iter()
            .filter(|t| t.code == 101 && !t.unjust && !t.recovery)
            .count();
        let unjust_101 = codes.iter().filter(|t| t.code == 101 && t.unjust).count();
        if plain_101 > 1 || unjust_101 > 1 {
            found.push(self.finding(Code::RuleIncomeType101Once, &[]));
        }
        // Withholding and tax at source may be negative, but not in a report
        // that recovers anything.
        if codes.iter().any(|t| t.recovery) {
            for t in codes.iter().filter(|t| matches!(t.code, 402 | 404)) {
                if let Some(a) = t.amount.filter(|a| *a < 0.0) {
                    found.push(self.finding(Code::RuleNegativeAmount, &[&t.code.to_string(), &format!("{a:.2}")]));
                }
            }
        }
        if has(402) && has(362) {
            found.push(self.finding(Code::RuleWithholdingWithRoyalty, &[]));
        }
        for c in [412, 362] {
            if has(c) && !self.report.non_resident {
                found.push(self.finding(Code::RuleNonResident, &[&c.to_string()]));
            }
        }
        let sum = |pick: &dyn Fn(i64) -> bool| -> (bool, f64) {
            codes
                .iter()
                .filter(|t| pick(t.code))
                .fold((false, 0.0), |(_, total), t| (true, total + t.amount.unwrap_or(0.0)))
        };
        for (deduction, base) in DEDUCTION_BASES {
            let (given, amount) = sum(&|c| c == *deduction);
            let (base_given, base_amount) = sum(base);
            if given && (!base_given || amount > base_amount + 0.001) {
                let args = [
                    deduction.to_string(),
                    format!("{amount:.2}"),
                    format!("{base_amount:.2}"),
                ];
                found.push(self.finding(Code::RuleDeductionBase, &[&args[0], &args[1], &args[2]]));
            }
        }
    }
}
