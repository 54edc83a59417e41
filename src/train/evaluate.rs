//! Scoring a model on labelled examples: the figures `train` records and `eval` prints.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::data::{self, Example, ReadOptions};
use crate::model::{Evaluation, Model, argmax};

/// Scores `model` on labelled examples. Every label must be one the model knows.
pub fn evaluate(model: &Model, examples: &[Example]) -> anyhow::Result<Evaluation> {
    Ok(evaluate_with_mistakes(model, examples)?.0)
}

/// One example the model got wrong, as `eval --misclassified` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub text: String,
    /// The label the data gives.
    pub label: String,
    pub predicted: String,
    /// What the model gave the data's label: the lowest are the mistakes most worth reading,
    /// since they are either the model's worst errors or labels that are wrong.
    pub label_probability: f32,
    /// Every label's probability, in the model's label order.
    pub probabilities: Vec<f32>,
}

/// [`evaluate`], plus every misclassified example, the most confident mistakes first.
pub fn evaluate_with_mistakes(
    model: &Model,
    examples: &[Example],
) -> anyhow::Result<(Evaluation, Vec<Mistake>)> {
    let labels = model.labels();
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let truths = examples
        .iter()
        .map(|e| {
            index.get(e.label.as_str()).copied().with_context(|| {
                format!(
                    "label {:?} is not one of the model's labels {labels:?}",
                    e.label
                )
            })
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probabilities = model.predict_texts(&texts, 256);
    let predicted: Vec<usize> = probabilities.iter().map(|p| argmax(p).0).collect();
    let mut mistakes: Vec<Mistake> = examples
        .iter()
        .zip(&truths)
        .zip(&predicted)
        .zip(probabilities)
        .filter(|(((_, truth), predicted), _)| truth != predicted)
        .map(|(((example, &truth), &predicted), probabilities)| Mistake {
            text: example.text.clone(),
            label: example.label.clone(),
            predicted: labels[predicted].clone(),
            label_probability: probabilities[truth],
            probabilities,
        })
        .collect();
    mistakes.sort_by(|a, b| a.label_probability.total_cmp(&b.label_probability));
    let evaluation = Evaluation::from_predictions(labels, truths.into_iter().zip(predicted));
    Ok((evaluation, mistakes))
}

/// Which part of the recorded split `eval` rebuilds when no data file is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordedSplit {
    /// What model selection looked at: read it freely for error analysis.
    Validation,
    /// Held out from every choice: the honest figure.
    #[default]
    Test,
}

/// Where `eval` gets its examples: a file the user names, or a part of the split recorded in
/// the model, rebuilt from the original data file.
pub fn evaluation_examples(
    model: &Model,
    data: Option<&Path>,
    read: &ReadOptions,
    part: RecordedSplit,
) -> anyhow::Result<Vec<Example>> {
    if let Some(path) = data {
        return Ok(data::Dataset::read(path, read)?.examples);
    }
    let split = recorded_split(model)?;
    Ok(match part {
        RecordedSplit::Validation => split.validation,
        RecordedSplit::Test => split.test,
    })
}

/// The train, validation and test parts of the data a model recorded, rebuilt from the file
/// (which must be unchanged) and the recorded split settings; the training part as split,
/// before any `--suspect-label-threshold` drops.
pub fn recorded_split(model: &Model) -> anyhow::Result<data::Split> {
    let training = model
        .native("rebuilding the recorded split (pass --data FILE instead)")?
        .manifest
        .training
        .as_ref()
        .context("the model records no training data; pass --data FILE")?;
    let path = PathBuf::from(&training.data_path);
    if !path.is_file() {
        bail!(
            "the model's training data {} is not here; run `scripts/fetch-data.sh` (for the default model) or pass --data FILE",
            path.display()
        );
    }
    let read = ReadOptions {
        format: None,
        text_field: training.text_field.clone(),
        label_field: training.label_field.clone(),
    };
    let prepared = data::prepare(&path, &read, training.split)?;
    if prepared.sha256 != training.data_sha256 {
        bail!(
            "{} changed since training (sha256 {} ≠ recorded {}); the split cannot be rebuilt",
            path.display(),
            prepared.sha256,
            training.data_sha256
        );
    }
    Ok(prepared.split)
}
