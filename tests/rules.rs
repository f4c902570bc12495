//! Every rule: a record that breaks only that rule, and one that satisfies
//! it. Records are built from objects (valid against the schema by
//! construction), then validated with the rules on.

use serde_json::{json, Value};
use tulorekisteri::rules::{catalogue::RULES, Date, Environment, Lang, RuleOptions};
use tulorekisteri::{build, validate_str, Code, Diagnostic, Options};

const TODAY: &str = "2024-01-31";

fn id(kind: i64, code: &str) -> Value {
    json!({ "Type": kind, "Code": code })
}

/// A valid real-time earnings payment record that breaks no rule.
fn wage() -> Value {
    json!({ "WageReportRequestToIR": { "DeliveryData": {
        "Timestamp": "2024-01-31T12:00:00+02:00",
        "Source": "payroll",
        "DeliveryDataType": 100,
        "DeliveryId": "D-2024_01",
        "FaultyControl": 1,
        "ProductionEnvironment": false,
        "DeliveryDataOwner": id(1, "7011367-6"),
        "DeliveryDataCreator": id(1, "7011367-6"),
        "DeliveryDataSender": id(1, "7011367-6"),
        "PaymentPeriod": { "PaymentDate": "2024-01-31", "StartDate": "2024-01-01", "EndDate": "2024-01-31" },
        "ContactPersons": { "ContactPerson": [{ "Name": "Maija", "Telephone": "0401234567", "ResponsibilityCode": 1 }] },
        "Payer": { "PayerIds": { "Id": [id(1, "7011367-6")] } },
        "Reports": { "Report": [report("R-1")] }
    }}})
}

fn report(report_id: &str) -> Value {
    json!({
        "ReportData": { "ActionCode": 1, "ReportId": report_id },
        "IncomeEarner": {
            "IncomeEarnerIds": { "Id": [id(2, "131052-308T")] },
            "Professions": { "Profession": [{ "Type": 1, "Code": "32591" }] },
            "PensionInsurance": pension_insurance(55, "55-1234567")
        },
        "Transactions": { "Transaction": [transaction(201, "3500.00")] }
    })
}

/// Time rate pay (201) is subject to pension and accident insurance, so the
/// earner of the base record has both a profession and pension insurance.
fn pension_insurance(provider: i64, policy: &str) -> Value {
    json!({ "PensionActCode": 1, "PensionProvIdCode": provider, "PensionPolicyNo": policy })
}

fn transaction(code: i64, amount: &str) -> Value {
    json!({ "TransactionBasic": { "TransactionCode": code, "Amount": amount } })
}

/// Total wages (101) beside 102-106: InsuranceData says which insurance
/// the difference is not subject to (PTI §2.29 A-E).
fn total_101(amount: &str, not_insured: i64) -> Value {
    let mut t = transaction(101, amount);
    t["InsuranceData"] = json!({ "TransactionInclusion": [{ "InsuranceCode": not_insured, "Included": false }] });
    t
}

/// `t` as a recovery of the pay of December 2023.
fn recovered(mut t: Value) -> Value {
    t["TransactionBasic"]["Recovery"] = json!(true);
    t["RecoveryData"] = json!({
        "RecoveryDate": "2024-01-15",
        "OrigPaymentPeriods": { "OrigPaymentPeriod": [{ "StartDate": "2023-12-01", "EndDate": "2023-12-31" }] }
    });
    t
}

/// A car benefit (304) with its required CarBenefit group.
fn car_benefit(amount: &str) -> Value {
    let mut t = transaction(304, amount);
    t["CarBenefit"] = json!({ "CarBenefitCode": 1, "AgeGroupCode": 1 });
    t
}

/// A valid real-time employer's separate report.
fn payer_summary() -> Value {
    json!({ "PayerSummaryReportRequestToIR": { "DeliveryData": {
        "Timestamp": "2024-01-31T12:00:00Z",
        "Source": "payroll",
        "DeliveryDataType": 101,
        "DeliveryId": "S-1",
        "FaultyControl": 1,
        "ProductionEnvironment": false,
        "DeliveryDataOwner": id(1, "7011367-6"),
        "DeliveryDataCreator": id(1, "7011367-6"),
        "DeliveryDataSender": id(1, "7011367-6"),
        "ContactPersons": { "ContactPerson": [{ "Name": "Maija", "Telephone": "0401234567", "ResponsibilityCode": 1 }] },
        "ReportDate": "2024-01-31",
        "Payer": { "PayerIds": { "Id": [id(1, "7011367-6")] } },
        "Reports": { "Report": [{
            "ReportData": { "ActionCode": 1, "ReportId": "S-R-1" },
            "PaymentMonth": { "Month": 1, "Year": 2024 },
            "Transactions": { "Transaction": [{ "TransactionBasic": { "SummaryTransactionCode": 101 } }] }
        }]}
    }}})
}

fn options(environment: Option<Environment>) -> Options {
    let rules = RuleOptions::default().lang(Lang::En).today(Date::parse(TODAY).unwrap());
    Options::default().rules(match environment {
        Some(e) => rules.environment(e),
        None => rules,
    })
}

fn check_with(record: &Value, options: &Options) -> Vec<Diagnostic> {
    let xml = build(record).unwrap_or_else(|p| panic!("not schema-valid: {p:?}"));
    validate_str(&xml, options)
}

fn codes(record: &Value) -> Vec<Code> {
    check_with(record, &options(None)).iter().map(|d| d.code).collect()
}

/// `change` applied to the valid record breaks exactly `code`.
fn breaks(base: fn() -> Value, code: Code, change: impl Fn(&mut Value)) {
    let mut record = base();
    change(&mut record);
    assert_eq!(codes(&record), [code], "{code}");
}

fn satisfies(base: fn() -> Value, change: impl Fn(&mut Value)) {
    let mut record = base();
    change(&mut record);
    assert_eq!(check_with(&record, &options(None)), vec![]);
}

fn dd(record: &mut Value) -> &mut Value {
    let root = record.as_object_mut().unwrap().values_mut().next().unwrap();
    &mut root["DeliveryData"]
}

fn first_report(record: &mut Value) -> &mut Value {
    &mut dd(record)["Reports"]["Report"][0]
}

#[test]
fn the_base_records_break_no_rule() {
    assert_eq!(codes(&wage()), []);
    assert_eq!(codes(&payer_summary()), []);
}

#[test]
fn delivery_data_type_fits_the_record() {
    breaks(wage, Code::RuleDeliveryDataType, |r| {
        dd(r)["DeliveryDataType"] = json!(101)
    });
    breaks(payer_summary, Code::RuleDeliveryDataType, |r| {
        dd(r)["DeliveryDataType"] = json!(100)
    });
}

#[test]
fn production_environment_matches_the_named_one() {
    let record = wage();
    let found = |env| {
        check_with(&record, &options(Some(env)))
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>()
    };
    assert_eq!(found(Environment::Production), [Code::RuleEnvironment]);
    assert_eq!(found(Environment::Test), []);
}

#[test]
fn references_use_the_restricted_characters() {
    breaks(wage, Code::RuleReferenceCharacters, |r| {
        dd(r)["DeliveryId"] = json!("aineisto.1")
    });
    breaks(wage, Code::RuleReferenceCharacters, |r| {
        first_report(r)["ReportData"]["ReportId"] = json!("ilmoitus ä")
    });
    satisfies(wage, |r| dd(r)["DeliveryId"] = json!("A-z_09"));
}

#[test]
fn dates_have_no_time_zone_and_times_have_one() {
    breaks(wage, Code::RuleTimeZone, |r| {
        dd(r)["Timestamp"] = json!("2024-01-31T12:00:00")
    });
    breaks(wage, Code::RuleTimeZone, |r| {
        dd(r)["PaymentPeriod"]["StartDate"] = json!("2024-01-01+02:00")
    });
    satisfies(wage, |r| dd(r)["Timestamp"] = json!("2024-01-31T10:00:00Z"));
}

#[test]
fn payment_date_is_from_2019_and_at_most_45_days_ahead() {
    let set = |d: &'static str| move |r: &mut Value| dd(r)["PaymentPeriod"]["PaymentDate"] = json!(d);
    breaks(wage, Code::RulePaymentDate, set("2018-12-31"));
    breaks(wage, Code::RulePaymentDate, set("2024-03-17"));
    satisfies(wage, set("2024-03-16"));
    satisfies(wage, set("2019-01-01"));
}

#[test]
fn the_payment_period_is_in_order() {
    breaks(wage, Code::RuleStartDate, |r| {
        dd(r)["PaymentPeriod"]["StartDate"] = json!("1799-12-31")
    });
    breaks(wage, Code::RuleEndBeforeStart, |r| {
        dd(r)["PaymentPeriod"]["EndDate"] = json!("2023-12-31")
    });
    satisfies(wage, |r| dd(r)["PaymentPeriod"]["EndDate"] = json!("2024-01-01"));
}

#[test]
fn report_date_is_not_in_the_future() {
    breaks(payer_summary, Code::RuleReportDate, |r| {
        dd(r)["ReportDate"] = json!("2024-02-01")
    });
    breaks(payer_summary, Code::RuleReportDate, |r| {
        dd(r)["ReportDate"] = json!("2018-12-31")
    });
    satisfies(payer_summary, |r| dd(r)["ReportDate"] = json!("2019-01-01"));
}

#[test]
fn identifiers_are_well_formed() {
    breaks(
        wage,
        Code::RuleBusinessId,
        set_earner(
            "AccidentInsurance",
            json!({ "AccInsProvId": id(1, "7011367-5"), "AccInsPolicyNo": "A-1" }),
        ),
    );
    breaks(wage, Code::RulePersonalId, |r| {
        first_report(r)["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"] = json!("131052-308U")
    });
    // The 2023 century signs.
    satisfies(wage, |r| {
        first_report(r)["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"] = json!("131052Y308T")
    });
    // The message never shows the personal identity code.
    let mut record = wage();
    first_report(&mut record)["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"] = json!("131052-308U");
    let d = &check_with(&record, &options(None))[0];
    assert!(!d.message.contains("131052"), "{}", d.message);
}

