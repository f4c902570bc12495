//! The rules of work across borders in earnings payment reports: what the
//! forms of InternationalData/WorkForm require, leased workers from abroad,
//! representatives, work countries and service recipients (PTI §2.40-2.51).

use super::code_set::Codes;
use super::{may_be_finnish, Group, RecordChecker, Role};
use crate::diagnostic::Code;
use crate::rules::Finding;

/// FormCode (Koodistot §1.25).
const NT1: i64 = 1;
const NT2: i64 = 2;
const STAY_PERIODS_NOTICE: i64 = 3;
const LEASED_WORKER_NOTICE: i64 = 4;

/// What a WorkCountry has (bits of `ForeignWorkState::country`).
pub(super) const COUNTRY_SERVICE_RECIPIENT: u16 = 1;
pub(super) const COUNTRY_STAY_PERIODS: u16 = 2;
pub(super) const COUNTRY_WORK_PERIODS: u16 = 4;
pub(super) const COUNTRY_TAXING_RIGHT: u16 = 8;
pub(super) const COUNTRY_BURDENS_PE: u16 = 16;
pub(super) const COUNTRY_WAGE_PER_MONTH: u16 = 32;
pub(super) const COUNTRY_REMUNERATIONS: u16 = 64;
pub(super) const COUNTRY_UNKNOWN: u16 = 128;
pub(super) const COUNTRY_NAME: u16 = 256;

/// The WorkCountry groups and values each form needs (PTI §2.45).
const COUNTRY_NEEDS: &[(i64, u16, &str)] = &[
    (NT1, COUNTRY_SERVICE_RECIPIENT, "WorkCountry/ServiceRecipient"),
    (NT1, COUNTRY_STAY_PERIODS, "WorkCountry/StayPeriodsAbroad"),
    (NT2, COUNTRY_STAY_PERIODS, "WorkCountry/StayPeriodsAbroad"),
    (NT2, COUNTRY_WORK_PERIODS, "WorkCountry/WorkPeriodsAbroad"),
    (NT1, COUNTRY_TAXING_RIGHT, "WorkCountry/TaxingRight"),
    (NT2, COUNTRY_TAXING_RIGHT, "WorkCountry/TaxingRight"),
    (NT1, COUNTRY_BURDENS_PE, "WorkCountry/BurdensResultOfPE"),
    (NT2, COUNTRY_BURDENS_PE, "WorkCountry/BurdensResultOfPE"),
];

/// The cross-border data of one report.
#[derive(Default)]
pub(super) struct ForeignWorkState {
    forms: Codes,
    sub_to_withhold: bool,
    est_amount: bool,
    fin_service_recipient: bool,
    work_periods_in_finland: bool,
    work_period_start: bool,
    work_days: bool,
    /// StayPeriodsInFinland: given, being read, NoStayPeriods, periods.
    stay_periods: bool,
    in_stay_periods: bool,
    no_stay_periods: bool,
    stay_period_count: usize,
    work_countries: bool,
    /// The WorkCountry being read, and what every WorkCountry lacks or has.
    country: u16,
    countries_lack: u16,
    countries_have: u16,
    /// The Representative or ServiceRecipient being read: reading its
    /// identifiers, one of them Finnish, its address given.
    in_party_ids: bool,
    party_finnish_id: bool,
    party_address: bool,
    in_party: bool,
}

impl ForeignWorkState {
    /// An identifier of the party being read has this type.
    pub(super) fn party_id_type(&mut self, kind: Option<i64>) {
        self.party_finnish_id |= self.in_party_ids && may_be_finnish(kind);
    }
}

impl RecordChecker {
    /// A value these rules look at (earnings payment reports only).
    pub(super) fn foreign_work_value(&mut self, role: Role, value: &str, out: &mut Vec<Finding>) {
        let f = &mut self.report.foreign_work;
        match role {
            Role::FormCode => {
                f.forms.insert_value(value);
            }
            Role::SubToWithhold => f.sub_to_withhold = value == "true",
            Role::NoStayPeriods => f.no_stay_periods = value == "true",
            Role::CountryField(bit) => f.country |= bit,
            Role::WorkCountryCode if value == "99" => f.country |= COUNTRY_UNKNOWN,
            Role::EstAmount => {
                f.est_amount = true;
                let element = || "ForeignLeasedWork/EstAmount".to_string();
                self.value_range(element, 0, i32::MAX, value, out);
            }
            Role::WorkDays => {
                f.work_days = true;
                let element = || "WorkPeriodInFinland/WorkDays".to_string();
                self.value_range(element, 0, i32::MAX, value, out);
            }
            Role::WorkPeriodStart => {
                f.work_period_start = true;
                self.employment_value(Role::PeriodStart, value, out);
            }
            _ => {}
        }
    }

