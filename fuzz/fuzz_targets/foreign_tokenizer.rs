//! A Hugging Face tokenizer.json (the BERT-style fixture's WordPiece) read through textserve's
//! adapter: any bytes, read as (lossy) UTF-8, give at least one id and at most the maximum
//! length, the same ids every time; spans point inside the text, re-encode to the text's ids,
//! and an explanation over them (tokens grouped into words) never panics.
#![no_main]

use std::sync::LazyLock;

#[path = "tokenizer_checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;
use textserve::text::{ForeignTokenizer, ModelTokenizer};

const MAX_LENGTH: usize = 64;

static TOKENIZER: LazyLock<ModelTokenizer> = LazyLock::new(|| {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/tiny-bert/tokenizer.json");
    ModelTokenizer::Foreign(Box::new(
        ForeignTokenizer::from_file(&path, MAX_LENGTH).expect("the fixture's tokenizer.json"),
    ))
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let bounds = checks::Bounds {
        max_ids: MAX_LENGTH,
        ids_below: TOKENIZER.vocabulary_size() as i64,
        spans_never_empty: false,
    };
    checks::check(&TOKENIZER, &text, &bounds);
});
