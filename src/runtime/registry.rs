//! The models a server serves, by name.
//!
//! Each version of each model runs on inference workers of its own, with its own bounded queue,
//! so a flood of texts for one model fills only that model's queue (429 there); the passes of
//! all models share the cores through one fair gate (`fairness.rs`). A reload starts the new
//! version's workers beside the serving ones and swaps it in only once it has loaded and
//! answered a warm-up pass; requests that already hold the old version finish on it, and its
//! workers end when the last of them lets go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tokio::sync::oneshot;
use utoipa::ToSchema;

use super::ServedModel;
use super::fairness::PassGate;
use super::inference::{BatcherConfig, InferenceHandle};
use super::rollout::{
    CanarySetting, Rollout, ShadowHost, ShadowQueue, ShadowSetting, ShadowTarget,
};
use crate::config::{DEFAULT_MODEL_DIR, ReadyRequires, ServeConfig};
use crate::model::Model;
use crate::model::artifact::read_name;

/// Loads a model directory; runs on each inference worker's thread.
pub type Loader = Arc<dyn Fn(&Path) -> anyhow::Result<Model> + Send + Sync>;

/// Decides whether a model directory may be loaded at all (e.g. its signature); runs once per
/// load or reload, before any worker reads it. Returns where the workers load from: the
/// directory itself, or a copy of exactly what was checked, which the registry removes once
/// the workers have read it.
pub type Admission = Arc<dyn Fn(&Path) -> anyhow::Result<Admitted> + Send + Sync>;

/// Where an admitted model is read from.
pub enum Admitted {
    /// The model's own directory.
    InPlace,
    /// A private copy of the checked files, removed after loading.
    Snapshot(PathBuf),
}

/// Longest model name the management routes accept.
pub const MAX_NAME_BYTES: usize = 128;

/// One loaded version of a model and the workers that compute it.
pub struct ModelVersion {
    pub served: ServedModel,
    pub inference: InferenceHandle,
}

impl Drop for ModelVersion {
    /// The last holder is gone (the registry swapped this version out and every request on it
    /// has been answered): its workers finish what is queued and end, freeing the model.
    fn drop(&mut self) {
        self.inference.close();
    }
}

/// How each version's inference workers are set up.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    pub batcher: BatcherConfig,
    pub workers: std::num::NonZeroUsize,
    pub threads: std::num::NonZeroUsize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelState {
    /// The first load is in progress; nothing is served yet.
    Loading,
    /// A version is served (a reload may be in progress beside it).
    Ready,
    /// No version is served: the last load failed (see `error`).
    Failed,
}

/// What `GET /v1/models` says of one model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelStatus {
    pub name: String,
    /// The version served, once one is.
    pub version: Option<String>,
    pub labels: Option<Vec<String>>,
    pub state: ModelState,
    /// A reload is loading a new version beside the served one.
    pub reloading: bool,
    /// Why the last load or reload failed, until one succeeds.
    pub error: Option<String>,
    /// Served by /v1/predict and the other routes without a model name.
    pub default: bool,
    /// A candidate that also computes a sample of this model's texts, unseen by clients.
    pub shadow: Option<ShadowSetting>,
    /// A candidate that answers a share of this model's prediction requests.
    pub canary: Option<CanarySetting>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("no model named {0:?}; see GET /v1/models")]
    Unknown(String),
    #[error("model {name:?} is known but not served: {reason}")]
    NotServed { name: String, reason: String },
    #[error("model {0:?}: an inference worker has stopped")]
    Stopped(String),
    #[error("{0}")]
    InvalidName(String),
    #[error(
        "{}: model.json names the model {found:?}, not {expected:?}; nothing was changed",
        directory.display()
    )]
    NameMismatch {
        directory: PathBuf,
        expected: String,
        found: String,
    },
    #[error("model {0:?} is already loaded; POST /v1/models/{0}/reload loads its directory again")]
    AlreadyLoaded(String),
    #[error("{0:?} is the default model (--default-model) and cannot be unloaded")]
    DefaultModel(String),
    #[error("this server has no model repository (--model-repository): nothing to load from")]
    NoRepository,
    #[error("no directory of the model repository holds a model named {0:?}")]
    NotInRepository(String),
    #[error("{0}")]
    LoadFailed(String),
    #[error("{0}")]
    InvalidRollout(String),
    #[error(
        "{name:?} is the {role} candidate of {of:?}: remove it there first \
         (DELETE /v1/models/{of}/{role})"
    )]
    RolloutCandidate {
        name: String,
        of: String,
        role: &'static str,
    },
}

