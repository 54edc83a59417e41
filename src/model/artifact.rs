//! The model directory: the one contract between `train` and `serve`.
//!
//! ```text
//! models/NAME/
//!   model.json          manifest: labels, architecture, tokenizer + vocabulary, provenance, metrics
//!   model.safetensors   weights
//!   MODEL_CARD.md       for people
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::nn::VarStore;
use tch::{Device, Tensor};

use super::Evaluation;
use super::{Classifier, LstmPrecision, ModelConfig};
use crate::data::{CleanStats, SplitConfig, sha256_file};
use crate::text::{Tokenizer, TokenizerConfig, Vocabulary};

pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_FILE: &str = "model.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const CARD_FILE: &str = "MODEL_CARD.md";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub name: String,
    pub version: String,
    pub created_at: String,
    pub labels: Vec<String>,
    pub architecture: ModelConfig,
    pub tokenizer: TokenizerSpec,
    pub weights: WeightsInfo,
    /// Absent for models that were not trained by `textserve train` (e.g. test fixtures).
    #[serde(default)]
    pub training: Option<TrainingRecord>,
    #[serde(default)]
    pub metrics: Option<Metrics>,
    /// The behavioural suite run at training time (`train --check-suite`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckSummary>,
    /// What `textserve quantize` measured when it made this copy at a lower precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_check: Option<PrecisionCheck>,
}

/// The same texts through the float32 model and through its copy at `precision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionCheck {
    pub precision: LstmPrecision,
    /// The float32 model's version, the one training wrote.
    pub original_version: String,
    pub parts: Vec<PrecisionPart>,
}

/// One part of a [`PrecisionCheck`]: a split of the recorded data or a behavioural suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionPart {
    /// `validation`, `test`, or the suite file as given.
    pub part: String,
    pub texts: usize,
    /// Accuracy on a split, share of cases passed on a suite.
    pub float32: f64,
    pub reduced: f64,
    /// Texts whose label differs between the two.
    pub changed_predictions: usize,
    pub max_probability_change: f64,
    /// Suites: capabilities that pass fewer cases at the reduced precision.
    #[serde(default)]
    pub capabilities_losing_cases: Vec<String>,
}

/// Where augmentation examples came from and how many were used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraDataRecord {
    pub path: String,
    pub sha256: String,
    pub rows_read: usize,
    pub cleaning: CleanStats,
    /// Texts left out because the main data holds them (in any split).
    pub dropped_as_main_data: usize,
    /// Texts left out because an earlier `--extra-data` file gave them.
    #[serde(default)]
    pub dropped_as_earlier_extra_data: usize,
    pub used: usize,
}

/// A behavioural suite's result as recorded with the model: pass rates per capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// The suite file as given to `train`.
    pub suite: String,
    pub suite_sha256: String,
    pub cases: usize,
    pub passed: usize,
    pub capabilities: Vec<CapabilityResult>,
    /// The bar every capability had to reach (`--check-fail-under`), if one was set.
    pub fail_under: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityResult {
    pub capability: String,
    pub cases: usize,
    pub passed: usize,
    pub pass_rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenizerSpec {
    #[serde(flatten)]
    pub config: TokenizerConfig,
    pub vocabulary: Vec<String>,
}

impl From<&Tokenizer> for TokenizerSpec {
    fn from(tokenizer: &Tokenizer) -> Self {
        Self {
            config: tokenizer.config().clone(),
            vocabulary: tokenizer.vocabulary().tokens().to_vec(),
        }
    }
}

/// Filled in by [`Artifact::save`] once the weights are written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WeightsInfo {
    pub file: String,
    pub sha256: String,
    pub parameters: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub data_path: String,
    pub data_sha256: String,
    pub text_field: String,
    pub label_field: String,
    pub rows_read: usize,
    pub empty_texts_skipped: usize,
    pub cleaning: CleanStats,
    /// Training examples left out for a label their cross-fitted wide part contradicted
    /// (`--suspect-label-threshold`); the split sizes count them.
    #[serde(default)]
    pub suspect_labels_dropped: usize,
    pub split: SplitConfig,
    pub split_sizes: SplitSizes,
    /// Augmentation examples added to the training split (`--extra-data`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<ExtraDataRecord>,
    /// Further `--extra-data` files, after the first, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_extra_data: Vec<ExtraDataRecord>,
    /// The suite that helped choose the mixture weight (`--tune-suite`), as the kept model
    /// scores on it; never the held-out part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tune_check: Option<CheckSummary>,
    /// Every hyperparameter of the run under its field name, as `train` wrote them. Kept as
    /// written so the file format does not depend on the training code's types; `train`
    /// reads them back (the card's reproduce command is built from them).
    pub hyperparameters: Hyperparameters,
    pub epochs_run: usize,
    /// (wide weight, validation accuracy) of the mixture, for each weight tried.
    #[serde(default)]
    pub wide_weight_search: Vec<(f64, f64)>,
    /// The tuning suite's mean pass rate at each weight of `wide_weight_search`, when one was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wide_weight_tune_pass_rates: Vec<f64>,
    /// Composed training examples of the LSTM members (`--compose`), when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composed: Option<ComposeRecord>,
    /// The trained parts measured alone and mixed, when both were trained.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ablation: Vec<AblationRow>,
    /// LSTM members were trained, then left out of the model because the mixture gave the
    /// wide part weight 1 (they would never be computed).
    #[serde(default)]
    pub lstm_dropped: bool,
    /// What each stage (wide, member 0, …) kept.
    pub stages: Vec<StageOutcome>,
    pub duration_seconds: f64,
    pub history: Vec<EpochRecord>,
}

