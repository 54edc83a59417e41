//! Are the explanations faithful to the model? ERASER's measures (DeYoung et al., ACL 2020):
//! *comprehensiveness* — how much the explained label's probability falls when the top-k
//! attributed tokens are removed (higher: the explanation found what the model used) — and
//! *sufficiency* — how much it falls when only those k tokens are kept (lower: they alone carry
//! the decision). Each is averaged over k = 1, 5, 10, 20 and 50 % of the tokens (ERASER's
//! AOPC-style bins) and over texts, and compared with k tokens chosen at random.

use serde::Serialize;

use super::{Method, Plan, encode_kept};
use crate::data::SplitMix64;
use crate::text::ModelTokenizer;

/// Fractions of a text's tokens removed or kept (ERASER's bins).
pub const BINS: [f64; 5] = [0.01, 0.05, 0.10, 0.20, 0.50];

#[derive(Debug, Clone, Serialize)]
pub struct Faithfulness {
    pub texts: usize,
    pub bins: Vec<f64>,
    pub rankings: Vec<RankingScores>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingScores {
    /// `occlusion`, `shap`, or `random`.
    pub ranking: String,
    /// Mean over bins and texts; higher is more faithful.
    pub comprehensiveness: f64,
    /// Mean over bins and texts; lower is more faithful.
    pub sufficiency: f64,
    pub comprehensiveness_per_bin: Vec<f64>,
    pub sufficiency_per_bin: Vec<f64>,
}

/// Measures each method's rankings (and a random one) on `texts`; `classify` runs token
/// sequences through the model and returns their probabilities in order.
pub fn measure(
    tokenizer: &ModelTokenizer,
    texts: &[&str],
    methods: &[Method],
    seed: u64,
    mut classify: impl FnMut(&[Vec<i64>]) -> Vec<Vec<f32>>,
) -> Faithfulness {
    let names: Vec<&str> = methods.iter().map(Method::name).chain(["random"]).collect();
    let mut comprehensiveness = vec![vec![0.0; BINS.len()]; names.len()];
    let mut sufficiency = vec![vec![0.0; BINS.len()]; names.len()];
    let mut rng = SplitMix64::new(seed);
    let mut measured = 0;
    for text in texts {
        let spans = tokenizer.spans(text);
        // A text with no token the model sees (only control characters, say) has nothing to
        // remove or keep.
        if spans.is_empty() {
            continue;
        }
        measured += 1;
        let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
        let whole = tokenizer.encode_tokens(&tokens);
        let whole_probabilities = classify(std::slice::from_ref(&whole)).remove(0);
        let label = crate::model::argmax(&whole_probabilities).0;
        let mut rankings: Vec<Vec<usize>> = methods
            .iter()
            .map(|&method| {
                let mut plan = Plan::from_spans(tokenizer, spans.clone(), method);
                let probabilities = classify(&plan.take_rows());
                let explanation = plan.explain(text, &probabilities, Some(label));
                let scores: Vec<f32> = explanation.tokens.iter().map(|t| t.attribution).collect();
                let mut order: Vec<usize> = (0..scores.len()).collect();
                order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
                order
            })
            .collect();
        let mut random: Vec<usize> = (0..tokens.len()).collect();
        rng.shuffle(&mut random);
        rankings.push(random);
        let mut rows = Vec::new();
        for ranking in &rankings {
            for &fraction in &BINS {
                let k = top_k(fraction, tokens.len());
                let top = &ranking[..k];
                rows.push(encode_kept(tokenizer, &tokens, |i| !top.contains(&i)));
                rows.push(encode_kept(tokenizer, &tokens, |i| top.contains(&i)));
            }
        }
        let probabilities = classify(&rows);
        let full = f64::from(whole_probabilities[label]);
        for (r, pairs) in probabilities.chunks(2 * BINS.len()).enumerate() {
            for (b, pair) in pairs.chunks(2).enumerate() {
                comprehensiveness[r][b] += full - f64::from(pair[0][label]);
                sufficiency[r][b] += full - f64::from(pair[1][label]);
            }
        }
    }
    let n = measured.max(1) as f64;
    let rankings = names
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let per_bin = |sums: &[f64]| -> Vec<f64> { sums.iter().map(|s| s / n).collect() };
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let c = per_bin(&comprehensiveness[r]);
            let s = per_bin(&sufficiency[r]);
            RankingScores {
                ranking: name.to_string(),
                comprehensiveness: mean(&c),
                sufficiency: mean(&s),
                comprehensiveness_per_bin: c,
                sufficiency_per_bin: s,
            }
        })
        .collect();
    Faithfulness {
        texts: measured,
        bins: BINS.to_vec(),
        rankings,
    }
}

/// At least one token, at most all of them.
fn top_k(fraction: f64, tokens: usize) -> usize {
    ((fraction * tokens as f64).round() as usize).clamp(1, tokens.max(1))
}

impl Faithfulness {
    pub fn render(&self) -> String {
        let mut out = format!(
            "faithfulness on {} texts (ERASER; k = {} of the tokens; the explained label is the predicted one)\n\n",
            self.texts,
            self.bins
                .iter()
                .map(|b| format!("{:.0} %", b * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.push_str("| ranking | comprehensiveness ↑ | sufficiency ↓ |\n|---|---:|---:|\n");
        for r in &self.rankings {
            out.push_str(&format!(
                "| {} | {:.4} | {:.4} |\n",
                r.ranking, r.comprehensiveness, r.sufficiency
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Tokenizer, TokenizerConfig};

    #[test]
    fn a_model_that_reads_one_token_is_explained_better_than_chance() {
        let tokenizer = Tokenizer::fit(
            ["好坏差一般的东西"],
            TokenizerConfig {
                min_frequency: 1,
                ..TokenizerConfig::default()
            },
        );
        let good = tokenizer.vocabulary().id("好");
        // Label 1 is likely exactly when 好 is in the row.
        let classify = |rows: &[Vec<i64>]| -> Vec<Vec<f32>> {
            rows.iter()
                .map(|r| {
                    if r.contains(&good) {
                        vec![0.1, 0.9]
                    } else {
                        vec![0.6, 0.4]
                    }
                })
                .collect()
        };
        let texts = ["一般的东西好", "的东西好一般", "好东西的一般", "\u{1}"];
        let report = measure(
            &ModelTokenizer::Native(tokenizer.clone()),
            &texts,
            &[Method::Occlusion],
            1,
            classify,
        );
        assert_eq!(report.texts, 3, "the text without tokens is skipped");
        let occlusion = &report.rankings[0];
        let random = &report.rankings[1];
        assert_eq!(random.ranking, "random");
        // Removing the top token always removes 好: the full drop of 0.5 at every bin.
        assert!(
            (occlusion.comprehensiveness - 0.5).abs() < 1e-6,
            "{report:?}"
        );
        assert!(occlusion.sufficiency.abs() < 1e-6);
        assert!(random.comprehensiveness < occlusion.comprehensiveness);
        assert!(random.sufficiency > occlusion.sufficiency);
    }

    #[test]
    fn k_is_at_least_one_token_and_at_most_all() {
        assert_eq!(top_k(0.01, 10), 1);
        assert_eq!(top_k(0.5, 9), 5);
        assert_eq!(top_k(0.5, 1), 1);
    }
}
