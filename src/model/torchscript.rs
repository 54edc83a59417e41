//! Models trained elsewhere: a TorchScript module and the Hugging Face `tokenizer.json` it was
//! trained with, described by a `model.json` of their own format.
//!
//! ```text
//! models/NAME/
//!   model.json       "format": "torchscript": labels, max length, the module's inputs and output,
//!                    each file's sha256, what `textserve import` checked
//!   model.pt         TorchScript (loaded by libtorch's own loader; never Python pickle)
//!   tokenizer.json   Hugging Face tokenizers
//!   MODEL_CARD.md
//! ```
//!
//! TorchScript runs the module's own graph, so such a model is only ever loaded from a
//! directory an operator put there (the command line, or the repository an admin key manages);
//! every file's checksum is verified at each load and reload.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::{CModule, Device, IValue, Kind, Tensor};

use super::artifact::{ArtifactError, FORMAT_VERSION, MANIFEST_FILE};
use crate::data::sha256_file;
use crate::text::ForeignTokenizer;

pub const FORMAT: &str = "torchscript";
pub const MODULE_FILE: &str = "model.pt";
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// `model.json` of a TorchScript model.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptManifest {
    pub format_version: u32,
    /// Always `torchscript`; textserve's own models have no `format` field.
    pub format: String,
    pub name: String,
    pub version: String,
    pub created_at: String,
    pub labels: Vec<String>,
    /// Ids per text, special tokens included; longer texts are cut.
    pub max_length: usize,
    /// The module's positional arguments, in order: `input_ids` first, then optionally
    /// `attention_mask` and `token_type_ids`, each int64 `[batch, seq]`.
    pub inputs: Vec<ScriptInput>,
    pub output: ScriptOutput,
    /// `model.pt` and `tokenizer.json` with the sha256 of each.
    pub files: BTreeMap<String, String>,
    pub parameters: i64,
    /// What `textserve import` checked before it wrote this file.
    pub import: ImportRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[clap(rename_all = "snake_case")]
pub enum ScriptInput {
    InputIds,
    AttentionMask,
    TokenTypeIds,
}

impl ScriptInput {
    pub fn name(self) -> &'static str {
        match self {
            Self::InputIds => "input_ids",
            Self::AttentionMask => "attention_mask",
            Self::TokenTypeIds => "token_type_ids",
        }
    }
}

/// What the module returns for each text: scores to be softmaxed, or probabilities already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[clap(rename_all = "snake_case")]
pub enum ScriptOutput {
    Logits,
    Probabilities,
}

impl std::fmt::Display for ScriptOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Logits => "logits",
            Self::Probabilities => "probabilities",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// The files as given to `textserve import`.
    pub torchscript: String,
    pub tokenizer: String,
    /// Probe texts run alone and together in one padded batch.
    pub probe_texts: usize,
    /// Largest difference of a probability between a text alone and the same text padded
    /// inside the batch (the import refuses above 1e-4).
    pub max_padding_difference: f64,
}

/// A loaded TorchScript model: the module, its tokenizer and how to call it.
#[derive(Debug)]
pub struct ScriptModel {
    pub manifest: ScriptManifest,
    pub tokenizer: ForeignTokenizer,
    module: CModule,
}

/// Why a forward pass of a TorchScript module gave no probabilities.
#[derive(Debug, thiserror::Error)]
#[error("the TorchScript module failed: {0}")]
pub struct ModuleFailed(pub String);

