//! What any tokenizer a model reads must keep on arbitrary text, for the fuzz targets of both
//! kinds: at least one id and at most `max_ids`, every id below `ids_below`, the same ids every
//! time; spans in order, inside the text, that re-encode to the text's ids; and an explanation
//! over them (tokens grouped into words) that never panics.

use textserve::explain::{Method, Plan};
use textserve::text::ModelTokenizer;

/// What a tokenizer promises beyond the shared invariants.
pub struct Bounds {
    pub max_ids: usize,
    pub ids_below: i64,
    /// Every span covers at least one character (textserve's own tokenizer; a Hugging Face
    /// tokenizer may give a token no characters of its own).
    pub spans_never_empty: bool,
}

pub fn check(tokenizer: &ModelTokenizer, text: &str, bounds: &Bounds) {
    let encoded = tokenizer.encode(text);
    assert!(!encoded.ids.is_empty());
    assert!(encoded.ids.len() <= bounds.max_ids);
    assert!(encoded.ids.iter().all(|&id| (0..bounds.ids_below).contains(&id)));
    assert_eq!(tokenizer.encode(text).ids, encoded.ids);
    let spans = tokenizer.spans(text);
    let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(tokenizer.encode_tokens(&tokens), encoded.ids);
    let length = text.chars().count();
    assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(spans.iter().all(|s| s.start <= s.end && s.end <= length));
    if bounds.spans_never_empty {
        assert!(spans.iter().all(|s| s.start < s.end));
    }
    let mut plan = Plan::new(tokenizer, text, Method::Occlusion);
    let rows = plan.take_rows();
    // Any probabilities will do: the grouping into words is what meets arbitrary text here.
    let probabilities: Vec<Vec<f32>> = (0..rows.len()).map(|i| vec![0.5, (i % 7) as f32 / 7.0]).collect();
    let explanation = plan.explain(text, &probabilities, None);
    assert!(explanation.words.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(explanation.words.iter().all(|w| w.end <= length));
}
