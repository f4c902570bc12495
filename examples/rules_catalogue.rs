//! Prints the rule catalogue; `cargo xtask generate` writes it to docs/rules.md.

fn main() {
    print!("{}", tulorekisteri::rules::docs::markdown());
}
