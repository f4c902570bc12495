//! Every rule of the Register's processing that the crate checks: its code,
//! severity, the element it points to, the records it applies to, its
//! source in the official documents, and its message in Finnish, Swedish and
//! English. `{0}`, `{1}` in a message are filled in with the values found.
//! `docs/rules.md` is written from this table (`cargo xtask generate`).

use crate::diagnostic::{Code, Severity};

/// The official documents the rules come from.
pub const DOCUMENTS: &[(&str, &str)] = &[
    ("PTI", "Tietojen toimittaminen – Skeemat – Palkkatietoilmoitukset 2022 (tietojen-toimittaminen-skeemat-palkkatietoilmoitukset-2022)"),
    ("TEI", "Tietojen toimittaminen – Skeemat – Työnantajan erillisilmoitukset 2022 (tietojen-toimittaminen-skeemat-tyonantajan-erillisilmoitukset-2022)"),
    ("TR", "Tekninen rajapinta – Tietojen toimittaminen tulorekisteriin 2021 (tekninen-rajapinta-tietojen-toimittaminen-tulorekisteriin-2021)"),
];

pub struct RuleInfo {
    pub code: Code,
    pub severity: Severity,
    /// The element the problem is reported at.
    pub element: &'static str,
    /// The records it is checked in.
    pub applies_to: &'static str,
    /// Document and section, e.g. `PTI §2.2`.
    pub source: &'static str,
    pub fi: &'static str,
    pub sv: &'static str,
    pub en: &'static str,
}

const ALL_TO_IR: &str = "earnings payment, employer's separate and benefits payment reports";