/// Adds an identifier after the earner's Finnish personal identity code.
fn add_earner_id(id: Value) -> impl Fn(&mut Value) {
    move |r| {
        let ids = &mut first_report(r)["IncomeEarner"]["IncomeEarnerIds"]["Id"];
        ids.as_array_mut().unwrap().push(id.clone());
    }
}

#[test]
fn foreign_identifiers_name_their_country() {
    breaks(
        wage,
        Code::RuleCountryCode,
        add_earner_id(json!({ "Type": 9, "Code": "19520313-1234" })),
    );
    breaks(
        wage,
        Code::RuleCountryName,
        add_earner_id(json!({ "Type": 9, "Code": "X1", "CountryCode": "99" })),
    );
    satisfies(
        wage,
        add_earner_id(json!({ "Type": 9, "Code": "X1", "CountryCode": "99", "CountryName": "Atlantis" })),
    );
}

fn address(kind: i64, country: Option<&str>) -> Value {
    let mut a = json!({ "AddressType": kind, "Street": "Tee 1", "PostalCode": "10111", "PostOffice": "Tallinn" });
    if let Some(c) = country {
        a["CountryCode"] = json!(c);
    }
    a
}

/// An earner known by a foreign identifier only, with the groups that then
/// become required.
fn foreign_earner() -> Value {
    let mut record = wage();
    let earner = earner(&mut record);
    earner["IncomeEarnerIds"] = json!({ "Id": [{ "Type": 9, "Code": "EE-38304012345", "CountryCode": "EE" }] });
    earner["IncomeEarnerBasic"] =
        json!({ "LastName": "Tamm", "FirstName": "Mari", "BirthDate": "1983-04-01", "Gender": 2 });
    earner["Addresses"] = json!({ "TypedAddress": [address(1, Some("EE"))] });
    record
}

fn earner(r: &mut Value) -> &mut Value {
    &mut first_report(r)["IncomeEarner"]
}

#[test]
fn an_earner_without_a_finnish_identifier_is_described_in_full() {
    assert_eq!(codes(&foreign_earner()), []);
    breaks(foreign_earner, Code::RuleEarnerBasic, |r| {
        earner(r).as_object_mut().unwrap().remove("IncomeEarnerBasic");
    });
    breaks(foreign_earner, Code::RuleEarnerName, |r| {
        earner(r)["IncomeEarnerBasic"] = json!({ "LastName": "Tamm", "BirthDate": "1983-04-01", "Gender": 2 })
    });
    satisfies(foreign_earner, |r| {
        earner(r)["IncomeEarnerBasic"] = json!({ "CompanyName": "Tamm OÜ" })
    });
    breaks(foreign_earner, Code::RuleEarnerBirthDateGender, |r| {
        earner(r)["IncomeEarnerBasic"] = json!({ "LastName": "Tamm", "FirstName": "Mari", "Gender": 2 })
    });
    let mut record = foreign_earner();
    earner(&mut record)["IncomeEarnerBasic"] = json!({ "LastName": "Tamm", "FirstName": "Mari" });
    let found = check_with(&record, &options(None));
    assert!(
        found[0].message.ends_with("missing BirthDate, Gender."),
        "{}",
        found[0].message
    );
    breaks(foreign_earner, Code::RuleBirthDate, |r| {
        earner(r)["IncomeEarnerBasic"]["BirthDate"] = json!("2024-02-01")
    });
    breaks(foreign_earner, Code::RuleBirthDate, |r| {
        earner(r)["IncomeEarnerBasic"]["BirthDate"] = json!("1799-12-31")
    });
    breaks(foreign_earner, Code::RuleEarnerAddress, |r| {
        earner(r).as_object_mut().unwrap().remove("Addresses");
    });
    breaks(foreign_earner, Code::RuleEarnerAddress, |r| {
        earner(r)["Addresses"] = json!({ "TypedAddress": [address(1, None)] })
    });
    breaks(foreign_earner, Code::RuleStreetOrPoBox, |r| {
        earner(r)["Addresses"]["TypedAddress"][0]["POBox"] = json!("PL 1")
    });
    breaks(foreign_earner, Code::RuleCountryName, |r| {
        earner(r)["Addresses"]["TypedAddress"][0]["CountryCode"] = json!("99")
    });
    // With a Finnish personal identity code none of it is required.
    satisfies(wage, |r| {
        earner(r)["IncomeEarnerBasic"] = json!({ "LastName": "Tamm", "FirstName": "Mari" })
    });
}

#[test]
fn an_earner_has_identifiers_or_says_there_are_none() {
    let anonymous = |r: &mut Value| {
        let earner = earner(r).as_object_mut().unwrap();
        earner.remove("IncomeEarnerIds");
        earner.insert(
            "IncomeEarnerBasic".into(),
            json!({ "MissingId": true, "CompanyName": "Tamm OÜ" }),
        );
        earner.insert("Addresses".into(), json!({ "TypedAddress": [address(1, Some("EE"))] }));
    };
    satisfies(wage, anonymous);
    breaks(wage, Code::RuleEarnerIds, |r| {
        anonymous(r);
        earner(r)["IncomeEarnerBasic"]
            .as_object_mut()
            .unwrap()
            .remove("MissingId");
    });
    // Identifiers and MissingId together.
    breaks(wage, Code::RuleEarnerIds, |r| {
        let ids = earner(r)["IncomeEarnerIds"].take();
        anonymous(r);
        earner(r)["IncomeEarnerIds"] = ids;
    });
}

#[test]
fn an_earners_identifiers_agree() {
    breaks(wage, Code::RuleEarnerBirthDates, add_earner_id(id(2, "131053-3082")));
    satisfies(wage, add_earner_id(id(2, "131052Y309U")));
    breaks(
        wage,
        Code::RuleOtherId,
        add_earner_id(json!({ "Type": 99, "Code": "131052-308T", "CountryCode": "FI" })),
    );
    breaks(
        wage,
        Code::RuleOtherId,
        add_earner_id(json!({ "Type": 99, "Code": "7011367-6", "CountryCode": "FI" })),
    );
    satisfies(
        wage,
        add_earner_id(json!({ "Type": 99, "Code": "K-12345", "CountryCode": "FI" })),
    );
}

#[test]
fn a_non_resident_gives_a_home_country_address() {
    let non_resident = |addresses: Value| {
        move |r: &mut Value| {
            earner(r)["InternationalData"] = json!({ "NonResident": true, "NonResidentCountryCode": "EE" });
            if !addresses.is_null() {
                earner(r)["Addresses"] = json!({ "TypedAddress": addresses.clone() });
            }
        }
    };
    breaks(wage, Code::RuleEarnerAddress, non_resident(Value::Null));
    breaks(wage, Code::RuleEarnerAddress, non_resident(json!([address(2, None)])));
    breaks(wage, Code::RuleEarnerAddress, non_resident(json!([address(1, None)])));
    // The address in Finland may go without a country, as in the official sample.
    satisfies(wage, non_resident(json!([address(1, Some("EE")), address(2, None)])));
}

#[test]
fn action_code_decides_the_report_references() {
    let data = |r: &mut Value, v: Value| first_report(r)["ReportData"] = v;
    breaks(wage, Code::RuleIrReportIdOnNew, |r| {
        data(
            r,
            json!({ "ActionCode": 1, "IRReportId": "0123456789abcdef0123456789abcdef", "ReportId": "R-1" }),
        )
    });
    breaks(wage, Code::RuleReportIdRequired, |r| {
        data(r, json!({ "ActionCode": 1 }))
    });
    breaks(wage, Code::RuleReportIdRequired, |r| {
        data(r, json!({ "ActionCode": 2 }))
    });
    breaks(wage, Code::RuleReportVersion, |r| {
        data(r, json!({ "ActionCode": 1, "ReportId": "R-1", "ReportVersion": 1 }))
    });
    breaks(wage, Code::RuleReportVersion, |r| {
        data(r, json!({ "ActionCode": 2, "ReportId": "R-1", "ReportVersion": 0 }))
    });
    satisfies(wage, |r| {
        data(
            r,
            json!({ "ActionCode": 2, "IRReportId": "0123456789abcdef0123456789abcdef", "ReportVersion": 2 }),
        )
    });
}

#[test]
fn a_report_occurs_once_and_real_time_records_hold_one() {
    let deferred = || {
        let mut r = wage();
        let body = r["WageReportRequestToIR"].take();
        json!({ "WageReportsRequestToIR": body })
    };
    breaks(deferred, Code::RuleReportOnce, |r| {
        dd(r)["Reports"]["Report"] = json!([report("R-1"), report("R-1")])
    });
    satisfies(deferred, |r| {
        dd(r)["Reports"]["Report"] = json!([report("R-1"), report("R-2")])
    });
    breaks(wage, Code::RuleOneReport, |r| {
        dd(r)["Reports"]["Report"] = json!([report("R-1"), report("R-2")])
    });
}

#[test]
fn totals_of_reporting_method_1() {
    let with = |list: Value| move |r: &mut Value| first_report(r)["Transactions"]["Transaction"] = list.clone();
    breaks(wage, Code::RuleIncomeType101, with(json!([transaction(102, "10.00")])));
    breaks(
        wage,
        Code::RuleIncomeType103,
        with(json!([
            total_101("100.00", 1),
            transaction(103, "50.00"),
            transaction(102, "50.00")
        ])),
    );
    breaks(
        wage,
        Code::RuleAmountOver101,
        with(json!([total_101("100.00", 2), transaction(102, "100.01")])),
    );
    satisfies(wage, with(json!([total_101("100.00", 2), transaction(102, "100.00")])));
}

