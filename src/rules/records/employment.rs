//! The rules of the earner's employment, insurance and other data in
//! earnings payment reports (PTI §2.18-2.26, and the periods of §2.50).

use super::code_set::Codes;
use super::transactions::Transaction;
use super::{Group, RecordChecker, Role};
use crate::diagnostic::Code;
use crate::rules::codes::{code_list, income_type, IncomeType};
use crate::rules::{Date, Finding};

/// Pension providers (PensionProvIdCode) with their own code lists.
pub(super) const KEVA: &[i64] = &[20, 24, 25, 29, 30];
const BANK_OF_FINLAND: i64 = 27;
const TRAFICOM: i64 = 34;

/// InsuranceExceptionCode: no obligation, or outside Finnish social
/// security, for every insurance or for pension insurance alone.
const NO_PENSION_INSURANCE: &[i64] = &[1, 3, 6, 7];
/// The same for accident insurance.
const NO_ACCIDENT_INSURANCE: &[i64] = &[1, 4, 6, 8];
const VOLUNTARY_PENSION_INSURANCE: i64 = 11;

/// PlaceOfBusiness fields given (bits of `EmploymentState::place`).
pub(super) const PLACE_CODE: u8 = 1;
pub(super) const PLACE_STREET: u8 = 2;
pub(super) const PLACE_POSTAL_CODE: u8 = 4;
pub(super) const PLACE_POST_OFFICE: u8 = 8;
pub(super) const PLACE_COUNTRY_99: u8 = 16;
pub(super) const PLACE_COUNTRY_NAME: u8 = 32;

/// What these rules need of one report's income earner.
#[derive(Default)]
pub(super) struct EmploymentState {
    in_employment_periods: bool,
    /// StartDate of the period being read (any period type).
    pub(super) period_start: Option<Date>,
    periods: bool,
    period_ended: bool,
    endings: bool,
    ending_types: Codes,
    /// Type of the EmploymentEnding being read.
    ending_type: Option<i64>,
    professions: Codes,
    regs: Codes,
    payment_types: Codes,
    /// PaymentType and whether PaymentRef was given, of the Payment being read.
    payment: (Option<i64>, bool),
    pension_insurance: bool,
    pension_act: Option<i64>,
    /// PensionProvIdCode: given, and its value unless the schema refused it.
    pension_provider: (bool, Option<i64>),
    pension_policy: bool,
    exceptions: Codes,
    earner_types: Codes,
    /// NonResidentCountryCode: given, and whether it is 99.
    non_resident_country: Option<bool>,
    non_resident_country_name: bool,
    tax_treaty_country: bool,
    place: u8,
    employment_code: bool,
    /// Employment/PaymentTypes (bits by code).
    pay_types: Codes,
    first_employment_start: Option<Date>,
}

impl EmploymentState {
    pub(super) fn earner_type(&self, code: i64) -> bool {
        self.earner_types.has(code)
    }

    pub(super) fn employment_code(&self) -> bool {
        self.employment_code
    }

    /// PaymentTypes may have monthly (1) or hourly (2) pay (a requirement).
    pub(super) fn monthly_or_hourly_pay(&self) -> bool {
        self.pay_types.may_have_any(&[1, 2])
    }

    pub(super) fn first_employment_start(&self) -> Option<Date> {
        self.first_employment_start
    }
}

