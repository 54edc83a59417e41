use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, RNN};
use tch::{Kind, Tensor};

use crate::text::PAD_ID;

/// The network's shape; stored in `model.json` so loading can rebuild it before reading weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Hashed buckets of the wide part, a TF-IDF logistic regression over token 1- to 3-grams;
    /// 0 turns it off.
    #[serde(default)]
    pub ngram_buckets: i64,
    /// Independently trained LSTM networks whose log-probabilities are averaged.
    #[serde(default = "one")]
    pub members: i64,
    /// Share of the wide part in the final log-probabilities (the LSTM members share the rest);
    /// chosen on the validation split after training.
    #[serde(default = "half")]
    pub wide_weight: f64,
}

fn one() -> i64 {
    1
}

fn half() -> f64 {
    0.5
}

impl ModelConfig {
    fn input_dim(&self) -> i64 {
        self.embedding_dim
            + if self.bigram_buckets > 0 {
                self.bigram_dim
            } else {
                0
            }
    }

    fn directions(&self) -> i64 {
        if self.bidirectional { 2 } else { 1 }
    }

    /// Max- and mean-pooled LSTM states plus the mean input embedding.
    fn features_dim(&self) -> i64 {
        2 * self.hidden_size * self.directions() + self.input_dim()
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
    mask: Tensor,
    /// `[batch, slots]` distinct hashed 1–3-gram ids of each text, 0-padded.
    ngrams: Tensor,
    /// `[batch, slots]` sublinear term frequency 1 + ln(count), 0 on padding.
    ngram_tf: Tensor,
}

/// Deterministic hash of a run of token ids into `1..buckets` (0 is padding). Part of the model
/// format: changing it changes what every saved model computes.
pub fn ngram_bucket(ids: &[i64], buckets: i64) -> i64 {
    let mut z = 0x632B_E59B_D9B4_E019u64 ^ ids.len() as u64;
    for &id in ids {
        z = (z ^ id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^= z >> 32;
    }
    1 + (z % (buckets as u64 - 1)) as i64
}

/// Distinct hashed 1–3-grams of one text with their counts, in bucket order.
pub fn ngram_counts(ids: &[i64], buckets: i64) -> Vec<(i64, u32)> {
    let mut counts = BTreeMap::new();
    for n in 1..=3 {
        for window in ids.windows(n) {
            *counts.entry(ngram_bucket(window, buckets)).or_insert(0u32) += 1;
        }
    }
    counts.into_iter().collect()
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
        for (row, seq) in sequences.iter().enumerate() {
            let len = seq.len();
            let base = row * width;
            ids[base..base + len].copy_from_slice(seq);
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
        let (ngrams, ngram_tf) = ngram_features(sequences, config.ngram_buckets);
        Self {
            ids: Tensor::from_slice(&ids).view(shape),
            bigrams: Tensor::from_slice(&bigrams).view(shape),
            lengths: Tensor::from_slice(&lengths),
            reverse_index: Tensor::from_slice(&reverse).view(shape),
            mask: Tensor::from_slice(&mask).view(shape),
            ngrams,
            ngram_tf,
        }
    }

    pub fn len(&self) -> i64 {
        self.ids.size()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn reverse_within_lengths(&self, x: &Tensor) -> Tensor {
        let index = self.reverse_index.unsqueeze(-1).expand(x.size(), false);
        x.gather(1, &index, false)
    }
}

fn ngram_features(sequences: &[&[i64]], buckets: i64) -> (Tensor, Tensor) {
    let batch = sequences.len() as i64;
    let rows: Vec<Vec<(i64, u32)>> = if buckets < 2 {
        vec![Vec::new(); sequences.len()]
    } else {
        sequences.iter().map(|s| ngram_counts(s, buckets)).collect()
    };
    let slots = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut ids = vec![0i64; rows.len() * slots];
    let mut tf = vec![0f32; rows.len() * slots];
    for (row, grams) in rows.iter().enumerate() {
        for (slot, &(bucket, count)) in grams.iter().enumerate() {
            ids[row * slots + slot] = bucket;
            tf[row * slots + slot] = 1.0 + (count as f32).ln();
        }
    }
    let shape = [batch, slots as i64];
    (
        Tensor::from_slice(&ids).view(shape),
        Tensor::from_slice(&tf).view(shape),
    )
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
        let wide = (config.ngram_buckets > 0).then(|| Wide::new(&(p / "wide"), config));
        let members = (0..config.members.max(1))
            .map(|k| Member::new(&(p / member_path(k)), config))
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
        let deep = self.deep_log_probabilities(batch, train);
        match &self.wide {
            Some(wide) => {
                let w = self.config.wide_weight;
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float) * w + deep * (1.0 - w)
            }
            None => deep,
        }
    }
}

/// Logistic regression on L2-normalised TF-IDF of hashed token 1–3-grams: what the strong
/// linear baselines on short reviews are, as one layer of the network. The IDF vector is
/// computed from the training split and stored (not trained) with the weights.
#[derive(Debug)]
pub struct Wide {
    config: ModelConfig,
    idf: Tensor,
    weights: nn::Embedding,
    bias: Tensor,
}

impl Wide {
    fn new(p: &nn::Path, config: &ModelConfig) -> Self {
        let idf = p.ones_no_train("idf", &[config.ngram_buckets]);
        // Zero-initialised like a fresh linear model, so it starts neutral.
        let weights = nn::embedding(
            p / "weights",
            config.ngram_buckets,
            config.num_labels,
            nn::EmbeddingConfig {
                ws_init: nn::Init::Const(0.0),
                ..Default::default()
            },
        );
        let bias = p.zeros("bias", &[config.num_labels]);
        Self {
            config: config.clone(),
            idf,
            weights,
            bias,
        }
    }