#[test]
fn income_types_follow_the_code_list() {
    let with = |list: Value| move |r: &mut Value| first_report(r)["Transactions"]["Transaction"] = list.clone();
    breaks(
        wage,
        Code::RuleIncomeTypeUnknown,
        with(json!([transaction(228, "10.00")])),
    );
    breaks(
        wage,
        Code::RuleReportingMethods,
        with(json!([transaction(101, "100.00"), transaction(201, "100.00")])),
    );
    // Separately reported types go with either method.
    satisfies(
        wage,
        with(json!([transaction(101, "100.00"), transaction(402, "10.00")])),
    );
    breaks(
        wage,
        Code::RuleNegativeAmount,
        with(json!([transaction(201, "-10.00")])),
    );
    satisfies(
        wage,
        with(json!([transaction(201, "100.00"), transaction(402, "-10.00")])),
    );
    let flagged = |code: i64, flag: &str| {
        let mut t = transaction(code, "10.00");
        t["TransactionBasic"][flag] = json!(true);
        t
    };
    breaks(
        wage,
        Code::RuleUnjustEnrichment,
        with(json!([flagged(301, "UnjustEnrichment")])),
    );
    breaks(
        wage,
        Code::RuleUnjustEnrichment,
        with(json!([recovered(transaction(402, "10.00"))])),
    );
    satisfies(wage, with(json!([flagged(201, "UnjustEnrichment")])));
    let insured = |code: i64| {
        let mut t = transaction(code, "10.00");
        t["InsuranceData"] = json!({ "TransactionInclusion": [{ "InsuranceCode": 1, "Included": false }] });
        t
    };
    breaks(wage, Code::RuleInsuranceData, with(json!([insured(201)])));
    satisfies(wage, with(json!([insured(202)])));
}

#[test]
fn income_type_combinations_and_deductions() {
    let with = |list: Value| move |r: &mut Value| first_report(r)["Transactions"]["Transaction"] = list.clone();
    breaks(
        wage,
        Code::RuleIncomeType101Once,
        with(json!([transaction(101, "100.00"), transaction(101, "50.00")])),
    );
    satisfies(
        wage,
        with(json!([
            transaction(101, "100.00"),
            recovered(transaction(101, "50.00"))
        ])),
    );
    let non_resident = |r: &mut Value| {
        let earner = &mut first_report(r)["IncomeEarner"];
        earner["InternationalData"] = json!({ "NonResident": true, "NonResidentCountryCode": "EE" });
        earner["Addresses"] = json!({ "TypedAddress": [address(1, Some("EE"))] });
    };
    breaks(wage, Code::RuleWithholdingWithRoyalty, |r| {
        non_resident(r);
        with(json!([transaction(362, "100.00"), transaction(402, "10.00")]))(r)
    });
    breaks(
        wage,
        Code::RuleNonResident,
        with(json!([transaction(201, "100.00"), transaction(412, "5.00")])),
    );
    satisfies(wage, |r| {
        non_resident(r);
        with(json!([transaction(201, "100.00"), transaction(412, "5.00")]))(r)
    });
    breaks(
        wage,
        Code::RuleDeductionBase,
        with(json!([transaction(201, "100.00"), transaction(407, "10.00")])),
    );
    breaks(
        wage,
        Code::RuleDeductionBase,
        with(json!([car_benefit("100.00"), transaction(401, "150.00")])),
    );
    satisfies(
        wage,
        with(json!([
            transaction(201, "100.00"),
            transaction(334, "20.00"),
            transaction(407, "10.00")
        ])),
    );
    satisfies(wage, with(json!([car_benefit("100.00"), transaction(401, "100.00")])));
}

#[test]
fn employers_separate_report_rules() {
    let month =
        |m: i64, y: i64| move |r: &mut Value| first_report(r)["PaymentMonth"] = json!({ "Month": m, "Year": y });
    let codes = |list: Value| move |r: &mut Value| first_report(r)["Transactions"]["Transaction"] = list.clone();
    let summary = |code: i64, amount: Option<&str>| match amount {
        Some(a) => json!({ "TransactionBasic": { "SummaryTransactionCode": code, "Amount": a } }),
        None => json!({ "TransactionBasic": { "SummaryTransactionCode": code } }),
    };
    // Only 101 ("no wages paid"): up to six months ahead; otherwise one.
    satisfies(payer_summary, month(7, 2024));
    breaks(payer_summary, Code::RulePaymentMonth, month(8, 2024));
    breaks(payer_summary, Code::RulePaymentMonth, month(12, 2018));
    breaks(payer_summary, Code::RulePaymentMonth, |r| {
        month(3, 2024)(r);
        codes(json!([summary(102, Some("10.00"))]))(r)
    });
    satisfies(payer_summary, |r| {
        month(2, 2024)(r);
        codes(json!([summary(102, Some("10.00"))]))(r)
    });
    breaks(
        payer_summary,
        Code::RuleSummaryCode101,
        codes(json!([summary(101, None), summary(102, Some("1.00"))])),
    );
    breaks(
        payer_summary,
        Code::RuleSummaryAmount,
        codes(json!([summary(102, None)])),
    );
}

#[test]
fn a_payer_address_has_street_or_po_box() {
    let address = |extra: Value| {
        move |r: &mut Value| {
            let mut a = json!({ "PostalCode": "00100", "PostOffice": "Helsinki" });
            a.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            dd(r)["Payer"]["Address"] = a;
        }
    };
    breaks(
        wage,
        Code::RuleStreetOrPoBox,
        address(json!({ "Street": "Katu 1", "POBox": "PL 1" })),
    );
    breaks(wage, Code::RuleStreetOrPoBox, address(json!({})));
    satisfies(wage, address(json!({ "POBox": "PL 1" })));
}

#[test]
fn a_pension_policy_number_begins_with_its_providers_code() {
    let insurance = |provider: i64, policy: &str| {
        let policy = policy.to_string();
        move |r: &mut Value| earner(r)["PensionInsurance"] = pension_insurance(provider, &policy)
    };
    satisfies(wage, insurance(55, "55-1234567"));
    breaks(wage, Code::RulePensionPolicyProvider, insurance(46, "55-1234567"));
    let payer_insurance = |policy: &'static str| {
        move |r: &mut Value| {
            dd(r)["Payer"]["PensionInsurances"] =
                json!({ "PensionInsurance": [{ "PensionProvIdCode": 55, "PensionPolicyNo": policy }] })
        }
    };
    satisfies(payer_summary, payer_insurance("55-1234567"));
    breaks(
        payer_summary,
        Code::RulePensionPolicyProvider,
        payer_insurance("54-1234567"),
    );
}

#[test]
fn an_employers_separate_report_is_of_a_household() {
    let payer_types = |codes: Value| {
        move |r: &mut Value| dd(r)["Payer"]["PayerOther"] = json!({ "PayerTypes": { "Code": codes.clone() } })
    };
    satisfies(payer_summary, payer_types(json!([2, 10])));
    breaks(payer_summary, Code::RulePayerType, payer_types(json!([2, 4])));
    // In an earnings payment report every payer type may be given.
    satisfies(wage, payer_types(json!([4])));
}

/// Sets `field` of the earner of the first report.
fn set_earner(field: &'static str, value: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| earner(r)[field] = value.clone()
}

/// A change to a record, boxed so that changes can be listed.
type Change = Box<dyn Fn(&mut Value)>;

/// Applies every change in turn.
fn all(changes: Vec<Change>) -> impl Fn(&mut Value) {
    move |r: &mut Value| changes.iter().for_each(|change| change(r))
}

/// Applies `first`, then `then`.
fn both(first: impl Fn(&mut Value), then: impl Fn(&mut Value)) -> impl Fn(&mut Value) {
    move |r: &mut Value| {
        first(r);
        then(r);
    }
}

fn exceptions(codes: Value) -> impl Fn(&mut Value) {
    set_earner("InsuranceExceptions", json!({ "ExceptionCode": codes }))
}

fn earner_types(codes: Value) -> impl Fn(&mut Value) {
    set_earner(
        "IncomeEarnerOther",
        json!({ "IncomeEarnerTypes": { "IncomeEarnerType": codes } }),
    )
}

fn without_earner(field: &'static str) -> impl Fn(&mut Value) {
    move |r: &mut Value| {
        earner(r).as_object_mut().unwrap().remove(field);
    }
}

#[test]
fn employment_figures_are_in_range() {
    let employment = |part_time: &str, hours: &str| {
        set_earner("Employment", json!({ "PartTime": part_time, "HoursPerWeek": hours }))
    };
    satisfies(wage, employment("100.00", "168.00"));
    satisfies(wage, employment("0", "0.00"));
    breaks(wage, Code::RulePartTime, employment("100.01", "37.50"));
    breaks(wage, Code::RulePartTime, employment("-1", "37.50"));
    breaks(wage, Code::RuleHoursPerWeek, employment("80", "168.50"));
}

#[test]
fn employment_periods_are_in_order() {
    let period = |start: &str, end: Option<&str>| {
        let mut p = json!({ "StartDate": start });
        if let Some(end) = end {
            p["EndDate"] = json!(end);
        }
        set_earner("Employment", json!({ "EmploymentPeriods": { "Period": [p] } }))
    };
    // Today is 2024-01-31: 45 days ahead is 2024-03-16.
    satisfies(wage, period("2024-03-16", None));
    satisfies(wage, period("2020-01-01", Some("2020-01-01")));
    breaks(wage, Code::RuleEmploymentStart, period("2024-03-17", None));
    breaks(wage, Code::RuleStartDate, period("1799-12-31", None));
    breaks(wage, Code::RuleEndBeforeStart, period("2020-01-02", Some("2020-01-01")));
}

