//! What a forward pass reads: several texts' ids right-padded into tensors, with their n-gram
//! features and evidence positions, and the `Network` trait every part implements.

use tch::{Kind, Tensor};

use super::config::ModelConfig;
use super::ngrams::{
    counts_of_hashes, negated_plain_counts, ngram_bucket, ngram_counts, ngram_features_of,
    position_asserted_hashes, position_ngram_hashes,
};
use crate::text::{PAD_ID, base_id};

/// Distinct scope codes: negated, conceded and cue bits.
pub(super) const SCOPE_CODES: i64 = 8;

/// Token ids of several texts, right-padded into one tensor, plus what the network needs to make
/// padding invisible: per-text lengths and the index that reverses each text within its length.
#[derive(Debug)]
pub struct Batch {
    pub ids: Tensor,
    pub bigrams: Tensor,
    pub lengths: Tensor,
    /// `[batch · width]`: the row of the flattened batch that lands at each position when every
    /// text is reversed within its length (padding stays in place).
    reverse_rows: Tensor,
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
    /// `[batch, width, 3]` the plain hashes of the negated or conceded n-grams ending at each
    /// position, for [`NetworkSettings::asserted_evidence`](super::config::NetworkSettings::asserted_evidence)
    /// (`[batch, 1, 3]` zeros without it).
    pub(super) asserted_hashes: Tensor,
    /// The wide part's rows of `ngrams`, looked up once for the wide part and the LSTM's
    /// evidence alike. A batch is read by one model only.
    pub(super) ngram_rows: std::cell::OnceCell<Tensor>,
    /// `[batch, width, columns]` wide evidence (`ModelConfig::evidence_columns`) given with the
    /// batch instead of read from the model's own wide part (training reads each text's from a
    /// wide part that never saw it).
    pub(super) position_evidence: Option<Tensor>,
    /// `[batch, slots]` plain hashes of the negated n-grams and their term frequency, for
    /// [`ModelConfig::negation_transfer`] (one empty slot without it).
    pub(super) negated_plain: Tensor,
    pub(super) negated_plain_tf: Tensor,
}

/// What a pass reads, as plain numbers: [`Batch`] makes tensors of them, and a loaded model's
/// small passes are computed from them directly (see `Network::served_probabilities`).
#[derive(Debug)]
pub struct PassTexts {
    /// Positions per text: the longest text's length.
    pub(super) width: usize,
    /// `[texts, width]` token ids without scope marks, right-padded.
    pub(super) ids: Vec<i64>,
    /// `[texts, width]` hashed bigram buckets.
    pub(super) bigrams: Vec<i64>,
    /// `[texts, width]` scope codes.
    pub(super) scopes: Vec<i64>,
    pub(super) lengths: Vec<i64>,
    reverse: Vec<i64>,
    mask: Vec<bool>,
    /// Per text, its distinct 1–3-gram hashes in order and their counts.
    pub(super) ngrams: Vec<Vec<(i64, u32)>>,
    /// `[texts, width, 3]` the slot in its text's `ngrams` of the 1-, 2- and 3-gram ending at
    /// each position, `slots` (the most any text has) where there is none; empty without
    /// [`ModelConfig::wide_evidence`].
    pub(super) position_slots: Vec<i64>,
    /// `[texts, width, 3]` see [`Batch::asserted_hashes`]; empty without
    /// [`NetworkSettings::asserted_evidence`](super::config::NetworkSettings::asserted_evidence).
    pub(super) asserted_hashes: Vec<i64>,
    negated_plain: Vec<Vec<(i64, u32)>>,
}

