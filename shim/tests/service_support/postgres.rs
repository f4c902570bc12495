//! A real PostgreSQL server for the tests, started in a temporary folder.
//!
//! How: Debian's `postgresql` package provides the programs (in
//! `/usr/lib/postgresql/VERSION/bin`; `scripts/test.sh` installs it; the
//! cluster the package may make is not used). The server refuses to run as
//! root, so when the tests run as root they make a system user
//! `tulorekisteri-pg` (no home, no shell) and run `initdb` and `pg_ctl` as
//! it with `runuser`; as any other user they run them directly. The folder,
//! under `CARGO_TARGET_TMPDIR` (whose parents that user must be able to
//! enter), holds the data and the log and belongs to that user. The
//! cluster's superuser is `tulorekisteri` with trust authentication; the
//! server listens on 127.0.0.1 only, on a free port, with no unix socket
//! and `fsync` on (a commit is durable, as in production). Dropping the
//! `PgServer` stops it (`pg_ctl stop -m immediate`) and removes the folder;
//! a watcher process does the same when the test binary ends without
//! dropping it (`PgServer::shared`, one server per binary with a database
//! per test, or a killed binary). Without PostgreSQL a test prints
//! `skipped: ...` and passes, except under `CI`, where it fails.

// Each test binary uses a part of this.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The unprivileged user the server runs as when the tests run as root.
const SYSTEM_USER: &str = "tulorekisteri-pg";
/// The cluster's superuser (trust authentication on 127.0.0.1).
pub const USER: &str = "tulorekisteri";
/// The database `start` makes.
pub const DATABASE: &str = "ledger";

/// A running PostgreSQL server; stopped and removed on drop.
pub struct PgServer {
    bin: PathBuf,
    folder: PathBuf,
    /// The user to run the server's programs as (`None`: the current one).
    run_as: Option<String>,
    port: u16,
}

/// The newest installed PostgreSQL's programs folder.
fn bin_folder() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn skip(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "{what}: CI must run every check");
    println!("skipped: {what}");
}

fn run(command: &mut Command) -> Result<Output, String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{command:?}: {}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn user_exists() -> bool {
    Command::new("id")
        .arg(SYSTEM_USER)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes the system user unless it exists.
fn ensure_user() -> Result<(), String> {
    if user_exists() {
        return Ok(());
    }
    let made = run(Command::new("useradd").args([
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        SYSTEM_USER,
    ]));
    // Another test binary may have made it meanwhile.
    made.map(drop).or_else(|e| if user_exists() { Ok(()) } else { Err(e) })
}

/// A port nobody listens on now (the server takes it a moment later).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// A folder name unique in this process and among processes.
fn fresh_folder(parent: &Path) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    parent.join(format!("pg-{}-{n}", std::process::id()))
}

impl PgServer {
    /// Starts a server with the database `ledger`; `None` (a printed skip)
    /// when PostgreSQL is not installed, a panic under `CI` then, and a panic
    /// when it is installed but does not start.
    pub fn start() -> Option<PgServer> {
        let Some(bin) = bin_folder() else {
            skip("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin; apt-get install postgresql)");
            return None;
        };
        match PgServer::start_in(bin) {
            Ok(server) => Some(server),
            Err(e) => panic!("PostgreSQL did not start: {e}"),
        }
    }

