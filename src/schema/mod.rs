//! The compiled Incomes Register schema set.

mod generated;
pub mod model;

pub use generated::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};
