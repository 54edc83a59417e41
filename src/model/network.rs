//! The network: its configuration, the batches it reads and the ensemble (`Classifier`) that
//! mixes the LSTM members (`lstm`) with the wide part (`wide`).

use serde::{Deserialize, Serialize};
use tch::nn;
use tch::{Kind, Tensor};

use super::lstm::Member;
use super::wide::{
    Wide, counts_of_hashes, negated_plain_counts, ngram_counts, ngram_features, ngram_features_of,
    position_ngram_hashes,
};
use crate::text::{PAD_ID, base_id};

/// The network's shape; stored in `model.json` so loading can rebuild it before reading weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub vocab_size: i64,
    pub num_labels: i64,
    pub embedding_dim: i64,
    /// Hashed buckets for adjacent-token (character bigram) features; 0 turns them off.
    /// Chinese words are mostly two characters, so bigrams recover word-level cues that single
    /// ideographs lack, without a word segmenter.
    pub bigram_buckets: i64,
    pub bigram_dim: i64,
    pub hidden_size: i64,
    pub num_layers: i64,
    pub bidirectional: bool,
    pub dropout: f64,
    /// Probability of zeroing a whole token's input during training.
    pub token_dropout: f64,
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
    #[serde(default)]
    pub scope_embedding: bool,
    /// Let each negated n-gram within this many tokens of its negation cue also count as its
    /// plain n-gram, turned around by one learnt factor (0 turns it off). A negated n-gram is
    /// a feature of its own and so knows nothing of words never seen negated ("没有蓝屏"),
    /// while the plain "蓝屏" is known from the reviews; the shared factor carries what
    /// negation does to any word. Near the cue only: a clause-long scope ("没想到质量这么好")
    /// is where turning words around goes wrong.
    #[serde(default)]
    pub negation_transfer: u32,
    /// Whether negation transfer also turns around the negated n-grams of a clause a contrast
    /// concedes. In the reviews a conceded clause tends to agree with the verdict, in factory
    /// notes the clause after the connective decides: off, "虽然没有漏油，但是噪音很大" no longer
    /// reads 没有漏油 as the 漏油 the reviews know turned around, and only the conceded n-grams'
    /// own weights speak for it.
    #[serde(default = "yes")]
    pub transfer_in_concession: bool,
    /// Whether the wide part has an intercept. Without it a text whose n-grams it does not
    /// know reads as even odds instead of the training data's leaning.
    #[serde(default = "yes")]
    pub wide_intercept: bool,
    /// Give each LSTM input the trained wide part's evidence at that position (its weights of
    /// the n-grams ending there): the LSTM then reads word-level evidence in order and learns
    /// how it combines — which clause of a contrast counts — instead of relearning every word
    /// from the labelled texts alone.
    #[serde(default)]
    pub wide_evidence: bool,
}

/// Distinct scope codes: negated, conceded and cue bits.
pub(super) const SCOPE_CODES: i64 = 8;

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
            ("embedding_dim", self.embedding_dim),
            ("hidden_size", self.hidden_size),
            ("num_layers", self.num_layers),
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
        if self.bigram_buckets < 0 || self.bigram_buckets == 1 {
            return fail("bigram_buckets", "must be 0 (off) or at least 2");
        }
        if self.bigram_buckets > 0 && self.bigram_dim <= 0 {
            return fail("bigram_dim", "must be positive when bigram_buckets is on");
        }
        for (field, p) in [
            ("dropout", self.dropout),
            ("token_dropout", self.token_dropout),
        ] {
            if !(0.0..1.0).contains(&p) {
                return fail(field, "must be in [0, 1)");
            }
        }
        if !(0.0..=1.0).contains(&self.wide_weight) {
            return fail("wide_weight", "must be in [0, 1]");
        }
        if self.members == 0 && self.wide_weight != 1.0 {
            return fail("wide_weight", "must be 1 when there is no LSTM (members 0)");
        }
        Ok(())
    }

    /// Whether a prediction runs the LSTM members.
    pub fn computes_lstm(&self) -> bool {
        self.members > 0 && (self.ngram_vocab_size == 0 || self.wide_weight < 1.0)
    }

    /// Whether a prediction runs the wide n-gram part.
    pub fn computes_wide(&self) -> bool {
        self.ngram_vocab_size > 0 && (self.members == 0 || self.wide_weight > 0.0)
    }

    /// What a prediction computes, in the words the card, the API and the v2 metadata use.
    pub fn computes(&self) -> String {
        match (self.computes_wide(), self.computes_lstm()) {
            (true, false) if self.members > 0 => format!(
                "n-gram model; its {} stored LSTM member(s) are not computed (wide weight 1.0)",
                self.members
            ),
            (true, false) => "n-gram model, no LSTM".into(),
            (false, _) => "LSTM model, no n-gram part".into(),
            (true, true) => format!(
                "LSTM and n-gram mixture: the LSTM's log-probabilities weigh {:.2}, the n-gram part's {:.2}",
                1.0 - self.wide_weight,
                self.wide_weight
            ),
        }
    }
}

