//! The mixture weight of the wide and deep parts, chosen after both are trained.

use super::Labelled;
use crate::check::{self, Suite};
use crate::model::{Classifier, argmax};
use crate::text::{Encoded, Tokenizer};

/// The mixture weights tried and the one kept.
#[derive(Default)]
pub(super) struct WeightSearch {
    /// (wide weight, validation accuracy) for weights 0, 0.1, …, 1.
    pub tried: Vec<(f64, f64)>,
    /// The tuning suite's mean pass rate at each of those weights (empty without a suite).
    pub tune_pass_rates: Vec<f64>,
    /// (weight, validation accuracy) kept.
    pub chosen: (f64, f64),
}

/// How far below the best validation accuracy a weight may fall and still be chosen for the
/// tuning suite's sake: half a point, the most the corpus accuracy may give up for behaviour.
const TUNE_ACCURACY_SLACK: f64 = 0.005;

/// Validation accuracy of the mixture at wide weights 0, 0.1, …, 1 (the two parts' predictions
/// are computed once and mixed for each weight), and, given a tuning suite, its mean pass rate.
/// Without a suite the most accurate weight wins; with one, the weight that passes most of the
/// suite among those within [`TUNE_ACCURACY_SLACK`] of the best accuracy. Ties go to the more
/// even mixture. A `fixed` weight (`--wide-weight`) is kept whatever the search says; the
/// search still runs, so the model card shows what the other weights would have given.
pub(super) fn search_wide_weight(
    classifier: &mut Classifier,
    validation_set: &[Labelled],
    tune: Option<(&Suite, &Tokenizer, &[String])>,
    fixed: Option<f64>,
) -> anyhow::Result<WeightSearch> {
    let validation: Vec<&[i64]> = validation_set
        .iter()
        .map(|(e, _)| e.ids.as_slice())
        .collect();
    let validation = Parts::compute(classifier, &validation);
    let weights: Vec<f64> = (0..=10).map(|step| f64::from(step) / 10.0).collect();
    let accuracy_at = |w: f64| {
        let correct = validation
            .mixed(w)
            .zip(validation_set)
            .filter(|(mixed, (_, truth))| argmax(mixed).0 == *truth)
            .count();
        (w, correct as f64 / validation_set.len().max(1) as f64)
    };
    let tried: Vec<(f64, f64)> = weights.iter().map(|&w| accuracy_at(w)).collect();
    let tune_pass_rates = match tune {
        Some((suite, tokenizer, labels)) => {
            // The suite's texts are the same at every weight: both parts run on them once.
            let mut suite_parts: Option<Parts> = None;
            weights
                .iter()
                .map(|&w| {
                    let report = check::run(suite, labels, |texts| {
                        let parts = suite_parts.get_or_insert_with(|| {
                            let encoded: Vec<Encoded> =
                                texts.iter().map(|t| tokenizer.encode(t)).collect();
                            let sequences: Vec<&[i64]> =
                                encoded.iter().map(|e| e.ids.as_slice()).collect();
                            Parts::compute(classifier, &sequences)
                        });
                        parts.mixed(w).map(|p| softmax(&p)).collect()
                    })?;
                    Ok(report.passed as f64 / report.cases as f64)
                })
                .collect::<anyhow::Result<Vec<f64>>>()?
        }
        None => Vec::new(),
    };
    let best_accuracy = tried.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    let score = |i: usize| -> (f64, f64) {
        match tune_pass_rates.get(i) {
            Some(&rate) if tried[i].1 >= best_accuracy - TUNE_ACCURACY_SLACK => (rate, tried[i].1),
            Some(_) => (f64::NEG_INFINITY, tried[i].1),
            None => (tried[i].1, 0.0),
        }
    };
    let chosen = match fixed {
        Some(w) => accuracy_at(w),
        None => (0..tried.len())
            .reduce(|best, i| {
                let (a, b) = (score(i), score(best));
                let evener = (tried[i].0 - 0.5).abs() < (tried[best].0 - 0.5).abs();
                if a > b || (a == b && evener) { i } else { best }
            })
            .map_or((0.5, 0.0), |i| tried[i]),
    };
    Ok(WeightSearch {
        tried,
        tune_pass_rates,
        chosen,
    })
}

/// Log-probabilities of the deep and the wide part alone, per text, to be mixed at any weight
/// without running either part again.
struct Parts {
    deep: Vec<Vec<f64>>,
    wide: Vec<Vec<f64>>,
}

impl Parts {
    fn compute(classifier: &mut Classifier, sequences: &[&[i64]]) -> Self {
        let mut log_probabilities = |weight: f64| -> Vec<Vec<f64>> {
            classifier.set_wide_weight(weight);
            crate::model::predict_sequences(&*classifier, sequences, 256)
                .into_iter()
                .map(|p| {
                    p.into_iter()
                        .map(|x| f64::from(x.max(1e-30)).ln())
                        .collect()
                })
                .collect()
        };
        Self {
            deep: log_probabilities(0.0),
            wide: log_probabilities(1.0),
        }
    }

    /// The mixture's log-probabilities at wide weight `w`, as the classifier mixes them.
    fn mixed(&self, w: f64) -> impl Iterator<Item = Vec<f32>> + '_ {
        self.deep.iter().zip(&self.wide).map(move |(d, v)| {
            d.iter()
                .zip(v)
                .map(|(d, v)| (w * v + (1.0 - w) * d) as f32)
                .collect()
        })
    }
}

fn softmax(log_probabilities: &[f32]) -> Vec<f32> {
    let max = log_probabilities
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = log_probabilities.iter().map(|x| (x - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|x| x / sum).collect()
}
