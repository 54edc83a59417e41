//! `textserve explain` and `textserve faithfulness`: why the model decided, and how faithful
//! those explanations are.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, DataFileArgs, available_cores};
use crate::explain::ExplainMethod;
use crate::model::{Model, set_torch_threads};
use crate::train::{self};

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Attribution method.
    #[arg(long, value_enum, default_value_t = ExplainMethod::Occlusion)]
    pub method: ExplainMethod,
    /// Kernel SHAP coalitions (shap only; default 256).
    #[arg(long)]
    pub samples: Option<u32>,
    /// Kernel SHAP sampling seed (shap only; default 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Label whose probability is explained (default: the predicted one).
    #[arg(long)]
    pub label: Option<String>,
    /// Print the JSON /v1/explain answers instead of coloured words.
    #[arg(long)]
    pub json: bool,
    /// The text to explain.
    pub text: String,
}

#[derive(Debug, Clone, Args)]
pub struct FaithfulnessArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Labelled data; by default a part of the split recorded in the model.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which part of the recorded split to rebuild when no --data is given.
    #[arg(long, value_enum, default_value_t = crate::train::RecordedSplit::Validation, conflicts_with = "data")]
    pub split: crate::train::RecordedSplit,
    #[command(flatten)]
    pub file: DataFileArgs,
    /// Measure on at most this many texts (a seeded sample); 0 takes them all.
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    /// Kernel SHAP coalitions per text.
    #[arg(long, default_value_t = crate::explain::DEFAULT_SHAP_SAMPLES as u32, value_parser = clap::value_parser!(u32).range(1..=2048))]
    pub samples: u32,
    /// Seed of the random ranking, the sample of texts and Kernel SHAP.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<()> {
    use crate::serve::explain::{ExplainResponse, label_index, method};
    use std::io::IsTerminal;
    set_torch_threads(std::num::NonZeroUsize::MIN);
    anyhow::ensure!(!args.text.trim().is_empty(), "the text to explain is empty");
    let model = Model::load(&args.model)?;
    // As many coalitions as a server allows by default at most: each is a forward pass row.
    let chosen = method(args.method, args.samples, args.seed, 2048)
        .map_err(|(_, message)| anyhow::anyhow!(message))?;
    let label = match &args.label {
        Some(name) => Some(label_index(model.labels(), name).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let mut plan = crate::explain::Plan::new(model.tokenizer(), &args.text, chosen);
    let probabilities = model.probabilities_for_ids(&plan.take_rows(), 256);
    let explanation = plan.explain(&args.text, &probabilities, label);
    let served = crate::runtime::ServedModel::from_model(&model);
    if args.json {
        let response = ExplainResponse::new(&served, args.method, explanation);
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(());
    }
    let prediction = served.label_scores(&explanation.probabilities);
    let others: Vec<String> = prediction
        .probabilities
        .iter()
        .map(|(l, p)| format!("{l} {p:.4}"))
        .collect();
    let explained = &model.labels()[explanation.explained_label];
    println!(
        "{} {:.4}   ({})",
        prediction.label,
        prediction.score,
        others.join(", ")
    );
    let colour = std::io::stdout().is_terminal();
    println!(
        "{}",
        crate::explain::render::highlighted_text(&args.text, &explanation.words, colour)
    );
    println!(
        "explained: {explained} · {} · base score {:.4}{}",
        explanation.method.name(),
        explanation.base_score,
        if colour {
            format!(
                " · \x1b[48;2;33;102;172m\x1b[97m supports {explained} \x1b[0m \x1b[48;2;179;88;6m\x1b[97m against \x1b[0m"
            )
        } else {
            String::new()
        }
    );
    print!(
        "{}",
        crate::explain::render::strongest_words(&explanation.words, 8)
    );
    Ok(())
}

pub fn faithfulness(args: FaithfulnessArgs) -> anyhow::Result<()> {
    use crate::explain::{Method, faithfulness};
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let mut examples = train::evaluation_examples(
        &model,
        args.data.as_deref(),
        &args.file.read_options(),
        args.split,
    )?;
    if args.limit > 0 && args.limit < examples.len() {
        crate::data::SplitMix64::new(args.seed).shuffle(&mut examples);
        examples.truncate(args.limit);
    }
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let methods = [
        Method::Occlusion,
        Method::Shap {
            samples: args.samples as usize,
            seed: args.seed,
        },
    ];
    let report = faithfulness::measure(model.tokenizer(), &texts, &methods, args.seed, |rows| {
        model.probabilities_for_ids(rows, 256)
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(())
}
