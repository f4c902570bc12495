//! The rules of the records sent to the Register: earnings payment,
//! employer's separate and benefits payment reports, invalidations and
//! status requests. One checker serves them all: the elements it looks at
//! are found by name in the schema tables, so the same rule works in every
//! family that has the element.

use crate::diagnostic::Code;
use crate::rules::codes::{Records, CODE_LISTS, CODE_LIST_FIELDS};
use crate::rules::ids::{check_business_id, check_hetu, is_reference};
use crate::rules::{Checker, Date, Environment, Finding, RuleOptions};
use crate::schema::model::{Builtin, Content, ElementType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, SIMPLE_TYPES};
use crate::validate::lexical::has_zone;
use std::collections::HashSet;

mod absence;
mod code_set;
mod earner;
mod employment;
mod foreign_work;
mod payer;
mod transaction_data;
mod transactions;

use absence::AbsenceState;
use code_set::Codes;
use earner::{AddressState, EarnerState};
use employment::*;
use foreign_work::*;
use payer::*;
use transaction_data::TransactionDataState;
use transactions::Transaction;

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
    SummaryCode,
    NonResident,
    Month,
    Year,
    Street,
    IdType,
    IdCode,
    IdCountryCode,
    IdCountryName,
    MissingId,
    CompanyName,
    LastName,
    FirstName,
    BirthDate,
    Gender,
    AddressType,
    AddressCountryCode,
    AddressCountryName,
    PensionProvider,
    PensionPolicyNo,
    PayerType,
    PartTime,
    HoursPerWeek,
    PeriodStart,
    PeriodEnd,
    EndingType,
    ProfessionType,
    RegType,
    PaymentType,
    PaymentRef,
    PensionAct,
    ExceptionCode,
    EarnerType,
    NonResidentCountryCode,
    NonResidentCountryName,
    TaxTreatyCountry,
    /// A field of PlaceOfBusiness (one of the `PLACE_` bits).
    Place(u8),
    InsuranceCode,
    Included,
    SubstituteActs,
    TaxValue,
    BenefitCode,
    AllowanceCode,
    RecoveryDate,
    OrigPaymentDate,
    OrigStart,
    SixMonthApplicable,
    SixMonthCountryCode,
    SixMonthCountryName,
    /// A number that must lie in `low..=high` (`i32::MAX`: no upper bound).
    Range(i32, i32),
    EmissionsValue,
    AbsenceRepStart,
    AbsenceRepEnd,
    AbsenceStart,
    AbsenceEnd,
    AbsenceUntil,
    AbsenceCause,
    ReimbInfo,
    ReimbType,
    ReimbRef,
    ReimbSpecifier,
    ContactEmail,
    ContactResponsibility,
    EmploymentCode,
    /// Employment/PaymentTypes/PaymentType (monthly, hourly, ... pay).
    PayType,
    FormCode,
    SubToWithhold,
    NoStayPeriods,
    /// A field of WorkCountry (one of the `COUNTRY_` bits).
    CountryField(u16),
    WorkCountryCode,
    EstAmount,
    WorkDays,
    WorkPeriodStart,
    /// A field of PayerBasic (one of the `PAYER_` bits).
    PayerField(u8),
    SubOrgType,
    EndingCode,
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
    ("TransactionBasic", "SummaryTransactionCode", Role::SummaryCode),
    ("InternationalData", "NonResident", Role::NonResident),
    ("PaymentMonth", "Month", Role::Month),
    ("PaymentMonth", "Year", Role::Year),
    ("Address", "Street", Role::Street),
    ("Address", "POBox", Role::Street),
    ("Id", "Type", Role::IdType),
    ("Id", "Code", Role::IdCode),
    ("Id", "CountryCode", Role::IdCountryCode),
    ("Id", "CountryName", Role::IdCountryName),
    ("IncomeEarnerBasic", "MissingId", Role::MissingId),
    ("IncomeEarnerBasic", "CompanyName", Role::CompanyName),
    ("IncomeEarnerBasic", "LastName", Role::LastName),
    ("IncomeEarnerBasic", "FirstName", Role::FirstName),
    ("IncomeEarnerBasic", "BirthDate", Role::BirthDate),
    ("IncomeEarnerBasic", "Gender", Role::Gender),
    ("TypedAddress", "AddressType", Role::AddressType),
    ("TypedAddress", "Street", Role::Street),
    ("TypedAddress", "POBox", Role::Street),
    ("TypedAddress", "CountryCode", Role::AddressCountryCode),
    ("TypedAddress", "CountryName", Role::AddressCountryName),
    ("PensionInsurance", "PensionProvIdCode", Role::PensionProvider),
    ("PensionInsurance", "PensionPolicyNo", Role::PensionPolicyNo),
    ("PayerTypes", "Code", Role::PayerType),
    ("Employment", "PartTime", Role::PartTime),
    ("Employment", "HoursPerWeek", Role::HoursPerWeek),
    ("Period", "StartDate", Role::PeriodStart),
    ("Period", "EndDate", Role::PeriodEnd),
    ("EmploymentEnding", "Type", Role::EndingType),
    ("EmploymentEnding", "Code", Role::EndingCode),
    ("Profession", "Type", Role::ProfessionType),
    ("EmploymentReg", "Type", Role::RegType),
    ("Payment", "PaymentType", Role::PaymentType),
    ("Payment", "PaymentRef", Role::PaymentRef),
    ("PensionInsurance", "PensionActCode", Role::PensionAct),
    ("InsuranceExceptions", "ExceptionCode", Role::ExceptionCode),
    ("IncomeEarnerTypes", "IncomeEarnerType", Role::EarnerType),
    (
        "InternationalData",
        "NonResidentCountryCode",
        Role::NonResidentCountryCode,
    ),
    (
        "InternationalData",
        "NonResidentCountryName",
        Role::NonResidentCountryName,
    ),
    ("InternationalData", "TaxTreatyCountryCode", Role::TaxTreatyCountry),
    ("PlaceOfBusiness", "Code", Role::Place(PLACE_CODE)),
    ("PlaceOfBusiness", "Street", Role::Place(PLACE_STREET)),
    ("PlaceOfBusiness", "PostalCode", Role::Place(PLACE_POSTAL_CODE)),
    ("PlaceOfBusiness", "PostOffice", Role::Place(PLACE_POST_OFFICE)),
    ("PlaceOfBusiness", "CountryCode", Role::Place(PLACE_COUNTRY_99)),
    ("PlaceOfBusiness", "CountryName", Role::Place(PLACE_COUNTRY_NAME)),
    ("TransactionInclusion", "InsuranceCode", Role::InsuranceCode),
    ("TransactionInclusion", "Included", Role::Included),
    ("SubstitutePayer", "Acts", Role::SubstituteActs),
    ("MealBenefit", "TaxValue", Role::TaxValue),
    ("OtherBenefit", "BenefitCode", Role::BenefitCode),
    ("DailyAllowance", "AllowanceCode", Role::AllowanceCode),
    ("RecoveryData", "RecoveryDate", Role::RecoveryDate),
    ("OrigPaymentPeriod", "PaymentDate", Role::OrigPaymentDate),
    ("OrigPaymentPeriod", "StartDate", Role::OrigStart),
    ("OrigPaymentPeriod", "EndDate", Role::PeriodEnd),
    ("EarningPeriod", "StartDate", Role::PeriodStart),
    ("EarningPeriod", "EndDate", Role::PeriodEnd),
    ("WithdrawalPeriod", "StartDate", Role::PeriodStart),
    ("WithdrawalPeriod", "EndDate", Role::PeriodEnd),
    ("StayPeriod", "StartDate", Role::PeriodStart),
    ("StayPeriod", "EndDate", Role::PeriodEnd),
    ("WorkPeriodInFinland", "StartDate", Role::WorkPeriodStart),
    ("WorkPeriodInFinland", "EndDate", Role::PeriodEnd),
    ("SixMonthRule", "Applicable", Role::SixMonthApplicable),
    ("SixMonthRule", "CountryCode", Role::SixMonthCountryCode),
    ("SixMonthRule", "CountryName", Role::SixMonthCountryName),
    ("UnitWage", "UnitPrice", Role::Range(0, i32::MAX)),
    ("UnitWage", "UnitAmount", Role::Range(0, i32::MAX)),
    ("CarBenefit", "Kilometers", Role::Range(0, i32::MAX)),
    ("CarBenefit", "EmissionsValue", Role::EmissionsValue),
    ("KmAllowance", "Kilometers", Role::Range(0, i32::MAX)),
    ("SailorIncome", "CrossTradeTime", Role::Range(1, 12)),
    ("WorkPeriodInFinland", "WorkDays", Role::WorkDays),
    ("ForeignLeasedWork", "EstAmount", Role::EstAmount),
    ("WorkForm", "FormCode", Role::FormCode),
    ("InternationalData", "SubToWithhold", Role::SubToWithhold),
    ("StayPeriodsInFinland", "NoStayPeriods", Role::NoStayPeriods),
    ("WorkCountry", "WorkCountryCode", Role::WorkCountryCode),
    ("WorkCountry", "WorkCountryName", Role::CountryField(COUNTRY_NAME)),
    ("WorkCountry", "TaxingRight", Role::CountryField(COUNTRY_TAXING_RIGHT)),
    (
        "WorkCountry",
        "BurdensResultOfPE",
        Role::CountryField(COUNTRY_BURDENS_PE),
    ),
    (
        "WorkCountry",
        "WagePerMonth",
        Role::CountryField(COUNTRY_WAGE_PER_MONTH),
    ),
    ("PayerBasic", "MissingId", Role::PayerField(PAYER_MISSING_ID)),
    ("PayerBasic", "CompanyName", Role::PayerField(PAYER_COMPANY_NAME)),
    ("PayerBasic", "LastName", Role::PayerField(PAYER_LAST_NAME)),
    ("PayerBasic", "FirstName", Role::PayerField(PAYER_FIRST_NAME)),
    ("PayerBasic", "BirthDate", Role::PayerField(PAYER_BIRTH_DATE)),
    ("SubOrg", "Type", Role::SubOrgType),
    ("Address", "CountryCode", Role::AddressCountryCode),
    ("Address", "CountryName", Role::AddressCountryName),
    ("ServiceRecipientAddress", "Street", Role::Street),
    ("ServiceRecipientAddress", "POBox", Role::Street),
    ("ServiceRecipientAddress", "CountryCode", Role::AddressCountryCode),
    ("ServiceRecipientAddress", "CountryName", Role::AddressCountryName),
    ("WorkCountryAddress", "Street", Role::Street),
    ("WorkCountryAddress", "POBox", Role::Street),
    ("WorkCountryAddress", "CountryCode", Role::AddressCountryCode),
    ("WorkCountryAddress", "CountryName", Role::AddressCountryName),
    ("Absence", "AbsenceRepStartDate", Role::AbsenceRepStart),
    ("Absence", "AbsenceRepEndDate", Role::AbsenceRepEnd),
    ("UnpaidAbsencePeriod", "StartDate", Role::AbsenceStart),
    ("UnpaidAbsencePeriod", "EndDate", Role::AbsenceEnd),
    ("UnpaidAbsencePeriod", "AbsenceDays", Role::Range(0, i32::MAX)),
    ("PaidAbsencePeriod", "StartDate", Role::AbsenceStart),
    ("PaidAbsencePeriod", "EndDate", Role::AbsenceEnd),
    ("PaidAbsencePeriod", "AbsenceUntil", Role::AbsenceUntil),
    ("PaidAbsencePeriod", "CauseCode", Role::AbsenceCause),
    ("PaidAbsencePeriod", "Amount", Role::Range(0, i32::MAX)),
    ("PaidAbsencePeriod", "PaidAbsencePeriodInfo", Role::ReimbInfo),
    ("ReimbPayment", "PaymentType", Role::ReimbType),
    ("ReimbPayment", "PaymentRef", Role::ReimbRef),
    ("ReimbPayment", "PaymentSpecifier", Role::ReimbSpecifier),
    ("ContactPerson", "Email", Role::ContactEmail),
    ("ContactPerson", "ResponsibilityCode", Role::ContactResponsibility),
    ("Employment", "EmploymentCode", Role::EmploymentCode),
    ("PaymentTypes", "PaymentType", Role::PayType),
];