impl PassTexts {
    /// Every sequence must hold at least one id (the tokenizer guarantees it).
    pub fn new(sequences: &[&[i64]], config: &ModelConfig) -> Self {
        let bigram_buckets = config.network.bigram_buckets;
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
                reverse[base + t] = (base + if t < len { len - 1 - t } else { t }) as i64;
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
        let lengths: Vec<i64> = sequences.iter().map(|s| s.len() as i64).collect();
        let evidence = config.network.wide_evidence && config.ngram_vocab_size > 0;
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
        let asserted_hashes: Vec<i64> = if evidence && config.network.asserted_evidence {
            sequences
                .iter()
                .flat_map(|s| position_asserted_hashes(s, vocab_size, width))
                .collect()
        } else {
            Vec::new()
        };
        let ngrams: Vec<Vec<(i64, u32)>> = if evidence {
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
        let reach = config.network.negation_transfer as usize;
        let negated_plain = sequences
            .iter()
            .map(|ids| {
                if reach > 0 && config.ngram_vocab_size > 0 {
                    negated_plain_counts(
                        ids,
                        vocab_size,
                        reach,
                        config.network.transfer_in_concession,
                    )
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Each position's n-grams as slots of its text's n-gram list (sorted by hash), so the
        // wide part looks each n-gram up once per text, not once per position.
        let slots = ngrams.iter().map(Vec::len).max().unwrap_or(1).max(1) as i64;
        let position_slots: Vec<i64> = position_hashes
            .iter()
            .zip(&ngrams)
            .flat_map(|(hashes, known)| {
                hashes.iter().map(move |&hash| {
                    match known.binary_search_by_key(&hash, |&(known, _)| known) {
                        Ok(slot) if hash != 0 => slot as i64,
                        _ => slots,
                    }
                })
            })
            .collect();
        Self {
            width,
            ids,
            bigrams,
            scopes,
            lengths,
            reverse,
            mask,
            ngrams,
            position_slots,
            asserted_hashes,
            negated_plain,
        }
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }
}

impl Batch {
    /// Every sequence must hold at least one id (the tokenizer guarantees it).
    pub fn new(sequences: &[&[i64]], config: &ModelConfig) -> Self {
        Self::of(&PassTexts::new(sequences, config))
    }

    pub fn of(texts: &PassTexts) -> Self {
        let (batch, width) = (texts.len() as i64, texts.width as i64);
        let shape = [batch, width];
        let (ngrams, ngram_tf) = ngram_features_of(&texts.ngrams);
        let (negated_plain, negated_plain_tf) = ngram_features_of(&texts.negated_plain);
        // Three values per position, or one zero position where the model reads none.
        let per_position = |values: &[i64]| {
            if values.is_empty() {
                Tensor::zeros([batch, 1, 3], (Kind::Int64, tch::Device::Cpu))
            } else {
                Tensor::from_slice(values).view([batch, width, 3])
            }
        };
        Self {
            position_slots: per_position(&texts.position_slots),
            asserted_hashes: per_position(&texts.asserted_hashes),
            ngram_rows: std::cell::OnceCell::new(),
            position_evidence: None,
            ids: Tensor::from_slice(&texts.ids).view(shape),
            bigrams: Tensor::from_slice(&texts.bigrams).view(shape),
            lengths: Tensor::from_slice(&texts.lengths),
            reverse_rows: Tensor::from_slice(&texts.reverse),
            mask: Tensor::from_slice(&texts.mask).view(shape),
            scopes: Tensor::from_slice(&texts.scopes).view(shape),
            ngrams,
            ngram_tf,
            negated_plain,
            negated_plain_tf,
        }
    }

    /// The batch with each text's wide evidence given (`[length_i, columns]` per text, in
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

    /// `x` (`[batch, width, features]`) with each text reversed within its length. Whole rows
    /// are copied (`index_select`): an element-wise `gather` of the same result took 7 % of a
    /// BiLSTM pass.
    pub(super) fn reverse_within_lengths(&self, x: &Tensor) -> Tensor {
        let size = x.size();
        x.reshape([size[0] * size[1], size[2]])
            .index_select(0, &self.reverse_rows)
            .view(size.as_slice())
    }
}

/// Anything that maps a batch to logits.
pub trait Network {
    fn config(&self) -> &ModelConfig;
    /// Logits of shape `[batch, num_labels]`.
    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor;

    /// Probabilities per text, in order, computed without tensors where this network can
    /// (a loaded model's small passes); `None` sends the pass through [`Network::forward_t`].
    fn served_probabilities(&self, _texts: &PassTexts) -> Option<Vec<Vec<f32>>> {
        None
    }
}
