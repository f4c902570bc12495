//! What validation reports: one [`Diagnostic`] per problem, with a stable [`Code`].

use std::fmt;

/// How bad a problem is. Schema and well-formedness problems are errors; the
/// Register's own rules (a later layer) also give warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Severity {
    /// The Register would refuse the record.
    Error,
    /// Probably a mistake, but the Register may accept it.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`, as the CLI's JSON and the npm package write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Stable problem codes. The text form (`Code::as_str`) is part of the
        /// CLI and API contract: codes are only ever added, never renamed, so
        /// a `match` on a code needs a `_` arm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable text form, e.g. `"schema-type"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// One line saying what the code means.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

codes! {
    /// The document is not well-formed XML (syntax, unmatched tags, bad references).
    XmlSyntax = "xml-syntax",
    /// The document has a DOCTYPE; records never carry one, so it is refused.
    XmlDoctype = "xml-doctype",
    /// The document declares an encoding other than UTF-8, or is not valid UTF-8.
    XmlEncoding = "xml-encoding",
    /// A character that XML 1.0 does not allow (control characters, U+FFFE, U+FFFF).
    XmlChar = "xml-char",
    /// An entity reference other than the five predefined ones, or a bad character reference.
    XmlEntity = "xml-entity",
    /// A namespace prefix that is not declared, or a bad namespace declaration.
    XmlNamespace = "xml-namespace",
    /// Elements nested deeper than any record can be (256 levels).
    XmlDepth = "xml-depth",
    /// A single tag, text node or comment larger than the reader accepts.
    XmlTooLarge = "xml-too-large",
    /// The root element is not one of the Incomes Register's records.
    SchemaRoot = "schema-root",
    /// An element that the content model does not allow at this place.
    SchemaUnexpectedElement = "schema-unexpected-element",
    /// A required element is missing.
    SchemaMissingElement = "schema-missing-element",
    /// Text where only child elements are allowed.
    SchemaTextNotAllowed = "schema-text-not-allowed",
    /// A child element inside an element that holds a value.
    SchemaElementNotAllowed = "schema-element-not-allowed",
    /// An attribute that the schema does not declare for this element.
    SchemaUnknownAttribute = "schema-unknown-attribute",
    /// A required attribute is missing.
    SchemaMissingAttribute = "schema-missing-attribute",
    /// A value that is not in the lexical form of its type (int, date, decimal, ...).
    SchemaType = "schema-type",
    /// A value outside the range of its type (xs:int).
    SchemaRange = "schema-range",
    /// A value shorter or longer than the type allows (counted in characters).
    SchemaLength = "schema-length",
    /// A value that does not match the type's pattern.
    SchemaPattern = "schema-pattern",
    /// A value that is not one of the type's allowed values.
    SchemaEnumeration = "schema-enumeration",
    /// An `xsi:` attribute that is not allowed here (xsi:nil, a foreign xsi:type).
    SchemaXsi = "schema-xsi",
    /// The same ID value twice in one document.
    SchemaDuplicateId = "schema-duplicate-id",
    /// Building: the input is not JSON (the CLI's `build`).
    BuildJson = "build-json",
    /// Building: the object is not `{ "RootName": { ... } }` with a record root's name.
    BuildRoot = "build-root",
    /// Building: a field that is not a child element of its parent.
    BuildField = "build-field",
    /// Building: a JSON value of the wrong kind (an object for a value, a single value for a repeated element, ...).
    BuildType = "build-type",
    /// Rule: DeliveryDataType does not fit the record's root element.
    RuleDeliveryDataType = "rule-delivery-data-type",
    /// Rule: ProductionEnvironment does not match the environment the caller named.
    RuleEnvironment = "rule-environment",
    /// Rule: a reference (DeliveryId, ReportId) with characters other than 0-9, a-z, A-Z, _ and -.
    RuleReferenceCharacters = "rule-reference-characters",
    /// Rule: a date with a time zone, or a date-time or time without one.
    RuleTimeZone = "rule-time-zone",
    /// Rule: PaymentDate before 2019-01-01 or more than 45 days after today.
    RulePaymentDate = "rule-payment-date",
    /// Rule: StartDate before 1800-01-01.
    RuleStartDate = "rule-start-date",
    /// Rule: EndDate before StartDate.
    RuleEndBeforeStart = "rule-end-before-start",
    /// Rule: ReportDate after today or before 2019-01-01.
    RuleReportDate = "rule-report-date",
    /// Rule: a business ID (identifier type 1) that is not well formed.
    RuleBusinessId = "rule-business-id",
    /// Rule: a Finnish personal identity code (identifier type 2) that is not well formed.
    RulePersonalId = "rule-personal-id",
    /// Rule: CountryCode missing for a foreign or other identifier.
    RuleCountryCode = "rule-country-code",
    /// Rule: CountryName missing when CountryCode is 99.
    RuleCountryName = "rule-country-name",
    /// Rule: IRReportId given for a new report.
    RuleIrReportIdOnNew = "rule-ir-report-id-on-new",
    /// Rule: ReportId missing where it is required.
    RuleReportIdRequired = "rule-report-id-required",
    /// Rule: ReportVersion given for a new report, or not positive.
    RuleReportVersion = "rule-report-version",
    /// Rule: the same report twice in one record.
    RuleReportOnce = "rule-report-once",
    /// Rule: more than one report in a real-time record.
    RuleOneReport = "rule-one-report",
    /// Rule: income types 102-106 without 101.
    RuleIncomeType101 = "rule-income-type-101",
    /// Rule: income types 102, 104, 105 or 106 together with 103.
    RuleIncomeType103 = "rule-income-type-103",
    /// Rule: an amount of 102-106 above the amount of 101.
    RuleAmountOver101 = "rule-amount-over-101",
    /// Rule: an income type the code list does not have.
    RuleIncomeTypeUnknown = "rule-income-type-unknown",
    /// Rule: income types of reporting methods 1 and 2 in one report.
    RuleReportingMethods = "rule-reporting-methods",
    /// Rule: a negative amount for an income type that does not allow one.
    RuleNegativeAmount = "rule-negative-amount",
    /// Rule: unjust enrichment or recovery for an income type that blocks it.
    RuleUnjustEnrichment = "rule-unjust-enrichment",
    /// Rule: InsuranceData for an income type that does not allow it.
    RuleInsuranceData = "rule-insurance-data",
    /// Rule: income type 101 more than once, other than as recovery.
    RuleIncomeType101Once = "rule-income-type-101-once",
    /// Rule: withholding (402) together with a royalty to a non-resident (362).
    RuleWithholdingWithRoyalty = "rule-withholding-with-royalty",
    /// Rule: 412 or 362 without the non-resident flag.
    RuleNonResident = "rule-non-resident",
    /// Rule: a deduction (401, 407, 419) without its base income types, or above them.
    RuleDeductionBase = "rule-deduction-base",
    /// Rule: PaymentMonth too far ahead, or before 2019.
    RulePaymentMonth = "rule-payment-month",
    /// Rule: summary income type 101 together with 102 or 103.
    RuleSummaryCode101 = "rule-summary-code-101",
    /// Rule: a summary income type other than 101 without an amount.
    RuleSummaryAmount = "rule-summary-amount",
    /// Rule: a payer's or earner's address with both or neither of Street and POBox.
    RuleStreetOrPoBox = "rule-street-or-po-box",
    /// Rule: more items in an invalidation record than its type and channel allow.
    RuleItemCount = "rule-item-count",
    /// Rule: IncomeEarnerIds missing without MissingId, or given with it.
    RuleEarnerIds = "rule-earner-ids",
    /// Rule: several Finnish personal identity codes of one earner with different birth dates.
    RuleEarnerBirthDates = "rule-earner-birth-dates",
    /// Rule: an identifier of type "other" (99) that is a Finnish business ID or personal identity code.
    RuleOtherId = "rule-other-id",
    /// Rule: IncomeEarnerBasic missing for an earner without a Finnish identifier.
    RuleEarnerBasic = "rule-earner-basic",
    /// Rule: neither CompanyName nor LastName and FirstName for an earner without a Finnish identifier.
    RuleEarnerName = "rule-earner-name",
    /// Rule: BirthDate or Gender missing for a person without a Finnish personal identity code.
    RuleEarnerBirthDateGender = "rule-earner-birth-date-gender",
    /// Rule: BirthDate after today or before 1800-01-01.
    RuleBirthDate = "rule-birth-date",
    /// Rule: Addresses, a home-country address or an address's CountryCode missing where required.
    RuleEarnerAddress = "rule-earner-address",
    /// Rule: a pension policy number that does not begin with its pension provider's code.
    RulePensionPolicyProvider = "rule-pension-policy-provider",
    /// Rule: an employer's separate report of a payer type other than household (2) or household employer ring (10).
    RulePayerType = "rule-payer-type",
    /// Rule: PartTime below 0 or above 100.
    RulePartTime = "rule-part-time",
    /// Rule: HoursPerWeek below 0 or above 168.
    RuleHoursPerWeek = "rule-hours-per-week",
    /// Rule: an employment period starting more than 45 days after today.
    RuleEmploymentStart = "rule-employment-start",
    /// Rule: employment data a Keva, Bank of Finland or Traficom pension provider needs is missing.
    RulePensionProviderData = "rule-pension-provider-data",
    /// Rule: two EmploymentEnding, Profession, EmploymentReg or Payment groups of the same type.
    RuleOneOfEachType = "rule-one-of-each-type",
    /// Rule: no Statistics Finland profession although income subject to accident insurance is paid.
    RuleProfessionRequired = "rule-profession-required",
    /// Rule: no PensionInsurance although income subject to pension insurance is paid.
    RulePensionInsuranceRequired = "rule-pension-insurance-required",
    /// Rule: employee's pension insurance without the provider's code and policy number.
    RulePensionActEmployee = "rule-pension-act-employee",
    /// Rule: MYEL or YEL insurance with a provider's code or policy number.
    RulePensionActEntrepreneur = "rule-pension-act-entrepreneur",
    /// Rule: voluntary pension insurance (exception 11) with exception 1, 3, 6 or 7.
    RuleVoluntaryPensionExceptions = "rule-voluntary-pension-exceptions",
    /// Rule: insurance exceptions an entrepreneur's report needs are missing.
    RuleEntrepreneurExceptions = "rule-entrepreneur-exceptions",
    /// Rule: a non-resident without NonResidentCountryCode.
    RuleNonResidentCountry = "rule-non-resident-country",
    /// Rule: TaxTreatyCountryCode without IncomeEarnerType 10, or IncomeEarnerType 10 without it.
    RuleTaxTreatyCountry = "rule-tax-treaty-country",
    /// Rule: a net salary agreement (IncomeEarnerType 11) from a payer that is not a foreign employer.
    RuleNetSalaryPayer = "rule-net-salary-payer",
    /// Rule: a payment to a pension provider (PaymentType 2) without PaymentRef.
    RulePaymentRef = "rule-payment-ref",
    /// Rule: a place of business with neither a code nor a full address.
    RulePlaceOfBusiness = "rule-place-of-business",
    /// Rule: a value that is not in its code list.
    RuleCodeList = "rule-code-list",
    /// Rule: a value not in the 2022 version of a code list that changes over time (warning).
    RuleCodeListDated = "rule-code-list-dated",
    /// Rule: RecoveryDate before 2019-01-01 or after PaymentDate.
    RuleRecoveryDate = "rule-recovery-date",
    /// Rule: An original payment period's date before 1800-01-01 or after RecoveryDate.
    RuleOriginalPeriod = "rule-original-period",
    /// Rule: A number outside its allowed range (UnitPrice, Kilometers, CrossTradeTime, ...).
    RuleValueRange = "rule-value-range",
    /// Rule: EmissionsValue with a payment date outside 2022-2025.
    RuleEmissionsValueYear = "rule-emissions-value-year",
    /// Rule: The six-month rule applies, but SixMonthRule has no CountryCode.
    RuleSixMonthRuleCountry = "rule-six-month-rule-country",
    /// Rule: A transaction's group (CarBenefit, RecoveryData, ...) with an income type it does not belong to.
    RuleTransactionGroupNotAllowed = "rule-transaction-group-not-allowed",
    /// Rule: An income type without the group it requires (CarBenefit for 304, RecoveryData for a recovery, ...).
    RuleTransactionGroupRequired = "rule-transaction-group-required",
    /// Rule: A transaction without Amount (only a meal benefit at taxable value may go without).
    RuleAmountRequired = "rule-amount-required",
    /// Rule: An InsuranceCode twice in one InsuranceData, or code 1 with 2, 3, 5 or 6.
    RuleInsuranceCodes = "rule-insurance-codes",
    /// Rule: Income type 407 whose only base is a meal benefit paid for at its taxable value.
    RuleMealBenefitDeduction = "rule-meal-benefit-deduction",
    /// Rule: Withholding (402) for a key person (IncomeEarnerType 4).
    RuleWithholdingKeyPerson = "rule-withholding-key-person",
    /// Rule: A BenefitCode or AllowanceCode together with the income type it stands for.
    RuleBenefitAsIncomeType = "rule-benefit-as-income-type",
    /// Rule: Two recoveries of 101 with the same original payment periods.
    RuleRecoveryPeriodsDiffer = "rule-recovery-periods-differ",
    /// Rule: Income type 101 with 102-106 in its group, without the InsuranceData that says what is not insured.
    RuleTotalsInsuranceData = "rule-totals-insurance-data",
    /// Rule: Only one of AbsenceRepStartDate and AbsenceRepEndDate.
    RuleAbsenceReportPeriod = "rule-absence-report-period",
    /// Rule: AbsenceUntil before the absence's StartDate.
    RuleAbsenceUntil = "rule-absence-until",
    /// Rule: A paid absence overlapping another paid or an unpaid absence of the report.
    RuleAbsenceOverlap = "rule-absence-overlap",
    /// Rule: A Kela reimbursement payment with both PaymentRef and PaymentSpecifier.
    RuleReimbursementReference = "rule-reimbursement-reference",
    /// Rule: A Kela reimbursement application for an absence cause it does not cover.
    RuleReimbursementCause = "rule-reimbursement-cause",
    /// Rule: PaidAbsencePeriodInfo without a reimbursement application.
    RuleReimbursementInfo = "rule-reimbursement-info",
    /// Rule: A paid absence with a Kela reimbursement application but no EndDate.
    RuleReimbursementEndDate = "rule-reimbursement-end-date",
    /// Rule: What a Kela reimbursement application needs elsewhere in the record is missing.
    RuleReimbursementData = "rule-reimbursement-data",
    /// Rule: A form of InternationalData/WorkForm (NT1, NT2, stay periods, leased worker) without the data it requires.
    RuleFormData = "rule-form-data",
    /// Rule: WagePerMonth or Remunerations without form NT2.
    RuleFormOnly = "rule-form-only",
    /// Rule: A leased worker living abroad, taxed at source, without WorkDays in Finland.
    RuleWorkDaysRequired = "rule-work-days-required",
    /// Rule: A representative or service recipient with neither a Finnish identifier nor an address.
    RulePartyAddress = "rule-party-address",
    /// Rule: PayerIds missing without MissingId, or given with it.
    RulePayerIds = "rule-payer-ids",
    /// Rule: The payer's basic data, address or Keva sub-organisation missing where required.
    RulePayerData = "rule-payer-data",
    /// Rule: DeliveryDataOwner is not the payer (warning).
    RuleDeliveryOwner = "rule-delivery-owner",
    /// Rule: DeliveryDataSender differs from DeliveryDataCreator (warning).
    RuleDeliverySender = "rule-delivery-sender",
}

