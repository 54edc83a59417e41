//! `textserve check`: a behavioural suite run on a model, with a gate for CI.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, available_cores, parse_fraction};
use crate::model::{Model, set_torch_threads};

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Suite file (JSONL; format in README.md).
    #[arg(long)]
    pub suite: PathBuf,
    /// Print the whole report (every failure) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit non-zero when any capability passes fewer than this share of its cases (0–1).
    #[arg(long, value_parser = parse_fraction)]
    pub fail_under: Option<f64>,
    /// Failures listed in the text report.
    #[arg(long, default_value_t = 20)]
    pub max_failures: usize,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
}

pub fn check(args: CheckArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let suite = crate::check::Suite::read(&args.suite)?;
    let report = crate::check::run_on_model(&suite, &model)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render(args.max_failures));
    }
    crate::check::gate(&report, args.fail_under)
}
