//! The command line: every flag has an environment variable and a doc comment shown in `--help`.

use std::net::IpAddr;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::data::Format;
use crate::train::TrainConfig;

pub const DEFAULT_MODEL_DIR: &str = "models/zh-reviews-sentiment";

#[derive(Debug, Parser)]
#[command(
    name = "textserve",
    version,
    about = "Train and serve LSTM text classifiers"
)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a model over HTTP.
    Serve(ServeConfig),
    /// Train a model from a labelled dataset file and write a model directory.
    Train(TrainArgs),
    /// Evaluate a model: accuracy, macro-F1, per-class metrics, confusion matrix.
    Eval(EvalArgs),
    /// Classify texts given on the command line.
    Predict(PredictArgs),
    /// Run a behavioural test suite (JSONL of MFT, INV and DIR cases) against a model.
    Check(CheckArgs),
    /// Show which words carried a prediction (occlusion or Kernel SHAP attributions).
    Explain(ExplainArgs),
    /// Measure how faithful explanations are (ERASER comprehensiveness and sufficiency) on a
    /// part of the model's recorded split.
    Faithfulness(FaithfulnessArgs),
    /// Prepare datasets.
    #[command(subcommand)]
    Data(DataCommand),
    /// Print the OpenAPI document the server serves at /openapi.json.
    Openapi,
    /// Rewrite a model's MODEL_CARD.md from its model.json (e.g. after editing the notes).
    Card(CardArgs),
    /// Ask a running server whether it is ready (GET /health/ready on the address `serve` is
    /// configured with); exit 0 when it is. For container health checks, with no curl needed.
    Healthcheck(HealthcheckArgs),
    /// Measure raw forward-pass throughput (the in-process ceiling) at several batch sizes.
    Bench(BenchArgs),
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The address the server binds; 0.0.0.0 and :: are asked on loopback.
    #[arg(long, env = "TEXTSERVE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port the server binds.
    #[arg(long, env = "TEXTSERVE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct CardArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Markdown file appended to the card.
    #[arg(long)]
    pub notes: Option<PathBuf>,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log line format.
    #[arg(long, global = true, env = "TEXTSERVE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `textserve=debug,tower_http=info`.
    #[arg(
        long,
        global = true,
        env = "TEXTSERVE_LOG_LEVEL",
        default_value = "info"
    )]
    pub log_level: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to bind. Inside containers use 0.0.0.0.
    #[arg(long, env = "TEXTSERVE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to bind (0 picks a free one and logs it).
    #[arg(long, env = "TEXTSERVE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Model directory to serve (default: models/zh-reviews-sentiment, unless
    /// --model-repository is given).
    #[arg(long, env = "TEXTSERVE_MODEL")]
    pub model: Option<PathBuf>,
    /// Directory of model directories: every subdirectory holding a model.json is served under
    /// the name its model.json gives (alongside --model, if given).
    #[arg(long, env = "TEXTSERVE_MODEL_REPOSITORY")]
    pub model_repository: Option<PathBuf>,
    /// The model /v1/predict, /v1/predict/batch, /v1/explain and /v1/predict/stream serve
    /// (default: --model's, or the repository's only model).
    #[arg(long, env = "TEXTSERVE_DEFAULT_MODEL")]
    pub default_model: Option<String>,
    /// When /health/ready answers 200: once the default model is ready, or once every model is.
    #[arg(long, env = "TEXTSERVE_READY_REQUIRES", value_enum, default_value_t = ReadyRequires::Default)]
    pub ready_requires: ReadyRequires,
    /// libtorch intra-op threads of each inference worker.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value = "1")]
    pub threads: NonZeroUsize,
    /// Inference workers: copies of the model, each on its own thread with `--threads` libtorch
    /// threads, all fed from the one queue (default: every core this process may use).
    #[arg(long, env = "TEXTSERVE_WORKERS", default_value_t = available_cores())]
    pub workers: NonZeroUsize,
    /// Most texts per model forward pass, and most texts per /v1/predict/batch request.
    #[arg(long, env = "TEXTSERVE_MAX_BATCH_SIZE", default_value = "256")]
    pub max_batch_size: NonZeroUsize,
    /// Longest wait for a forward pass to fill before it runs anyway, in milliseconds. 0 runs
    /// whatever is queued as soon as the model is free; batches still grow under load, because
    /// requests queue while a batch computes.
    #[arg(long, env = "TEXTSERVE_MAX_BATCH_DELAY_MS", default_value_t = 0)]
    pub max_batch_delay_ms: u64,
    /// Most texts waiting for the model; beyond it requests fail fast with 429.
    #[arg(long, env = "TEXTSERVE_MAX_QUEUE", default_value = "4096")]
    pub max_queue: NonZeroUsize,
    /// Most tokens (as the model sees them, after its length limit) a text may have to be
    /// explained; longer texts get 413. Occlusion queues one row per token and one more, so the
    /// default, 256, is lowered to what --max-queue can hold.
    #[arg(long, env = "TEXTSERVE_MAX_EXPLAIN_TOKENS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_explain_tokens: Option<u32>,
    /// Most Kernel SHAP coalitions one explanation may ask for (`samples`); more get 422. Shap
    /// queues `samples` + 2 rows, so the default, 2048, is lowered to what --max-queue can hold.
    #[arg(long, env = "TEXTSERVE_MAX_EXPLAIN_SAMPLES", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_explain_samples: Option<u32>,
    /// Longest accepted text, in characters (checked before tokenizing).
    #[arg(long, env = "TEXTSERVE_MAX_TEXT_CHARS", default_value = "10000")]
    pub max_text_chars: NonZeroUsize,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "TEXTSERVE_BODY_LIMIT", default_value = "2097152")]
    pub body_limit: NonZeroUsize,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "TEXTSERVE_SHUTDOWN_GRACE", default_value_t = 30)]
    pub shutdown_grace: u64,
    /// Time a client gets to send a request's headers, in milliseconds (slow-client protection).
    #[arg(long, env = "TEXTSERVE_HEADER_TIMEOUT_MS", default_value = "10000")]
    pub header_timeout_ms: NonZeroU64,
    /// Time a client gets to send a whole request body once its headers are in, in
    /// milliseconds; slower senders get 408 (slow-client protection).
    #[arg(long, env = "TEXTSERVE_BODY_TIMEOUT_MS", default_value = "10000")]
    pub body_timeout_ms: NonZeroU64,
    /// Most open connections; further ones are closed on accept.
    #[arg(long, env = "TEXTSERVE_MAX_CONNECTIONS", default_value = "1024")]
    pub max_connections: NonZeroUsize,
    /// Longest a prediction may wait in the queue plus run, in milliseconds; past it the client
    /// gets 503 and its queued texts are dropped.
    #[arg(long, env = "TEXTSERVE_REQUEST_TIMEOUT_MS", default_value = "10000")]
    pub request_timeout_ms: NonZeroU64,
    /// API key accepted as `Authorization: Bearer KEY` on /v1/* (repeat for rotation; the
    /// environment variable takes a comma-separated list). Never logged.
    #[arg(
        long = "api-key",
        env = "TEXTSERVE_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<RawApiKey>,
    /// File of API keys, one per line (# comments allowed).
    #[arg(long, env = "TEXTSERVE_API_KEY_FILE")]
    pub api_key_file: Option<PathBuf>,
    /// Serve /v1/* without keys on a non-loopback address (refused otherwise).
    #[arg(long, env = "TEXTSERVE_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: bool,
    /// Admin key accepted as `Authorization: Bearer KEY` on the model management routes
    /// (/v1/models/{name}/reload, /load, /unload); inference keys do not open them. Repeat for
    /// rotation; the environment variable takes a comma-separated list. Never logged.
    #[arg(
        long = "admin-api-key",
        env = "TEXTSERVE_ADMIN_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub admin_api_keys: Vec<RawApiKey>,
    /// Open the model management routes without an admin key (refused with 403 otherwise,
    /// even on loopback).
    #[arg(long, env = "TEXTSERVE_ALLOW_UNAUTHENTICATED_ADMIN")]
    pub allow_unauthenticated_admin: bool,
    /// Origin allowed to call the API from a browser (repeatable); CORS is off without one.
    #[arg(
        long = "cors-origin",
        env = "TEXTSERVE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<axum::http::HeaderValue>,
}

