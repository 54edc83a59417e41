//! Every knob of a training run, as flags and as the record a model directory keeps.

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::data::SplitConfig;
use crate::model::ModelConfig;
use crate::model::artifact::Hyperparameters;
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
    #[arg(long, default_value_t = 0.1)]
    pub validation_fraction: f64,
    #[arg(long, default_value_t = 0.1)]
    pub test_fraction: f64,
    #[arg(long, default_value_t = 128)]
    pub embedding_dim: i64,
    /// Hashed character-bigram buckets (0 disables bigram features).
    #[arg(long, default_value_t = 32768)]
    pub bigram_buckets: i64,
    #[arg(long, default_value_t = 64)]
    pub bigram_dim: i64,
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
    /// the labels; the epoch with the lowest validation language-model loss is kept. 0 skips it.
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
    #[arg(long, default_value_t = 128)]
    pub hidden_size: i64,
    #[arg(long, default_value_t = 1)]
    pub num_layers: i64,
    /// Read texts in both directions.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub bidirectional: bool,
    #[arg(long, default_value_t = 0.4)]
    pub dropout: f64,
    /// Probability of dropping a whole input token during training.
    #[arg(long, default_value_t = 0.1)]
    pub token_dropout: f64,
    /// Loss weight of each `--extra-data` example relative to a main-data example.
    #[arg(long, default_value_t = 1.0)]
    #[serde(default = "one")]
    pub extra_weight: f64,
    /// Tokens kept per text.
    #[arg(long, default_value_t = 256)]
    pub max_length: usize,
    #[arg(long, default_value_t = 2)]
    pub min_frequency: usize,
    #[arg(long, default_value_t = 20_000)]
    pub max_vocab_size: usize,
    /// Mark negation scopes (未发现**异常**) and conceded clauses (**虽然贵**，但是…) in the
    /// tokens, so negated and conceded words stop counting as plain assertions.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub scope_marks: bool,
    /// Read traditional characters as simplified ones.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub fold_traditional: bool,
    /// Read every degree adverb (很, 非常, 十分, …) as one token.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub degree_adverbs: bool,
    /// Mark the cue that closes a negation (the 不 of "没有一件不合格") as negated too, so a
    /// double negation's n-grams ("不合格") stop reading as a plain complaint.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub double_negation_marks: bool,
    /// Let the wide part count each negated n-gram within this many tokens of its cue also as
    /// its plain n-gram turned around by a learnt factor, so negating a word it knows only from
    /// plain use ("没有蓝屏") still reads as negating it. 0 turns it off, as does
    /// --scope-marks false (no negations are marked then).
    #[arg(long, default_value_t = 0)]
    #[serde(default)]
    pub negation_transfer: u32,
    /// Let negation transfer also turn around the negated n-grams of a clause a contrast
    /// concedes ("虽然没有漏油，但是…"). The reviews' conceded clauses tend to agree with the
    /// verdict; in factory notes the clause after the connective decides, where false fits.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default = "yes")]
    pub transfer_in_concession: bool,
    /// Give the wide part an intercept. Without it, a text made of n-grams it does not know
    /// (a new domain's words) reads as even odds rather than as the training data's leaning.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default = "yes")]
    pub wide_intercept: bool,
    /// Give each LSTM input the trained wide part's evidence at that position (its weights of
    /// the n-grams ending there), so the LSTM learns how word-level evidence combines in order
    /// instead of relearning every word. Needs the wide part.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub wide_evidence: bool,
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

fn yes() -> bool {
    true
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
            embedding_dim: self.embedding_dim,
            bigram_buckets: self.bigram_buckets,
            bigram_dim: self.bigram_dim,
            hidden_size: self.hidden_size,
            num_layers: self.num_layers,
            bidirectional: self.bidirectional,
            dropout: self.dropout,
            token_dropout: self.token_dropout,
            ngram_vocab_size: ngrams as i64,
            members: self.members as i64,
            wide_weight: if self.members == 0 { 1.0 } else { 0.5 },
            scope_embedding: self.scope_marks,
            negation_transfer: if self.scope_marks {
                self.negation_transfer
            } else {
                0
            },
            transfer_in_concession: self.transfer_in_concession,
            wide_intercept: self.wide_intercept,
            wide_evidence: self.wide_evidence,
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

    pub(super) fn tokenizer(&self) -> TokenizerConfig {
        TokenizerConfig {
            max_length: self.max_length,
            min_frequency: self.min_frequency,
            max_vocab_size: self.max_vocab_size,
            scope_marks: self.scope_marks,
            fold_traditional: self.fold_traditional,
            degree_adverbs: self.degree_adverbs,
            double_negation_marks: self.double_negation_marks,
        }
    }

    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if self.epochs == 0 || self.batch_size == 0 || self.max_length == 0 {
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
        if (self.distill_weight > 0.0 || self.compose > 0 || self.wide_evidence)
            && self.ngram_max_features == 0
        {
            bail!(
                "--distill-weight, --compose and --wide-evidence learn from the wide part, which --ngram-max-features 0 turns off"
            );
        }
        if self.wide_evidence && self.pretrain_epochs > 0 {
            // The evidence at a position includes the n-gram ending there, so the backward
            // language model would see the token it must predict.
            bail!("--wide-evidence cannot be combined with --pretrain-epochs");
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
            "negation_transfer",
            "transfer_in_concession",
            "wide_intercept",
            "wide_weight",
        ] {
            record.remove(newer);
        }
        let read = TrainConfig::from_record(&record).unwrap();
        assert!(!read.scope_marks && !read.fold_traditional && !read.degree_adverbs);
        assert!(!read.double_negation_marks);
        assert_eq!(read.negation_transfer, 0);
        assert!(read.wide_intercept && read.wide_weight.is_none());
        assert!(read.transfer_in_concession);
        assert_eq!(read.epochs, TrainConfig::default().epochs);
    }

    #[test]
    fn network_settings_are_refused_by_their_flag_names() {
        let refused = |config: TrainConfig| config.validate().unwrap_err().to_string();
        assert_eq!(
            refused(TrainConfig {
                token_dropout: 1.0,
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
                bigram_buckets: 1,
                ..TrainConfig::default()
            }),
            "--bigram-buckets must be 0 (off) or at least 2"
        );
        assert!(TrainConfig::default().validate().is_ok());
    }
}
