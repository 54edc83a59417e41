//! The wide part: logistic regression over TF-IDF of token 1–3-grams (`ngrams`), with the
//! tokenizer's scope marks as features of their own and, optionally, negation transfer. The LSTM
//! members and the mixture are in `lstm` and `network`.

use std::sync::{Arc, Mutex};

use tch::nn::{self, Module};
use tch::{Kind, Tensor};

use super::batch::{Batch, Network};
use super::config::ModelConfig;
use super::ngrams::{NgramIndex, NgramVocabulary};
use super::recurrence::floats;

/// The wide part's [`NgramIndex`], built from `keys` at its first use and shared with the
/// LSTM's evidence. Keys are written before any forward pass (a loaded model's weights, a
/// trainer's vocabulary); [`Wide::set_vocabulary`] forgets an index built before.
#[derive(Debug, Clone, Default)]
struct KeyIndex(Arc<Mutex<Option<Arc<NgramIndex>>>>);

impl KeyIndex {
    fn index(&self, keys: &Tensor) -> Arc<NgramIndex> {
        let mut built = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        built
            .get_or_insert_with(|| {
                let keys = Vec::<i64>::try_from(keys).expect("int64 n-gram keys");
                Arc::new(NgramIndex::new(&keys))
            })
            .clone()
    }

    /// Row of each hash in `hashes` (any shape), as `rows_of` describes them.
    fn rows(&self, keys: &Tensor, hashes: &Tensor) -> Tensor {
        let index = self.index(keys);
        let flat = Vec::<i64>::try_from(hashes.flatten(0, -1)).expect("int64 n-gram hashes");
        let rows: Vec<i64> = flat.iter().map(|&hash| index.row(hash)).collect();
        Tensor::from_slice(&rows)
            .view(hashes.size().as_slice())
            .to_device(hashes.device())
    }

    fn forget(&self) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
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
    index: KeyIndex,
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
            .network
            .wide_intercept
            .then(|| p.zeros("bias", &[config.num_labels]));
        let negation_transfer =
            (config.network.negation_transfer > 0).then(|| p.zeros("negation_transfer", &[1]));
        Self {
            config: config.clone(),
            keys,
            index: KeyIndex::default(),
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
        self.index.forget();
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
        self.tfidf_of_rows(self.rows(hashes), tf)
    }

    fn tfidf_of_rows(&self, rows: Tensor, tf: &Tensor) -> (Tensor, Tensor) {
        let idf = idf_of_rows(&self.idf, &rows);
        (rows, tf * idf)
    }

    fn weighted_sum(&self, rows: &Tensor, features: &Tensor) -> Tensor {
        (self.weights.forward(rows) * features.unsqueeze(-1)).sum_dim_intlist(1, false, Kind::Float)
    }

    fn rows(&self, hashes: &Tensor) -> Tensor {
        self.index.rows(&self.keys, hashes)
    }
}

/// The IDF of each row (`rows` as [`KeyIndex::rows`] gives them: its position among the sorted keys plus one, 0 when unknown or padding), in their shape.
fn idf_of_rows(idf: &Tensor, rows: &Tensor) -> Tensor {
    idf.index_select(0, &rows.flatten(0, -1))
        .view(rows.size().as_slice())
}

/// The wide part as plain numbers, for a loaded model's small passes: the sums of
/// [`Wide::forward_t`] and [`WideEvidence::at_positions`] without a tensor operation each
/// (about 50 µs of a lone text's pass went to those). Not for negation transfer.
#[derive(Debug)]
pub(super) struct ServedWide {
    index: Arc<NgramIndex>,
    /// IDF per row, 0 for row 0 ("unknown").
    idf: Vec<f32>,
    /// `[rows, labels]`.
    weights: Vec<f32>,
    bias: Option<Vec<f32>>,
    labels: usize,
    /// See [`NetworkSettings::asserted_evidence`](super::config::NetworkSettings::asserted_evidence).
    asserted: bool,
}

/// One text's n-grams as the wide part reads them.
pub(super) struct WideReading {
    /// Per n-gram of the text, its row.
    rows: Vec<usize>,
    /// Per n-gram, its TF-IDF.
    tfidf: Vec<f32>,
    /// The text's TF-IDF L2 norm (at least 1e-12).
    norm: f32,
}

impl Wide {
    /// `None` with negation transfer, whose turned-around n-grams only the tensors compute.
    pub(super) fn served(&self) -> Option<ServedWide> {
        if self.negation_transfer.is_some() {
            return None;
        }
        Some(ServedWide {
            index: self.index.index(&self.keys),
            idf: floats(&self.idf),
            weights: floats(&self.weights.ws),
            bias: self.bias.as_ref().map(floats),
            labels: self.config.num_labels as usize,
            asserted: self.config.network.asserted_evidence,
        })
    }
}

