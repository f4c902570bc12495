//! Prints the TypeScript declarations of every record's object shape; `cargo
//! xtask generate` writes them to src/wasm/records.d.ts for the npm package.

fn main() {
    print!("{}", tulorekisteri::internal::typescript::declarations());
}
