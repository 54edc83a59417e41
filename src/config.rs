//! The command line's top level and the serve configuration (shared by the HTTP layer and the
//! runtime): every flag has an environment variable and a doc comment shown in `--help`. Each
//! other subcommand's arguments live beside it in `commands`.

use std::net::IpAddr;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use clap::{Args, Parser};

use crate::data::Format;

pub const DEFAULT_MODEL_DIR: &str = "models/zh-reviews-sentiment";

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
    /// JSON file of named keys with scopes (predict, explain, stream, admin) and optional rates,
    /// each key given by its SHA-256 (README, "Security"); reloaded on SIGHUP. Works beside
    /// --api-key and --admin-api-key.
    #[arg(long, env = "TEXTSERVE_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// PEM certificate chain (the server's certificate first): serve HTTPS only, TLS 1.2 and
    /// 1.3, HTTP/2 and HTTP/1.1 by ALPN. Reloaded on SIGHUP and `POST /v1/tls/reload`.
    #[arg(long, env = "TEXTSERVE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "TEXTSERVE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificates: every client must present a certificate from one of them (mutual
    /// TLS). Counts as authentication for serving on a non-loopback address.
    #[arg(long, env = "TEXTSERVE_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Time a client gets to finish the TLS handshake, in milliseconds; a connection still
    /// shaking hands holds one of --max-connections.
    #[arg(
        long,
        env = "TEXTSERVE_TLS_HANDSHAKE_TIMEOUT_MS",
        default_value = "10000"
    )]
    pub tls_handshake_timeout_ms: NonZeroU64,
    /// Look at the certificate, key and client CA files this often (seconds) and reload them
    /// when their contents change, as a renewed certificate in a mounted Secret does; 0 turns
    /// the watch off (SIGHUP and `POST /v1/tls/reload` still reload).
    #[arg(long, env = "TEXTSERVE_TLS_WATCH_INTERVAL_S", default_value = "60")]
    pub tls_watch_interval_s: u64,
    /// Store operators' corrections (`POST /v1/feedback`) in this SQLite database, created if
    /// missing: the only place textserve keeps comment text, and only with this flag.
    #[arg(long, env = "TEXTSERVE_FEEDBACK_DB")]
    pub feedback_db: Option<PathBuf>,
    /// Delete corrections older than this many days (checked at start and hourly); unset keeps
    /// them until exported and deleted by hand.
    #[arg(
        long,
        env = "TEXTSERVE_FEEDBACK_RETENTION_DAYS",
        requires = "feedback_db"
    )]
    pub feedback_retention_days: Option<std::num::NonZeroU32>,
    /// Shadow a model with a candidate of the repository: `NAME=CANDIDATE[:FRACTION]`
    /// (repeatable). The candidate also computes FRACTION (default 1) of the requests NAME
    /// answers, after the answer and only on idle cores, and its agreement with NAME is
    /// counted in `textserve_shadow_texts_total`; clients never see it.
    #[arg(long = "shadow", env = "TEXTSERVE_SHADOW", value_delimiter = ',')]
    pub shadows: Vec<String>,
    /// Answer a share of a model's /v1 prediction requests with a candidate of the
    /// repository: `NAME=CANDIDATE:PERCENT` (repeatable). A routing key (see
    /// --canary-key-header) always lands on the same side.
    #[arg(long = "canary", env = "TEXTSERVE_CANARY", value_delimiter = ',')]
    pub canaries: Vec<String>,
    /// The request header whose value decides a canary's side, so one client's requests stay
    /// with one model (e.g. x-client-id); requests without it are decided by their
    /// X-Request-Id.
    #[arg(
        long,
        env = "TEXTSERVE_CANARY_KEY_HEADER",
        default_value = "x-request-id"
    )]
    pub canary_key_header: axum::http::HeaderName,
    /// Most texts waiting for shadow models; more are dropped and counted, never waited for.
    #[arg(long, env = "TEXTSERVE_SHADOW_QUEUE", default_value = "1024")]
    pub shadow_queue: NonZeroUsize,
    /// Send a trace span for each request to this OpenTelemetry collector (OTLP over HTTP,
    /// protobuf; e.g. http://otel-collector:4318), with the queue wait, batch size and
    /// forward-pass time as attributes and the caller's `traceparent` as parent. Off without it.
    #[arg(long, env = "TEXTSERVE_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Append the audit trail to this file as JSON lines (created owner-only): every
    /// authentication failure, scope and rate refusal, model load, unload and reload,
    /// certificate and key-file reload, and refused model signature. The lines also go to
    /// the `audit` log target, with or without this file.
    #[arg(long, env = "TEXTSERVE_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Directory of trusted ed25519 public keys (PEM, *.pem or *.pub): load and reload only
    /// models signed by one of them (`textserve sign`); an unsigned or tampered model is
    /// refused and the version being served stays.
    #[arg(long, env = "TEXTSERVE_TRUSTED_MODEL_KEYS")]
    pub trusted_model_keys: Option<PathBuf>,
    /// Serve /v1/* without keys on a non-loopback address (refused otherwise).
    #[arg(long, env = "TEXTSERVE_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: bool,
    /// Admin key accepted as `Authorization: Bearer KEY` on the model management routes
    /// (/v1/models/{name}/reload, /load, /unload, /shadow, /canary); inference keys do not
    /// open them. Repeat for rotation; the environment variable takes a comma-separated list.
    /// Never logged.
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

/// A share between 0 and 1 inclusive, as pass-rate bars are written.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a number between 0 and 1")),
    }
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

/// Every core this process may use, CPU quotas of its cgroup included: the default number of
/// libtorch threads for single-stream work (train, eval, predict) and of inference workers for
/// `serve` and `bench`. On the 2-core development machine two workers with one thread each served
/// 20–65 % more requests/s than one worker with two threads from 16 clients up, which in turn
/// beat one worker with one thread (BENCHMARKS.md).
pub fn available_cores() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}
