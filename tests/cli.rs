//! The binary itself: exit codes and output of the subcommands users type.

mod common;

use std::process::Command;

fn textserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_textserve"))
}

/// Runs `command`, which must succeed (its stderr is shown if not); returns its stdout.
fn succeed(command: &mut Command) -> Vec<u8> {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Runs `serve` on `model`, which must fail to start; returns what it printed on stderr.
fn serve_failure(model: &std::path::Path) -> String {
    let output = textserve()
        .args(["serve", "--port", "0", "--model"])
        .arg(model)
        .output()
        .unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn serve_exits_non_zero_with_a_clear_message_when_the_model_is_missing() {
    let stderr = serve_failure(std::path::Path::new("/nonexistent/model-dir"));
    assert!(
        stderr.contains("/nonexistent/model-dir") && stderr.contains("not found"),
        "{stderr}"
    );
}

#[test]
fn serve_rejects_a_corrupt_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    std::fs::write(model.join("model.json"), "{").unwrap();
    let stderr = serve_failure(&model);
    assert!(
        stderr.contains("model.json") && stderr.contains("invalid manifest"),
        "{stderr}"
    );
}

#[test]
fn import_train_eval_and_predict_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad) = (dir.path().join("good.txt"), dir.path().join("bad.txt"));
    let good_lines: Vec<String> = (0..40)
        .map(|i| format!("质量很好 非常满意 第{i}次购买"))
        .collect();
    let bad_lines: Vec<String> = (0..40)
        .map(|i| format!("太差了 非常失望 第{i}次购买"))
        .collect();
    std::fs::write(&good, good_lines.join("\n")).unwrap();
    std::fs::write(&bad, bad_lines.join("\n")).unwrap();
    let data = dir.path().join("data.jsonl");
    let stdout = succeed(
        textserve()
            .args(["data", "import", "--label"])
            .arg(format!("positive={}", good.display()))
            .arg("--label")
            .arg(format!("negative={}", bad.display()))
            .arg("--out")
            .arg(&data),
    );
    let stdout = String::from_utf8_lossy(&stdout);
    assert!(
        stdout.contains("80 examples") && stdout.contains("sha256"),
        "{stdout}"
    );

    let model = dir.path().join("reviews");
    let output = textserve()
        .args(["train", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&model)
        .args([
            "--threads",
            "1",
            "--epochs",
            "3",
            "--embedding-dim",
            "8",
            "--hidden-size",
            "8",
        ])
        .args([
            "--bigram-buckets",
            "64",
            "--bigram-dim",
            "4",
            "--min-frequency",
            "1",
            "--ngram-min-df",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("epoch 1/3"),
        "a plain log line per epoch off a terminal: {stderr}"
    );
    assert!(model.join("MODEL_CARD.md").is_file());

    let stdout = succeed(
        textserve()
            .args(["eval", "--json", "--threads", "1", "--model"])
            .arg(&model),
    );
    let evaluation: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(evaluation["examples"], 8, "the recorded 10 % test split");
    assert!(evaluation["confusion"].is_array());

    let stdout = succeed(
        textserve()
            .args(["eval", "--json", "--split", "validation", "--model"])
            .arg(&model),
    );
    let evaluation: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("model.json")).unwrap()).unwrap();
    assert_eq!(
        evaluation, manifest["metrics"]["validation"],
        "the recorded validation split, scored as training scored it"
    );

    // Wrong labels come back as mistakes, each line an example as written.
    let swapped = dir.path().join("swapped.jsonl");
    std::fs::write(
        &swapped,
        "{\"text\":\"质量很好 非常满意\",\"label\":\"negative\"}\n{\"text\":\"太差了 非常失望\",\"label\":\"positive\"}\n{\"text\":\"太差了 第3次购买\",\"label\":\"negative\"}\n",
    )
    .unwrap();
    let mistakes_file = dir.path().join("mistakes.jsonl");
    succeed(
        textserve()
            .args(["eval", "--json", "--model"])
            .arg(&model)
            .arg("--data")
            .arg(&swapped)
            .arg("--misclassified")
            .arg(&mistakes_file),
    );
    let mistakes: Vec<serde_json::Value> = std::fs::read_to_string(&mistakes_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut texts: Vec<&str> = mistakes
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    texts.sort();
    assert_eq!(texts, ["太差了 非常失望", "质量很好 非常满意"]);
    assert!(mistakes.iter().all(|m| m["label"] != m["predicted"]));

    let output = textserve()
        .args(["eval", "--split", "validation", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&swapped)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "--split names the recorded split only"
    );

    let stdout = succeed(
        textserve()
            .args(["predict", "--json", "--model"])
            .arg(&model)
            .args(["质量很好", "太差了"]),
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "质量很好");
    assert!(lines[0]["probabilities"]["positive"].is_number());
}

