//! POST /v1/predict/stream over raw TCP: answers equal /v1/predict's in input order, every bad
//! line gets its own error line without ending the stream, and neither a client that stops
//! reading nor one that leaves makes the server hold or compute without bound.

mod common;

use std::time::{Duration, Instant};

use common::{SAMPLE_TEXTS, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

fn head(content_length: usize) -> String {
    format!(
        "POST /v1/predict/stream HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {content_length}\r\n\
         Connection: close\r\n\r\n"
    )
}

/// Reads the response to its end and returns its status and its body's lines as JSON.
async fn read_lines(stream: &mut TcpStream) -> (u16, Vec<Value>) {
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("the response ends in time")
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    let lines = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    (status, lines)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").expect("chunk size");
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

async fn stream(app: &TestApp, body: &[u8]) -> (u16, Vec<Value>) {
    let mut connection = connect(app).await;
    connection
        .write_all(head(body.len()).as_bytes())
        .await
        .unwrap();
    connection.write_all(body).await.unwrap();
    read_lines(&mut connection).await
}

fn ndjson(texts: &[&str]) -> Vec<u8> {
    texts
        .iter()
        .map(|t| json!({ "text": t }).to_string() + "\n")
        .collect::<String>()
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_come_back_in_input_order_and_equal_single_predictions() {
    let mut app = spawn_app().await;
    // More lines than a stream keeps in flight, of mixed lengths.
    let texts: Vec<&str> = (0..1500)
        .map(|i| SAMPLE_TEXTS[i % SAMPLE_TEXTS.len()])
        .collect();
    let (status, lines) = stream(&app, &ndjson(&texts)).await;
    assert_eq!(status, 200);
    assert_eq!(lines.len(), texts.len());
    let mut singles = Vec::new();
    for text in SAMPLE_TEXTS {
        singles.push(app.predict(text).await);
    }
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["line"], i as u64 + 1);
        let single = &singles[i % SAMPLE_TEXTS.len()];
        assert_eq!(line["label"], single["label"], "line {}", i + 1);
        for (label, p) in single["probabilities"].as_object().unwrap() {
            let streamed = line["probabilities"][label].as_f64().unwrap();
            assert!((streamed - p.as_f64().unwrap()).abs() < 1e-5);
        }
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn each_bad_line_gets_its_own_error_and_the_stream_goes_on() {
    let app = spawn_app_with(|c| c.max_text_chars = common::nz(20)).await;
    let mut body = Vec::new();
    body.extend_from_slice(b"{\"text\": \"\xe8\xb4\xa8\xe9\x87\x8f\xe5\xbe\x88\xe5\xa5\xbd\"}\n");
    body.extend_from_slice(b"\n");
    body.extend_from_slice(b"   \r\n");
    body.extend_from_slice(b"{\"text\": \"\xff\xfe\"}\n");
    body.extend_from_slice(b"{\"text\": oops}\n");
    body.extend_from_slice(b"{\"txt\": \"x\"}\n");
    body.extend_from_slice(b"[\"x\"]\n");
    body.extend_from_slice(b"{\"text\": \" \"}\n");
    body.extend_from_slice(format!("{}\n", json!({"text": "好".repeat(21)})).as_bytes());
    body.extend_from_slice(format!("{}\n", json!({"text": "好".repeat(5000)})).as_bytes());
    body.extend_from_slice(b"{\"text\": \"ok\"}\r\n");
    // The last line has no newline; it still counts.
    body.extend_from_slice(b"{\"text\": \"last\"}");
    let (status, lines) = stream(&app, &body).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = lines
        .iter()
        .map(|l| l["error"]["code"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "empty_line",
            "empty_line",
            "invalid_utf8",
            "malformed_json",
            "invalid_request",
            "invalid_request",
            "empty_text",
            "text_too_long",
            "line_too_long",
            "ok",
            "ok"
        ]
    );
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_body_that_breaks_off_ends_the_stream_with_an_error_line() {
    let app = spawn_app().await;
    let mut connection = connect(&app).await;
    let sent = b"{\"text\": \"\xe5\xa5\xbd\"}\n{\"text\": \"\xe5\xa5";
    connection
        .write_all(head(sent.len() + 100).as_bytes())
        .await
        .unwrap();
    connection.write_all(sent).await.unwrap();
    connection.shutdown().await.unwrap();
    let (status, lines) = read_lines(&mut connection).await;
    assert_eq!(status, 200);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0]["label"].is_string());
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["error"]["code"], "body_incomplete");
}

#[tokio::test]
async fn a_body_that_stalls_ends_the_stream_with_an_error_line() {
    let app = spawn_app_with(|c| c.body_timeout_ms = common::nz_ms(300)).await;
    let mut connection = connect(&app).await;
    let sent = b"{\"text\": \"\xe5\xa5\xbd\"}\n";
    connection
        .write_all(head(sent.len() + 100).as_bytes())
        .await
        .unwrap();
    connection.write_all(sent).await.unwrap();
    let started = Instant::now();
    let (status, lines) = read_lines(&mut connection).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1]["error"]["code"], "body_timeout");
}

#[tokio::test]
async fn other_content_types_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/predict/stream"))
        .header("content-type", "text/plain")
        .body("{\"text\": \"x\"}\n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::error_code(response, 415).await,
        "unsupported_media_type"
    );
}

/// A body of `lines` lines, written without reading the answer; returns the connection and how
/// many bytes went out within `within` (the writer stops when the server stops reading).
async fn write_without_reading(
    app: &TestApp,
    lines: usize,
    within: Duration,
) -> (TcpStream, usize, usize) {
    let line = json!({"text": "质量很好，物流也快，下次还会再买"}).to_string() + "\n";
    let total = line.len() * lines;
    let mut connection = connect(app).await;
    connection.write_all(head(total).as_bytes()).await.unwrap();
    let mut written = 0;
    let deadline = Instant::now() + within;
    while written < total && Instant::now() < deadline {
        match tokio::time::timeout(
            Duration::from_millis(200),
            connection.write_all(line.as_bytes()),
        )
        .await
        {
            Ok(Ok(())) => written += line.len(),
            Ok(Err(_)) => break,
            Err(_) => {} // blocked: the server is not reading; keep trying until the deadline
        }
    }
    (connection, written, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_not_buffered_without_bound() {
    let mut app = spawn_app().await;
    // 100 MB of lines; nothing of the answer is read.
    let (connection, written, total) =
        write_without_reading(&app, 2_000_000, Duration::from_secs(3)).await;
    assert!(
        written < total / 4,
        "the server kept reading a body whose answers nobody reads: {written} of {total} bytes"
    );
    let waiting = app.state.default_model().unwrap().inference.bulk_depth();
    assert!(waiting <= 600, "{waiting} texts queued for one stream");
    // Interactive requests are still answered meanwhile.
    let answer = app.predict("好").await;
    assert!(answer["label"].is_string());
    drop(connection);
    // Joins the workers before the process exits (libtorch must not be torn down under them).
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_has_its_queued_texts_dropped() {
    let mut app = spawn_app().await;
    let (connection, _, _) = write_without_reading(&app, 2_000_000, Duration::from_secs(1)).await;
    drop(connection);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.state.default_model().unwrap().inference.bulk_depth() > 0 {
        assert!(
            Instant::now() < deadline,
            "the stream's texts are still queued"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answer = app.predict("好").await;
    assert!(answer["label"].is_string());
    app.shutdown().await.unwrap();
}
