//! The network's settings: what `model.json` records of its shape and mixture, checked in one
//! place for a loaded model and for `train`'s flags alike.

use serde::{Deserialize, Serialize};

/// The network's shape and mixture; stored in `model.json` so loading can rebuild it before
/// reading weights. What a trainer chooses is [`NetworkSettings`], declared once for the
/// `train` flags, this file and the API's view; the rest follows from the data and the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModelConfig {
    /// Token ids the embedding knows, `<pad>` and `<unk>` included.
    pub vocab_size: i64,
    pub num_labels: i64,
    /// Token 1- to 3-grams known to the wide part, a TF-IDF logistic regression; 0 turns it off.
    #[serde(default)]
    pub ngram_vocab_size: i64,
    /// Independently trained LSTM networks whose log-probabilities are averaged; 0 for an
    /// n-gram model with no LSTM at all (its weights file holds no LSTM tensors).
    #[serde(default = "one")]
    pub members: i64,
    /// Share of the wide part in the final log-probabilities (the LSTM members share the rest);
    /// chosen on the validation split after training.
    #[serde(default = "half")]
    pub wide_weight: f64,
    /// Add a learned vector per scope mark (negated, conceded, negation cue; see
    /// `text::scopes`) to each LSTM input, so the members see the scopes the wide part sees.
    /// On whenever the tokenizer marks scopes.
    #[serde(default)]
    pub scope_embedding: bool,
    /// Number format of the LSTM members when the model serves; training computes in float32
    /// and `textserve quantize` sets this on a copy, with what it changes measured. `bfloat16`
    /// runs the recurrence through oneDNN's bfloat16 kernels (1.8× faster on CPUs with AVX-512
    /// BF16); on other CPUs the model computes in float32 and says so.
    #[serde(default)]
    pub lstm_precision: LstmPrecision,
    #[serde(flatten)]
    pub network: NetworkSettings,
}

/// The network settings a trainer chooses: `train` flags (`--hidden-size`, …), fields of
/// `model.json`'s `architecture`, and what `GET /v1/models/{name}` shows, from this one
/// declaration. A field added later needs a serde default that keeps older models computing
/// what they were trained to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args, utoipa::ToSchema)]
pub struct NetworkSettings {
    /// Token embedding size of each LSTM member.
    #[arg(long, default_value_t = 128)]
    pub embedding_dim: i64,
    /// Hashed buckets for adjacent-token (character bigram) features; 0 turns them off.
    /// Chinese words are mostly two characters, so bigrams recover word-level cues that single
    /// ideographs lack, without a word segmenter.
    #[arg(long, default_value_t = 32768)]
    pub bigram_buckets: i64,
    /// Bigram embedding size.
    #[arg(long, default_value_t = 64)]
    pub bigram_dim: i64,
    /// LSTM hidden size per direction.
    #[arg(long, default_value_t = 128)]
    pub hidden_size: i64,
    /// Stacked LSTM layers.
    #[arg(long, default_value_t = 1)]
    pub num_layers: i64,
    /// Read texts in both directions.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub bidirectional: bool,
    /// Dropout between the LSTM's layers and before its output layer.
    #[arg(long, default_value_t = 0.4)]
    pub dropout: f64,
    /// Probability of zeroing a whole token's input during training.
    #[arg(long, default_value_t = 0.1)]
    pub token_dropout: f64,
    /// Let each negated n-gram within this many tokens of its negation cue also count as its
    /// plain n-gram, turned around by one learnt factor (0 turns it off, as does
    /// `--scope-marks false`). A negated n-gram is a feature of its own and so knows nothing of
    /// words never seen negated ("没有蓝屏"), while the plain "蓝屏" is known from the reviews;
    /// the shared factor carries what negation does to any word. Near the cue only: a
    /// clause-long scope ("没想到质量这么好") is where turning words around goes wrong.
    #[arg(long, default_value_t = 0)]
    #[serde(default)]
    pub negation_transfer: u32,
    /// Whether negation transfer also turns around the negated n-grams of a clause a contrast
    /// concedes. In the reviews a conceded clause tends to agree with the verdict, in factory
    /// notes the clause after the connective decides: off, "虽然没有漏油，但是噪音很大" no longer
    /// reads 没有漏油 as the 漏油 the reviews know turned around.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default = "yes")]
    pub transfer_in_concession: bool,
    /// Whether the wide part has an intercept. Without it a text whose n-grams it does not
    /// know (a new domain's words) reads as even odds instead of the training data's leaning.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default = "yes")]
    pub wide_intercept: bool,
    /// Give each LSTM input the trained wide part's evidence at that position (its weights of
    /// the n-grams ending there): the LSTM then reads word-level evidence in order and learns
    /// how it combines — which clause of a contrast counts — instead of relearning every word.
    /// Needs the wide part.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub wide_evidence: bool,
    /// With `wide_evidence`: a second evidence column per label, the wide part's weights of the
    /// negated or conceded n-grams ending at each position as if they were asserted ("蓝屏" in
    /// "没有蓝屏" weighs as a complaint's "蓝屏"). A scoped n-gram is a feature of its own, which
    /// a defect never named under a negation in training leaves at zero: the LSTM then sees
    /// only the negation cue, read from reviews as a complaint. With the asserted weight beside
    /// the scope mark it can learn one rule for every word, that negating a complaint praises.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub asserted_evidence: bool,
}

