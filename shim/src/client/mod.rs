//! PLACEHOLDER (replaced by the client's implementation before this branch lands).
pub mod commands;
