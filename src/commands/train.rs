//! `textserve train`: a dataset file in, a model directory out.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::{DataFileArgs, available_cores, parse_fraction};
use crate::model::set_torch_threads;
use crate::train::{self, TrainConfig, TrainJob};

#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// Labelled dataset (JSONL, CSV or TSV).
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub file: DataFileArgs,
    /// Output model directory, e.g. models/my-model.
    #[arg(long)]
    pub out: PathBuf,
    /// Model name (defaults to the output directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Model version string.
    #[arg(long, default_value = "1")]
    pub model_version: String,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
    /// Markdown file appended to the model card (e.g. the configurations tried).
    #[arg(long)]
    pub card_notes: Option<PathBuf>,
    /// Augmentation examples (same format and fields as --data) added to the training split
    /// only, weighted by --extra-weight; never validated or tested on. Repeat for several files.
    #[arg(long)]
    pub extra_data: Vec<PathBuf>,
    /// Behavioural suite that helps choose the mixture weight: among weights within half a point
    /// of the best validation accuracy, the one passing most of it. Never its held-out part.
    #[arg(long)]
    pub tune_suite: Option<PathBuf>,
    /// Behavioural suite run on the trained model; its report is recorded in model.json and the
    /// card.
    #[arg(long)]
    pub check_suite: Option<PathBuf>,
    /// Refuse to write the model when a capability of --check-suite passes fewer than this
    /// share of its cases (0–1).
    #[arg(long, value_parser = parse_fraction, requires = "check_suite")]
    pub check_fail_under: Option<f64>,
    /// Write the model even when it is below --check-fail-under (the failure is recorded).
    #[arg(long, requires = "check_fail_under")]
    pub allow_failing_check: bool,
    #[command(flatten)]
    pub config: TrainConfig,
}

pub fn train(args: TrainArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let name = match args.name {
        Some(name) => name,
        None => args
            .out
            .file_name()
            .and_then(|n| n.to_str())
            .context("--out needs a directory name, or pass --name")?
            .to_string(),
    };
    let card_notes = args
        .card_notes
        .map(|path| std::fs::read_to_string(&path).with_context(|| format!("{}", path.display())))
        .transpose()?;
    let job = TrainJob {
        data: args.data,
        read: args.file.read_options(),
        out: args.out,
        name,
        version: args.model_version,
        config: args.config,
        card_notes,
        extra_data: args.extra_data,
        tune_suite: args.tune_suite,
        check: args.check_suite.map(|suite| train::CheckGate {
            suite,
            fail_under: args.check_fail_under,
            allow_failing: args.allow_failing_check,
        }),
    };
    let manifest = train::train(&job)?;
    println!(
        "wrote {} ({} parameters)",
        job.out.display(),
        manifest.weights.parameters
    );
    Ok(())
}
