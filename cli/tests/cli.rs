//! The command-line contract: exit statuses, output formats, and that
//! `build -o` writes a file whole or not at all.

#[path = "../../tests/support/workspace.rs"]
mod workspace;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tulorekisteri"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The example record of scripts/run.sh, as the commands take and name it.
fn example() -> String {
    workspace::fixture("wage-report.xml").to_str().unwrap().to_string()
}

/// Its copy with planted problems.
fn broken() -> String {
    workspace::fixture("wage-report-broken.xml")
        .to_str()
        .unwrap()
        .to_string()
}

/// The example of scripts/run.sh passes the schema and the rules, and its
/// broken copy reports each planted problem once (no rule calls the
/// refused Amount missing).
#[test]
fn the_example_record_is_valid_and_its_broken_copy_is_not() {
    let (example, broken) = (example(), broken());
    let out = run(&["validate", &example], "");
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), String::new()));
    let out = run(&["validate", "--format", "json", &broken], "");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "schema-type",
            "schema-type",
            "schema-missing-element",
            "rule-personal-id",
            "schema-pattern"
        ]
    );
}

#[test]
fn validate_reports_each_problem_as_file_line_column_code() {
    let broken = broken();
    let out = run(&["validate", &broken], "");
    assert_eq!(out.status.code(), Some(1));
    let first = text(&out.stdout).lines().next().unwrap().to_string();
    assert_eq!(
        first,
        format!("{broken}:10:3: schema-type: expected an integer (xs:int), found \"one\" (/WageReportsRequestToIR/DeliveryData/FaultyControl)")
    );
    let out = run(&["validate", "--format", "json", &broken], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v[0].as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["file", "line", "column", "path", "code", "severity", "message"] {
        assert!(keys.contains(&k), "{k} missing");
    }
    assert_eq!(run(&["validate"], "").status.code(), Some(2));
    assert_eq!(run(&["validate", "/nonexistent.xml"], "").status.code(), Some(2));
    assert_eq!(run(&["validate", "--bogus", &broken], "").status.code(), Some(2));
}

#[test]
fn build_and_parse_round_trip_through_the_command_line() {
    let broken = broken();
    let dir = std::env::temp_dir().join(format!("tulorekisteri-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("echo.xml");
    let out = run(
        &["build", "-", "-o", out_file.to_str().unwrap()],
        r#"{"Echo": {"Data": "a & b"}}"#,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let xml = std::fs::read_to_string(&out_file).unwrap();
    assert!(xml.contains("<Data>a &amp; b</Data>"));

    let out = run(&["parse", out_file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"Echo": {"Data": "a & b"}}));

    // A bad object: exit 1, problems with object paths, no file written.
    let bad_file = dir.join("bad.xml");
    let out = run(
        &["build", "-", "-o", bad_file.to_str().unwrap()],
        r#"{"Echo": {"Data": "x", "Extra": 1}}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "-: build-field: unknown field \"Extra\"; ire:EchoMessage has Data (Extra)\n"
    );
    assert!(!bad_file.exists());
    assert!(std::fs::read_dir(&dir)
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));

    // Not JSON: exit 1; a missing input: exit 2.
    assert_eq!(run(&["build", "-"], "{").status.code(), Some(1));
    assert_eq!(run(&["build", "/nonexistent.json"], "").status.code(), Some(2));
    assert_eq!(run(&["build"], "").status.code(), Some(2));

    // parse of an invalid record: exit 1 with positioned problems on stderr.
    let out = run(&["parse", &broken], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with(&format!("{broken}:10:3: schema-type:")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The XML declaration may only open the document: after a comment it is
/// refused at its line and column, with the rules or without them.
#[test]
fn a_declaration_after_a_comment_is_refused_at_its_place() {
    let record = "<!-- first -->\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ir:Echo xmlns:ir=\"http://www.tulorekisteri.fi/2017/1/Echo\"><Data>x</Data></ir:Echo>\n";
    for args in [&["validate", "-"][..], &["validate", "--schema-only", "-"]] {
        let out = run(args, record);
        assert_eq!(
            (out.status.code(), text(&out.stdout)),
            (
                Some(1),
                "-:2:1: xml-syntax: the XML declaration is allowed only at the very start of the document\n".into()
            )
        );
    }
}

/// `--name=value` is `--name value`, and `--` ends the options.
#[test]
fn options_take_their_values_either_way() {
    let broken = broken();
    let out = run(&["validate", "--format=json", "--lang", "fi", "--", &broken], "");
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 5);
    // After `--`, what looks like an option is a file name.
    let out = run(&["validate", "--", "--format"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("tulorekisteri: --format: "));
}

/// Help goes to standard output with status 0: the commands, and each
/// command's options, defaults and exit statuses.
#[test]
fn help_lists_the_commands_and_each_commands_options() {
    let out = run(&["validate", "--help"], "");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for part in [
        "Usage: tulorekisteri validate [OPTIONS] <FILE>...",
        "--schema-only",
        "--format <text|json>",
        "[default: text]",
        "--lang <fi|sv|en>",
        "[default: en]",
        "--today <YYYY-MM-DD>",
        "--environment <production|test>",
        "Exit status: 0 all valid, 1 a file has a problem, 2 usage or I/O error.",
    ] {
        assert!(help.contains(part), "{part:?} is missing from:\n{help}");
    }
    for args in [&["--help"][..], &["help"]] {
        let out = run(args, "");
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        for command in ["validate", "build", "parse", "sign", "verify"] {
            assert!(
                help.contains(&format!("\n  {command} ")),
                "{command} is missing from:\n{help}"
            );
        }
    }
    for command in ["build", "parse", "sign", "verify"] {
        for args in [[command, "--help"], ["help", command]] {
            let out = run(&args, "");
            assert_eq!(out.status.code(), Some(0));
            let help = text(&out.stdout);
            assert!(help.contains(&format!("Usage: tulorekisteri {command} ")), "{help}");
            assert!(help.contains("Exit status: 0"), "{help}");
        }
    }
    let out = run(&["--version"], "");
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), format!("tulorekisteri {}\n", env!("CARGO_PKG_VERSION")))
    );
}

/// A usage error is a short message on standard error, status 2: what is
/// wrong, the command's usage, where to read more; not the whole manual.
#[test]
fn a_usage_error_says_what_is_wrong_in_a_few_lines() {
    let out = run(&["validate", "--bogus", &example()], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let error = text(&out.stderr);
    assert!(
        error.starts_with("error: unexpected argument '--bogus' found"),
        "{error}"
    );
    assert!(error.contains("Usage: tulorekisteri validate "), "{error}");
    assert!(error.contains("For more information, try '--help'."), "{error}");
    for other in ["build", "parse", "sign", "verify"] {
        assert!(!error.contains(&format!("tulorekisteri {other}")), "{error}");
    }
    assert!(error.lines().count() <= 8, "{error}");

    let example = example();
    let usage_errors: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["validate"],
        &["validate", "--format", "yaml", &example],
        &["validate", "--lang", "de", &example],
        &["validate", "--today", "2022-13-01", &example],
        &["validate", "--environment", "prod", &example],
        &["validate", "--format"],
        &["build"],
        &["build", "a.json", "b.json"],
        &["parse"],
        &["sign", &example],
        &["sign", "--key", "k.pem", &example],
        &["sign", "--p12", "k.p12", &example],
        &["sign", "--key", "k.pem", "--cert", "c.pem", "--p12", "k.p12", &example],
        &[
            "sign",
            "--key",
            "k.pem",
            "--cert",
            "c.pem",
            "--password-file",
            "f",
            &example,
        ],
        &[
            "sign",
            "--p12",
            "k.p12",
            "--password-file",
            "f",
            "--passphrase-file",
            "f",
            &example,
        ],
        &["verify"],
        &["verify", "--at", "yesterday", &example],
    ];
    for args in usage_errors {
        let out = run(args, "");
        let error = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {error}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            error.starts_with("error: ") && error.ends_with("For more information, try '--help'.\n"),
            "{args:?}: {error}"
        );
    }
}
