//! The network, its on-disk artifact, and inference over batches of token ids.

pub mod artifact;
mod batch;
mod config;
mod evaluation;
mod lstm;
mod network;
mod ngrams;
mod recurrence;
pub mod signature;
pub mod torchscript;
mod wide;

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use tch::Kind;

pub use artifact::{Artifact, ArtifactError, Manifest};
pub use batch::{Batch, Network, PassTexts};
pub use config::{ConfigProblem, LstmPrecision, ModelConfig, NetworkSettings};
pub use evaluation::{ClassMetrics, Evaluation};
pub use lstm::Member;
pub use network::{Classifier, member_path};
pub use ngrams::{NgramVocabulary, ngram_bucket, ngram_counts, ngram_hash};
pub use torchscript::{ModuleFailed, ScriptModel};
pub use wide::Wide;

use crate::text::{Encoded, ModelTokenizer};

/// libtorch defaults to one intra-op thread per core; set it explicitly so training, evaluation
/// and the server's inference workers never oversubscribe a small machine. (The inter-op pool
/// is set to one thread at process start in main.rs: libtorch refuses to resize it once
/// parallel work has run.)
pub fn set_torch_threads(threads: std::num::NonZeroUsize) {
    tch::set_num_threads(i32::try_from(threads.get()).unwrap_or(i32::MAX));
}

/// A loaded classifier ready for inference: one of textserve's own networks, or a TorchScript
/// module trained elsewhere. Owns libtorch tensors, so it is `Send` but not `Sync`: the server
/// keeps it on one dedicated thread.
#[derive(Debug)]
pub struct Model {
    backend: Backend,
    tokenizer: ModelTokenizer,
}

/// A loaded model seen as what it is (see [`Model::loaded`]).
#[derive(Debug, Clone, Copy)]
pub enum Loaded<'a> {
    Native(&'a Artifact),
    TorchScript(&'a ScriptModel),
}

#[derive(Debug)]
enum Backend {
    Native(Artifact),
    TorchScript(ScriptModel),
}

impl Model {
    /// Loads a model directory of either format (`model.json` says which).
    pub fn load(dir: &Path) -> Result<Self, ArtifactError> {
        if torchscript::is_torchscript(dir) {
            return Ok(Self::from_script(ScriptModel::load(dir)?));
        }
        Ok(Self::from_artifact(Artifact::load(dir)?))
    }

    /// A trained model, from now on only read: its small passes are computed without
    /// tensors, its LSTM's recurrence by textserve's own kernel, not libtorch's
    /// (`Classifier::prepare_small_passes`).
    pub fn from_artifact(mut artifact: Artifact) -> Self {
        artifact.classifier.prepare_small_passes();
        Self {
            tokenizer: ModelTokenizer::Native(artifact.tokenizer.clone()),
            backend: Backend::Native(artifact),
        }
    }

    pub fn from_script(model: ScriptModel) -> Self {
        Self {
            tokenizer: ModelTokenizer::Foreign(Box::new(model.tokenizer.clone())),
            backend: Backend::TorchScript(model),
        }
    }

    /// The artifact of one of textserve's own models; a TorchScript model is refused with an
    /// error naming `what` needed it.
    pub fn native(&self, what: &'static str) -> Result<&Artifact, ArtifactError> {
        match &self.backend {
            Backend::Native(artifact) => Ok(artifact),
            Backend::TorchScript(model) => Err(ArtifactError::NotNative {
                model: model.manifest.name.clone(),
                what,
            }),
        }
    }

    pub fn into_artifact(self) -> Option<Artifact> {
        match self.backend {
            Backend::Native(artifact) => Some(artifact),
            Backend::TorchScript(_) => None,
        }
    }

    /// Which kind of model this is, with its own description.
    pub fn loaded(&self) -> Loaded<'_> {
        match &self.backend {
            Backend::Native(artifact) => Loaded::Native(artifact),
            Backend::TorchScript(model) => Loaded::TorchScript(model),
        }
    }

    /// Re-weighs the mixture (for measuring its parts alone); the manifest follows. Only
    /// textserve's own networks have one.
    pub fn set_wide_weight(&mut self, weight: f64) {
        if let Backend::Native(artifact) = &mut self.backend {
            artifact.classifier.set_wide_weight(weight);
            artifact.manifest.architecture.wide_weight = weight;
        }
    }

    /// `model.json` of one of textserve's own models; `None` for a TorchScript model.
    pub fn manifest(&self) -> Option<&Manifest> {
        match &self.backend {
            Backend::Native(artifact) => Some(&artifact.manifest),
            Backend::TorchScript(_) => None,
        }
    }

    pub fn name(&self) -> &str {
        match &self.backend {
            Backend::Native(a) => &a.manifest.name,
            Backend::TorchScript(m) => &m.manifest.name,
        }
    }

    pub fn version(&self) -> &str {
        match &self.backend {
            Backend::Native(a) => &a.manifest.version,
            Backend::TorchScript(m) => &m.manifest.version,
        }
    }

    pub fn tokenizer(&self) -> &ModelTokenizer {
        &self.tokenizer
    }

    pub fn labels(&self) -> &[String] {
        match &self.backend {
            Backend::Native(a) => &a.manifest.labels,
            Backend::TorchScript(m) => &m.manifest.labels,
        }
    }

    /// The native network; `None` for a TorchScript model.
    pub fn classifier(&self) -> Option<&Classifier> {
        match &self.backend {
            Backend::Native(a) => Some(&a.classifier),
            Backend::TorchScript(_) => None,
        }
    }

    /// Probabilities per sequence, in order, from one forward pass. Only a TorchScript module
    /// can fail here (its graph is its own); textserve's networks are checked at load.
    pub fn try_forward_probabilities(
        &self,
        sequences: &[&[i64]],
    ) -> Result<Vec<Vec<f32>>, ModuleFailed> {
        match &self.backend {
            Backend::Native(a) => Ok(forward_probabilities(&a.classifier, sequences)),
            Backend::TorchScript(m) => m.probabilities(sequences),
        }
    }

    pub fn probabilities_for_encoded(
        &self,
        encoded: &[Encoded],
        batch_size: usize,
    ) -> Vec<Vec<f32>> {
        let sequences: Vec<&[i64]> = encoded.iter().map(|e| e.ids.as_slice()).collect();
        self.predict_sequences(&sequences, batch_size)
    }

    /// Probabilities for sequences of ids already encoded (e.g. an explanation's rows), in order.
    pub fn probabilities_for_ids(&self, rows: &[Vec<i64>], batch_size: usize) -> Vec<Vec<f32>> {
        let sequences: Vec<&[i64]> = rows.iter().map(Vec::as_slice).collect();
        self.predict_sequences(&sequences, batch_size)
    }

    pub fn predict_texts(&self, texts: &[&str], batch_size: usize) -> Vec<Vec<f32>> {
        let encoded: Vec<Encoded> = texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        self.probabilities_for_encoded(&encoded, batch_size)
    }

    /// As [`predict_sequences`], for either kind of model. The command-line paths that call
    /// this have no client to answer: a TorchScript module failing on a batch its import and
    /// load checks passed ends the command with the module's message.
    fn predict_sequences(&self, sequences: &[&[i64]], batch_size: usize) -> Vec<Vec<f32>> {
        match &self.backend {
            Backend::Native(a) => predict_sequences(&a.classifier, sequences, batch_size),
            Backend::TorchScript(m) => in_length_order(sequences, batch_size, |batch| {
                m.probabilities(batch)
                    .unwrap_or_else(|e| panic!("{}: {e}", m.manifest.name))
            }),
        }
    }
}

