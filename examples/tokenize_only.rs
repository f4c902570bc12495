//! Development aid: how fast the tokenizer alone reads a file.
use tulorekisteri::internal::tokenizer::{Token, Tokenizer};
fn main() {
    let path = std::env::args().nth(1).expect("usage: tokenize_only FILE");
    let mut t = Tokenizer::new(std::fs::File::open(path).unwrap(), 4 << 20);
    let mut n = 0u64;
    loop {
        match t.next_token() {
            Ok((Token::Eof, _)) => break,
            Ok(_) => n += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    println!("{n} tokens");
}