/// Model names as the management routes take them: they may become a directory search, so
/// nothing that could name another path gets that far.
pub fn check_name(name: &str) -> Result<(), RegistryError> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_NAME_BYTES {
        Some("is longer than 128 bytes")
    } else if name == "." || name == ".." {
        Some("is a path")
    } else if name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        Some("holds a slash, backslash or control character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(RegistryError::InvalidName(format!(
            "the model name {problem}; names are what model.json gives"
        ))),
        None => Ok(()),
    }
}

#[derive(Default)]
struct Slot {
    current: Option<Arc<ModelVersion>>,
    loading: bool,
    error: Option<String>,
}

/// A model's shadow and canary, as shown and as the request path uses them, under one lock.
#[derive(Default)]
struct RolloutState {
    settings: Rollout,
    /// `settings.shadow` with its metric handles.
    shadow: Option<Arc<ShadowTarget>>,
}

struct Entry {
    name: String,
    directory: PathBuf,
    slot: Mutex<Slot>,
    rollout: Mutex<RolloutState>,
    /// One load or reload of a model at a time; a second waits for the first.
    one_load: tokio::sync::Mutex<()>,
}

impl Entry {
    fn new(name: String, directory: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            name,
            directory,
            slot: Mutex::new(Slot {
                loading: true,
                ..Slot::default()
            }),
            one_load: tokio::sync::Mutex::new(()),
            rollout: Mutex::new(RolloutState::default()),
        })
    }

    fn rollout(&self) -> std::sync::MutexGuard<'_, RolloutState> {
        self.rollout.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn current(&self) -> Option<Arc<ModelVersion>> {
        self.slot().current.clone()
    }
}

pub struct Registry {
    entries: RwLock<BTreeMap<String, Arc<Entry>>>,
    default_model: String,
    repository: Option<PathBuf>,
    workers: WorkerConfig,
    loader: Loader,
    admission: Option<Admission>,
    ready_requires: ReadyRequires,
    /// Workers of replaced versions, joined at shutdown so none outlives the process's libtorch.
    retired: Mutex<Vec<InferenceHandle>>,
    /// One for every model and version: their passes share the cores fairly.
    gate: Arc<PassGate>,
    /// Where shadow work goes, once `start_shadowing` has run.
    shadows: std::sync::OnceLock<ShadowQueue>,
    /// See `rollout_changes`.
    rollout_changes: Mutex<()>,
}

impl ShadowHost for Registry {
    fn busy(&self, model: &str) -> bool {
        !self.has_spare_core()
            || self
                .get(Some(model))
                .is_ok_and(|answering| answering.inference.queue_depth() > 0)
    }

    fn candidate(&self, name: &str) -> Option<(InferenceHandle, ServedModel)> {
        self.get(Some(name))
            .ok()
            .map(|version| (version.inference.clone(), version.served.clone()))
    }
}

/// Whether two versions answer with the same labels (in any order).
fn same_labels(a: &ServedModel, b: &ServedModel) -> bool {
    let (a, b) = (&a.details.labels, &b.details.labels);
    a.len() == b.len() && a.iter().all(|label| b.contains(label))
}