#[test]
fn pension_providers_with_own_code_lists_get_their_data() {
    let keva = || -> Vec<Change> {
        vec![
            Box::new(set_earner("PensionInsurance", pension_insurance(20, "20-00000000"))),
            Box::new(set_earner(
                "Employment",
                json!({ "EmploymentPeriods": { "Period": [{ "StartDate": "2019-08-01" }] } }),
            )),
            Box::new(set_earner(
                "Professions",
                json!({ "Profession": [{ "Type": 1, "Code": "32591" }, { "Type": 2, "Code": "71333" }] }),
            )),
            Box::new(set_earner(
                "EmploymentRegs",
                json!({ "EmploymentReg": [{ "Type": 1, "Code": "01" }] }),
            )),
            Box::new(payer("SubOrgs", json!({ "SubOrg": [{ "Type": 1, "Code": "003000" }] }))),
        ]
    };
    satisfies(wage, all(keva()));
    for left_out in 1..5 {
        let mut changes = keva();
        drop(changes.remove(left_out));
        breaks(wage, Code::RulePensionProviderData, all(changes));
    }
    let ended = |endings: Option<Value>| {
        let mut employment =
            json!({ "EmploymentPeriods": { "Period": [{ "StartDate": "2019-08-01", "EndDate": "2024-01-31" }] } });
        if let Some(e) = endings {
            employment["EmploymentEndings"] = json!({ "EmploymentEnding": e });
        }
        let mut changes = keva();
        changes.push(Box::new(set_earner("Employment", employment)));
        all(changes)
    };
    breaks(wage, Code::RulePensionProviderData, ended(None));
    breaks(
        wage,
        Code::RulePensionProviderData,
        ended(Some(json!([{ "Type": 3, "Code": "1" }]))),
    );
    satisfies(
        wage,
        ended(Some(json!([{ "Type": 1, "Code": "K1" }, { "Type": 3, "Code": "1" }]))),
    );
    // Traficom (34) needs its profession, unless pension insurance is not due.
    let traficom = set_earner("PensionInsurance", pension_insurance(34, "34-0000000"));
    breaks(wage, Code::RulePensionProviderData, &traficom);
    satisfies(wage, all(vec![Box::new(traficom), Box::new(exceptions(json!([3])))]));
}

#[test]
fn one_group_of_each_type() {
    breaks(
        wage,
        Code::RuleOneOfEachType,
        set_earner(
            "Professions",
            json!({ "Profession": [{ "Type": 1, "Code": "32591" }, { "Type": 1, "Code": "32592" }] }),
        ),
    );
    let payments = |payments: Value| set_earner("IncomeEarnerOther", json!({ "Payments": { "Payment": payments } }));
    satisfies(wage, payments(json!([{ "PaymentType": 2, "PaymentRef": "1232" }])));
    breaks(wage, Code::RulePaymentRef, payments(json!([{ "PaymentType": 2 }])));
    breaks(
        wage,
        Code::RuleOneOfEachType,
        payments(json!([{ "PaymentType": 2, "PaymentRef": "1232" }, { "PaymentType": 2, "PaymentRef": "1245" }])),
    );
}

#[test]
fn insured_income_needs_a_profession_and_pension_insurance() {
    breaks(wage, Code::RuleProfessionRequired, without_earner("Professions"));
    breaks(
        wage,
        Code::RulePensionInsuranceRequired,
        without_earner("PensionInsurance"),
    );
    // Exceptions: no obligation to insure, a substitute payer, or income
    // that InsuranceData says is not insured.
    satisfies(
        wage,
        all(vec![
            Box::new(without_earner("Professions")),
            Box::new(exceptions(json!([4]))),
        ]),
    );
    satisfies(
        wage,
        all(vec![
            Box::new(without_earner("PensionInsurance")),
            Box::new(exceptions(json!([7]))),
        ]),
    );
    satisfies(wage, |r| {
        without_earner("Professions")(r);
        without_earner("PensionInsurance")(r);
        dd(r)["Payer"]["SubstitutePayer"] = json!({ "Acts": true, "EmployerId": id(1, "7011367-6") });
    });
    // An initiative bonus (202) is insured by default, a meeting fee (210) not.
    let inclusion = |income_type: i64, code: i64, included: bool| {
        move |r: &mut Value| {
            let mut t = transaction(income_type, "100.00");
            t["InsuranceData"] = json!({ "TransactionInclusion": [{ "InsuranceCode": code, "Included": included }] });
            first_report(r)["Transactions"]["Transaction"][0] = t;
        }
    };
    let not_insured = |code: i64| inclusion(202, code, false);
    satisfies(
        wage,
        all(vec![Box::new(without_earner("Professions")), Box::new(not_insured(6))]),
    );
    satisfies(
        wage,
        all(vec![
            Box::new(without_earner("PensionInsurance")),
            Box::new(not_insured(2)),
        ]),
    );
    breaks(
        wage,
        Code::RuleProfessionRequired,
        all(vec![Box::new(without_earner("Professions")), Box::new(not_insured(2))]),
    );
    satisfies(wage, |r| {
        first_report(r)["Transactions"]["Transaction"][0] = transaction(210, "100.00");
        without_earner("Professions")(r);
        without_earner("PensionInsurance")(r);
    });
    breaks(
        wage,
        Code::RuleProfessionRequired,
        all(vec![
            Box::new(without_earner("Professions")),
            Box::new(inclusion(210, 6, true)),
        ]),
    );
    // Voluntary pension insurance needs PensionInsurance even so.
    breaks(
        wage,
        Code::RulePensionInsuranceRequired,
        all(vec![
            Box::new(without_earner("PensionInsurance")),
            Box::new(not_insured(2)),
            Box::new(exceptions(json!([11]))),
        ]),
    );
}

#[test]
fn the_pension_act_decides_the_provider_and_policy() {
    breaks(
        wage,
        Code::RulePensionActEmployee,
        set_earner(
            "PensionInsurance",
            json!({ "PensionActCode": 1, "PensionProvIdCode": 55 }),
        ),
    );
    let entrepreneur = |insurance: Value| {
        all(vec![
            Box::new(set_earner("PensionInsurance", insurance)),
            Box::new(exceptions(json!([3, 4, 5]))),
        ])
    };
    satisfies(wage, entrepreneur(json!({ "PensionActCode": 3 })));
    breaks(
        wage,
        Code::RulePensionActEntrepreneur,
        entrepreneur(json!({ "PensionActCode": 3, "PensionProvIdCode": 55 })),
    );
}

#[test]
fn insurance_exceptions_agree() {
    breaks(wage, Code::RuleVoluntaryPensionExceptions, exceptions(json!([11, 3])));
    satisfies(wage, exceptions(json!([11, 2])));
    breaks(
        wage,
        Code::RuleEntrepreneurExceptions,
        all(vec![
            Box::new(set_earner("PensionInsurance", json!({ "PensionActCode": 2 }))),
            Box::new(exceptions(json!([3, 4]))),
        ]),
    );
    let entrepreneur = |codes: Value| all(vec![Box::new(earner_types(json!([14]))), Box::new(exceptions(codes))]);
    satisfies(wage, entrepreneur(json!([2, 3, 4, 5])));
    satisfies(wage, entrepreneur(json!([1])));
    breaks(wage, Code::RuleEntrepreneurExceptions, entrepreneur(json!([3, 4, 5])));
}

#[test]
fn international_data_names_the_countries() {
    let international = |data: Value| {
        all(vec![
            Box::new(set_earner(
                "Addresses",
                json!({ "TypedAddress": [address(1, Some("EE"))] }),
            )),
            Box::new(set_earner("InternationalData", data)),
        ])
    };
    breaks(
        wage,
        Code::RuleNonResidentCountry,
        international(json!({ "NonResident": true })),
    );
    breaks(
        wage,
        Code::RuleCountryName,
        international(json!({ "NonResident": true, "NonResidentCountryCode": "99" })),
    );
    satisfies(
        wage,
        international(
            json!({ "NonResident": true, "NonResidentCountryCode": "99", "NonResidentCountryName": "Atlantis" }),
        ),
    );
    let treaty = set_earner("InternationalData", json!({ "TaxTreatyCountryCode": "EE" }));
    breaks(wage, Code::RuleTaxTreatyCountry, &treaty);
    breaks(wage, Code::RuleTaxTreatyCountry, earner_types(json!([10])));
    satisfies(wage, all(vec![Box::new(treaty), Box::new(earner_types(json!([10])))]));
}

#[test]
fn a_net_salary_agreement_is_a_foreign_employers() {
    breaks(wage, Code::RuleNetSalaryPayer, earner_types(json!([11])));
    satisfies(wage, |r| {
        earner_types(json!([11]))(r);
        dd(r)["Payer"]["PayerOther"] = json!({ "PayerTypes": { "Code": [4] } });
    });
}

#[test]
fn a_place_of_business_has_a_code_or_an_address() {
    let place = |p: Value| set_earner("PlaceOfBusiness", p);
    satisfies(wage, place(json!({ "Code": "T1" })));
    satisfies(
        wage,
        place(json!({ "Street": "Katu 1", "PostalCode": "00100", "PostOffice": "Helsinki" })),
    );
    breaks(
        wage,
        Code::RulePlaceOfBusiness,
        place(json!({ "Street": "Katu 1", "PostalCode": "00100" })),
    );
    breaks(
        wage,
        Code::RuleCountryName,
        place(json!({ "Code": "T1", "CountryCode": "99" })),
    );
}