/// What `/health/ready` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReadyRequires {
    /// The default model is loaded and warm.
    Default,
    /// Every model of the repository is loaded and warm.
    All,
}

impl Default for ServeConfig {
    fn default() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            config: ServeConfig,
        }
        Defaults::parse_from(["defaults"]).config
    }
}

#[derive(Debug, Clone, Args)]
pub struct DataFileArgs {
    /// File format; by default taken from the extension (.jsonl, .csv, .tsv).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Field (JSONL) or column (CSV/TSV) holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Field or column holding the label.
    #[arg(long, default_value = "label")]
    pub label_field: String,
}

impl DataFileArgs {
    pub fn read_options(&self) -> crate::data::ReadOptions {
        crate::data::ReadOptions {
            format: self.format,
            text_field: self.text_field.clone(),
            label_field: self.label_field.clone(),
        }
    }
}

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

/// A share between 0 and 1 inclusive, as pass-rate bars are written.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a number between 0 and 1")),
    }
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Build a JSONL dataset from plain files holding one text per line, one file per label.
    Import(ImportArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// LABEL=FILE, repeated once per label.
    #[arg(long = "label", value_parser = parse_label_source, required = true)]
    pub labels: Vec<(String, PathBuf)>,
    /// Output JSONL file.
    #[arg(long)]
    pub out: PathBuf,
}

