use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, RNN};
use tch::{Kind, Tensor};

use crate::text::{PAD_ID, base_id, scope_of};

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
    /// Independently trained LSTM networks whose log-probabilities are averaged.
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
}

/// Distinct scope codes: negated, conceded and cue bits.
const SCOPE_CODES: i64 = 8;

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
            ("members", self.members),
        ] {
            if value <= 0 {
                return fail(field, "must be positive");
            }
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
        Ok(())
    }

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
    /// `[batch, width]` scope code of each token (0 on padding and without marks).
    scopes: Tensor,
    /// `[batch, slots]` distinct 1–3-gram hashes of each text, 0-padded.
    ngrams: Tensor,
    /// `[batch, slots]` sublinear term frequency 1 + ln(count), 0 on padding.
    ngram_tf: Tensor,
    /// `[batch, slots]` plain hashes of the negated n-grams and their term frequency, for
    /// [`ModelConfig::negation_transfer`] (one empty slot without it).
    negated_plain: Tensor,
    negated_plain_tf: Tensor,
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

/// Appended to an n-gram's plain ids before hashing, so a marked n-gram is a feature of its own.
const NEGATED_MARK: i64 = -2;
const CONCEDED_MARK: i64 = -3;
const CONCEDED_NEGATED_MARK: i64 = -4;

