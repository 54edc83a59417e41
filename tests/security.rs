//! API keys, exposure refusal, CORS and the request deadline, over real TCP.

mod common;

use std::time::Duration;

use common::{error_code, spawn_app_with, test_config};
use serde_json::json;
use textserve::serve::Application;

const KEY: &str = "factory-floor-key-0001";

#[tokio::test]
async fn predictions_need_a_valid_bearer_key_and_probes_do_not() {
    let app = spawn_app_with(|c| c.api_keys = vec![KEY.parse().unwrap()]).await;
    let predict = |auth: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/v1/predict"))
            .json(&json!({"text": "很好"}));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send()
    };
    for auth in [
        None,
        Some("Bearer wrong-key-000000000".to_string()),
        Some(format!("Bearer {}", &KEY[..KEY.len() - 1])),
        Some(format!("Bearer {KEY}x")),
        Some(format!("Basic {KEY}")),
        Some(KEY.to_string()),
    ] {
        let response = predict(auth.clone()).await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = response.text().await.unwrap();
        assert!(!body.contains(KEY), "no hints: {body}");
        assert!(body.contains("\"unauthorized\""), "{auth:?}: {body}");
    }
    let ok = predict(Some(format!("Bearer {KEY}"))).await.unwrap();
    assert_eq!(ok.status(), 200);
    let models = app.get("/v1/models").await;
    assert_eq!(error_code(models, 401).await, "unauthorized");
    for open in [
        "/health/live",
        "/health/ready",
        "/metrics",
        "/openapi.json",
        "/",
    ] {
        let response = app.get(open).await;
        assert_eq!(response.status(), 200, "{open} stays reachable for probes");
    }
}

#[tokio::test]
async fn refuses_a_public_address_without_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&common::write_tiny_model(dir.path()));
    config.host = "0.0.0.0".parse().unwrap();
    let error = Application::build(&config).await.err().expect("refused");
    assert!(
        error.to_string().contains("--allow-unauthenticated"),
        "{error}"
    );
}