/// Groups whose end the rules act on, by their complex type's local name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Id,
    Address,
    ReportData,
    InsuranceData,
    Transaction,
    Transactions,
    Report,
    Reports,
    Item,
    Items,
    IncomeEarner,
    IncomeEarnerIds,
    IncomeEarnerBasic,
    TypedAddress,
    EmploymentPeriods,
    Period,
    EmploymentEndings,
    PensionInsurance,
    PlaceOfBusiness,
    InternationalData,
    Payment,
    CarBenefit,
    MealBenefit,
    OtherBenefit,
    RecoveryData,
    DailyAllowance,
    KmAllowance,
    SixMonthRule,
    Absence,
    PaidAbsencePeriod,
    UnpaidAbsencePeriod,
    ReimbApp,
    ReimbPayment,
    ContactPerson,
    Payer,
    PayerIds,
    PayerBasic,
    AccidentInsurance,
    FinServiceRecipient,
    WorkPeriodsInFinland,
    StayPeriodsInFinland,
    WorkCountries,
    WorkCountry,
    ServiceRecipient,
    Representative,
    /// RepresentativeIds, ServiceRecipientIds.
    PartyIds,
    StayPeriodsAbroad,
    WorkPeriodsAbroad,
    Remunerations,
}

const GROUPS: &[(&str, Group)] = &[
    ("Id", Group::Id),
    ("Address", Group::Address),
    ("ReportData", Group::ReportData),
    ("InsuranceData", Group::InsuranceData),
    ("Transaction", Group::Transaction),
    ("Transactions", Group::Transactions),
    ("Report", Group::Report),
    ("Reports", Group::Reports),
    ("Item", Group::Item),
    ("Items", Group::Items),
    ("IncomeEarner", Group::IncomeEarner),
    ("IncomeEarnerIds", Group::IncomeEarnerIds),
    ("IncomeEarnerBasic", Group::IncomeEarnerBasic),
    ("TypedAddress", Group::TypedAddress),
    ("EmploymentPeriods", Group::EmploymentPeriods),
    ("Period", Group::Period),
    ("EmploymentEndings", Group::EmploymentEndings),
    ("PensionInsurance", Group::PensionInsurance),
    ("PlaceOfBusiness", Group::PlaceOfBusiness),
    ("InternationalData", Group::InternationalData),
    ("Payment", Group::Payment),
    ("EarningPeriod", Group::Period),
    ("WithdrawalPeriod", Group::Period),
    ("OrigPaymentPeriod", Group::Period),
    ("StayPeriod", Group::Period),
    ("WorkPeriodInFinland", Group::Period),
    ("CarBenefit", Group::CarBenefit),
    ("MealBenefit", Group::MealBenefit),
    ("OtherBenefit", Group::OtherBenefit),
    ("RecoveryData", Group::RecoveryData),
    ("DailyAllowance", Group::DailyAllowance),
    ("KmAllowance", Group::KmAllowance),
    ("SixMonthRule", Group::SixMonthRule),
    ("Absence", Group::Absence),
    ("PaidAbsencePeriod", Group::PaidAbsencePeriod),
    ("UnpaidAbsencePeriod", Group::UnpaidAbsencePeriod),
    ("ReimbApp", Group::ReimbApp),
    ("ReimbPayment", Group::ReimbPayment),
    ("ContactPerson", Group::ContactPerson),
    ("Payer", Group::Payer),
    ("PayerIds", Group::PayerIds),
    ("PayerBasic", Group::PayerBasic),
    ("AccidentInsurance", Group::AccidentInsurance),
    ("ServiceRecipientAddress", Group::Address),
    ("WorkCountryAddress", Group::Address),
    ("FinServiceRecipient", Group::FinServiceRecipient),
    ("WorkPeriodsInFinland", Group::WorkPeriodsInFinland),
    ("StayPeriodsInFinland", Group::StayPeriodsInFinland),
    ("WorkCountries", Group::WorkCountries),
    ("WorkCountry", Group::WorkCountry),
    ("ServiceRecipient", Group::ServiceRecipient),
    ("Representative", Group::Representative),
    ("RepresentativeIds", Group::PartyIds),
    ("ServiceRecipientIds", Group::PartyIds),
    ("StayPeriodsAbroad", Group::StayPeriodsAbroad),
    ("WorkPeriodsAbroad", Group::WorkPeriodsAbroad),
    ("Remunerations", Group::Remunerations),
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
    non_resident: bool,
    month: Option<u32>,
    year: Option<i32>,
    /// The transactions read so far.
    transactions: Vec<Transaction>,
    /// The transaction being read.
    current: Option<Transaction>,
    employment: EmploymentState,
    transaction_data: TransactionDataState,
    absence: AbsenceState,
    foreign_work: ForeignWorkState,
    /// The earner has a Finnish personal identity code (kept past IncomeEarner).
    earner_personal_id: bool,
}