impl Code {
    /// Whether the code says the document is not (namespace-)well-formed
    /// XML, as opposed to a limit of the validator, the schema or a rule.
    pub fn is_well_formedness(self) -> bool {
        matches!(
            self,
            Code::XmlSyntax
                | Code::XmlDoctype
                | Code::XmlEncoding
                | Code::XmlChar
                | Code::XmlEntity
                | Code::XmlNamespace
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a document (or, for [`build`](crate::build), in
/// the object it was given).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// 1-based line of the start of the element, tag or character concerned.
    pub line: u64,
    /// 1-based column, counted in characters.
    pub column: u64,
    /// Element path with positions, e.g. `/WageReportsRequestToIR/DeliveryData/Reports/Report[3]`.
    pub path: String,
    /// What kind of problem it is.
    pub code: Code,
    /// Whether the record is refused for it.
    pub severity: Severity,
    /// English for schema and XML problems, the chosen [`Lang`](crate::rules::Lang)
    /// for the Register's rules; says what was expected and what was found.
    pub message: String,
}

impl Diagnostic {
    /// A problem with no position (line and column 0, no path), for callers
    /// that report their own problems beside the validator's.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: 0,
            column: 0,
            path: String::new(),
            code,
            severity,
            message: message.into(),
        }
    }

    /// The diagnostic as a JSON object (the CLI's and the npm package's shape).
    pub fn to_json(&self, file: Option<&str>) -> serde_json::Value {
        let mut v = serde_json::json!({
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code.as_str(),
            "severity": self.severity.as_str(),
            "message": self.message,
        });
        if let Some(f) = file {
            v["file"] = f.into();
        }
        v
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", self.line, self.column, self.code, self.message)?;
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        Ok(())
    }
}