impl ScriptModel {
    /// Checks the manifest and every file's checksum, then loads the tokenizer and the module
    /// and runs one text through them, so a model that loads is one that answers.
    pub fn load(dir: &Path) -> Result<Self, ArtifactError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&manifest_path).map_err(|source| ArtifactError::Io {
            path: manifest_path.clone(),
            source,
        })?;
        let manifest: ScriptManifest =
            serde_json::from_str(&text).map_err(|e| invalid(&manifest_path, e.to_string()))?;
        validate(&manifest_path, &manifest)?;
        for (file, expected) in &manifest.files {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(ArtifactError::MissingFile(path));
            }
            let actual = sha256_file(&path).map_err(|source| ArtifactError::Io {
                path: path.clone(),
                source,
            })?;
            if &actual != expected {
                return Err(ArtifactError::WeightsChecksum {
                    path,
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        let tokenizer_path = dir.join(TOKENIZER_FILE);
        let tokenizer = ForeignTokenizer::from_file(&tokenizer_path, manifest.max_length)?;
        let module = load_module(&dir.join(MODULE_FILE))?;
        let model = Self {
            manifest,
            tokenizer,
            module,
        };
        let probe = model.tokenizer.encode("a").ids;
        model
            .probabilities(&[&probe])
            .map_err(|e| ArtifactError::Module {
                path: dir.join(MODULE_FILE),
                message: e.0,
            })?;
        Ok(model)
    }

    /// Assembles a model from parts already checked (by `import`, before it writes them).
    pub fn from_parts(
        manifest: ScriptManifest,
        tokenizer: ForeignTokenizer,
        module: CModule,
    ) -> Self {
        Self {
            manifest,
            tokenizer,
            module,
        }
    }

    /// Gives the module back (to try it with other arguments).
    pub fn into_module(self) -> CModule {
        self.module
    }

    pub fn num_labels(&self) -> usize {
        self.manifest.labels.len()
    }

    /// Probabilities per sequence, in order, from one padded forward pass.
    pub fn probabilities(&self, sequences: &[&[i64]]) -> Result<Vec<Vec<f32>>, ModuleFailed> {
        if sequences.is_empty() {
            return Ok(Vec::new());
        }
        let _in_flight = super::PassInFlight::start();
        let rows = sequences.len();
        let width = sequences.iter().map(|s| s.len()).max().unwrap_or(1).max(1);
        let pad = self.tokenizer.pad_id();
        let mut ids = vec![pad; rows * width];
        let mut mask = vec![0i64; rows * width];
        for (row, sequence) in sequences.iter().enumerate() {
            ids[row * width..row * width + sequence.len()].copy_from_slice(sequence);
            mask[row * width..row * width + sequence.len()].fill(1);
        }
        let shape = [rows as i64, width as i64];
        let arguments: Vec<Tensor> = self
            .manifest
            .inputs
            .iter()
            .map(|input| match input {
                ScriptInput::InputIds => Tensor::from_slice(&ids).view(shape),
                ScriptInput::AttentionMask => Tensor::from_slice(&mask).view(shape),
                ScriptInput::TokenTypeIds => Tensor::zeros(shape, (Kind::Int64, Device::Cpu)),
            })
            .collect();
        let arguments: Vec<IValue> = arguments.into_iter().map(IValue::Tensor).collect();
        let output = tch::no_grad(|| self.module.forward_is(&arguments))
            .map_err(|e| ModuleFailed(first_line(&e.to_string())))?;
        let scores = first_tensor(output).ok_or_else(|| {
            ModuleFailed("its output holds no tensor (expected [batch, labels])".into())
        })?;
        let expected = [rows as i64, self.num_labels() as i64];
        if scores.size() != expected {
            return Err(ModuleFailed(format!(
                "its output has shape {:?}, expected {expected:?} ([batch, labels] for {} labels)",
                scores.size(),
                self.num_labels()
            )));
        }
        let scores = scores.to_kind(Kind::Float);
        let probabilities = match self.manifest.output {
            ScriptOutput::Logits => scores.softmax(-1, Kind::Float),
            ScriptOutput::Probabilities => scores,
        };
        let flat = Vec::<f32>::try_from(probabilities.flatten(0, -1))
            .map_err(|e| ModuleFailed(e.to_string()))?;
        if flat.iter().any(|p| !p.is_finite()) {
            return Err(ModuleFailed("its output is not finite".into()));
        }
        Ok(flat
            .chunks(self.num_labels())
            .map(<[f32]>::to_vec)
            .collect())
    }
}

/// Loads TorchScript onto the CPU in eval mode.
pub fn load_module(path: &Path) -> Result<CModule, ArtifactError> {
    if !path.is_file() {
        return Err(ArtifactError::MissingFile(path.to_path_buf()));
    }
    let mut module =
        CModule::load_on_device(path, Device::Cpu).map_err(|e| ArtifactError::Module {
            path: path.to_path_buf(),
            message: format!("not a TorchScript module: {}", first_line(&e.to_string())),
        })?;
    module.set_eval();
    Ok(module)
}

/// Parameters the module holds (its buffers not counted).
pub fn parameter_count(module: &CModule) -> i64 {
    module
        .named_parameters()
        .map(|parameters| parameters.iter().map(|(_, t)| t.numel() as i64).sum())
        .unwrap_or(0)
}

/// A module may return its scores alone, first in a tuple or list (traced Hugging Face
/// models), or under `logits` in a dict.
fn first_tensor(value: IValue) -> Option<Tensor> {
    match value {
        IValue::Tensor(t) => Some(t),
        IValue::Tuple(items) | IValue::GenericList(items) => {
            items.into_iter().next().and_then(first_tensor)
        }
        IValue::TensorList(mut items) if !items.is_empty() => Some(items.remove(0)),
        IValue::GenericDict(entries) => entries
            .into_iter()
            .find(|(key, _)| matches!(key, IValue::String(k) if k == "logits"))
            .and_then(|(_, v)| first_tensor(v)),
        _ => None,
    }
}

/// libtorch's messages carry a C++ backtrace after the first line.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

fn invalid(path: &Path, message: impl Into<String>) -> ArtifactError {
    ArtifactError::InvalidManifest {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn validate(path: &Path, m: &ScriptManifest) -> Result<(), ArtifactError> {
    if m.format_version != FORMAT_VERSION {
        return Err(ArtifactError::UnknownFormatVersion {
            path: path.to_path_buf(),
            found: m.format_version,
        });
    }
    if m.format != FORMAT {
        return Err(invalid(path, format!("unknown format {:?}", m.format)));
    }
    check_labels(&m.labels).map_err(|e| invalid(path, e))?;
    if m.max_length == 0 {
        return Err(invalid(path, "max_length must be positive"));
    }
    check_inputs(&m.inputs).map_err(|e| invalid(path, e))?;
    for file in [MODULE_FILE, TOKENIZER_FILE] {
        if !m.files.contains_key(file) {
            return Err(invalid(
                path,
                format!("files must give the sha256 of {file}"),
            ));
        }
    }
    if let Some(other) = m
        .files
        .keys()
        .find(|f| *f != MODULE_FILE && *f != TOKENIZER_FILE)
    {
        return Err(invalid(
            path,
            format!("files names {other:?}, not a file of this format"),
        ));
    }
    Ok(())
}

pub fn check_labels(labels: &[String]) -> Result<(), String> {
    if labels.len() < 2 {
        return Err("a classifier needs at least two labels".into());
    }
    if labels.iter().any(|l| l.trim().is_empty()) {
        return Err("labels must not be empty".into());
    }
    let unique: std::collections::HashSet<&String> = labels.iter().collect();
    if unique.len() != labels.len() {
        return Err("labels must be unique".into());
    }
    Ok(())
}

pub fn check_inputs(inputs: &[ScriptInput]) -> Result<(), String> {
    if inputs.first() != Some(&ScriptInput::InputIds) {
        return Err("inputs must start with input_ids".into());
    }
    let unique: std::collections::HashSet<&ScriptInput> = inputs.iter().collect();
    if unique.len() != inputs.len() {
        return Err("inputs must not repeat".into());
    }
    Ok(())
}

/// Whether `dir`'s `model.json` declares a TorchScript model (read without loading anything).
pub fn is_torchscript(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|m| m.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
}
