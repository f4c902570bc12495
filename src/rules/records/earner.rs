//! The rules of the income earner in earnings payment reports: identifiers,
//! basic data and addresses (PTI §2.14-2.16).

use super::RecordChecker;
use crate::diagnostic::Code;
use crate::rules::{Date, Finding};

/// What the rules of PTI §2.14-2.16 need of the income earner being read.
#[derive(Default)]
pub(super) struct EarnerState {
    /// Inside IncomeEarnerIds: its identifiers are the earner's.
    pub(super) in_ids: bool,
    pub(super) ids: bool,
    /// A business ID or Finnish personal identity code.
    pub(super) finnish_id: bool,
    pub(super) personal_id: bool,
    /// The birth date of the first valid personal identity code.
    pub(super) birth_date_of_id: Option<Date>,
    pub(super) birth_dates_differ: bool,
    pub(super) basic: bool,
    pub(super) missing_id: bool,
    pub(super) company_name: bool,
    pub(super) last_name: bool,
    pub(super) first_name: bool,
    pub(super) birth_date: bool,
    pub(super) gender: bool,
    pub(super) addresses: usize,
    pub(super) home_address: bool,
    pub(super) address_without_country: bool,
    pub(super) home_address_without_country: bool,
}

/// The address (TypedAddress) being read.
#[derive(Default)]
pub(super) struct AddressState {
    pub(super) kind: Option<i64>,
    pub(super) country: Option<String>,
    pub(super) country_name: bool,
}

impl RecordChecker {
    /// An address of the income earner: Street or POBox, the country's name
    /// for code 99, and what the earner's rules need of it (PTI §2.16).
    pub(super) fn typed_address_end(&mut self, out: &mut Vec<Finding>) {
        let address = std::mem::take(&mut self.address);
        self.street_or_po_box(out);
        if address.country.as_deref() == Some("99") && !address.country_name {
            out.push(self.finding(Code::RuleCountryName, &[]));
        }
        self.earner.addresses += 1;
        self.earner.home_address |= address.kind == Some(1);
        self.earner.address_without_country |= address.country.is_none();
        self.earner.home_address_without_country |= address.kind == Some(1) && address.country.is_none();
    }

    /// The income earner's groups that become required without a Finnish
    /// identifier (PTI §2.14-2.16).
    pub(super) fn earner_end(&mut self, out: &mut Vec<Finding>) {
        let e = std::mem::take(&mut self.earner);
        self.report.earner_personal_id = e.personal_id;
        if e.ids == e.missing_id {
            out.push(self.finding(Code::RuleEarnerIds, &[]));
        }
        let anonymous = !e.finnish_id || e.missing_id;
        if !e.finnish_id && !e.basic {
            out.push(self.finding(Code::RuleEarnerBasic, &[]));
        }
        let person = e.last_name && e.first_name;
        if e.basic && anonymous && !e.company_name && !person {
            out.push(self.finding(Code::RuleEarnerName, &[]));
        }
        if person && !e.personal_id {
            let missing: Vec<&str> = [("BirthDate", e.birth_date), ("Gender", e.gender)]
                .into_iter()
                .filter(|(_, given)| !given)
                .map(|(name, _)| name)
                .collect();
            if !missing.is_empty() {
                out.push(self.finding(Code::RuleEarnerBirthDateGender, &[&missing.join(", ")]));
            }
        }
        let non_resident = self.report.non_resident;
        let mut missing = vec![];
        if (anonymous || non_resident) && e.addresses == 0 {
            missing.push("Addresses");
        }
        if non_resident && e.addresses > 0 && !e.home_address {
            missing.push("TypedAddress (AddressType 1)");
        }
        // A non-resident's address in Finland may go without a country (as in
        // the official sample of a leased worker); the home one may not.
        if (anonymous && e.address_without_country) || (non_resident && e.home_address_without_country) {
            missing.push("TypedAddress/CountryCode");
        }
        if !missing.is_empty() {
            out.push(self.finding(Code::RuleEarnerAddress, &[&missing.join(", ")]));
        }
    }
}