/// See [`ModelConfig::lstm_precision`].
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[clap(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum LstmPrecision {
    #[default]
    Float32,
    Bfloat16,
}

impl std::fmt::Display for LstmPrecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Float32 => "float32",
            Self::Bfloat16 => "bfloat16",
        })
    }
}

impl LstmPrecision {
    pub fn kind(self) -> tch::Kind {
        match self {
            Self::Float32 => tch::Kind::Float,
            Self::Bfloat16 => tch::Kind::BFloat16,
        }
    }

    /// Whether this CPU computes it natively (AVX-512 BF16). The gain was measured only there;
    /// elsewhere libtorch emulates bfloat16 or falls back to its generic kernels, so a model
    /// stays in float32.
    pub fn is_native(self) -> bool {
        match self {
            Self::Float32 => true,
            #[cfg(target_arch = "x86_64")]
            Self::Bfloat16 => std::arch::is_x86_feature_detected!("avx512bf16"),
            #[cfg(not(target_arch = "x86_64"))]
            Self::Bfloat16 => false,
        }
    }
}

impl Default for NetworkSettings {
    /// The `train` defaults.
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            network: NetworkSettings,
        }
        Defaults::parse_from(["defaults"]).network
    }
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

fn half() -> f64 {
    0.5
}

/// A setting of [`ModelConfig`] out of its range: the field and what is wrong with it. Loading
/// reports it as `architecture.FIELD`, training as the flag `--FIELD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub field: &'static str,
    pub problem: &'static str,
}

impl ModelConfig {
    /// The one place the network's settings are checked, for `train`'s flags and for a loaded
    /// `model.json` alike (sizes that follow from the data, such as the vocabulary, are checked
    /// against the data where it is).
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        let fail = |field, problem| Err(ConfigProblem { field, problem });
        for (field, value) in [
            ("embedding_dim", self.network.embedding_dim),
            ("hidden_size", self.network.hidden_size),
            ("num_layers", self.network.num_layers),
        ] {
            if value <= 0 {
                return fail(field, "must be positive");
            }
        }
        if self.members < 0 {
            return fail("members", "must be 0 (no LSTM) or more");
        }
        if self.members == 0 && self.ngram_vocab_size == 0 {
            return fail("members", "must be positive without the n-gram part");
        }
        if self.network.bigram_buckets < 0 || self.network.bigram_buckets == 1 {
            return fail("bigram_buckets", "must be 0 (off) or at least 2");
        }
        if self.network.bigram_buckets > 0 && self.network.bigram_dim <= 0 {
            return fail("bigram_dim", "must be positive when bigram_buckets is on");
        }
        for (field, p) in [
            ("dropout", self.network.dropout),
            ("token_dropout", self.network.token_dropout),
        ] {
            if !(0.0..1.0).contains(&p) {
                return fail(field, "must be in [0, 1)");
            }
        }
        if !(0.0..=1.0).contains(&self.wide_weight) {
            return fail("wide_weight", "must be in [0, 1]");
        }
        if self.network.asserted_evidence && !self.network.wide_evidence {
            return fail("asserted_evidence", "needs the wide evidence");
        }
        if self.members == 0 && self.wide_weight != 1.0 {
            return fail("wide_weight", "must be 1 when there is no LSTM (members 0)");
        }
        Ok(())
    }

    /// Columns of the wide evidence an LSTM member reads per position (see
    /// [`NetworkSettings::asserted_evidence`]).
    pub fn evidence_columns(&self) -> i64 {
        self.num_labels * if self.network.asserted_evidence { 2 } else { 1 }
    }

    /// Whether a prediction runs the LSTM members.
    pub fn computes_lstm(&self) -> bool {
        self.members > 0 && (self.ngram_vocab_size == 0 || self.wide_weight < 1.0)
    }

    /// Whether a prediction runs the wide n-gram part.
    pub fn computes_wide(&self) -> bool {
        self.ngram_vocab_size > 0 && (self.members == 0 || self.wide_weight > 0.0)
    }

    fn precision_note(&self) -> &'static str {
        match self.lstm_precision {
            LstmPrecision::Float32 => "",
            LstmPrecision::Bfloat16 => "; the LSTM computes in bfloat16",
        }
    }

    /// What a prediction computes, in the words the card, the API and the v2 metadata use.
    pub fn computes(&self) -> String {
        match (self.computes_wide(), self.computes_lstm()) {
            (true, false) if self.members > 0 => format!(
                "n-gram model; its {} stored LSTM member(s) are not computed (wide weight 1.0)",
                self.members
            ),
            (true, false) => "n-gram model, no LSTM".into(),
            (false, _) => format!("LSTM model, no n-gram part{}", self.precision_note()),
            (true, true) => format!(
                "LSTM and n-gram mixture: the LSTM's log-probabilities weigh {:.2}, the n-gram part's {:.2}{}",
                1.0 - self.wide_weight,
                self.wide_weight,
                self.precision_note()
            ),
        }
    }
}