    /// One server for all the tests of a binary (each makes its own
    /// database): started by the first, stopped by its guard (see `guard`)
    /// when the binary exits.
    pub fn shared() -> Option<&'static PgServer> {
        static SHARED: OnceLock<Option<PgServer>> = OnceLock::new();
        SHARED.get_or_init(PgServer::start).as_ref()
    }

    fn start_in(bin: PathBuf) -> Result<PgServer, String> {
        let run_as = if is_root() {
            ensure_user()?;
            Some(SYSTEM_USER.to_string())
        } else {
            None
        };
        let parent = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let folder = fresh_folder(&parent);
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let mut server = PgServer {
            bin,
            folder,
            run_as,
            port: 0,
        };
        if let Some(user) = &server.run_as {
            run(Command::new("chown").arg(format!("{user}:")).arg(&server.folder))?;
        }
        let data = server.folder.join("data");
        let options = ["-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"];
        let mut args = vec![OsStr::new("-D"), data.as_os_str()];
        args.extend(options.map(OsStr::new));
        server.pg("initdb", &args)?;
        // A port can be taken between choosing and binding it: try again.
        let mut last = String::new();
        for _ in 0..3 {
            server.port = free_port()?;
            let settings = format!(
                "\n# The tests' server (shim/tests/service_support/postgres.rs)\n\
                 port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = on\n",
                server.port
            );
            std::fs::write(data.join("postgresql.auto.conf"), settings).map_err(|e| e.to_string())?;
            let log = server.folder.join("log");
            let mut args = vec![OsStr::new("-D"), data.as_os_str(), OsStr::new("-l"), log.as_os_str()];
            args.extend(["-w", "-t", "60", "start"].map(OsStr::new));
            let started = server.pg("pg_ctl", &args);
            match started {
                Ok(()) => {
                    server.guard()?;
                    server.make_database(DATABASE)?;
                    return Ok(server);
                }
                Err(e) => {
                    let log = std::fs::read_to_string(server.folder.join("log")).unwrap_or_default();
                    last = format!("{e}\n{log}");
                }
            }
        }
        Err(last)
    }

    /// The command running one of the server's programs as its user.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    /// Runs one of the server's programs as its user, in its folder.
    fn pg(&self, program: &str, args: &[&OsStr]) -> Result<(), String> {
        run(self.command(program).args(args).current_dir(&self.folder)).map(drop)
    }

    /// The arguments of `pg_ctl` that stop the server at once.
    fn stop_args(&self) -> Vec<PathBuf> {
        let data = self.folder.join("data");
        let args = ["-m", "immediate", "-w", "stop"].map(PathBuf::from);
        [PathBuf::from("-D"), data].into_iter().chain(args).collect()
    }

    /// Starts a watcher that stops the server and removes its folder when
    /// this process ends without dropping it: a shared server (statics are
    /// never dropped), a test binary killed or interrupted. It gives up once
    /// the folder is gone (dropped), and sits in its own process group so
    /// Ctrl-C does not take it along.
    fn guard(&self) -> Result<(), String> {
        let script = r#"pid=$1 folder=$2; shift 2
while kill -0 "$pid" 2>/dev/null && [ -d "$folder" ]; do sleep 1; done
if [ -d "$folder" ]; then "$@" >/dev/null 2>&1; rm -rf "$folder"; fi"#;
        let stop = self.command("pg_ctl");
        let mut guard = Command::new("sh");
        guard
            .args(["-c", script, "guard"])
            .arg(std::process::id().to_string())
            .arg(&self.folder)
            .arg(stop.get_program())
            .args(stop.get_args())
            .args(self.stop_args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        guard.spawn().map(drop).map_err(|e| format!("the server's guard: {e}"))
    }

    fn make_database(&self, name: &str) -> Result<(), String> {
        let port = self.port.to_string();
        let args = ["-h", "127.0.0.1", "-p", &port, "-U", USER, name];
        self.pg("createdb", &args.map(OsStr::new))
    }

    /// The URL of the database `ledger`.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// Makes the database `name` (letters, digits and `_`) and returns its
    /// URL: one server, a database per test.
    pub fn database(&self, name: &str) -> String {
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "a database name of letters, digits and _: {name:?}"
        );
        if let Err(e) = self.make_database(name) {
            panic!("createdb {name}: {e}");
        }
        self.url_of(name)
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log so far (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.join("log")).unwrap_or_default()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.port != 0 {
            let args = self.stop_args();
            let _ = self.pg("pg_ctl", &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
