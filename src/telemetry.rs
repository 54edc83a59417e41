//! Logging setup, shared by every subcommand, and (for `serve --otlp-endpoint`) traces over
//! OTLP.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The target of the spans exported as traces; logs never show them.
pub const TRACE_TARGET: &str = "textserve::trace";

use clap::{Args, ValueEnum};

/// Flushes the traces still buffered when the process ends.
pub struct Telemetry {
    traces: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.traces.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("traces: the last spans could not be sent: {error}");
        }
    }
}

/// Logs go to stderr so commands like `textserve openapi` keep stdout clean. With an OTLP
/// endpoint, each request's span (`TRACE_TARGET`) is also exported there, batched on a thread
/// of its own; a collector that is down costs dropped spans, never a request.
pub fn init(args: &LogArgs, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let mut filter = EnvFilter::try_new(&args.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    // rustls warns once per connection about things clients commonly do (an IP address sent
    // as the server name, as wrk and many libraries do): any client could fill the log with
    // them. They stay available with an explicit `rustls=warn`.
    // The audit trail reaches the log whatever level the rest is filtered to (the docs promise
    // its lines always go to the `audit` target); `audit=off` turns it off explicitly.
    if !args.log_level.contains("audit") {
        filter = filter.add_directive("audit=info".parse().expect("a valid directive"));
    }
    if !args.log_level.contains("rustls") {
        filter = filter.add_directive("rustls=error".parse().expect("a valid directive"));
    }
    // Request spans are for traces only: in logs they would prefix every line a request logs,
    // and cost a span per request with tracing off.
    filter = filter.add_directive(
        format!("{TRACE_TARGET}=off")
            .parse()
            .expect("a valid directive"),
    );
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let logs = match args.log_format {
        LogFormat::Json => fmt.json().flatten_event(true).boxed(),
        LogFormat::Text => fmt.boxed(),
    }
    .with_filter(filter);
    let (traces, provider) = match otlp_endpoint {
        Some(endpoint) => {
            let provider = tracer_provider(endpoint)?;
            let tracer = opentelemetry::trace::TracerProvider::tracer(&provider, "textserve");
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(
                    tracing_subscriber::filter::Targets::new()
                        .with_target(TRACE_TARGET, tracing::Level::INFO),
                );
            (Some(layer), Some(provider))
        }
        None => (None, None),
    };
    // try_init: tests may set up the subscriber more than once.
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init();
    Ok(Telemetry { traces: provider })
}

/// Spans to `endpoint` (the collector's OTLP/HTTP base, e.g. `http://collector:4318`, or the
/// full `…/v1/traces`), and the W3C `traceparent` honoured on incoming requests.
fn tracer_provider(endpoint: &str) -> anyhow::Result<opentelemetry_sdk::trace::SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig;
    let endpoint = endpoint.trim_end_matches('/');
    let url = if endpoint.ends_with("/v1/traces") {
        endpoint.to_string()
    } else {
        format!("{endpoint}/v1/traces")
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .build()
        .map_err(|e| anyhow::anyhow!("--otlp-endpoint {endpoint}: {e}"))?;
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    Ok(opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("textserve")
                .build(),
        )
        .build())
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