#[test]
fn openapi_subcommand_prints_the_committed_spec() {
    let stdout = succeed(textserve().arg("openapi"));
    let printed: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

/// Sends one raw HTTP/1.1 request and returns the whole response text.
fn raw_http(address: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).to_string()
}

#[test]
fn log_lines_stay_one_line_per_request_whatever_clients_send() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    let mut server = textserve()
        .args(["serve", "--port", "0", "--log-format", "json", "--model"])
        .arg(&model)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut address = None;
    let mut ready = false;
    while !(ready && address.is_some()) {
        let line = lines.next().expect("server log ends early").unwrap();
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        if event["message"] == "listening" {
            address = event["address"].as_str().map(str::to_string);
        }
        ready |= event["message"]
            .as_str()
            .is_some_and(|m| m.contains("ready"));
        seen.push(line);
    }
    let address = address.unwrap();
    let forged = "ok\r\n2026-11-28T00:00:00Z  INFO request status=200 forged";
    let body = serde_json::json!({ "text": forged }).to_string();
    let requests = [
        format!(
            "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        "GET /health/live%0d%0aINFO%20forged HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .to_string(),
        "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\tINFO forged\r\n\
         Connection: close\r\n\r\n"
            .to_string(),
    ];
    let statuses: Vec<String> = requests
        .iter()
        .map(|r| raw_http(&address, r.as_bytes()))
        .map(|response| response.lines().next().unwrap_or_default().to_string())
        .collect();
    assert!(statuses[0].contains(" 200 "), "{statuses:?}");
    assert!(statuses[1].contains(" 404 "), "{statuses:?}");
    assert!(statuses[2].contains(" 200 "), "{statuses:?}");

    // SIGTERM: the server drains and exits 0, closing its log.
    // SAFETY: kill only sends a signal to the child this test started.
    unsafe {
        libc::kill(server.id() as i32, libc::SIGTERM);
    }
    seen.extend(lines.map(Result::unwrap));
    assert!(server.wait().unwrap().success());
    let events: Vec<serde_json::Value> = seen
        .iter()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not one JSON event: {line:?}"))
        })
        .collect();
    let requests_logged: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["message"] == "request")
        .collect();
    assert_eq!(requests_logged.len(), 3, "{seen:#?}");
    // Only the 404's path, still percent-encoded, mentions it: bodies are never logged.
    let mentions: Vec<&String> = seen.iter().filter(|l| l.contains("forged")).collect();
    assert_eq!(mentions.len(), 1, "{seen:#?}");
    assert!(mentions[0].contains("%0d%0aINFO%20forged"), "{mentions:?}");
    assert!(
        requests_logged
            .iter()
            .all(|e| !e["request_id"].as_str().unwrap().contains('\t')),
        "{seen:#?}"
    );
}

