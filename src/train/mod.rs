//! Training and evaluation: turns a dataset file into a model directory.
//!
//! The phases, in the order [`train`] runs them: read and split the data (`crate::data`), add
//! augmentation examples (`extra`), fit the tokenizer and n-gram vocabulary, optionally drop
//! suspect labels (`suspects`), train each stage (`stages`; LSTM members optionally pretrained,
//! `pretrain`), choose the mixture weight (`mixture`), evaluate (`evaluate`), run the check
//! suite, write the model and its card (`card`). `config` holds every hyperparameter.

pub mod card;
mod compose;
mod config;
mod crossfit;
mod evaluate;
mod extra;
mod mixture;
mod pretrain;
mod stages;
mod suspects;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;
use tch::Device;
use tch::nn::VarStore;

pub use crate::model::{ClassMetrics, Evaluation};
pub use config::TrainConfig;
pub use evaluate::{
    Mistake, RecordedSplit, evaluate, evaluate_with_mistakes, evaluation_examples, recorded_split,
};

use crate::check::{self, Suite};
use crate::data::{self, Example, ReadOptions};
use crate::model::artifact::{
    CheckSummary, EpochRecord, FORMAT_VERSION, Manifest, Metrics, SplitSizes, StageOutcome,
    TokenizerSpec, TrainingRecord, WeightsInfo,
};
use crate::model::{
    Artifact, Classifier, Member, Model, ModelConfig, Network, NgramVocabulary, member_path,
};
use crate::text::Tokenizer;
use mixture::{WeightSearch, search_wide_weight};
use stages::{
    Labelled, Progress, Schedule, Sets, copy_variables, epoch_batches, restore, snapshot,
    train_member, train_wide,
};

/// Training examples left out by `--suspect-label-threshold`, written beside the model.
pub const SUSPECTS_FILE: &str = "suspect_labels.jsonl";

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
    /// Augmentation examples for the training split only (read like `data`), file by file.
    pub extra_data: Vec<PathBuf>,
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
    job.config.validate()?;
    let inputs = read_inputs(job)?;
    let encoded = encode_training_side(&inputs, &job.config)?;
    let trained = train_parts(&inputs, &encoded, &job.config)?;
    let mut manifest = record_run(job, &inputs, &encoded, &trained);
    let Encoded {
        tokenizer,
        suspects,
        ..
    } = encoded;
    let model = Model::from_artifact(Artifact {
        manifest: manifest.clone(),
        tokenizer,
        classifier: trained.classifier,
        var_store: trained.var_store,
    });
    let (model, gate) = assess(model, &mut manifest, &inputs, job)?;
    manifest
        .training
        .as_mut()
        .expect("recorded")
        .duration_seconds = started.elapsed().as_secs_f64();
    manifest.weights.parameters =
        crate::model::artifact::parameter_count(&trained_here(&model).var_store);
    if let Some(Err(below)) = &gate {
        bail!("{below}; no model written (--allow-failing-check writes it anyway)");
    }
    let card = card::render(&manifest, &job.out, job.card_notes.as_deref());
    Artifact::save(
        &job.out,
        &mut manifest,
        &trained_here(&model).var_store,
        &card,
    )?;
    if !suspects.is_empty() {
        suspects::write_report(
            &job.out.join(SUSPECTS_FILE),
            &inputs.prepared.split.train,
            &suspects,
        )?;
    }
    Ok(manifest)
}

/// What a run reads before it trains: the split data, its labels, the suites and the extra data.
struct Inputs {
    prepared: data::PreparedData,
    labels: Vec<String>,
    tune_suite: Option<Suite>,
    check_suite: Option<Suite>,
    extra_examples: Vec<Example>,
    extra_records: Vec<crate::model::artifact::ExtraDataRecord>,
}

fn read_inputs(job: &TrainJob) -> anyhow::Result<Inputs> {
    let config = &job.config;
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
    let (extra_examples, extra_records) =
        extra::read_all(&job.extra_data, &job.read, split, &labels)?;
    for record in &extra_records {
        tracing::info!(
            used = record.used,
            dropped_as_main_data = record.dropped_as_main_data,
            dropped_as_earlier_extra_data = record.dropped_as_earlier_extra_data,
            weight = config.extra_weight,
            "extra training examples from {}",
            record.path
        );
    }
    Ok(Inputs {
        prepared,
        labels,
        tune_suite,
        check_suite,
        extra_examples,
        extra_records,
    })
}

