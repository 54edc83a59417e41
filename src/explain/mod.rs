//! Why the model decided: attributions of the explained label's probability to the tokens of a
//! text, and to the words a Chinese segmenter finds in it.
//!
//! An explanation is computed in two halves around the model, so the server can send its rows
//! through the same batching queue as predictions and the command line can run them directly:
//! [`Plan::new`] turns a text into the token sequences to classify (the text itself first),
//! [`Plan::explain`] turns their probabilities into attributions.

pub mod faithfulness;
pub mod render;
mod shap;
mod words;

use crate::data::SplitMix64;
use crate::text::{ModelTokenizer, TokenSpan};

pub use words::warm_up as warm_up_segmenter;

/// Kernel SHAP coalitions when a request names none.
pub const DEFAULT_SHAP_SAMPLES: usize = 256;
/// The Kernel SHAP seed when a request names none, so the same request explains the same way.
pub const DEFAULT_SEED: u64 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Each token removed in turn: attribution = p(text) − p(text without the token).
    Occlusion,
    /// Kernel SHAP over tokens (Lundberg & Lee 2017): attributions sum to p(text) − p(empty).
    Shap { samples: usize, seed: u64 },
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Occlusion => "occlusion",
            Method::Shap { .. } => "shap",
        }
    }
}

/// One attributed piece of the original text; `start`/`end` are Unicode code point offsets.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributed {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub attribution: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub method: Method,
    /// Index of the label whose probability is explained.
    pub explained_label: usize,
    /// Probabilities of the whole text.
    pub probabilities: Vec<f32>,
    /// The explained label's probability on the reference input: the whole text for occlusion
    /// (each attribution is what removing its token takes away from it), the empty text for
    /// SHAP (the attributions add up from it to the text's probability).
    pub base_score: f32,
    pub tokens: Vec<Attributed>,
    pub words: Vec<Attributed>,
}

/// The token sequences an explanation needs classified.
#[derive(Debug)]
pub struct Plan {
    method: Method,
    spans: Vec<TokenSpan>,
    rows: Vec<Vec<i64>>,
    /// Kernel SHAP's coalitions (which tokens each row keeps), after the text and the empty text.
    coalitions: Vec<Vec<bool>>,
    /// Kernel SHAP regression weight of each coalition.
    weights: Vec<f64>,
}

impl Plan {
    pub fn new(tokenizer: &ModelTokenizer, text: &str, method: Method) -> Self {
        Self::from_spans(tokenizer, tokenizer.spans(text), method)
    }

    /// As `new`, for spans already taken from the text (e.g. to check their number first).
    pub fn from_spans(tokenizer: &ModelTokenizer, spans: Vec<TokenSpan>, method: Method) -> Self {
        let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
        let mut rows = vec![tokenizer.encode_tokens(&tokens)];
        let (mut coalitions, mut weights) = (Vec::new(), Vec::new());
        match method {
            Method::Occlusion => {
                rows.extend(
                    (0..tokens.len())
                        .map(|removed| encode_kept(tokenizer, &tokens, |i| i != removed)),
                );
            }
            Method::Shap { samples, seed } => {
                rows.push(tokenizer.encode_tokens(&[]));
                let mut rng = SplitMix64::new(seed);
                (coalitions, weights) = shap::coalitions(tokens.len(), samples, &mut rng);
                rows.extend(
                    coalitions
                        .iter()
                        .map(|c| encode_kept(tokenizer, &tokens, |i| c[i])),
                );
            }
        }
        Self {
            method,
            spans,
            rows,
            coalitions,
            weights,
        }
    }

    /// Tokens of the text as the model sees it (after truncation).
    pub fn token_count(&self) -> usize {
        self.spans.len()
    }

    pub fn rows(&self) -> &[Vec<i64>] {
        &self.rows
    }

    /// Hands the rows over (to a queue); `explain` needs only their probabilities back.
    pub fn take_rows(&mut self) -> Vec<Vec<i64>> {
        std::mem::take(&mut self.rows)
    }

    /// `probabilities` holds one entry per row, in row order. `label` picks the explained label;
    /// `None` explains the predicted one.
    pub fn explain(
        self,
        text: &str,
        probabilities: &[Vec<f32>],
        label: Option<usize>,
    ) -> Explanation {
        let whole = &probabilities[0];
        let label = label.unwrap_or_else(|| crate::model::argmax(whole).0);
        let score = |row: usize| f64::from(probabilities[row][label]);
        let n = self.spans.len();
        let (base_score, attributions): (f64, Vec<f64>) = match self.method {
            Method::Occlusion => (score(0), (0..n).map(|i| score(0) - score(i + 1)).collect()),
            Method::Shap { .. } => {
                let values: Vec<f64> = (0..self.coalitions.len()).map(|k| score(k + 2)).collect();
                let phi = shap::solve(
                    n,
                    &self.coalitions,
                    &self.weights,
                    &values,
                    score(0),
                    score(1),
                );
                (score(1), phi)
            }
        };
        let chars: Vec<char> = text.chars().collect();
        let tokens: Vec<Attributed> = self
            .spans
            .iter()
            .zip(&attributions)
            .map(|(span, &a)| Attributed {
                text: chars[span.start..span.end].iter().collect(),
                start: span.start,
                end: span.end,
                attribution: a as f32,
            })
            .collect();
        let words = words::group(text, &chars, &self.spans, &attributions);
        Explanation {
            method: self.method,
            explained_label: label,
            probabilities: whole.clone(),
            base_score: base_score as f32,
            tokens,
            words,
        }
    }
}

