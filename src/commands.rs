//! What each subcommand does; main.rs only parses and dispatches.

use anyhow::Context;

use crate::config::{EvalArgs, ImportArgs, PredictArgs, TrainArgs};
use crate::model::{Classifier, Model, argmax, set_torch_threads};
use crate::train::{self, TrainJob};

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

pub fn predict(args: PredictArgs) -> anyhow::Result<()> {
    if let Some(input) = &args.input {
        set_torch_threads(args.threads);
        return predict_file(&args, input);
    }
    set_torch_threads(std::num::NonZeroUsize::MIN);
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

pub fn check(args: crate::config::CheckArgs) -> anyhow::Result<()> {
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

/// GET /health/ready over plain HTTP/1.1 on loopback: what a container's HEALTHCHECK needs,
/// without shipping curl in the image.
pub fn healthcheck(args: crate::config::HealthcheckArgs) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};

    let host = match args.host {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let address = SocketAddr::new(host, args.port);
    let timeout = std::time::Duration::from_millis(args.timeout_ms.max(1));
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| anyhow::anyhow!("no server on {address}: {e}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request =
        format!("GET /health/ready HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    // The status line and the small JSON body fit well within this; no more is read.
    let mut response = Vec::with_capacity(1024);
    stream.take(64 * 1024).read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status = response
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").trim();
    if status == "200" {
        println!("ready: {body}");
        Ok(())
    } else {
        anyhow::bail!("not ready ({address} answered {status:?}): {body}")
    }
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

fn lengths_of(batch: &[&[i64]]) -> Vec<usize> {
    batch.iter().map(|ids| ids.len()).collect()
}

/// `textserve bench`: raw forward passes over real texts, no HTTP, no queue, as Markdown tables:
/// the ceiling (length-sorted batches) and random arrivals split as the server splits them.
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
    let mut rng = crate::data::SplitMix64::new(1);
    let mut order: Vec<usize> = (0..texts.len()).collect();
    rng.shuffle(&mut order);
    order.truncate(args.sample);
    let arrivals: Vec<Vec<i64>> = order
        .iter()
        .map(|&i| model.tokenizer().encode(&texts[i]).ids)
        .collect();
    let mut sorted = arrivals.clone();
    sorted.sort_by_key(Vec::len);
    let mean_tokens =
        sorted.iter().map(Vec::len).sum::<usize>() as f64 / sorted.len().max(1) as f64;
    let workers = args.workers.get();
    println!(
        "model {} {}, {} corpus texts (mean {:.1} tokens), {} worker(s) with {} libtorch thread(s) each, {} s per row\n",
        model.manifest().name,
        model.manifest().version,
        sorted.len(),
        mean_tokens,
        workers,
        args.threads,
        args.seconds
    );
    let budget = Duration::from_secs_f64(args.seconds);
    let model_dir = args.model.as_path();
    let threads = args.threads;
    // Runs `batches` in shuffled order until the budget is spent, on `workers` threads at once,
    // each with its own copy of the model (as the server's workers have): total items/s and
    // mean ms per batch. Worker 0 is this thread with the model already loaded.
    let measure = |batches: &[Vec<&[i64]>],
                   run: &(dyn Fn(&Classifier, &[&[i64]]) + Sync)|
     -> anyhow::Result<(f64, f64)> {
        let one_worker = |worker: usize, classifier: &Classifier| -> (f64, f64) {
            let mut rng = crate::data::SplitMix64::new(2 + worker as u64);
            let mut visit: Vec<usize> = (0..batches.len()).collect();
            rng.shuffle(&mut visit);
            // Warm-up: the first pass at a new shape allocates.
            run(classifier, &batches[visit[0]]);
            let (mut items, mut count) = (0usize, 0usize);
            let started = Instant::now();
            while started.elapsed() < budget {
                let batch = &batches[visit[count % visit.len()]];
                run(classifier, batch);
                items += batch.len();
                count += 1;
            }
            let seconds = started.elapsed().as_secs_f64();
            (items as f64 / seconds, seconds * 1000.0 / count as f64)
        };
        let results = std::thread::scope(|scope| {
            let others: Vec<_> = (1..workers)
                .map(|worker| {
                    scope.spawn(move || -> anyhow::Result<(f64, f64)> {
                        // OpenMP's thread count is per calling thread.
                        set_torch_threads(threads);
                        let model = Model::load(model_dir)?;
                        Ok(one_worker(worker, model.classifier()))
                    })
                })
                .collect();
            let mut results = vec![Ok(one_worker(0, model.classifier()))];
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
    };

    println!(
        "Ceiling: length-sorted batches, one forward pass each (the best case for the raw model).\n"
    );
    println!("| batch size | items/s | ms per batch |");
    println!("|---:|---:|---:|");
    for &batch_size in &args.batch_sizes {
        let batches: Vec<Vec<&[i64]>> = sorted
            .chunks(batch_size)
            .map(|chunk| chunk.iter().map(Vec::as_slice).collect())
            .collect();
        let (items_per_s, ms) = measure(&batches, &|classifier, batch| {
            crate::model::forward_probabilities(classifier, batch);
        })?;
        println!("| {batch_size} | {items_per_s:.0} | {ms:.2} |");
    }

    println!(
        "\nRandom arrivals: texts in random order, each batch split into forward passes as the server's batcher splits it.\n"
    );
    println!("| batch size | items/s | ms per batch | forward passes per batch |");
    println!("|---:|---:|---:|---:|");
    for &batch_size in &args.arrival_batch_sizes {
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
        let (items_per_s, ms) = measure(&batches, &|classifier, batch| {
            for pass in crate::model::plan_forward_passes(&lengths_of(batch)) {
                crate::model::forward_probabilities(classifier, &batch[pass]);
            }
        })?;
        println!(
            "| {batch_size} | {items_per_s:.0} | {ms:.2} | {:.1} |",
            passes as f64 / batches.len() as f64
        );
    }
    Ok(())
}

pub fn explain(args: crate::config::ExplainArgs) -> anyhow::Result<()> {
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

pub fn faithfulness(args: crate::config::FaithfulnessArgs) -> anyhow::Result<()> {
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

/// Texts classified per forward-pass group when reading a file: bounds memory whatever the
/// file's size, and keeps passes large.
const FILE_CHUNK: usize = 2048;

/// `predict --input`: every line (JSONL) or record (CSV/TSV) of a file, in order, one result or
/// error line each — the same lines and errors as POST /v1/predict/stream.
fn predict_file(args: &PredictArgs, input: &std::path::Path) -> anyhow::Result<()> {
    use crate::data::Format;
    use crate::serve::stream::{LineContent, LineReader, max_line_bytes, parse_line};
    use std::io::{BufWriter, Read, Write};

    let model = Model::load(&args.model)?;
    let served = crate::runtime::ServedModel::from_model(&model);
    let format = args
        .format
        .or_else(|| Format::from_extension(input))
        .with_context(|| {
            format!(
                "{}: cannot tell the format from the extension; use --format jsonl|csv|tsv",
                input.display()
            )
        })?;
    let file = std::fs::File::open(input).with_context(|| input.display().to_string())?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta} {msg}",
        )
        .expect("progress template"),
    );
    let file = bar.wrap_read(file);
    let mut out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        let file = std::fs::File::create(&args.output)
            .with_context(|| args.output.display().to_string())?;
        Box::new(BufWriter::new(file))
    };
    let (mut lines, mut errors) = (0u64, 0u64);
    let mut pending = Vec::new();
    type Pending = Vec<(u64, Result<String, crate::serve::error::ApiError>)>;
    let mut flush = |pending: &mut Pending, out: &mut Box<dyn Write>| {
        let texts: Vec<&str> = pending
            .iter()
            .filter_map(|(_, t)| t.as_ref().ok().map(String::as_str))
            .collect();
        let mut probabilities = model.predict_texts(&texts, 256).into_iter();
        for (line, text) in pending.drain(..) {
            let json = match text {
                Ok(_) => {
                    let p = probabilities.next().expect("one result per text");
                    serde_json::to_string(&crate::serve::stream::StreamPrediction {
                        line,
                        prediction: served.label_scores(&p),
                    })
                }
                Err(error) => {
                    errors += 1;
                    serde_json::to_string(&crate::serve::stream::StreamLineError {
                        line,
                        error: crate::serve::error::ErrorDetail {
                            code: error.code.to_string(),
                            message: error.message,
                        },
                    })
                }
            }?;
            writeln!(out, "{json}")?;
        }
        anyhow::Ok(())
    };
    match format {
        Format::Jsonl => {
            let mut reader = LineReader::new(max_line_bytes(args.max_text_chars.get()));
            let mut file = file;
            let mut chunk = vec![0u8; 64 * 1024];
            let mut finished = false;
            while !finished {
                let read = file.read(&mut chunk)?;
                let complete: Vec<(u64, LineContent)> = if read == 0 {
                    finished = true;
                    reader.finish().into_iter().collect()
                } else {
                    reader.push(&chunk[..read])
                };
                for (line, content) in complete {
                    lines = line;
                    pending.push((line, parse_line(content, args.max_text_chars.get())));
                    if pending.len() >= FILE_CHUNK {
                        flush(&mut pending, &mut out)?;
                    }
                }
            }
        }
        Format::Csv | Format::Tsv => {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(if format == Format::Tsv { b'\t' } else { b',' })
                .flexible(true)
                .from_reader(file);
            let column = reader
                .headers()?
                .iter()
                .position(|h| h == args.text_field)
                .with_context(|| format!("{}: no column {:?}", input.display(), args.text_field))?;
            for (index, record) in reader.byte_records().enumerate() {
                let line = index as u64 + 1;
                lines = line;
                let text = match record {
                    Err(error) => Err(crate::serve::error::ApiError::unprocessable(
                        "malformed_record",
                        error.to_string(),
                    )),
                    Ok(record) => match record.get(column).map(std::str::from_utf8) {
                        None => Err(crate::serve::error::ApiError::unprocessable(
                            "invalid_request",
                            format!("the record has no {:?} column", args.text_field),
                        )),
                        Some(Err(_)) => Err(crate::serve::error::ApiError::unprocessable(
                            "invalid_utf8",
                            "the text is not valid UTF-8",
                        )),
                        Some(Ok(text)) => {
                            crate::serve::routes::validate_text(text, args.max_text_chars.get())
                                .map(|()| text.to_string())
                        }
                    },
                };
                pending.push((line, text));
                if pending.len() >= FILE_CHUNK {
                    flush(&mut pending, &mut out)?;
                }
            }
        }
    }
    flush(&mut pending, &mut out)?;
    out.flush()?;
    bar.finish_and_clear();
    eprintln!(
        "{lines} {} classified, {errors} with errors → {}",
        if format == Format::Jsonl {
            "lines"
        } else {
            "records"
        },
        args.output.display()
    );
    Ok(())
}
