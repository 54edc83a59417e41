//! What each subcommand does; main.rs only parses and dispatches.

use anyhow::Context;

use crate::config::{EvalArgs, ImportArgs, PredictArgs, TrainArgs};
use crate::model::{Model, argmax};
use crate::train::{self, TrainJob};

/// libtorch defaults to one intra-op thread per core; set it explicitly so training, evaluation
/// and the server never oversubscribe a small machine. The inter-op pool only runs TorchScript's
/// async forks, which textserve never uses, so it stays idle and is left alone (libtorch also
/// refuses to resize it once any parallel work has run).
pub fn set_torch_threads(threads: usize) {
    tch::set_num_threads(threads.max(1) as i32);
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
    };
    let manifest = train::train(&job)?;
    println!(
        "wrote {} ({} parameters)",
        job.out.display(),
        manifest.weights.parameters
    );
    Ok(())
}

pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let examples =
        train::evaluation_examples(&model, args.data.as_deref(), &args.file.read_options())?;
    let evaluation = train::evaluate(&model, &examples)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        print!("{}", evaluation.report());
    }
    Ok(())
}

pub fn predict(args: PredictArgs) -> anyhow::Result<()> {
    set_torch_threads(1);
    let model = Model::load(&args.model)?;
    let texts: Vec<&str> = args.texts.iter().map(String::as_str).collect();
    for (text, probabilities) in texts.iter().zip(model.predict_texts(&texts, 64)) {
        let (best, score) = argmax(&probabilities);
        let label = &model.labels()[best];
        if args.json {
            let probabilities: serde_json::Map<String, serde_json::Value> = model
                .labels()
                .iter()
                .zip(&probabilities)
                .map(|(l, p)| (l.clone(), serde_json::json!(p)))
                .collect();
            let line = serde_json::json!({"text": text, "label": label, "score": score, "probabilities": probabilities});
            println!("{line}");
        } else {
            let all: Vec<String> = model
                .labels()
                .iter()
                .zip(&probabilities)
                .map(|(l, p)| format!("{l}={p:.4}"))
                .collect();
            println!("{label}\t{score:.4}\t{}\t{text}", all.join(" "));
        }
    }
    Ok(())
}

pub fn data_import(args: ImportArgs) -> anyhow::Result<()> {
    let counts = crate::data::import_line_files(&args.labels, &args.out)?;
    let sha256 = crate::data::sha256_file(&args.out)?;
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    println!("wrote {} ({total} examples)", args.out.display());
    for (label, n) in counts {
        println!("  {label}: {n}");
    }
    println!("sha256 {sha256}");
    Ok(())
}