    /// Smoothed IDF, ln((1 + documents) / (1 + document frequency)) + 1, from the training
    /// texts' n-gram buckets.
    pub fn fit_idf<'a>(&self, training_sequences: impl IntoIterator<Item = &'a [i64]>) {
        let buckets = self.config.ngram_buckets as usize;
        let mut document_frequency = vec![0u32; buckets];
        let mut documents = 0u32;
        for seq in training_sequences {
            documents += 1;
            for (bucket, _) in ngram_counts(seq, self.config.ngram_buckets) {
                document_frequency[bucket as usize] += 1;
            }
        }
        let idf: Vec<f32> = document_frequency
            .iter()
            .map(|&df| ((1.0 + documents as f32) / (1.0 + df as f32)).ln() + 1.0)
            .collect();
        let mut target = self.idf.shallow_clone();
        tch::no_grad(|| target.copy_(&Tensor::from_slice(&idf)));
    }

    /// Sum of squared weights, for the L2 penalty that keeps the regression from memorising.
    pub fn l2(&self) -> Tensor {
        self.weights.ws.square().sum(Kind::Float)
    }
}

impl Network for Wide {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, _train: bool) -> Tensor {
        let size = batch.ngrams.size();
        let idf = self
            .idf
            .index_select(0, &batch.ngrams.flatten(0, -1))
            .view([size[0], size[1]]);
        let tfidf = &batch.ngram_tf * idf;
        let norm = tfidf
            .square()
            .sum_dim_intlist(1, true, Kind::Float)
            .sqrt()
            .clamp_min(1e-12);
        let features = (tfidf / norm).unsqueeze(-1);
        (self.weights.forward(&batch.ngrams) * features).sum_dim_intlist(1, false, Kind::Float)
            + &self.bias
    }
}

#[derive(Debug)]
struct Layer {
    forward: nn::LSTM,
    backward: Option<nn::LSTM>,
}

/// One LSTM network: embedding (+ hashed bigrams) → (bi)LSTM → masked max/mean pooling →
/// dropout → linear.
///
/// Directions are separate one-layer LSTMs so the backward one can read each text reversed
/// within its own length: with plain right padding it would start on padding tokens and a
/// text's prediction would depend on what it was batched with.
#[derive(Debug)]
pub struct Member {
    config: ModelConfig,
    embedding: nn::Embedding,
    bigram_embedding: Option<nn::Embedding>,
    layers: Vec<Layer>,
    output: nn::Linear,
}

