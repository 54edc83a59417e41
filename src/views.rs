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
    pub architecture: ArchitectureView,
    pub tokenizer: TokenizerView,
    pub vocabulary_size: usize,
    pub max_length: usize,
    pub parameters: i64,
    pub weights_sha256: String,
    pub created_at: String,
    /// Validation and test metrics recorded at training time, if the model was trained here.
    pub metrics: Option<MetricsView>,
    /// The behavioural suite's pass rates per capability, recorded at training time
    /// (`train --check-suite`), if one was run.
    pub check: Option<CheckView>,
}

/// The network's shape as the API shows it. Its own type, not `model.json`'s `ModelConfig`, so
/// the file format can change without changing the API's schema; the field names are the
/// ones clients have read since the first version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArchitectureView {
    /// What a prediction computes: "n-gram model, no LSTM", an LSTM and n-gram mixture with
    /// its weights, or an n-gram model whose stored LSTM is not computed.
    #[schema(example = "n-gram model, no LSTM")]
    pub computes: String,
    /// Token ids the embedding knows, `<pad>` and `<unk>` included.
    pub vocab_size: i64,
    pub num_labels: i64,
    pub embedding_dim: i64,
    /// Hashed character-bigram buckets of the LSTM input (0: none).
    pub bigram_buckets: i64,
    pub bigram_dim: i64,
    pub hidden_size: i64,
    pub num_layers: i64,
    pub bidirectional: bool,
    /// Dropout the network was trained with (no effect when serving).
    pub dropout: f64,
    /// Whole-token dropout the network was trained with (no effect when serving).
    pub token_dropout: f64,
    /// Token 1- to 3-grams known to the wide part (0: no wide part).
    pub ngram_vocab_size: i64,
    /// LSTM members averaged (0: no LSTM).
    pub members: i64,
    /// Share of the wide part in the prediction; at 1 the LSTM members are not computed.
    pub wide_weight: f64,
    /// Whether the LSTM input carries the tokenizer's scope marks.
    pub scope_embedding: bool,
    /// Negated n-grams this near their cue also count as their plain n-gram, turned around
    /// (0: off).
    pub negation_transfer: u32,
    /// Whether that transfer also applies inside a clause a contrast concedes.
    pub transfer_in_concession: bool,
    /// Whether the wide part has an intercept.
    pub wide_intercept: bool,
}

impl From<&ModelConfig> for ArchitectureView {
    fn from(config: &ModelConfig) -> Self {
        Self {
            computes: config.computes(),
            vocab_size: config.vocab_size,
            num_labels: config.num_labels,
            embedding_dim: config.embedding_dim,
            bigram_buckets: config.bigram_buckets,
            bigram_dim: config.bigram_dim,
            hidden_size: config.hidden_size,
            num_layers: config.num_layers,
            bidirectional: config.bidirectional,
            dropout: config.dropout,
            token_dropout: config.token_dropout,
            ngram_vocab_size: config.ngram_vocab_size,
            members: config.members,
            wide_weight: config.wide_weight,
            scope_embedding: config.scope_embedding,
            negation_transfer: config.negation_transfer,
            transfer_in_concession: config.transfer_in_concession,
            wide_intercept: config.wide_intercept,
        }
    }
}

/// How the model turns text into tokens, as the API shows it (not `model.json`'s own type).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenizerView {
    /// Tokens beyond this many are dropped.
    pub max_length: usize,
    /// Tokens rarer than this in the training split became `<unk>`.
    pub min_frequency: usize,
    /// Vocabulary size cap the model was trained with.
    pub max_vocab_size: usize,
    /// Negation scopes and conceded clauses are marked (未发现异常 ≠ 异常).
    pub scope_marks: bool,
    /// Traditional characters are read as simplified ones.
    pub fold_traditional: bool,
    /// Every degree adverb (很, 非常, 十分, …) is read as one token.
    pub degree_adverbs: bool,
    /// The cue closing a double negation (the 不 of 没有一件不合格) is marked negated too.
    pub double_negation_marks: bool,
}

impl From<&TokenizerConfig> for TokenizerView {
    fn from(config: &TokenizerConfig) -> Self {
        Self {
            max_length: config.max_length,
            min_frequency: config.min_frequency,
            max_vocab_size: config.max_vocab_size,
            scope_marks: config.scope_marks,
            fold_traditional: config.fold_traditional,
            degree_adverbs: config.degree_adverbs,
            double_negation_marks: config.double_negation_marks,
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
