//! `textserve predict`: texts from the command line, or a file of any size in (JSONL, CSV,
//! TSV) and one result line per input line out, without a server.

use std::io::{BufWriter, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::config::{DEFAULT_MODEL_DIR, available_cores};
use crate::data::Format;
use crate::model::{Model, argmax, set_torch_threads};
use crate::serve::error::{ApiError, ErrorDetail};
use crate::serve::stream::{
    LineContent, LineReader, StreamLineError, StreamPrediction, max_line_bytes, parse_line,
};

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
fn predict_file(args: &PredictArgs, input: &Path) -> anyhow::Result<()> {
    let model = Model::load(&args.model)?;
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
    let bar = progress_bar(file.metadata().map(|m| m.len()).unwrap_or(0));
    let file = bar.wrap_read(file);
    let mut results = Results {
        served: crate::runtime::ServedModel::from_model(&model),
        model: &model,
        out: open_output(&args.output)?,
        pending: Vec::new(),
        lines: 0,
        errors: 0,
    };
    let max_chars = args.max_text_chars.get();
    match format {
        Format::Jsonl => read_jsonl(file, max_chars, &mut results)?,
        Format::Csv | Format::Tsv => {
            let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
            read_delimited(file, delimiter, &args.text_field, max_chars, &mut results)
                .with_context(|| input.display().to_string())?
        }
    }
    results.flush()?;
    results.out.flush()?;
    bar.finish_and_clear();
    eprintln!(
        "{} {} classified, {} with errors → {}",
        results.lines,
        if format == Format::Jsonl {
            "lines"
        } else {
            "records"
        },
        results.errors,
        args.output.display()
    );
    Ok(())
}

fn progress_bar(bytes: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(bytes);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta} {msg}",
        )
        .expect("progress template"),
    );
    bar
}

/// Standard output for `-`, else the file, created.
fn open_output(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    Ok(if path.as_os_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
        Box::new(BufWriter::new(file))
    })
}

/// Input lines waiting for a forward pass, and the output they go to in input order: one result
/// line per input line, a prediction or the error the bulk stream would give for it.
struct Results<'a> {
    model: &'a Model,
    served: crate::runtime::ServedModel,
    out: Box<dyn Write>,
    pending: Vec<(u64, Result<String, ApiError>)>,
    /// The last input line read, and how many of them were errors.
    lines: u64,
    errors: u64,
}

impl Results<'_> {
    fn push(&mut self, line: u64, text: Result<String, ApiError>) -> anyhow::Result<()> {
        self.lines = line;
        self.pending.push((line, text));
        if self.pending.len() >= FILE_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        let texts: Vec<&str> = self
            .pending
            .iter()
            .filter_map(|(_, t)| t.as_ref().ok().map(String::as_str))
            .collect();
        let mut probabilities = self.model.predict_texts(&texts, 256).into_iter();
        for (line, text) in self.pending.drain(..) {
            let json = match text {
                Ok(_) => {
                    let p = probabilities.next().expect("one result per text");
                    serde_json::to_string(&StreamPrediction {
                        line,
                        prediction: self.served.label_scores(&p),
                    })
                }
                Err(error) => {
                    self.errors += 1;
                    serde_json::to_string(&StreamLineError {
                        line,
                        error: ErrorDetail {
                            code: error.code.to_string(),
                            message: error.message,
                        },
                    })
                }
            }?;
            writeln!(self.out, "{json}")?;
        }
        Ok(())
    }
}

/// JSONL read in chunks and split into lines as the bulk stream splits them, with its errors.
fn read_jsonl(mut file: impl Read, max_chars: usize, results: &mut Results) -> anyhow::Result<()> {
    let mut reader = LineReader::new(max_line_bytes(max_chars));
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut chunk)?;
        let complete: Vec<(u64, LineContent)> = if read == 0 {
            reader.finish().into_iter().collect()
        } else {
            reader.push(&chunk[..read])
        };
        for (line, content) in complete {
            results.push(line, parse_line(content, max_chars))?;
        }
        if read == 0 {
            return Ok(());
        }
    }
}

/// CSV or TSV with a header naming `text_field`; a record it cannot read is an error line.
fn read_delimited(
    file: impl Read,
    delimiter: u8,
    text_field: &str,
    max_chars: usize,
    results: &mut Results,
) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(file);
    let column = reader
        .headers()?
        .iter()
        .position(|h| h == text_field)
        .with_context(|| format!("no column {text_field:?}"))?;
    for (index, record) in reader.byte_records().enumerate() {
        let text = match record {
            Err(error) => Err(ApiError::unprocessable(
                "malformed_record",
                error.to_string(),
            )),
            Ok(record) => match record.get(column).map(std::str::from_utf8) {
                None => Err(ApiError::unprocessable(
                    "invalid_request",
                    format!("the record has no {text_field:?} column"),
                )),
                Some(Err(_)) => Err(ApiError::unprocessable(
                    "invalid_utf8",
                    "the text is not valid UTF-8",
                )),
                Some(Ok(text)) => {
                    crate::serve::routes::validate_text(text, max_chars).map(|()| text.to_string())
                }
            },
        };
        results.push(index as u64 + 1, text)?;
    }
    Ok(())
}