impl Member {
    pub fn new(p: &nn::Path, config: &ModelConfig) -> Self {
        let embedding = nn::embedding(
            p / "embedding",
            config.vocab_size,
            config.embedding_dim,
            Default::default(),
        );
        let bigram_embedding = (config.bigram_buckets > 0).then(|| {
            nn::embedding(
                p / "bigram_embedding",
                config.bigram_buckets,
                config.bigram_dim,
                Default::default(),
            )
        });
        let rnn_config = nn::RNNConfig {
            batch_first: true,
            ..Default::default()
        };
        let mut in_dim = config.input_dim();
        let layers = (0..config.num_layers)
            .map(|i| {
                let layer = Layer {
                    forward: nn::lstm(
                        p / format!("lstm{i}_fwd"),
                        in_dim,
                        config.hidden_size,
                        rnn_config,
                    ),
                    backward: config.bidirectional.then(|| {
                        nn::lstm(
                            p / format!("lstm{i}_bwd"),
                            in_dim,
                            config.hidden_size,
                            rnn_config,
                        )
                    }),
                };
                in_dim = config.hidden_size * config.directions();
                layer
            })
            .collect();
        let output = nn::linear(
            p / "output",
            config.features_dim(),
            config.num_labels,
            Default::default(),
        );
        Self {
            config: config.clone(),
            embedding,
            bigram_embedding,
            layers,
            output,
        }
    }
}

impl Network for Member {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor {
        let mut x = self.embedding.forward(&batch.ids);
        if let Some(bigram_embedding) = &self.bigram_embedding {
            x = Tensor::cat(&[x, bigram_embedding.forward(&batch.bigrams)], -1);
        }
        if train && self.config.token_dropout > 0.0 {
            let size = x.size();
            let keep = Tensor::ones([size[0], size[1], 1], (Kind::Float, x.device()))
                .dropout(self.config.token_dropout, true);
            x *= keep;
        }
        let mask = batch.mask.unsqueeze(-1).to_kind(Kind::Float);
        let lengths = batch.lengths.unsqueeze(-1).to_kind(Kind::Float);
        let mean_input = (&x * &mask).sum_dim_intlist(1, false, Kind::Float) / &lengths;

        let mut h = x.dropout(self.config.dropout, train);
        for (i, layer) in self.layers.iter().enumerate() {
            if i > 0 {
                h = h.dropout(self.config.dropout, train);
            }
            let (forward, _) = layer.forward.seq(&h);
            h = match &layer.backward {
                Some(backward) => {
                    let (reversed, _) = backward.seq(&batch.reverse_within_lengths(&h));
                    Tensor::cat(&[forward, batch.reverse_within_lengths(&reversed)], -1)
                }
                None => forward,
            };
        }
        let max = h
            .masked_fill(&batch.mask.unsqueeze(-1).logical_not(), f64::NEG_INFINITY)
            .amax(1, false);
        let mean = (&h * &mask).sum_dim_intlist(1, false, Kind::Float) / &lengths;
        let features =
            Tensor::cat(&[max, mean, mean_input], -1).dropout(self.config.dropout, train);
        self.output.forward(&features)
    }
}

#[cfg(test)]
mod tests {
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
            ngram_buckets: 97,
            members: 1,
            wide_weight: 0.5,
        }
    }

    fn probabilities(model: &Classifier, sequences: &[&[i64]]) -> Tensor {
        tch::no_grad(|| {
            model
                .forward_t(&Batch::new(sequences, model.config()), false)
                .softmax(-1, Kind::Float)
        })
    }

    #[test]
    fn padding_does_not_change_predictions() {
        for (bidirectional, members) in [(false, 1), (true, 1), (true, 2)] {
            tch::manual_seed(3);
            let vs = VarStore::new(Device::Cpu);
            let config = ModelConfig {
                members,
                ..tiny_config(bidirectional)
            };
            let model = Classifier::new(&vs.root(), &config);
            // The wide part starts at zero; give it weights so its padding is exercised too.
            for (name, mut variable) in vs.variables() {
                if name.starts_with("wide.") {
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
    fn ngram_buckets_stay_in_range_and_respect_order() {
        for ids in [&[0, 0][..], &[1, -1], &[i64::MAX, 7], &[49], &[1, 2, 3]] {
            let b = ngram_bucket(ids, 64);
            assert!((1..64).contains(&b));
        }
        assert_ne!(
            ngram_bucket(&[3, 4], 1 << 16),
            ngram_bucket(&[4, 3], 1 << 16)
        );
        assert_ne!(ngram_bucket(&[3], 1 << 16), ngram_bucket(&[3, 0], 1 << 16));
    }
}
