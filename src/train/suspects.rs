//! Dropping training examples whose label the data itself contradicts.
//!
//! Review labels come from star ratings and are noisy: the same complaint is filed as positive
//! now and then. Every model trained here fits those examples too, and learns less of the
//! wording the rest agree on. Cross-fitting finds them without touching the validation or test
//! split: each fold of the training split is scored by a wide part trained on the other folds.

use std::path::Path;

use anyhow::Context;

pub(super) use super::crossfit::FOLDS;
use super::crossfit::cross_fit;
use super::{Labelled, TrainConfig};
use crate::data::Example;
use crate::model::{ModelConfig, NgramVocabulary, predict_sequences};

/// A training example left out, and the probability its own label got.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Suspect {
    /// Position in the training split.
    pub index: usize,
    pub own_label_probability: f32,
}

/// The training examples whose own label gets at least `config.suspect_label_threshold`
/// probability from a wide part that never saw them, and the others, least plausible first.
/// Each fold's wide part is trained exactly as the real one (same n-gram vocabulary,
/// early-stopped on the validation split).
pub(super) fn drop_suspect_labels(
    train: Vec<Labelled>,
    validation: &[Labelled],
    vocabulary: &NgramVocabulary,
    model_config: &ModelConfig,
    config: &TrainConfig,
) -> anyhow::Result<(Vec<Labelled>, Vec<Suspect>)> {
    let own_label_probability =
        cross_fitted_own_label_probability(&train, validation, vocabulary, model_config, config)?;
    let mut kept = Vec::with_capacity(train.len());
    let mut suspects = Vec::new();
    for (index, (example, p)) in train.into_iter().zip(own_label_probability).enumerate() {
        if f64::from(p) >= config.suspect_label_threshold {
            kept.push(example);
        } else {
            suspects.push(Suspect {
                index,
                own_label_probability: p,
            });
        }
    }
    if kept.is_empty() {
        anyhow::bail!(
            "--suspect-label-threshold {} left out every training example; lower it",
            config.suspect_label_threshold
        );
    }
    suspects.sort_by(|a, b| a.own_label_probability.total_cmp(&b.own_label_probability));
    Ok((kept, suspects))
}

/// Writes the suspects as JSONL (text, label as given, the probability it got), for a person to
/// check: a wrong label is better fixed in the data than left out of one model.
pub(super) fn write_report(
    path: &Path,
    train: &[Example],
    suspects: &[Suspect],
) -> anyhow::Result<()> {
    let rows = suspects.iter().map(|suspect| {
        let example = &train[suspect.index];
        serde_json::json!({
            "text": example.text,
            "label": example.label,
            "own_label_probability": suspect.own_label_probability,
        })
    });
    crate::data::write_jsonl(path, rows).with_context(|| format!("writing {}", path.display()))
}

fn cross_fitted_own_label_probability(
    train: &[Labelled],
    validation: &[Labelled],
    vocabulary: &NgramVocabulary,
    model_config: &ModelConfig,
    config: &TrainConfig,
) -> anyhow::Result<Vec<f32>> {
    let mut probability = vec![1.0f32; train.len()];
    cross_fit(
        "suspects",
        train,
        validation,
        vocabulary,
        model_config,
        config,
        |wide, held_out| {
            let sequences: Vec<&[i64]> = held_out
                .iter()
                .map(|&i| train[i].0.ids.as_slice())
                .collect();
            for (&i, p) in held_out
                .iter()
                .zip(predict_sequences(wide, &sequences, 256))
            {
                probability[i] = p[train[i].1];
            }
        },
    )?;
    Ok(probability)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NetworkSettings;
    use crate::text::Encoded;

    /// Two labels, each marked by its own token ids; `flipped` examples carry the other label.
    fn examples(count: usize, flipped: &[usize]) -> Vec<Labelled> {
        (0..count)
            .map(|i| {
                let label = i % 2;
                let marker = if label == 0 { 10 } else { 20 };
                let ids = vec![2 + (i % 5) as i64, marker, marker + 1, 3 + (i % 3) as i64];
                let label = if flipped.contains(&i) {
                    1 - label
                } else {
                    label
                };
                (Encoded { ids }, label)
            })
            .collect()
    }

    #[test]
    fn examples_whose_label_contradicts_the_rest_are_dropped_and_only_they() {
        let flipped = [3, 10, 17, 42, 77];
        let train = examples(120, &flipped);
        let validation = examples(30, &[]);
        let vocabulary =
            NgramVocabulary::fit(train.iter().map(|(e, _)| e.ids.as_slice()), 30, 1, 1000);
        let model_config = ModelConfig {
            vocab_size: 30,
            num_labels: 2,
            ngram_vocab_size: vocabulary.len() as i64,
            members: 1,
            wide_weight: 1.0,
            scope_embedding: false,
            lstm_precision: Default::default(),
            network: NetworkSettings {
                embedding_dim: 4,
                bigram_buckets: 0,
                bigram_dim: 0,
                hidden_size: 4,
                num_layers: 1,
                bidirectional: false,
                dropout: 0.0,
                token_dropout: 0.0,
                ..NetworkSettings::default()
            },
        };
        let config = TrainConfig {
            suspect_label_threshold: 0.2,
            wide_epochs: 30,
            wide_learning_rate: 0.1,
            batch_size: 16,
            ..TrainConfig::default()
        };
        let (kept, suspects) = drop_suspect_labels(
            train.clone(),
            &validation,
            &vocabulary,
            &model_config,
            &config,
        )
        .unwrap();
        let mut dropped: Vec<usize> = suspects.iter().map(|s| s.index).collect();
        dropped.sort_unstable();
        assert_eq!(dropped, flipped);
        assert!(
            suspects
                .windows(2)
                .all(|w| w[0].own_label_probability <= w[1].own_label_probability)
                && suspects.iter().all(|s| s.own_label_probability < 0.2),
            "{suspects:?}"
        );
        let expected: Vec<Labelled> = train
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !flipped.contains(i))
            .map(|(_, example)| example)
            .collect();
        assert_eq!(kept, expected);
    }
}
