//! Command dispatch and the exit-status contract shared by every command:
//! 0 when everything is valid, 1 when any input has a problem, 2 for usage
//! or I/O errors.

mod record;
mod today;
mod validate;
// Signatures are native only (the library's `signature` module).
#[cfg(not(target_arch = "wasm32"))]
mod sign;
#[cfg(not(target_arch = "wasm32"))]
mod verify;

pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub const USAGE: &str = "\
usage: tulorekisteri validate [--schema-only] [--format text|json] [--lang fi|sv|en]
                              [--today YYYY-MM-DD] [--environment production|test] FILE...
       tulorekisteri build INPUT.json [-o OUT.xml]
       tulorekisteri parse FILE.xml
       tulorekisteri sign (--key KEY --cert CERT [--passphrase-file F] | --p12 FILE --password-file F) IN [-o OUT]
       tulorekisteri verify [--trust BUNDLE.pem] [--at TIME] [--signature-only] FILE...
       tulorekisteri --help | --version

  validate   check Incomes Register records against the official schemas and
             the Register's own rules (--schema-only: the schemas alone)
  build      write the XML of the record a JSON object describes
  parse      write a record as JSON (the shape build takes)
  sign       sign a record with an RSA key (PEM: PKCS#1, PKCS#8, encrypted PKCS#8;
             or a PKCS#12 store) and its certificate, the way the Register signs
  verify     check a signed record's signature (digest and value), and that its
             certificate chains to the trust bundle and is valid now (--at: then);
             --signature-only leaves the certificate out of the exit status
  '-' reads standard input; problems of build and parse go to standard error
  exit status: 0 all valid, 1 a file has a problem, 2 usage or I/O error";

pub fn run(args: &[String]) -> u8 {
    match args.first().map(String::as_str) {
        Some("validate") => validate::run(&args[1..]),
        Some("build") => record::build(&args[1..]),
        Some("parse") => record::parse(&args[1..]),
        #[cfg(not(target_arch = "wasm32"))]
        Some("verify") => verify::run(&args[1..]),
        #[cfg(not(target_arch = "wasm32"))]
        Some("sign") => sign::run(&args[1..]),
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            EXIT_OK
        }
        Some("--version" | "-V") => {
            println!("tulorekisteri {}", env!("CARGO_PKG_VERSION"));
            EXIT_OK
        }
        Some(other) => usage_error(&format!("unknown command {other:?}")),
        None => usage_error("no command given"),
    }
}

/// One command-line argument: an option's name, or an operand.
pub enum Arg<'a> {
    Option(&'a str),
    Operand(&'a String),
}

/// Reads arguments one by one: `--name value` and `--name=value` alike, and
/// operands only after `--`.
pub struct ArgReader<'a> {
    it: std::slice::Iter<'a, String>,
    options_done: bool,
    /// The `value` of `--name=value`, for `value`.
    inline: Option<&'a str>,
}

impl<'a> ArgReader<'a> {
    pub fn new(args: &'a [String]) -> Self {
        ArgReader {
            it: args.iter(),
            options_done: false,
            inline: None,
        }
    }

    pub fn next(&mut self) -> Option<Arg<'a>> {
        self.inline = None;
        let a = self.it.next()?;
        if self.options_done || !a.starts_with('-') || a == "-" {
            return Some(Arg::Operand(a));
        }
        if a == "--" {
            self.options_done = true;
            return self.next();
        }
        match a.split_once('=') {
            Some((name, value)) if a.starts_with("--") => {
                self.inline = Some(value);
                Some(Arg::Option(name))
            }
            _ => Some(Arg::Option(a)),
        }
    }

    /// The next option's name; operands before it go to `operands`.
    pub fn next_option(&mut self, operands: &mut Vec<String>) -> Option<&'a str> {
        loop {
            match self.next()? {
                Arg::Operand(a) => operands.push(a.clone()),
                Arg::Option(name) => return Some(name),
            }
        }
    }

    /// The value of option `name`, described as `what` if it is missing.
    pub fn value(&mut self, name: &str, what: &str) -> Result<String, String> {
        match self.inline.take() {
            Some(v) => Ok(v.to_string()),
            None => self.it.next().cloned().ok_or(format!("{name} needs {what}")),
        }
    }
}

pub fn usage_error(msg: &str) -> u8 {
    eprintln!("tulorekisteri: {msg}\n{USAGE}");
    EXIT_USAGE
}
