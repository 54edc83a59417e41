//! `textserve eval`: a model's figures on its recorded split or on new labelled data.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, DataFileArgs, available_cores};
use crate::model::{Model, set_torch_threads};
use crate::train::{self};

#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Labelled data to evaluate on; by default a part of the split recorded in the model.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which part of the recorded split to rebuild when no --data is given.
    #[arg(long, value_enum, default_value_t, conflicts_with = "data")]
    pub split: crate::train::RecordedSplit,
    /// Write every misclassified example here as JSONL (text, label, predicted,
    /// label_probability, probabilities), the most confident mistakes first.
    #[arg(long)]
    pub misclassified: Option<PathBuf>,
    #[command(flatten)]
    pub file: DataFileArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
}

pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let examples = train::evaluation_examples(
        &model,
        args.data.as_deref(),
        &args.file.read_options(),
        args.split,
    )?;
    let (evaluation, mistakes) = train::evaluate_with_mistakes(&model, &examples)?;
    if let Some(path) = &args.misclassified {
        crate::data::write_jsonl(path, &mistakes).with_context(|| path.display().to_string())?;
        eprintln!(
            "wrote {} ({} misclassified)",
            path.display(),
            mistakes.len()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        print!("{}", evaluation.report());
    }
    Ok(())
}