#[test]
fn coded_values_are_in_their_code_lists() {
    let responsibility = |code: i64| {
        move |r: &mut Value| dd(r)["ContactPersons"]["ContactPerson"][0]["ResponsibilityCode"] = json!(code)
    };
    satisfies(wage, responsibility(2));
    breaks(wage, Code::RuleCodeList, responsibility(3));
    breaks(payer_summary, Code::RuleCodeList, responsibility(3));
    breaks(
        wage,
        Code::RuleCodeList,
        set_earner("InsuranceExceptions", json!({ "ExceptionCode": [12] })),
    );
    // Country codes are ISO 3166 alpha-2 codes, or 99.
    let earner_country = |country: &'static str| {
        add_earner_id(json!({ "Type": 9, "Code": "X-1", "CountryCode": country, "CountryName": "Atlantis" }))
    };
    satisfies(wage, earner_country("99"));
    satisfies(wage, earner_country("EE"));
    breaks(wage, Code::RuleCodeList, earner_country("XX"));
    breaks(wage, Code::RuleCodeList, earner_country("ee"));
    // The payer's and the earner's sub-organisations take different lists.
    let sub_org = |kind: i64| json!({ "SubOrg": [{ "Type": kind, "Code": "1" }] });
    satisfies(
        wage,
        both(payer("SubOrgs", sub_org(3)), set_earner("SubOrgs", sub_org(1))),
    );
    breaks(wage, Code::RuleCodeList, set_earner("SubOrgs", sub_org(2)));
    breaks(wage, Code::RuleCodeList, payer("SubOrgs", sub_org(4)));
    // An EmploymentEnding of the Register's own list (Type 3) has one of its codes.
    let ending = |kind: i64, code: &'static str| {
        set_earner(
            "Employment",
            json!({ "EmploymentEndings": { "EmploymentEnding": [{ "Type": kind, "Code": code }] } }),
        )
    };
    satisfies(wage, ending(3, "7"));
    satisfies(wage, ending(2, "K8"));
    breaks(wage, Code::RuleCodeList, ending(3, "8"));
    // Lists that change over time give a warning only.
    let agreement = |code: i64| set_earner("IncomeEarnerOther", json!({ "CBACode": code }));
    satisfies(wage, agreement(215));
    breaks(wage, Code::RuleCodeListDated, agreement(216));
    let treaty = |country: &'static str| {
        all(vec![
            Box::new(earner_types(json!([10]))),
            Box::new(set_earner(
                "InternationalData",
                json!({ "TaxTreatyCountryCode": country }),
            )),
        ])
    };
    breaks(wage, Code::RuleCodeListDated, treaty("FI"));
    let record = {
        let mut r = wage();
        agreement(216)(&mut r);
        r
    };
    let found = check_with(&record, &options(None));
    assert_eq!(found[0].severity, tulorekisteri::Severity::Warning);
    assert!(found[0]
        .message
        .starts_with("IncomeEarnerOther/CBACode 216 is not in the 2022 version of the code list CBACode"));
}

fn transactions(list: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| first_report(r)["Transactions"]["Transaction"] = list.clone()
}

/// `t` with `group` set to `value`.
fn with_group(mut t: Value, group: &str, value: Value) -> Value {
    t[group] = value;
    t
}

#[test]
fn an_income_types_groups_belong_to_it() {
    satisfies(wage, transactions(json!([car_benefit("100.00")])));
    breaks(
        wage,
        Code::RuleTransactionGroupRequired,
        transactions(json!([transaction(304, "100.00")])),
    );
    let car = json!({ "CarBenefitCode": 1, "AgeGroupCode": 1 });
    breaks(
        wage,
        Code::RuleTransactionGroupNotAllowed,
        transactions(json!([with_group(transaction(201, "100.00"), "CarBenefit", car)])),
    );
    breaks(
        wage,
        Code::RuleTransactionGroupNotAllowed,
        transactions(json!([with_group(
            transaction(201, "100.00"),
            "MealBenefit",
            json!({ "TaxValue": true })
        )])),
    );
    breaks(
        wage,
        Code::RuleTransactionGroupRequired,
        transactions(json!([transaction(331, "40.00")])),
    );
    satisfies(
        wage,
        transactions(json!([with_group(
            transaction(331, "40.00"),
            "DailyAllowance",
            json!({ "AllowanceCode": [3] })
        )])),
    );
    let mut not_recovered = recovered(transaction(201, "10.00"));
    not_recovered["TransactionBasic"]
        .as_object_mut()
        .unwrap()
        .remove("Recovery");
    breaks(
        wage,
        Code::RuleTransactionGroupNotAllowed,
        transactions(json!([not_recovered])),
    );
}

#[test]
fn amounts_are_given_except_for_a_meal_benefit_at_taxable_value() {
    breaks(
        wage,
        Code::RuleAmountRequired,
        transactions(json!([{ "TransactionBasic": { "TransactionCode": 201 } }])),
    );
    satisfies(
        wage,
        transactions(json!([{
            "TransactionBasic": { "TransactionCode": 334 },
            "MealBenefit": { "TaxValue": true }
        }])),
    );
}

#[test]
fn insurance_data_gives_each_code_once() {
    let inclusions = |list: Value| {
        transactions(json!([with_group(
            transaction(202, "10.00"),
            "InsuranceData",
            json!({ "TransactionInclusion": list })
        )]))
    };
    let inclusion = |code: i64, included: bool| json!({ "InsuranceCode": code, "Included": included });
    satisfies(wage, inclusions(json!([inclusion(2, false), inclusion(6, false)])));
    breaks(
        wage,
        Code::RuleInsuranceCodes,
        inclusions(json!([inclusion(2, false), inclusion(2, true)])),
    );
    breaks(
        wage,
        Code::RuleInsuranceCodes,
        inclusions(json!([inclusion(1, false), inclusion(5, false)])),
    );
}

#[test]
fn totals_declare_what_is_not_insured() {
    breaks(
        wage,
        Code::RuleTotalsInsuranceData,
        transactions(json!([transaction(101, "100.00"), transaction(102, "50.00")])),
    );
    breaks(
        wage,
        Code::RuleTotalsInsuranceData,
        transactions(json!([total_101("100.00", 3), transaction(102, "50.00")])),
    );
    satisfies(
        wage,
        transactions(json!([total_101("100.00", 1), transaction(104, "50.00")])),
    );
    // Unjust enrichment is a group of its own.
    let unjust = |mut t: Value| {
        t["TransactionBasic"]["UnjustEnrichment"] = json!(true);
        t
    };
    breaks(
        wage,
        Code::RuleTotalsInsuranceData,
        transactions(json!([
            total_101("100.00", 2),
            transaction(102, "50.00"),
            unjust(transaction(101, "20.00")),
            unjust(transaction(102, "10.00"))
        ])),
    );
    breaks(
        wage,
        Code::RuleRecoveryPeriodsDiffer,
        transactions(json!([
            recovered(transaction(101, "20.00")),
            recovered(transaction(101, "30.00"))
        ])),
    );
}

#[test]
fn recovery_dates_are_in_order() {
    let recovery = |recovery_date: &str, start: &str, end: &str| {
        let mut t = recovered(transaction(201, "10.00"));
        t["RecoveryData"]["RecoveryDate"] = json!(recovery_date);
        t["RecoveryData"]["OrigPaymentPeriods"]["OrigPaymentPeriod"] = json!([{ "StartDate": start, "EndDate": end }]);
        transactions(json!([t]))
    };
    satisfies(wage, recovery("2024-01-31", "2023-12-01", "2023-12-31"));
    breaks(
        wage,
        Code::RuleRecoveryDate,
        recovery("2024-02-01", "2023-12-01", "2023-12-31"),
    );
    breaks(
        wage,
        Code::RuleOriginalPeriod,
        recovery("2024-01-15", "2024-01-20", "2024-01-31"),
    );
    breaks(
        wage,
        Code::RuleEndBeforeStart,
        recovery("2024-01-15", "2023-12-01", "2023-11-30"),
    );
}

#[test]
fn values_lie_in_their_ranges() {
    let unit_wage = |price: &str| {
        let unit = json!({ "UnitWage": [{ "UnitPrice": price, "UnitAmount": "10.00", "UnitCode": 1 }] });
        transactions(json!([with_group(transaction(201, "100.00"), "UnitWages", unit)]))
    };
    satisfies(wage, unit_wage("0.00"));
    breaks(wage, Code::RuleValueRange, unit_wage("-1.00"));
    let car = |fields: Value| {
        let mut t = car_benefit("100.00");
        t["CarBenefit"]
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        transactions(json!([t]))
    };
    breaks(wage, Code::RuleValueRange, car(json!({ "Kilometers": -1 })));
    satisfies(wage, car(json!({ "Kilometers": 0, "EmissionsValue": "100.00" })));
    breaks(wage, Code::RuleValueRange, car(json!({ "EmissionsValue": "100.01" })));
    breaks(wage, Code::RuleEmissionsValueYear, |r: &mut Value| {
        dd(r)["PaymentPeriod"] =
            json!({ "PaymentDate": "2021-12-31", "StartDate": "2021-12-01", "EndDate": "2021-12-31" });
        car(json!({ "EmissionsValue": "50.00" }))(r);
    });
    let sailor = json!({ "SailorIncome": true, "CrossTradeTime": 13 });
    breaks(
        wage,
        Code::RuleValueRange,
        transactions(json!([with_group(transaction(201, "100.00"), "SailorIncome", sailor)])),
    );
}

#[test]
fn the_six_month_rule_names_the_country() {
    let rule = |value: Value| transactions(json!([with_group(transaction(201, "100.00"), "SixMonthRule", value)]));
    breaks(wage, Code::RuleSixMonthRuleCountry, rule(json!({ "Applicable": true })));
    satisfies(wage, rule(json!({ "Applicable": true, "CountryCode": "SE" })));
    breaks(
        wage,
        Code::RuleCountryName,
        rule(json!({ "Applicable": false, "CountryCode": "99" })),
    );
}

