//! The n-gram features the wide part counts: hashing runs of token ids, counting a text's 1–3-grams
//! (scope marks make a marked n-gram a feature of its own), the n-grams ending at each position,
//! and the vocabulary of n-grams kept from the training split. Part of the model format: the
//! hashes are what `model.safetensors` stores as the wide part's keys.

use std::collections::{BTreeMap, HashMap};

use tch::Tensor;

use crate::text::{base_id, scope_of};

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
pub(super) const NEGATED_MARK: i64 = -2;
pub(super) const CONCEDED_MARK: i64 = -3;
pub(super) const CONCEDED_NEGATED_MARK: i64 = -4;

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
            *counts
                .entry(window_hash(window, vocab_size, &mut plain))
                .or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// The hash under which the wide part counts one n-gram (`plain` is scratch space).
fn window_hash(window: &[i64], vocab_size: i64, plain: &mut Vec<i64>) -> i64 {
    let scope = scope_of(window[0], vocab_size);
    let uniform = window.iter().all(|&id| scope_of(id, vocab_size) == scope);
    let mark = match (scope.negated, scope.conceded) {
        (false, false) => None,
        (true, false) => Some(NEGATED_MARK),
        (false, true) => Some(CONCEDED_MARK),
        (true, true) => Some(CONCEDED_NEGATED_MARK),
    };
    // N-grams across a scope's edge keep their marked ids, which set them apart.
    if uniform {
        plain.clear();
        plain.extend(window.iter().map(|&id| base_id(id, vocab_size)));
        plain.extend(mark);
        ngram_hash(plain)
    } else {
        ngram_hash(window)
    }
}

