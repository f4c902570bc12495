//! Prints the Rust source of the typed records (every record's object shape
//! as serde structs); `cargo xtask generate` writes it to
//! src/typed/generated.rs, which the `typed` feature compiles.

fn main() {
    print!("{}", tulorekisteri::internal::rust_types::source());
}