pub type Hyperparameters = serde_json::Map<String, serde_json::Value>;

impl TrainingRecord {
    /// Every `--extra-data` file, in the order given.
    pub fn extra_data_files(&self) -> impl Iterator<Item = &ExtraDataRecord> {
        self.extra_data.iter().chain(&self.more_extra_data)
    }
}

/// What compositional augmentation made (see `train --compose`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComposeRecord {
    /// Distinct clauses found in the training-side texts.
    pub clauses: usize,
    /// Clauses the wide part read with their text's label at the confidence asked for.
    pub confident_clauses: usize,
    /// Composed texts by structure: "A，但是B", "虽然A，B", "B，虽然A", "A，而且B".
    pub contrast: usize,
    pub concession_first: usize,
    pub concession_after: usize,
    pub addition: usize,
}

/// One part of the trained network (or their mixture) measured on its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AblationRow {
    /// "n-gram part alone", "LSTM alone" or "mixture".
    pub part: String,
    pub wide_weight: f64,
    pub validation_accuracy: f64,
    pub test_accuracy: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tune_check: Option<CheckSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitSizes {
    pub train: usize,
    pub validation: usize,
    pub test: usize,
}

/// What one training stage kept: its best epoch, or the average of its best epochs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageOutcome {
    pub stage: String,
    pub best_epoch: usize,
    /// Non-empty when the kept weights are the average of these epochs' weights.
    pub averaged_epochs: Vec<usize>,
    pub validation_accuracy: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    /// "wide", or "member K" for the LSTM members.
    pub stage: String,
    pub epoch: usize,
    pub train_loss: f64,
    pub validation_loss: f64,
    pub validation_accuracy: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metrics {
    pub validation: Evaluation,
    pub test: Evaluation,
}

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("{}: model directory not found", .0.display())]
    MissingDirectory(PathBuf),
    #[error("{}: missing file", .0.display())]
    MissingFile(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: invalid manifest: {message}", path.display())]
    InvalidManifest { path: PathBuf, message: String },
    #[error("{}: unknown format_version {found} (this build reads {FORMAT_VERSION})", path.display())]
    UnknownFormatVersion { path: PathBuf, found: u32 },
    #[error("{}: weights checksum mismatch: model.json says sha256 {expected}, file has {actual}", path.display())]
    WeightsChecksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{}: corrupt safetensors file: {message}", path.display())]
    CorruptWeights { path: PathBuf, message: String },
    #[error("{}: tensor {tensor:?} has shape {found:?}, the architecture in model.json needs {expected:?}", path.display())]
    ShapeMismatch {
        path: PathBuf,
        tensor: String,
        expected: Vec<i64>,
        found: Vec<i64>,
    },
    #[error("{}: tensor {tensor:?} required by the architecture is missing", path.display())]
    MissingTensor { path: PathBuf, tensor: String },
    #[error("{}: unexpected tensor {tensor:?} not in the architecture", path.display())]
    UnexpectedTensor { path: PathBuf, tensor: String },
    #[error("{}: cannot write weights: {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Module { path: PathBuf, message: String },
    /// `model` is the directory or the model's name, whichever the caller has.
    #[error(
        "{model}: a TorchScript model trained elsewhere: {what} needs one of textserve's own models"
    )]
    NotNative { model: String, what: &'static str },
    #[error(transparent)]
    Tokenizer(#[from] crate::text::ForeignTokenizerError),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArtifactError + '_ {
    move |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> ArtifactError {
    ArtifactError::InvalidManifest {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A validated, loaded model directory.
#[derive(Debug)]
pub struct Artifact {
    pub manifest: Manifest,
    pub tokenizer: Tokenizer,
    pub classifier: Classifier,
    pub var_store: VarStore,
}

impl Artifact {
    /// Loads and checks everything before anything is served: a model that loads is a model
    /// whose files agree with each other.
    pub fn load(dir: &Path) -> Result<Self, ArtifactError> {
        if !dir.is_dir() {
            return Err(ArtifactError::MissingDirectory(dir.to_path_buf()));
        }
        let manifest_path = dir.join(MANIFEST_FILE);
        let mut manifest = read_manifest(&manifest_path)?;
        let vocabulary = Vocabulary::from_tokens(manifest.tokenizer.vocabulary.clone())
            .map_err(|e| invalid(&manifest_path, e.to_string()))?;
        let tokenizer = Tokenizer::new(manifest.tokenizer.config.clone(), vocabulary);

        let weights_path = dir.join(&manifest.weights.file);
        if !weights_path.is_file() {
            return Err(ArtifactError::MissingFile(weights_path));
        }
        let actual = sha256_file(&weights_path).map_err(io_error(&weights_path))?;
        if actual != manifest.weights.sha256 {
            return Err(ArtifactError::WeightsChecksum {
                path: weights_path,
                expected: manifest.weights.sha256.clone(),
                actual,
            });
        }
        let tensors =
            Tensor::read_safetensors(&weights_path).map_err(|e| ArtifactError::CorruptWeights {
                path: weights_path.clone(),
                message: e.to_string(),
            })?;

        let mut var_store = VarStore::new(Device::Cpu);
        let mut classifier = Classifier::new(&var_store.root(), &manifest.architecture);
        copy_weights(&mut var_store, tensors, &weights_path)?;
        let asked = manifest.architecture.lstm_precision;
        if asked != LstmPrecision::Float32 {
            let computed = classifier.compute_lstm_in(asked, &var_store);
            if computed != asked {
                tracing::warn!(
                    model = %dir.display(),
                    asked = %asked,
                    "this CPU has no native {asked} kernels: the LSTM computes in float32"
                );
            }
            manifest.architecture.lstm_precision = computed;
        }
        Ok(Self {
            manifest,
            tokenizer,
            classifier,
            var_store,
        })
    }

    /// Writes weights, then the manifest (with the weights' checksum), then the card. The
    /// manifest's `weights` field is filled in here.
    pub fn save(
        dir: &Path,
        manifest: &mut Manifest,
        var_store: &VarStore,
        card: &str,
    ) -> Result<(), ArtifactError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let weights_path = dir.join(WEIGHTS_FILE);
        var_store
            .save(&weights_path)
            .map_err(|e| ArtifactError::Write {
                path: weights_path.clone(),
                message: e.to_string(),
            })?;
        manifest.weights = WeightsInfo {
            file: WEIGHTS_FILE.to_string(),
            sha256: sha256_file(&weights_path).map_err(io_error(&weights_path))?,
            parameters: parameter_count(var_store),
        };
        let manifest_path = dir.join(MANIFEST_FILE);
        let json = serde_json::to_string_pretty(manifest).expect("manifest serializes");
        std::fs::write(&manifest_path, json + "\n").map_err(io_error(&manifest_path))?;
        let card_path = dir.join(CARD_FILE);
        std::fs::write(&card_path, card).map_err(io_error(&card_path))?;
        Ok(())
    }
}

/// The name a model directory's `model.json` gives, read without loading (or checking) the
/// weights: a repository's models are named before any of them loads.
pub fn read_name(dir: &Path) -> Result<String, ArtifactError> {
    if !dir.is_dir() {
        return Err(ArtifactError::MissingDirectory(dir.to_path_buf()));
    }
    let path = dir.join(MANIFEST_FILE);
    if !path.is_file() {
        return Err(ArtifactError::MissingFile(path));
    }
    let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(&path, e.to_string()))?;
    value
        .get("name")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| invalid(&path, "name is missing or not a string"))
}

pub fn parameter_count(var_store: &VarStore) -> i64 {
    var_store
        .variables()
        .values()
        .map(Tensor::numel)
        .sum::<usize>() as i64
}

fn read_manifest(path: &Path) -> Result<Manifest, ArtifactError> {
    if !path.is_file() {
        return Err(ArtifactError::MissingFile(path.to_path_buf()));
    }
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(path, e.to_string()))?;
    // Checked before the full parse so a future format gets a clear message, not a missing field.
    let found = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| invalid(path, "format_version is missing or not a number"))?;
    if found != u64::from(FORMAT_VERSION) {
        return Err(ArtifactError::UnknownFormatVersion {
            path: path.to_path_buf(),
            found: found.try_into().unwrap_or(u32::MAX),
        });
    }
    if value.get("format").is_some() {
        return Err(ArtifactError::NotNative {
            model: path.display().to_string(),
            what: "reading it as a native model",
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| invalid(path, e.to_string()))?;
    validate_manifest(path, &manifest)?;
    Ok(manifest)
}

fn validate_manifest(path: &Path, m: &Manifest) -> Result<(), ArtifactError> {
    let a = &m.architecture;
    if m.labels.len() < 2 {
        return Err(invalid(path, "a classifier needs at least two labels"));
    }
    let unique: HashSet<&String> = m.labels.iter().collect();
    if unique.len() != m.labels.len() {
        return Err(invalid(path, "labels must be unique"));
    }
    if a.num_labels != m.labels.len() as i64 {
        return Err(invalid(
            path,
            format!(
                "architecture.num_labels is {} but {} labels are listed",
                a.num_labels,
                m.labels.len()
            ),
        ));
    }
    if a.vocab_size != m.tokenizer.vocabulary.len() as i64 {
        return Err(invalid(
            path,
            format!(
                "vocabulary has {} tokens but the embedding (architecture.vocab_size) has {} rows",
                m.tokenizer.vocabulary.len(),
                a.vocab_size
            ),
        ));
    }
    if let Err(e) = a.validate() {
        return Err(invalid(
            path,
            format!("architecture.{} {}", e.field, e.problem),
        ));
    }
    let tokenizer = &m.tokenizer.config;
    if tokenizer.max_length == 0 {
        return Err(invalid(path, "tokenizer max_length must be positive"));
    }
    // Settings that would load but compute nothing: the asserted column would be all zeros,
    // the downtoners never set apart, while the card and the metadata said otherwise.
    if a.network.asserted_evidence && !tokenizer.scope_marks {
        return Err(invalid(
            path,
            "architecture.asserted_evidence reads negated n-grams, which only tokenizer.scope_marks sets apart",
        ));
    }
    if tokenizer.downtoners && !tokenizer.degree_adverbs {
        return Err(invalid(
            path,
            "tokenizer.downtoners sets apart some of the degree adverbs tokenizer.degree_adverbs folds",
        ));
    }
    Ok(())
}

fn copy_weights(
    var_store: &mut VarStore,
    tensors: Vec<(String, Tensor)>,
    path: &Path,
) -> Result<(), ArtifactError> {
    let mut variables = var_store.variables();
    for (name, source) in tensors {
        let Some(mut target) = variables.remove(&name) else {
            return Err(ArtifactError::UnexpectedTensor {
                path: path.to_path_buf(),
                tensor: name,
            });
        };
        if source.size() != target.size() {
            return Err(ArtifactError::ShapeMismatch {
                path: path.to_path_buf(),
                tensor: name,
                expected: target.size(),
                found: source.size(),
            });
        }
        tch::no_grad(|| target.f_copy_(&source)).map_err(|e| ArtifactError::CorruptWeights {
            path: path.to_path_buf(),
            message: format!("{name}: {e}"),
        })?;
    }
    if let Some(name) = variables.into_keys().min() {
        return Err(ArtifactError::MissingTensor {
            path: path.to_path_buf(),
            tensor: name,
        });
    }
    Ok(())
}
