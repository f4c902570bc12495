//! The 13 official sample records validate, and every problem in a broken
//! one is found with its exact position and path.

use tulorekisteri::{validate_bytes, Code, Options};

#[path = "support/workspace.rs"]
mod workspace;

/// The samples, or `None` when they are absent.
fn samples() -> Option<Vec<std::path::PathBuf>> {
    Some(workspace::samples()).filter(|s| !s.is_empty())
}

#[test]
fn all_official_samples_validate() {
    let Some(files) = samples() else {
        workspace::skip("../shared/reference/ir/samples is absent");
        return;
    };
    assert_eq!(files.len(), 13);
    for f in files {
        let problems = validate_bytes(&std::fs::read(&f).unwrap(), &Options::default().schema_only());
        assert!(problems.is_empty(), "{}: {problems:?}", f.display());
    }
}

#[test]
fn every_error_is_reported_with_position_and_path() {
    let Some(files) = samples() else { return };
    let text = std::fs::read_to_string(&files[0]).unwrap();
    // Three independent problems in one record.
    let broken = text
        .replacen(
            "<FaultyControl>1</FaultyControl>",
            "<FaultyControl>x</FaultyControl>",
            1,
        )
        .replacen("<PaymentDate>", "<Bogus/><PaymentDate>", 1)
        // 1 is an xs:boolean, but irct:trueOrFalse allows only the words.
        .replacen("<ProductionEnvironment>true", "<ProductionEnvironment>1", 1);
    let problems = validate_bytes(broken.as_bytes(), &Options::default().schema_only());
    let codes: Vec<Code> = problems.iter().map(|p| p.code).collect();
    assert_eq!(
        codes,
        [Code::SchemaType, Code::SchemaPattern, Code::SchemaUnexpectedElement],
        "{problems:#?}"
    );
    let line_of = |needle: &str| broken[..broken.find(needle).unwrap()].matches('\n').count() as u64 + 1;
    assert_eq!(problems[0].line, line_of("<FaultyControl>x"));
    assert_eq!(problems[0].path, "/WageReportRequestToIR/DeliveryData/FaultyControl");
    assert_eq!(
        problems[2].path,
        "/WageReportRequestToIR/DeliveryData/PaymentPeriod/Bogus"
    );
    let bogus_line_start = broken[..broken.find("<Bogus/>").unwrap()].rfind('\n').unwrap() + 1;
    let column = broken[bogus_line_start..broken.find("<Bogus/>").unwrap()]
        .chars()
        .count() as u64
        + 1;
    assert_eq!((problems[2].line, problems[2].column), (line_of("<Bogus/>"), column));
}

/// With the Register's rules, "today" being each sample's payment date, the
/// samples break only what they truly break: their placeholder identifiers
/// have wrong check characters, one gives a delivery owner the identifier
/// type 71 (its comment says 7, foreign business ID; the code list has no
/// 71), their pension provider 66 is not in the 2022 code list (a
/// warning: that list changes), and the absence sample applies for Kela's
/// reimbursement without a contact person with an e-mail address and
/// responsibility for content (PTI §2.3). Most also name parties of the
/// delivery that do not fit their payer (warnings: PTI §2.1).
#[test]
fn samples_break_only_what_they_truly_break() {
    use tulorekisteri::rules::{Date, RuleOptions};
    let Some(files) = samples() else { return };
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let payment_date = text
            .split_once("<PaymentDate>")
            .and_then(|(_, rest)| Date::parse(&rest[..10]))
            .unwrap_or(Date::new(2020, 12, 31).unwrap());
        let options = Options::default().rules(RuleOptions::default().today(payment_date));
        for p in validate_bytes(text.as_bytes(), &options) {
            let expected = match p.code {
                Code::RuleBusinessId | Code::RulePersonalId => true,
                Code::RuleCodeList => {
                    f.ends_with("esimerkki_ulkomainen_tyonantaja.xml") && p.message.starts_with("Id/Type 71 ")
                }
                Code::RuleCodeListDated => p.message.contains("PensionProvIdCode 66 "),
                Code::RuleDeliveryOwner | Code::RuleDeliverySender => p.severity == tulorekisteri::Severity::Warning,
                Code::RuleReimbursementData => {
                    f.ends_with("esimerkki_poissaolotiedot.xml")
                        && p.message
                            .ends_with("needs: ContactPerson with Email and ResponsibilityCode 1.")
                }
                _ => false,
            };
            assert!(expected, "{}: {p:?}", f.display());
        }
    }
}