impl ServedWide {
    /// `ngrams`: a text's distinct n-gram hashes and counts (`PassTexts::ngrams`).
    pub(super) fn read(&self, ngrams: &[(i64, u32)]) -> WideReading {
        let rows: Vec<usize> = ngrams
            .iter()
            .map(|&(hash, _)| self.index.row(hash) as usize)
            .collect();
        let tfidf: Vec<f32> = ngrams
            .iter()
            .zip(&rows)
            .map(|(&(_, count), &row)| (1.0 + (count as f32).ln()) * self.idf[row])
            .collect();
        let norm = tfidf.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        WideReading { rows, tfidf, norm }
    }

    /// The text's logits, `[labels]`.
    pub(super) fn logits(&self, text: &WideReading) -> Vec<f32> {
        let labels = self.labels;
        let mut logits = vec![0f32; labels];
        for (&row, &tfidf) in text.rows.iter().zip(&text.tfidf) {
            let feature = tfidf / text.norm;
            for (logit, weight) in logits.iter_mut().zip(&self.weights[row * labels..]) {
                *logit += weight * feature;
            }
        }
        if let Some(bias) = &self.bias {
            for (logit, bias) in logits.iter_mut().zip(bias) {
                *logit += bias;
            }
        }
        logits
    }

    /// Adds each position's evidence into `out`: `[positions, labels]`, or with asserted
    /// evidence `[positions, 2 · labels]`, as [`WideEvidence::at_positions`] computes it.
    /// `slots` holds three slots of the text's n-grams per position, as
    /// `PassTexts::position_slots` does, and `asserted` three hashes per position with asserted
    /// evidence (`PassTexts::asserted_hashes`), none without.
    pub(super) fn add_evidence(
        &self,
        text: &WideReading,
        slots: &[i64],
        asserted: &[i64],
        out: &mut [f32],
    ) {
        let labels = self.labels;
        let columns = if self.asserted { 2 * labels } else { labels };
        debug_assert_eq!(asserted.len(), if self.asserted { slots.len() } else { 0 });
        debug_assert_eq!(out.len(), slots.len() / 3 * columns);
        let add_row = |out: &mut [f32], row: usize| {
            let scale = self.idf[row] / text.norm;
            for (out, weight) in out.iter_mut().zip(&self.weights[row * labels..]) {
                *out += weight * scale;
            }
        };
        for (at, (out, slots)) in out
            .chunks_exact_mut(columns)
            .zip(slots.chunks_exact(3))
            .enumerate()
        {
            let (own, as_asserted) = out.split_at_mut(labels);
            for &slot in slots {
                if let Some(&row) = usize::try_from(slot).ok().and_then(|s| text.rows.get(s)) {
                    add_row(own, row);
                }
            }
            for &hash in asserted.get(at * 3..at * 3 + 3).unwrap_or_default() {
                let row = self.index.row(hash) as usize;
                if hash != 0 && row != 0 {
                    add_row(as_asserted, row);
                }
            }
        }
    }
}

/// What an LSTM member reads of the trained wide part (see [`ModelConfig::wide_evidence`]):
/// the same tensors, shared, never trained through.
#[derive(Debug)]
pub struct WideEvidence {
    keys: Tensor,
    index: KeyIndex,
    idf: Tensor,
    weights: Tensor,
    /// See [`NetworkSettings::asserted_evidence`](super::config::NetworkSettings::asserted_evidence).
    asserted: bool,
}

impl Wide {
    pub fn evidence(&self) -> WideEvidence {
        WideEvidence {
            keys: self.keys.shallow_clone(),
            index: self.index.clone(),
            idf: self.idf.shallow_clone(),
            weights: self.weights.ws.shallow_clone(),
            asserted: self.config.network.asserted_evidence,
        }
    }
}

