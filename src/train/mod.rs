//! Training and evaluation: turns a dataset file into a model directory.

pub mod card;
mod extra;
mod pretrain;
mod suspects;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tch::nn::{self, OptimizerConfig, VarStore};
use tch::{Device, Tensor};

pub use crate::model::{ClassMetrics, Evaluation};

use crate::check::{self, Suite};
use crate::data::{self, Example, ReadOptions, SplitConfig};
use crate::model::artifact::{
    CheckSummary, EpochRecord, Hyperparameters, Manifest, Metrics, SplitSizes, StageOutcome,
    TokenizerSpec, TrainingRecord, WeightsInfo,
};
use crate::model::{
    Artifact, Batch, Classifier, Member, Model, ModelConfig, Network, NgramVocabulary, Wide,
    argmax, artifact::FORMAT_VERSION, member_path,
};
use crate::text::{Encoded, Tokenizer, TokenizerConfig};

/// Training examples left out by `--suspect-label-threshold`, written beside the model.
pub const SUSPECTS_FILE: &str = "suspect_labels.jsonl";

/// Every knob of a training run; recorded in the artifact so a run can be repeated exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct TrainConfig {
    /// Passes over the training split per LSTM member (the learning rate anneals over them).
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Stop after this many epochs without a better validation accuracy.
    #[arg(long, default_value_t = 3)]
    pub patience: usize,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Peak learning rate (AdamW), reached after warm-up and decayed along a cosine.
    #[arg(long, default_value_t = 2e-3)]
    pub learning_rate: f64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    /// Global gradient-norm clip.
    #[arg(long, default_value_t = 1.0)]
    pub clip_norm: f64,
    #[arg(long, default_value_t = 0.0)]
    pub label_smoothing: f64,
    /// Seeds the split, the initial weights and the batch order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 0.1)]
    pub validation_fraction: f64,
    #[arg(long, default_value_t = 0.1)]
    pub test_fraction: f64,
    #[arg(long, default_value_t = 128)]
    pub embedding_dim: i64,
    /// Hashed character-bigram buckets (0 disables bigram features).
    #[arg(long, default_value_t = 32768)]
    pub bigram_buckets: i64,
    #[arg(long, default_value_t = 64)]
    pub bigram_dim: i64,
    /// Epochs of the wide part (early-stopped on validation accuracy).
    #[arg(long, default_value_t = 15)]
    pub wide_epochs: usize,
    #[arg(long, default_value_t = 0.01)]
    pub wide_learning_rate: f64,
    /// Inverse L2 strength of the wide logistic regression, as scikit-learn's `C`.
    #[arg(long, default_value_t = 10.0)]
    pub wide_c: f64,
    /// Keep the average of this many best epochs' weights when it validates at least as well
    /// as the best epoch (1 disables averaging).
    #[arg(long, default_value_t = 3)]
    pub average_checkpoints: usize,
    /// Epochs of language-model pretraining of each LSTM member's embedding and first layer
    /// (next token forward, previous token backward) on the training texts before it learns
    /// the labels; the epoch with the lowest validation language-model loss is kept. 0 skips it.
    #[arg(long, default_value_t = 0)]
    #[serde(default)]
    pub pretrain_epochs: usize,
    /// Drop training examples whose own label gets less than this probability from a wide part
    /// cross-fitted on the rest of the training split (5 folds): noisy labels, which every stage
    /// would otherwise fit. Needs the wide part; 0 keeps every example.
    #[arg(long, default_value_t = 0.0)]
    #[serde(default)]
    pub suspect_label_threshold: f64,
    /// Networks trained with seeds seed, seed+1, … and averaged (a small ensemble).
    #[arg(long, default_value_t = 1)]
    pub members: usize,
    /// The wide TF-IDF logistic regression keeps 1–3-grams found in at least this many
    /// training texts.
    #[arg(long, default_value_t = 2)]
    pub ngram_min_df: u32,
    /// …and at most this many of them, the most frequent (0 disables the wide part).
    #[arg(long, default_value_t = 300_000)]
    pub ngram_max_features: usize,
    #[arg(long, default_value_t = 128)]
    pub hidden_size: i64,
    #[arg(long, default_value_t = 1)]
    pub num_layers: i64,
    /// Read texts in both directions.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub bidirectional: bool,
    #[arg(long, default_value_t = 0.4)]
    pub dropout: f64,
    /// Probability of dropping a whole input token during training.
    #[arg(long, default_value_t = 0.1)]
    pub token_dropout: f64,
    /// Loss weight of each `--extra-data` example relative to a main-data example.
    #[arg(long, default_value_t = 1.0)]
    #[serde(default = "one")]
    pub extra_weight: f64,
    /// Tokens kept per text.
    #[arg(long, default_value_t = 256)]
    pub max_length: usize,
    #[arg(long, default_value_t = 2)]
    pub min_frequency: usize,
    #[arg(long, default_value_t = 20_000)]
    pub max_vocab_size: usize,
    /// Mark negation scopes (未发现**异常**) and conceded clauses (**虽然贵**，但是…) in the
    /// tokens, so negated and conceded words stop counting as plain assertions.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub scope_marks: bool,
    /// Read traditional characters as simplified ones.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub fold_traditional: bool,
    /// Read every degree adverb (很, 非常, 十分, …) as one token.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub degree_adverbs: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            config: TrainConfig,
        }
        Defaults::parse_from(["defaults"]).config
    }
}

