//! What the service's tests share: a simulator started as the binary (the
//! simulator tests' `simulator_support`, one `simulator init` per test
//! binary, copied per test), `tulorekisteri-shim serve` started as the
//! binary against it on a free port, a small HTTP/1.1 client for the API,
//! and the reports the tests post (the official sample's earnings payment
//! report, with ReportIds of the test's own).

use crate::simulator_support::{self, fresh, Server, BIN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A personal identity code with a valid check character.
pub const PERSON: &str = "010101-123N";

/// A simulator of the test's own folder; `shim.toml` pointed at it, with
/// the service's settings.
pub struct Sim {
    /// Stopped when dropped.
    #[allow(dead_code)]
    pub server: Server,
    pub dir: PathBuf,
    pub token: String,
}

impl Sim {
    /// `simulator serve` with `args`, `shim.toml` pointed at it and
    /// changed by `settings` (`("read_seconds = 5", "read_seconds = 1")`).
    pub fn start(name: &str, args: &[&str], settings: &[(&str, &str)]) -> Sim {
        let dir = fresh(&format!("service-{name}"));
        let server = Server::start(&dir, args);
        let config = dir.join("shim.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text = text.replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port));
        for (from, to) in settings {
            assert!(text.contains(from), "{from} in {text}");
            text = text.replace(from, to);
        }
        std::fs::write(&config, text).unwrap();
        let token = std::fs::read_to_string(dir.join("api-token"))
            .unwrap()
            .trim()
            .to_string();
        Sim { server, dir, token }
    }

    /// `simulator state`.
    pub fn state(&self) -> Value {
        simulator_support::state(&self.dir)
    }

    /// `simulator faults`.
    pub fn faults(&self, args: &[&str]) {
        simulator_support::faults(&self.dir, args)
    }
}

/// A running `tulorekisteri-shim serve`; killed when dropped.
pub struct Shim {
    child: Child,
    pub addr: String,
    /// The service's log lines, as they come.
    pub log: mpsc::Receiver<String>,
}

impl Shim {
    /// `serve --config DIR/shim.toml --listen 127.0.0.1:0`.
    pub fn start(dir: &Path) -> Shim {
        Shim::start_with(&dir.join("shim.toml"), &[])
    }

    /// `serve --config CONFIG --listen 127.0.0.1:0 ARGS...`.
    pub fn start_with(config: &Path, args: &[&str]) -> Shim {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, log) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var_os("SHIM_LOG").is_some() {
                    eprintln!("shim: {line}");
                }
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let listening = line.trim();
        let found = listening
            .strip_prefix("listening on http://")
            .or_else(|| listening.strip_prefix("listening on https://"));
        let Some(addr) = found else {
            let _ = child.kill();
            let errors: Vec<String> = log.try_iter().collect();
            panic!("serve said {line:?}: {errors:?}");
        };
        Shim {
            child,
            addr: addr.to_string(),
            log,
        }
    }

    /// SIGKILL, and wait for the process to end.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// Waits for a log line containing `text`.
    pub fn wait_for_log(&self, text: &str, timeout: Duration) -> Option<String> {
        let end = Instant::now() + timeout;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

impl Drop for Shim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status and body.
pub struct Reply {
    pub status: u16,
    /// The status line and headers.
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of header `name` (lower case), if the answer has it.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request over its own connection.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A refused body may close the connection before it is all written.
    let _ = stream.write_all(body);
    let mut raw = vec![];
    let _ = stream.read_to_end(&mut raw);
    let text_end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..text_end]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[text_end + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

/// The API of one service, with its token.
pub struct Api {
    pub addr: String,
    pub token: String,
}

impl Api {
    pub fn new(shim: &Shim, sim: &Sim) -> Api {
        Api {
            addr: shim.addr.clone(),
            token: sim.token.clone(),
        }
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn get(&self, path: &str) -> Reply {
        request(&self.addr, "GET", path, &[("Authorization", &self.auth())], b"")
    }

    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        request(
            &self.addr,
            "POST",
            path,
            &[("Authorization", &self.auth()), ("Content-Type", content_type)],
            body,
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.post(path, "application/json", body.to_string().as_bytes())
    }

    /// Every event after `cursor` (following pages), and the last cursor.
    pub fn events(&self, mut cursor: i64) -> (Vec<Value>, i64) {
        let mut all = vec![];
        loop {
            let page = self.get(&format!("/v1/events?after={cursor}&limit=10000")).json();
            let list = page["events"].as_array().unwrap().clone();
            if list.is_empty() {
                return (all, cursor);
            }
            cursor = page["next"].as_i64().unwrap();
            all.extend(list);
        }
    }

    /// Reports by state, from `/metrics`.
    pub fn states(&self) -> std::collections::BTreeMap<String, i64> {
        let text = String::from_utf8(self.get("/metrics").body).unwrap();
        let mut out = std::collections::BTreeMap::new();
        for line in text.lines().filter(|l| l.starts_with("tulorekisteri_shim_reports{")) {
            let state = line.split("state=\"").nth(1).unwrap().split('"').next().unwrap();
            let n: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
            *out.entry(state.to_string()).or_default() += n;
        }
        out
    }

    /// Waits until `done` holds of the report counts by state.
    pub fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&std::collections::BTreeMap<String, i64>) -> bool,
    ) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if done(&self.states()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        false
    }
}

/// The official sample's earnings payment record's header and report.
fn sample_parts() -> Option<(Value, Value)> {
    let record = simulator_support::wage_record("unused", 1, &[("r", PERSON)])?;
    let data = record["WageReportsRequestToIR"]["DeliveryData"].clone();
    let report = data["Reports"]["Report"][0].clone();
    Some((data, report))
}

/// `n` earnings payment reports to post, ReportIds `{prefix}-{i}`.
pub fn reports(prefix: &str, n: usize) -> Option<Vec<Value>> {
    let (data, report) = sample_parts()?;
    Some(
        (0..n)
            .map(|i| {
                let mut r = report.clone();
                r["ReportData"]["ReportId"] = json!(format!("{prefix}-{i}"));
                let mut item = json!({
                    "kind": "earnings",
                    "payer": data["Payer"],
                    "paymentPeriod": data["PaymentPeriod"],
                    "report": r,
                });
                if let Some(c) = data.get("ContactPersons") {
                    item["contactPersons"] = c.clone();
                }
                item
            })
            .collect(),
    )
}

/// The payer's identifier in the API.
pub fn payer() -> &'static str {
    simulator_support::BUSINESS_ID
}

/// The moments the crash tests kill the service at: a log line to wait
/// for, or none (a delay that grows with each kill).
pub const KILL_MOMENTS: [Option<&str>; 5] = [
    Some("signed, sending"),
    Some("uncertain"),
    None,
    Some("sent (acknowledged)"),
    Some("final feedback"),
];

/// The crash tests' loop: `kills` times, start the service (`start`), post
/// this kill's batch and the one before again (the same reports posted
/// again are the ones kept), wait for the kill's moment and SIGKILL it.
/// Returns how often each moment was met.
pub fn post_and_kill(
    kills: usize,
    batches: &[&[Value]],
    start: impl Fn() -> (Shim, Api),
) -> std::collections::BTreeMap<String, usize> {
    let mut killed = std::collections::BTreeMap::new();
    for kill in 0..kills {
        let (shim, api) = start();
        for batch in &batches[kill.saturating_sub(1)..=kill] {
            let reply = api.post_json("/v1/reports", &json!(batch));
            assert!(
                matches!(reply.status, 200 | 202),
                "{}",
                String::from_utf8_lossy(&reply.body)
            );
        }
        let moment = KILL_MOMENTS[kill % KILL_MOMENTS.len()];
        let hit = match moment {
            Some(line) => shim.wait_for_log(line, Duration::from_secs(5)).is_some(),
            None => {
                std::thread::sleep(Duration::from_millis(150 + 37 * kill as u64));
                true
            }
        };
        *killed.entry(format!("{moment:?} {hit}")).or_insert(0) += 1;
        shim.kill();
    }
    killed
}

/// Asserts the feed told `expected` reports `stored`, each once.
pub fn assert_stored_told_once(api: &Api, expected: usize) {
    let (events, _) = api.events(0);
    let mut stored: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for e in events.iter().filter(|e| e["state"] == "stored") {
        *stored.entry(e["reportId"].as_str().unwrap()).or_default() += 1;
    }
    assert_eq!(stored.len(), expected);
    assert!(stored.values().all(|n| *n == 1), "a fate told twice");
}
