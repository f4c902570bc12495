//! PLACEHOLDER (replaced by the simulator's implementation before this branch lands).
pub mod commands;