impl WideEvidence {
    /// `[batch, width, labels]`: at each position, the wide part's weights of the n-grams
    /// ending there times their IDF and term frequency 1, under the text's own TF-IDF
    /// normalisation, so a text's positions add up to about its wide logits. With asserted
    /// evidence, `[batch, width, 2 · labels]`: then the same for the negated and conceded
    /// n-grams read as asserted ones.
    pub fn at_positions(&self, batch: &Batch) -> Tensor {
        tch::no_grad(|| {
            let rows = batch
                .ngram_rows
                .get_or_init(|| self.index.rows(&self.keys, &batch.ngrams));
            let idf = idf_of_rows(&self.idf, rows);
            let norm = (&batch.ngram_tf * &idf)
                .square()
                .sum_dim_intlist(1, true, Kind::Float)
                .sqrt()
                .clamp_min(1e-12);
            // Per slot of the text, then a zero slot for positions that end no n-gram.
            let per_slot = Tensor::embedding(&self.weights, rows, -1, false, false)
                * (idf / &norm).unsqueeze(-1);
            let size = per_slot.size();
            let per_slot = Tensor::cat(
                &[
                    per_slot,
                    Tensor::zeros([size[0], 1, size[2]], (Kind::Float, rows.device())),
                ],
                1,
            );
            let positions = batch.position_slots.size();
            let index = batch
                .position_slots
                .view([positions[0], positions[1] * 3, 1])
                .expand([positions[0], positions[1] * 3, size[2]], false);
            let evidence = per_slot
                .gather(1, &index, false)
                .view([positions[0], positions[1], 3, size[2]])
                .sum_dim_intlist(2, false, Kind::Float);
            if !self.asserted {
                return evidence;
            }
            // Under the text's own norm, as the first columns, so that a negated n-gram's two
            // readings are on one scale; row 0 (no n-gram, or one the wide part does not know)
            // adds nothing.
            let asserted_rows = self.index.rows(&self.keys, &batch.asserted_hashes);
            let scale =
                idf_of_rows(&self.idf, &asserted_rows) * asserted_rows.ne(0) / norm.unsqueeze(-1);
            let asserted = (Tensor::embedding(&self.weights, &asserted_rows, -1, false, false)
                * scale.unsqueeze(-1))
            .sum_dim_intlist(2, false, Kind::Float);
            Tensor::cat(&[evidence, asserted], -1)
        })
    }
}

impl Network for Wide {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, _train: bool) -> Tensor {
        let rows = batch
            .ngram_rows
            .get_or_init(|| self.rows(&batch.ngrams))
            .shallow_clone();
        let (rows, tfidf) = self.tfidf_of_rows(rows, &batch.ngram_tf);
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

#[cfg(test)]
mod tests {
    use super::super::batch::PassTexts;
    use super::super::network::Classifier;
    use super::super::network::tests::tiny_config;
    use super::super::ngrams::*;
    use super::*;
    use crate::model::NetworkSettings;
    use std::collections::HashMap;
    use tch::{Device, nn::VarStore};

    /// A tiny model with the given network settings whose wide part knows the n-grams of a
    /// small corpus, with random weights.
    fn model_with_a_wide_part(network: NetworkSettings, seed: i64) -> (VarStore, Classifier) {
        tch::manual_seed(seed);
        let config = ModelConfig {
            network,
            ..tiny_config(true)
        };
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &config);
        let corpus: Vec<i64> = (2..48).collect();
        let vocabulary = NgramVocabulary::fit([&corpus[..], &corpus[3..20]], 50, 1, 40);
        model.wide().unwrap().set_vocabulary(&vocabulary);
        for (name, mut variable) in vs.variables() {
            if name.starts_with("wide.weights") {
                tch::no_grad(|| variable.copy_(&(variable.rand_like() - 0.5)));
            }
        }
        (vs, model)
    }

    #[test]
    fn position_evidence_adds_up_to_the_wide_logits() {
        let network = NetworkSettings {
            wide_evidence: true,
            wide_intercept: false,
            ..tiny_config(true).network
        };
        let (_vs, model) = model_with_a_wide_part(network, 2);
        let (config, wide) = (model.config(), model.wide().unwrap());
        // No n-gram repeats within a text, so each counts once, where it ends; the shorter
        // text's padding must add nothing.
        let batch = Batch::new(&[&[4, 5, 6, 7, 30][..], &[9, 3]], config);
        let logits = tch::no_grad(|| wide.forward_t(&batch, false));
        let evidence = wide.evidence().at_positions(&batch);
        assert_eq!(evidence.size(), vec![2, 5, 3]);
        let summed = evidence.sum_dim_intlist(1, false, Kind::Float);
        assert!(
            logits.allclose(&summed, 1e-5, 1e-5, false),
            "{logits:?} vs {summed:?}"
        );
    }

