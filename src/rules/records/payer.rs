//! The rules of the payer in earnings payment and employer's separate
//! reports: identifiers, basic data, address and sub-organisations
//! (PTI §2.5-2.9, TEI §2.4-2.7).

use super::code_set::Codes;
use super::employment::KEVA;
use super::{may_be_finnish, may_be_personal};
use super::{Family, Group, RecordChecker, Role};
use crate::diagnostic::Code;
use crate::rules::codes::code_list;
use crate::rules::{Date, Finding};

/// PayerBasic fields given (bits of `PayerState::basic_fields`).
pub(super) const PAYER_MISSING_ID: u8 = 1;
pub(super) const PAYER_COMPANY_NAME: u8 = 2;
pub(super) const PAYER_LAST_NAME: u8 = 4;
pub(super) const PAYER_FIRST_NAME: u8 = 8;
pub(super) const PAYER_BIRTH_DATE: u8 = 16;

/// PayerType: temporary employer without a TyEL insurance contract.
const TEMPORARY_EMPLOYER: i64 = 3;
/// PayerSubOrgType: Keva's reporter code list.
const KEVA_SUB_ORG: i64 = 1;

#[derive(Default)]
pub(super) struct PayerState {
    in_payer: bool,
    pub(super) in_ids: bool,
    ids: bool,
    /// A business ID or Finnish personal identity code among PayerIds.
    pub(super) finnish_id: bool,
    personal_id: bool,
    basic: bool,
    basic_fields: u8,
    /// Address given, and its CountryCode.
    address: (bool, bool),
    sub_orgs: Codes,
    /// An employer's separate report names a Keva pension provider.
    keva_provider: bool,
    /// PayerIds as (Type, Code).
    id_list: Vec<(Option<i64>, String)>,
    /// DeliveryDataOwner, DeliveryDataCreator and DeliveryDataSender, and
    /// which of them is being read.
    parties: [Option<(Option<i64>, String)>; 3],
    pub(super) party: Option<usize>,
}

impl PayerState {
    pub(super) fn in_payer(&self) -> bool {
        self.in_payer
    }

    /// Whether the payer may have a Keva sub-organisation (for rules that
    /// require one: an unknown Type may be it).
    pub(super) fn keva_sub_org(&self) -> bool {
        self.sub_orgs.may_have(KEVA_SUB_ORG)
    }

    /// The type of a PayerIds/Id.
    pub(super) fn id_type(&mut self, kind: Option<i64>) {
        if self.in_ids {
            self.ids = true;
            self.finnish_id |= may_be_finnish(kind);
            self.personal_id |= may_be_personal(kind);
        }
    }

    /// The code of an identifier, kept if it is the payer's or a party's.
    pub(super) fn id_code(&mut self, kind: Option<i64>, code: &str) {
        // A Type or code the schema refused: the identifier is unknown, so
        // it is neither compared nor kept.
        if kind.is_none() || code.is_empty() {
            return;
        }
        if self.in_ids {
            self.id_list.push((kind, code.to_string()));
        }
        if let Some(party) = self.party {
            self.parties[party] = Some((kind, code.to_string()));
        }
    }

    /// The end of the payer's Address, with or without CountryCode.
    pub(super) fn address(&mut self, with_country: bool) {
        self.address = (true, with_country);
    }
}

