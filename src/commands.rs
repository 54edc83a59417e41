//! What each subcommand does; main.rs only parses and dispatches.

use anyhow::Context;

use crate::config::{EvalArgs, ImportArgs, PredictArgs, TrainArgs};
use crate::model::{Model, argmax};
use crate::train::{self, TrainJob};

/// libtorch defaults to one intra-op thread per core; set it explicitly so training, evaluation
/// and the server never oversubscribe a small machine. (The inter-op pool is set to one thread
/// at process start in main.rs: libtorch refuses to resize it once parallel work has run.)
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

pub fn card(args: crate::config::CardArgs) -> anyhow::Result<()> {
    let manifest_path = args.model.join(crate::model::artifact::MANIFEST_FILE);
    let manifest: crate::model::Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| manifest_path.display().to_string())?,
    )
    .with_context(|| manifest_path.display().to_string())?;
    let notes = args
        .notes
        .map(|path| std::fs::read_to_string(&path).with_context(|| path.display().to_string()))
        .transpose()?;
    let card = crate::train::card::render(&manifest, &args.model, notes.as_deref());
    let card_path = args.model.join(crate::model::artifact::CARD_FILE);
    std::fs::write(&card_path, card).with_context(|| card_path.display().to_string())?;
    println!("wrote {}", card_path.display());
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

/// `textserve bench`: the in-process ceiling — raw forward passes over real texts, no HTTP, no
/// queue — at each batch size, as a Markdown table.
pub fn bench(args: crate::config::BenchArgs) -> anyhow::Result<()> {
    use std::time::{Duration, Instant};
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let texts: Vec<String> =
        crate::data::Dataset::read(&args.data, &crate::data::ReadOptions::default())?
            .examples
            .into_iter()
            .map(|e| e.text)
            .collect();
    // The best case for the raw model: batches of texts of similar length (as the server's
    // batcher forms them), so no batch pays for padding up to one long outlier.
    let mut rng = crate::data::SplitMix64::new(1);
    let mut order: Vec<usize> = (0..texts.len()).collect();
    rng.shuffle(&mut order);
    order.truncate(args.sample);
    let mut encoded: Vec<Vec<i64>> = order
        .iter()
        .map(|&i| model.tokenizer().encode(&texts[i]).ids)
        .collect();
    encoded.sort_by_key(Vec::len);
    let mean_tokens =
        encoded.iter().map(Vec::len).sum::<usize>() as f64 / encoded.len().max(1) as f64;
    println!(
        "model {} {}, {} corpus texts (mean {:.1} tokens) in length-sorted batches, libtorch threads {}, {} s per batch size\n",
        model.manifest().name,
        model.manifest().version,
        encoded.len(),
        mean_tokens,
        args.threads,
        args.seconds
    );
    println!("| batch size | items/s | ms per batch |");
    println!("|---:|---:|---:|");
    let budget = Duration::from_secs_f64(args.seconds);
    for &batch_size in &args.batch_sizes {
        let batches_of_size: Vec<Vec<&[i64]>> = encoded
            .chunks(batch_size)
            .map(|chunk| chunk.iter().map(Vec::as_slice).collect())
            .collect();
        let mut visit: Vec<usize> = (0..batches_of_size.len()).collect();
        rng.shuffle(&mut visit);
        let mut items = 0usize;
        let mut batches = 0usize;
        // Warm-up: the first pass at a new shape allocates.
        crate::model::forward_probabilities(model.classifier(), &batches_of_size[visit[0]]);
        let started = Instant::now();
        while started.elapsed() < budget {
            let batch = &batches_of_size[visit[batches % visit.len()]];
            crate::model::forward_probabilities(model.classifier(), batch);
            items += batch.len();
            batches += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| {batch_size} | {:.0} | {:.2} |",
            items as f64 / seconds,
            seconds * 1000.0 / batches as f64
        );
    }
    Ok(())
}