fn one() -> f64 {
    1.0
}

impl TrainConfig {
    /// The network these hyperparameters build over a vocabulary, labels and n-grams; the
    /// mixture weight starts even and is chosen after training.
    fn model_config(&self, vocab_size: i64, num_labels: usize, ngrams: usize) -> ModelConfig {
        ModelConfig {
            vocab_size,
            num_labels: num_labels as i64,
            embedding_dim: self.embedding_dim,
            bigram_buckets: self.bigram_buckets,
            bigram_dim: self.bigram_dim,
            hidden_size: self.hidden_size,
            num_layers: self.num_layers,
            bidirectional: self.bidirectional,
            dropout: self.dropout,
            token_dropout: self.token_dropout,
            ngram_vocab_size: ngrams as i64,
            members: self.members as i64,
            wide_weight: 0.5,
            scope_embedding: self.scope_marks,
        }
    }

    /// The hyperparameters as a model directory records them.
    pub fn record(&self) -> Hyperparameters {
        match serde_json::to_value(self).expect("hyperparameters serialize") {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a struct serializes to an object"),
        }
    }

    /// Reads recorded hyperparameters back; ones a model was trained before take their
    /// defaults.
    pub fn from_record(record: &Hyperparameters) -> anyhow::Result<Self> {
        let mut values = Self::default().record();
        values.extend(record.clone());
        Ok(serde_json::from_value(serde_json::Value::Object(values))?)
    }

    pub fn split(&self) -> SplitConfig {
        SplitConfig {
            seed: self.seed,
            validation_fraction: self.validation_fraction,
            test_fraction: self.test_fraction,
        }
    }