/// The training side as the network reads it: the tokenizer and n-gram vocabulary fitted on it,
/// the network's configuration, and the encoded sets (suspect labels dropped, extra examples
/// appended with their loss weight).
struct Encoded {
    tokenizer: Tokenizer,
    ngram_vocabulary: NgramVocabulary,
    model_config: ModelConfig,
    train_set: Vec<Labelled>,
    weights: Vec<f32>,
    validation_set: Vec<Labelled>,
    suspects: Vec<suspects::Suspect>,
}

impl Encoded {
    fn sets(&self) -> Sets<'_> {
        Sets {
            train: &self.train_set,
            weights: &self.weights,
            teacher: None,
            evidence: None,
            validation: &self.validation_set,
        }
    }
}

fn encode_training_side(inputs: &Inputs, config: &TrainConfig) -> anyhow::Result<Encoded> {
    let split = &inputs.prepared.split;
    let extra_examples: &[Example] = &inputs.extra_examples;
    let tokenizer = Tokenizer::fit(
        split
            .train
            .iter()
            .chain(extra_examples)
            .map(|e| e.text.as_str()),
        config.tokenizer.clone(),
    );
    let encode = |examples: &[Example]| -> Vec<Labelled> {
        examples
            .iter()
            .map(|e| {
                let label = inputs.labels.iter().position(|l| *l == e.label);
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
    let model_config = config.model_config(vocab_size, inputs.labels.len(), ngram_vocabulary.len());
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
    Ok(Encoded {
        tokenizer,
        ngram_vocabulary,
        model_config,
        train_set,
        weights,
        validation_set,
        suspects,
    })
}

/// The trained network before evaluation: its weights, what each stage kept, and the mixture
/// weight the rule chose.
struct Trained {
    var_store: VarStore,
    classifier: Classifier,
    model_config: ModelConfig,
    stages: Vec<StageOutcome>,
    history: Vec<EpochRecord>,
    composed: Option<crate::model::artifact::ComposeRecord>,
    search: WeightSearch,
}

/// The wide part, then the LSTM members on their side of the data, then the mixture weight.
fn train_parts(
    inputs: &Inputs,
    encoded: &Encoded,
    config: &TrainConfig,
) -> anyhow::Result<Trained> {
    let mut history = Vec::new();
    let mut stages = Vec::new();
    let var_store = VarStore::new(Device::Cpu);
    let mut model_config = encoded.model_config.clone();
    let mut classifier = Classifier::new(&var_store.root(), &model_config);
    if let Some(wide) = classifier.wide() {
        wide.set_vocabulary(&encoded.ngram_vocabulary);
        stages.push(train_wide(
            "wide",
            wide,
            &var_store,
            config,
            encoded.sets(),
            &mut history,
        )?);
    }
    let sources: Vec<Example> = inputs
        .prepared
        .split
        .train
        .iter()
        .chain(&inputs.extra_examples)
        .cloned()
        .collect();
    let member_side = member_side(
        &classifier,
        &encoded.tokenizer,
        &sources,
        &inputs.labels,
        config,
        encoded.sets(),
        &encoded.ngram_vocabulary,
    )?;
    let member_sets = member_side.sets(&encoded.validation_set);
    for member in 0..config.members {
        stages.push(train_member_stages(
            member,
            &model_config,
            classifier.wide(),
            config,
            member_sets,
            &var_store,
            &mut history,
        )?);
    }
    let search = if classifier.wide().is_some() && classifier.has_lstm() {
        let search = search_wide_weight(
            &mut classifier,
            &encoded.validation_set,
            inputs
                .tune_suite
                .as_ref()
                .map(|s| (s, &encoded.tokenizer, inputs.labels.as_slice())),
            config.wide_weight,
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
    let composed = member_side.composed.clone();
    Ok(Trained {
        var_store,
        classifier,
        model_config,
        stages,
        history,
        composed,
        search,
    })
}

/// The manifest of the run as trained; evaluation, suites and the weights' size come later.
fn record_run(job: &TrainJob, inputs: &Inputs, encoded: &Encoded, trained: &Trained) -> Manifest {
    let prepared = &inputs.prepared;
    let split = &prepared.split;
    let config = &job.config;
    let mut extra_records = inputs.extra_records.clone();
    let first_extra = (!extra_records.is_empty()).then(|| extra_records.remove(0));
    Manifest {
        format_version: FORMAT_VERSION,
        name: job.name.clone(),
        version: job.version.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        labels: inputs.labels.clone(),
        architecture: trained.model_config.clone(),
        tokenizer: TokenizerSpec::from(&encoded.tokenizer),
        weights: WeightsInfo::default(),
        training: Some(TrainingRecord {
            data_path: job.data.display().to_string(),
            data_sha256: prepared.sha256.clone(),
            text_field: job.read.text_field.clone(),
            label_field: job.read.label_field.clone(),
            rows_read: prepared.rows_read,
            empty_texts_skipped: prepared.empty_skipped,
            cleaning: prepared.cleaning.clone(),
            suspect_labels_dropped: encoded.suspects.len(),
            split: config.split(),
            split_sizes: SplitSizes {
                train: split.train.len(),
                validation: split.validation.len(),
                test: split.test.len(),
            },
            extra_data: first_extra,
            more_extra_data: extra_records,
            tune_check: None,
            hyperparameters: config.record(),
            epochs_run: trained.history.len(),
            wide_weight_search: trained.search.tried.clone(),
            wide_weight_tune_pass_rates: trained.search.tune_pass_rates.clone(),
            composed: trained.composed.clone(),
            ablation: Vec::new(),
            lstm_dropped: false,
            stages: trained.stages.clone(),
            duration_seconds: 0.0,
            history: trained.history.clone(),
        }),
        metrics: None,
        check: None,
        precision_check: None,
    }
}

/// Each part alone against the mixture (and the LSTM dropped when it got no weight), the
/// validation and test figures, the tuning suite's result and the check gate, recorded in
/// `manifest`. The gate's verdict is returned; a model below it is not written.
fn assess(
    mut model: Model,
    manifest: &mut Manifest,
    inputs: &Inputs,
    job: &TrainJob,
) -> anyhow::Result<(Model, Option<Result<(), String>>)> {
    let split = &inputs.prepared.split;
    let classifier = &trained_here(&model).classifier;
    if classifier.wide().is_some() && classifier.has_lstm() {
        let ablation = ablation(
            &mut model,
            &split.validation,
            &split.test,
            inputs.tune_suite.as_ref(),
            inputs.check_suite.as_ref(),
        )?;
        manifest.training.as_mut().expect("recorded").ablation = ablation;
        // A mixture that gives the LSTM no weight never computes it: the model ships without.
        if trained_here(&model).manifest.architecture.wide_weight == 1.0 {
            model = without_lstm(model);
            manifest.architecture = trained_here(&model).manifest.architecture.clone();
            manifest.training.as_mut().expect("recorded").lstm_dropped = true;
            tracing::info!("wide weight 1: the LSTM members are left out of the model");
        }
    }
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
    if let Some(suite) = &inputs.tune_suite {
        manifest.training.as_mut().expect("recorded").tune_check =
            Some(check::run_on_model(suite, &model)?.summary(None));
    }
    let gate = inputs
        .check_suite
        .as_ref()
        .zip(job.check.as_ref())
        .map(|(suite, gate)| run_check_gate(suite, gate, &model))
        .transpose()?;
    manifest.check = gate.as_ref().map(|(summary, _)| summary.clone());
    Ok((model, gate.map(|(_, verdict)| verdict)))
}

/// What the LSTM members train on: the training side, plus `--compose` examples (weight 1),
/// with `--distill-weight` the wide part's probabilities for every text (a composed text's
/// target is its structural label), and with `--wide-evidence` each text's evidence from a
/// cross-fitted wide part.
struct MemberSide<'a> {
    train: Cow<'a, [Labelled]>,
    weights: Cow<'a, [f32]>,
    teacher: Option<Vec<Vec<f32>>>,
    evidence: Option<Vec<tch::Tensor>>,
    composed: Option<crate::model::artifact::ComposeRecord>,
}

impl MemberSide<'_> {
    fn sets<'s>(&'s self, validation: &'s [Labelled]) -> Sets<'s> {
        Sets {
            train: &self.train,
            weights: &self.weights,
            teacher: self.teacher.as_deref(),
            evidence: self.evidence.as_deref(),
            validation,
        }
    }
}

/// `sources` are the training side's texts, from which `--compose` takes its clauses; `sets`
/// the wide part's training data, which the members start from.
fn member_side<'a>(
    classifier: &Classifier,
    tokenizer: &Tokenizer,
    sources: &[Example],
    labels: &[String],
    config: &TrainConfig,
    sets: Sets<'a>,
    ngram_vocabulary: &NgramVocabulary,
) -> anyhow::Result<MemberSide<'a>> {
    let mut side = MemberSide {
        train: Cow::Borrowed(sets.train),
        weights: Cow::Borrowed(sets.weights),
        teacher: None,
        evidence: None,
        composed: None,
    };
    let Some(wide) = classifier.wide().filter(|_| config.members > 0) else {
        return Ok(side);
    };
    let mut composed = Vec::new();
    if config.compose > 0 {
        let (examples, record) =
            compose::composed_examples(wide, tokenizer, sources, labels, config);
        tracing::info!(
            clauses = record.clauses,
            confident = record.confident_clauses,
            composed = examples.len(),
            "composed examples for the LSTM members"
        );
        composed = examples;
        side.composed = Some(record);
    }
    if config.distill_weight > 0.0 {
        let sequences: Vec<&[i64]> = sets.train.iter().map(|(e, _)| e.ids.as_slice()).collect();
        let mut teacher = crate::model::predict_sequences(wide, &sequences, 256);
        teacher.extend(composed.iter().map(|(_, label)| {
            let mut one_hot = vec![0.0f32; labels.len()];
            one_hot[*label] = 1.0;
            one_hot
        }));
        side.teacher = Some(teacher);
    }
    if config.network.wide_evidence {
        side.evidence = Some(crossfit::out_of_fold_evidence(
            sets.train,
            &composed,
            sets.validation,
            ngram_vocabulary,
            classifier.config(),
            config,
        )?);
    }
    if !composed.is_empty() {
        side.train.to_mut().extend(composed);
        let total = side.train.len();
        side.weights.to_mut().resize(total, 1.0);
    }
    Ok(side)
}

/// The wide part alone, the LSTM alone and the chosen mixture on the validation and test
/// splits and both suites; the model is left at the chosen weight.
fn ablation(
    model: &mut Model,
    validation: &[Example],
    test: &[Example],
    tune_suite: Option<&Suite>,
    check_suite: Option<&Suite>,
) -> anyhow::Result<Vec<crate::model::artifact::AblationRow>> {
    let chosen = trained_here(model).manifest.architecture.wide_weight;
    let mut rows = Vec::new();
    for (part, weight) in [
        ("n-gram part alone", 1.0),
        ("LSTM alone", 0.0),
        ("mixture", chosen),
    ] {
        model.set_wide_weight(weight);
        let summary = |suite: Option<&Suite>| -> anyhow::Result<Option<CheckSummary>> {
            suite
                .map(|s| Ok(check::run_on_model(s, model)?.summary(None)))
                .transpose()
        };
        rows.push(crate::model::artifact::AblationRow {
            part: part.into(),
            wide_weight: weight,
            validation_accuracy: evaluate(model, validation)?.accuracy,
            test_accuracy: evaluate(model, test)?.accuracy,
            tune_check: summary(tune_suite)?,
            check: summary(check_suite)?,
        });
    }
    model.set_wide_weight(chosen);
    Ok(rows)
}

/// The same model with its LSTM members left out: its wide part's weights alone, members 0.
/// The artifact of a model this module built itself (always one of textserve's own).
fn trained_here(model: &Model) -> &Artifact {
    model
        .native("training")
        .expect("train builds textserve's own models")
}

fn without_lstm(model: Model) -> Model {
    let mut artifact = model
        .into_artifact()
        .expect("train builds textserve's own models");
    let config = ModelConfig {
        members: 0,
        wide_weight: 1.0,
        ..artifact.manifest.architecture.clone()
    };
    let var_store = VarStore::new(Device::Cpu);
    let classifier = Classifier::new(&var_store.root(), &config);
    copy_variables(&artifact.var_store, &var_store);
    artifact.manifest.architecture = config;
    Model::from_artifact(Artifact {
        classifier,
        var_store,
        ..artifact
    })
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
    wide: Option<&crate::model::Wide>,
    config: &TrainConfig,
    sets: Sets<'_>,
    var_store: &VarStore,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let seed = config.member_seed.unwrap_or(config.seed) + member as u64;
    tch::manual_seed(seed as i64);
    let member_store = VarStore::new(Device::Cpu);
    let network = Member::new(
        &(member_store.root() / member_path(member as i64)),
        model_config,
        wide,
    );
    if config.pretrain_epochs > 0 {
        pretrain::pretrain_member(&network, &member_store, member, seed, config, sets, history)?;
    }
    let outcome = train_member(&network, &member_store, member, seed, config, sets, history)?;
    copy_variables(&member_store, var_store);
    Ok(outcome)
}