#[test]
fn deductions_and_benefits_do_not_overlap() {
    let meal_at_tax_value = with_group(transaction(334, "20.00"), "MealBenefit", json!({ "TaxValue": true }));
    breaks(
        wage,
        Code::RuleMealBenefitDeduction,
        transactions(json!([meal_at_tax_value, transaction(407, "10.00")])),
    );
    satisfies(
        wage,
        transactions(json!([
            meal_at_tax_value,
            transaction(301, "100.00"),
            transaction(407, "10.00")
        ])),
    );
    breaks(wage, Code::RuleWithholdingKeyPerson, |r: &mut Value| {
        earner_types(json!([4]))(r);
        transactions(json!([transaction(201, "100.00"), transaction(402, "20.00")]))(r);
    });
    let other_benefit = with_group(transaction(317, "20.00"), "OtherBenefit", json!({ "BenefitCode": [1] }));
    breaks(
        wage,
        Code::RuleBenefitAsIncomeType,
        transactions(json!([other_benefit, transaction(301, "100.00")])),
    );
    satisfies(wage, transactions(json!([other_benefit, transaction(330, "10.00")])));
    let allowance = with_group(
        transaction(331, "20.00"),
        "DailyAllowance",
        json!({ "AllowanceCode": [1] }),
    );
    breaks(
        wage,
        Code::RuleBenefitAsIncomeType,
        transactions(json!([allowance, transaction(303, "10.00")])),
    );
}

fn absence(paid: Value, unpaid: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| {
        let mut a = json!({});
        if paid != json!([]) {
            a["PaidAbsence"] = json!({ "PaidAbsencePeriods": { "PaidAbsencePeriod": paid } });
        }
        if unpaid != json!([]) {
            a["UnpaidAbsence"] = json!({ "UnpaidAbsencePeriods": { "UnpaidAbsencePeriod": unpaid } });
        }
        first_report(r)["Absence"] = a;
    }
}

fn paid(start: &str, end: &str) -> Value {
    json!({ "StartDate": start, "EndDate": end, "CauseCode": 1, "Amount": "100.00" })
}

fn unpaid(start: &str, end: &str) -> Value {
    json!({ "StartDate": start, "EndDate": end, "CauseCode": 1 })
}

#[test]
fn absences_are_in_order_and_do_not_overlap() {
    let period = |fields: Value| {
        move |r: &mut Value| {
            absence(json!([paid("2024-01-02", "2024-01-03")]), json!([]))(r);
            let absence = first_report(r)["Absence"].as_object_mut().unwrap();
            absence.extend(fields.as_object().unwrap().clone());
        }
    };
    satisfies(
        wage,
        period(json!({ "AbsenceRepStartDate": "2024-01-01", "AbsenceRepEndDate": "2024-01-31" })),
    );
    breaks(
        wage,
        Code::RuleAbsenceReportPeriod,
        period(json!({ "AbsenceRepStartDate": "2024-01-01" })),
    );
    breaks(
        wage,
        Code::RuleEndBeforeStart,
        period(json!({ "AbsenceRepStartDate": "2024-01-31", "AbsenceRepEndDate": "2024-01-01" })),
    );
    let two_paid = |second: Value| absence(json!([paid("2024-01-01", "2024-01-10"), second]), json!([]));
    breaks(
        wage,
        Code::RuleAbsenceOverlap,
        two_paid(paid("2024-01-10", "2024-01-12")),
    );
    satisfies(wage, two_paid(paid("2024-01-11", "2024-01-12")));
    breaks(
        wage,
        Code::RuleAbsenceOverlap,
        absence(
            json!([paid("2024-01-01", "2024-01-10")]),
            json!([unpaid("2024-01-05", "2024-01-20")]),
        ),
    );
    // Unpaid absences may overlap one another.
    satisfies(
        wage,
        absence(
            json!([]),
            json!([unpaid("2024-01-01", "2024-01-10"), unpaid("2024-01-05", "2024-01-06")]),
        ),
    );
    let mut until = paid("2024-01-10", "2024-01-12");
    until["AbsenceUntil"] = json!("2024-01-09");
    breaks(wage, Code::RuleAbsenceUntil, absence(json!([until]), json!([])));
    let mut negative = paid("2024-01-10", "2024-01-12");
    negative["Amount"] = json!("-1.00");
    breaks(wage, Code::RuleValueRange, absence(json!([negative]), json!([])));
}

/// A paid absence with a Kela reimbursement application of `kind`, in a
/// record that gives what such an application needs elsewhere.
fn reimbursed(kind: i64, payment: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| {
        let mut period = paid("2024-01-10", "2024-01-12");
        period["CauseCode"] = json!(3);
        let mut reimbursement = json!({ "PaymentType": kind });
        reimbursement
            .as_object_mut()
            .unwrap()
            .extend(payment.as_object().unwrap().clone());
        period["ReimbApp"] = json!({ "ReimbPayment": [reimbursement] });
        absence(json!([period]), json!([]))(r);
        dd(r)["ContactPersons"]["ContactPerson"][0]["Email"] = json!("palkat@example.fi");
        earner(r)["Employment"] = json!({
            "EmploymentCode": 1,
            "PaymentTypes": { "PaymentType": [1] },
            "EmploymentPeriods": { "Period": [{ "StartDate": "2020-01-01" }] }
        });
    }
}

#[test]
fn a_kela_reimbursement_application_has_what_it_needs() {
    satisfies(wage, reimbursed(2, json!({ "PaymentRef": "672345109281625" })));
    breaks(
        wage,
        Code::RuleReimbursementReference,
        reimbursed(1, json!({ "PaymentRef": "672345109281625", "PaymentSpecifier": "A" })),
    );
    let cause = |code: i64| {
        move |r: &mut Value| {
            first_report(r)["Absence"]["PaidAbsence"]["PaidAbsencePeriods"]["PaidAbsencePeriod"][0]["CauseCode"] =
                json!(code)
        }
    };
    breaks(
        wage,
        Code::RuleReimbursementCause,
        both(reimbursed(2, json!({})), cause(1)),
    );
    satisfies(wage, both(reimbursed(1, json!({})), cause(5)));
    breaks(
        wage,
        Code::RuleReimbursementCause,
        both(reimbursed(1, json!({})), cause(2)),
    );
    let period = |field: &'static str, value: Value| {
        move |r: &mut Value| {
            let p = &mut first_report(r)["Absence"]["PaidAbsence"]["PaidAbsencePeriods"]["PaidAbsencePeriod"][0];
            if value.is_null() {
                p.as_object_mut().unwrap().remove(field);
            } else {
                p[field] = value.clone();
            }
        }
    };
    breaks(
        wage,
        Code::RuleReimbursementEndDate,
        both(reimbursed(1, json!({})), period("EndDate", Value::Null)),
    );
    breaks(
        wage,
        Code::RuleReimbursementInfo,
        both(
            absence(json!([paid("2024-01-10", "2024-01-12")]), json!([])),
            period("PaidAbsencePeriodInfo", json!("lisätieto")),
        ),
    );
    satisfies(
        wage,
        both(
            reimbursed(1, json!({})),
            period("PaidAbsencePeriodInfo", json!("lisätieto")),
        ),
    );
    // What the application needs elsewhere.
    let without_email = |r: &mut Value| {
        dd(r)["ContactPersons"]["ContactPerson"][0]
            .as_object_mut()
            .unwrap()
            .remove("Email");
    };
    breaks(
        wage,
        Code::RuleReimbursementData,
        both(reimbursed(1, json!({})), without_email),
    );
    let employment = |value: Value| set_earner("Employment", value);
    let periods = json!({ "Period": [{ "StartDate": "2020-01-01" }] });
    // EmploymentCode only for family leave compensation (2).
    satisfies(
        wage,
        both(
            reimbursed(1, json!({})),
            employment(json!({ "PaymentTypes": { "PaymentType": [2] }, "EmploymentPeriods": periods })),
        ),
    );
    breaks(
        wage,
        Code::RuleReimbursementData,
        both(
            reimbursed(2, json!({})),
            employment(json!({ "PaymentTypes": { "PaymentType": [2] }, "EmploymentPeriods": periods })),
        ),
    );
    breaks(
        wage,
        Code::RuleReimbursementData,
        both(
            reimbursed(1, json!({})),
            employment(json!({ "PaymentTypes": { "PaymentType": [3] }, "EmploymentPeriods": periods })),
        ),
    );
    breaks(
        wage,
        Code::RuleReimbursementData,
        both(
            reimbursed(1, json!({})),
            employment(json!({
                "PaymentTypes": { "PaymentType": [1] },
                "EmploymentPeriods": { "Period": [{ "StartDate": "2024-01-11" }] }
            })),
        ),
    );
    let foreign_id = |r: &mut Value| {
        earner(r)["IncomeEarnerIds"] = json!({ "Id": [{ "Type": 9, "Code": "EE-38304012345", "CountryCode": "EE" }] });
        earner(r)["IncomeEarnerBasic"] =
            json!({ "LastName": "Tamm", "FirstName": "Mari", "BirthDate": "1983-04-01", "Gender": 2 });
        earner(r)["Addresses"] = json!({ "TypedAddress": [address(1, Some("EE"))] });
    };
    breaks(
        wage,
        Code::RuleReimbursementData,
        both(reimbursed(1, json!({})), foreign_id),
    );
}

fn forms(codes: Value) -> impl Fn(&mut Value) {
    set_earner("InternationalData", json!({ "WorkForm": { "FormCode": codes } }))
}

fn report_field(field: &'static str, value: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| first_report(r)[field] = value.clone()
}

fn foreign_id() -> Value {
    json!({ "Type": 7, "Code": "SE5560000001", "CountryCode": "SE" })
}

