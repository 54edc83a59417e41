//! The network, its on-disk artifact, and inference over batches of token ids.

pub mod artifact;
mod batch;
mod config;
mod evaluation;
mod lstm;
mod network;
mod ngrams;
pub mod signature;
mod wide;

use std::ops::Range;
use std::path::Path;

use tch::Kind;

pub use artifact::{Artifact, ArtifactError, Manifest};
pub use batch::{Batch, Network};
pub use config::{ConfigProblem, LstmPrecision, ModelConfig, NetworkSettings};
pub use evaluation::{ClassMetrics, Evaluation};
pub use lstm::Member;
pub use network::{Classifier, member_path};
pub use ngrams::{NgramVocabulary, ngram_bucket, ngram_counts, ngram_hash};
pub use wide::Wide;

use crate::text::{Encoded, Tokenizer};

/// libtorch defaults to one intra-op thread per core; set it explicitly so training, evaluation
/// and the server's inference workers never oversubscribe a small machine. (The inter-op pool
/// is set to one thread at process start in main.rs: libtorch refuses to resize it once
/// parallel work has run.)
pub fn set_torch_threads(threads: std::num::NonZeroUsize) {
    tch::set_num_threads(i32::try_from(threads.get()).unwrap_or(i32::MAX));
}

/// A loaded classifier ready for inference. Owns libtorch tensors, so it is `Send` but not
/// `Sync`: the server keeps it on one dedicated thread.
#[derive(Debug)]
pub struct Model {
    artifact: Artifact,
}

impl Model {
    pub fn load(dir: &Path) -> Result<Self, ArtifactError> {
        Ok(Self {
            artifact: Artifact::load(dir)?,
        })
    }

    pub fn from_artifact(artifact: Artifact) -> Self {
        Self { artifact }
    }

    pub fn into_artifact(self) -> Artifact {
        self.artifact
    }

    /// Re-weighs the mixture (for measuring its parts alone); the manifest follows.
    pub fn set_wide_weight(&mut self, weight: f64) {
        self.artifact.classifier.set_wide_weight(weight);
        self.artifact.manifest.architecture.wide_weight = weight;
    }

    pub fn manifest(&self) -> &Manifest {
        &self.artifact.manifest
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.artifact.tokenizer
    }

    pub fn labels(&self) -> &[String] {
        &self.artifact.manifest.labels
    }

    pub fn classifier(&self) -> &Classifier {
        &self.artifact.classifier
    }

    pub fn var_store(&self) -> &tch::nn::VarStore {
        &self.artifact.var_store
    }

    pub fn probabilities_for_encoded(
        &self,
        encoded: &[Encoded],
        batch_size: usize,
    ) -> Vec<Vec<f32>> {
        let sequences: Vec<&[i64]> = encoded.iter().map(|e| e.ids.as_slice()).collect();
        predict_sequences(&self.artifact.classifier, &sequences, batch_size)
    }

    /// Probabilities for sequences of ids already encoded (e.g. an explanation's rows), in order.
    pub fn probabilities_for_ids(&self, rows: &[Vec<i64>], batch_size: usize) -> Vec<Vec<f32>> {
        let sequences: Vec<&[i64]> = rows.iter().map(Vec::as_slice).collect();
        predict_sequences(&self.artifact.classifier, &sequences, batch_size)
    }

    pub fn predict_texts(&self, texts: &[&str], batch_size: usize) -> Vec<Vec<f32>> {
        let encoded: Vec<Encoded> = texts.iter().map(|t| self.tokenizer().encode(t)).collect();
        self.probabilities_for_encoded(&encoded, batch_size)
    }
}

/// Probabilities for each sequence, in input order, from one forward pass in eval mode.
pub fn forward_probabilities(classifier: &impl Network, sequences: &[&[i64]]) -> Vec<Vec<f32>> {
    if sequences.is_empty() {
        return Vec::new();
    }
    let batch = Batch::new(sequences, classifier.config());
    let probs = tch::no_grad(|| classifier.forward_t(&batch, false).softmax(-1, Kind::Float));
    let flat: Vec<f32> = Vec::try_from(probs.flatten(0, -1)).expect("float tensor converts");
    flat.chunks(classifier.config().num_labels as usize)
        .map(<[f32]>::to_vec)
        .collect()
}

/// Sorts by token length and runs batches of `batch_size`, so short texts never pay for the
/// padding of long ones; results come back in input order.
pub fn predict_sequences(
    classifier: &impl Network,
    sequences: &[&[i64]],
    batch_size: usize,
) -> Vec<Vec<f32>> {
    let mut order: Vec<usize> = (0..sequences.len()).collect();
    order.sort_by_key(|&i| sequences[i].len());
    let mut out = vec![Vec::new(); sequences.len()];
    for chunk in order.chunks(batch_size.max(1)) {
        let batch: Vec<&[i64]> = chunk.iter().map(|&i| sequences[i]).collect();
        for (&i, probs) in chunk.iter().zip(forward_probabilities(classifier, &batch)) {
            out[i] = probs;
        }
    }
    out
}

/// Most padded tokens (texts × longest text) in one forward pass. Past a few thousand, larger
/// passes get slower per text on CPU (see BENCHMARKS.md), and activation memory grows with it.
pub const MAX_TOKENS_PER_FORWARD: usize = 4096;

/// Splits a batch of texts, given by their token lengths sorted ascending, into forward passes
/// (index ranges). A new pass starts where padding would more than double the work (an LSTM
/// steps once per position of the longest text, for every text) or where the pass would exceed
/// the token budget. An exact least-cost split (dynamic programming over a fitted cost model)
/// measured no better on random arrivals (BENCHMARKS.md).
pub fn plan_forward_passes(sorted_lengths: &[usize]) -> Vec<Range<usize>> {
    let mut passes = Vec::new();
    let mut start = 0;
    for (i, &length) in sorted_lengths.iter().enumerate().skip(1) {
        let shortest = sorted_lengths[start];
        let tokens = (i - start + 1) * length;
        if length > 2 * shortest.max(8) || tokens > MAX_TOKENS_PER_FORWARD {
            passes.push(start..i);
            start = i;
        }
    }
    if !sorted_lengths.is_empty() {
        passes.push(start..sorted_lengths.len());
    }
    passes
}

/// Index and value of the most probable label.
pub fn argmax(probabilities: &[f32]) -> (usize, f32) {
    probabilities
        .iter()
        .copied()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, p)| {
            if p > best.1 { (i, p) } else { best }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_passes_cover_every_text_once_in_order_and_respect_the_token_budget() {
        let lengths = [1, 3, 8, 9, 16, 17, 40, 80, 81, 200, 256, 256];
        let passes = plan_forward_passes(&lengths);
        let flattened: Vec<usize> = passes.iter().flat_map(Clone::clone).collect();
        assert_eq!(flattened, (0..lengths.len()).collect::<Vec<_>>());
        for pass in &passes {
            let longest = lengths[pass.end - 1];
            let shortest = lengths[pass.start];
            assert!(longest <= 2 * shortest.max(8), "{pass:?}");
            assert!(pass.len() == 1 || pass.len() * longest <= MAX_TOKENS_PER_FORWARD);
        }
        let many_long = vec![256; 40];
        assert!(
            plan_forward_passes(&many_long)
                .iter()
                .all(|p| p.len() * 256 <= MAX_TOKENS_PER_FORWARD)
        );
        assert!(plan_forward_passes(&[]).is_empty());
    }
}