    fn tokenizer(&self) -> TokenizerConfig {
        TokenizerConfig {
            max_length: self.max_length,
            min_frequency: self.min_frequency,
            max_vocab_size: self.max_vocab_size,
            scope_marks: self.scope_marks,
            fold_traditional: self.fold_traditional,
            degree_adverbs: self.degree_adverbs,
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.epochs == 0 || self.batch_size == 0 || self.max_length == 0 {
            bail!("--epochs, --batch-size and --max-length must be positive");
        }
        // The network's own settings are checked where loading checks them too.
        if let Err(e) = self.model_config(2, 2, 0).validate() {
            bail!("--{} {}", e.field.replace('_', "-"), e.problem);
        }
        if self.validation_fraction <= 0.0
            || self.test_fraction < 0.0
            || self.validation_fraction + self.test_fraction >= 1.0
        {
            bail!("--validation-fraction must be > 0, --test-fraction ≥ 0, and together below 1");
        }
        if !(self.extra_weight > 0.0 && self.extra_weight.is_finite()) {
            bail!("--extra-weight must be positive");
        }
        if !(0.0..1.0).contains(&self.suspect_label_threshold) {
            bail!("--suspect-label-threshold must be in [0, 1)");
        }
        if self.suspect_label_threshold > 0.0 && self.ngram_max_features == 0 {
            bail!(
                "--suspect-label-threshold needs the wide part, which --ngram-max-features 0 turns off"
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct TrainJob {
    pub data: PathBuf,
    pub read: ReadOptions,
    pub out: PathBuf,
    pub name: String,
    pub version: String,
    pub config: TrainConfig,
    /// Markdown appended to the model card (e.g. the log of configurations tried).
    pub card_notes: Option<String>,
    /// Augmentation examples for the training split only (read like `data`).
    pub extra_data: Option<PathBuf>,
    /// Behavioural suite that, with the validation split, chooses the mixture weight.
    pub tune_suite: Option<PathBuf>,
    /// Behavioural suite recorded with the model, and the bar it must reach.
    pub check: Option<CheckGate>,
}

#[derive(Debug, Clone)]
pub struct CheckGate {
    pub suite: PathBuf,
    /// Every capability must pass at least this share of its cases, or no model is written.
    pub fail_under: Option<f64>,
    /// Write the model and record the failure instead of refusing.
    pub allow_failing: bool,
}

/// Trains, picks the epoch with the best validation accuracy, evaluates it on the test split,
/// and writes the model directory.
pub fn train(job: &TrainJob) -> anyhow::Result<Manifest> {
    let started = Instant::now();
    let config = &job.config;
    config.validate()?;
    let tune_suite = job.tune_suite.as_deref().map(Suite::read).transpose()?;
    let check_suite = job
        .check
        .as_ref()
        .map(|c| Suite::read(&c.suite))
        .transpose()?;
    let prepared = data::prepare(&job.data, &job.read, config.split())?;
    let split = &prepared.split;
    let labels = labels_of(&split.train, &job.data)?;
    for suite in tune_suite.iter().chain(&check_suite) {
        suite.check_labels(&labels)?;
    }
    tracing::info!(
        rows = prepared.rows_read,
        empty_skipped = prepared.empty_skipped,
        duplicates_removed = prepared.cleaning.duplicates_removed,
        conflicting_dropped = prepared.cleaning.conflicting_texts_dropped,
        train = split.train.len(),
        validation = split.validation.len(),
        test = split.test.len(),
        "data: {} examples kept, labels {labels:?}",
        prepared.cleaning.kept
    );
    let extra = job
        .extra_data
        .as_deref()
        .map(|path| extra::read(path, &job.read, split, &labels))
        .transpose()?;
    if let Some(extra) = &extra {
        tracing::info!(
            used = extra.record.used,
            dropped_as_main_data = extra.record.dropped_as_main_data,
            weight = config.extra_weight,
            "extra training examples from {}",
            extra.record.path
        );
    }
    let extra_examples: &[Example] = extra.as_ref().map_or(&[], |e| &e.examples);

    let tokenizer = Tokenizer::fit(
        split
            .train
            .iter()
            .chain(extra_examples)
            .map(|e| e.text.as_str()),
        config.tokenizer(),
    );
    let encode = |examples: &[Example]| -> Vec<Labelled> {
        examples
            .iter()
            .map(|e| {
                let label = labels.iter().position(|l| *l == e.label);
                (tokenizer.encode(&e.text), label.expect("labels checked"))
            })
            .collect()
    };
    let train_set = encode(&split.train);
    let validation_set = encode(&split.validation);
    let extra_set = encode(extra_examples);
    let vocab_size = tokenizer.vocabulary().len() as i64;

    let ngram_vocabulary = if config.ngram_max_features > 0 {
        NgramVocabulary::fit(
            train_set
                .iter()
                .chain(&extra_set)
                .map(|(e, _)| e.ids.as_slice()),
            vocab_size,
            config.ngram_min_df,
            config.ngram_max_features,
        )
    } else {
        NgramVocabulary {
            keys: Vec::new(),
            idf: Vec::new(),
        }
    };
    let mut model_config = config.model_config(vocab_size, labels.len(), ngram_vocabulary.len());
    let (mut train_set, suspects) = if config.suspect_label_threshold > 0.0 {
        let (kept, suspects) = suspects::drop_suspect_labels(
            train_set,
            &validation_set,
            &ngram_vocabulary,
            &model_config,
            config,
        )?;
        tracing::info!(
            dropped = suspects.len(),
            kept = kept.len(),
            "suspect labels: own label below {} when cross-fitted",
            config.suspect_label_threshold
        );
        (kept, suspects)
    } else {
        (train_set, Vec::new())
    };
    let mut weights = vec![1.0f32; train_set.len()];
    weights.resize(
        train_set.len() + extra_set.len(),
        config.extra_weight as f32,
    );
    train_set.extend(extra_set);
    let sets = Sets {
        train: &train_set,
        weights: &weights,
        validation: &validation_set,
    };

    let mut history = Vec::new();
    let mut stages = Vec::new();
    let var_store = VarStore::new(Device::Cpu);
    let mut classifier = Classifier::new(&var_store.root(), &model_config);
    if let Some(wide) = classifier.wide() {
        wide.set_vocabulary(&ngram_vocabulary);
        stages.push(train_wide(
            "wide",
            wide,
            &var_store,
            config,
            sets,
            &mut history,
        )?);
    }
    for member in 0..config.members {
        stages.push(train_member_stages(
            member,
            &model_config,
            config,
            sets,
            &var_store,
            &mut history,
        )?);
    }
    let search = if classifier.wide().is_some() {
        let search = search_wide_weight(
            &mut classifier,
            &validation_set,
            tune_suite
                .as_ref()
                .map(|s| (s, &tokenizer, labels.as_slice())),
        )?;
        tracing::info!(
            "wide weight {:.1} (validation accuracy {:.4})",
            search.chosen.0,
            search.chosen.1
        );
        classifier.set_wide_weight(search.chosen.0);
        model_config.wide_weight = search.chosen.0;
        search
    } else {
        WeightSearch::default()
    };

    let mut manifest = Manifest {
        format_version: FORMAT_VERSION,
        name: job.name.clone(),
        version: job.version.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        labels: labels.clone(),
        architecture: model_config,
        tokenizer: TokenizerSpec::from(&tokenizer),
        weights: WeightsInfo::default(),
        training: Some(TrainingRecord {
            data_path: job.data.display().to_string(),
            data_sha256: prepared.sha256.clone(),
            text_field: job.read.text_field.clone(),
            label_field: job.read.label_field.clone(),
            rows_read: prepared.rows_read,
            empty_texts_skipped: prepared.empty_skipped,
            cleaning: prepared.cleaning.clone(),
            suspect_labels_dropped: suspects.len(),
            split: config.split(),
            split_sizes: SplitSizes {
                train: split.train.len(),
                validation: split.validation.len(),
                test: split.test.len(),
            },
            extra_data: extra.map(|e| e.record),
            tune_check: None,
            hyperparameters: config.record(),
            epochs_run: history.len(),
            wide_weight_search: search.tried,
            wide_weight_tune_pass_rates: search.tune_pass_rates,
            stages: stages.clone(),
            duration_seconds: 0.0,
            history,
        }),
        metrics: None,
        check: None,
    };
    let model = Model::from_artifact(Artifact {
        manifest: manifest.clone(),
        tokenizer,
        classifier,
        var_store,
    });
    let validation = evaluate(&model, &split.validation)?;
    let test = evaluate(&model, &split.test)?;
    tracing::info!(
        "ensemble: validation accuracy {:.4} macro-F1 {:.4}; test accuracy {:.4} macro-F1 {:.4}",
        validation.accuracy,
        validation.macro_f1,
        test.accuracy,
        test.macro_f1
    );
    manifest.metrics = Some(Metrics { validation, test });
    let training = manifest.training.as_mut().expect("set above");
    if let Some(suite) = &tune_suite {
        training.tune_check = Some(check::run_on_model(suite, &model)?.summary(None));
    }
    let gate = check_suite
        .as_ref()
        .zip(job.check.as_ref())
        .map(|(suite, gate)| run_check_gate(suite, gate, &model))
        .transpose()?;
    manifest.check = gate.as_ref().map(|(summary, _)| summary.clone());
    let training = manifest.training.as_mut().expect("set above");
    training.duration_seconds = started.elapsed().as_secs_f64();
    manifest.weights.parameters = crate::model::artifact::parameter_count(model.var_store());
    if let Some((_, Err(below))) = &gate {
        bail!("{below}; no model written (--allow-failing-check writes it anyway)");
    }
    let card = card::render(&manifest, &job.out, job.card_notes.as_deref());
    Artifact::save(&job.out, &mut manifest, model.var_store(), &card)?;
    if !suspects.is_empty() {
        suspects::write_report(&job.out.join(SUSPECTS_FILE), &split.train, &suspects)?;
    }
    Ok(manifest)
}

/// The labels of the training split, sorted; a classifier needs two.
fn labels_of(train: &[Example], path: &Path) -> anyhow::Result<Vec<String>> {
    let mut labels: Vec<String> = train.iter().map(|e| e.label.clone()).collect();
    labels.sort();
    labels.dedup();
    if labels.len() < 2 {
        bail!(
            "{}: training needs at least two labels, found {:?}",
            path.display(),
            labels
        );
    }
    Ok(labels)
}

/// Runs the check suite on the trained model: its summary, and whether it reached the bar
/// (an error message naming the capabilities below it, unless failing is allowed).
fn run_check_gate(
    suite: &Suite,
    gate: &CheckGate,
    model: &Model,
) -> anyhow::Result<(CheckSummary, Result<(), String>)> {
    let report = check::run_on_model(suite, model)?;
    eprint!("{}", report.render(10));
    let verdict = match check::gate(&report, gate.fail_under) {
        Err(below) if !gate.allow_failing => Err(below.to_string()),
        Err(below) => {
            tracing::warn!("{below}; writing the model anyway (--allow-failing-check)");
            Ok(())
        }
        Ok(()) => Ok(()),
    };
    Ok((report.summary(gate.fail_under), verdict))
}

/// Member `member`: its own seed (initial weights, dropout, batch order) so the ensemble
/// averages different mistakes — member 0 reproduces a single-model run — optional
/// language-model pretraining, then the labels; its weights end up in `var_store`.
fn train_member_stages(
    member: usize,
    model_config: &ModelConfig,
    config: &TrainConfig,
    sets: Sets<'_>,
    var_store: &VarStore,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let seed = config.seed + member as u64;
    tch::manual_seed(seed as i64);
    let member_store = VarStore::new(Device::Cpu);
    let network = Member::new(
        &(member_store.root() / member_path(member as i64)),
        model_config,
    );
    if config.pretrain_epochs > 0 {
        pretrain::pretrain_member(&network, &member_store, member, seed, config, sets, history)?;
    }
    let outcome = train_member(&network, &member_store, member, seed, config, sets, history)?;
    copy_variables(&member_store, var_store);
    Ok(outcome)
}

/// An encoded text and its label index.
type Labelled = (Encoded, usize);

/// Training loss from logits, targets and per-example weights (penalties included).
type LossFn<'a> = Box<dyn Fn(&Tensor, &Tensor, &Tensor) -> Tensor + 'a>;

/// Mean of per-example losses weighted by `weights`.
fn weighted_mean(losses: Tensor, weights: &Tensor) -> Tensor {
    (losses * weights).sum(tch::Kind::Float) / weights.sum(tch::Kind::Float)
}

/// One training stage: which network learns, with what optimizer and loss.
struct Stage<'a, N: Network> {
    name: String,
    network: &'a N,
    var_store: &'a VarStore,
    optimizer: nn::Optimizer,
    epochs: usize,
    /// Learning rate per step; None keeps the optimizer's.
    schedule: Option<Schedule>,
    clip_norm: Option<f64>,
    seed: u64,
    loss: LossFn<'a>,
}

/// Trains a stage with early stopping on validation accuracy (ties: lower validation loss) and
/// leaves the best weights in its var store: the best epoch's, or the average of the
/// `average_top` best epochs' when that validates at least as well.
fn fit<N: Network>(
    mut stage: Stage<'_, N>,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> StageOutcome {
    let (patience, average_top, batch_size) = (
        config.patience,
        config.average_checkpoints,
        config.batch_size,
    );
    let (train_set, validation_set) = (sets.train, sets.validation);
    let mut rng = data::SplitMix64::new(stage.seed);
    let steps_per_epoch = train_set.len().div_ceil(batch_size);
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut step = 0;
    for epoch in 1..=stage.epochs {
        let epoch_started = Instant::now();
        let progress = Progress::new(stage.name.clone(), epoch, stage.epochs, steps_per_epoch);
        let mut loss_sum = 0.0;
        let mut seen = 0usize;
        for batch_indices in epoch_batches(train_set, batch_size, &mut rng) {
            if let Some(schedule) = &stage.schedule {
                stage.optimizer.set_lr(schedule.at(step));
            }
            step += 1;
            let sequences: Vec<&[i64]> = batch_indices
                .iter()
                .map(|&i| train_set[i].0.ids.as_slice())
                .collect();
            let targets: Vec<i64> = batch_indices
                .iter()
                .map(|&i| train_set[i].1 as i64)
                .collect();
            let weights: Vec<f32> = batch_indices.iter().map(|&i| sets.weights[i]).collect();
            let batch = Batch::new(&sequences, stage.network.config());
            let logits = stage.network.forward_t(&batch, true);
            let loss = (stage.loss)(
                &logits,
                &Tensor::from_slice(&targets),
                &Tensor::from_slice(&weights),
            );
            match stage.clip_norm {
                Some(max) => stage.optimizer.backward_step_clip_norm(&loss, max),
                None => stage.optimizer.backward_step(&loss),
            }
            loss_sum += loss.double_value(&[]) * targets.len() as f64;
            seen += targets.len();
            progress.step(loss_sum / seen as f64);
        }
        let (validation_loss, validation_accuracy) =
            loss_and_accuracy(stage.network, validation_set);
        progress.finish(
            loss_sum / seen.max(1) as f64,
            (validation_loss, validation_accuracy),
            epoch_started,
            history,
        );
        checkpoints.push(Checkpoint {
            epoch,
            accuracy: validation_accuracy,
            loss: validation_loss,
            weights: snapshot(stage.var_store),
        });
        checkpoints.sort_by(|a, b| b.better_than(a));
        if epoch - checkpoints[0].epoch >= patience {
            tracing::info!(
                stage = %stage.name,
                "early stop, no validation improvement for {patience} epochs"
            );
            break;
        }
    }
    let best = &checkpoints[0];
    let mut outcome = StageOutcome {
        stage: stage.name.clone(),
        best_epoch: best.epoch,
        averaged_epochs: Vec::new(),
        validation_accuracy: best.accuracy,
    };
    // Averaging the weights of the best epochs often generalises better than any one of them;
    // kept only if the validation split agrees.
    let top: Vec<&Checkpoint> = checkpoints.iter().take(average_top).collect();
    if top.len() > 1 {
        restore(stage.var_store, &average(&top));
        let (_, accuracy) = loss_and_accuracy(stage.network, validation_set);
        tracing::info!(
            stage = %stage.name,
            "average of epochs {:?}: validation accuracy {accuracy:.4} (best single {:.4})",
            top.iter().map(|c| c.epoch).collect::<Vec<_>>(),
            best.accuracy
        );
        if accuracy >= best.accuracy {
            outcome.averaged_epochs = top.iter().map(|c| c.epoch).collect();
            outcome.validation_accuracy = accuracy;
            return outcome;
        }
    }
    restore(stage.var_store, &best.weights);
    outcome
}

/// Element-wise mean of the checkpoints' floating-point weights; anything else (the wide part's
/// n-gram keys) is the same in every checkpoint and is taken from the first.
fn average(checkpoints: &[&Checkpoint]) -> Vec<(String, Tensor)> {
    tch::no_grad(|| {
        checkpoints[0]
            .weights
            .iter()
            .enumerate()
            .map(|(i, (name, first))| {
                if !first.is_floating_point() {
                    return (name.clone(), first.copy());
                }
                let sum = checkpoints[1..]
                    .iter()
                    .fold(first.copy(), |acc, c| acc + &c.weights[i].1);
                (name.clone(), sum / checkpoints.len() as f64)
            })
            .collect()
    })
}

struct Checkpoint {
    epoch: usize,
    accuracy: f64,
    loss: f64,
    weights: Vec<(String, Tensor)>,
}

impl Checkpoint {
    /// Higher validation accuracy first; ties go to the lower validation loss.
    fn better_than(&self, other: &Self) -> std::cmp::Ordering {
        self.accuracy
            .total_cmp(&other.accuracy)
            .then_with(|| other.loss.total_cmp(&self.loss))
    }
}

#[derive(Clone, Copy)]
struct Sets<'a> {
    train: &'a [Labelled],
    /// Loss weight of each training example (augmentation examples get `--extra-weight`).
    weights: &'a [f32],
    validation: &'a [Labelled],
}

/// One LSTM member: AdamW, warm-up + cosine schedule, gradient clipping, label smoothing.
fn train_member(
    network: &Member,
    var_store: &VarStore,
    member: usize,
    seed: u64,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let steps = sets.train.len().div_ceil(config.batch_size) * config.epochs;
    let label_smoothing = config.label_smoothing;
    let stage = Stage {
        name: format!("member {member}"),
        network,
        var_store,
        optimizer: nn::adamw(0.9, 0.999, config.weight_decay)
            .build(var_store, config.learning_rate)?,
        epochs: config.epochs,
        schedule: Some(Schedule::new(config.learning_rate, steps)),
        clip_norm: Some(config.clip_norm),
        seed,
        loss: Box::new(move |logits, targets, weights| {
            let losses = logits.cross_entropy_loss::<Tensor>(
                targets,
                None,
                tch::Reduction::None,
                -100,
                label_smoothing,
            );
            weighted_mean(losses, weights)
        }),
    };
    Ok(fit(stage, config, sets, history))
}

/// The wide logistic regression, with an L2 penalty equivalent to scikit-learn's `C`.
fn train_wide(
    name: &str,
    wide: &Wide,
    var_store: &VarStore,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let l2 = 1.0 / (2.0 * config.wide_c * sets.train.len() as f64);
    // Only the wide part's variables take part in this loss, so only they get gradients.
    let stage = Stage {
        name: name.into(),
        network: wide,
        var_store,
        optimizer: nn::adam(0.9, 0.999, 0.0).build(var_store, config.wide_learning_rate)?,
        epochs: config.wide_epochs,
        schedule: None,
        clip_norm: None,
        seed: config.seed,
        loss: Box::new(move |logits, targets, weights| {
            let losses = -logits
                .log_softmax(-1, tch::Kind::Float)
                .gather(1, &targets.unsqueeze(1), false)
                .squeeze_dim(1);
            weighted_mean(losses, weights) + wide.l2() * l2
        }),
    };
    Ok(fit(stage, config, sets, history))
}

/// The mixture weights tried and the one kept.
#[derive(Default)]
struct WeightSearch {
    /// (wide weight, validation accuracy) for weights 0, 0.1, …, 1.
    tried: Vec<(f64, f64)>,
    /// The tuning suite's mean pass rate at each of those weights (empty without a suite).
    tune_pass_rates: Vec<f64>,
    /// (weight, validation accuracy) kept.
    chosen: (f64, f64),
}

/// How far below the best validation accuracy a weight may fall and still be chosen for the
/// tuning suite's sake: half a point, the most the corpus accuracy may give up for behaviour.
const TUNE_ACCURACY_SLACK: f64 = 0.005;

/// Validation accuracy of the mixture at wide weights 0, 0.1, …, 1 (the two parts' predictions
/// are computed once and mixed for each weight), and, given a tuning suite, its mean pass rate.
/// Without a suite the most accurate weight wins; with one, the weight that passes most of the
/// suite among those within [`TUNE_ACCURACY_SLACK`] of the best accuracy. Ties go to the more
/// even mixture.
fn search_wide_weight(
    classifier: &mut Classifier,
    validation_set: &[Labelled],
    tune: Option<(&Suite, &Tokenizer, &[String])>,
) -> anyhow::Result<WeightSearch> {
    let sequences: Vec<&[i64]> = validation_set
        .iter()
        .map(|(e, _)| e.ids.as_slice())
        .collect();
    let mut log_probabilities = |weight: f64| -> Vec<Vec<f64>> {
        classifier.set_wide_weight(weight);
        crate::model::predict_sequences(&*classifier, &sequences, 256)
            .into_iter()
            .map(|p| {
                p.into_iter()
                    .map(|x| f64::from(x.max(1e-30)).ln())
                    .collect()
            })
            .collect()
    };
    let deep = log_probabilities(0.0);
    let wide = log_probabilities(1.0);
    let weights: Vec<f64> = (0..=10).map(|step| f64::from(step) / 10.0).collect();
    let tried: Vec<(f64, f64)> = weights
        .iter()
        .map(|&w| {
            let correct = deep
                .iter()
                .zip(&wide)
                .zip(validation_set)
                .filter(|((d, v), (_, truth))| {
                    let mixed: Vec<f32> = d
                        .iter()
                        .zip(v.iter())
                        .map(|(d, v)| (w * v + (1.0 - w) * d) as f32)
                        .collect();
                    argmax(&mixed).0 == *truth
                })
                .count();
            (w, correct as f64 / validation_set.len().max(1) as f64)
        })
        .collect();
    let tune_pass_rates = match tune {
        Some((suite, tokenizer, labels)) => weights
            .iter()
            .map(|&w| {
                classifier.set_wide_weight(w);
                let report = check::run(suite, labels, |texts| {
                    let encoded: Vec<Encoded> = texts.iter().map(|t| tokenizer.encode(t)).collect();
                    let sequences: Vec<&[i64]> = encoded.iter().map(|e| e.ids.as_slice()).collect();
                    crate::model::predict_sequences(&*classifier, &sequences, 256)
                })?;
                Ok(report.passed as f64 / report.cases as f64)
            })
            .collect::<anyhow::Result<Vec<f64>>>()?,
        None => Vec::new(),
    };
    let best_accuracy = tried.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    let score = |i: usize| -> (f64, f64) {
        match tune_pass_rates.get(i) {
            Some(&rate) if tried[i].1 >= best_accuracy - TUNE_ACCURACY_SLACK => (rate, tried[i].1),
            Some(_) => (f64::NEG_INFINITY, tried[i].1),
            None => (tried[i].1, 0.0),
        }
    };
    let chosen = (0..tried.len())
        .reduce(|best, i| {
            let (a, b) = (score(i), score(best));
            let evener = (tried[i].0 - 0.5).abs() < (tried[best].0 - 0.5).abs();
            if a > b || (a == b && evener) { i } else { best }
        })
        .map_or((0.5, 0.0), |i| tried[i]);
    Ok(WeightSearch {
        tried,
        tune_pass_rates,
        chosen,
    })
}

/// Copies every variable of `from` into the same-named variable of `into`.
fn copy_variables(from: &VarStore, into: &VarStore) {
    let source = snapshot(from);
    restore(into, &source);
}

/// Linear warm-up over the first steps, then cosine decay to 5 % of the peak.
struct Schedule {
    peak: f64,
    warmup: usize,
    total: usize,
}

impl Schedule {
    fn new(peak: f64, total: usize) -> Self {
        Self {
            peak,
            warmup: (total / 20).clamp(1, 300),
            total: total.max(1),
        }
    }

    fn at(&self, step: usize) -> f64 {
        if step < self.warmup {
            return self.peak * (step + 1) as f64 / self.warmup as f64;
        }
        let progress =
            ((step - self.warmup) as f64 / (self.total - self.warmup).max(1) as f64).min(1.0);
        let floor = 0.05;
        self.peak * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()))
    }
}

/// Shuffled batches of similar length: texts are shuffled, sorted by length within pools of 32
/// batches, cut into batches, and the batches shuffled. Padding stays small without feeding the
/// model a length-ordered curriculum.
fn epoch_batches(
    set: &[Labelled],
    batch_size: usize,
    rng: &mut data::SplitMix64,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..set.len()).collect();
    rng.shuffle(&mut order);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for pool in order.chunks_mut(batch_size * 32) {
        pool.sort_by_key(|&i| set[i].0.ids.len());
        batches.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut batches);
    batches
}