#[tokio::test]
async fn key_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::write(
        &file,
        format!("# rotation\n{KEY}\n\nsecond-key-for-rotation\n"),
    )
    .unwrap();
    let app = spawn_app_with(|c| c.api_key_file = Some(file)).await;
    let response = app
        .client
        .post(app.url("/v1/predict"))
        .header("authorization", "Bearer second-key-for-rotation")
        .json(&json!({"text": "很好"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn cors_is_off_by_default_and_follows_the_allow_list() {
    let app = spawn_app_with(|_| {}).await;
    let response = app
        .get_with_header("/health/live", "origin", "https://mes.example")
        .await;
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );

    let app =
        spawn_app_with(|c| c.cors_origins = vec!["https://mes.example".parse().unwrap()]).await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/predict"))
        .header("origin", "https://mes.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://mes.example"
    );
    let other = app
        .get_with_header("/health/live", "origin", "https://evil.example")
        .await;
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_gets_503_and_its_texts_are_dropped() {
    let app = spawn_app_with(|c| {
        c.max_batch_delay_ms = 2_000;
        c.request_timeout_ms = common::nz_ms(100);
    })
    .await;
    let started = std::time::Instant::now();
    let response = app.post_json("/v1/predict", &json!({"text": "很好"})).await;
    assert!(started.elapsed() < Duration::from_millis(1_500));
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_code(response, 503).await, "deadline_exceeded");
    for _ in 0..300 {
        if app.state.default_model().unwrap().inference.queue_depth() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the timed-out text stayed queued");
}

async fn read_until_closed(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn slow_headers_are_cut_off() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(|c| c.header_timeout_ms = common::nz_ms(200)).await;
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The rest of the headers never come.
    assert!(
        read_until_closed(&mut stream, Duration::from_secs(3)).await,
        "connection left open"
    );
    let response = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(response.status(), 200, "other clients are unaffected");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed() {
    let app = spawn_app_with(|c| c.max_connections = common::nz(2)).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let held_a = tokio::net::TcpStream::connect(&address).await.unwrap();
    let held_b = tokio::net::TcpStream::connect(&address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = tokio::net::TcpStream::connect(&address).await.unwrap();
    assert!(
        read_until_closed(&mut third, Duration::from_secs(3)).await,
        "third connection kept"
    );
    drop((held_a, held_b));
    let mut answered = false;
    for _ in 0..100 {
        // A fresh client each time: no pooled connection from before.
        let client = reqwest::Client::new();
        if let Ok(response) = client.get(app.url("/health/live")).send().await {
            answered = response.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered, "slots free up when connections close");
}

/// `--api-keys-file`: named keys with scopes and rates, over real TCP.
#[tokio::test]
async fn scoped_keys_are_held_to_their_scopes_and_rates() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let digest = |key: &str| hex::encode(Sha256::digest(key.as_bytes()));
    let (dashboard, ops) = ("dashboard-key-000001", "operations-key-00001");
    let file = dir.path().join("keys.json");
    std::fs::write(
        &file,
        json!({"keys": [
            {"name": "mes-dashboard", "sha256": digest(dashboard), "scopes": ["predict"],
             "rate": {"per_second": 0.2, "burst": 2}},
            {"name": "ops", "sha256": digest(ops), "scopes": ["admin"]}
        ]})
        .to_string(),
    )
    .unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let app = spawn_app_with(move |c| {
        c.api_keys_file = Some(file);
        c.audit_log = Some(audit_path);
    })
    .await;
    let post = |path: &str, key: &str, body: serde_json::Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let text = json!({"text": "来料检验未见异常"});
    // The dashboard may predict (twice: its burst), not explain nor manage.
    assert_eq!(
        error_code(
            post("/v1/explain", dashboard, text.clone()).await.unwrap(),
            403
        )
        .await,
        "insufficient_scope"
    );
    let model = common::MODEL_NAME;
    assert_eq!(
        error_code(
            post(&format!("/v1/models/{model}/reload"), dashboard, json!({}))
                .await
                .unwrap(),
            403
        )
        .await,
        "insufficient_scope"
    );
    for _ in 0..2 {
        assert_eq!(
            post("/v1/predict", dashboard, text.clone())
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let limited = post("/v1/predict", dashboard, text.clone()).await.unwrap();
    assert_eq!(limited.headers()["retry-after"], "5");
    assert_eq!(error_code(limited, 429).await, "rate_limited");
    // Operations may manage, not predict.
    assert_eq!(
        error_code(post("/v1/predict", ops, text.clone()).await.unwrap(), 403).await,
        "insufficient_scope"
    );
    let reload = post(&format!("/v1/models/{model}/reload"), ops, json!({}));
    assert_eq!(reload.await.unwrap().status(), 200);
    // Any other token is no key at all.
    assert_eq!(
        error_code(
            post("/v1/predict", "someone-elses-key-01", text)
                .await
                .unwrap(),
            401
        )
        .await,
        "unauthorized"
    );
    let metrics = app.metrics_text().await;
    for line in [
        r#"textserve_key_requests_total{key="mes-dashboard",outcome="allowed"} 2"#,
        r#"textserve_key_requests_total{key="mes-dashboard",outcome="rate_limited"} 1"#,
        r#"textserve_key_requests_total{key="mes-dashboard",outcome="insufficient_scope"} 2"#,
        r#"textserve_key_requests_total{key="ops",outcome="allowed"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} not in the metrics");
    }

    // Every refusal and the administrative action are in the audit trail, by key name, with
    // the client's address and the request id; never a text or a key.
    let written = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(&str, &str, u64)> = lines
        .iter()
        .map(|l| {
            (
                l["event"].as_str().unwrap(),
                l["key"].as_str().unwrap_or("-"),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("scope_refused", "mes-dashboard", 403),
            ("scope_refused", "mes-dashboard", 403),
            ("rate_limited", "mes-dashboard", 429),
            ("scope_refused", "ops", 403),
            ("model_reload", "ops", 200),
            ("authentication_failed", "-", 401),
        ]
    );
    for line in &lines {
        assert!(line["client"].as_str().unwrap().starts_with("127.0.0.1:"));
        assert!(!line["request_id"].as_str().unwrap().is_empty());
        assert!(line["time"].as_str().is_some());
    }
    assert_eq!(lines[4]["model"], model);
    for secret in ["来料检验", dashboard, ops, "someone-elses-key-01"] {
        assert!(!written.contains(secret), "{secret} is in the audit trail");
    }
}