/// Token ids of several texts, right-padded into one tensor, plus what the network needs to make
/// padding invisible: per-text lengths and the index that reverses each text within its length.
#[derive(Debug)]
pub struct Batch {
    pub ids: Tensor,
    pub bigrams: Tensor,
    pub lengths: Tensor,
    reverse_index: Tensor,
    pub(super) mask: Tensor,
    /// `[batch, width]` scope code of each token (0 on padding and without marks).
    pub(super) scopes: Tensor,
    /// `[batch, slots]` distinct 1–3-gram hashes of each text, 0-padded.
    pub(super) ngrams: Tensor,
    /// `[batch, slots]` sublinear term frequency 1 + ln(count), 0 on padding.
    pub(super) ngram_tf: Tensor,
    /// `[batch, width, 3]` the slot in `ngrams` of the 1-, 2- and 3-gram ending at each
    /// position (one past the last slot where there is none), for
    /// [`ModelConfig::wide_evidence`] (`[batch, 1, 3]` zeros without it).
    pub(super) position_slots: Tensor,
    /// The wide part's rows of `ngrams`, looked up once for the wide part and the LSTM's
    /// evidence alike. A batch is read by one model only.
    pub(super) ngram_rows: std::cell::OnceCell<Tensor>,
    /// `[batch, width, labels]` wide evidence given with the batch instead of read from the
    /// model's own wide part (training reads each text's from a wide part that never saw it).
    pub(super) position_evidence: Option<Tensor>,
    /// `[batch, slots]` plain hashes of the negated n-grams and their term frequency, for
    /// [`ModelConfig::negation_transfer`] (one empty slot without it).
    pub(super) negated_plain: Tensor,
    pub(super) negated_plain_tf: Tensor,
}

