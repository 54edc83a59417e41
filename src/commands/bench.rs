//! `textserve bench`: the in-process ceiling, raw forward passes at several batch sizes and
//! under random arrivals, without HTTP.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, available_cores};
use crate::model::{Model, ModuleFailed, set_torch_threads};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Dataset whose texts are classified (JSONL with a "text" field).
    #[arg(long, default_value = "data/zh-reviews.jsonl")]
    pub data: PathBuf,
    /// Batch sizes to measure.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,4,8,16,32,64,128,256"
    )]
    pub batch_sizes: Vec<usize>,
    /// Sizes of the random-arrival batches: texts in random order, split into forward passes
    /// exactly as the server's batcher splits them.
    #[arg(long, value_delimiter = ',', default_value = "8,16,32,64,128")]
    pub arrival_batch_sizes: Vec<usize>,
    /// Corpus texts sampled for the measurement.
    #[arg(long, default_value_t = 4096)]
    pub sample: usize,
    /// Seconds of measurement per batch size.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// libtorch intra-op threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value = "1")]
    pub threads: NonZeroUsize,
    /// Threads running forward passes at the same time, each with its own copy of the model
    /// (as the server's `--workers`).
    #[arg(long, env = "TEXTSERVE_WORKERS", default_value_t = available_cores())]
    pub workers: NonZeroUsize,
}

fn lengths_of(batch: &[&[i64]]) -> Vec<usize> {
    batch.iter().map(|ids| ids.len()).collect()
}

/// `textserve bench`: raw forward passes over real texts, no HTTP, no queue, as Markdown tables:
/// the ceiling (length-sorted batches) and random arrivals split as the server splits them.
pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let model = Model::load(&args.model)?;
    let arrivals = sample_texts(&args, &model)?;
    let mut sorted = arrivals.clone();
    sorted.sort_by_key(Vec::len);
    let mean_tokens =
        sorted.iter().map(Vec::len).sum::<usize>() as f64 / sorted.len().max(1) as f64;
    println!(
        "model {} {}, {} corpus texts (mean {:.1} tokens), {} worker(s) with {} libtorch thread(s) each, {} s per row\n",
        model.name(),
        model.version(),
        sorted.len(),
        mean_tokens,
        args.workers,
        args.threads,
        args.seconds
    );
    let workers = Workers {
        first: &model,
        model_dir: &args.model,
        count: args.workers.get(),
        threads: args.threads,
        budget: Duration::from_secs_f64(args.seconds),
    };
    ceiling_table(&workers, &sorted, &args.batch_sizes)?;
    arrivals_table(&workers, &arrivals, &args.arrival_batch_sizes)
}

/// `args.sample` texts of the data file in a fixed random order, encoded.
fn sample_texts(args: &BenchArgs, model: &Model) -> anyhow::Result<Vec<Vec<i64>>> {
    let texts: Vec<String> =
        crate::data::Dataset::read(&args.data, &crate::data::ReadOptions::default())?
            .examples
            .into_iter()
            .map(|e| e.text)
            .collect();
    let mut rng = crate::data::SplitMix64::new(1);
    let mut order: Vec<usize> = (0..texts.len()).collect();
    rng.shuffle(&mut order);
    order.truncate(args.sample);
    Ok(order
        .iter()
        .map(|&i| model.tokenizer().encode(&texts[i]).ids)
        .collect())
}

/// What one batch of a benchmark row computes.
type ForwardPasses = dyn Fn(&Model, &[&[i64]]) -> Result<(), ModuleFailed> + Sync;

/// Forward passes on `count` threads at once, each with its own copy of the model (as the
/// server's workers have); the first is this thread with the model already loaded.
struct Workers<'a> {
    first: &'a Model,
    model_dir: &'a Path,
    count: usize,
    threads: NonZeroUsize,
    budget: Duration,
}