fn loss_and_accuracy(classifier: &impl Network, set: &[Labelled]) -> (f64, f64) {
    let encoded: Vec<&[i64]> = set.iter().map(|(e, _)| e.ids.as_slice()).collect();
    let probabilities = crate::model::predict_sequences(classifier, &encoded, 256);
    let mut loss = 0.0;
    let mut correct = 0usize;
    for (probs, (_, truth)) in probabilities.iter().zip(set) {
        loss -= f64::from(probs[*truth].max(1e-12)).ln();
        correct += usize::from(argmax(probs).0 == *truth);
    }
    let n = set.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}

/// Detached copies of every variable, sorted by name so snapshots line up with each other.
fn snapshot(var_store: &VarStore) -> Vec<(String, Tensor)> {
    let mut weights: Vec<(String, Tensor)> = tch::no_grad(|| {
        var_store
            .variables()
            .into_iter()
            .map(|(name, t)| (name, t.detach().copy()))
            .collect()
    });
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    weights
}

fn restore(var_store: &VarStore, weights: &[(String, Tensor)]) {
    let mut variables = var_store.variables();
    tch::no_grad(|| {
        for (name, value) in weights {
            if let Some(target) = variables.get_mut(name) {
                target.copy_(value);
            }
        }
    });
}

/// Scores `model` on labelled examples. Every label must be one the model knows.
pub fn evaluate(model: &Model, examples: &[Example]) -> anyhow::Result<Evaluation> {
    Ok(evaluate_with_mistakes(model, examples)?.0)
}

