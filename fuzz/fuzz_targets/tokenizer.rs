//! Any bytes, read as (lossy) UTF-8, tokenize without panicking into at least one id inside
//! the vocabulary, and the same text always gives the same ids; their spans point inside the
//! text in order, and an explanation over them (tokens grouped into words) never panics.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use textserve::explain::{Method, Plan};
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
    let encoded = TOKENIZER.encode(&text);
    let vocabulary = TOKENIZER.vocabulary_size() as i64;
    assert!(!encoded.ids.is_empty());
    assert!(encoded.ids.len() <= 64);
    // A scope-marked id is its token's id shifted by whole vocabularies, one per mark bit.
    assert!(encoded.ids.iter().all(|&id| (0..8 * vocabulary).contains(&id)));
    assert_eq!(TOKENIZER.encode(&text).ids, encoded.ids);
    let spans = TOKENIZER.spans(&text);
    let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(TOKENIZER.encode_tokens(&tokens), encoded.ids);
    let length = text.chars().count();
    assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(spans.iter().all(|s| s.start < s.end && s.end <= length));
    let mut plan = Plan::new(&TOKENIZER, &text, Method::Occlusion);
    let rows = plan.take_rows();
    // Any probabilities will do: the grouping into words is what meets arbitrary text here.
    let probabilities: Vec<Vec<f32>> = (0..rows.len()).map(|i| vec![0.5, (i % 7) as f32 / 7.0]).collect();
    let explanation = plan.explain(&text, &probabilities, None);
    assert!(explanation.words.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(explanation.words.iter().all(|w| w.end <= length));
});
