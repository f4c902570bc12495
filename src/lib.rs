//! Build, parse and validate Finnish Incomes Register (Tulorekisteri) XML records.
//!
//! The official XML schemas are compiled into static tables (`schema`), and a
//! streaming validator walks a document once against them, reporting every
//! problem with its line, column, element path and a stable [`Code`].

pub mod diagnostic;
pub mod feedback;
pub mod record;
pub mod rules;
pub mod schema;
#[cfg(not(target_arch = "wasm32"))]
pub mod signature;
#[cfg(feature = "typed")]
pub mod typed;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod xml;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use feedback::{read_feedback, DeliveryStatus, Feedback};
pub use record::{build, parse};
pub use validate::{validate_bytes, validate_reader, validate_str, Options, Summary};
