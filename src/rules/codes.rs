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

pub use super::income_types::INCOME_TYPES;

/// The income type with `code`, if the 2022 code list has it.
pub fn income_type(code: i64) -> Option<&'static IncomeType> {
    INCOME_TYPES.iter().find(|t| i64::from(t.code) == code)
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
    }
}