/// The (hash, count) list, sorted by hash, of the non-zero hashes given: from a text's
/// [`position_ngram_hashes`], the same list [`ngram_counts`] makes.
pub fn counts_of_hashes(hashes: &[i64]) -> Vec<(i64, u32)> {
    let mut counts: BTreeMap<i64, u32> = BTreeMap::new();
    for &hash in hashes.iter().filter(|&&h| h != 0) {
        *counts.entry(hash).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// Per position, the hashes of the 1-, 2- and 3-gram ending there, as the wide part counts
/// them (0 where a text is too short for one): `[width × 3]` for one text of `width` slots.
pub fn position_ngram_hashes(ids: &[i64], vocab_size: i64, width: usize) -> Vec<i64> {
    let mut hashes = vec![0i64; width * 3];
    let mut plain = Vec::with_capacity(4);
    for end in 0..ids.len().min(width) {
        for n in 1..=3usize {
            if n <= end + 1 {
                hashes[end * 3 + n - 1] =
                    window_hash(&ids[end + 1 - n..=end], vocab_size, &mut plain);
            }
        }
    }
    hashes
}

/// Per position, the plain hashes of the negated or conceded 1-, 2- and 3-gram ending there,
/// as an assertion would count them (0 where the n-gram is asserted, straddles a scope's edge
/// or does not exist): `[width × 3]`, laid out as [`position_ngram_hashes`]. What
/// [`NetworkSettings::asserted_evidence`](super::config::NetworkSettings::asserted_evidence)
/// looks up.
pub fn position_asserted_hashes(ids: &[i64], vocab_size: i64, width: usize) -> Vec<i64> {
    let mut hashes = vec![0i64; width * 3];
    let mut plain = Vec::with_capacity(3);
    for end in 0..ids.len().min(width) {
        for n in 1..=(end + 1).min(3) {
            let window = &ids[end + 1 - n..=end];
            let scope = scope_of(window[0], vocab_size);
            let uniform = window.iter().all(|&id| scope_of(id, vocab_size) == scope);
            if uniform && (scope.negated || scope.conceded) {
                plain.clear();
                plain.extend(window.iter().map(|&id| base_id(id, vocab_size)));
                hashes[end * 3 + n - 1] = ngram_hash(&plain);
            }
        }
    }
    hashes
}

/// The plain hashes of the n-grams wholly inside a negation (cues excluded) and within `reach`
/// tokens of a cue, with their counts: the features [`ModelConfig::negation_transfer`](super::config::ModelConfig::negation_transfer) turns
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

/// Row of each known n-gram hash (its position among the sorted keys plus one; 0 for unknown
/// hashes and padding) in an open-addressing table: one probe, mostly one cache miss, where a
/// binary search over the default model's 277 k keys took 18 dependent ones (libtorch's
/// `searchsorted` was 4.8 % of a loaded server's CPU).
#[derive(Debug)]
pub struct NgramIndex {
    slots: Vec<i64>,
    rows: Vec<u32>,
    shift: u32,
}

impl NgramIndex {
    /// `sorted_keys` as the wide part stores them: distinct, non-zero hashes.
    pub fn new(sorted_keys: &[i64]) -> Self {
        // At most half full, so a miss ends within a probe or two.
        let capacity = (2 * sorted_keys.len()).max(2).next_power_of_two();
        let mut index = Self {
            slots: vec![0; capacity],
            rows: vec![0; capacity],
            shift: 64 - capacity.trailing_zeros(),
        };
        for (position, &key) in sorted_keys.iter().enumerate() {
            if key == 0 {
                continue;
            }
            let mut slot = index.slot_of(key);
            while index.slots[slot] != 0 && index.slots[slot] != key {
                slot = (slot + 1) & (capacity - 1);
            }
            index.slots[slot] = key;
            index.rows[slot] = u32::try_from(position + 1).expect("fewer than 2^32 n-grams");
        }
        index
    }

    fn slot_of(&self, hash: i64) -> usize {
        ((hash as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    pub fn row(&self, hash: i64) -> i64 {
        if hash == 0 {
            return 0;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot_of(hash);
        loop {
            match self.slots[slot] {
                0 => return 0,
                key if key == hash => return i64::from(self.rows[slot]),
                _ => slot = (slot + 1) & mask,
            }
        }
    }
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

/// `[texts, slots]` hashes and sublinear term frequencies of each text's (hash, count) list.
pub fn ngram_features_of(rows: &[Vec<(i64, u32)>]) -> (Tensor, Tensor) {
    let batch = rows.len() as i64;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_each_key_at_its_row_as_a_binary_search_does() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 1) as i64
        };
        let mut keys: Vec<i64> = (0..5000).map(|_| next() % 100_000 + 1).collect();
        keys.sort_unstable();
        keys.dedup();
        let index = NgramIndex::new(&keys);
        for (position, &key) in keys.iter().enumerate() {
            assert_eq!(index.row(key), position as i64 + 1, "key {key}");
        }
        for hash in (0..2000)
            .map(|_| next() % 100_000 + 1)
            .chain([0, -7, i64::MAX])
        {
            let expected = keys.binary_search(&hash).map_or(0, |p| p as i64 + 1);
            assert_eq!(index.row(hash), expected, "hash {hash}");
        }
        assert_eq!(NgramIndex::new(&[]).row(42), 0);
    }

    #[test]
    fn a_negated_span_is_looked_up_as_the_same_words_asserted() {
        let vocab = 10;
        // "没 5 6 7" with 没 a cue (code 4) and the three tokens after it negated (code 1), then
        // an asserted 8, then 4 and 9 conceded (code 2).
        let marked = [
            3 + 4 * vocab,
            5 + vocab,
            6 + vocab,
            7 + vocab,
            8,
            4 + 2 * vocab,
            9 + 2 * vocab,
        ];
        let asserted = position_ngram_hashes(&[3, 5, 6, 7, 8, 4, 9], vocab, 7);
        let looked_up = position_asserted_hashes(&marked, vocab, 7);
        let slot = |end: usize, n: usize| end * 3 + n - 1;
        let scoped = [
            (1, 1),
            (2, 1),
            (2, 2),
            (3, 1),
            (3, 2),
            (3, 3),
            (5, 1),
            (6, 1),
            (6, 2),
        ];
        for (end, n) in scoped {
            assert_eq!(
                looked_up[slot(end, n)],
                asserted[slot(end, n)],
                "{n}-gram at {end}"
            );
            assert_ne!(looked_up[slot(end, n)], 0);
        }
        // The cue, n-grams across a scope's edge and the asserted 8 have no asserted reading.
        for end in 0..7 {
            for n in 1..=3 {
                if !scoped.contains(&(end, n)) {
                    assert_eq!(looked_up[slot(end, n)], 0, "{n}-gram at {end}");
                }
            }
        }
        // Nothing marked, nothing to look up.
        assert!(
            position_asserted_hashes(&[3, 5, 6, 7], vocab, 4)
                .iter()
                .all(|&h| h == 0)
        );
    }
}