fn parse_label_source(s: &str) -> Result<(String, PathBuf), String> {
    let (label, path) = s.split_once('=').ok_or("expected LABEL=FILE")?;
    if label.trim().is_empty() || path.is_empty() {
        return Err("expected LABEL=FILE".into());
    }
    Ok((label.trim().to_string(), PathBuf::from(path)))
}

/// A key as given with `--api-key` or `TEXTSERVE_API_KEYS`, checked only after the command
/// line is parsed: clap's own error for a rejected value quotes the value, and a mistyped real
/// key would end up in the logs of whatever runs the process.
#[derive(Clone)]
pub struct RawApiKey(String);

impl std::fmt::Debug for RawApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawApiKey(<redacted>)")
    }
}

impl RawApiKey {
    /// The key itself, for the one place that checks it (`serve::security::check_keys`).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for RawApiKey {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// How an explanation attributes a prediction; chosen with `explain --method` and in the
/// body of `POST /v1/explain`.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize, utoipa::ToSchema, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ExplainMethod {
    /// Each token removed in turn, the variants batched together. Attribution = p(text) −
    /// p(text without the token); `base_score` = p(text).
    Occlusion,
    /// Kernel SHAP over tokens with `samples` coalitions (every coalition when they fit, which
    /// gives exact Shapley values). Attributions sum to p(text) − p(empty text); `base_score` =
    /// p(empty text).
    Shap,
}

/// Every core this process may use, CPU quotas of its cgroup included: the default number of
/// libtorch threads for single-stream work (train, eval, predict) and of inference workers for
/// `serve` and `bench`. On the 2-core development machine two workers with one thread each served
/// 20–65 % more requests/s than one worker with two threads from 16 clients up, which in turn
/// beat one worker with one thread (BENCHMARKS.md).
pub fn available_cores() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed_and_defaults_are_safe() {
        Cli::command().debug_assert();
        let serve = ServeConfig::default();
        assert!(serve.host.is_loopback());
        assert_eq!(serve.port, 8080);
        assert_eq!(serve.max_batch_size.get(), 256);
    }

    #[test]
    fn zero_sizes_and_timeouts_are_refused_when_parsed() {
        for flag in [
            "--threads",
            "--workers",
            "--max-batch-size",
            "--max-queue",
            "--max-text-chars",
            "--body-limit",
            "--header-timeout-ms",
            "--body-timeout-ms",
            "--max-connections",
            "--request-timeout-ms",
        ] {
            let error = Cli::try_parse_from(["textserve", "serve", flag, "0"])
                .expect_err(flag)
                .to_string();
            assert!(error.contains("zero"), "{flag}: {error}");
            assert!(
                Cli::try_parse_from(["textserve", "serve", flag, "1"]).is_ok(),
                "{flag}"
            );
        }
    }

    #[test]
    fn import_labels_parse() {
        assert_eq!(
            parse_label_source("negative=a/neg.txt").unwrap(),
            ("negative".into(), PathBuf::from("a/neg.txt"))
        );
        assert!(parse_label_source("nolabel").is_err());
        assert!(parse_label_source("=x").is_err());
    }
}
