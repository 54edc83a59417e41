//! The batching runtime: the models a server has loaded (`registry`), the queue and worker
//! threads of each (`inference`), and the gate that shares the cores between them
//! (`fairness`), the drift signals of what they serve (`drift`), and the shadows and canaries
//! that try a candidate on live traffic (`rollout`). It knows nothing of HTTP: handlers reach
//! it through an `InferenceHandle` and the registry, and map its errors to status codes
//! themselves.

pub mod drift;
pub mod fairness;
pub mod inference;
pub mod registry;
pub mod rollout;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::Model;
use crate::text::Tokenizer;
use crate::views::{ArchitectureView, CheckView, LabelScores, MetricsView, ModelDetails};

/// Everything about the served model that handlers need, copied off the inference thread once
/// the model is loaded; the tokenizer runs on the HTTP side, the network only on its thread.
#[derive(Debug, Clone)]
pub struct ServedModel {
    pub tokenizer: Arc<Tokenizer>,
    pub details: ModelDetails,
    /// Where the drift signals of what this version serves are recorded.
    pub drift: drift::DriftRecorder,
}

impl ServedModel {
    pub fn from_model(model: &Model) -> Self {
        let m = model.manifest();
        Self {
            drift: drift::DriftRecorder::new(&m.name, &m.version, &m.labels),
            tokenizer: Arc::new(model.tokenizer().clone()),
            details: ModelDetails {
                name: m.name.clone(),
                version: m.version.clone(),
                labels: m.labels.clone(),
                architecture: ArchitectureView::from(&m.architecture),
                tokenizer: m.tokenizer.config.clone(),
                vocabulary_size: m.tokenizer.vocabulary.len(),
                max_length: m.tokenizer.config.max_length,
                parameters: m.weights.parameters,
                weights_sha256: m.weights.sha256.clone(),
                created_at: m.created_at.clone(),
                metrics: m.metrics.as_ref().map(MetricsView::from),
                check: m.check.as_ref().map(CheckView::from),
            },
        }
    }

    /// The most probable label, its probability, and every label's.
    pub fn label_scores(&self, probabilities: &[f32]) -> LabelScores {
        let (best, score) = crate::model::argmax(probabilities);
        LabelScores {
            label: self.details.labels[best].clone(),
            score,
            probabilities: self.probabilities_by_label(probabilities),
        }
    }

    pub fn probabilities_by_label(&self, probabilities: &[f32]) -> BTreeMap<String, f32> {
        self.details
            .labels
            .iter()
            .cloned()
            .zip(probabilities.iter().copied())
            .collect()
    }
}