/// One example the model got wrong, as `eval --misclassified` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub text: String,
    /// The label the data gives.
    pub label: String,
    pub predicted: String,
    /// What the model gave the data's label: the lowest are the mistakes most worth reading,
    /// since they are either the model's worst errors or labels that are wrong.
    pub label_probability: f32,
    /// Every label's probability, in the model's label order.
    pub probabilities: Vec<f32>,
}

/// [`evaluate`], plus every misclassified example, the most confident mistakes first.
pub fn evaluate_with_mistakes(
    model: &Model,
    examples: &[Example],
) -> anyhow::Result<(Evaluation, Vec<Mistake>)> {
    let labels = model.labels();
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let truths = examples
        .iter()
        .map(|e| {
            index.get(e.label.as_str()).copied().with_context(|| {
                format!(
                    "label {:?} is not one of the model's labels {labels:?}",
                    e.label
                )
            })
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probabilities = model.predict_texts(&texts, 256);
    let predicted: Vec<usize> = probabilities.iter().map(|p| argmax(p).0).collect();
    let mut mistakes: Vec<Mistake> = examples
        .iter()
        .zip(&truths)
        .zip(&predicted)
        .zip(probabilities)
        .filter(|(((_, truth), predicted), _)| truth != predicted)
        .map(|(((example, &truth), &predicted), probabilities)| Mistake {
            text: example.text.clone(),
            label: example.label.clone(),
            predicted: labels[predicted].clone(),
            label_probability: probabilities[truth],
            probabilities,
        })
        .collect();
    mistakes.sort_by(|a, b| a.label_probability.total_cmp(&b.label_probability));
    let evaluation = Evaluation::from_predictions(labels, truths.into_iter().zip(predicted));
    Ok((evaluation, mistakes))
}

/// Which part of the recorded split `eval` rebuilds when no data file is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordedSplit {
    /// What model selection looked at: read it freely for error analysis.
    Validation,
    /// Held out from every choice: the honest figure.
    #[default]
    Test,
}

/// Where `eval` gets its examples: a file the user names, or a part of the split recorded in
/// the model, rebuilt from the original data file.
pub fn evaluation_examples(
    model: &Model,
    data: Option<&Path>,
    read: &ReadOptions,
    part: RecordedSplit,
) -> anyhow::Result<Vec<Example>> {
    if let Some(path) = data {
        return Ok(data::Dataset::read(path, read)?.examples);
    }
    let training = model
        .manifest()
        .training
        .as_ref()
        .context("the model records no training data; pass --data FILE")?;
    let path = PathBuf::from(&training.data_path);
    if !path.is_file() {
        bail!(
            "the model's training data {} is not here; run `scripts/fetch-data.sh` (for the default model) or pass --data FILE",
            path.display()
        );
    }
    let read = ReadOptions {
        format: None,
        text_field: training.text_field.clone(),
        label_field: training.label_field.clone(),
    };
    let prepared = data::prepare(&path, &read, training.split)?;
    if prepared.sha256 != training.data_sha256 {
        bail!(
            "{} changed since training (sha256 {} ≠ recorded {}); the split cannot be rebuilt",
            path.display(),
            prepared.sha256,
            training.data_sha256
        );
    }
    Ok(match part {
        RecordedSplit::Validation => prepared.split.validation,
        RecordedSplit::Test => prepared.split.test,
    })
}

/// A bar on terminals; one plain line per epoch for logs and CI.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    stage: String,
    epoch: usize,
    epochs: usize,
}

