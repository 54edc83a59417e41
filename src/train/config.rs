//! Every knob of a training run, as flags and as the record a model directory keeps.

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::data::SplitConfig;
use crate::model::artifact::Hyperparameters;
use crate::model::{ModelConfig, NetworkSettings};
use crate::text::TokenizerConfig;

/// Every knob of a training run; recorded in the artifact so a run can be repeated exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct TrainConfig {
    /// Passes over the training split per LSTM member (the learning rate anneals over them).
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Stop after this many epochs without a better validation accuracy.
    #[arg(long, default_value_t = 3)]
    pub patience: usize,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Peak learning rate (AdamW), reached after warm-up and decayed along a cosine.
    #[arg(long, default_value_t = 2e-3)]
    pub learning_rate: f64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    /// Global gradient-norm clip.
    #[arg(long, default_value_t = 1.0)]
    pub clip_norm: f64,
    #[arg(long, default_value_t = 0.0)]
    pub label_smoothing: f64,
    /// Seeds the split, the initial weights and the batch order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Seeds the LSTM members alone (initial weights, dropout, batch order; member i gets
    /// this + i) and leaves the split, the wide part and its cross-fitted evidence to
    /// `--seed`, so members trained with different seeds are measured on the same split.
    #[arg(long)]
    #[serde(default)]
    pub member_seed: Option<u64>,
    #[arg(long, default_value_t = 0.1)]
    pub validation_fraction: f64,
    #[arg(long, default_value_t = 0.1)]
    pub test_fraction: f64,
    /// Epochs of the wide part (early-stopped on validation accuracy).
    #[arg(long, default_value_t = 15)]
    pub wide_epochs: usize,
    #[arg(long, default_value_t = 0.01)]
    pub wide_learning_rate: f64,
    /// Inverse L2 strength of the wide logistic regression, as scikit-learn's `C`.
    #[arg(long, default_value_t = 10.0)]
    pub wide_c: f64,
    /// Keep the average of this many best epochs' weights when it validates at least as well
    /// as the best epoch (1 disables averaging).
    #[arg(long, default_value_t = 3)]
    pub average_checkpoints: usize,
    /// Epochs of language-model pretraining of each LSTM member's embedding and first layer
    /// (next token forward, previous token backward) on the training texts before it learns
    /// the labels; the epoch with the lowest validation language-model loss is kept. The bigram
    /// and evidence inputs, which hold the neighbouring tokens, are left out while it reads.
    /// 0 skips it.
    #[arg(long, default_value_t = 0)]
    #[serde(default)]
    pub pretrain_epochs: usize,
    /// Drop training examples whose own label gets less than this probability from a wide part
    /// cross-fitted on the rest of the training split (5 folds): noisy labels, which every stage
    /// would otherwise fit. Needs the wide part; 0 keeps every example.
    #[arg(long, default_value_t = 0.0)]
    #[serde(default)]
    pub suspect_label_threshold: f64,
    /// LSTM networks trained with seeds seed, seed+1, … and averaged (a small ensemble). 0
    /// trains and ships the n-gram part alone: no LSTM is trained, stored or computed.
    #[arg(long, default_value_t = 1)]
    pub members: usize,
    /// The wide TF-IDF logistic regression keeps 1–3-grams found in at least this many
    /// training texts.
    #[arg(long, default_value_t = 2)]
    pub ngram_min_df: u32,
    /// …and at most this many of them, the most frequent (0 disables the wide part).
    #[arg(long, default_value_t = 300_000)]
    pub ngram_max_features: usize,
    /// Loss weight of each `--extra-data` example relative to a main-data example.
    #[arg(long, default_value_t = 1.0)]
    #[serde(default = "one")]
    pub extra_weight: f64,
    /// How text becomes tokens (`--max-length`, `--scope-marks`, …), recorded with the model.
    #[command(flatten)]
    #[serde(flatten)]
    pub tokenizer: TokenizerConfig,
    /// The network's shape (`--hidden-size`, `--wide-evidence`, …), recorded with the model.
    #[command(flatten)]
    #[serde(flatten)]
    pub network: NetworkSettings,
    /// Share of the LSTM members' loss that follows the wide part's probabilities instead of
    /// the labels (distillation, 0 off): the members learn the wide part's knowledge of words
    /// from every text, and what order adds on top of it. Needs the wide part.
    #[arg(long, default_value_t = 0.0)]
    #[serde(default)]
    pub distill_weight: f64,
    /// Composed examples added to the LSTM members' training data (0 off): clauses of the
    /// training texts whose polarity the wide part reads confidently, joined by contrast,
    /// concession and addition connectives, labelled by the clause that decides ("A，但是B"
    /// reads as B). They teach order, which the wide part cannot read, so it never sees them.
    #[arg(long, default_value_t = 0)]
    #[serde(default)]
    pub compose: usize,
    /// A clause takes part in composition only if the wide part gives its text's own label at
    /// least this probability.
    #[arg(long, default_value_t = 0.9)]
    #[serde(default = "compose_confidence")]
    pub compose_confidence: f64,
    /// Fix the wide part's share in the mixture (0–1) instead of choosing it on the
    /// validation split and --tune-suite; the search still runs and the card shows its table.
    /// For a weight chosen on more than the tuning suite (the factory model's: its dev part
    /// too), so that the recorded command reproduces it.
    #[arg(long)]
    #[serde(default)]
    pub wide_weight: Option<f64>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            config: TrainConfig,
        }
        Defaults::parse_from(["defaults"]).config
    }
}

