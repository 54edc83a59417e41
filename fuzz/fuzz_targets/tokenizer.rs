//! Any bytes, read as (lossy) UTF-8, tokenize without panicking into at least one id inside
//! the vocabulary, and the same text always gives the same ids; their spans point inside the
//! text in order, and an explanation over them (tokens grouped into words) never panics.
#![no_main]

use std::sync::LazyLock;

#[path = "tokenizer_checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;
use textserve::text::{ModelTokenizer, Tokenizer, TokenizerConfig};

static TOKENIZER: LazyLock<ModelTokenizer> = LazyLock::new(|| {
    let corpus = [
        "质量很好 物流也快",
        "3号线CNC主轴异响",
        "the spindle is noisy",
        "太差了😡",
    ];
    ModelTokenizer::Native(Tokenizer::fit(
        corpus,
        // Every reading option on, as new models train: scope marks, folding of traditional
        // characters and degree adverbs are where arbitrary input meets new code.
        TokenizerConfig {
            min_frequency: 1,
            max_length: 64,
            scope_marks: true,
            fold_traditional: true,
            degree_adverbs: true,
            ..TokenizerConfig::default()
        },
    ))
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let bounds = checks::Bounds {
        max_ids: 64,
        // A scope-marked id is its token's id shifted by whole vocabularies, one per mark bit.
        ids_below: 8 * TOKENIZER.vocabulary_size() as i64,
        spans_never_empty: true,
    };
    checks::check(&TOKENIZER, &text, &bounds);
});
