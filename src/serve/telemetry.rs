//! Per-request log lines, request ids and Prometheus metrics.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const REQUEST_ID: &str = "x-request-id";

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder; installed once, however many servers a test process starts.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let latency = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets(&latency)
            .expect("non-empty buckets")
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full("textserve_batch_size".into()),
                &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0],
            )
            .expect("non-empty buckets")
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full(
                    "textserve_prediction_confidence".into(),
                ),
                crate::runtime::drift::CONFIDENCE_BUCKETS,
            )
            .expect("non-empty buckets")
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full("textserve_unknown_token_ratio".into()),
                crate::runtime::drift::UNKNOWN_RATIO_BUCKETS,
            )
            .expect("non-empty buckets")
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full("textserve_text_tokens".into()),
                crate::runtime::drift::TOKEN_BUCKETS,
            )
            .expect("non-empty buckets")
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full(
                    "textserve_shadow_probability_difference".into(),
                ),
                crate::runtime::rollout::DIFFERENCE_BUCKETS,
            )
            .expect("non-empty buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder is installed (embedding apps); then we render nothing.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub fn render_metrics() -> String {
    let handle = prometheus();
    handle.run_upkeep();
    handle.render()
}

/// Accepts the client's id when it is short printable ASCII (safe to log and echo back),
/// otherwise makes one.
fn request_id(request: &Request) -> HeaderValue {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if let Some(value) = request.headers().get(REQUEST_ID) {
        let bytes = value.as_bytes();
        if !bytes.is_empty() && bytes.len() <= 64 && bytes.iter().all(|b| b.is_ascii_graphic()) {
            return value.clone();
        }
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    HeaderValue::from_str(&format!("{pid:x}-{nanos:08x}-{n:x}")).expect("ascii")
}

/// The model version that answered a request, put in the response's extensions by the handler,
/// so the request's metrics and log line name it.
#[derive(Debug, Clone)]
pub struct ServedBy {
    pub model: String,
    pub version: String,
}

/// Names `served` as the version that answered, for the request's metrics and log line.
pub fn served_by(served: &crate::runtime::ServedModel) -> axum::Extension<ServedBy> {
    axum::Extension(ServedBy {
        model: served.details.name.clone(),
        version: served.details.version.clone(),
    })
}

/// Reads a W3C `traceparent` (and `tracestate`) from a request's headers.
struct TraceHeaders<'a>(&'a axum::http::HeaderMap);

impl opentelemetry::propagation::Extractor for TraceHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

/// The request's trace span (exported only with `--otlp-endpoint`; disabled, and nearly free,
/// without it), a child of the caller's `traceparent` if it sent one. Handlers that queue texts
/// add the queue wait, batch size and forward-pass time (`Timings::record_on_span`).
fn request_span(request: &Request, route: &str, id: &HeaderValue) -> tracing::Span {
    let span = tracing::info_span!(
        target: crate::telemetry::TRACE_TARGET,
        "request",
        otel.name = %format!("{} {route}", request.method()),
        otel.kind = "server",
        http.request.method = %request.method(),
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
        textserve.request_id = %id.to_str().unwrap_or_default(),
        textserve.model = tracing::field::Empty,
        textserve.model_version = tracing::field::Empty,
        textserve.queue_wait_ms = tracing::field::Empty,
        textserve.inference_ms = tracing::field::Empty,
        textserve.batch_size = tracing::field::Empty,
        textserve.texts = tracing::field::Empty,
    );
    if !span.is_disabled() {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&TraceHeaders(request.headers()))
        });
        let _ = span.set_parent(parent);
    }
    span
}

/// One log line per request (never the body: factory comments can name people) and the
/// request counters and latency histogram, labelled by route template, not raw path.
pub async fn observe(mut request: Request, next: Next) -> Response {
    use tracing::Instrument;
    let started = Instant::now();
    let id = request_id(&request);
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let span = request_span(&request, &route, &id);
    let mut response = next.run(request).instrument(span.clone()).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    response.headers_mut().insert(REQUEST_ID, id.clone());
    let (model, version) = response
        .extensions()
        .get::<ServedBy>()
        .map_or_else(Default::default, |s| (s.model.clone(), s.version.clone()));
    if !span.is_disabled() {
        span.record("http.response.status_code", i64::from(status));
        span.record("textserve.model", model.as_str());
        span.record("textserve.model_version", version.as_str());
    }
    metrics::counter!("textserve_requests_total", "route" => route.clone(), "status" => status.to_string(), "model" => model.clone(), "version" => version.clone()).increment(1);
    metrics::histogram!("textserve_request_duration_seconds", "route" => route, "model" => model.clone(), "version" => version.clone())
        .record(latency.as_secs_f64());
    tracing::info!(
        method = %method,
        path = %path.escape_debug(),
        status,
        model = %model,
        version = %version,
        latency_ms = latency.as_secs_f64() * 1000.0,
        request_id = %id.to_str().unwrap_or_default(),
        "request"
    );
    response
}