/// Distinct 1–3-gram features of one text with their counts, in hash order.
///
/// Without scope marks (every id below `vocab_size`) each n-gram counts under the hash of its
/// ids. With them (see `text::scopes`), an n-gram wholly inside a negation, a conceded clause or
/// both counts under a hash of its own, as the NOT_ tagging of Pang et al. (2002) does: "异常"
/// in "未见异常" is not the "异常" of a defect report, and what a contrast concedes does not weigh
/// as an assertion. An n-gram straddling a scope's edge ("未见") keeps its marked ids and so is a
/// feature of its own too. (Subtracting a negated n-gram's plain feature instead, or as well,
/// was tried: it read more held-out negations right but cost validation accuracy; model card.)
pub fn ngram_counts(ids: &[i64], vocab_size: i64) -> Vec<(i64, u32)> {
    let mut counts: BTreeMap<i64, u32> = BTreeMap::new();
    let mut plain = Vec::with_capacity(4);
    for n in 1..=3 {
        for window in ids.windows(n) {
            let scope = scope_of(window[0], vocab_size);
            let uniform = window.iter().all(|&id| scope_of(id, vocab_size) == scope);
            let mark = match (scope.negated, scope.conceded) {
                (false, false) => None,
                (true, false) => Some(NEGATED_MARK),
                (false, true) => Some(CONCEDED_MARK),
                (true, true) => Some(CONCEDED_NEGATED_MARK),
            };
            // N-grams across a scope's edge keep their marked ids, which set them apart.
            let hash = if uniform {
                plain.clear();
                plain.extend(window.iter().map(|&id| base_id(id, vocab_size)));
                plain.extend(mark);
                ngram_hash(&plain)
            } else {
                ngram_hash(window)
            };
            *counts.entry(hash).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// The plain hashes of the n-grams wholly inside a negation (cues excluded) and within `reach`
/// tokens of a cue, with their counts: the features [`ModelConfig::negation_transfer`] turns
/// around.
pub fn negated_plain_counts(
    ids: &[i64],
    vocab_size: i64,
    reach: usize,
    in_concession: bool,
) -> Vec<(i64, u32)> {
    let cues: Vec<usize> = (0..ids.len())
        .filter(|&i| scope_of(ids[i], vocab_size).cue)
        .collect();
    let near_a_cue = |i: usize| cues.iter().any(|&c| c.abs_diff(i) <= reach);
    let mut counts: BTreeMap<i64, u32> = BTreeMap::new();
    let mut plain = Vec::with_capacity(3);
    for n in 1..=3 {
        for (start, window) in ids.windows(n).enumerate() {
            let scope = scope_of(window[0], vocab_size);
            let uniform = window.iter().all(|&id| scope_of(id, vocab_size) == scope);
            let turned = scope.negated && (in_concession || !scope.conceded);
            if uniform && turned && near_a_cue(start) && near_a_cue(start + n - 1) {
                plain.clear();
                plain.extend(window.iter().map(|&id| base_id(id, vocab_size)));
                *counts.entry(ngram_hash(&plain)).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

/// The wide part's n-grams: sorted hashes and their smoothed IDF.
#[derive(Debug, Clone, PartialEq)]
pub struct NgramVocabulary {
    pub keys: Vec<i64>,
    pub idf: Vec<f32>,
}

impl NgramVocabulary {
    /// Keeps n-grams found in at least `min_df` training texts, the `max_features` most
    /// frequent of them; IDF is ln((1 + texts) / (1 + document frequency)) + 1.
    pub fn fit<'a>(
        training_sequences: impl IntoIterator<Item = &'a [i64]>,
        vocab_size: i64,
        min_df: u32,
        max_features: usize,
    ) -> Self {
        let mut document_frequency: HashMap<i64, u32> = HashMap::new();
        let mut documents = 0u32;
        for seq in training_sequences {
            documents += 1;
            for (hash, _) in ngram_counts(seq, vocab_size) {
                *document_frequency.entry(hash).or_default() += 1;
            }
        }
        let mut kept: Vec<(i64, u32)> = document_frequency
            .into_iter()
            .filter(|&(_, df)| df >= min_df.max(1))
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        kept.truncate(max_features);
        kept.sort_by_key(|&(hash, _)| hash);
        Self {
            keys: kept.iter().map(|&(hash, _)| hash).collect(),
            idf: kept
                .iter()
                .map(|&(_, df)| ((1.0 + documents as f32) / (1.0 + df as f32)).ln() + 1.0)
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
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
        let (ngrams, ngram_tf) =
            ngram_features(sequences, config, |ids| ngram_counts(ids, vocab_size));
        let reach = config.negation_transfer as usize;
        let (negated_plain, negated_plain_tf) = ngram_features(sequences, config, |ids| {
            if reach > 0 {
                negated_plain_counts(ids, vocab_size, reach, config.transfer_in_concession)
            } else {
                Vec::new()
            }
        });
        Self {
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

fn ngram_features(
    sequences: &[&[i64]],
    config: &ModelConfig,
    counts: impl Fn(&[i64]) -> Vec<(i64, u32)>,
) -> (Tensor, Tensor) {
    let batch = sequences.len() as i64;
    let rows: Vec<Vec<(i64, u32)>> = if config.ngram_vocab_size > 0 {
        sequences.iter().map(|s| counts(s)).collect()
    } else {
        vec![Vec::new(); sequences.len()]
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
        let wide = (config.ngram_vocab_size > 0).then(|| Wide::new(&(p / "wide"), config));
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
        let w = self.config.wide_weight;
        match &self.wide {
            // A part with no weight in the mixture is not computed: the LSTM members cost
            // nearly all of a forward pass, and a weight of exactly 1 makes their share zero.
            Some(wide) if w == 1.0 => wide.forward_t(batch, train).log_softmax(-1, Kind::Float),
            Some(wide) if w > 0.0 => {
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float) * w
                    + self.deep_log_probabilities(batch, train) * (1.0 - w)
            }
            _ => self.deep_log_probabilities(batch, train),
        }
    }
}

/// Logistic regression on L2-normalised TF-IDF of token 1–3-grams: what the strong linear
/// baselines on short reviews are, as one layer of the network. Its n-gram vocabulary (sorted
/// hashes) and IDF come from the training split and are stored, untrained, with the weights;
/// unknown n-grams are ignored, as a TF-IDF vectorizer ignores them.
#[derive(Debug)]
pub struct Wide {
    config: ModelConfig,
    keys: Tensor,
    /// IDF per known n-gram, preceded by a 0 for "unknown".
    idf: Tensor,
    /// Row 0 is "unknown" and never contributes (its feature value is 0).
    weights: nn::Embedding,
    /// Absent without [`ModelConfig::wide_intercept`].
    bias: Option<Tensor>,
    /// How much a negated n-gram counts as its plain n-gram turned around (see
    /// [`ModelConfig::negation_transfer`]); learnt, one number for every n-gram.
    negation_transfer: Option<Tensor>,
}

impl Wide {
    pub(crate) fn new(p: &nn::Path, config: &ModelConfig) -> Self {
        let size = config.ngram_vocab_size;
        let keys = p.add(
            "keys",
            Tensor::zeros([size], (Kind::Int64, p.device())),
            false,
        );
        let idf = p.zeros_no_train("idf", &[size + 1]);
        // Zero-initialised like a fresh linear model, so it starts neutral.
        let weights = nn::embedding(
            p / "weights",
            size + 1,
            config.num_labels,
            nn::EmbeddingConfig {
                ws_init: nn::Init::Const(0.0),
                ..Default::default()
            },
        );
        let bias = config
            .wide_intercept
            .then(|| p.zeros("bias", &[config.num_labels]));
        let negation_transfer =
            (config.negation_transfer > 0).then(|| p.zeros("negation_transfer", &[1]));
        Self {
            config: config.clone(),
            keys,
            idf,
            weights,
            bias,
            negation_transfer,
        }
    }

    /// Installs the vocabulary fitted on the training split (its size must match the config).
    pub fn set_vocabulary(&self, vocabulary: &NgramVocabulary) {
        assert_eq!(vocabulary.len() as i64, self.config.ngram_vocab_size);
        let mut idf = Vec::with_capacity(vocabulary.len() + 1);
        idf.push(0.0);
        idf.extend_from_slice(&vocabulary.idf);
        let (mut keys, mut idf_var) = (self.keys.shallow_clone(), self.idf.shallow_clone());
        tch::no_grad(|| {
            keys.copy_(&Tensor::from_slice(&vocabulary.keys));
            idf_var.copy_(&Tensor::from_slice(&idf));
        });
    }

    /// Sum of squared weights, for the L2 penalty that keeps the regression from memorising.
    pub fn l2(&self) -> Tensor {
        self.weights.ws.square().sum(Kind::Float)
    }

    /// Rows of the n-gram hashes and their TF-IDF (0 for unknown n-grams and padding).
    fn tfidf(&self, hashes: &Tensor, tf: &Tensor) -> (Tensor, Tensor) {
        let rows = self.rows(hashes);
        let idf = self
            .idf
            .index_select(0, &rows.flatten(0, -1))
            .view(rows.size().as_slice());
        (rows, tf * idf)
    }

    fn weighted_sum(&self, rows: &Tensor, features: &Tensor) -> Tensor {
        (self.weights.forward(rows) * features.unsqueeze(-1)).sum_dim_intlist(1, false, Kind::Float)
    }

    /// Row of each n-gram hash in `weights` and `idf`: its position among the sorted keys plus
    /// one, or 0 when it is unknown or padding.
    fn rows(&self, hashes: &Tensor) -> Tensor {
        let last = (self.config.ngram_vocab_size - 1).max(0);
        let position = hashes
            .searchsorted(&self.keys, false, false, "left", None::<Tensor>)
            .clamp(0, last);
        let found = self
            .keys
            .index_select(0, &position.flatten(0, -1))
            .view(hashes.size().as_slice())
            .eq_tensor(hashes);
        (position + 1).where_self(&found, &Tensor::zeros_like(hashes))
    }
}

impl Network for Wide {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, _train: bool) -> Tensor {
        let (rows, tfidf) = self.tfidf(&batch.ngrams, &batch.ngram_tf);
        let squares = |x: &Tensor| x.square().sum_dim_intlist(1, true, Kind::Float);
        let logits = match &self.negation_transfer {
            None => {
                let norm = squares(&tfidf).sqrt().clamp_min(1e-12);
                self.weighted_sum(&rows, &(tfidf / norm))
            }
            Some(transfer) => {
                // The turned-around n-grams are features of the text like the others, so they
                // share its L2 normalisation.
                let (negated_rows, negated_tfidf) =
                    self.tfidf(&batch.negated_plain, &batch.negated_plain_tf);
                let norm = (squares(&tfidf) + squares(&negated_tfidf))
                    .sqrt()
                    .clamp_min(1e-12);
                self.weighted_sum(&rows, &(tfidf / &norm))
                    - transfer * self.weighted_sum(&negated_rows, &(negated_tfidf / &norm))
            }
        };
        match &self.bias {
            Some(bias) => logits + bias,
            None => logits,
        }
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
    scope_embedding: Option<nn::Embedding>,
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
        // Zero-initialised: a member starts out reading marked tokens as plain ones.
        let scope_embedding = config.scope_embedding.then(|| {
            nn::embedding(
                p / "scope_embedding",
                SCOPE_CODES,
                config.input_dim(),
                nn::EmbeddingConfig {
                    ws_init: nn::Init::Const(0.0),
                    ..Default::default()
                },
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
            scope_embedding,
            layers,
            output,
        }
    }
}

impl Member {
    /// Token (+ bigram) embeddings with token dropout in training. Without `bigrams` the bigram
    /// slots are zero.
    fn inputs(&self, batch: &Batch, train: bool, bigrams: bool) -> Tensor {
        let mut x = self.embedding.forward(&batch.ids);
        if let Some(bigram_embedding) = &self.bigram_embedding {
            let bigram_part = if bigrams {
                bigram_embedding.forward(&batch.bigrams)
            } else {
                let size = x.size();
                Tensor::zeros(
                    [size[0], size[1], self.config.bigram_dim],
                    (Kind::Float, x.device()),
                )
            };
            x = Tensor::cat(&[x, bigram_part], -1);
        }
        if let Some(scope_embedding) = &self.scope_embedding {
            x += scope_embedding.forward(&batch.scopes);
        }
        if train && self.config.token_dropout > 0.0 {
            let size = x.size();
            let keep = Tensor::ones([size[0], size[1], 1], (Kind::Float, x.device()))
                .dropout(self.config.token_dropout, true);
            x *= keep;
        }
        x
    }

    /// First-layer outputs of each direction, `[batch, width, hidden]`, each in its own reading
    /// order, for language-model pretraining: the forward state at `t` has read tokens `0..=t`;
    /// the backward one reads the text reversed within its length, so at `t` it has read the
    /// last `t + 1` tokens. Bigram inputs are left out because the bigram at `t` pairs token `t`
    /// with `t + 1`, the very token the forward direction must predict.
    pub fn reading_states(&self, batch: &Batch, train: bool) -> Vec<Tensor> {
        let h = self
            .inputs(batch, train, false)
            .dropout(self.config.dropout, train);
        let layer = &self.layers[0];
        let mut states = vec![layer.forward.seq(&h).0];
        if let Some(backward) = &layer.backward {
            states.push(backward.seq(&batch.reverse_within_lengths(&h)).0);
        }
        states
    }
}

impl Network for Member {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor {
        let x = self.inputs(batch, train, true);
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
            ngram_vocab_size: 40,
            members: 1,
            wide_weight: 0.5,
            scope_embedding: true,
            negation_transfer: 0,
            transfer_in_concession: true,
            wide_intercept: true,
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
            // The wide part starts at zero; give it a vocabulary and weights so its padding is
            // exercised too.
            let corpus: Vec<i64> = (2..48).collect();
            let vocabulary = NgramVocabulary::fit([&corpus[..], &corpus[3..20]], 50, 1, 40);
            model.wide().unwrap().set_vocabulary(&vocabulary);
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
        let corpus: Vec<i64> = (2..48).collect();
        let vocabulary = NgramVocabulary::fit([&corpus[..], &corpus[3..20]], 50, 1, 40);
        model.wide().unwrap().set_vocabulary(&vocabulary);
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
        let wide = tch::no_grad(|| {
            model
                .wide()
                .unwrap()
                .forward_t(&batch, false)
                .log_softmax(-1, Kind::Float)
        });
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
    fn ngram_hashes_respect_order_and_buckets_stay_in_range() {
        for ids in [&[0, 0][..], &[1, -1], &[i64::MAX, 7], &[49], &[1, 2, 3]] {
            assert!(ngram_hash(ids) > 0);
            assert!((1..64).contains(&ngram_bucket(ids, 64)));
        }
        assert_ne!(ngram_hash(&[3, 4]), ngram_hash(&[4, 3]));
        assert_ne!(ngram_hash(&[3]), ngram_hash(&[3, 0]));
    }

    #[test]
    fn marked_ngrams_are_features_of_their_own() {
        let vocab = 50;
        let counts =
            |ids: &[i64]| -> HashMap<i64, u32> { ngram_counts(ids, vocab).into_iter().collect() };
        let plain = counts(&[4, 5, 6]);
        assert_eq!(plain.len(), 6);
        assert_eq!(plain[&ngram_hash(&[5, 6])], 1);
        // 4 is a cue (code 4); 5 and 6 are negated (code 1).
        let negated = counts(&[4 + 4 * vocab, 5 + vocab, 6 + vocab]);
        assert!(!negated.contains_key(&ngram_hash(&[5, 6])));
        assert_eq!(negated[&ngram_hash(&[5, 6, NEGATED_MARK])], 1);
        assert_eq!(negated[&ngram_hash(&[4])], 1, "a cue is the plain token");
        assert_eq!(
            negated[&ngram_hash(&[4 + 4 * vocab, 5 + vocab])],
            1,
            "the edge is a feature"
        );
        let conceded = counts(&[5 + 2 * vocab, 6 + 2 * vocab]);
        assert!(!conceded.contains_key(&ngram_hash(&[5, 6])));
        assert_eq!(conceded[&ngram_hash(&[5, 6, CONCEDED_MARK])], 1);
        let both = counts(&[5 + 3 * vocab]);
        assert_eq!(both[&ngram_hash(&[5, CONCEDED_NEGATED_MARK])], 1);
        // The embeddings read plain ids, and the scope codes go along.
        let config = tiny_config(false);
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
    fn ngram_vocabulary_applies_min_df_and_cap() {
        let a: &[i64] = &[5, 6, 7];
        let b: &[i64] = &[5, 6, 9];
        let vocabulary = NgramVocabulary::fit([a, b], 50, 2, 100);
        // Shared by both texts: 5, 6 and 5-6.
        assert_eq!(vocabulary.len(), 3);
        assert!(
            vocabulary.keys.windows(2).all(|w| w[0] < w[1]),
            "sorted for searchsorted"
        );
        assert!(vocabulary.keys.contains(&ngram_hash(&[5, 6])));
        assert_eq!(NgramVocabulary::fit([a, b], 50, 1, 4).len(), 4);
        // idf = ln(3/3) + 1 for n-grams in every text.
        assert!(vocabulary.idf.iter().all(|&x| (x - 1.0).abs() < 1e-6));
    }

    #[test]
    fn wide_part_finds_known_ngrams_and_ignores_unknown_ones() {
        let config = ModelConfig {
            ngram_vocab_size: 3,
            ..tiny_config(false)
        };
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &config);
        let wide = model.wide().unwrap();
        wide.set_vocabulary(&NgramVocabulary::fit([&[5i64, 6][..], &[5, 6]], 50, 2, 10));
        let hashes =
            Tensor::from_slice(&[ngram_hash(&[5]), ngram_hash(&[7]), 0, ngram_hash(&[5, 6])]);
        let rows = Vec::<i64>::try_from(wide.rows(&hashes)).unwrap();
        assert!(rows[0] > 0 && rows[3] > 0 && rows[0] != rows[3]);
        assert_eq!(&rows[1..3], &[0, 0]);
    }

    #[test]
    fn negation_transfer_turns_a_plain_words_weight_around_for_its_negation() {
        let vocab = 50;
        // "5 6" plain, and "4 5 6" with 4 a cue and 5, 6 negated.
        let plain: &[i64] = &[5, 6];
        let negated: &[i64] = &[4 + 4 * vocab, 5 + vocab, 6 + vocab];
        let turned: HashMap<i64, u32> = negated_plain_counts(negated, vocab, 3, true)
            .into_iter()
            .collect();
        assert_eq!(
            turned.len(),
            3,
            "5, 6 and 5-6; the cue is not negated content"
        );
        assert_eq!(turned[&ngram_hash(&[5, 6])], 1);
        assert!(negated_plain_counts(plain, vocab, 3, true).is_empty());
        // Within one token of the cue only 5 is near enough.
        let near: Vec<i64> = negated_plain_counts(negated, vocab, 1, true)
            .into_iter()
            .map(|(hash, _)| hash)
            .collect();
        assert_eq!(near, vec![ngram_hash(&[5])]);
        // The same negation inside a conceded clause (conceded bit 2): turned around only when
        // the transfer applies in concessions.
        let conceded: &[i64] = &[4 + 6 * vocab, 5 + 3 * vocab, 6 + 3 * vocab];
        assert_eq!(negated_plain_counts(conceded, vocab, 3, true).len(), 3);
        assert!(negated_plain_counts(conceded, vocab, 3, false).is_empty());
        // Off in concessions leaves a negation outside them as it was.
        assert_eq!(negated_plain_counts(negated, vocab, 3, false).len(), 3);

        let config = ModelConfig {
            ngram_vocab_size: 3,
            negation_transfer: 3,
            wide_intercept: false,
            ..tiny_config(false)
        };
        let vs = VarStore::new(Device::Cpu);
        let mut model = Classifier::new(&vs.root(), &config);
        model.set_wide_weight(1.0);
        let wide = model.wide().unwrap();
        // Only the plain n-grams are known: the negated text has no feature of its own.
        wide.set_vocabulary(&NgramVocabulary::fit([plain, plain], vocab, 2, 10));
        let margin = |ids: &[i64], transfer: f64| {
            tch::no_grad(|| {
                let mut weights = wide.weights.ws.shallow_clone();
                let _ = weights.fill_(0.0);
                let _ = weights.narrow(1, 1, 1).narrow(0, 1, 3).fill_(1.0);
                let _ = wide
                    .negation_transfer
                    .as_ref()
                    .unwrap()
                    .shallow_clone()
                    .fill_(transfer);
            });
            let logits = wide.forward_t(&Batch::new(&[ids], &config), false);
            logits.double_value(&[0, 1]) - logits.double_value(&[0, 0])
        };
        assert!(
            margin(plain, 0.0) > 0.5,
            "the plain words speak for label 1"
        );
        assert_eq!(margin(negated, 0.0), 0.0, "nothing known, nothing said");
        assert!(
            margin(negated, 1.0) < -0.5,
            "their negation speaks against it"
        );
        assert!((margin(negated, 0.5) - margin(negated, 1.0) / 2.0).abs() < 1e-5);
    }
}
