//! Every endpoint over real TCP: happy paths, and every error class with its status and shape.

mod common;

use common::{
    MODEL_NAME, SAMPLE_TEXTS, TestApp, assert_same_prediction, error_code, spawn_app,
    spawn_app_with,
};
use serde_json::json;

#[tokio::test]
async fn predict_returns_label_score_and_probabilities() {
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/predict", &json!({"text": "质量很好，物流也快"}))
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    assert!(response.headers().contains_key("x-queue-time-ms"));
    assert!(response.headers().contains_key("x-inference-time-ms"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["model"], MODEL_NAME);
    assert_eq!(body["model_version"], "0.0.1");
    let probabilities = body["probabilities"].as_object().unwrap();
    assert_eq!(probabilities.len(), 3);
    let sum: f64 = probabilities.values().map(|p| p.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-4, "sum {sum}");
    let label = body["label"].as_str().unwrap();
    let best = probabilities
        .iter()
        .max_by(|a, b| a.1.as_f64().partial_cmp(&b.1.as_f64()).unwrap())
        .unwrap();
    assert_eq!(label, best.0);
    assert_eq!(body["score"], *best.1);
}

#[tokio::test]
async fn server_answers_match_direct_model_answers() {
    let app = spawn_app().await;
    let model = app.load_model();
    let direct = model.predict_texts(SAMPLE_TEXTS, 8);
    for (text, expected) in SAMPLE_TEXTS.iter().zip(direct) {
        let body = app.predict(text).await;
        for (label, p) in model.labels().iter().zip(expected) {
            let served = body["probabilities"][label].as_f64().unwrap();
            assert!(
                (served - f64::from(p)).abs() < 1e-5,
                "{text}: {label} {served} vs {p}"
            );
        }
    }
}

#[tokio::test]
async fn batch_results_equal_single_results_in_order() {
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/predict/batch", &json!({"texts": SAMPLE_TEXTS}))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["model"], MODEL_NAME);
    let predictions = body["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), SAMPLE_TEXTS.len());
    for (text, batched) in SAMPLE_TEXTS.iter().zip(predictions) {
        assert_same_prediction(&app.predict(text).await, batched, text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_distinct_texts_each_get_their_own_answer() {
    let app = spawn_app().await;
    concurrent_answers_match_one_at_a_time(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_inference_workers_share_the_queue_and_answer_alike() {
    let mut app = spawn_app_with(|c| c.workers = common::nz(3)).await;
    // Worker 1 computes only while worker 0 is busy, which concurrent load makes happen.
    let mut rounds = 0;
    while !app.metrics_text().await.contains("worker=\"1\"") {
        rounds += 1;
        assert!(rounds <= 5, "worker 1 never computed a pass");
        concurrent_answers_match_one_at_a_time(&app).await;
    }
    app.shutdown().await.unwrap();
}

async fn concurrent_answers_match_one_at_a_time(app: &TestApp) {
    let texts: Vec<String> = (0..50)
        .map(|i| {
            format!(
                "{} 第{i}号机 {}",
                SAMPLE_TEXTS[i % SAMPLE_TEXTS.len()],
                "好差".repeat(i % 7)
            )
        })
        .collect();
    let mut expected = Vec::new();
    for text in &texts {
        expected.push(app.predict(text).await);
    }
    let handles: Vec<_> = texts.iter().map(|text| app.spawn_predict(text)).collect();
    let mut concurrent = Vec::new();
    for handle in handles {
        concurrent.push(handle.await.unwrap());
    }
    for ((text, alone), together) in texts.iter().zip(&expected).zip(&concurrent) {
        assert_same_prediction(alone, together, text);
    }
}

#[tokio::test]
async fn models_list_and_details() {
    let app = spawn_app().await;
    let list = app.get_json("/v1/models").await;
    assert_eq!(list["models"][0]["name"], MODEL_NAME);
    assert_eq!(
        list["models"][0]["labels"],
        json!(["negative", "neutral", "positive"])
    );

    let details = app.get_json(&format!("/v1/models/{MODEL_NAME}")).await;
    assert_eq!(details["architecture"]["hidden_size"], 12);
    // The test model mixes its LSTM and n-gram part evenly, and says so.
    assert_eq!(
        details["architecture"]["computes"],
        "LSTM and n-gram mixture: the LSTM's log-probabilities weigh 0.50, the n-gram part's 0.50"
    );
    assert!(details["vocabulary_size"].as_u64().unwrap() > 10);
    assert_eq!(details["max_length"], 64);
    assert!(details["parameters"].as_u64().unwrap() > 1000);
    assert_eq!(details["weights_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(details["created_at"], "2026-01-01T00:00:00Z");
    assert!(details["metrics"].is_null());

    let response = app.get("/v1/models/nope").await;
    assert_eq!(error_code(response, 404).await, "not_found");
}

#[tokio::test]
async fn health_openapi_docs_try_it_and_metrics() {
    let app = spawn_app().await;
    for (path, status) in [("/health/live", "ok"), ("/health/ready", "ready")] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], status);
    }
    let spec = app.get_json("/openapi.json").await;
    assert!(spec["paths"]["/v1/predict"]["post"].is_object());

    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "docs page");
    assert!(
        !html.contains("https://"),
        "the docs page must not load anything from the internet"
    );

    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("/v1/explain"));
    assert!(
        !page.contains("https://") && !page.contains("http://"),
        "the try-it page must not load anything from other hosts"
    );

    app.predict("好").await;
    let metrics = app.metrics_text().await;
    for name in [
        "textserve_requests_total",
        "textserve_request_duration_seconds_bucket",
        "textserve_batch_size_bucket",
        "textserve_inference_duration_seconds_bucket",
        "textserve_queue_wait_seconds_bucket",
        "textserve_queue_depth",
        "textserve_model_info",
    ] {
        assert!(metrics.contains(name), "missing {name} in\n{metrics}");
    }
}

#[tokio::test]
async fn metrics_move_with_traffic() {
    let app = spawn_app().await;
    let count = |text: &str| -> f64 {
        text.lines()
            .filter(|l| {
                l.starts_with("textserve_requests_total{")
                    && l.contains("route=\"/v1/predict\"")
                    && l.contains("status=\"200\"")
            })
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let before = count(&app.metrics_text().await);
    for _ in 0..3 {
        app.predict("好").await;
    }
    let after = count(&app.metrics_text().await);
    // Other tests in this process may add to the same global counter, never subtract.
    assert!(after - before >= 3.0, "before {before}, after {after}");
}

#[tokio::test]
async fn json_errors_for_every_bad_request_class() {
    let app = spawn_app_with(|c| {
        c.max_text_chars = common::nz(100);
        c.max_batch_size = common::nz(4);
        c.body_limit = common::nz(4096);
    })
    .await;
    let json = Some("application/json");
    let cases: &[(&str, Option<&str>, u16, &str)] = &[
        ("{\"text\": ", json, 400, "malformed_json"),
        ("{\"text\": \"\\ud800\"}", json, 400, "malformed_json"),
        ("{\"text\": NaN}", json, 400, "malformed_json"),
        ("{\"text\": Infinity}", json, 400, "malformed_json"),
        ("{\"text\": \"x\"} trailing", json, 400, "malformed_json"),
        ("{\"text\": \"x\"}", None, 415, "unsupported_media_type"),
        (
            "{\"text\": \"x\"}",
            Some("text/plain"),
            415,
            "unsupported_media_type",
        ),
        ("{}", json, 422, "invalid_request"),
        ("{\"text\": 5}", json, 422, "invalid_request"),
        ("{\"text\": null}", json, 422, "invalid_request"),
        // serde would read a struct from an array of its fields: requests are objects.
        (" [\"x\"]", json, 422, "invalid_request"),
        (
            "{\"text\": \"x\", \"txt\": 1}",
            json,
            422,
            "invalid_request",
        ),
        ("{\"text\": \"\"}", json, 422, "empty_text"),
        ("{\"text\": \" \\n\\t \"}", json, 422, "empty_text"),
        ("{\"text\": \"\\u0085\\u3000\"}", json, 422, "empty_text"),
    ];
    for &(body, content_type, status, code) in cases {
        let mut request = app.client.post(app.url("/v1/predict")).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(error_code(response, status).await, code, "body {body:?}");
    }
    let invalid_utf8 = app
        .client
        .post(app.url("/v1/predict"))
        .header("content-type", "application/json")
        .body(b"{\"text\": \"\xff\xfe\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(invalid_utf8, 400).await, "malformed_json");
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let deep = app
        .client
        .post(app.url("/v1/predict"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert!(deep.status().is_client_error());

    let long = app
        .post_json("/v1/predict", &json!({"text": "好".repeat(101)}))
        .await;
    let code = error_code(long, 413).await;
    assert_eq!(code, "text_too_long");
    let exactly = app
        .post_json("/v1/predict", &json!({"text": "好".repeat(100)}))
        .await;
    assert_eq!(exactly.status(), 200);

    let huge = app
        .post_json("/v1/predict", &json!({"text": "a".repeat(10_000)}))
        .await;
    assert_eq!(error_code(huge, 413).await, "body_too_large");

    let empty = app
        .post_json("/v1/predict/batch", &json!({"texts": []}))
        .await;
    assert_eq!(error_code(empty, 422).await, "empty_batch");
    let over = app
        .post_json(
            "/v1/predict/batch",
            &json!({"texts": ["a", "b", "c", "d", "e"]}),
        )
        .await;
    let response_text = over.text().await.unwrap();
    assert!(
        response_text.contains("batch_too_large") && response_text.contains('4'),
        "{response_text}"
    );
    let blank_item = app
        .post_json("/v1/predict/batch", &json!({"texts": ["ok", " "]}))
        .await;
    let body: serde_json::Value = blank_item.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("texts[1]")
    );

    let unknown = app.get("/v3/nothing").await;
    assert_eq!(error_code(unknown, 404).await, "not_found");
    let wrong_method = app.get("/v1/predict").await;
    assert_eq!(error_code(wrong_method, 405).await, "method_not_allowed");
}

#[tokio::test]
async fn client_request_ids_are_echoed_only_when_safe() {
    let app = spawn_app().await;
    let response = app
        .get_with_header("/health/live", "x-request-id", "mes-42")
        .await;
    assert_eq!(response.headers()["x-request-id"], "mes-42");
    let response = app
        .get_with_header("/health/live", "x-request-id", &"x".repeat(200))
        .await;
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(!id.is_empty() && id.len() < 64);
    for unprintable in [&b"id\tbell"[..], b"id\xffbyte", b"id with spaces"] {
        let response = app
            .client
            .get(app.url("/health/live"))
            .header(
                "x-request-id",
                reqwest::header::HeaderValue::from_bytes(unprintable).unwrap(),
            )
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].as_bytes();
        assert_ne!(id, unprintable);
        assert!(id.iter().all(u8::is_ascii_graphic), "{id:?}");
    }
}

#[tokio::test]
async fn large_batches_of_long_texts_are_classified() {
    let app = spawn_app().await;
    // Over the size at which tokenizing moves off the async workers.
    let texts: Vec<String> = (0..8)
        .map(|i| format!("{i} {}", "质量很好 ".repeat(1_800)))
        .collect();
    let response = app
        .post_json("/v1/predict/batch", &json!({ "texts": texts }))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["predictions"].as_array().unwrap().len(), 8);
}
