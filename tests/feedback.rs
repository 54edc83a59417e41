//! Operators' corrections over real TCP into a real SQLite file: stored before the 201, bad input
//! refused with reasons, scoped, exported as training data, counted; a database that cannot take
//! a row gives 503 while predictions go on; and `kill -9` under 32 writing clients loses no
//! acknowledged row.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{error_code, spawn_app, spawn_app_with};
use serde_json::json;

fn textserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_textserve"))
}

#[tokio::test]
async fn corrections_are_stored_refused_with_reasons_exported_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let db_path = db.clone();
    let app = spawn_app_with(move |c| c.feedback_db = Some(db_path)).await;
    let post =
        |path: &str, body: serde_json::Value| app.client.post(app.url(path)).json(&body).send();

    let response = post(
        "/v1/feedback",
        json!({"text": "来料检验合格，未见异常", "label": "positive", "predicted": "negative",
               "source": "mes-dashboard/line-4", "request_id": "req-0001"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let stored: serde_json::Value = response.json().await.unwrap();
    assert_eq!(stored["model"], common::MODEL_NAME);
    assert_eq!(stored["model_version"], "0.0.1");
    let path = format!("/v1/models/{}/feedback", common::MODEL_NAME);
    let response = post(
        &path,
        json!({"text": "焊缝有气孔", "label": "negative", "predicted": "negative"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let second: serde_json::Value = response.json().await.unwrap();
    assert!(second["id"].as_i64().unwrap() > stored["id"].as_i64().unwrap());

    for (body, status, code) in [
        (
            json!({"text": "好", "label": "excellent"}),
            422,
            "unknown_label",
        ),
        (
            json!({"text": "好", "label": "positive", "predicted": "great"}),
            422,
            "unknown_label",
        ),
        (
            json!({"text": "  ", "label": "positive"}),
            422,
            "empty_text",
        ),
        (
            json!({"text": "好", "label": "positive", "lable": "x"}),
            422,
            "invalid_request",
        ),
        (json!({"text": "好"}), 422, "invalid_request"),
        (
            json!({"text": "好", "label": "positive", "note": "长".repeat(1001)}),
            422,
            "field_too_long",
        ),
        (
            json!({"text": "好", "label": "positive", "request_id": "has space"}),
            422,
            "invalid_request_id",
        ),
        (
            json!({"text": "好".repeat(20_000), "label": "positive"}),
            413,
            "text_too_long",
        ),
    ] {
        let response = post("/v1/feedback", body.clone()).await.unwrap();
        assert_eq!(error_code(response, status).await, code, "{body}");
    }
    let response = post(
        "/v1/models/no-such-model/feedback",
        json!({"text": "好", "label": "positive"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 404);

    let metrics = app.metrics_text().await;
    for line in [
        format!(
            r#"textserve_feedback_total{{model="{}",agreement="corrected"}} 1"#,
            common::MODEL_NAME
        ),
        format!(
            r#"textserve_feedback_total{{model="{}",agreement="agreed"}} 1"#,
            common::MODEL_NAME
        ),
    ] {
        assert!(metrics.contains(&line), "{line} not in the metrics");
    }

    // Exported while the server runs, in the format training reads.
    let out = dir.path().join("feedback.jsonl");
    let status = textserve()
        .args(["feedback", "export", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let dataset =
        textserve::data::Dataset::read(&out, &textserve::data::ReadOptions::default()).unwrap();
    let pairs: Vec<(&str, &str)> = dataset
        .examples
        .iter()
        .map(|e| (e.text.as_str(), e.label.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("来料检验合格，未见异常", "positive"),
            ("焊缝有气孔", "negative")
        ]
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(exported.contains("mes-dashboard/line-4") && exported.contains("req-0001"));

    let stats = textserve()
        .args(["feedback", "stats", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(stats.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["rows"], 2);
    let agreed: i64 = stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["agreed"].as_i64().unwrap())
        .sum();
    assert_eq!(agreed, 1);
}

#[tokio::test]
async fn without_a_database_feedback_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/feedback", &json!({"text": "好", "label": "positive"}))
        .await;
    assert_eq!(error_code(response, 404).await, "feedback_disabled");
}

/// Scoped keys: feedback needs its own scope, and the row records which key sent it.
#[tokio::test]
async fn feedback_needs_the_feedback_scope_and_records_the_key() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let digest = |key: &str| hex::encode(Sha256::digest(key.as_bytes()));
    let keys = dir.path().join("keys.json");
    std::fs::write(
        &keys,
        json!({"keys": [
            {"name": "dashboard", "sha256": digest("dashboard-key-00001"), "scopes": ["predict"]},
            {"name": "quality", "sha256": digest("quality-key-0000001"), "scopes": ["predict", "feedback"]}
        ]})
        .to_string(),
    )
    .unwrap();
    let db = dir.path().join("feedback.db");
    let db_path = db.clone();
    let app = spawn_app_with(move |c| {
        c.api_keys_file = Some(keys);
        c.feedback_db = Some(db_path);
    })
    .await;
    let send = |key: &str| {
        app.client
            .post(app.url("/v1/feedback"))
            .bearer_auth(key)
            .json(&json!({"text": "漆面均匀", "label": "positive"}))
            .send()
    };
    let refused = send("dashboard-key-00001").await.unwrap();
    assert_eq!(error_code(refused, 403).await, "insufficient_scope");
    assert_eq!(send("quality-key-0000001").await.unwrap().status(), 201);
    let connection = rusqlite::Connection::open(&db).unwrap();
    let key: String = connection
        .query_row("SELECT key FROM feedback", [], |row| row.get(0))
        .unwrap();
    assert_eq!(key, "quality");
}

/// Another writer holding the database longer than the server waits: the correction is refused
/// with 503 and a reason, and predictions are not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_take_the_row_gives_503_and_predictions_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let db_path = db.clone();
    let app = spawn_app_with(move |c| c.feedback_db = Some(db_path)).await;
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let response = app
        .post_json("/v1/feedback", &json!({"text": "好", "label": "positive"}))
        .await;
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(error_code(response, 503).await, "feedback_unavailable");
    app.predict("设备运行正常").await;
    holder.execute_batch("ROLLBACK").unwrap();
    let response = app
        .post_json("/v1/feedback", &json!({"text": "好", "label": "positive"}))
        .await;
    assert_eq!(response.status(), 201);
    assert!(
        app.metrics_text()
            .await
            .contains("textserve_feedback_failures_total 1")
    );
}

/// `kill -9` while 32 clients post corrections: after a restart every row that got a 201 is in
/// the file, once, and the file is sound.
#[test]
fn no_acknowledged_row_is_lost_when_the_server_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    let db = dir.path().join("feedback.db");
    let port = common::free_port();
    let mut server = textserve()
        .args(["serve", "--workers", "1", "--log-level", "warn", "--port"])
        .arg(port.to_string())
        .arg("--model")
        .arg(&model)
        .arg("--feedback-db")
        .arg(&db)
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let acknowledged = runtime.block_on(async {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        common::wait_until_ready(&client, &base).await;
        let mut clients = Vec::new();
        for worker in 0..32 {
            let (client, base) = (client.clone(), base.clone());
            clients.push(tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for n in 0.. {
                    let text = format!("第{worker}组第{n}条：外观检验合格");
                    let sent = client
                        .post(format!("{base}/v1/feedback"))
                        .json(&json!({"text": text, "label": "positive"}))
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    if response.status() != 201 {
                        break;
                    }
                    let Ok(body) = response.json::<serde_json::Value>().await else {
                        break;
                    };
                    acknowledged.push((body["id"].as_i64().unwrap(), text));
                }
                acknowledged
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // SAFETY: signals a child process this test started.
        unsafe { libc::kill(server.id() as i32, libc::SIGKILL) };
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await.unwrap());
        }
        all
    });
    let _ = server.wait();
    assert!(
        acknowledged.len() > 50,
        "only {} rows acknowledged",
        acknowledged.len()
    );

    let store = textserve::feedback::FeedbackStore::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let rows = store.export(None, None).unwrap();
    let by_id: std::collections::HashMap<i64, &str> =
        rows.iter().map(|r| (r.id, r.text.as_str())).collect();
    for (id, text) in &acknowledged {
        assert_eq!(
            by_id.get(id),
            Some(&text.as_str()),
            "row {id} acknowledged but not stored"
        );
    }
    let distinct: std::collections::HashSet<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(distinct.len(), rows.len(), "a row stored twice");
    eprintln!(
        "{} rows acknowledged before kill -9, {} in the file after",
        acknowledged.len(),
        rows.len()
    );
}