impl RecordChecker {
    /// A value these rules look at (earnings payment reports only).
    pub(super) fn employment_value(&mut self, role: Role, value: &str, out: &mut Vec<Finding>) {
        let today = self.today;
        let number = || value.parse::<f64>().ok();
        let code = || value.parse::<i64>().ok();
        let e = &mut self.report.employment;
        match role {
            Role::PartTime if number().is_some_and(|p| !(0.0..=100.0).contains(&p)) => {
                out.push(self.finding(Code::RulePartTime, &[value]));
            }
            Role::HoursPerWeek if number().is_some_and(|h| !(0.0..=168.0).contains(&h)) => {
                out.push(self.finding(Code::RuleHoursPerWeek, &[value]));
            }
            Role::PeriodStart => {
                e.period_start = Date::parse(value);
                let Some(start) = e.period_start else { return };
                let employment = e.in_employment_periods;
                if employment {
                    e.first_employment_start = Some(e.first_employment_start.map_or(start, |f| f.min(start)));
                }
                if start < Date::new(1800, 1, 1).expect("a date") {
                    out.push(self.finding(Code::RuleStartDate, &[value]));
                } else if employment && start > today.add_days(45) {
                    out.push(self.finding(Code::RuleEmploymentStart, &[value, &today.to_string()]));
                }
            }
            Role::PeriodEnd => {
                e.period_ended |= e.in_employment_periods;
                if let (Some(end), Some(start)) = (Date::parse(value), e.period_start) {
                    if end < start {
                        out.push(self.finding(Code::RuleEndBeforeStart, &[value, &start.to_string()]));
                    }
                }
            }
            Role::EndingType | Role::ProfessionType | Role::RegType | Role::PaymentType => {
                let (set, group) = match role {
                    Role::EndingType => {
                        e.ending_type = code();
                        (&mut e.ending_types, "EmploymentEnding")
                    }
                    Role::ProfessionType => (&mut e.professions, "Profession"),
                    Role::RegType => (&mut e.regs, "EmploymentReg"),
                    _ => {
                        e.payment.0 = code();
                        (&mut e.payment_types, "Payment")
                    }
                };
                if !set.insert_value(value) {
                    out.push(self.finding(Code::RuleOneOfEachType, &[group, value]));
                }
            }
            Role::PaymentRef => e.payment.1 = true,
            // The Register's own list of reasons (Type 3); Keva's and the
            // Bank of Finland's lists are not in the reference set.
            Role::EndingCode if e.ending_type == Some(3) => {
                let name = "EmploymentEndingCode";
                if code_list(name).is_some_and(|l| !l.contains(value)) {
                    out.push(self.finding(Code::RuleCodeList, &["EmploymentEnding/Code", value, name]));
                }
            }
            Role::EmploymentCode => e.employment_code = true,
            Role::PayType => {
                e.pay_types.insert_value(value);
            }
            Role::PensionAct => e.pension_act = code(),
            Role::PensionProvider => e.pension_provider = (true, code()),
            Role::PensionPolicyNo => e.pension_policy = true,
            Role::ExceptionCode => {
                e.exceptions.insert_value(value);
            }
            Role::EarnerType => {
                e.earner_types.insert_value(value);
            }
            Role::NonResidentCountryCode => e.non_resident_country = Some(value == "99"),
            Role::NonResidentCountryName => e.non_resident_country_name = true,
            Role::TaxTreatyCountry => e.tax_treaty_country = true,
            Role::Place(field) => {
                e.place |= field;
                if field == PLACE_COUNTRY_99 && value != "99" {
                    e.place &= !PLACE_COUNTRY_99;
                }
            }
            _ => {}
        }
    }

    /// The start of a group these rules look at.
    pub(super) fn employment_open(&mut self, group: Group) {
        let e = &mut self.report.employment;
        match group {
            Group::EmploymentPeriods => (e.in_employment_periods, e.periods) = (true, true),
            Group::EmploymentEndings => e.endings = true,
            Group::PensionInsurance => e.pension_insurance = true,
            _ => {}
        }
    }

    /// The end of a group these rules look at.
    pub(super) fn employment_close(&mut self, group: Group, out: &mut Vec<Finding>) {
        let e = &mut self.report.employment;
        match group {
            Group::EmploymentPeriods => e.in_employment_periods = false,
            Group::Period => e.period_start = None,
            Group::Payment => {
                // PaymentType 2: to a pension provider.
                let (kind, with_reference) = std::mem::take(&mut e.payment);
                if kind == Some(2) && !with_reference {
                    out.push(self.finding(Code::RulePaymentRef, &[]));
                }
            }
            Group::PlaceOfBusiness => {
                let place = std::mem::take(&mut e.place);
                let address = PLACE_STREET | PLACE_POSTAL_CODE | PLACE_POST_OFFICE;
                if place & PLACE_CODE == 0 && place & address != address {
                    out.push(self.finding(Code::RulePlaceOfBusiness, &[]));
                }
                if place & PLACE_COUNTRY_99 != 0 && place & PLACE_COUNTRY_NAME == 0 {
                    out.push(self.finding(Code::RuleCountryName, &[]));
                }
            }
            Group::PensionInsurance => {
                let given = (e.pension_provider.0, e.pension_policy);
                match e.pension_act {
                    Some(1) if given != (true, true) => out.push(self.finding(Code::RulePensionActEmployee, &[])),
                    Some(act @ (2 | 3)) if given != (false, false) => {
                        out.push(self.finding(Code::RulePensionActEntrepreneur, &[&act.to_string()]))
                    }
                    _ => {}
                }
            }
            Group::InternationalData => {
                let (country, named) = (e.non_resident_country, e.non_resident_country_name);
                if self.report.non_resident && country.is_none() {
                    out.push(self.finding(Code::RuleNonResidentCountry, &[]));
                }
                if country == Some(true) && !named {
                    out.push(self.finding(Code::RuleCountryName, &[]));
                }
            }
            _ => {}
        }
    }