    #[test]
    fn language_model_states_leave_out_the_evidence_which_holds_the_token_to_predict() {
        let network = NetworkSettings {
            wide_evidence: true,
            ..tiny_config(true).network
        };
        let (vs, model) = model_with_a_wide_part(network, 3);
        let config = model.config();
        let member = super::super::Member::new(&(vs.root() / "reader"), config, model.wide());
        let batch = Batch::new(&[&[4, 5, 6, 7, 30][..], &[9, 3]], config);
        let read = || {
            tch::no_grad(|| {
                let states = Tensor::cat(&member.reading_states(&batch, false), -1);
                (states, member.forward_t(&batch, false))
            })
        };
        let (states_before, logits_before) = read();
        for (name, mut variable) in vs.variables() {
            if name.starts_with("wide.weights") {
                tch::no_grad(|| variable.copy_(&(variable.rand_like() * 4.0 - 2.0)));
            }
        }
        let (states_after, logits_after) = read();
        assert!(
            !logits_before.allclose(&logits_after, 1e-6, 1e-6, false),
            "the classifier reads the evidence"
        );
        assert!(
            states_before.allclose(&states_after, 0.0, 0.0, false),
            "the language model's states do not"
        );
    }

    #[test]
    fn asserted_evidence_reads_a_negated_run_with_its_plain_weights_in_sums_and_tensors_alike() {
        let network = NetworkSettings {
            wide_evidence: true,
            asserted_evidence: true,
            ..tiny_config(true).network
        };
        let (_vs, model) = model_with_a_wide_part(network, 5);
        let (config, wide) = (model.config(), model.wide().unwrap());
        let vocab = config.vocab_size;
        // 4 is a cue, 5 and 6 are negated; the second text is asserted throughout.
        let texts: [&[i64]; 2] = [&[4 + 4 * vocab, 5 + vocab, 6 + vocab, 7], &[5, 6]];
        let pass = PassTexts::new(&texts, config);
        let tensors = wide.evidence().at_positions(&Batch::new(&texts, config));
        let labels = config.num_labels;
        assert_eq!(tensors.size(), vec![2, 4, 2 * labels]);
        let served = wide.served().unwrap();
        let (width, columns) = (pass.width, 2 * labels as usize);
        for (text, ngrams) in pass.ngrams.iter().enumerate() {
            let mut sums = vec![0f32; width * columns];
            let hashes = text * width * 3..(text + 1) * width * 3;
            served.add_evidence(
                &served.read(ngrams),
                &pass.position_slots[hashes.clone()],
                &pass.asserted_hashes[hashes],
                &mut sums,
            );
            let sums = Tensor::from_slice(&sums).view([width as i64, columns as i64]);
            assert!(sums.allclose(&tensors.get(text as i64), 1e-6, 1e-6, false));
        }
        let asserted = |text: i64, at: i64| {
            tensors
                .get(text)
                .get(at)
                .narrow(0, labels, labels)
                .abs()
                .sum(Kind::Float)
                .double_value(&[])
        };
        // By definition: position 2 ends the negated 6 and 5 6, read as the plain n-grams 6 and
        // 5 6, each with its IDF, under the text's own norm.
        let norm = served.read(&pass.ngrams[0]).norm;
        let by_definition: Vec<f32> = (0..labels as usize)
            .map(|label| {
                [ngram_hash(&[6]), ngram_hash(&[5, 6])]
                    .iter()
                    .map(|&hash| {
                        let row = served.index.row(hash) as usize;
                        assert_ne!(row, 0, "the corpus has the n-gram");
                        served.weights[row * labels as usize + label] * served.idf[row] / norm
                    })
                    .sum()
            })
            .collect();
        let at_two = tensors.get(0).get(2).narrow(0, labels, labels);
        assert!(at_two.allclose(&Tensor::from_slice(&by_definition), 1e-6, 1e-6, false));
        // The negated 5 and 6 carry their plain n-grams' weights; the cue, the asserted 7 and
        // the asserted text carry none.
        assert!(asserted(0, 1) > 0.0 && asserted(0, 2) > 0.0);
        assert_eq!(
            asserted(0, 0) + asserted(0, 3) + asserted(1, 0) + asserted(1, 1),
            0.0
        );
    }

    #[test]
    fn position_hashes_are_the_ngrams_the_wide_part_counts() {
        let vocab = 50;
        // A negated run (code 1) after a cue (code 4): marks change the hashes.
        let ids = [3, 7 + 4 * vocab, 9 + vocab, 11 + vocab, 5];
        let width = 7;
        let positions = position_ngram_hashes(&ids, vocab, width);
        assert_eq!(counts_of_hashes(&positions), ngram_counts(&ids, vocab));
        // The first token ends only a unigram; slots past the text hold nothing.
        assert!(positions[0] != 0 && positions[1] == 0 && positions[2] == 0);
        assert!(positions[5 * 3..].iter().all(|&h| h == 0));
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
            network: NetworkSettings {
                negation_transfer: 3,
                wide_intercept: false,
                wide_evidence: false,
                ..tiny_config(false).network
            },
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