/// What the rules of one record family look up by element declaration,
/// made once per process (scanning the schema tables costs about as much
/// as validating a one-report record, so not per document).
struct Tables {
    /// (parent complex type, role) pairs; few each.
    roles: Vec<Vec<(u16, Role)>>,
    /// (parent complex type, index into CODE_LIST_FIELDS).
    code_lists: Vec<Vec<(u16, u16)>>,
    /// DeliveryDataOwner, -Creator, -Sender (0-2).
    delivery_parties: Vec<Option<usize>>,
    /// Whether its value must have a time zone (date-times and times) or
    /// must not (dates); `None` for the rest.
    zones: Vec<Option<bool>>,
    groups: Vec<Option<Group>>,
    wanted: Vec<bool>,
}

impl Tables {
    /// The tables of `family`, made on first use.
    fn of(family: Family) -> &'static Tables {
        static MADE: [std::sync::OnceLock<Tables>; 5] = [const { std::sync::OnceLock::new() }; 5];
        MADE[family as usize].get_or_init(|| Tables::make(family))
    }

    fn make(family: Family) -> Tables {
        let mut roles = vec![vec![]; ELEMENTS.len()];
        let mut code_lists = vec![vec![]; ELEMENTS.len()];
        let mut zones = vec![None; ELEMENTS.len()];
        let mut delivery_parties = vec![None; ELEMENTS.len()];
        let records = match family {
            Family::Wage => Some(Records::Wage),
            Family::PayerSummary => Some(Records::PayerSummary),
            _ => None,
        };
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
                let party = ["DeliveryDataOwner", "DeliveryDataCreator", "DeliveryDataSender"]
                    .iter()
                    .position(|n| *n == el.name);
                if parent == "DeliveryData" && party.is_some() {
                    delivery_parties[child.element as usize] = party;
                }
                let field = CODE_LIST_FIELDS
                    .iter()
                    .position(|f| Some(f.records) == records && f.parent == parent && f.element == el.name);
                if let Some(field) = field {
                    code_lists[child.element as usize].push((ct_index as u16, field as u16));
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
                    ElementType::Simple(st) => match SIMPLE_TYPES[st as usize].builtin {
                        Builtin::Date => {
                            zones[child.element as usize] = Some(false);
                            wanted[child.element as usize] = true;
                        }
                        Builtin::DateTime | Builtin::Time => {
                            zones[child.element as usize] = Some(true);
                            wanted[child.element as usize] = true;
                        }
                        _ => {}
                    },
                }
            }
        }
        Tables {
            roles,
            code_lists,
            delivery_parties,
            zones,
            groups,
            wanted,
        }
    }
}