/// A work country with what forms NT1 and NT2 need of it.
fn work_country() -> Value {
    json!({
        "WorkCountryCode": "SE",
        "ServiceRecipient": { "ServiceRecipientIds": { "Id": [id(1, "7011367-6")] }, "Name": "Asiakas Oy" },
        "StayPeriodsAbroad": { "Period": [{ "StartDate": "2024-01-01", "EndDate": "2024-01-31" }] },
        "WorkPeriodsAbroad": { "Period": [{ "StartDate": "2024-01-01" }] },
        "TaxingRight": true,
        "BurdensResultOfPE": false
    })
}

fn work_countries(country: Value) -> impl Fn(&mut Value) {
    report_field("WorkCountries", json!({ "WorkCountry": [country] }))
}

fn without(mut value: Value, field: &str) -> Value {
    value.as_object_mut().unwrap().remove(field);
    value
}

#[test]
fn work_abroad_forms_have_their_data() {
    breaks(wage, Code::RuleFormData, forms(json!([1])));
    satisfies(wage, both(forms(json!([1, 2])), work_countries(work_country())));
    breaks(
        wage,
        Code::RuleFormData,
        both(
            forms(json!([2])),
            work_countries(without(work_country(), "WorkPeriodsAbroad")),
        ),
    );
    satisfies(
        wage,
        both(
            forms(json!([1])),
            work_countries(without(work_country(), "WorkPeriodsAbroad")),
        ),
    );
    breaks(
        wage,
        Code::RuleFormData,
        both(
            forms(json!([1])),
            work_countries(without(work_country(), "TaxingRight")),
        ),
    );
    let mut with_wage = work_country();
    with_wage["WagePerMonth"] = json!("3000.00");
    breaks(
        wage,
        Code::RuleFormOnly,
        both(forms(json!([1])), work_countries(with_wage.clone())),
    );
    satisfies(wage, both(forms(json!([2])), work_countries(with_wage)));
    let mut unknown = work_country();
    unknown["WorkCountryCode"] = json!("99");
    breaks(
        wage,
        Code::RuleCountryName,
        both(forms(json!([1])), work_countries(unknown)),
    );
    // Stay periods in Finland: NoStayPeriods or periods, not both.
    let stays = |value: Value| both(forms(json!([3])), report_field("StayPeriodsInFinland", value));
    satisfies(wage, stays(json!({ "NoStayPeriods": true })));
    satisfies(
        wage,
        stays(json!({ "Period": [{ "StartDate": "2024-01-01", "EndDate": "2024-01-05" }] })),
    );
    breaks(
        wage,
        Code::RuleFormData,
        stays(json!({ "NoStayPeriods": true, "Period": [{ "StartDate": "2024-01-01", "EndDate": "2024-01-05" }] })),
    );
    breaks(wage, Code::RuleFormData, forms(json!([3])));
    // A leased worker's start notice.
    let leased = |work_periods: Value| {
        all(vec![
            Box::new(forms(json!([4]))),
            Box::new(report_field(
                "ForeignLeasedWork",
                json!({ "EstAmount": "1000.00", "FinServiceRecipient": { "FinServiceRecipientIds": { "Id": [id(1, "7011367-6")] } } }),
            )),
            Box::new(report_field("WorkPeriodsInFinland", work_periods)),
        ])
    };
    satisfies(
        wage,
        leased(json!({ "WorkPeriodInFinland": [{ "StartDate": "2024-01-01" }] })),
    );
    breaks(
        wage,
        Code::RuleFormData,
        leased(json!({ "WorkPeriodInFinland": [{ "WorkDays": 5 }] })),
    );
    breaks(
        wage,
        Code::RuleValueRange,
        leased(json!({ "WorkPeriodInFinland": [{ "StartDate": "2024-01-01", "WorkDays": -1 }] })),
    );
}

#[test]
fn a_leased_worker_from_abroad_gives_work_days() {
    let leased_non_resident = |international: Value| {
        all(vec![
            Box::new(set_earner(
                "Addresses",
                json!({ "TypedAddress": [address(1, Some("EE"))] }),
            )),
            Box::new(set_earner("InternationalData", international)),
            Box::new(set_earner(
                "IncomeEarnerOther",
                json!({ "IncomeEarnerTypes": { "IncomeEarnerType": [5] } }),
            )),
        ])
    };
    let non_resident = json!({ "NonResident": true, "NonResidentCountryCode": "EE" });
    breaks(
        wage,
        Code::RuleWorkDaysRequired,
        leased_non_resident(non_resident.clone()),
    );
    satisfies(
        wage,
        both(
            leased_non_resident(non_resident),
            report_field(
                "WorkPeriodsInFinland",
                json!({ "WorkPeriodInFinland": [{ "WorkDays": 12 }] }),
            ),
        ),
    );
    satisfies(
        wage,
        leased_non_resident(json!({ "NonResident": true, "NonResidentCountryCode": "EE", "SubToWithhold": true })),
    );
}

#[test]
fn parties_abroad_give_their_address() {
    let mut country = work_country();
    country["ServiceRecipient"] = json!({ "ServiceRecipientIds": { "Id": [foreign_id()] }, "Name": "Kund AB" });
    breaks(
        wage,
        Code::RulePartyAddress,
        both(forms(json!([1])), work_countries(country.clone())),
    );
    country["ServiceRecipient"]["ServiceRecipientAddress"] =
        json!({ "Street": "Gatan 1", "PostalCode": "11122", "PostOffice": "Stockholm", "CountryCode": "SE" });
    satisfies(wage, both(forms(json!([1])), work_countries(country.clone())));
    country["ServiceRecipient"]["ServiceRecipientAddress"]["POBox"] = json!("PL 1");
    breaks(
        wage,
        Code::RuleStreetOrPoBox,
        both(forms(json!([1])), work_countries(country)),
    );
    let representative = |value: Value| report_field("ForeignLeasedWork", json!({ "Representative": value }));
    breaks(
        wage,
        Code::RulePartyAddress,
        representative(json!({ "RepresentativeIds": { "Id": [foreign_id()] }, "Name": "Edustaja" })),
    );
    satisfies(
        wage,
        representative(json!({ "RepresentativeIds": { "Id": [id(1, "7011367-6")] }, "Name": "Edustaja" })),
    );
    breaks(
        wage,
        Code::RuleCountryName,
        representative(json!({
            "RepresentativeIds": { "Id": [foreign_id()] },
            "Name": "Edustaja",
            "Address": { "Street": "Gatan 1", "PostalCode": "11122", "PostOffice": "Stockholm", "CountryCode": "99" }
        })),
    );
}

#[test]
fn no_identifier_of_type_other_is_finnish() {
    let other = |code: &'static str| {
        move |r: &mut Value| {
            let other = json!({ "Type": 99, "Code": code, "CountryCode": "SE" });
            dd(r)["Payer"]["PayerIds"]["Id"] = json!([id(1, "7011367-6"), other]);
        }
    };
    satisfies(wage, other("X-1"));
    breaks(wage, Code::RuleOtherId, other("7011367-6"));
    breaks(payer_summary, Code::RuleOtherId, other("131052-308T"));
}

#[test]
fn an_accident_insurer_names_its_country_unless_it_has_a_business_id() {
    let insurer = |id: Value| {
        set_earner(
            "AccidentInsurance",
            json!({ "AccInsProvId": id, "AccInsPolicyNo": "A-1" }),
        )
    };
    satisfies(wage, insurer(id(1, "7011367-6")));
    breaks(wage, Code::RuleCountryCode, insurer(id(2, "131052-308T")));
    satisfies(
        wage,
        insurer(json!({ "Type": 2, "Code": "131052-308T", "CountryCode": "FI" })),
    );
    // Elsewhere a Finnish personal identity code needs no country.
    satisfies(wage, add_earner_id(id(2, "131052-308T")));
}

#[test]
fn summary_income_types_are_in_their_code_list() {
    breaks(payer_summary, Code::RuleCodeList, |r: &mut Value| {
        dd(r)["Reports"]["Report"][0]["Transactions"]["Transaction"] =
            json!([{ "TransactionBasic": { "SummaryTransactionCode": 104, "Amount": "10.00" } }])
    });
}

fn payer(field: &'static str, value: Value) -> impl Fn(&mut Value) {
    move |r: &mut Value| dd(r)["Payer"][field] = value.clone()
}

fn without_payer_ids(r: &mut Value) {
    dd(r)["Payer"].as_object_mut().unwrap().remove("PayerIds");
}

fn payer_address(country: Option<&str>) -> impl Fn(&mut Value) {
    let mut a = json!({ "Street": "Gatan 1", "PostalCode": "11122", "PostOffice": "Stockholm" });
    if let Some(c) = country {
        a["CountryCode"] = json!(c);
    }
    payer("Address", a)
}

/// A payer known by a foreign identifier only, which owns the record.
fn foreign_payer(r: &mut Value) {
    dd(r)["Payer"]["PayerIds"] = json!({ "Id": [foreign_id()] });
    dd(r)["DeliveryDataOwner"] = foreign_id();
}

