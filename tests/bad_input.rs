//! Hostile and malformed input over raw TCP: huge and chunked bodies, trickled bodies and texts
//! built to confuse tokenizers and logs. Each gets the right status, never a 5xx, and the
//! server keeps answering.

mod common;

use std::num::NonZeroUsize;
use std::time::Duration;

use common::{TestApp, error_code, spawn_app, spawn_app_with};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads one response (the server closes or we stop at the end of its declared body) and
/// returns its status and body text.
async fn read_response(stream: &mut TcpStream, within: Duration) -> (u16, String) {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    let read_all = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buffer[..n]),
            }
            if response_complete(&raw) {
                break;
            }
        }
    };
    tokio::time::timeout(within, read_all)
        .await
        .expect("a response in time");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

fn response_complete(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|length| body.len() >= length)
}

/// Opens a prediction request that declares `declared_length` body bytes but sends only `sent`.
async fn send_partial_body(app: &TestApp, declared_length: usize, sent: &[u8]) -> TcpStream {
    let mut stream = connect(app).await;
    let head = format!(
        "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {declared_length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    stream
}

fn chunked_head(path: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
}

/// The raw-TCP request on `stream` got `status` with error `code`, and the server still answers
/// other clients.
async fn expect_error_then_serving(app: &TestApp, stream: &mut TcpStream, status: u16, code: &str) {
    let (got, body) = read_response(stream, Duration::from_secs(10)).await;
    assert_eq!(got, status, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    assert_eq!(body["error"]["code"], code);
    assert_still_serving(app).await;
}

async fn assert_still_serving(app: &TestApp) {
    let response = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(response.status(), 200, "the server keeps answering");
}

#[tokio::test]
async fn hostile_texts_are_classified_normally() {
    let app = spawn_app().await;
    let texts = [
        "👍🏽质量好🎉👨‍👩‍👧",
        "مرحبا بالعالم שלום",
        "a\u{200b}b\u{200d}c\u{feff}",
        "nul\u{0}byte",
        "\u{7}\u{1b}[31mred\u{1b}[0m",
        "fine\r\n2026-11-28T00:00:00Z  INFO forged: log line",
        "e\u{301}\u{301}\u{301}\u{301}",
        "\u{202e}desrever",
        "\u{10ffff}\u{fffd}",
    ];
    for text in texts {
        let body = app.predict(text).await;
        let probabilities = body["probabilities"].as_object().unwrap_or_else(|| {
            panic!("{text:?}: {body}");
        });
        let total: f64 = probabilities.values().map(|p| p.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-4, "{text:?}: {body}");
        assert!(probabilities.contains_key(body["label"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn a_body_megabytes_over_the_limit_is_refused_with_or_without_content_length() {
    let app = spawn_app_with(|c| c.body_limit = common::nz(64 * 1024)).await;
    let huge_text = "好".repeat(2 * 1024 * 1024);
    let with_length = app
        .post_json("/v1/predict", &json!({ "text": huge_text }))
        .await;
    assert_eq!(error_code(with_length, 413).await, "body_too_large");

    let mut stream = connect(&app).await;
    stream
        .write_all(chunked_head("/v1/predict").as_bytes())
        .await
        .unwrap();
    stream.write_all(b"a\r\n{\"text\": \"\r\n").await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
    for _ in 0..80 {
        // The server may answer and close before all 5 MB are sent.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    expect_error_then_serving(&app, &mut stream, 413, "body_too_large").await;
}

#[tokio::test]
async fn a_text_megabytes_over_the_character_limit_is_refused_before_tokenizing() {
    // Default limits: the 1.5 MB body fits the 2 MB body limit, the text does not fit 10,000
    // characters.
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/predict", &json!({ "text": "a".repeat(1_500_000) }))
        .await;
    assert_eq!(error_code(response, 413).await, "text_too_long");
    let batch = app
        .post_json(
            "/v1/predict/batch",
            &json!({ "texts": ["ok", "好".repeat(400_000)] }),
        )
        .await;
    assert_eq!(error_code(batch, 413).await, "text_too_long");
    assert_still_serving(&app).await;
}

#[tokio::test]
async fn many_tiny_chunks_are_reassembled_and_bounded() {
    let app = spawn_app_with(|c| c.body_limit = common::nz(4096)).await;
    let body = json!({"text": "质量很好，非常满意"}).to_string();
    let mut stream = connect(&app).await;
    // One byte per chunk, splitting every multi-byte character across chunks.
    let mut raw = chunked_head("/v1/predict").into_bytes();
    for byte in body.as_bytes() {
        raw.extend_from_slice(b"1\r\n");
        raw.push(*byte);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&raw).await.unwrap();
    let (status, answer) = read_response(&mut stream, Duration::from_secs(10)).await;
    assert_eq!(status, 200, "{answer}");
    let single = app.predict("质量很好，非常满意").await;
    let chunked: serde_json::Value = serde_json::from_str(&answer).unwrap();
    common::assert_same_prediction(&single, &chunked, "one-byte chunks");

    let mut stream = connect(&app).await;
    let mut raw = chunked_head("/v1/predict").into_bytes();
    raw.extend_from_slice(b"a\r\n{\"text\": \"\r\n");
    for _ in 0..20_000 {
        raw.extend_from_slice(b"1\r\na\r\n");
    }
    let _ = stream.write_all(&raw).await;
    expect_error_then_serving(&app, &mut stream, 413, "body_too_large").await;
}

#[tokio::test]
async fn a_trickled_body_times_out_with_408() {
    let app = spawn_app_with(|c| c.body_timeout_ms = common::nz_ms(300)).await;
    // The other 31 bytes never come.
    let mut stream = send_partial_body(&app, 40, b"{\"text\": ").await;
    expect_error_then_serving(&app, &mut stream, 408, "body_timeout").await;
}

#[tokio::test]
async fn a_client_that_vanishes_mid_body_gives_its_connection_back() {
    // One connection allowed: if the vanished client's connection were still held, the next
    // client would be closed on accept.
    let app = spawn_app_with(|c| c.max_connections = NonZeroUsize::new(1).unwrap()).await;
    let stream = send_partial_body(&app, 400, b"{\"text\": \"abc").await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_still_serving(&app).await;
    assert_still_serving(&app).await;
}
