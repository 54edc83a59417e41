//! Token attributions summed over words: the model reads one ideograph at a time, but people
//! read words, and a highlight per character is hard to read in Chinese.

use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::Attributed;
use crate::text::TokenSpan;

fn segmenter() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    // Loading the dictionary takes a fraction of a second, once per process.
    JIEBA.get_or_init(Jieba::new)
}

/// Loads the segmenter's dictionary now, so the first explanation does not wait for it.
pub fn warm_up() {
    segmenter();
}

/// Words of the original text with the summed attributions of the tokens that start in them. A
/// token reaching past its word's end (a folded "非常", a Latin word the segmenter splits) takes
/// the next words into its own, so words never overlap; words the model saw no token of
/// (whitespace, text past the model's length limit) are left out.
pub(super) fn group(
    text: &str,
    chars: &[char],
    spans: &[TokenSpan],
    attributions: &[f64],
) -> Vec<Attributed> {
    let mut words: Vec<(usize, usize, f64, bool)> = Vec::new();
    let mut next_token = 0;
    for word in segmenter().cut(text, true) {
        let (start, end) = (word.start, word.end);
        let joined = match words.last_mut() {
            Some(last) if start < last.1 => {
                last.1 = last.1.max(end);
                last
            }
            _ => {
                words.push((start, end, 0.0, false));
                words.last_mut().expect("just pushed")
            }
        };
        while next_token < spans.len() && spans[next_token].start < joined.1 {
            joined.1 = joined.1.max(spans[next_token].end);
            joined.2 += attributions[next_token];
            joined.3 = true;
            next_token += 1;
        }
    }
    words
        .into_iter()
        .filter(|&(_, _, _, has_tokens)| has_tokens)
        .map(|(start, end, attribution, _)| Attributed {
            text: chars[start..end].iter().collect(),
            start,
            end,
            attribution: attribution as f32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<TokenSpan> {
        text.chars()
            .enumerate()
            .filter(|(_, c)| !c.is_whitespace())
            .map(|(i, c)| TokenSpan {
                token: c.to_string(),
                start: i,
                end: i + 1,
            })
            .collect()
    }

    #[test]
    fn words_sum_their_characters_and_skip_whitespace() {
        let text = "来料检验 未见异常";
        let spans = spans(text);
        let attributions: Vec<f64> = (0..spans.len()).map(|i| i as f64).collect();
        let chars: Vec<char> = text.chars().collect();
        let words = group(text, &chars, &spans, &attributions);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts.concat(), "来料检验未见异常");
        assert!(
            texts.len() < 8,
            "characters are grouped into words: {texts:?}"
        );
        let total: f32 = words.iter().map(|w| w.attribution).sum();
        assert!((total - attributions.iter().sum::<f64>() as f32).abs() < 1e-4);
        assert!(words.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn a_token_spanning_two_words_joins_them() {
        let text = "质量非常好";
        let chars: Vec<char> = text.chars().collect();
        // 量非 as one token (as if folded) crosses whatever boundary the segmenter draws.
        let spans = vec![
            TokenSpan {
                token: "质".into(),
                start: 0,
                end: 1,
            },
            TokenSpan {
                token: "x".into(),
                start: 1,
                end: 3,
            },
            TokenSpan {
                token: "常".into(),
                start: 3,
                end: 4,
            },
            TokenSpan {
                token: "好".into(),
                start: 4,
                end: 5,
            },
        ];
        let words = group(text, &chars, &spans, &[1.0, 2.0, 3.0, 4.0]);
        assert!(
            words.windows(2).all(|w| w[0].end <= w[1].start),
            "{words:?}"
        );
        let total: f32 = words.iter().map(|w| w.attribution).sum();
        assert_eq!(total, 10.0);
        let covering = words.iter().find(|w| w.start <= 1 && w.end >= 3);
        assert!(covering.is_some(), "{words:?}");
    }
}
