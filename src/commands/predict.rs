//! `textserve predict`: texts from the command line, or a file of any size in (JSONL, CSV,
//! TSV) and one result line per input line out, without a server.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, available_cores};
use crate::data::Format;
use crate::model::{Model, argmax, set_torch_threads};

#[derive(Debug, Clone, Args)]
pub struct PredictArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Print one JSON object per text.
    #[arg(long)]
    pub json: bool,
    /// Classify every line of this file instead: JSONL (`{"text": ...}` per line, as the
    /// stream endpoint takes) or CSV/TSV with a text column, by extension or --format.
    #[arg(long, conflicts_with = "texts")]
    pub input: Option<PathBuf>,
    /// Where --input's results go, one JSON line per input line/record: `{"line", "label",
    /// "score", "probabilities"}` or `{"line", "error"}`; `-` for standard output.
    #[arg(long, requires = "input", default_value = "-")]
    pub output: PathBuf,
    /// --input's format (default: from the extension).
    #[arg(long, value_enum, requires = "input")]
    pub format: Option<Format>,
    /// CSV/TSV column holding the text.
    #[arg(long, default_value = "text", requires = "input")]
    pub text_field: String,
    /// Longest text, in characters; longer ones get an error line.
    #[arg(long, default_value = "10000")]
    pub max_text_chars: NonZeroUsize,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
    /// Texts to classify.
    #[arg(required_unless_present = "input")]
    pub texts: Vec<String>,
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