/// The model directories a configuration names, by model name, and the default model's name.
/// Two directories naming one model is an error naming both.
pub fn discover(config: &ServeConfig) -> anyhow::Result<(BTreeMap<String, PathBuf>, String)> {
    let single = match (&config.model, &config.model_repository) {
        (Some(dir), _) => Some(dir.clone()),
        (None, None) => Some(PathBuf::from(DEFAULT_MODEL_DIR)),
        (None, Some(_)) => None,
    };
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut add = |dir: PathBuf, name: String| -> anyhow::Result<()> {
        if let Some(other) = found.get(&name) {
            anyhow::bail!(
                "two model directories name the model {name:?}: {} and {}",
                other.display(),
                dir.display()
            );
        }
        found.insert(name, dir);
        Ok(())
    };
    let single_name = match &single {
        Some(dir) => {
            let name = read_name(dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot load the model (pass --model DIR or set TEXTSERVE_MODEL): {e}"
                )
            })?;
            add(dir.clone(), name.clone())?;
            Some(name)
        }
        None => None,
    };
    if let Some(repository) = &config.model_repository {
        for (dir, name) in repository_models(repository)? {
            add(dir, name)?;
        }
    }
    let default_model = match (&config.default_model, single_name) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) => name,
        (None, None) if found.len() == 1 => found.keys().next().cloned().unwrap_or_default(),
        (None, None) => anyhow::bail!(
            "the model repository holds {} models ({}): choose the one /v1/predict serves with \
             --default-model",
            found.len(),
            found.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    anyhow::ensure!(
        found.contains_key(&default_model),
        "--default-model {default_model:?} is not among the models found: {}",
        found.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    Ok((found, default_model))
}

/// Every subdirectory of `repository` that holds a model.json, with the name it gives, in
/// directory order; other entries are skipped (a repository may hold notes or scratch space).
fn repository_models(repository: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let entries = std::fs::read_dir(repository)
        .map_err(|e| anyhow::anyhow!("{}: model repository: {e}", repository.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join(crate::model::artifact::MANIFEST_FILE).is_file())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = read_name(&dir).map_err(anyhow::Error::from)?;
            Ok((dir, name))
        })
        .collect()
}

impl Registry {
    pub fn new(
        models: BTreeMap<String, PathBuf>,
        default_model: String,
        config: &ServeConfig,
        workers: WorkerConfig,
        loader: Loader,
    ) -> Self {
        let entries = models
            .into_iter()
            .map(|(name, dir)| (name.clone(), Entry::new(name, dir)))
            .collect();
        Self {
            entries: RwLock::new(entries),
            default_model,
            repository: config.model_repository.clone(),
            workers,
            loader,
            admission: None,
            ready_requires: config.ready_requires,
            retired: Mutex::new(Vec::new()),
            gate: PassGate::new(workers.workers),
            shadows: std::sync::OnceLock::new(),
            rollout_changes: Mutex::new(()),
        }
    }

    /// Starts the task that computes shadow work: at most `queue_limit` texts wait for it,
    /// and a text not compared within `timeout` is dropped.
    pub fn start_shadowing(self: &Arc<Self>, queue_limit: usize, timeout: std::time::Duration) {
        self.shadows.get_or_init(|| {
            let registry: std::sync::Weak<Registry> = Arc::downgrade(self);
            let host: std::sync::Weak<dyn ShadowHost> = registry;
            ShadowQueue::start(host, queue_limit, timeout)
        });
    }

    /// Every load and reload must pass `admission` first; a refusal is a failed load.
    pub fn with_admission(mut self, admission: Option<Admission>) -> Self {
        self.admission = admission;
        self
    }

    pub fn default_name(&self) -> &str {
        &self.default_model
    }