/// Forward passes being computed in the process now, every model's: a pass computed alone may
/// take the second core for part of its work (see `recurrence`), one among others may not.
static PASSES_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Counts one forward pass in [`PASSES_IN_FLIGHT`] while it lives.
struct PassInFlight(());

impl PassInFlight {
    fn start() -> Self {
        PASSES_IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        Self(())
    }

    fn count() -> usize {
        PASSES_IN_FLIGHT.load(Ordering::Relaxed)
    }
}

impl Drop for PassInFlight {
    fn drop(&mut self) {
        PASSES_IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Probabilities for each sequence, in input order, from one forward pass in eval mode.
pub fn forward_probabilities(classifier: &impl Network, sequences: &[&[i64]]) -> Vec<Vec<f32>> {
    if sequences.is_empty() {
        return Vec::new();
    }
    let _in_flight = PassInFlight::start();
    let texts = PassTexts::new(sequences, classifier.config());
    if let Some(probabilities) = classifier.served_probabilities(&texts) {
        return probabilities;
    }
    let batch = Batch::of(&texts);
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
    in_length_order(sequences, batch_size, |batch| {
        forward_probabilities(classifier, batch)
    })
}

fn in_length_order(
    sequences: &[&[i64]],
    batch_size: usize,
    mut forward: impl FnMut(&[&[i64]]) -> Vec<Vec<f32>>,
) -> Vec<Vec<f32>> {
    let mut order: Vec<usize> = (0..sequences.len()).collect();
    order.sort_by_key(|&i| sequences[i].len());
    let mut out = vec![Vec::new(); sequences.len()];
    for chunk in order.chunks(batch_size.max(1)) {
        let batch: Vec<&[i64]> = chunk.iter().map(|&i| sequences[i]).collect();
        for (&i, probs) in chunk.iter().zip(forward(&batch)) {
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