impl Progress {
    fn new(stage: String, epoch: usize, epochs: usize, steps: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} loss {msg} ETA {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("{epoch}/{epochs} ({stage})"));
            bar
        });
        Self {
            bar,
            stage,
            epoch,
            epochs,
        }
    }

    fn step(&self, mean_loss: f64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{mean_loss:.4}"));
            bar.inc(1);
        }
    }

    /// Ends the epoch: logs it and appends its record to `history`.
    fn finish(
        self,
        train_loss: f64,
        (validation_loss, validation_accuracy): (f64, f64),
        started: Instant,
        history: &mut Vec<EpochRecord>,
    ) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let record = EpochRecord {
            stage: self.stage,
            epoch: self.epoch,
            train_loss,
            validation_loss,
            validation_accuracy,
            seconds: started.elapsed().as_secs_f64(),
        };
        tracing::info!(
            stage = %record.stage,
            epoch = record.epoch,
            epochs = self.epochs,
            train_loss = record.train_loss,
            validation_loss = record.validation_loss,
            validation_accuracy = record.validation_accuracy,
            seconds = record.seconds,
            "{} epoch {}/{}: train loss {:.4}, validation loss {:.4}, validation accuracy {:.4} ({:.1}s)",
            record.stage,
            record.epoch,
            self.epochs,
            record.train_loss,
            record.validation_loss,
            record.validation_accuracy,
            record.seconds
        );
        history.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(epoch: usize, accuracy: f64, value: f32) -> Checkpoint {
        Checkpoint {
            epoch,
            accuracy,
            loss: 1.0,
            weights: vec![
                (
                    "keys".into(),
                    Tensor::from_slice(&[i64::MAX - 1, 4_611_686_018_427_387_903]),
                ),
                ("w".into(), Tensor::from_slice(&[value, 2.0 * value])),
            ],
        }
    }

    #[test]
    fn averaging_means_floats_and_keeps_integer_tensors_exact() {
        let (a, b, c) = (
            checkpoint(1, 0.8, 1.0),
            checkpoint(2, 0.9, 2.0),
            checkpoint(3, 0.7, 6.0),
        );
        let averaged = average(&[&a, &b, &c]);
        assert_eq!(
            Vec::<i64>::try_from(&averaged[0].1).unwrap(),
            vec![i64::MAX - 1, 4_611_686_018_427_387_903]
        );
        assert_eq!(
            Vec::<f32>::try_from(&averaged[1].1).unwrap(),
            vec![3.0, 6.0]
        );
    }

    #[test]
    fn checkpoints_rank_by_accuracy_then_loss() {
        let mut list = [
            checkpoint(1, 0.8, 1.0),
            checkpoint(2, 0.9, 1.0),
            checkpoint(3, 0.9, 1.0),
        ];
        list[2].loss = 0.5;
        list.sort_by(|a, b| b.better_than(a));
        assert_eq!(
            list.iter().map(|c| c.epoch).collect::<Vec<_>>(),
            vec![3, 2, 1]
        );
    }

    #[test]
    fn network_settings_are_refused_by_their_flag_names() {
        let refused = |config: TrainConfig| config.validate().unwrap_err().to_string();
        assert_eq!(
            refused(TrainConfig {
                token_dropout: 1.0,
                ..TrainConfig::default()
            }),
            "--token-dropout must be in [0, 1)"
        );
        assert_eq!(
            refused(TrainConfig {
                members: 0,
                ..TrainConfig::default()
            }),
            "--members must be positive"
        );
        assert_eq!(
            refused(TrainConfig {
                bigram_buckets: 1,
                ..TrainConfig::default()
            }),
            "--bigram-buckets must be 0 (off) or at least 2"
        );
        assert!(TrainConfig::default().validate().is_ok());
    }

    #[test]
    fn schedule_warms_up_then_decays_to_the_floor() {
        let schedule = Schedule::new(1.0, 1000);
        assert!(schedule.at(0) < 0.1);
        assert!((schedule.at(schedule.warmup) - 1.0).abs() < 1e-9);
        assert!((schedule.at(1000) - 0.05).abs() < 1e-9);
        assert!(schedule.at(500) < schedule.at(200));
    }
}
