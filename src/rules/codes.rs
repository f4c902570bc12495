//! The code lists the rules use, compiled from project-written data in
//! `schemas/` (see `schemas/README.md`).

/// How an income type is reported (Palkat – Koodistot – Tulolajit §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reporting method 1: totals (101-106).
    One,
    /// Reporting method 2: itemised wage types.
    Two,
    /// Reported separately, with either method.
    Separate,
}

/// An income type (`TransactionCode`) of earnings payment reports.
#[derive(Debug)]
pub struct IncomeType {
    pub code: u16,
    pub method: Method,
    pub negative_allowed: bool,
    pub unjust_enrichment_and_recovery_blocked: bool,
    pub pension_insurance: bool,
    pub accident_insurance: bool,
    pub unemployment_insurance: bool,
    pub health_insurance: bool,
    pub insurance_data_allowed: bool,
    pub name_fi: &'static str,
}

pub use super::code_lists::{CODE_LISTS, CODE_LIST_FIELDS};
pub use super::income_types::INCOME_TYPES;

/// The records a code-list field belongs to (the same complex type name
/// may take another list in another family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    Wage,
    PayerSummary,
}

/// The codes of a list, sorted: numbers for `xs:int` fields, text otherwise.
#[derive(Debug)]
pub enum ListCodes {
    Int(&'static [i64]),
    Text(&'static [&'static str]),
}

/// A code list of "Koodistot 2022" (§1.x, by its English name).
#[derive(Debug)]
pub struct CodeList {
    pub name: &'static str,
    pub codes: ListCodes,
}

impl CodeList {
    /// How many codes the list has.
    pub fn codes_len(&self) -> usize {
        match self.codes {
            ListCodes::Int(codes) => codes.len(),
            ListCodes::Text(codes) => codes.len(),
        }
    }

    /// Whether `value` (schema-valid for its field) is one of the codes.
    pub fn contains(&self, value: &str) -> bool {
        match self.codes {
            ListCodes::Int(codes) => value.parse().is_ok_and(|v: i64| codes.binary_search(&v).is_ok()),
            ListCodes::Text(codes) => codes.binary_search(&value).is_ok(),
        }
    }
}

/// The code list named `name`, if a field or rule uses it.
pub fn code_list(name: &str) -> Option<&'static CodeList> {
    CODE_LISTS.iter().find(|l| l.name == name)
}

/// An element whose values come from a code list: `element` as a child of
/// complex type `parent` (local names) in `records`.
#[derive(Debug)]
pub struct CodeListField {
    pub records: Records,
    pub parent: &'static str,
    pub element: &'static str,
    /// Index into [`CODE_LISTS`].
    pub list: usize,
    /// The list changes over time (collective agreements, pension providers,
    /// tax treaties): a code missing from the 2022 list is only a warning.
    pub dated: bool,
}

/// The income type with `code`, if the 2022 code list has it.
pub fn income_type(code: i64) -> Option<&'static IncomeType> {
    let code = u16::try_from(code).ok()?;
    // The list is sorted by code (a test checks it).
    INCOME_TYPES
        .binary_search_by_key(&code, |t| t.code)
        .ok()
        .map(|i| &INCOME_TYPES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows checked by eye against the PDF's tables.
    #[test]
    fn flags_of_known_income_types() {
        let t = income_type(101).unwrap();
        assert_eq!(t.method, Method::One);
        assert!(t.insurance_data_allowed && t.pension_insurance && t.health_insurance);
        assert_eq!(income_type(227).unwrap().method, Method::Two);
        let withholding = income_type(402).unwrap();
        assert_eq!(withholding.method, Method::Separate);
        assert!(withholding.negative_allowed && withholding.unjust_enrichment_and_recovery_blocked);
        let housing = income_type(301).unwrap();
        assert!(!housing.negative_allowed && housing.unjust_enrichment_and_recovery_blocked);
        assert!(!income_type(308).unwrap().unjust_enrichment_and_recovery_blocked);
        assert_eq!(INCOME_TYPES.len(), 117);
        assert!(income_type(228).is_none());
        assert!(INCOME_TYPES.windows(2).all(|w| w[0].code < w[1].code));
        assert!(INCOME_TYPES
            .iter()
            .all(|t| income_type(t.code.into()).is_some_and(|f| f.code == t.code)));
    }

    #[test]
    fn code_lists_compare_numbers_as_numbers() {
        let list = |name| CODE_LISTS.iter().find(|l| l.name == name).unwrap();
        let exceptions = list("InsuranceExceptionCode");
        assert!(exceptions.contains("11") && exceptions.contains("011") && exceptions.contains("+1"));
        assert!(!exceptions.contains("12") && !exceptions.contains("0"));
        let treaties = list("TaxTreatyCountryCode");
        assert!(treaties.contains("EE") && !treaties.contains("ee") && !treaties.contains("FI"));
        assert_eq!(list("CBACode").codes_len(), 196);
    }
}
