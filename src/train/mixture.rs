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
    let chosen = match fixed {
        Some(w) => accuracy_at(w),
        None => choose(&tried, &tune_pass_rates).map_or((0.5, 0.0), |i| tried[i]),
    };
    Ok(WeightSearch {
        tried,
        tune_pass_rates,
        chosen,
    })
}

/// The rule: index into `tried` of the weight kept. Without pass rates, the most accurate
/// weight; with them, the best pass rate among weights within [`TUNE_ACCURACY_SLACK`] of the
/// best accuracy, then the better accuracy. Ties go to the weight nearer 0.5.
fn choose(tried: &[(f64, f64)], tune_pass_rates: &[f64]) -> Option<usize> {
    let best_accuracy = tried.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    let score = |i: usize| -> (f64, f64) {
        match tune_pass_rates.get(i) {
            Some(&rate) if tried[i].1 >= best_accuracy - TUNE_ACCURACY_SLACK => (rate, tried[i].1),
            Some(_) => (f64::NEG_INFINITY, tried[i].1),
            None => (tried[i].1, 0.0),
        }
    };
    (0..tried.len()).reduce(|best, i| {
        let (a, b) = (score(i), score(best));
        let evener = (tried[i].0 - 0.5).abs() < (tried[best].0 - 0.5).abs();
        if a > b || (a == b && evener) { i } else { best }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelConfig, Network, NetworkSettings, NgramVocabulary};
    use crate::text::Encoded;
    use tch::{Device, Kind, Tensor, nn::VarStore};

    fn grid(accuracies: &[f64]) -> Vec<(f64, f64)> {
        accuracies
            .iter()
            .enumerate()
            .map(|(i, &a)| (i as f64 / 10.0, a))
            .collect()
    }

    #[test]
    fn without_a_suite_the_most_accurate_weight_wins_and_ties_go_to_the_evener() {
        let tried = grid(&[
            0.80, 0.82, 0.84, 0.85, 0.86, 0.86, 0.86, 0.87, 0.86, 0.85, 0.84,
        ]);
        assert_eq!(choose(&tried, &[]), Some(7));
        let flat = grid(&[0.9; 11]);
        assert_eq!(choose(&flat, &[]), Some(5));
        assert_eq!(choose(&[], &[]), None);
    }

    #[test]
    fn a_suite_decides_only_within_half_a_point_of_the_best_accuracy() {
        let tried = grid(&[
            0.80, 0.82, 0.84, 0.85, 0.86, 0.86, 0.86, 0.865, 0.868, 0.870, 0.871,
        ]);
        // Weight 0.3 passes the most, but is 2.1 points below the best accuracy.
        let rates = [
            0.90, 0.92, 0.95, 0.99, 0.93, 0.93, 0.93, 0.94, 0.96, 0.96, 0.95,
        ];
        // Within 0.005 of 0.871 are 0.8, 0.9 and 1.0; 0.8 and 0.9 pass as many, 0.9 is more
        // accurate.
        assert_eq!(choose(&tried, &rates), Some(9));
        // A tie on pass rate goes to the better accuracy before the evener weight.
        let rates = [
            0.90, 0.92, 0.95, 0.99, 0.93, 0.93, 0.93, 0.94, 0.96, 0.96, 0.96,
        ];
        assert_eq!(choose(&tried, &rates), Some(10));
    }

    /// A two-label model whose wide part reads token 3 as label 0 and token 4 as label 1 with
    /// the same confidence, and whose LSTM answers the same for every text: `bias` in favour
    /// of label 1 (its output layer's weights are zero).
    fn model_with_known_parts(bias: f64) -> (VarStore, Classifier) {
        let config = ModelConfig {
            vocab_size: 10,
            num_labels: 2,
            ngram_vocab_size: 2,
            members: 1,
            wide_weight: 0.5,
            scope_embedding: false,
            lstm_precision: Default::default(),
            network: NetworkSettings {
                embedding_dim: 4,
                bigram_buckets: 0,
                bigram_dim: 0,
                hidden_size: 3,
                num_layers: 1,
                bidirectional: false,
                dropout: 0.0,
                token_dropout: 0.0,
                wide_intercept: false,
                ..NetworkSettings::default()
            },
        };
        let vs = VarStore::new(Device::Cpu);
        let classifier = Classifier::new(&vs.root(), &config);
        let vocabulary = NgramVocabulary::fit([&[3i64][..], &[4], &[3], &[4]], 10, 1, 2);
        classifier.wide().unwrap().set_vocabulary(&vocabulary);
        let row_of_3 = 1 + vocabulary
            .keys
            .iter()
            .position(|&k| k == crate::model::ngram_hash(&[3]))
            .unwrap() as i64;
        let weights = Tensor::zeros([3, 2], (Kind::Float, Device::Cpu));
        for row in 1..3 {
            let sign = if row == row_of_3 { 1.0 } else { -1.0 };
            weights
                .get(row)
                .copy_(&Tensor::from_slice(&[sign * 2.0, -sign * 2.0]));
        }
        for (name, mut variable) in vs.variables() {
            tch::no_grad(|| {
                if name == "wide.weights.weight" {
                    variable.copy_(&weights);
                } else if name.starts_with("member0.output.weight") {
                    let _ = variable.zero_();
                } else if name.starts_with("member0.output.bias") {
                    variable.copy_(&Tensor::from_slice(&[0.0f32, bias as f32]));
                }
            });
        }
        (vs, classifier)
    }

    fn labelled(ids: &[i64], label: usize) -> Labelled {
        (Encoded { ids: ids.to_vec() }, label)
    }

    #[test]
    fn the_rule_on_a_model_whose_parts_are_known() {
        let validation = [labelled(&[3], 0), labelled(&[4], 1)];
        // The wide part alone: log-odds ±4 for its label.
        let (_vs, mut model) = model_with_known_parts(0.0);
        let wide_margin = {
            model.set_wide_weight(1.0);
            let batch = crate::model::Batch::new(&[&[3]], model.config());
            let p = tch::no_grad(|| model.forward_t(&batch, false));
            p.double_value(&[0, 0]) - p.double_value(&[0, 1])
        };
        assert!(wide_margin > 3.0, "wide margin {wide_margin}");

        // An LSTM without an opinion: every weight above 0 is right on both texts, 0 answers
        // label 0 for both (a tie goes to the first label); the evenest right weight is 0.5.
        let search = search_wide_weight(&mut model, &validation, None, None).unwrap();
        assert_eq!(search.tried[0].1, 0.5);
        assert!(search.tried[1..].iter().all(|t| t.1 == 1.0));
        assert_eq!(search.chosen, (0.5, 1.0));

        // An LSTM sure of label 1 by log-odds `bias`: label-0 texts are right only where
        // w · margin > (1 − w) · bias, so the rule keeps the smallest such weight at or above
        // 0.5.
        let bias = 3.0 * wide_margin;
        let (_vs, mut model) = model_with_known_parts(bias);
        let search = search_wide_weight(&mut model, &validation, None, None).unwrap();
        let threshold = bias / (bias + wide_margin);
        let expected = (0..=10)
            .map(|s| f64::from(s) / 10.0)
            .find(|w| *w > threshold + 1e-9)
            .unwrap();
        assert_eq!(search.chosen, (expected, 1.0));
        assert_eq!(expected, 0.8);

        // A fixed weight is kept whatever the search says.
        let search = search_wide_weight(&mut model, &validation, None, Some(0.2)).unwrap();
        assert_eq!(search.chosen, (0.2, 0.5));
    }
}
