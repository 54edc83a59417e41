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

use crate::model::Loaded;
use crate::model::Model;
use crate::model::torchscript::{MODULE_FILE, TOKENIZER_FILE};
use crate::text::ModelTokenizer;
use crate::views::{
    ArchitectureView, CheckView, LabelScores, MetricsView, ModelDetails, ModelFormat,
    TorchScriptView,
};

/// Everything about the served model that handlers need, copied off the inference thread once
/// the model is loaded; the tokenizer runs on the HTTP side, the network only on its thread.
#[derive(Debug, Clone)]
pub struct ServedModel {
    pub tokenizer: Arc<ModelTokenizer>,
    pub details: ModelDetails,
    /// Where the drift signals of what this version serves are recorded.
    pub drift: drift::DriftRecorder,
}

impl ServedModel {
    pub fn from_model(model: &Model) -> Self {
        Self {
            drift: drift::DriftRecorder::new(model.name(), model.version(), model.labels()),
            tokenizer: Arc::new(model.tokenizer().clone()),
            details: details(model),
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

fn details(model: &Model) -> ModelDetails {
    let tokenizer = model.tokenizer();
    let common = |format, computes| ModelDetails {
        name: model.name().to_string(),
        version: model.version().to_string(),
        labels: model.labels().to_vec(),
        format,
        computes,
        architecture: None,
        tokenizer: None,
        torchscript: None,
        vocabulary_size: tokenizer.vocabulary_size(),
        max_length: tokenizer.max_length(),
        parameters: 0,
        weights_sha256: String::new(),
        created_at: String::new(),
        metrics: None,
        check: None,
    };
    let script = match model.loaded() {
        Loaded::TorchScript(script) => script,
        Loaded::Native(artifact) => {
            let m = &artifact.manifest;
            return ModelDetails {
                architecture: Some(ArchitectureView::from(&m.architecture)),
                tokenizer: Some(m.tokenizer.config.clone()),
                parameters: m.weights.parameters,
                weights_sha256: m.weights.sha256.clone(),
                created_at: m.created_at.clone(),
                metrics: m.metrics.as_ref().map(MetricsView::from),
                check: m.check.as_ref().map(CheckView::from),
                ..common(ModelFormat::Native, m.architecture.computes())
            };
        }
    };
    let m = &script.manifest;
    let inputs: Vec<String> = m.inputs.iter().map(|i| i.name().to_string()).collect();
    ModelDetails {
        torchscript: Some(TorchScriptView {
            inputs: inputs.clone(),
            output: m.output.to_string(),
            tokenizer_sha256: m.files[TOKENIZER_FILE].clone(),
        }),
        parameters: m.parameters,
        weights_sha256: m.files[MODULE_FILE].clone(),
        created_at: m.created_at.clone(),
        ..common(
            ModelFormat::Torchscript,
            format!(
                "TorchScript module trained elsewhere: ({}) → {}",
                inputs.join(", "),
                m.output
            ),
        )
    }
}