impl RecordChecker {
    pub(super) fn payer_value(&mut self, role: Role, value: &str, out: &mut Vec<Finding>) {
        let p = &mut self.payer;
        match role {
            Role::PayerField(field) => {
                if field != PAYER_MISSING_ID || value == "true" {
                    p.basic_fields |= field;
                }
                if field == PAYER_BIRTH_DATE {
                    let today = self.today;
                    if let Some(d) = Date::parse(value) {
                        if d > today || Some(d) < Date::new(1800, 1, 1) {
                            out.push(self.finding(Code::RuleBirthDate, &[value, &today.to_string()]));
                        }
                    }
                }
            }
            Role::SubOrgType => {
                let in_payer = p.in_payer;
                if in_payer && !p.sub_orgs.insert_value(value) {
                    out.push(self.finding(Code::RuleOneOfEachType, &["SubOrg", value]));
                }
                // One complex type serves the payer's and the earner's
                // sub-organisations; their lists differ (PTI §2.8, §2.17).
                if self.family == Family::Wage {
                    let name = if in_payer {
                        "PayerSubOrgType"
                    } else {
                        "IncomeEarnerSubOrgType"
                    };
                    if code_list(name).is_some_and(|l| !l.contains(value)) {
                        out.push(self.finding(Code::RuleCodeList, &["SubOrg/Type", value, name]));
                    }
                }
            }
            Role::PensionProvider if self.family == Family::PayerSummary => {
                p.keva_provider |= value.parse().is_ok_and(|c: i64| KEVA.contains(&c));
            }
            _ => {}
        }
    }

    pub(super) fn payer_open(&mut self, group: Group) {
        let p = &mut self.payer;
        match group {
            Group::Payer => p.in_payer = true,
            Group::PayerIds => p.in_ids = true,
            Group::PayerBasic => p.basic = true,
            _ => {}
        }
    }

    pub(super) fn payer_close(&mut self, group: Group, out: &mut Vec<Finding>) {
        match group {
            Group::PayerIds => self.payer.in_ids = false,
            Group::Payer => {
                self.payer.in_payer = false;
                self.payer_end(out);
            }
            _ => {}
        }
    }

    /// What the payer must have without a Finnish identifier, without a
    /// customer identifier, as a temporary employer, or with a Keva pension
    /// provider (PTI §2.5-2.8, TEI §2.4-2.7).
    fn payer_end(&self, out: &mut Vec<Finding>) {
        let p = &self.payer;
        let field = |f: u8| p.basic_fields & f != 0;
        let missing_id = field(PAYER_MISSING_ID);
        if p.ids == missing_id {
            out.push(self.finding(Code::RulePayerIds, &[]));
        }
        let temporary = self.family == Family::Wage && self.payer_types.has(TEMPORARY_EMPLOYER);
        let required = !p.finnish_id || missing_id || temporary;
        let person = field(PAYER_LAST_NAME) && field(PAYER_FIRST_NAME);
        let mut missing = vec![];
        let mut need = |needed: bool, what| {
            if needed {
                missing.push(what);
            }
        };
        need(required && !p.basic, "PayerBasic");
        need(
            required && p.basic && !field(PAYER_COMPANY_NAME) && !person,
            "CompanyName, or LastName and FirstName",
        );
        need(
            person && (!p.personal_id || missing_id) && !field(PAYER_BIRTH_DATE),
            "BirthDate",
        );
        need(required && !p.address.0, "Address");
        need(required && p.address.0 && !p.address.1, "Address/CountryCode");
        need(p.keva_provider && !p.keva_sub_org(), "SubOrgs/SubOrg of Type 1");
        if !missing.is_empty() {
            out.push(self.finding(Code::RulePayerData, &[&missing.join(", ")]));
        }
        self.delivery_parties(missing_id, out);
    }

    /// PTI §2.1, TEI §2.1: the owner is the payer (by its business ID when it
    /// has one) unless it has no customer identifier, and the sender is the
    /// creator. Warnings: most official samples break them.
    fn delivery_parties(&self, missing_id: bool, out: &mut Vec<Finding>) {
        let p = &self.payer;
        if let (Some(owner), false) = (&p.parties[0], missing_id) {
            let business_id = p.id_list.iter().find(|(kind, _)| *kind == Some(1));
            let owner_is_payer = business_id.map_or_else(|| p.id_list.contains(owner), |b| b == owner);
            if !p.id_list.is_empty() && !owner_is_payer {
                out.push(self.finding(Code::RuleDeliveryOwner, &[]));
            }
        }
        if let (Some(creator), Some(sender)) = (&p.parties[1], &p.parties[2]) {
            if creator != sender {
                out.push(self.finding(Code::RuleDeliverySender, &[]));
            }
        }
    }
}
