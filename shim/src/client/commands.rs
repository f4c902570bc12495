//! PLACEHOLDER: the client's commands, with their exact arguments.
use clap::Args;
use std::path::PathBuf;

/// `send --config FILE [--wait SECONDS] RECORD`
#[derive(Args, Debug)]
pub struct SendArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Follow a deferred record's feedback at most this long
    #[arg(long, value_name = "SECONDS")]
    pub wait: Option<u64>,
    /// The record, unsigned: XML, or JSON as `tulorekisteri build` takes ('-' for standard input)
    #[arg(value_name = "RECORD")]
    pub record: PathBuf,
}

/// `status --config FILE --type N (--delivery-id ID | --ir-delivery-id ID)`
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("id").required(true).multiple(true).args(["delivery_id", "ir_delivery_id"]))]
pub struct StatusArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The record's DeliveryDataType (100-112)
    #[arg(long = "type", value_name = "N")]
    pub delivery_data_type: i64,
    /// The record's DeliveryId
    #[arg(long, value_name = "ID")]
    pub delivery_id: Option<String>,
    /// The Register's IRDeliveryId of the record
    #[arg(long, value_name = "ID")]
    pub ir_delivery_id: Option<String>,
}

/// `echo --config FILE [TEXT]`
#[derive(Args, Debug)]
pub struct EchoArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// 1 to 10 characters to echo
    #[arg(value_name = "TEXT", default_value = "ping")]
    pub text: String,
}

/// `query --config FILE REQUEST`
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The query, a DataRequestToIR record, unsigned (XML or JSON)
    #[arg(value_name = "REQUEST")]
    pub request: PathBuf,
}

pub fn send(_: SendArgs) -> u8 {
    crate::exit::USAGE
}
pub fn status(_: StatusArgs) -> u8 {
    crate::exit::USAGE
}
pub fn echo(_: EchoArgs) -> u8 {
    crate::exit::USAGE
}
pub fn query(_: QueryArgs) -> u8 {
    crate::exit::USAGE
}
