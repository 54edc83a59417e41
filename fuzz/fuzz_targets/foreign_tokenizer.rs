//! A Hugging Face tokenizer.json (the BERT-style fixture's WordPiece) read through textserve's
//! adapter: any bytes, read as (lossy) UTF-8, give at least one id and at most the maximum
//! length, the same ids every time; spans point inside the text, re-encode to the text's ids,
//! and an explanation over them (tokens grouped into words) never panics.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use textserve::explain::{Method, Plan};
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
    let encoded = TOKENIZER.encode(&text);
    assert!(!encoded.ids.is_empty() && encoded.ids.len() <= MAX_LENGTH);
    let vocabulary = TOKENIZER.vocabulary_size() as i64;
    assert!(encoded.ids.iter().all(|&id| (0..vocabulary).contains(&id)));
    assert_eq!(TOKENIZER.encode(&text).ids, encoded.ids);
    let spans = TOKENIZER.spans(&text);
    let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(TOKENIZER.encode_tokens(&tokens), encoded.ids);
    let length = text.chars().count();
    assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(spans.iter().all(|s| s.start <= s.end && s.end <= length));
    let mut plan = Plan::new(&TOKENIZER, &text, Method::Occlusion);
    let rows = plan.take_rows();
    let probabilities: Vec<Vec<f32>> = (0..rows.len()).map(|i| vec![0.5, (i % 7) as f32 / 7.0]).collect();
    let explanation = plan.explain(&text, &probabilities, None);
    assert!(explanation.words.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(explanation.words.iter().all(|w| w.end <= length));
});