#[test]
fn predict_input_files_answer_every_line_in_order_with_per_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    let loaded = common::load(&model);
    let jsonl = dir.path().join("comments.jsonl");
    std::fs::write(
        &jsonl,
        "{\"text\": \"质量很好，物流也快\"}\n\n{\"text\": 5}\n{\"text\": \"用了两天就坏了，太差\"}",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    succeed(
        textserve()
            .args(["predict", "--model"])
            .arg(&model)
            .arg("--input")
            .arg(&jsonl)
            .arg("--output")
            .arg(&out),
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes: Vec<&str> = lines
        .iter()
        .map(|l| l["error"]["code"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(codes, ["ok", "empty_line", "invalid_request", "ok"]);
    let direct = loaded.predict_texts(&["质量很好，物流也快", "用了两天就坏了，太差"], 8);
    for (line, expected) in [&lines[0], &lines[3]].into_iter().zip(direct) {
        for (label, p) in loaded.labels().iter().zip(expected) {
            let got = line["probabilities"][label].as_f64().unwrap();
            assert!((got - f64::from(p)).abs() < 1e-5);
        }
    }
    // CSV with a text column; quoted commas, an empty text.
    let csv = dir.path().join("comments.csv");
    std::fs::write(&csv, "id,text\n1,很满意 👍\n2,\"用了两天,就坏了\"\n3,\n").unwrap();
    let stdout = succeed(
        textserve()
            .args(["predict", "--model"])
            .arg(&model)
            .arg("--input")
            .arg(&csv),
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(lines[2]["error"]["code"], "empty_text");
    // A file whose format cannot be told is refused with a clear message.
    let unknown = dir.path().join("comments.txt");
    std::fs::write(&unknown, "x\n").unwrap();
    let output = textserve()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&unknown)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--format"));
}

#[test]
fn healthcheck_asks_the_configured_port_and_fails_unless_ready() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app());
    let port = app.address.rsplit(':').next().unwrap().to_string();
    // The port comes from the same variable `serve` reads; 0.0.0.0 is asked on loopback.
    let stdout = succeed(
        textserve()
            .args(["healthcheck", "--host", "0.0.0.0"])
            .env("TEXTSERVE_PORT", &port),
    );
    assert!(String::from_utf8_lossy(&stdout).starts_with("ready"));

    // A server that is up but not ready.
    let warming = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let warming_port = warming.local_addr().unwrap().port();
    // It is live (the liveness route answers) but not ready.
    let answer = std::thread::spawn(move || {
        use std::io::{Read, Write};
        for _ in 0..2 {
            let (mut stream, _) = warming.accept().unwrap();
            let mut request = Vec::new();
            let mut chunk = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let read = stream.read(&mut chunk).unwrap();
                assert!(read > 0, "the request ends with a blank line");
                request.extend_from_slice(&chunk[..read]);
            }
            let (status, body) = if request.starts_with(b"GET /health/live ") {
                ("200 OK", r#"{"status":"ok"}"#)
            } else {
                ("503 Service Unavailable", r#"{"status":"loading"}"#)
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
    });
    let output = textserve()
        .args(["healthcheck", "--port", &warming_port.to_string()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"503\"") && stderr.contains("loading"),
        "{stderr}"
    );
    let stdout =
        succeed(textserve().args(["healthcheck", "--live", "--port", &warming_port.to_string()]));
    assert!(String::from_utf8_lossy(&stdout).starts_with("live"));
    answer.join().unwrap();

    // Nobody there at all.
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = textserve()
        .args(["healthcheck", "--port", &free_port.to_string()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no server on 127.0.0.1:"));
    drop(app);
}

#[test]
fn sighup_reloads_every_model_from_its_directory() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("m");
    common::write_named_model(&dir, "hangup", "1");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = textserve()
        .args(["serve", "--workers", "1", "--log-level", "warn", "--port"])
        .arg(port.to_string())
        .arg("--model-repository")
        .arg(repo.path())
        .arg("--audit-log")
        .arg(repo.path().join("audit.jsonl"))
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served_version = || {
        runtime.block_on(async {
            let response = reqwest::get(format!("http://127.0.0.1:{port}/v1/models"))
                .await
                .ok()?;
            let models: serde_json::Value = response.json().await.ok()?;
            models["models"][0]["version"].as_str().map(String::from)
        })
    };
    let wait_for = |version: &str| {
        for _ in 0..1000 {
            if served_version().as_deref() == Some(version) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("version {version} never served");
    };
    wait_for("1");
    common::write_named_model(&dir, "hangup", "2");
    // SAFETY: signals a child process this test started.
    unsafe { libc::kill(server.id() as i32, libc::SIGHUP) };
    wait_for("2");
    // The reload is in the audit trail, as done by the signal.
    let audited = (0..500).find_map(|_| {
        let text = std::fs::read_to_string(repo.path().join("audit.jsonl")).unwrap_or_default();
        let line = text.lines().next().map(String::from);
        if line.is_none() {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        line
    });
    let line: serde_json::Value = serde_json::from_str(&audited.expect("an audit line")).unwrap();
    assert_eq!(
        (
            &line["event"],
            &line["via"],
            &line["model"],
            &line["outcome"]
        ),
        (
            &serde_json::json!("model_reload"),
            &serde_json::json!("sighup"),
            &serde_json::json!("hangup"),
            &serde_json::json!("ok")
        )
    );
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    assert!(server.wait().unwrap().success());
}
