//! A simulator with its SFTP server, on free ports, and `shim.toml`
//! pointed at both; what the SFTP tests check of the Register's state.

use crate::simulator_support::{self, fresh, Server};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `simulator serve DIR --listen 127.0.0.1:0 --sftp-listen 127.0.0.1:0`,
/// stopped when dropped.
pub struct SftpSim {
    /// Stopped when dropped.
    #[allow(dead_code)]
    server: Server,
    pub dir: PathBuf,
    pub token: String,
}

impl SftpSim {
    /// Starts the simulator with `args`; `shim.toml` points at it, sends
    /// deferred records over `channel` (`"ws"` or `"sftp"`) and is changed
    /// by `settings` (`("read_seconds = 5", "read_seconds = 1")`).
    pub fn start(name: &str, channel: &str, args: &[&str], settings: &[(&str, &str)]) -> SftpSim {
        let dir = fresh(&format!("service-sftp-{name}"));
        let (server, sftp_port) = Server::start_with_sftp(&dir, args);
        let (port, sftp) = (server.port, format!("127.0.0.1:{sftp_port}"));
        let config = dir.join("shim.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        let mut lines = vec![];
        let mut section = String::new();
        for line in text.lines() {
            if line.starts_with('[') {
                section = line.to_string();
            }
            let line = match () {
                _ if section == "[sftp]" && line.starts_with("address = ") => format!("address = \"{sftp}\""),
                _ => line.replace("127.0.0.1:8443", &format!("127.0.0.1:{port}")),
            };
            lines.push(line);
            if line_is(&lines, "[service]") {
                lines.push(format!("channel = \"{channel}\""));
            }
        }
        let mut text = lines.join("\n") + "\n";
        for (from, to) in settings {
            assert!(text.contains(from), "{from} in {text}");
            text = text.replace(from, to);
        }
        std::fs::write(&config, text).unwrap();
        let token = std::fs::read_to_string(dir.join("api-token"))
            .unwrap()
            .trim()
            .to_string();
        SftpSim { server, dir, token }
    }

    /// `simulator state`.
    pub fn state(&self) -> Value {
        simulator_support::state(&self.dir)
    }

    /// `simulator faults`.
    pub fn faults(&self, args: &[&str]) {
        simulator_support::faults(&self.dir, args)
    }

    /// The names of the files in the account's folder `folder`.
    pub fn files(&self, folder: &str) -> Vec<String> {
        let path = self.dir.join("sftp").join(simulator_support::BUSINESS_ID).join(folder);
        let mut names: Vec<String> = std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    /// The API of `shim` with this simulator's token.
    pub fn api(&self, shim: &crate::support::Shim) -> crate::support::Api {
        crate::support::Api {
            addr: shim.addr.clone(),
            token: self.token.clone(),
        }
    }

    /// The port of the simulator's SFTP server (as `shim.toml` says).
    pub fn sftp_port(&self) -> u16 {
        let text = std::fs::read_to_string(self.config()).unwrap();
        let config: toml::Value = toml::from_str(&text).unwrap();
        let address = config["sftp"]["address"].as_str().unwrap();
        address.rsplit(':').next().unwrap().parse().unwrap()
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("shim.toml")
    }
}

fn line_is(lines: &[String], text: &str) -> bool {
    lines.last().map(String::as_str) == Some(text)
}

/// The Register holds `expected` reports, each once at version 1 and
/// valid; every delivery arrived exactly once, over SFTP.
pub fn check_once(state: &Value, expected: usize) {
    let reports = state["reports"].as_array().unwrap();
    let ids: BTreeSet<&str> = reports.iter().map(|r| r["reportId"].as_str().unwrap()).collect();
    assert_eq!(reports.len(), expected, "reports held");
    assert_eq!(ids.len(), expected, "a report stored twice");
    for r in reports {
        assert!(r["version"] == 1 && r["state"] == "valid", "{r}");
    }
    for d in state["deliveries"].as_array().unwrap() {
        assert_eq!(d["arrivals"], 1, "a delivery arrived more than once: {d}");
        assert_eq!(d["channel"], "sftp", "{d}");
    }
}