pub(super) struct RecordChecker {
    family: Family,
    realtime: bool,
    options: RuleOptions,
    /// The day the date rules count from, fixed when the validation starts.
    today: Date,
    /// The lookup tables of the record's family, made once per process.
    tables: &'static Tables,
    id: IdState,
    report: ReportState,
    start_date: Option<Date>,
    report_ids: HashSet<String>,
    reports: usize,
    /// Street and POBox given in the address being read.
    address_lines: usize,
    earner: EarnerState,
    address: AddressState,
    /// PensionProvIdCode of the pension insurance being read.
    pension_provider: Option<i64>,
    delivery_data_type: Option<i64>,
    items: usize,
    /// The payer's PayerTypes and SubstitutePayer/Acts (earnings payment reports).
    payer_types: Codes,
    substitute_payer: bool,
    /// PaymentPeriod/PaymentDate of an earnings payment record.
    payment_date: Option<Date>,
    /// The ContactPerson being read has Email, and ResponsibilityCode 1.
    contact: (bool, bool),
    /// Some ContactPerson has both (PTI §2.3).
    contact_for_applications: bool,
    payer: PayerState,
    /// Reading an accident insurer's identifier, which needs CountryCode
    /// unless it is a business ID (PTI §2.23, TEI §2.10).
    in_accident_insurance: bool,
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
            "InvalidationRequestToIR" => (Family::Invalidation, true),
            "InvalidationsRequestToIR" => (Family::Invalidation, false),
            "StatusRequestToIR" => (Family::Status, false),
            _ => return None,
        };
        let tables = Tables::of(family);
        Some(RecordChecker {
            family,
            realtime,
            today: options.today.unwrap_or_else(Date::today),
            options,
            tables,
            id: IdState::default(),
            report: ReportState::default(),
            start_date: None,
            report_ids: HashSet::new(),
            reports: 0,
            address_lines: 0,
            earner: EarnerState::default(),
            address: AddressState::default(),
            pension_provider: None,
            delivery_data_type: None,
            items: 0,
            payer_types: Codes::default(),
            substitute_payer: false,
            payment_date: None,
            contact: (false, false),
            contact_for_applications: false,
            payer: PayerState::default(),
            in_accident_insurance: false,
        })
    }

    fn finding(&self, code: Code, args: &[&str]) -> Finding {
        Finding::new(code, self.options.lang, args)
    }

    /// A coded value must be in its list (Koodistot 2022).
    fn code_list(&self, field: u16, value: &str, out: &mut Vec<Finding>) {
        let field = &CODE_LIST_FIELDS[field as usize];
        let list = &CODE_LISTS[field.list];
        if !list.contains(value) {
            let code = if field.dated {
                Code::RuleCodeListDated
            } else {
                Code::RuleCodeList
            };
            let element = format!("{}/{}", field.parent, field.element);
            out.push(self.finding(code, &[&element, value, list.name]));
        }
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
        let Some(zone_required) = self.tables.zones[el as usize] else {
            return;
        };
        if has_zone(value) != zone_required {
            out.push(self.finding(Code::RuleTimeZone, &[value]));
        }
    }

    /// The code of an identifier, checked by its type; for the income
    /// earner's, also what the earner's other rules need of it (PTI §2.14).
    fn id_code(&mut self, value: &str, out: &mut Vec<Finding>) {
        let earners = self.earner.in_ids && self.family == Family::Wage;
        match self.id.kind {
            Some(1) if !check_business_id(value) => out.push(self.finding(Code::RuleBusinessId, &[value])),
            // Never echo a personal identity code: say what is wrong.
            Some(2) => match check_hetu(value) {
                Ok(born) if earners => {
                    let first = *self.earner.birth_date_of_id.get_or_insert(born);
                    self.earner.birth_dates_differ |= first != born;
                }
                Ok(_) => {}
                Err(problem) => out.push(self.finding(Code::RulePersonalId, &[problem.describe(self.options.lang)])),
            },
            Some(99)
                if matches!(self.family, Family::Wage | Family::PayerSummary)
                    && (check_business_id(value) || check_hetu(value).is_ok()) =>
            {
                out.push(self.finding(Code::RuleOtherId, &[]))
            }
            _ => {}
        }
    }

    /// The end of an address (the payer's or an earner's): exactly one of
    /// Street and POBox.
    fn street_or_po_box(&mut self, out: &mut Vec<Finding>) {
        if std::mem::take(&mut self.address_lines) != 1 {
            out.push(self.finding(Code::RuleStreetOrPoBox, &[]));
        }
    }

    /// Employer's separate reports: income types and the target month.
    fn summary_report_end(&self, out: &mut Vec<Finding>) {
        let codes = &self.report.transactions;
        if codes.iter().any(|t| t.code == 101) {
            for c in [102, 103] {
                if codes.iter().any(|t| t.code == c) {
                    out.push(self.finding(Code::RuleSummaryCode101, &[&c.to_string()]));
                }
            }
        }
        if let (Some(month), Some(year)) = (self.report.month, self.report.year) {
            let ahead = if codes.iter().all(|t| t.code == 101) { 6 } else { 1 };
            let today = self.today;
            let target = year * 12 + month as i32 - 1;
            let limit = today.year * 12 + today.month as i32 - 1 + ahead;
            if year < 2019 || target > limit {
                let shown = format!("{month}/{year}");
                out.push(self.finding(Code::RulePaymentMonth, &[&shown, &ahead.to_string()]));
            }
        }
    }
}

