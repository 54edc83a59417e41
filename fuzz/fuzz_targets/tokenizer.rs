//! Any bytes, read as (lossy) UTF-8, tokenize without panicking into at least one id inside
//! the vocabulary, and the same text always gives the same ids.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use textserve::text::{Tokenizer, TokenizerConfig};

static TOKENIZER: LazyLock<Tokenizer> = LazyLock::new(|| {
    let corpus = [
        "质量很好 物流也快",
        "3号线CNC主轴异响",
        "the spindle is noisy",
        "太差了😡",
    ];
    Tokenizer::fit(
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
    )
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let encoded = TOKENIZER.encode(&text);
    let vocabulary = TOKENIZER.vocabulary().len() as i64;
    assert!(!encoded.ids.is_empty());
    assert!(encoded.ids.len() <= 64);
    // A scope-marked id is its token's id shifted by whole vocabularies, one per mark bit.
    assert!(encoded.ids.iter().all(|&id| (0..8 * vocabulary).contains(&id)));
    assert_eq!(TOKENIZER.encode(&text).ids, encoded.ids);
});
