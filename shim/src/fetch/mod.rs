//! `tulorekisteri-shim fetch --config FILE [--out DIR]`: the data the
//! Register distributes to a data user (`WageReportsFromIR` and the other
//! `*FromIR` documents of its subscriptions), picked up from the SFTP
//! account's data folder (`[sftp] data_dir`). Each file not fetched yet is
//! read, verified against `response_ca` and parsed with the core
//! ([`convert`]), written as `<out>/<name>.json`, and only then recorded in
//! `<out>/fetched.json` ([`store`]). The files on the server are never
//! removed: what was fetched is known by `fetched.json`.

pub mod convert;
mod sftp_source;
pub mod store;

use crate::config::Config;
use crate::exit;
use clap::Args;
use std::future::Future;
use std::path::{Path, PathBuf};
use store::{clashes_with_tracking, plain_name, Fetched};

/// `fetch --config FILE [--out DIR]`
#[derive(Args, Debug)]
pub struct FetchArgs {
    /// The configuration file (its `[sftp]` section and `response_ca`)
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Where the JSON files and fetched.json go (default: `fetched` in the
    /// configuration file's folder)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Where distributed files come from: the SFTP account's data folder, or
/// (in tests) a local folder.
pub trait Source {
    /// The names of the files there.
    fn list(&mut self) -> impl Future<Output = Result<Vec<String>, String>>;
    /// The bytes of the file `name`.
    fn read(&mut self, name: &str) -> impl Future<Output = Result<Vec<u8>, String>>;
}

/// A local folder as a [`Source`].
pub struct Folder(pub PathBuf);

impl Source for Folder {
    async fn list(&mut self) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(&self.0).map_err(|e| format!("{}: {e}", self.0.display()))?;
        Ok(entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect())
    }

    async fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        let path = self.0.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Fetched and written: the JSON file, the root.
    Fetched { name: String, json: PathBuf, root: String },
    /// Refused: nothing written of it, not recorded (fetched again, and
    /// refused again, next time).
    Refused {
        name: String,
        why: String,
        kind: &'static str,
    },
    /// It could not be read from the source, or written here.
    Failed { name: String, why: String },
}

/// What one fetch did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// One event per new file, in name order.
    pub events: Vec<Event>,
    /// Files fetched before (left alone).
    pub already: usize,
    /// Files that are not data files (`.part`, hidden): left alone.
    pub ignored: usize,
}

impl Summary {
    /// The exit status: 0 all fetched, 1 a file refused, 3 a file could
    /// not be read or written (try again).
    pub fn status(&self) -> u8 {
        let failed = self.events.iter().any(|e| matches!(e, Event::Failed { .. }));
        let refused = self.events.iter().any(|e| matches!(e, Event::Refused { .. }));
        match (failed, refused) {
            (true, _) => exit::PENDING,
            (false, true) => exit::REJECTED,
            (false, false) => exit::OK,
        }
    }
}

/// Fetches every file of `source` not in `<out>/fetched.json` yet.
/// `Err`: the list could not be had, or `fetched.json` read (nothing
/// fetched).
pub async fn fetch_new(source: &mut impl Source, out: &Path, response_ca: &[Vec<u8>]) -> Result<Summary, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut fetched = Fetched::read(out)?;
    let mut names = source.list().await?;
    names.sort();
    let mut summary = Summary::default();
    for name in names {
        let Some(name) = plain_name(&name).map(str::to_string) else {
            summary.ignored += 1;
            continue;
        };
        if fetched.has(&name) {
            summary.already += 1;
            continue;
        }
        if clashes_with_tracking(&name) {
            // Not a name the Register gives; its JSON would be fetched.json.
            summary.events.push(Event::Refused {
                why: format!("its JSON would overwrite {}, fetch's own tracking file", store::FETCHED),
                name,
                kind: "reserved-name",
            });
            continue;
        }
        let bytes = match source.read(&name).await {
            Ok(b) => b,
            Err(why) => {
                summary.events.push(Event::Failed { name, why });
                continue;
            }
        };
        let event = match convert::convert(&bytes, response_ca) {
            Err(refused) => Event::Refused {
                name,
                why: refused.to_string(),
                kind: refused.kind(),
            },
            Ok(c) => {
                let now = crate::client::request::timestamp_now();
                match fetched.keep(out, &name, &bytes, &c.root, &c.json, &now) {
                    Ok(json) => Event::Fetched {
                        name,
                        json,
                        root: c.root,
                    },
                    Err(why) => Event::Failed { name, why },
                }
            }
        };
        summary.events.push(event);
    }
    Ok(summary)
}

/// The output folder: `--out`, else `fetched` beside the configuration file.
pub fn out_dir(args: &FetchArgs, config: &Path) -> PathBuf {
    match &args.out {
        Some(out) => out.clone(),
        None => config.parent().unwrap_or(Path::new(".")).join("fetched"),
    }
}

fn print(summary: &Summary) {
    for e in &summary.events {
        match e {
            Event::Fetched { name, json, root } => println!("fetched {name} ({root}) -> {}", json.display()),
            Event::Refused { name, why, .. } => eprintln!("refused {name}: {why}; nothing written of it"),
            Event::Failed { name, why } => eprintln!("not fetched {name}: {why}; fetch again"),
        }
    }
    let count = |f: fn(&Event) -> bool| summary.events.iter().filter(|e| f(e)).count();
    println!(
        "{} fetched, {} refused, {} failed, {} fetched before",
        count(|e| matches!(e, Event::Fetched { .. })),
        count(|e| matches!(e, Event::Refused { .. })),
        count(|e| matches!(e, Event::Failed { .. })),
        summary.already
    );
}

fn fail(code: u8, m: &str) -> u8 {
    eprintln!("tulorekisteri-shim fetch: {m}");
    code
}

/// The `fetch` command.
pub fn fetch(args: FetchArgs) -> u8 {
    let config = match Config::read(&args.config) {
        Ok(c) => c,
        Err(e) => return fail(exit::USAGE, &e.0),
    };
    let Some(settings) = config.sftp.clone() else {
        return fail(
            exit::USAGE,
            &format!(
                "{} has no [sftp] section (the SFTP account to fetch from)",
                args.config.display()
            ),
        );
    };
    let out = out_dir(&args, &args.config);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(exit::PENDING, &e.to_string()),
    };
    runtime.block_on(async {
        let mut source = match sftp_source::Account::connect(&settings, &config.timeouts).await {
            Ok(s) => s,
            Err(e) if e.is_configuration() => return fail(exit::USAGE, &e.to_string()),
            Err(e) => return fail(exit::PENDING, &format!("{e}; nothing fetched, fetch again")),
        };
        let result = fetch_new(&mut source, &out, &config.response_ca).await;
        source.close().await;
        match result {
            Ok(summary) => {
                print(&summary);
                summary.status()
            }
            Err(e) => fail(exit::PENDING, &format!("{e}; nothing fetched")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_fetched_xml_is_refused_before_it_is_read() {
        let dir = std::env::temp_dir().join(format!("fetch-clash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (data, out) = (dir.join("data"), dir.join("out"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("fetched.xml"), "<x/>").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let summary = runtime.block_on(fetch_new(&mut Folder(data), &out, &[])).unwrap();
        match &summary.events[..] {
            [Event::Refused { name, kind, why }] => {
                assert_eq!((name.as_str(), *kind), ("fetched.xml", "reserved-name"));
                assert!(why.contains("fetched.json"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(summary.status(), exit::REJECTED);
        assert!(!out.join(store::FETCHED).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