impl Checker for RecordChecker {
    fn wants(&self, el: u16) -> bool {
        self.tables.wanted[el as usize]
    }

    fn open(&mut self, el: u16) {
        if let Some(party) = self.tables.delivery_parties[el as usize] {
            self.payer.party = Some(party);
        }
        match self.tables.groups[el as usize] {
            Some(Group::IncomeEarnerIds) => self.earner.in_ids = true,
            Some(Group::IncomeEarner) => self.earner = EarnerState::default(),
            Some(Group::IncomeEarnerBasic) => self.earner.basic = true,
            Some(group @ (Group::Payer | Group::PayerIds | Group::PayerBasic)) => self.payer_open(group),
            Some(Group::AccidentInsurance) => self.in_accident_insurance = true,
            Some(group) if self.family == Family::Wage => {
                self.employment_open(group);
                self.transaction_data_open(group);
                self.absence_open(group);
                self.foreign_work_open(group);
            }
            _ => {}
        }
    }

    fn value(&mut self, parent: u16, el: u16, value: &str, out: &mut Vec<Finding>) {
        if matches!(self.family, Family::Wage | Family::PayerSummary | Family::Benefit) {
            self.time_zone(el, value, out);
        }
        if let Some(&(_, field)) = self.tables.code_lists[el as usize].iter().find(|(p, _)| *p == parent) {
            self.code_list(field, value, out);
        }
        let Some(&(_, role)) = self.tables.roles[el as usize].iter().find(|(p, _)| *p == parent) else {
            return;
        };
        let today = self.today;
        match role {
            Role::DeliveryDataType => {
                self.delivery_data_type = value.parse().ok();
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
                self.payment_date = Date::parse(value);
                if let Some(d) = self.payment_date {
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
            // A code the schema refused leaves the transaction out of the rules.
            Role::TransactionCode | Role::SummaryCode => {
                self.report.current = value.parse().ok().map(|code| Transaction {
                    code,
                    ..Transaction::default()
                });
            }
            Role::Amount => {
                if let Some(t) = self.report.current.as_mut() {
                    t.amount = value.parse().ok();
                    // Empty: an amount the schema refused, given all the same.
                    t.amount_invalid = value.is_empty();
                }
            }
            Role::UnjustEnrichment | Role::Recovery => {
                if let Some(t) = self.report.current.as_mut() {
                    let set = value == "true";
                    if role == Role::UnjustEnrichment {
                        t.unjust = set;
                    } else {
                        t.recovery = set;
                    }
                }
            }
            Role::NonResident => self.report.non_resident = value == "true",
            Role::Street => self.address_lines += 1,
            Role::Month => self.report.month = value.parse().ok(),
            Role::Year => self.report.year = value.parse().ok(),
            Role::IdType => {
                self.id.kind = value.parse().ok();
                self.payer.id_type(self.id.kind);
                self.report.foreign_work.party_id_type(self.id.kind);
                if self.earner.in_ids {
                    self.earner.ids = true;
                    self.earner.finnish_id |= may_be_finnish(self.id.kind);
                    self.earner.personal_id |= may_be_personal(self.id.kind);
                }
            }
            Role::IdCode => {
                self.id_code(value, out);
                self.payer.id_code(self.id.kind, value);
            }
            Role::IdCountryCode => self.id.country = Some(value.to_string()),
            Role::IdCountryName => self.id.country_name = true,
            Role::MissingId => self.earner.missing_id = value == "true",
            Role::CompanyName => self.earner.company_name = true,
            Role::LastName => self.earner.last_name = true,
            Role::FirstName => self.earner.first_name = true,
            Role::Gender => self.earner.gender = true,
            Role::BirthDate if self.family == Family::Wage => {
                self.earner.birth_date = true;
                if let Some(d) = Date::parse(value) {
                    if d > today || d < Date::new(1800, 1, 1).expect("a date") {
                        out.push(self.finding(Code::RuleBirthDate, &[value, &today.to_string()]));
                    }
                }
            }
            Role::AddressType => self.address.kind = value.parse().ok(),
            Role::AddressCountryCode => self.address.country = Some(value.to_string()),
            Role::AddressCountryName => self.address.country_name = true,
            // The policy number follows the provider's code in every PensionInsurance.
            Role::PensionProvider => {
                self.pension_provider = value.parse().ok();
                self.payer_value(role, value, out);
                if self.family == Family::Wage {
                    self.employment_value(role, value, out);
                }
            }
            Role::PensionPolicyNo => {
                if self.family == Family::Wage {
                    self.employment_value(role, value, out);
                }
                if let Some(provider) = self.pension_provider.take().map(|p| p.to_string()) {
                    if !value.starts_with(&provider) {
                        out.push(self.finding(Code::RulePensionPolicyProvider, &[value, &provider]));
                    }
                }
            }
            Role::PayerType if self.family == Family::PayerSummary && !matches!(value.parse(), Ok(2 | 10)) => {
                out.push(self.finding(Code::RulePayerType, &[value]));
            }
            Role::PayerType => {
                self.payer_types.insert_value(value);
            }
            Role::SubstituteActs => self.substitute_payer = value == "true",
            Role::PayerField(_) | Role::SubOrgType => self.payer_value(role, value, out),
            _ if self.family != Family::Wage => {}
            Role::Range(low, high) => {
                let element = || {
                    format!(
                        "{}/{}",
                        local(COMPLEX_TYPES[parent as usize].name),
                        ELEMENTS[el as usize].name
                    )
                };
                self.value_range(element, low, high, value, out)
            }
            Role::EmissionsValue => self.emissions_value(value, out),
            Role::SixMonthApplicable | Role::SixMonthCountryCode | Role::SixMonthCountryName => {
                self.six_month_value(role, value)
            }
            Role::InsuranceCode
            | Role::Included
            | Role::TaxValue
            | Role::BenefitCode
            | Role::AllowanceCode
            | Role::RecoveryDate
            | Role::OrigPaymentDate
            | Role::OrigStart => self.transaction_data_value(role, value, out),
            Role::AbsenceRepStart
            | Role::AbsenceRepEnd
            | Role::AbsenceStart
            | Role::AbsenceEnd
            | Role::AbsenceUntil
            | Role::AbsenceCause
            | Role::ReimbInfo
            | Role::ReimbType
            | Role::ReimbRef
            | Role::ReimbSpecifier => self.absence_value(role, value, out),
            Role::FormCode
            | Role::SubToWithhold
            | Role::NoStayPeriods
            | Role::CountryField(_)
            | Role::WorkCountryCode
            | Role::EstAmount
            | Role::WorkDays
            | Role::WorkPeriodStart => self.foreign_work_value(role, value, out),
            Role::ContactEmail => self.contact.0 = true,
            Role::ContactResponsibility => self.contact.1 = value.parse() == Ok(1),
            _ if self.family == Family::Wage => self.employment_value(role, value, out),
            _ => {}
        }
    }

    /// The element counts as given, with an empty value: rules about its
    /// presence see it, and what they say about the value itself is
    /// dropped, since the schema has said it already.
    fn invalid(&mut self, parent: u16, el: u16) {
        self.value(parent, el, "", &mut vec![]);
    }

    fn close(&mut self, el: u16, out: &mut Vec<Finding>) {
        let Some(group) = self.tables.groups[el as usize] else {
            return;
        };
        match group {
            Group::Id => {
                self.payer.party = None;
                let id = std::mem::take(&mut self.id);
                let finnish = |k: &i64| *k == 1 || (*k == 2 && !self.in_accident_insurance);
                if let Some(kind) = id.kind.filter(|k| !finnish(k)) {
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
            Group::Item if self.family == Family::Invalidation => self.items += 1,
            Group::Items if self.family == Family::Invalidation => {
                let one_only = self.realtime || self.delivery_data_type.is_some_and(|t| (108..=112).contains(&t));
                if one_only && self.items > 1 {
                    out.push(self.finding(Code::RuleItemCount, &[&self.items.to_string()]));
                }
            }
            Group::Address => {
                self.street_or_po_box(out);
                let address = std::mem::take(&mut self.address);
                if self.payer.in_payer() {
                    self.payer.address(address.country.is_some());
                }
                if address.country.as_deref() == Some("99") && !address.country_name {
                    out.push(self.finding(Code::RuleCountryName, &[]));
                }
            }
            Group::TypedAddress if self.family == Family::Wage => self.typed_address_end(out),
            Group::IncomeEarnerIds => {
                self.earner.in_ids = false;
                if self.earner.birth_dates_differ && self.family == Family::Wage {
                    out.push(self.finding(Code::RuleEarnerBirthDates, &[]));
                }
            }
            Group::IncomeEarner if self.family == Family::Wage => {
                self.earner_end(out);
                self.employment_end(out);
            }
            Group::InsuranceData => {
                if let Some(t) = self.report.current.as_mut() {
                    t.insurance_data = true;
                }
            }
            Group::Transaction => {
                if let Some(t) = self.report.current.take() {
                    self.report.transactions.push(t);
                    match self.family {
                        Family::Wage => {
                            self.transaction_end(&t, out);
                            self.transaction_data_end(&t, out);
                        }
                        Family::PayerSummary if t.code != 101 && t.amount.is_none() => {
                            out.push(self.finding(Code::RuleSummaryAmount, &[&t.code.to_string()]));
                        }
                        _ => {}
                    }
                }
            }
            Group::Transactions if self.family == Family::Wage => self.transactions_end(out),
            Group::Report => {
                match self.family {
                    Family::PayerSummary => self.summary_report_end(out),
                    Family::Wage => {
                        self.insurance_required(out);
                        self.transaction_data_report_end(out);
                        self.absence_report_end(out);
                        self.foreign_work_report_end(out);
                    }
                    _ => {}
                }
                self.reports += 1;
                // The transactions' buffer is kept for the next report.
                let mut transactions = std::mem::take(&mut self.report.transactions);
                transactions.clear();
                self.report = ReportState {
                    transactions,
                    ..ReportState::default()
                };
            }
            Group::Reports if self.realtime && self.reports > 1 => {
                out.push(self.finding(Code::RuleOneReport, &[&self.reports.to_string()]));
            }
            Group::SixMonthRule if self.family == Family::Wage => self.six_month_end(out),
            Group::Payer | Group::PayerIds => self.payer_close(group, out),
            Group::AccidentInsurance => self.in_accident_insurance = false,
            Group::ContactPerson => {
                let (email, content) = std::mem::take(&mut self.contact);
                self.contact_for_applications |= email && content;
            }
            Group::Absence | Group::ReimbPayment | Group::PaidAbsencePeriod | Group::UnpaidAbsencePeriod
                if self.family == Family::Wage =>
            {
                self.absence_close(group, out)
            }
            Group::StayPeriodsInFinland
            | Group::PartyIds
            | Group::WorkCountry
            | Group::Representative
            | Group::ServiceRecipient
                if self.family == Family::Wage =>
            {
                self.foreign_work_close(group, out)
            }
            _ if self.family == Family::Wage => self.employment_close(group, out),
            _ => {}
        }
    }
}

/// Whether an identifier of this Type may be Finnish (a business ID or a
/// Finnish personal identity code). `None` is a Type the schema refused: it
/// may be either, so no rule asks for what a foreign identifier needs.
fn may_be_finnish(kind: Option<i64>) -> bool {
    matches!(kind, None | Some(1 | 2))
}

/// Whether an identifier of this Type may be a Finnish personal identity code.
fn may_be_personal(kind: Option<i64>) -> bool {
    matches!(kind, None | Some(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A typo in schemas/code-list-fields.csv would silently check nothing.
    #[test]
    fn every_code_list_field_is_in_the_schema() {
        for field in CODE_LIST_FIELDS.iter() {
            let found = COMPLEX_TYPES.iter().any(|ct| {
                let Content::Elements { children, .. } = ct.content else {
                    return false;
                };
                local(ct.name) == field.parent
                    && children
                        .iter()
                        .any(|c| ELEMENTS[c.element as usize].name == field.element)
            });
            assert!(found, "{}/{} is in no complex type", field.parent, field.element);
        }
    }
}