    /// The rules that need the whole income earner (PTI §2.18-2.26).
    pub(super) fn employment_end(&self, out: &mut Vec<Finding>) {
        let e = &self.report.employment;
        if let Some(provider) = e.pension_provider.1 {
            let missing = provider_data_missing(e, provider, self.payer.keva_sub_org());
            if !missing.is_empty() {
                out.push(self.finding(
                    Code::RulePensionProviderData,
                    &[&provider.to_string(), &missing.join(", ")],
                ));
            }
        }
        let exceptions = e.exceptions;
        if exceptions.has(VOLUNTARY_PENSION_INSURANCE) && exceptions.any(NO_PENSION_INSURANCE) {
            out.push(self.finding(Code::RuleVoluntaryPensionExceptions, &[]));
        }
        if let Some(act @ (2 | 3)) = e.pension_act {
            if !exceptions.may_have_all(&[3, 4, 5]) {
                let why = format!("PensionActCode {act}");
                out.push(self.finding(Code::RuleEntrepreneurExceptions, &[&why, "3, 4, 5"]));
            }
        }
        if e.earner_types.has(14) && !(exceptions.may_have_all(&[2, 3, 4, 5]) || exceptions.may_have(1)) {
            out.push(self.finding(
                Code::RuleEntrepreneurExceptions,
                &["IncomeEarnerType 14", "2, 3, 4, 5 / 1"],
            ));
        }
        if e.earner_types.known() && e.earner_types.has(10) != e.tax_treaty_country {
            out.push(self.finding(Code::RuleTaxTreatyCountry, &[]));
        }
        if e.earner_types.has(11) && !self.payer_types.may_have(4) {
            out.push(self.finding(Code::RuleNetSalaryPayer, &[]));
        }
    }

    /// PensionInsurance and Professions, required by the income types paid
    /// unless an exception applies (PTI §2.19, §2.22); checked at the end of
    /// the report, when its income types are known.
    pub(super) fn insurance_required(&self, out: &mut Vec<Finding>) {
        let e = &self.report.employment;
        let subject = |default: fn(&IncomeType) -> bool, overridden: fn(&Transaction) -> Option<bool>| {
            self.report
                .transactions
                .iter()
                .any(|t| overridden(t).unwrap_or_else(|| income_type(t.code).is_some_and(default)))
        };
        let exempt = |codes| self.substitute_payer || e.exceptions.may_have_any(codes);
        let pension = subject(|i| i.pension_insurance, |t| t.pension) && !exempt(NO_PENSION_INSURANCE);
        if (pension || e.exceptions.has(VOLUNTARY_PENSION_INSURANCE)) && !e.pension_insurance {
            out.push(self.finding(Code::RulePensionInsuranceRequired, &[]));
        }
        let accident = subject(|i| i.accident_insurance, |t| t.accident) && !exempt(NO_ACCIDENT_INSURANCE);
        if accident && !e.professions.may_have(1) {
            out.push(self.finding(Code::RuleProfessionRequired, &[]));
        }
    }
}

/// What a pension provider with its own code lists (Keva, the Bank of
/// Finland, Traficom) needs of the employment data (PTI §2.18-2.20).
fn provider_data_missing(e: &EmploymentState, provider: i64, payer_keva_sub_org: bool) -> Vec<&'static str> {
    let keva = KEVA.contains(&provider);
    let bank = provider == BANK_OF_FINLAND;
    let mut missing = vec![];
    let mut need = |needed: bool, what| {
        if needed {
            missing.push(what);
        }
    };
    need(keva && !payer_keva_sub_org, "Payer/SubOrgs/SubOrg of Type 1");
    need(keva && !e.periods, "EmploymentPeriods");
    need(keva && e.period_ended && !e.endings, "EmploymentEndings");
    need(
        keva && e.endings && !e.ending_types.may_have(1),
        "EmploymentEnding of Type 1",
    );
    need(
        bank && e.endings && !e.ending_types.may_have(2),
        "EmploymentEnding of Type 2",
    );
    need(keva && !e.regs.may_have(1), "EmploymentReg of Type 1");
    need(bank && !e.regs.may_have(2), "EmploymentReg of Type 2");
    if !e.exceptions.may_have_any(NO_PENSION_INSURANCE) {
        need(keva && !e.professions.may_have(2), "Profession of Type 2");
        need(bank && !e.professions.may_have(3), "Profession of Type 3");
        need(
            provider == TRAFICOM && !e.professions.may_have(4),
            "Profession of Type 4",
        );
    }
    missing
}
