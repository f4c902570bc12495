//! What the certificate tests share: one `simulator init` with
//! certificates valid for 30 days (inside the 60-day renewal window), copied
//! per test; the simulator started on a free port with a short ready time
//! and revocation grace; the binary run as a user would.

use crate::simulator_support::{self, Server};
pub use crate::simulator_support::{arg, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// How long a replaced certificate is still accepted (the simulator's
/// `--revoke-grace-seconds`).
pub const GRACE_SECONDS: f64 = 1.0;

fn template() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| simulator_support::init("certificates-template", &["--certificate-days", "30"]))
}

/// A simulator of the test's own (its certificates valid for 30 days),
/// serving; `shim.toml` pointed at it.
pub struct Sim {
    #[allow(dead_code)]
    pub server: Server,
    pub dir: PathBuf,
}

impl Sim {
    pub fn start(name: &str) -> Sim {
        let dir = simulator_support::copy_of(template(), name);
        let grace = GRACE_SECONDS.to_string();
        let server = Server::start(
            &dir,
            &["--certificate-ready-seconds", "0.3", "--revoke-grace-seconds", &grace],
        );
        let config = dir.join("shim.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("[certificate_service]"), "{text}");
        std::fs::write(
            &config,
            text.replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port)),
        )
        .unwrap();
        Sim { server, dir }
    }

    /// `simulator transfer DIR --customer-id ID`: the transfer ID and the
    /// password file.
    pub fn transfer(&self, customer_id: &str) -> (String, PathBuf) {
        let r = run(&["simulator", "transfer", arg(&self.dir), "--customer-id", customer_id]);
        assert_eq!(r.status, 0, "{r}");
        let line = |prefix: &str| {
            r.stdout
                .lines()
                .find_map(|l| l.strip_prefix(prefix))
                .unwrap_or_else(|| panic!("{prefix} in {r}"))
                .trim()
                .to_string()
        };
        (line("transfer id: "), PathBuf::from(line("password file: ")))
    }

    /// A configuration of the simulator with `certificates` (TOML) only.
    pub fn config(&self, name: &str, certificates: &str, rest: &str) -> PathBuf {
        let text = std::fs::read_to_string(self.dir.join("shim.toml")).unwrap();
        let top: String = text
            .lines()
            .take_while(|l| !l.starts_with('['))
            .map(|l| format!("{l}\n"))
            .collect();
        let service = text
            .split("\n[certificate_service]\n")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap();
        let path = self.dir.join(name);
        std::fs::write(
            &path,
            format!("{top}\n{certificates}\n[certificate_service]\n{service}\n[timeouts]\nconnect_seconds = 5\nread_seconds = 5\n\n[polling]\nfirst_after_seconds = 1\nevery_seconds = 1\ngive_up_after_seconds = 60\n{rest}"),
        )
        .unwrap();
        path
    }
}

impl Sim {
    /// POSTs `body` to `path` with curl, without a client certificate: the
    /// HTTP status and the body (`None` without curl).
    pub fn post_anonymous(&self, path: &str, action: &str, body: &[u8]) -> Option<(u16, String)> {
        if !crate::simulator_support::has("curl") {
            return None;
        }
        let request = self.dir.join("anonymous.xml");
        std::fs::write(&request, body).unwrap();
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20", "--cacert"])
            .arg(self.dir.join("ca/server-ca.pem"))
            .args(["-H", "Content-Type: text/xml; charset=utf-8"])
            .args(["-H", &format!("SOAPAction: \"{action}\"")])
            .arg("--data-binary")
            .arg(format!("@{}", request.display()))
            .args(["-w", "\n%{http_code}"])
            .arg(format!("https://127.0.0.1:{}{path}", self.server.port))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        Some((code.trim().parse().unwrap_or(0), body.to_string()))
    }
}

/// The mode bits of a file.
#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
