//! Startup, batching, backpressure and shutdown, against a real server on port 0.

mod common;

use std::time::Duration;

use common::{SAMPLE_TEXTS, error_code, spawn_app_with, start, test_config, write_tiny_model};
use serde_json::json;
use textserve::data::SplitMix64;
use textserve::model::Model;
use textserve::serve::Application;

#[tokio::test]
async fn ready_is_503_until_the_model_is_warm() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = write_tiny_model(dir.path());
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let app = Application::build_with_loader(&test_config(&model_dir), move |dir| {
        // Every worker waits here until the sender is dropped.
        let _ = gate.lock().map(|gate| gate.recv());
        Ok(Model::load(dir)?)
    })
    .await
    .unwrap();
    let mut app = start(app, None);

    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200);
    let ready = app.get("/health/ready").await;
    assert!(ready.headers().contains_key("retry-after"));
    assert_eq!(error_code(ready, 503).await, "model_not_ready");
    let predict = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(error_code(predict, 503).await, "model_not_ready");

    drop(release);
    app.wait_ready().await;
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_model_that_fails_to_load_stops_the_server_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that is missing is refused before the port is bound.
    let config = test_config(&dir.path().join("no-such-model"));
    let message = format!("{:#}", Application::build(&config).await.err().unwrap());
    assert!(
        message.contains("no-such-model") && message.contains("not found"),
        "{message}"
    );
    // Weights that fail to load stop the server once it has started.
    let model = write_tiny_model(dir.path());
    std::fs::write(model.join("model.safetensors"), b"not weights").unwrap();
    let app = Application::build(&test_config(&model)).await.unwrap();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        app.run_until_stopped(std::future::pending()),
    )
    .await
    .expect("server stops by itself");
    let message = format!("{:#}", result.unwrap_err());
    assert!(
        message.contains("model.safetensors") && message.contains("checksum"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_requests_finish() {
    // A long batching window keeps the request queued while shutdown begins.
    let mut app = spawn_app_with(|c| c.max_batch_delay_ms = 500).await;
    let request = app
        .client
        .post(app.url("/v1/predict"))
        .json(&json!({"text": "质量很好"}));
    let in_flight = tokio::spawn(async move { request.send().await });
    while app.state.default_model().unwrap().inference.queue_depth() == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let state = app.state.clone();
    let shutdown = tokio::spawn(async move { app.shutdown().await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        state.ready().is_err(),
        "readiness turns false as soon as shutdown begins"
    );
    let response = in_flight
        .await
        .unwrap()
        .expect("in-flight request answered");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["label"].is_string());
    shutdown.await.unwrap().expect("clean exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_on_a_connection_opened_before_shutdown_is_answered_and_closes_it() {
    let mut app = spawn_app_with(|_| {}).await;
    // Leaves a keep-alive connection in the client's pool.
    let first = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(first.status(), 200);
    let (client, url, state) = (
        app.client.clone(),
        app.url("/v1/predict"),
        app.state.clone(),
    );
    let shutdown = tokio::spawn(async move { app.shutdown().await });
    while !state.is_shutting_down() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // The listener is closed by now: only the connection opened before can carry this.
    let response = client
        .post(url)
        .json(&json!({"text": "质量很好"}))
        .send()
        .await
        .expect("answered, not cut off");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["connection"], "close");
    assert!(state.ready().is_err(), "not ready while draining");
    shutdown.await.unwrap().expect("clean exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_fails_fast_with_429() {
    let app = spawn_app_with(|c| {
        // The explain limits, left unset, lower themselves to fit this small queue.
        c.max_queue = common::nz(8);
        c.max_batch_delay_ms = 300;
        c.max_batch_size = common::nz(256);
    })
    .await;
    // Fills the queue; the batching window holds it there.
    let filler = app
        .client
        .post(app.url("/v1/predict/batch"))
        .json(&json!({"texts": vec!["好"; 8]}));
    let filler = tokio::spawn(async move { filler.send().await });
    while app.state.default_model().unwrap().inference.queue_depth() < 8 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let rejected = app
        .post_json("/v1/predict", &json!({"text": "再来一个"}))
        .await;
    assert_eq!(rejected.headers()["retry-after"], "1");
    assert_eq!(error_code(rejected, 429).await, "overloaded");
    assert_eq!(
        filler.await.unwrap().unwrap().status(),
        200,
        "queued work is still answered"
    );
    let later = app
        .post_json("/v1/predict", &json!({"text": "再来一个"}))
        .await;
    assert_eq!(later.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_answers_equal_one_by_one_for_random_length_mixes() {
    let app = spawn_app_with(|c| c.max_batch_delay_ms = 20).await;
    let model = app.load_model();
    let mut rng = SplitMix64::new(5);
    let texts: Vec<String> = (0..40)
        .map(|_| {
            let long = rng.below(3) == 0;
            let words = 1 + rng.below(if long { 60 } else { 6 });
            (0..words)
                .map(|_| SAMPLE_TEXTS[rng.below(SAMPLE_TEXTS.len())])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let handles: Vec<_> = texts.iter().map(|text| app.spawn_predict(text)).collect();
    for (text, handle) in texts.iter().zip(handles) {
        let served = handle.await.unwrap();
        let alone = model.predict_texts(&[text.as_str()], 1).remove(0);
        for (label, p) in model.labels().iter().zip(alone) {
            let diff = (served["probabilities"][label].as_f64().unwrap() - f64::from(p)).abs();
            assert!(diff < 1e-5, "{label}: {diff} for {text:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_has_its_queued_texts_skipped() {
    let app = spawn_app_with(|c| c.max_batch_delay_ms = 400).await;
    let abandoned = |metrics: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with("textserve_abandoned_total"))
            .map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
    };
    let before = abandoned(&app.metrics_text().await);
    let request = app
        .client
        .post(app.url("/v1/predict/batch"))
        .json(&json!({"texts": ["甲", "乙", "丙"]}));
    let client = tokio::spawn(async move { request.send().await });
    while app.state.default_model().unwrap().inference.queue_depth() < 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    client.abort();
    let _ = client.await;
    // The batching window is still open: the texts must leave the queue without being computed.
    let mut after = before;
    for _ in 0..200 {
        let metrics = app.metrics_text().await;
        after = abandoned(&metrics);
        if after - before >= 3.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        after - before >= 3.0,
        "abandoned before {before}, after {after}"
    );
    assert_eq!(
        app.state.default_model().unwrap().inference.queue_depth(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_inference_thread_dies_requests_and_readiness_get_503() {
    use textserve::model::Artifact;
    use textserve::text::{Tokenizer, TokenizerConfig};
    let dir = tempfile::tempdir().unwrap();
    let model_dir = write_tiny_model(dir.path());
    // A tokenizer that knows far more tokens than the network's embedding has rows (beyond
    // every scope mark too): the first forward pass with one of them fails inside libtorch and
    // takes the thread down.
    let app = Application::build_with_loader(&test_config(&model_dir), move |dir| {
        let mut artifact = Artifact::load(dir)?;
        let alphabet: Vec<String> = (0x4E00u32..0x5400)
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        artifact.tokenizer = Tokenizer::fit(
            alphabet.iter().map(String::as_str),
            TokenizerConfig {
                max_length: 64,
                min_frequency: 1,
                max_vocab_size: 10_000,
                ..TokenizerConfig::default()
            },
        );
        Ok(Model::from_artifact(artifact))
    })
    .await
    .unwrap();
    let mut app = start(app, None);
    app.wait_ready().await;
    let response = app
        .post_json("/v1/predict", &json!({"text": "\u{53FF}\u{53FE}"}))
        .await;
    assert_eq!(error_code(response, 503).await, "unavailable");
    let ready = app.get("/health/ready").await;
    assert_eq!(error_code(ready, 503).await, "unavailable");
    let again = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(error_code(again, 503).await, "unavailable");
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200, "the process keeps serving HTTP");
}
