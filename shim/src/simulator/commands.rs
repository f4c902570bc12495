//! PLACEHOLDER: the simulator's commands, with their exact arguments.
use clap::Args;
use std::path::PathBuf;

/// `simulator init DIR [--listen 127.0.0.1:8443] [--business-id 1234567-1]`
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the PKI, the state and shim.toml
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The address the simulator will serve on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// The organisation's business ID (in its certificates' subject)
    #[arg(long, value_name = "ID", default_value = "1234567-1")]
    pub business_id: String,
}

/// `simulator serve DIR [--processing-seconds N] [--fault KIND=PROBABILITY]...`
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The folder `simulator init` made
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// How long a deferred record stays "processing" (status 2)
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    pub processing_seconds: f64,
    /// A fault and its probability (0 to 1), e.g. reset-after-store=0.2; repeatable
    #[arg(long = "fault", value_name = "KIND=PROBABILITY")]
    pub faults: Vec<String>,
}

/// `simulator state DIR`
#[derive(Args, Debug)]
pub struct StateArgs {
    /// The folder the simulator serves from
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `simulator faults DIR [KIND=PROBABILITY]...`: switches the faults of a
/// running simulator (none given: all off).
#[derive(Args, Debug)]
pub struct FaultsArgs {
    /// The folder the simulator serves from
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The faults from now on, e.g. http-503=0.5 status-lag=10
    #[arg(value_name = "KIND=PROBABILITY")]
    pub faults: Vec<String>,
}

pub fn init(_: InitArgs) -> u8 {
    crate::exit::USAGE
}
pub fn serve(_: ServeArgs) -> u8 {
    crate::exit::USAGE
}
pub fn state(_: StateArgs) -> u8 {
    crate::exit::USAGE
}
pub fn faults(_: FaultsArgs) -> u8 {
    crate::exit::USAGE
}
