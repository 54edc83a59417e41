//! Traces over OTLP: the real binary with `--otlp-endpoint` pointed at a minimal OTLP/HTTP
//! receiver in this test, which decodes what arrives with the protocol's own protobuf types.

mod common;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::json;

type Received = Arc<Mutex<Vec<Span>>>;

/// Accepts `POST /v1/traces` as a collector does and keeps every span.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let store = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let store = Arc::clone(&store);
            async move {
                let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                let spans = request
                    .resource_spans
                    .into_iter()
                    .flat_map(|r| r.scope_spans)
                    .flat_map(|s| s.spans);
                store.lock().unwrap().extend(spans);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, received)
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

fn number(span: &Span, key: &str) -> f64 {
    match attribute(span, key) {
        Some(Value::DoubleValue(v)) => *v,
        Some(Value::IntValue(v)) => *v as f64,
        other => panic!("{key}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_a_span_under_the_callers_trace_with_queue_batch_and_pass_times() {
    let (collector, received) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    let port = common::free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_textserve"))
        .args(["serve", "--workers", "1", "--log-level", "warn", "--port"])
        .arg(port.to_string())
        .arg("--model")
        .arg(&model)
        .args(["--otlp-endpoint", &collector])
        // The SDK's batch delay, shortened so the test need not wait five seconds.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    common::wait_until_ready(&client, &base).await;

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_id = "00f067aa0ba902b7";
    let response = client
        .post(format!("{base}/v1/predict/batch"))
        .header("traceparent", format!("00-{trace_id}-{parent_id}-01"))
        .json(&json!({ "texts": ["质量很好", "用了两天就坏了", "还行"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = client
        .post(format!("{base}/v1/predict"))
        .json(&json!({ "text": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    // Every route is a span (the readiness polls too): wait for the two asked about.
    let mut spans = Vec::new();
    for _ in 0..100 {
        spans = received.lock().unwrap().clone();
        let arrived = |name: &str| spans.iter().any(|s| s.name == name);
        if arrived("POST /v1/predict/batch") && arrived("POST /v1/predict") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap();
    let _ = server.wait();

    let batch = spans
        .iter()
        .find(|s| s.name == "POST /v1/predict/batch")
        .unwrap_or_else(|| panic!("no batch span in {spans:?}"));
    assert_eq!(hex(&batch.trace_id), trace_id, "the caller's trace");
    assert_eq!(
        hex(&batch.parent_span_id),
        parent_id,
        "the caller's span as parent"
    );
    assert_eq!(number(batch, "http.response.status_code"), 200.0);
    assert_eq!(number(batch, "textserve.texts"), 3.0);
    let batch_size = number(batch, "textserve.batch_size");
    assert!((1.0..=3.0).contains(&batch_size), "{batch_size}");
    assert!(number(batch, "textserve.inference_ms") > 0.0);
    assert!(number(batch, "textserve.queue_wait_ms") >= 0.0);
    assert!(matches!(
        attribute(batch, "textserve.model"),
        Some(Value::StringValue(name)) if name == common::MODEL_NAME
    ));
    assert!(batch.end_time_unix_nano > batch.start_time_unix_nano);

    // A request without a traceparent starts its own trace; one refused before any model ran
    // has no inference attributes.
    let refused = spans
        .iter()
        .find(|s| s.name == "POST /v1/predict")
        .unwrap_or_else(|| panic!("no predict span in {spans:?}"));
    assert_ne!(hex(&refused.trace_id), trace_id);
    assert!(refused.parent_span_id.is_empty());
    assert_eq!(number(refused, "http.response.status_code"), 422.0);
    assert!(attribute(refused, "textserve.inference_ms").is_none());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