pub static RULES: &[RuleInfo] = &[
    RuleInfo {
        code: Code::RuleDeliveryDataType,
        severity: Severity::Error,
        element: "DeliveryData/DeliveryDataType",
        applies_to: "earnings payment (100), employer's separate (101) and benefits payment (102) reports, invalidations (105-112)",
        source: "PTI §2.1, TEI §2.1, TR §9",
        fi: "Aineiston tyyppi {0} ei sovi tälle aineistolle ({1}).",
        sv: "Materialtypen {0} passar inte för detta material ({1}).",
        en: "DeliveryDataType {0} does not fit this record (expected {1}).",
    },
    RuleInfo {
        code: Code::RuleEnvironment,
        severity: Severity::Error,
        element: "DeliveryData/ProductionEnvironment",
        applies_to: "every record that has ProductionEnvironment, when the caller names the environment",
        source: "PTI §2.1, TEI §2.1",
        fi: "Tuotantoympäristö on {0}, mutta aineisto on menossa {1}ympäristöön.",
        sv: "Produktionsmiljö är {0}, men materialet skickas till {1}miljön.",
        en: "ProductionEnvironment is {0}, but the record is for the {1} environment.",
    },
    RuleInfo {
        code: Code::RuleReferenceCharacters,
        severity: Severity::Error,
        element: "DeliveryId, ReportId",
        applies_to: ALL_TO_IR,
        source: "PTI §1.2, TEI §1.2",
        fi: "Viitetiedossa saa olla vain merkkejä 0-9, a-z, A-Z, _ ja -; löytyi {0}.",
        sv: "Referensuppgiften får bara innehålla tecknen 0-9, a-z, A-Z, _ och -; hittades {0}.",
        en: "A reference may hold only 0-9, a-z, A-Z, _ and -; found {0}.",
    },
    RuleInfo {
        code: Code::RuleTimeZone,
        severity: Severity::Error,
        element: "every xs:date, xs:dateTime and xs:time value",
        applies_to: ALL_TO_IR,
        source: "PTI §1.3, TEI §1.3",
        fi: "{0}: päivämäärässä ei saa olla aikavyöhykettä, kellonajassa sen on oltava.",
        sv: "{0}: ett datum får inte ha tidszon, en tidpunkt måste ha en.",
        en: "{0}: a date must not carry a time zone, and a time must carry one.",
    },
    RuleInfo {
        code: Code::RulePaymentDate,
        severity: Severity::Error,
        element: "PaymentPeriod/PaymentDate",
        applies_to: "earnings payment reports",
        source: "PTI §2.2",
        fi: "Maksupäivä {0} ei saa olla ennen 1.1.2019 eikä yli 45 päivää kuluvasta päivästä ({1}) eteenpäin.",
        sv: "Betalningsdagen {0} får inte vara före 1.1.2019 eller mer än 45 dagar efter dagens datum ({1}).",
        en: "PaymentDate {0} must not be before 2019-01-01 nor more than 45 days after today ({1}).",
    },
    RuleInfo {
        code: Code::RuleStartDate,
        severity: Severity::Error,
        element: "PaymentPeriod/StartDate",
        applies_to: "earnings payment reports",
        source: "PTI §2.2",
        fi: "Alkupäivä {0} ei saa olla ennen 1.1.1800.",
        sv: "Startdagen {0} får inte vara före 1.1.1800.",
        en: "StartDate {0} must not be before 1800-01-01.",
    },
    RuleInfo {
        code: Code::RuleEndBeforeStart,
        severity: Severity::Error,
        element: "PaymentPeriod/EndDate",
        applies_to: "earnings payment reports",
        source: "PTI §2.2",
        fi: "Loppupäivä {0} on ennen alkupäivää {1}.",
        sv: "Slutdagen {0} är före startdagen {1}.",
        en: "EndDate {0} is before StartDate {1}.",
    },
    RuleInfo {
        code: Code::RuleReportDate,
        severity: Severity::Error,
        element: "DeliveryData/ReportDate",
        applies_to: "employer's separate reports",
        source: "TEI §2.1",
        fi: "Ilmoituspäivä {0} ei saa olla kuluvan päivän ({1}) jälkeen eikä ennen 1.1.2019.",
        sv: "Anmälningsdagen {0} får inte vara efter dagens datum ({1}) eller före 1.1.2019.",
        en: "ReportDate {0} must not be after today ({1}) nor before 2019-01-01.",
    },
    RuleInfo {
        code: Code::RuleBusinessId,
        severity: Severity::Error,
        element: "Id/Code with Type 1",
        applies_to: ALL_TO_IR,
        source: "PTI §2.1, §2.5, §2.14; TEI §2.1, §2.4",
        fi: "Y-tunnus {0} ei ole muodoltaan oikein (tarkistusmerkki tai muoto NNNNNNN-T).",
        sv: "FO-numret {0} har fel form (kontrolltecken eller formen NNNNNNN-T).",
        en: "Business ID {0} is not well formed (NNNNNNN-C with a valid check digit).",
    },
    RuleInfo {
        code: Code::RulePersonalId,
        severity: Severity::Error,
        element: "Id/Code with Type 2",
        applies_to: ALL_TO_IR,
        source: "PTI §2.1, §2.5, §2.14; TEI §2.1, §2.4",
        fi: "Henkilötunnus ei ole oikein muodostettu ({0}).",
        sv: "Personbeteckningen är inte korrekt bildad ({0}).",
        en: "The personal identity code is not well formed ({0}).",
    },
    RuleInfo {
        code: Code::RuleCountryCode,
        severity: Severity::Error,
        element: "Id/CountryCode",
        applies_to: ALL_TO_IR,
        source: "PTI §2.1, §2.5, §2.14; TEI §2.1, §2.4",
        fi: "Maakoodi on pakollinen, kun tunnisteen tyyppi on {0} (muu kuin Y-tunnus tai suomalainen henkilötunnus).",
        sv: "Landskoden är obligatorisk när identifikationens typ är {0} (annan än FO-nummer eller finsk personbeteckning).",
        en: "CountryCode is required when the identifier Type is {0} (not a business ID or Finnish personal identity code).",
    },
    RuleInfo {
        code: Code::RuleCountryName,
        severity: Severity::Error,
        element: "Id/CountryName",
        applies_to: ALL_TO_IR,
        source: "PTI §2.1, §2.5, §2.14; TEI §2.1, §2.4",
        fi: "Maan nimi on pakollinen, kun maakoodi on 99.",
        sv: "Landets namn är obligatoriskt när landskoden är 99.",
        en: "CountryName is required when CountryCode is 99.",
    },
    RuleInfo {
        code: Code::RuleIrReportIdOnNew,
        severity: Severity::Error,
        element: "ReportData/IRReportId",
        applies_to: ALL_TO_IR,
        source: "PTI §2.12",
        fi: "Tulorekisterin ilmoitusviitettä ei saa antaa uudelle ilmoitukselle (ActionCode 1).",
        sv: "Inkomstregistrets anmälningsreferens får inte anges för en ny anmälan (ActionCode 1).",
        en: "IRReportId must not be given for a new report (ActionCode 1).",
    },
    RuleInfo {
        code: Code::RuleReportIdRequired,
        severity: Severity::Error,
        element: "ReportData/ReportId",
        applies_to: ALL_TO_IR,
        source: "PTI §2.12",
        fi: "Maksajan ilmoitusviite on pakollinen uudelle ilmoitukselle, ja korvaavalle, jos tulorekisterin ilmoitusviitettä ei ole annettu.",
        sv: "Betalarens anmälningsreferens är obligatorisk för en ny anmälan, och för en ersättande om inkomstregistrets anmälningsreferens saknas.",
        en: "ReportId is required for a new report, and for a replacement that has no IRReportId.",
    },
    RuleInfo {
        code: Code::RuleReportVersion,
        severity: Severity::Error,
        element: "ReportData/ReportVersion",
        applies_to: ALL_TO_IR,
        source: "PTI §2.12",
        fi: "Versionumero {0} on annettu uudelle ilmoitukselle tai se ei ole positiivinen.",
        sv: "Versionsnumret {0} har angetts för en ny anmälan eller är inte positivt.",
        en: "ReportVersion {0} is given for a new report or is not positive.",
    },
    RuleInfo {
        code: Code::RuleReportOnce,
        severity: Severity::Error,
        element: "ReportData/ReportId",
        applies_to: ALL_TO_IR,
        source: "PTI §2.12",
        fi: "Ilmoitus {0} esiintyy aineistossa useammin kuin kerran (uutena ja korvaavana tai useasti).",
        sv: "Anmälan {0} förekommer mer än en gång i materialet (som ny och ersättande eller flera gånger).",
        en: "Report {0} occurs more than once in the record (as new and replacement, or several times).",
    },
    RuleInfo {
        code: Code::RuleOneReport,
        severity: Severity::Error,
        element: "Reports",
        applies_to: "real-time records (WageReportRequestToIR, PayerSummaryReportRequestToIR, BenefitReportRequestToIR)",
        source: "TR §5.1, §6.1, §7.1",
        fi: "Reaaliaikaisessa aineistossa saa olla vain yksi ilmoitus; löytyi {0}.",
        sv: "Ett material i realtid får innehålla bara en anmälan; hittades {0}.",
        en: "A real-time record may hold one report only; found {0}.",
    },
    RuleInfo {
        code: Code::RuleIncomeType101,
        severity: Severity::Error,
        element: "Transactions",
        applies_to: "earnings payment reports",
        source: "PTI §2.27",
        fi: "Tulolaji {0} edellyttää, että ilmoituksella on myös tulolaji 101 (Palkka yhteensä).",
        sv: "Inkomstslaget {0} kräver att anmälan också har inkomstslaget 101 (Lön sammanlagt).",
        en: "Income type {0} requires income type 101 (total wages) in the same report.",
    },
    RuleInfo {
        code: Code::RuleIncomeType103,
        severity: Severity::Error,
        element: "Transactions",
        applies_to: "earnings payment reports",
        source: "PTI §2.27",
        fi: "Tulolajin 103 kanssa ei saa antaa tulolajia {0}.",
        sv: "Inkomstslaget {0} får inte anges tillsammans med inkomstslaget 103.",
        en: "Income type {0} must not be given with income type 103.",
    },
    RuleInfo {
        code: Code::RuleAmountOver101,
        severity: Severity::Error,
        element: "Transactions",
        applies_to: "earnings payment reports",
        source: "PTI §2.28",
        fi: "Tulolajin {0} määrä {1} on suurempi kuin tulolajin 101 määrä {2}.",
        sv: "Beloppet {1} för inkomstslaget {0} är större än beloppet {2} för inkomstslaget 101.",
        en: "The amount {1} of income type {0} exceeds the amount {2} of income type 101.",
    },
];

/// The rule of a code.
pub fn rule(code: Code) -> &'static RuleInfo {
    RULES
        .iter()
        .find(|r| r.code == code)
        .expect("every rule code is in the catalogue")
}