fn one() -> f64 {
    1.0
}

fn compose_confidence() -> f64 {
    0.9
}

impl TrainConfig {
    /// The network these hyperparameters build over a vocabulary, labels and n-grams; the
    /// mixture weight starts even and is chosen after training.
    pub(super) fn model_config(
        &self,
        vocab_size: i64,
        num_labels: usize,
        ngrams: usize,
    ) -> ModelConfig {
        ModelConfig {
            vocab_size,
            num_labels: num_labels as i64,
            ngram_vocab_size: ngrams as i64,
            members: self.members as i64,
            wide_weight: if self.members == 0 { 1.0 } else { 0.5 },
            scope_embedding: self.tokenizer.scope_marks,
            // Training computes in float32; `quantize` makes a lower-precision copy.
            lstm_precision: Default::default(),
            network: NetworkSettings {
                // Without scope marks no negation is marked, so there is nothing to transfer.
                negation_transfer: if self.tokenizer.scope_marks {
                    self.network.negation_transfer
                } else {
                    0
                },
                ..self.network.clone()
            },
        }
    }

    /// The hyperparameters as a model directory records them.
    pub fn record(&self) -> Hyperparameters {
        match serde_json::to_value(self).expect("hyperparameters serialize") {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a struct serializes to an object"),
        }
    }

    /// Reads recorded hyperparameters back. A field a model predates takes the value that
    /// matches how such models were trained (its serde default: marks and folding off), not
    /// the current command-line default.
    pub fn from_record(record: &Hyperparameters) -> anyhow::Result<Self> {
        Ok(serde_json::from_value(serde_json::Value::Object(
            record.clone(),
        ))?)
    }