    pub(super) fn foreign_work_open(&mut self, group: Group) {
        let f = &mut self.report.foreign_work;
        match group {
            Group::FinServiceRecipient => f.fin_service_recipient = true,
            Group::WorkPeriodsInFinland => f.work_periods_in_finland = true,
            Group::StayPeriodsInFinland => (f.stay_periods, f.in_stay_periods) = (true, true),
            Group::Period if f.in_stay_periods => f.stay_period_count += 1,
            Group::WorkCountries => f.work_countries = true,
            Group::WorkCountry => f.country = 0,
            Group::ServiceRecipient => {
                f.country |= COUNTRY_SERVICE_RECIPIENT;
                (f.in_party, f.party_finnish_id, f.party_address) = (true, false, false);
            }
            Group::Representative => (f.in_party, f.party_finnish_id, f.party_address) = (true, false, false),
            Group::PartyIds => f.in_party_ids = true,
            Group::Address if f.in_party => f.party_address = true,
            Group::StayPeriodsAbroad => f.country |= COUNTRY_STAY_PERIODS,
            Group::WorkPeriodsAbroad => f.country |= COUNTRY_WORK_PERIODS,
            Group::Remunerations => f.country |= COUNTRY_REMUNERATIONS,
            _ => {}
        }
    }

    pub(super) fn foreign_work_close(&mut self, group: Group, out: &mut Vec<Finding>) {
        let f = &mut self.report.foreign_work;
        match group {
            Group::StayPeriodsInFinland => f.in_stay_periods = false,
            Group::PartyIds => f.in_party_ids = false,
            Group::WorkCountry => {
                let country = f.country;
                f.countries_have |= country;
                for &(_, needed, _) in COUNTRY_NEEDS {
                    if country & needed == 0 {
                        f.countries_lack |= needed;
                    }
                }
                if country & COUNTRY_UNKNOWN != 0 && country & COUNTRY_NAME == 0 {
                    out.push(self.finding(Code::RuleCountryName, &[]));
                }
            }
            Group::Representative | Group::ServiceRecipient => {
                f.in_party = false;
                if !f.party_finnish_id && !f.party_address {
                    let (name, address) = if group == Group::Representative {
                        ("Representative", "Address")
                    } else {
                        ("ServiceRecipient", "ServiceRecipientAddress")
                    };
                    out.push(self.finding(Code::RulePartyAddress, &[name, address]));
                }
            }
            _ => {}
        }
    }

    /// At the end of a report: what its forms require (PTI §2.40-2.51).
    pub(super) fn foreign_work_report_end(&self, out: &mut Vec<Finding>) {
        let f = &self.report.foreign_work;
        for form in [NT1, NT2, STAY_PERIODS_NOTICE, LEASED_WORKER_NOTICE] {
            if !f.forms.has(form) {
                continue;
            }
            let mut missing: Vec<&str> = vec![];
            match form {
                LEASED_WORKER_NOTICE => {
                    let needs = [
                        (f.est_amount, "ForeignLeasedWork/EstAmount"),
                        (f.fin_service_recipient, "ForeignLeasedWork/FinServiceRecipient"),
                        (f.work_period_start, "WorkPeriodsInFinland with a StartDate"),
                    ];
                    missing.extend(needs.iter().filter(|(given, _)| !given).map(|(_, what)| *what));
                }
                STAY_PERIODS_NOTICE => {
                    // NoStayPeriods or periods, not both.
                    if f.no_stay_periods == (f.stay_period_count > 0) {
                        missing.push("StayPeriodsInFinland with NoStayPeriods or Period (not both)");
                    }
                }
                _ if !f.work_countries => missing.push("WorkCountries"),
                _ => {
                    for &(_, needed, what) in COUNTRY_NEEDS.iter().filter(|(n, _, _)| *n == form) {
                        if f.countries_lack & needed != 0 {
                            missing.push(what);
                        }
                    }
                }
            }
            if !missing.is_empty() {
                let args = [form.to_string(), missing.join(", ")];
                out.push(self.finding(Code::RuleFormData, &[&args[0], &args[1]]));
            }
        }
        if !f.forms.may_have(NT2) {
            for (bit, what) in [
                (COUNTRY_WAGE_PER_MONTH, "WorkCountry/WagePerMonth"),
                (COUNTRY_REMUNERATIONS, "WorkCountry/Remunerations"),
            ] {
                if f.countries_have & bit != 0 {
                    out.push(self.finding(Code::RuleFormOnly, &[what]));
                }
            }
        }
        // A leased worker living abroad, taxed at source: days worked in Finland.
        let leased_non_resident =
            self.report.employment.earner_type(5) && self.report.non_resident && !f.sub_to_withhold;
        if leased_non_resident && !f.work_days {
            out.push(self.finding(Code::RuleWorkDaysRequired, &[]));
        }
    }
}