/// Deterministic 64-bit hash of a run of token ids, never 0 (0 marks padding). Part of the
/// model format: changing it changes what every saved model computes.
pub fn ngram_hash(ids: &[i64]) -> i64 {
    let mut z = 0x632B_E59B_D9B4_E019u64 ^ ids.len() as u64;
    for &id in ids {
        z = (z ^ id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^= z >> 32;
    }
    ((z >> 1) as i64).max(1)
}

/// The same hash folded into `1..buckets` (0 is padding), for the bigram embedding.
pub fn ngram_bucket(ids: &[i64], buckets: i64) -> i64 {
    1 + ngram_hash(ids) % (buckets - 1)
}

impl Batch {
    /// Every sequence must hold at least one id (the tokenizer guarantees it).
    pub fn new(sequences: &[&[i64]], config: &ModelConfig) -> Self {
        let bigram_buckets = config.bigram_buckets;
        let batch = sequences.len();
        let width = sequences.iter().map(|s| s.len()).max().unwrap_or(1).max(1);
        let mut ids = vec![PAD_ID; batch * width];
        let mut bigrams = vec![0i64; batch * width];
        let mut reverse = vec![0i64; batch * width];
        let mut mask = vec![false; batch * width];
        let mut scopes = vec![0i64; batch * width];
        let vocab_size = config.vocab_size;
        for (row, marked) in sequences.iter().enumerate() {
            // The embeddings read the plain tokens; scope marks reach the wide part's n-grams.
            // An id beyond every mark is no token of this model: it is passed on as it is, so
            // the embedding refuses it instead of reading some other token.
            let seq: Vec<i64> = marked
                .iter()
                .map(|&id| {
                    if id < SCOPE_CODES * vocab_size {
                        base_id(id, vocab_size)
                    } else {
                        id
                    }
                })
                .collect();
            let len = seq.len();
            let base = row * width;
            for (t, &id) in marked.iter().enumerate() {
                scopes[base + t] = id.div_euclid(vocab_size.max(1)).clamp(0, SCOPE_CODES - 1);
            }
            ids[base..base + len].copy_from_slice(&seq);
            for t in 0..width {
                reverse[base + t] = if t < len {
                    (len - 1 - t) as i64
                } else {
                    t as i64
                };
            }
            mask[base..base + len].fill(true);
            if bigram_buckets > 1 {
                for t in 0..len {
                    // The last token pairs with an end marker (-1) so it also gets a bigram.
                    let next = seq.get(t + 1).copied().unwrap_or(-1);
                    bigrams[base + t] = ngram_bucket(&[seq[t], next], bigram_buckets);
                }
            }
        }
        let shape = [batch as i64, width as i64];
        let lengths: Vec<i64> = sequences.iter().map(|s| s.len() as i64).collect();
        let vocab_size = config.vocab_size;
        let evidence = config.wide_evidence && config.ngram_vocab_size > 0;
        // With the evidence, each text's n-grams are hashed once, per position, and counted
        // from there; without it they are counted directly.
        let position_hashes: Vec<Vec<i64>> = if evidence {
            sequences
                .iter()
                .map(|s| position_ngram_hashes(s, vocab_size, width))
                .collect()
        } else {
            Vec::new()
        };
        let text_ngrams: Vec<Vec<(i64, u32)>> = if evidence {
            position_hashes
                .iter()
                .map(|h| counts_of_hashes(h))
                .collect()
        } else if config.ngram_vocab_size > 0 {
            sequences
                .iter()
                .map(|s| ngram_counts(s, vocab_size))
                .collect()
        } else {
            vec![Vec::new(); sequences.len()]
        };
        let (ngrams, ngram_tf) = ngram_features_of(&text_ngrams);
        let reach = config.negation_transfer as usize;
        let (negated_plain, negated_plain_tf) = ngram_features(sequences, config, |ids| {
            if reach > 0 {
                negated_plain_counts(ids, vocab_size, reach, config.transfer_in_concession)
            } else {
                Vec::new()
            }
        });
        let position_slots = if evidence {
            // Each position's n-grams as slots of its text's n-gram list (`ngrams`, sorted by
            // hash), so the wide part looks each n-gram up once per text, not once per
            // position; `slots` (one past the last) where a position ends no n-gram.
            let slots = ngrams.size()[1];
            let positions: Vec<i64> = position_hashes
                .iter()
                .zip(&text_ngrams)
                .flat_map(|(hashes, known)| {
                    hashes.iter().map(move |&hash| {
                        match known.binary_search_by_key(&hash, |&(known, _)| known) {
                            Ok(slot) if hash != 0 => slot as i64,
                            _ => slots,
                        }
                    })
                })
                .collect();
            Tensor::from_slice(&positions).view([batch as i64, width as i64, 3])
        } else {
            Tensor::zeros([batch as i64, 1, 3], (Kind::Int64, tch::Device::Cpu))
        };
        Self {
            position_slots,
            ngram_rows: std::cell::OnceCell::new(),
            position_evidence: None,
            ids: Tensor::from_slice(&ids).view(shape),
            bigrams: Tensor::from_slice(&bigrams).view(shape),
            lengths: Tensor::from_slice(&lengths),
            reverse_index: Tensor::from_slice(&reverse).view(shape),
            mask: Tensor::from_slice(&mask).view(shape),
            scopes: Tensor::from_slice(&scopes).view(shape),
            ngrams,
            ngram_tf,
            negated_plain,
            negated_plain_tf,
        }
    }

    /// The batch with each text's wide evidence given (`[length_i, labels]` per text, in
    /// order) rather than read from the model's own wide part.
    pub fn with_position_evidence(mut self, per_text: &[&Tensor]) -> Self {
        let width = self.ids.size()[1];
        let padded = Tensor::pad_sequence(per_text, true, 0.0, "right");
        let missing = width - padded.size()[1];
        self.position_evidence = Some(if missing > 0 {
            padded.constant_pad_nd([0, 0, 0, missing])
        } else {
            padded
        });
        self
    }

    pub fn len(&self) -> i64 {
        self.ids.size()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn reverse_within_lengths(&self, x: &Tensor) -> Tensor {
        let index = self.reverse_index.unsqueeze(-1).expand(x.size(), false);
        x.gather(1, &index, false)
    }
}

/// Anything that maps a batch to logits.
pub trait Network {
    fn config(&self) -> &ModelConfig;
    /// Logits of shape `[batch, num_labels]`.
    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor;
}

/// The served model, an ensemble: a wide TF-IDF logistic regression and `members` LSTM
/// networks, each trained on its own. Its output is a mixture of log-probabilities,
/// `wide_weight · log p_wide + (1 − wide_weight) · mean_k log p_member_k`: the two kinds of model
/// make different mistakes (n-gram counts against word order), so together they beat either.
#[derive(Debug)]
pub struct Classifier {
    config: ModelConfig,
    wide: Option<Wide>,
    members: Vec<Member>,
}

/// Variable-name prefix of member `k` in the weights file.
pub fn member_path(k: i64) -> String {
    format!("member{k}")
}

impl Classifier {
    pub fn new(p: &nn::Path, config: &ModelConfig) -> Self {
        let wide = (config.ngram_vocab_size > 0).then(|| Wide::new(&(p / "wide"), config));
        let members = (0..config.members)
            .map(|k| Member::new(&(p / member_path(k)), config, wide.as_ref()))
            .collect();
        Self {
            config: config.clone(),
            wide,
            members,
        }
    }

    pub fn wide(&self) -> Option<&Wide> {
        self.wide.as_ref()
    }

    pub fn set_wide_weight(&mut self, weight: f64) {
        self.config.wide_weight = weight;
    }

    pub fn has_lstm(&self) -> bool {
        !self.members.is_empty()
    }

    /// Mean log-probabilities of the LSTM members alone.
    pub fn deep_log_probabilities(&self, batch: &Batch, train: bool) -> Tensor {
        let sum = self
            .members
            .iter()
            .map(|m| m.forward_t(batch, train).log_softmax(-1, Kind::Float))
            .reduce(|a, b| a + b)
            .expect("at least one member");
        sum / self.members.len() as f64
    }
}

impl Network for Classifier {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Log-probabilities (valid logits: their softmax is the mixture's prediction).
    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor {
        let w = self.config.wide_weight;
        match &self.wide {
            // A part with no weight in the mixture is not computed: the LSTM members cost
            // nearly all of a forward pass, and a weight of exactly 1 makes their share zero.
            Some(wide) if w == 1.0 || self.members.is_empty() => {
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float)
            }
            Some(wide) if w > 0.0 => {
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float) * w
                    + self.deep_log_probabilities(batch, train) * (1.0 - w)
            }
            _ => self.deep_log_probabilities(batch, train),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::wide::NgramVocabulary;
    use super::*;
    use tch::{Device, nn::VarStore};

    pub(crate) fn tiny_config(bidirectional: bool) -> ModelConfig {
        ModelConfig {
            vocab_size: 50,
            num_labels: 3,
            embedding_dim: 8,
            bigram_buckets: 64,
            bigram_dim: 4,
            hidden_size: 6,
            num_layers: 2,
            bidirectional,
            dropout: 0.3,
            token_dropout: 0.1,
            ngram_vocab_size: 40,
            members: 1,
            wide_weight: 0.5,
            scope_embedding: true,
            negation_transfer: 0,
            transfer_in_concession: true,
            wide_intercept: true,
            wide_evidence: false,
        }
    }

    /// Gives the wide part the n-gram vocabulary of a small fixed corpus.
    fn fit_wide_vocabulary(model: &Classifier) {
        let corpus: Vec<i64> = (2..48).collect();
        let vocabulary = NgramVocabulary::fit([&corpus[..], &corpus[3..20]], 50, 1, 40);
        model.wide().unwrap().set_vocabulary(&vocabulary);
    }

    /// Log-probabilities of the wide part alone.
    fn wide_alone(model: &Classifier, batch: &Batch) -> Tensor {
        tch::no_grad(|| {
            model
                .wide()
                .unwrap()
                .forward_t(batch, false)
                .log_softmax(-1, Kind::Float)
        })
    }

    fn probabilities(model: &Classifier, sequences: &[&[i64]]) -> Tensor {
        tch::no_grad(|| {
            model
                .forward_t(&Batch::new(sequences, model.config()), false)
                .softmax(-1, Kind::Float)
        })
    }

    #[test]
    fn what_a_model_computes_follows_its_members_and_weight() {
        let mixed = tiny_config(true);
        assert_eq!(
            mixed.computes(),
            "LSTM and n-gram mixture: the LSTM's log-probabilities weigh 0.50, the n-gram part's 0.50"
        );
        let stored_only = ModelConfig {
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert!(!stored_only.computes_lstm());
        assert!(stored_only.computes().contains("not computed"));
        let ngram_only = ModelConfig {
            members: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert_eq!(ngram_only.computes(), "n-gram model, no LSTM");
        assert!(ngram_only.validate().is_ok());
        let lstm_only = ModelConfig {
            ngram_vocab_size: 0,
            ..tiny_config(true)
        };
        assert_eq!(lstm_only.computes(), "LSTM model, no n-gram part");
        let weighed_without_lstm = ModelConfig {
            members: 0,
            ..tiny_config(true)
        };
        assert_eq!(
            weighed_without_lstm.validate().unwrap_err().field,
            "wide_weight"
        );
        let nothing = ModelConfig {
            members: 0,
            ngram_vocab_size: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert_eq!(nothing.validate().unwrap_err().field, "members");
    }

    #[test]
    fn an_ngram_model_has_no_lstm_variables_and_answers_as_its_wide_part() {
        let config = ModelConfig {
            members: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &config);
        assert!(!model.has_lstm());
        assert!(vs.variables().keys().all(|name| name.starts_with("wide.")));
        fit_wide_vocabulary(&model);
        let batch = Batch::new(&[&[4, 5, 6]], &config);
        let wide = wide_alone(&model, &batch);
        assert!(tch::no_grad(|| model.forward_t(&batch, false)).allclose(&wide, 1e-6, 1e-6, false));
    }

    #[test]
    fn padding_does_not_change_predictions() {
        for (bidirectional, members, wide_evidence) in [
            (false, 1, false),
            (true, 1, false),
            (true, 2, false),
            (true, 1, true),
        ] {
            tch::manual_seed(3);
            let vs = VarStore::new(Device::Cpu);
            let config = ModelConfig {
                members,
                wide_evidence,
                ..tiny_config(bidirectional)
            };
            let model = Classifier::new(&vs.root(), &config);
            // The wide part starts at zero; give it a vocabulary and weights so its padding is
            // exercised too.
            fit_wide_vocabulary(&model);
            for (name, mut variable) in vs.variables() {
                if name.starts_with("wide.weights") || name.starts_with("wide.bias") {
                    tch::no_grad(|| variable.copy_(&(variable.rand_like() + 0.5)));
                }
            }
            let short: &[i64] = &[5, 9, 2];
            let long: Vec<i64> = (0..200).map(|i| 2 + i % 47).collect();
            let medium: Vec<i64> = (0..37).map(|i| 3 + i % 40).collect();
            let alone = probabilities(&model, &[short]);
            let batched = probabilities(&model, &[&long, short, &medium]);
            let diff = (alone.get(0) - batched.get(1))
                .abs()
                .max()
                .double_value(&[]);
            assert!(diff < 1e-5, "bidirectional={bidirectional}: diff {diff}");
            let medium_alone = probabilities(&model, &[&medium]);
            let diff = (medium_alone.get(0) - batched.get(2))
                .abs()
                .max()
                .double_value(&[]);
            assert!(diff < 1e-5, "bidirectional={bidirectional}: diff {diff}");
        }
    }

    #[test]
    fn a_part_without_weight_is_skipped_without_changing_the_mixture() {
        tch::manual_seed(5);
        let vs = VarStore::new(Device::Cpu);
        let mut model = Classifier::new(&vs.root(), &tiny_config(true));
        fit_wide_vocabulary(&model);
        for (name, mut variable) in vs.variables() {
            if name.starts_with("wide.weights") {
                tch::no_grad(|| variable.copy_(&(variable.rand_like() - 0.5)));
            }
        }
        let batch = Batch::new(&[&[4, 5, 6, 7], &[9, 3]], &tiny_config(true));
        let mixed = |model: &mut Classifier, w: f64| {
            model.set_wide_weight(w);
            tch::no_grad(|| model.forward_t(&batch, false))
        };
        let wide = wide_alone(&model, &batch);
        let deep = tch::no_grad(|| model.deep_log_probabilities(&batch, false));
        assert!(mixed(&mut model, 1.0).allclose(&wide, 1e-6, 1e-6, false));
        assert!(mixed(&mut model, 0.0).allclose(&deep, 1e-6, 1e-6, false));
        let half = &wide * 0.5 + &deep * 0.5;
        assert!(mixed(&mut model, 0.5).allclose(&half, 1e-6, 1e-6, false));
    }

    #[test]
    fn eval_mode_is_deterministic_and_train_mode_is_not() {
        tch::manual_seed(4);
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &tiny_config(true));
        let batch = Batch::new(&[&[4, 5, 6, 7, 8, 9]], &tiny_config(true));
        let a = model.forward_t(&batch, false);
        let b = model.forward_t(&batch, false);
        assert_eq!(a.size(), vec![1, 3]);
        assert!(a.equal(&b));
        let c = model.forward_t(&batch, true);
        assert!(!a.allclose(&c, 1e-6, 1e-6, false));
    }

    #[test]
    fn the_embeddings_read_plain_ids_and_the_scope_codes_go_along() {
        let vocab = 50;
        let config = tiny_config(false);
        // 4 a cue (code 4), 5 negated (code 1), 6 negated and conceded (code 3).
        let batch = Batch::new(&[&[4 + 4 * vocab, 5 + vocab, 6 + 3 * vocab]], &config);
        assert_eq!(
            Vec::<i64>::try_from(batch.ids.view([-1])).unwrap(),
            vec![4, 5, 6]
        );
        assert_eq!(
            Vec::<i64>::try_from(batch.scopes.view([-1])).unwrap(),
            vec![4, 1, 3]
        );
    }

    #[test]
    fn ngram_hashes_respect_order_and_buckets_stay_in_range() {
        for ids in [&[0, 0][..], &[1, -1], &[i64::MAX, 7], &[49], &[1, 2, 3]] {
            assert!(ngram_hash(ids) > 0);
            assert!((1..64).contains(&ngram_bucket(ids, 64)));
        }
        assert_ne!(ngram_hash(&[3, 4]), ngram_hash(&[4, 3]));
        assert_ne!(ngram_hash(&[3]), ngram_hash(&[3, 0]));
    }
}