    pub fn split(&self) -> SplitConfig {
        SplitConfig {
            seed: self.seed,
            validation_fraction: self.validation_fraction,
            test_fraction: self.test_fraction,
        }
    }

    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if self.epochs == 0 || self.batch_size == 0 || self.tokenizer.max_length == 0 {
            bail!("--epochs, --batch-size and --max-length must be positive");
        }
        if self.members == 0 && self.ngram_max_features == 0 {
            bail!("--members 0 needs the n-gram part, which --ngram-max-features 0 turns off");
        }
        // The network's own settings are checked where loading checks them too.
        if let Err(e) = self.model_config(2, 2, 1).validate() {
            bail!("--{} {}", e.field.replace('_', "-"), e.problem);
        }
        if self.validation_fraction <= 0.0
            || self.test_fraction < 0.0
            || self.validation_fraction + self.test_fraction >= 1.0
        {
            bail!("--validation-fraction must be > 0, --test-fraction ≥ 0, and together below 1");
        }
        if !(self.extra_weight > 0.0 && self.extra_weight.is_finite()) {
            bail!("--extra-weight must be positive");
        }
        if self.wide_weight.is_some_and(|w| !(0.0..=1.0).contains(&w)) {
            bail!("--wide-weight must be in [0, 1]");
        }
        if self.members == 0 && self.wide_weight.is_some_and(|w| w != 1.0) {
            bail!("--wide-weight must be 1 with --members 0 (there is no LSTM to weigh)");
        }
        if !(0.0..=1.0).contains(&self.distill_weight) {
            bail!("--distill-weight must be in [0, 1]");
        }
        if !(0.5..1.0).contains(&self.compose_confidence) {
            bail!("--compose-confidence must be in [0.5, 1)");
        }
        if (self.distill_weight > 0.0 || self.compose > 0 || self.network.wide_evidence)
            && self.ngram_max_features == 0
        {
            bail!(
                "--distill-weight, --compose and --wide-evidence learn from the wide part, which --ngram-max-features 0 turns off"
            );
        }
        if self.tokenizer.downtoners && !self.tokenizer.degree_adverbs {
            bail!("--downtoners sets apart some of the degree adverbs --degree-adverbs folds");
        }
        if self.network.asserted_evidence && !self.tokenizer.scope_marks {
            bail!("--asserted-evidence reads negated n-grams, which only --scope-marks sets apart");
        }
        if !(0.0..1.0).contains(&self.suspect_label_threshold) {
            bail!("--suspect-label-threshold must be in [0, 1)");
        }
        if self.suspect_label_threshold > 0.0 && self.ngram_max_features == 0 {
            bail!(
                "--suspect-label-threshold needs the wide part, which --ngram-max-features 0 turns off"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_missing_newer_fields_reads_as_models_were_trained_then() {
        let mut record = TrainConfig::default().record();
        for newer in [
            "scope_marks",
            "fold_traditional",
            "degree_adverbs",
            "double_negation_marks",
            "downtoners",
            "negation_transfer",
            "asserted_evidence",
            "transfer_in_concession",
            "wide_intercept",
            "wide_weight",
        ] {
            record.remove(newer);
        }
        let read = TrainConfig::from_record(&record).unwrap();
        let tokenizer = &read.tokenizer;
        assert!(!tokenizer.scope_marks && !tokenizer.fold_traditional && !tokenizer.degree_adverbs);
        assert!(!tokenizer.double_negation_marks && !tokenizer.downtoners);
        assert!(!read.network.asserted_evidence);
        assert_eq!(read.network.negation_transfer, 0);
        assert!(read.network.wide_intercept && read.wide_weight.is_none());
        assert!(read.network.transfer_in_concession);
        assert_eq!(read.epochs, TrainConfig::default().epochs);
    }

    #[test]
    fn network_settings_are_refused_by_their_flag_names() {
        let refused = |config: TrainConfig| config.validate().unwrap_err().to_string();
        assert_eq!(
            refused(TrainConfig {
                network: NetworkSettings {
                    token_dropout: 1.0,
                    ..NetworkSettings::default()
                },
                ..TrainConfig::default()
            }),
            "--token-dropout must be in [0, 1)"
        );
        assert_eq!(
            refused(TrainConfig {
                members: 0,
                ngram_max_features: 0,
                ..TrainConfig::default()
            }),
            "--members 0 needs the n-gram part, which --ngram-max-features 0 turns off"
        );
        assert_eq!(
            refused(TrainConfig {
                members: 0,
                wide_weight: Some(0.5),
                ..TrainConfig::default()
            }),
            "--wide-weight must be 1 with --members 0 (there is no LSTM to weigh)"
        );
        assert!(
            TrainConfig {
                members: 0,
                ..TrainConfig::default()
            }
            .validate()
            .is_ok()
        );
        assert_eq!(
            refused(TrainConfig {
                network: NetworkSettings {
                    bigram_buckets: 1,
                    ..NetworkSettings::default()
                },
                ..TrainConfig::default()
            }),
            "--bigram-buckets must be 0 (off) or at least 2"
        );
        let asserted = NetworkSettings {
            wide_evidence: true,
            asserted_evidence: true,
            ..NetworkSettings::default()
        };
        assert_eq!(
            refused(TrainConfig {
                network: NetworkSettings {
                    wide_evidence: false,
                    ..asserted.clone()
                },
                ..TrainConfig::default()
            }),
            "--asserted-evidence needs the wide evidence"
        );
        assert_eq!(
            refused(TrainConfig {
                network: asserted.clone(),
                tokenizer: TokenizerConfig {
                    scope_marks: false,
                    ..TrainConfig::default().tokenizer
                },
                ..TrainConfig::default()
            }),
            "--asserted-evidence reads negated n-grams, which only --scope-marks sets apart"
        );
        assert!(
            TrainConfig {
                network: asserted,
                ..TrainConfig::default()
            }
            .validate()
            .is_ok()
        );
        assert_eq!(
            refused(TrainConfig {
                tokenizer: TokenizerConfig {
                    degree_adverbs: false,
                    downtoners: true,
                    ..TrainConfig::default().tokenizer
                },
                ..TrainConfig::default()
            }),
            "--downtoners sets apart some of the degree adverbs --degree-adverbs folds"
        );
        assert!(TrainConfig::default().validate().is_ok());
    }
}