    fn entries(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Entry>>> {
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn entry(&self, name: &str) -> Result<Arc<Entry>, RegistryError> {
        self.entries()
            .get(name)
            .cloned()
            .ok_or_else(|| RegistryError::Unknown(name.to_string()))
    }

    /// The version of `name` (the default model if `None`) serving now.
    pub fn get(&self, name: Option<&str>) -> Result<Arc<ModelVersion>, RegistryError> {
        let name = name.unwrap_or(&self.default_model);
        let entry = self.entry(name)?;
        let slot = entry.slot();
        match (&slot.current, &slot.error) {
            (Some(version), _) => Ok(Arc::clone(version)),
            (None, Some(error)) => Err(RegistryError::NotServed {
                name: name.to_string(),
                reason: format!("its load failed: {error}"),
            }),
            (None, None) => Err(RegistryError::NotServed {
                name: name.to_string(),
                reason: "it is loading".into(),
            }),
        }
    }

    pub fn statuses(&self) -> Vec<ModelStatus> {
        self.entries()
            .values()
            .map(|entry| self.status_of(entry))
            .collect()
    }

    /// What `GET /v1/models` says of `name`.
    pub fn status(&self, name: &str) -> Result<ModelStatus, RegistryError> {
        self.entry(name).map(|entry| self.status_of(&entry))
    }

    fn status_of(&self, entry: &Entry) -> ModelStatus {
        let Rollout { shadow, canary } = entry.rollout().settings.clone();
        let slot = entry.slot();
        let details = slot.current.as_ref().map(|v| &v.served.details);
        ModelStatus {
            name: entry.name.clone(),
            version: details.map(|d| d.version.clone()),
            labels: details.map(|d| d.labels.clone()),
            state: match (&slot.current, slot.loading) {
                (Some(_), _) => ModelState::Ready,
                (None, true) => ModelState::Loading,
                (None, false) => ModelState::Failed,
            },
            reloading: slot.current.is_some() && slot.loading,
            error: slot.error.clone(),
            default: entry.name == self.default_model,
            shadow,
            canary,
        }
    }

    /// The version that answers a prediction request for `name` (the default model if
    /// `None`) with this routing key: the canary's candidate for its share of keys while it
    /// is served with the same labels, the model itself otherwise.
    pub fn answering(
        &self,
        name: Option<&str>,
        key: &[u8],
    ) -> Result<Arc<ModelVersion>, RegistryError> {
        let name = name.unwrap_or(&self.default_model);
        let model = self.get(Some(name))?;
        let canary = self.entry(name)?.rollout().settings.canary.clone();
        let Some(canary) = canary.filter(|canary| canary.takes(key)) else {
            return Ok(model);
        };
        match self.get(Some(&canary.candidate)) {
            Ok(candidate)
                if candidate.inference.is_alive()
                    && same_labels(&candidate.served, &model.served) =>
            {
                Ok(candidate)
            }
            _ => {
                metrics::counter!("textserve_canary_fallbacks_total", "model" => name.to_string(), "candidate" => canary.candidate)
                    .increment(1);
                Ok(model)
            }
        }
    }

    /// Hands a sample of what `answered` answered to its shadow, if it has one; never waits.
    pub fn offer_shadow(
        &self,
        answered: &ModelVersion,
        key: &[u8],
        texts: &[String],
        answers: &[crate::views::LabelScores],
    ) {
        let name = &answered.served.details.name;
        let Some(queue) = self.shadows.get() else {
            return;
        };
        let Ok(entry) = self.entry(name) else {
            return;
        };
        let shadow = entry.rollout().shadow.clone();
        if let Some(target) = shadow.filter(|target| target.setting.samples(key)) {
            // Under load no core is spare: the work is dropped here, before its texts are
            // copied, so a busy server pays one look at the gate per request for its shadow.
            queue.offer_with(
                &target,
                texts,
                || answers.iter().map(|a| a.probabilities.clone()).collect(),
                || self.has_spare_core(),
            );
        }
    }

    /// Whether a forward pass could start now without keeping any answering pass waiting.
    pub fn has_spare_core(&self) -> bool {
        self.gate.has_spare()
    }

    /// Sets or removes `name`'s shadow. With `strict`, both models must be served and have
    /// the same labels (the API's check); at start their loads are still under way, so only
    /// the names are checked, and a candidate that turns out unfit is counted as dropped work.
    pub fn set_shadow(
        &self,
        name: &str,
        setting: Option<ShadowSetting>,
        strict: bool,
    ) -> Result<(), RegistryError> {
        let _one_change = self.rollout_changes();
        let entry = self.entry(name)?;
        if let Some(setting) = &setting {
            setting.check().map_err(RegistryError::InvalidRollout)?;
            self.check_candidate(name, &setting.candidate, strict)?;
        }
        let target = setting
            .clone()
            .map(|setting| Arc::new(ShadowTarget::new(name, setting)));
        let mut rollout = entry.rollout();
        rollout.shadow = target;
        rollout.settings.shadow = setting;
        Ok(())
    }

    /// Sets or removes `name`'s canary; `strict` as for [`Self::set_shadow`].
    pub fn set_canary(
        &self,
        name: &str,
        setting: Option<CanarySetting>,
        strict: bool,
    ) -> Result<(), RegistryError> {
        let _one_change = self.rollout_changes();
        let entry = self.entry(name)?;
        if let Some(setting) = &setting {
            setting.check().map_err(RegistryError::InvalidRollout)?;
            self.check_candidate(name, &setting.candidate, strict)?;
        }
        entry.rollout().settings.canary = setting;
        Ok(())
    }

    /// Held while a shadow or canary is set and while a model is unloaded, so a candidate
    /// cannot be unloaded between the check that it is served and the setting that names it.
    fn rollout_changes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.rollout_changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn check_candidate(
        &self,
        name: &str,
        candidate: &str,
        strict: bool,
    ) -> Result<(), RegistryError> {
        if candidate == name {
            return Err(RegistryError::InvalidRollout(format!(
                "{name:?} cannot be its own candidate"
            )));
        }
        self.entry(candidate)?;
        if strict {
            let (model, candidate_version) = (self.get(Some(name))?, self.get(Some(candidate))?);
            if !same_labels(&model.served, &candidate_version.served) {
                return Err(RegistryError::InvalidRollout(format!(
                    "{candidate:?} has the labels {:?}, {name:?} has {:?}: a candidate must \
                     answer with the same labels",
                    candidate_version.served.details.labels, model.served.details.labels
                )));
            }
        }
        Ok(())
    }

    /// Whether `/health/ready` may say 200 (the server's own shutdown aside).
    pub fn is_ready(&self) -> Result<(), RegistryError> {
        let serving = |name: &str| {
            let version = self.get(Some(name))?;
            if version.inference.is_alive() {
                Ok(())
            } else {
                Err(RegistryError::Stopped(name.to_string()))
            }
        };
        match self.ready_requires {
            ReadyRequires::Default => serving(&self.default_model),
            ReadyRequires::All => {
                let names: Vec<String> = self.entries().keys().cloned().collect();
                names.iter().try_for_each(|name| serving(name))
            }
        }
    }

    /// Every worker of every version still alive; a dead one means 503, not a hung request.
    pub fn versions(&self) -> Vec<Arc<ModelVersion>> {
        self.entries()
            .values()
            .filter_map(|entry| entry.current())
            .collect()
    }

    /// Loads every model for the first time, concurrently. Resolves with the default model's
    /// outcome once it is known; the others go on loading (and report in `statuses`).
    pub async fn load_all(self: &Arc<Self>) -> Result<(), RegistryError> {
        let entries: Vec<Arc<Entry>> = self.entries().values().cloned().collect();
        let mut default_outcome = None;
        for entry in entries {
            let is_default = entry.name == self.default_model;
            let registry = Arc::clone(self);
            let task = tokio::spawn(async move { registry.load_into(&entry, false).await });
            if is_default {
                default_outcome = Some(task);
            }
        }
        match default_outcome {
            Some(task) => task
                .await
                .unwrap_or_else(|e| Err(RegistryError::LoadFailed(e.to_string())))
                .map(drop),
            None => Err(RegistryError::Unknown(self.default_model.clone())),
        }
    }

    /// Loads `name`'s directory again and swaps the new version in; the served one stays on
    /// any failure.
    pub async fn reload(self: &Arc<Self>, name: &str) -> Result<Arc<ModelVersion>, RegistryError> {
        let entry = self.entry(name)?;
        // Checked under the model's one-load lock, so recording a failure here cannot clear
        // the `loading` flag of a load in progress.
        let _one_at_a_time = entry.one_load.lock().await;
        let found = read_name(&entry.directory).map_err(|e| {
            self.count_reload(&entry.name, "failed");
            self.failed(&entry, e.to_string())
        })?;
        if found != entry.name {
            let error = RegistryError::NameMismatch {
                directory: entry.directory.clone(),
                expected: entry.name.clone(),
                found,
            };
            self.count_reload(&entry.name, "refused");
            return Err(error);
        }
        self.load_locked(&entry, true).await
    }

    /// Reloads every model, one after another (SIGHUP); failures are logged and counted.
    /// Reloads every model, one after another; returns each model's new version or why it
    /// stayed.
    pub async fn reload_all(self: &Arc<Self>) -> Vec<(String, Result<String, RegistryError>)> {
        let names: Vec<String> = self.entries().keys().cloned().collect();
        let mut outcomes = Vec::with_capacity(names.len());
        for name in names {
            let outcome = match self.reload(&name).await {
                Ok(version) => {
                    tracing::info!(model = %name, version = %version.served.details.version, "reloaded");
                    Ok(version.served.details.version.clone())
                }
                Err(error) => {
                    tracing::error!(model = %name, %error, "reload failed; the served version stays");
                    Err(error)
                }
            };
            outcomes.push((name, outcome));
        }
        outcomes
    }

    /// Adds a model of the repository by the name its model.json gives, and loads it.
    pub async fn load(self: &Arc<Self>, name: &str) -> Result<Arc<ModelVersion>, RegistryError> {
        check_name(name)?;
        let repository = self.repository.clone().ok_or(RegistryError::NoRepository)?;
        if let Ok(entry) = self.entry(name) {
            let failed = {
                let slot = entry.slot();
                slot.current.is_none() && !slot.loading
            };
            // A model whose load failed may be tried again; anything else is there already.
            if !failed {
                return Err(RegistryError::AlreadyLoaded(name.to_string()));
            }
            return self.load_into(&entry, true).await;
        }
        let wanted = name.to_string();
        let directory = tokio::task::spawn_blocking(move || {
            repository_models(&repository).map(|models| {
                models
                    .into_iter()
                    .find(|(_, found)| *found == wanted)
                    .map(|(dir, _)| dir)
            })
        })
        .await
        .map_err(|e| RegistryError::LoadFailed(e.to_string()))?
        .map_err(|e| RegistryError::LoadFailed(format!("{e:#}")))?
        .ok_or_else(|| RegistryError::NotInRepository(name.to_string()))?;
        let entry = {
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            if entries.contains_key(name) {
                return Err(RegistryError::AlreadyLoaded(name.to_string()));
            }
            let entry = Entry::new(name.to_string(), directory);
            entries.insert(name.to_string(), Arc::clone(&entry));
            entry
        };
        self.load_into(&entry, true).await
    }

    /// Stops serving a model; requests already accepted by it finish first.
    pub fn unload(&self, name: &str) -> Result<(), RegistryError> {
        let _one_change = self.rollout_changes();
        if name == self.default_model {
            self.entry(name)?;
            return Err(RegistryError::DefaultModel(name.to_string()));
        }
        for entry in self.entries().values() {
            let rollout = &entry.rollout().settings;
            let role = if rollout.shadow.as_ref().is_some_and(|s| s.candidate == name) {
                "shadow"
            } else if rollout.canary.as_ref().is_some_and(|c| c.candidate == name) {
                "canary"
            } else {
                continue;
            };
            return Err(RegistryError::RolloutCandidate {
                name: name.to_string(),
                of: entry.name.clone(),
                role,
            });
        }
        let removed = self
            .entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
            .ok_or_else(|| RegistryError::Unknown(name.to_string()))?;
        if let Some(version) = removed.slot().current.take() {
            let served = version.served.details.version.clone();
            metrics::gauge!("textserve_model_info", "name" => name.to_string(), "version" => served)
                .set(0.0);
            self.retire(version);
        }
        metrics::gauge!("textserve_model_ready", "model" => name.to_string()).set(0.0);
        tracing::info!(model = %name, "unloaded");
        Ok(())
    }

    /// Closes every version's queue and waits for their workers to end.
    pub fn shut_down(&self) {
        let mut handles: Vec<InferenceHandle> = self
            .versions()
            .iter()
            .map(|version| version.inference.clone())
            .collect();
        handles.extend(std::mem::take(
            &mut *self.retired.lock().unwrap_or_else(|e| e.into_inner()),
        ));
        for handle in handles {
            handle.shut_down();
        }
    }

    /// Records a failure of `entry`'s load or reload and builds its error.
    fn failed(&self, entry: &Entry, error: String) -> RegistryError {
        let mut slot = entry.slot();
        slot.loading = false;
        slot.error = Some(error.clone());
        RegistryError::LoadFailed(error)
    }

    fn count_reload(&self, model: &str, result: &'static str) {
        metrics::counter!("textserve_model_reloads_total", "model" => model.to_string(), "result" => result)
            .increment(1);
    }

    fn retire(&self, version: Arc<ModelVersion>) {
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        retired.retain(|handle| !handle.has_ended());
        retired.push(version.inference.clone());
    }

    /// Starts a version's workers on `entry`'s directory, waits until it is loaded and warm,
    /// and swaps it in. Loads asked for over the API or by SIGHUP are `counted` in
    /// `textserve_model_reloads_total`; the first load at start is not.
    async fn load_into(
        &self,
        entry: &Arc<Entry>,
        counted: bool,
    ) -> Result<Arc<ModelVersion>, RegistryError> {
        let _one_at_a_time = entry.one_load.lock().await;
        self.load_locked(entry, counted).await
    }

    /// `load_into` for a caller that already holds `entry.one_load`.
    async fn load_locked(
        &self,
        entry: &Arc<Entry>,
        counted: bool,
    ) -> Result<Arc<ModelVersion>, RegistryError> {
        entry.slot().loading = true;
        let outcome = self.start_version(entry).await;
        let result = match outcome {
            Ok(version) => {
                let version = Arc::new(version);
                let old = {
                    let mut slot = entry.slot();
                    slot.loading = false;
                    slot.error = None;
                    slot.current.replace(Arc::clone(&version))
                };
                let details = &version.served.details;
                metrics::gauge!("textserve_model_ready", "model" => entry.name.clone()).set(1.0);
                if let Some(old) = old {
                    let previous = old.served.details.version.clone();
                    metrics::gauge!("textserve_model_info", "name" => entry.name.clone(), "version" => previous.clone()).set(0.0);
                    tracing::info!(model = %entry.name, from = %previous, to = %details.version, "new version swapped in");
                    self.retire(old);
                } else {
                    tracing::info!(model = %entry.name, version = %details.version, "model loaded and warm; ready");
                }
                metrics::gauge!("textserve_model_info", "name" => entry.name.clone(), "version" => details.version.clone()).set(1.0);
                Ok(version)
            }
            Err(error) => {
                tracing::error!(model = %entry.name, %error, "model load failed");
                Err(self.failed(entry, format!("{error:#}")))
            }
        };
        if counted {
            self.count_reload(&entry.name, if result.is_ok() { "ok" } else { "failed" });
        }
        result
    }

    async fn start_version(&self, entry: &Entry) -> anyhow::Result<ModelVersion> {
        let admitted = match &self.admission {
            None => Admitted::InPlace,
            Some(admission) => {
                let (admission, directory) = (Arc::clone(admission), entry.directory.clone());
                tokio::task::spawn_blocking(move || admission(&directory))
                    .await
                    .map_err(|e| anyhow::anyhow!("the admission check ended: {e}"))??
            }
        };
        let directory = match &admitted {
            Admitted::InPlace => entry.directory.clone(),
            Admitted::Snapshot(copy) => copy.clone(),
        };
        let started = self.spawn_version(entry, directory).await;
        if let Admitted::Snapshot(copy) = admitted {
            let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(copy)).await;
        }
        started
    }

    async fn spawn_version(
        &self,
        entry: &Entry,
        directory: PathBuf,
    ) -> anyhow::Result<ModelVersion> {
        let (loaded_tx, loaded) = oneshot::channel();
        let loader = Arc::clone(&self.loader);
        let expected = entry.name.clone();
        let threads = self.workers.threads;
        let inference = InferenceHandle::spawn(
            self.workers.batcher,
            self.workers.workers,
            (Arc::clone(&self.gate), Arc::from(entry.name.as_str())),
            move || {
                crate::model::set_torch_threads(threads);
                let model = loader(&directory)?;
                let found = model.name();
                anyhow::ensure!(
                    found == expected,
                    "{}: model.json now names the model {found:?}, not {expected:?}",
                    directory.display()
                );
                // One forward before serving, so the first client does not pay for
                // libtorch's lazy initialisation.
                let warm_up = model.tokenizer().encode("").ids;
                model.try_forward_probabilities(&[&warm_up])?;
                let served = ServedModel::from_model(&model);
                Ok((model, served))
            },
            loaded_tx,
        );
        match loaded.await {
            Ok(Ok(served)) => Ok(ModelVersion { served, inference }),
            Ok(Err(error)) => {
                inference.close();
                Err(error)
            }
            Err(_) => {
                inference.close();
                anyhow::bail!("the inference thread ended while loading the model")
            }
        }
    }
}
