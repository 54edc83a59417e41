//! What the API shows of a model and of a prediction: its own types, not `model.json`'s, so the
//! file format can change without changing the API's schema. Used by the HTTP routes, the bulk
//! stream, the v2 protocol and the command line alike.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::artifact::{CheckSummary, Metrics};
use crate::model::{Evaluation, ModelConfig};
use crate::text::TokenizerConfig;

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelScores {
    /// The most probable label.
    pub label: String,
    /// Its probability.
    pub score: f32,
    /// Probability of every label; they sum to 1.
    pub probabilities: BTreeMap<String, f32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelDetails {
    pub name: String,
    pub version: String,
    pub labels: Vec<String>,
    /// `native` for a model `textserve train` made, `torchscript` for one trained elsewhere
    /// and brought in with `textserve import`.
    pub format: ModelFormat,
    /// What a prediction computes.
    #[schema(example = "n-gram model, no LSTM")]
    pub computes: String,
    /// textserve's own network; absent for a TorchScript model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<ArchitectureView>,
    /// textserve's own tokenizer settings; absent for a TorchScript model, which brings a
    /// Hugging Face `tokenizer.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<TokenizerConfig>,
    /// How a TorchScript model is called; absent for textserve's own models.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub torchscript: Option<TorchScriptView>,
    pub vocabulary_size: usize,
    /// Token ids read per text (special tokens included for a TorchScript model).
    pub max_length: usize,
    pub parameters: i64,
    /// sha256 of the weights file (`model.safetensors`, or a TorchScript model's `model.pt`).
    pub weights_sha256: String,
    pub created_at: String,
    /// Validation and test metrics recorded at training time, if the model was trained here.
    pub metrics: Option<MetricsView>,
    /// The behavioural suite's pass rates per capability, recorded at training time
    /// (`train --check-suite`), if one was run.
    pub check: Option<CheckView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelFormat {
    Native,
    Torchscript,
}

/// How textserve calls a TorchScript module.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TorchScriptView {
    /// The module's arguments in order, each int64 `[batch, seq]`.
    #[schema(example = json!(["input_ids", "attention_mask", "token_type_ids"]))]
    pub inputs: Vec<String>,
    /// `logits` (softmaxed by textserve) or `probabilities`.
    pub output: String,
    /// sha256 of `tokenizer.json`.
    pub tokenizer_sha256: String,
}

/// The network as the API shows it: what a prediction computes, then the architecture exactly
/// as `model.json` records it (its settings declared once, in `ModelConfig` and
/// `NetworkSettings`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArchitectureView {
    /// What a prediction computes: "n-gram model, no LSTM", an LSTM and n-gram mixture with
    /// its weights, or an n-gram model whose stored LSTM is not computed.
    #[schema(example = "n-gram model, no LSTM")]
    pub computes: String,
    #[serde(flatten)]
    pub config: ModelConfig,
}

impl From<&ModelConfig> for ArchitectureView {
    fn from(config: &ModelConfig) -> Self {
        Self {
            computes: config.computes(),
            config: config.clone(),
        }
    }
}

// Validation and test quality as the API shows them (not `model.json`'s own types; the
// schema keeps the names clients have read since the first version).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Metrics)]
pub struct MetricsView {
    pub validation: EvaluationView,
    pub test: EvaluationView,
}

/// Classification quality on one set of examples.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Evaluation)]
pub struct EvaluationView {
    pub examples: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetricsView>,
    /// `confusion[true][predicted]`, in label order.
    pub confusion: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ClassMetrics)]
pub struct ClassMetricsView {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// A behavioural suite's result as recorded with the model: pass rates per capability.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CheckSummary)]
pub struct CheckView {
    /// The suite file as given to `train`.
    pub suite: String,
    pub suite_sha256: String,
    pub cases: usize,
    pub passed: usize,
    pub capabilities: Vec<CapabilityView>,
    /// The bar every capability had to reach (`--check-fail-under`), if one was set.
    pub fail_under: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CapabilityResult)]
pub struct CapabilityView {
    pub capability: String,
    pub cases: usize,
    pub passed: usize,
    pub pass_rate: f64,
}

impl From<&Metrics> for MetricsView {
    fn from(metrics: &Metrics) -> Self {
        Self {
            validation: EvaluationView::from(&metrics.validation),
            test: EvaluationView::from(&metrics.test),
        }
    }
}

impl From<&Evaluation> for EvaluationView {
    fn from(evaluation: &Evaluation) -> Self {
        Self {
            examples: evaluation.examples,
            accuracy: evaluation.accuracy,
            macro_f1: evaluation.macro_f1,
            per_class: evaluation
                .per_class
                .iter()
                .map(|c| ClassMetricsView {
                    label: c.label.clone(),
                    precision: c.precision,
                    recall: c.recall,
                    f1: c.f1,
                    support: c.support,
                })
                .collect(),
            confusion: evaluation.confusion.clone(),
        }
    }
}

impl From<&CheckSummary> for CheckView {
    fn from(check: &CheckSummary) -> Self {
        Self {
            suite: check.suite.clone(),
            suite_sha256: check.suite_sha256.clone(),
            cases: check.cases,
            passed: check.passed,
            capabilities: check
                .capabilities
                .iter()
                .map(|c| CapabilityView {
                    capability: c.capability.clone(),
                    cases: c.cases,
                    passed: c.passed,
                    pass_rate: c.pass_rate,
                })
                .collect(),
            fail_under: check.fail_under,
        }
    }
}