#[test]
fn a_payer_without_a_finnish_identifier_is_described_in_full() {
    let company = || payer("PayerBasic", json!({ "CompanyName": "Bolaget AB" }));
    breaks(wage, Code::RulePayerData, foreign_payer);
    satisfies(
        wage,
        all(vec![
            Box::new(foreign_payer),
            Box::new(company()),
            Box::new(payer_address(Some("SE"))),
        ]),
    );
    breaks(
        wage,
        Code::RulePayerData,
        all(vec![
            Box::new(foreign_payer),
            Box::new(company()),
            Box::new(payer_address(None)),
        ]),
    );
    // A person without a Finnish personal identity code gives a birth date.
    let person = |birth_date: Option<&str>| {
        let mut basic = json!({ "LastName": "Svensson", "FirstName": "Sven" });
        if let Some(b) = birth_date {
            basic["BirthDate"] = json!(b);
        }
        all(vec![
            Box::new(foreign_payer),
            Box::new(payer("PayerBasic", basic)),
            Box::new(payer_address(Some("SE"))),
        ])
    };
    breaks(wage, Code::RulePayerData, person(None));
    satisfies(wage, person(Some("1970-01-01")));
    breaks(wage, Code::RuleBirthDate, person(Some("2024-02-01")));
    breaks(payer_summary, Code::RulePayerData, foreign_payer);
    // A temporary employer is described in full even with a business ID.
    let temporary = || payer("PayerOther", json!({ "PayerTypes": { "Code": [3] } }));
    breaks(wage, Code::RulePayerData, temporary());
    satisfies(
        wage,
        all(vec![
            Box::new(temporary()),
            Box::new(payer("PayerBasic", json!({ "CompanyName": "Tilapäinen Oy" }))),
            Box::new(payer_address(Some("FI"))),
        ]),
    );
}

#[test]
fn a_payer_has_identifiers_or_says_there_are_none() {
    let missing = || payer("PayerBasic", json!({ "MissingId": true, "CompanyName": "Nimetön Oy" }));
    let company = || payer("PayerBasic", json!({ "CompanyName": "Nimetön Oy" }));
    breaks(
        wage,
        Code::RulePayerIds,
        all(vec![
            Box::new(without_payer_ids),
            Box::new(company()),
            Box::new(payer_address(Some("FI"))),
        ]),
    );
    breaks(wage, Code::RulePayerIds, both(missing(), payer_address(Some("FI"))));
    satisfies(
        wage,
        all(vec![
            Box::new(without_payer_ids),
            Box::new(missing()),
            Box::new(payer_address(Some("FI"))),
        ]),
    );
}

#[test]
fn a_payer_has_one_sub_organisation_of_each_type() {
    let sub_orgs = |types: &[i64]| {
        let list: Vec<Value> = types.iter().map(|t| json!({ "Type": t, "Code": "1" })).collect();
        payer("SubOrgs", json!({ "SubOrg": list }))
    };
    satisfies(wage, sub_orgs(&[1, 2]));
    breaks(wage, Code::RuleOneOfEachType, sub_orgs(&[2, 2]));
    breaks(payer_summary, Code::RuleOneOfEachType, sub_orgs(&[2, 2]));
    // An employer's separate report with a Keva pension provider needs Keva's sub-organisation.
    let keva = || {
        let insurance = json!({ "PensionInsurance": [{ "PensionProvIdCode": 20, "PensionPolicyNo": "20-00000000" }] });
        payer("PensionInsurances", insurance)
    };
    breaks(payer_summary, Code::RulePayerData, keva());
    satisfies(payer_summary, both(keva(), sub_orgs(&[1])));
}

#[test]
fn the_payer_owns_and_the_creator_sends_the_record() {
    let party = |field: &'static str, value: Value| move |r: &mut Value| dd(r)[field] = value.clone();
    breaks(
        wage,
        Code::RuleDeliveryOwner,
        party("DeliveryDataOwner", id(1, "1572860-0")),
    );
    breaks(
        payer_summary,
        Code::RuleDeliveryOwner,
        party("DeliveryDataOwner", id(1, "1572860-0")),
    );
    breaks(
        wage,
        Code::RuleDeliverySender,
        party("DeliveryDataSender", id(1, "1572860-0")),
    );
    // A service provider creates and sends for the payer.
    satisfies(
        wage,
        both(
            party("DeliveryDataCreator", id(1, "1572860-0")),
            party("DeliveryDataSender", id(1, "1572860-0")),
        ),
    );
    // Without a customer identifier, the owner is the service provider.
    satisfies(
        wage,
        all(vec![
            Box::new(without_payer_ids),
            Box::new(payer(
                "PayerBasic",
                json!({ "MissingId": true, "CompanyName": "Nimetön Oy" }),
            )),
            Box::new(payer_address(Some("FI"))),
            Box::new(party("DeliveryDataOwner", id(1, "1572860-0"))),
            Box::new(party("DeliveryDataCreator", id(1, "1572860-0"))),
            Box::new(party("DeliveryDataSender", id(1, "1572860-0"))),
        ]),
    );
}

#[test]
fn recoveries_and_absences_that_break_nothing() {
    let other_period = |mut t: Value| {
        t["RecoveryData"]["OrigPaymentPeriods"]["OrigPaymentPeriod"] =
            json!([{ "StartDate": "2023-11-01", "EndDate": "2023-11-30" }]);
        t
    };
    satisfies(
        wage,
        transactions(json!([
            recovered(transaction(101, "20.00")),
            other_period(recovered(transaction(101, "30.00")))
        ])),
    );
    let mut until = paid("2024-01-10", "2024-01-12");
    until["AbsenceUntil"] = json!("2024-01-31");
    satisfies(wage, absence(json!([until]), json!([])));
}

#[test]
fn invalidations_hold_as_many_items_as_allowed() {
    let invalidation = |root: &str, kind: i64, items: usize| {
        let item = json!({ "ItemId": "R-1" });
        json!({ root: { "DeliveryData": {
            "Timestamp": "2024-01-31T12:00:00Z",
            "DeliveryDataType": kind,
            "DeliveryId": "I-1",
            "ProductionEnvironment": false,
            "DeliveryDataOwner": id(1, "7011367-6"),
            "DeliveryDataCreator": id(1, "7011367-6"),
            "DeliveryDataSender": id(1, "7011367-6"),
            "Items": { "Item": vec![item; items] }
        }}})
    };
    let found = |r: Value| codes(&r);
    assert_eq!(found(invalidation("InvalidationsRequestToIR", 105, 2)), []);
    assert_eq!(
        found(invalidation("InvalidationsRequestToIR", 109, 2)),
        [Code::RuleItemCount]
    );
    assert_eq!(
        found(invalidation("InvalidationRequestToIR", 105, 2)),
        [Code::RuleItemCount]
    );
    assert_eq!(found(invalidation("InvalidationRequestToIR", 105, 1)), []);
}

#[test]
fn messages_come_in_the_chosen_language() {
    let mut record = wage();
    dd(&mut record)["DeliveryDataType"] = json!(101);
    let message = |lang| {
        let mut o = options(None);
        o.rules.as_mut().unwrap().lang = lang;
        check_with(&record, &o)[0].message.clone()
    };
    assert!(message(Lang::Fi).starts_with("Aineiston tyyppi 101"));
    assert!(message(Lang::Sv).starts_with("Materialtypen 101"));
    assert!(message(Lang::En).starts_with("DeliveryDataType 101"));
}

#[test]
fn every_rule_has_a_test_and_three_messages() {
    let tests = include_str!("rules.rs");
    for rule in RULES {
        let variant = format!("{:?}", rule.code);
        assert!(tests.contains(&format!("Code::{variant}")), "{variant} has no test");
        assert!(!rule.fi.is_empty() && !rule.sv.is_empty() && !rule.en.is_empty());
    }
}

#[test]
fn schema_only_runs_no_rule() {
    let mut record = wage();
    dd(&mut record)["DeliveryDataType"] = json!(101);
    let xml = build(&record).unwrap();
    assert_eq!(validate_str(&xml, &Options::default().schema_only()), vec![]);
}

/// The codes of `record` after its XML has `valid` replaced by `refused`
/// (once), a value the schema does not accept.
fn codes_with_refused(record: &Value, valid: &str, refused: &str) -> Vec<Code> {
    let xml = build(record).unwrap_or_else(|p| panic!("not schema-valid: {p:?}"));
    assert_eq!(xml.matches(valid).count(), 1, "{valid} is not unique");
    let xml = xml.replace(valid, refused);
    validate_str(&xml, &options(None)).iter().map(|d| d.code).collect()
}

/// A value the schema refuses still counts as given: the schema's error is
/// the only one, no rule calls the element missing.
#[test]
fn a_value_the_schema_refuses_counts_as_given() {
    let mut record = wage();
    add_earner_id(json!({ "Type": 9, "Code": "X1", "CountryCode": "SE", "CountryName": "Sverige" }))(&mut record);
    let mut six_month = wage();
    transactions(json!([with_group(
        transaction(201, "100.00"),
        "SixMonthRule",
        json!({ "Applicable": true, "CountryCode": "NO" })
    )]))(&mut six_month);
    for (record, valid, refused, schema) in [
        (&record, "<CountryCode>SE<", "<CountryCode>SWE<", Code::SchemaLength),
        (&six_month, "<CountryCode>NO<", "<CountryCode>NOR<", Code::SchemaLength),
        (
            &wage(),
            "<ReportId>R-1<",
            &format!("<ReportId>{}<", "R".repeat(41)),
            Code::SchemaLength,
        ),
        (&wage(), "<Amount>3500.00<", "<Amount>3500.001<", Code::SchemaPattern),
        // The earner's identifier may still be Finnish: no rule asks for
        // what a foreign one needs (names, birth date, gender, address).
        (&wage(), "<Type>2<", "<Type>two<", Code::SchemaType),
        (
            &wage(),
            "<PensionProvIdCode>55<",
            "<PensionProvIdCode>x<",
            Code::SchemaType,
        ),
        // A refused Profession Type may be 1, the one time-rate pay needs.
        (
            &wage(),
            "<Type>1</Type>\n\t\t\t\t\t\t\t<Code>32591<",
            "<Type>x</Type><Code>32591<",
            Code::SchemaType,
        ),
    ] {
        assert_eq!(codes_with_refused(record, valid, refused), [schema], "{refused}");
    }
    // A refused income type leaves its transaction to the schema alone.
    assert_eq!(
        codes_with_refused(&wage(), "<TransactionCode>201<", "<TransactionCode>x<"),
        [Code::SchemaType]
    );
}