impl Workers<'_> {
    /// Runs `batches` in shuffled order on every worker until the budget is spent: total
    /// items/s and mean ms per batch.
    fn measure(&self, batches: &[Vec<&[i64]>], run: &ForwardPasses) -> anyhow::Result<(f64, f64)> {
        let budget = self.budget;
        let one_worker = |worker: usize, model: &Model| -> anyhow::Result<(f64, f64)> {
            let mut rng = crate::data::SplitMix64::new(2 + worker as u64);
            let mut visit: Vec<usize> = (0..batches.len()).collect();
            rng.shuffle(&mut visit);
            // Warm-up: the first pass at a new shape allocates.
            run(model, &batches[visit[0]])?;
            let (mut items, mut count) = (0usize, 0usize);
            let started = Instant::now();
            while started.elapsed() < budget {
                let batch = &batches[visit[count % visit.len()]];
                run(model, batch)?;
                items += batch.len();
                count += 1;
            }
            let seconds = started.elapsed().as_secs_f64();
            Ok((items as f64 / seconds, seconds * 1000.0 / count as f64))
        };
        let results = std::thread::scope(|scope| {
            let others: Vec<_> = (1..self.count)
                .map(|worker| {
                    let (threads, model_dir) = (self.threads, self.model_dir);
                    scope.spawn(move || -> anyhow::Result<(f64, f64)> {
                        // OpenMP's thread count is per calling thread.
                        set_torch_threads(threads);
                        let model = Model::load(model_dir)?;
                        one_worker(worker, &model)
                    })
                })
                .collect();
            let mut results = vec![one_worker(0, self.first)];
            results.extend(
                others
                    .into_iter()
                    .map(|handle| handle.join().expect("bench worker")),
            );
            results.into_iter().collect::<anyhow::Result<Vec<_>>>()
        })?;
        let items_per_s = results.iter().map(|(rate, _)| rate).sum();
        let ms = results.iter().map(|(_, ms)| ms).sum::<f64>() / results.len() as f64;
        Ok((items_per_s, ms))
    }
}

/// Length-sorted batches, one forward pass each: the best case for the raw model.
fn ceiling_table(
    workers: &Workers,
    sorted: &[Vec<i64>],
    batch_sizes: &[usize],
) -> anyhow::Result<()> {
    println!(
        "Ceiling: length-sorted batches, one forward pass each (the best case for the raw model).\n"
    );
    println!("| batch size | items/s | ms per batch |");
    println!("|---:|---:|---:|");
    for &batch_size in batch_sizes {
        let batches: Vec<Vec<&[i64]>> = sorted
            .chunks(batch_size)
            .map(|chunk| chunk.iter().map(Vec::as_slice).collect())
            .collect();
        let (items_per_s, ms) = workers.measure(&batches, &|model, batch| {
            model.try_forward_probabilities(batch).map(drop)
        })?;
        println!("| {batch_size} | {items_per_s:.0} | {ms:.2} |");
    }
    Ok(())
}

/// Texts in arrival order, each batch split into forward passes as the server's batcher
/// splits it.
fn arrivals_table(
    workers: &Workers,
    arrivals: &[Vec<i64>],
    batch_sizes: &[usize],
) -> anyhow::Result<()> {
    println!(
        "\nRandom arrivals: texts in random order, each batch split into forward passes as the server's batcher splits it.\n"
    );
    println!("| batch size | items/s | ms per batch | forward passes per batch |");
    println!("|---:|---:|---:|---:|");
    for &batch_size in batch_sizes {
        let batches: Vec<Vec<&[i64]>> = arrivals
            .chunks(batch_size)
            .map(|chunk| {
                let mut batch: Vec<&[i64]> = chunk.iter().map(Vec::as_slice).collect();
                batch.sort_by_key(|ids| ids.len());
                batch
            })
            .collect();
        let passes: usize = batches
            .iter()
            .map(|b| crate::model::plan_forward_passes(&lengths_of(b)).len())
            .sum();
        let (items_per_s, ms) = workers.measure(&batches, &|model, batch| {
            for pass in crate::model::plan_forward_passes(&lengths_of(batch)) {
                model.try_forward_probabilities(&batch[pass])?;
            }
            Ok(())
        })?;
        println!(
            "| {batch_size} | {items_per_s:.0} | {ms:.2} | {:.1} |",
            passes as f64 / batches.len() as f64
        );
    }
    Ok(())
}
