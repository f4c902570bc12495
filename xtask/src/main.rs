use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask generate [--schema DIR]     (tables, records.d.ts, typed Rust, docs/rules.md)
       cargo xtask check [--schema DIR]     (exit 1 when the committed tables are stale)
       cargo xtask big-record REPORTS OUT.xml";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let schema_dir = match args.iter().position(|a| a == "--schema") {
        Some(i) => match args.get(i + 1) {
            Some(d) => PathBuf::from(d),
            None => return usage(),
        },
        None => xtask::default_schema_dir(),
    };
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate(&schema_dir, true).and_then(|()| write_from_tables()),
        Some("check") => generate(&schema_dir, false),
        Some("big-record") => match (args.get(1).and_then(|n| n.parse().ok()), args.get(2)) {
            (Some(n), Some(out)) => xtask::bigrecord::write(n, &PathBuf::from(out)),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// Files written by the core crate from its compiled tables, after the
/// tables themselves: (example that prints it, path).
const FROM_TABLES: &[(&str, &str)] = &[
    ("typescript_declarations", "src/wasm/records.d.ts"),
    ("rust_records", "src/typed/generated.rs"),
    ("rules_catalogue", "docs/rules.md"),
];

/// Runs each example with the tables just written and stores its output.
fn write_from_tables() -> Result<(), String> {
    let root = xtask::workspace_root();
    for (example, path) in FROM_TABLES {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["run", "--quiet", "-p", "tulorekisteri", "--example", example])
            .current_dir(&root)
            .output()
            .map_err(|e| format!("cargo run: {e}"))?;
        if !out.status.success() {
            return Err(format!("{example} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let full = root.join(path);
        if std::fs::read(&full).ok().as_deref() != Some(out.stdout.as_slice()) {
            std::fs::write(&full, &out.stdout).map_err(|e| format!("{}: {e}", full.display()))?;
            eprintln!("wrote {path}");
        }
    }
    Ok(())
}

fn generate(schema_dir: &std::path::Path, write: bool) -> Result<(), String> {
    let root = xtask::workspace_root();
    let mut stale = vec![];
    for (path, text) in xtask::generate(schema_dir)? {
        let full = root.join(&path);
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if write {
            std::fs::write(&full, text).map_err(|e| format!("{}: {e}", full.display()))?;
            eprintln!("wrote {}", path.display());
        } else {
            stale.push(path.display().to_string());
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "stale against {}: {} (run `cargo xtask generate`)",
            schema_dir.display(),
            stale.join(", ")
        ))
    }
}
