//! What the simulator's tests share: one `simulator init` per test binary
//! (RSA keys take a moment), copied for each test; a server started as the
//! binary, on a free loopback port; requests sent with curl; records signed
//! with the core. A missing tool (curl, openssl, xmlsec1) or reference file
//! is a printed skip on a developer's machine and a failure in CI.

// Each test binary uses a part of this.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use tulorekisteri::signature::{sign, Certificate, Signer, Verified, VerifyOptions};
use tulorekisteri_shim::soap;

pub const BIN: &str = env!("CARGO_BIN_EXE_tulorekisteri-shim");
pub const BUSINESS_ID: &str = "1234567-1";

/// Whether a test may go on without `what`: prints the skip (and fails in CI).
pub fn skip(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "{what}: CI must run every check");
    println!("skipped: {what}");
}

/// Whether the command `name` is installed (runs `name --version`).
pub fn has(name: &str) -> bool {
    let found = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        skip(&format!("{name} is not installed"));
    }
    found
}

/// This run's folder below the target folder (removed with `cargo clean`).
fn base() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("simulator-{}", std::process::id()))
}

/// A folder `simulator init` made, once per test binary.
pub fn template() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| init("template", &[]))
}

/// `simulator init` into this run's folder `name`, with `extra` options.
pub fn init(name: &str, extra: &[&str]) -> PathBuf {
    let dir = base().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(BIN)
        .args(["simulator", "init"])
        .arg(&dir)
        .args(["--listen", "127.0.0.1:8443", "--business-id", BUSINESS_ID])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of `template` as this run's folder `name`.
pub fn copy_of(template: &Path, name: &str) -> PathBuf {
    let dir = base().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy(template, &dir);
    dir
}

/// A test's own copy of the template.
pub fn fresh(name: &str) -> PathBuf {
    copy_of(template(), name)
}

/// The organisation's signer for a purpose (`earnings`, `benefits`, `data`).
pub fn signer(dir: &Path, purpose: &str) -> Signer {
    let key = std::fs::read_to_string(dir.join(format!("org/{purpose}-key.pem"))).unwrap();
    let cert = std::fs::read(dir.join(format!("org/{purpose}-cert.pem"))).unwrap();
    Signer::from_pem(&key, &cert, None).unwrap()
}

/// `record` built, signed with the organisation's `purpose` key, in an envelope.
pub fn envelope(dir: &Path, purpose: &str, record: &Value) -> Vec<u8> {
    let xml = tulorekisteri::build(record).unwrap_or_else(|p| panic!("{p:?}"));
    soap::envelope(&sign(xml.as_bytes(), &signer(dir, purpose)).unwrap())
}

/// `xs:dateTime` now.
pub fn timestamp() -> String {
    tulorekisteri_shim::simulator::clock::date_time(tulorekisteri_shim::simulator::clock::now())
}

/// The header fields of every request of the organisation.
pub fn parties() -> Value {
    let id = json!({ "Type": 1, "Code": BUSINESS_ID });
    json!({ "DeliveryDataOwner": id, "DeliveryDataCreator": id, "DeliveryDataSender": id })
}

/// A running `simulator serve`, stopped when dropped.
pub struct Server {
    pub dir: PathBuf,
    pub port: u16,
    child: Child,
}

impl Server {
    /// Starts `serve DIR --listen 127.0.0.1:0 ARGS...` and waits until it listens.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["simulator", "serve"])
            .arg(dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on https://127.0.0.1:")
            .and_then(|r| r.strip_suffix("/20170526"))
            .unwrap_or_else(|| panic!("serve said {line:?}"))
            .parse()
            .unwrap();
        Server {
            dir: dir.to_path_buf(),
            port,
            child,
        }
    }

    /// POSTs `body` to `/20170526/<service>.svc` with curl, presenting the
    /// organisation's `cert` (`org/<cert>.pem` and its key): curl's exit
    /// status, the HTTP status and the body.
    pub fn post_as(&self, cert: &str, key: &str, service: &str, action: &str, body: &[u8]) -> (i32, u16, Vec<u8>) {
        let work = self.dir.join("requests");
        std::fs::create_dir_all(&work).unwrap();
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let request = work.join(format!("{n}.xml"));
        let answer = work.join(format!("{n}.answer"));
        std::fs::write(&request, body).unwrap();
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20"])
            .arg("--cert")
            .arg(self.dir.join(cert))
            .arg("--key")
            .arg(self.dir.join(key))
            .arg("--cacert")
            .arg(self.dir.join("ca/server-ca.pem"))
            .args(["-H", "Content-Type: text/xml; charset=utf-8"])
            .args(["-H", &format!("SOAPAction: \"{action}\"")])
            .arg("--data-binary")
            .arg(format!("@{}", request.display()))
            .arg("-o")
            .arg(&answer)
            .args(["-w", "%{http_code}"])
            .arg(format!("https://127.0.0.1:{}/20170526/{service}.svc", self.port))
            .output()
            .unwrap();
        let code = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
        let body = std::fs::read(&answer).unwrap_or_default();
        (out.status.code().unwrap_or(-1), code, body)
    }

    /// POSTs with the organisation's `purpose` certificate.
    pub fn post(&self, purpose: &str, service: &str, action: &str, body: &[u8]) -> (i32, u16, Vec<u8>) {
        self.post_as(
            &format!("org/{purpose}-cert.pem"),
            &format!("org/{purpose}-key.pem"),
            service,
            action,
            body,
        )
    }

    /// Sends a record and returns the answer record (HTTP 200 expected).
    pub fn send(&self, purpose: &str, service: &str, action: &str, record: &Value) -> Vec<u8> {
        let (rc, code, body) = self.post(purpose, service, action, &envelope(&self.dir, purpose, record));
        assert_eq!((rc, code), (0, 200), "{}", String::from_utf8_lossy(&body));
        answer(&body)
    }
}

impl Server {
    /// Starts `serve DIR --listen 127.0.0.1:0 --sftp-listen 127.0.0.1:0
    /// ARGS...`: the server and its SFTP port (the second line printed).
    pub fn start_with_sftp(dir: &Path, args: &[&str]) -> (Server, u16) {
        let mut child = Command::new(BIN)
            .args(["simulator", "serve"])
            .arg(dir)
            .args(["--listen", "127.0.0.1:0", "--sftp-listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut https, mut sftp) = (String::new(), String::new());
        out.read_line(&mut https).unwrap();
        out.read_line(&mut sftp).unwrap();
        let port = https
            .trim()
            .strip_prefix("listening on https://127.0.0.1:")
            .and_then(|r| r.strip_suffix("/20170526"))
            .unwrap_or_else(|| panic!("serve said {https:?}"))
            .parse()
            .unwrap();
        let sftp_port = sftp
            .trim()
            .strip_prefix("sftp listening on 127.0.0.1:")
            .unwrap_or_else(|| panic!("serve said {sftp:?}"))
            .parse()
            .unwrap();
        let server = Server {
            dir: dir.to_path_buf(),
            port,
            child,
        };
        (server, sftp_port)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it as a service manager does (SIGTERM) and waits until it is
    /// gone; dropping a `Server` kills it (SIGKILL) instead.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "serve ended with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The record in an answer envelope.
pub fn answer(body: &[u8]) -> Vec<u8> {
    match soap::read(body) {
        Ok(soap::Body::Record(r)) => r.to_vec(),
        other => panic!("not an answer: {other:?}"),
    }
}

/// The answer's signature verified against `ca/response-ca.pem`.
pub fn verify(dir: &Path, record: &[u8]) -> Verified {
    let ca = Certificate::pem_bundle(&std::fs::read(dir.join("ca/response-ca.pem")).unwrap()).unwrap();
    tulorekisteri::signature::verify(record, &VerifyOptions::default().trust(ca)).unwrap()
}

/// The answer's signature verified, and the answer as an object.
pub fn read(dir: &Path, record: &[u8]) -> Value {
    let v = verify(dir, record);
    assert!(v.trust.is_trusted(), "{:?}", v.trust.problems);
    tulorekisteri::parse(record).unwrap_or_else(|p| panic!("{p:?}"))
}

/// `simulator state DIR`.
pub fn state(dir: &Path) -> Value {
    let out = Command::new(BIN)
        .args(["simulator", "state"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `simulator faults DIR ARGS...`.
pub fn faults(dir: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(["simulator", "faults"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The official sample of an earnings payment report, as an object.
pub fn sample() -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ir/samples/esimerkki_nt1.xml");
    match std::fs::read(&path) {
        Ok(bytes) => Some(tulorekisteri::parse(&bytes).unwrap()),
        Err(_) => {
            skip(&format!("{} is absent", path.display()));
            None
        }
    }
}

/// A deferred earnings payment record from the official sample: its
/// DeliveryData and report, the parties set to the organisation, with
/// `reports` (each the sample's report with a ReportId and an income
/// earner's personal identity code).
pub fn wage_record(delivery_id: &str, faulty_control: i64, reports: &[(&str, &str)]) -> Option<Value> {
    let sample = sample()?;
    let mut data = sample["WageReportRequestToIR"]["DeliveryData"].clone();
    let report = data["Reports"]["Report"][0].clone();
    let list: Vec<Value> = reports
        .iter()
        .map(|(id, person)| {
            let mut r = report.clone();
            r["ReportData"]["ReportId"] = json!(id);
            r["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"] = json!(person);
            r["IncomeEarner"]["AccidentInsurance"]["AccInsProvId"]["Code"] = json!(BUSINESS_ID);
            r
        })
        .collect();
    data["Reports"]["Report"] = json!(list);
    data["Payer"]["PayerIds"]["Id"][0]["Code"] = json!(BUSINESS_ID);
    data["DeliveryId"] = json!(delivery_id);
    data["Timestamp"] = json!(timestamp());
    data["FaultyControl"] = json!(faulty_control);
    data["ProductionEnvironment"] = json!(false);
    for (k, v) in parties().as_object().unwrap() {
        data[k] = v.clone();
    }
    Some(json!({ "WageReportsRequestToIR": { "DeliveryData": data } }))
}

/// What a command printed and its exit status.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// `tulorekisteri-shim ARGS...`, run where the test runs (blocking).
pub fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}