/// The ids of the text with only the tokens `keep` selects, scope marks worked out anew over
/// what is left (removing a negation cue unmarks what it governed).
fn encode_kept(
    tokenizer: &ModelTokenizer,
    tokens: &[&str],
    keep: impl Fn(usize) -> bool,
) -> Vec<i64> {
    let chosen: Vec<&str> = (0..tokens.len())
        .filter(|&i| keep(i))
        .map(|i| tokens[i])
        .collect();
    tokenizer.encode_tokens(&chosen)
}

/// How an explanation attributes a prediction; chosen with `explain --method` and in the
/// body of `POST /v1/explain`.
#[derive(
    Debug, Clone, Copy, serde::Deserialize, serde::Serialize, utoipa::ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ExplainMethod {
    /// Each token removed in turn, the variants batched together. Attribution = p(text) −
    /// p(text without the token); `base_score` = p(text).
    Occlusion,
    /// Kernel SHAP over tokens with `samples` coalitions (every coalition when they fit, which
    /// gives exact Shapley values). Attributions sum to p(text) − p(empty text); `base_score` =
    /// p(empty text).
    Shap,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Tokenizer, TokenizerConfig};

    fn tokenizer() -> Tokenizer {
        Tokenizer::fit(
            ["未发现异常", "质量很好"],
            TokenizerConfig {
                min_frequency: 1,
                scope_marks: true,
                ..TokenizerConfig::default()
            },
        )
    }

    /// A stand-in model: the probability of label 1 is a fixed function of which ids a row holds.
    fn fake_probabilities(rows: &[Vec<i64>], score: impl Fn(&[i64]) -> f32) -> Vec<Vec<f32>> {
        rows.iter()
            .map(|r| {
                let p = score(r);
                vec![1.0 - p, p]
            })
            .collect()
    }

    #[test]
    fn occlusion_removes_each_token_once_and_re_marks_the_rest() {
        let tokenizer = tokenizer();
        let plan = Plan::new(
            &ModelTokenizer::Native(tokenizer.clone()),
            "未发现异常",
            Method::Occlusion,
        );
        assert_eq!(plan.rows().len(), 6);
        assert_eq!(plan.rows()[0], tokenizer.encode("未发现异常").ids);
        // Without the cue 未, the rest is no longer in a negation's scope.
        assert_eq!(plan.rows()[1], tokenizer.encode("发现异常").ids);
        assert_eq!(plan.rows()[5], tokenizer.encode("未发现异").ids);
    }

    #[test]
    fn occlusion_attributes_what_each_token_takes_away() {
        let tokenizer = tokenizer();
        let cue = tokenizer.encode("未").ids[0];
        let mut plan = Plan::new(
            &ModelTokenizer::Native(tokenizer.clone()),
            "未发现异常",
            Method::Occlusion,
        );
        let rows = plan.take_rows();
        // Label 1 is likely only while the cue is there.
        let probs = fake_probabilities(&rows, |r| if r.contains(&cue) { 0.9 } else { 0.2 });
        let explanation = plan.explain("未发现异常", &probs, None);
        assert_eq!(explanation.explained_label, 1);
        assert!((explanation.base_score - 0.9).abs() < 1e-6);
        let attributions: Vec<f32> = explanation.tokens.iter().map(|t| t.attribution).collect();
        assert!((attributions[0] - 0.7).abs() < 1e-6, "{attributions:?}");
        assert!(attributions[1..].iter().all(|a| a.abs() < 1e-6));
        let texts: Vec<&str> = explanation.tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["未", "发", "现", "异", "常"]);
    }

    #[test]
    fn shap_attributions_add_up_to_the_text_against_the_empty_text() {
        let tokenizer = tokenizer();
        let text = "质量很好，未发现异常，质量很好";
        let mut plan = Plan::new(
            &ModelTokenizer::Native(tokenizer.clone()),
            text,
            Method::Shap {
                samples: 64,
                seed: 3,
            },
        );
        let rows = plan.take_rows();
        assert_eq!(rows.len(), 66);
        // A non-additive score: an interaction between 好 and 未.
        let good = tokenizer.vocabulary().id("好");
        let vocab = tokenizer.vocabulary().len() as i64;
        let has = |r: &[i64], id: i64| r.iter().any(|&x| crate::text::base_id(x, vocab) == id);
        let cue = tokenizer.vocabulary().id("未");
        let probs = fake_probabilities(&rows, |r| {
            let g = has(r, good) as u8 as f32;
            let c = has(r, cue) as u8 as f32;
            0.1 + 0.3 * g + 0.2 * c + 0.3 * g * c + 0.01 * r.len() as f32
        });
        let explanation = plan.explain(text, &probs, Some(1));
        let total: f32 = explanation.tokens.iter().map(|t| t.attribution).sum();
        let expected = probs[0][1] - probs[1][1];
        assert!((total - expected).abs() < 1e-4, "{total} vs {expected}");
        assert!((explanation.base_score - probs[1][1]).abs() < 1e-6);
        let words: f32 = explanation.words.iter().map(|w| w.attribution).sum();
        assert!((words - total).abs() < 1e-4);
    }

    #[test]
    fn the_same_seed_gives_the_same_explanation() {
        let tokenizer = tokenizer();
        let text = "质量很好，未发现异常，质量很好，未发现异常";
        let method = Method::Shap {
            samples: 32,
            seed: 9,
        };
        let a = Plan::new(&ModelTokenizer::Native(tokenizer.clone()), text, method);
        let b = Plan::new(&ModelTokenizer::Native(tokenizer.clone()), text, method);
        assert_eq!(a.rows(), b.rows());
        let c = Plan::new(
            &ModelTokenizer::Native(tokenizer.clone()),
            text,
            Method::Shap {
                samples: 32,
                seed: 10,
            },
        );
        assert_ne!(a.rows(), c.rows());
    }
}
