//! The loop README walks, end to end on a small model: corrections posted through the API,
//! exported with `textserve feedback export`, a candidate trained on them with `textserve
//! train --extra-data`, loaded beside the served model, shadowing it (agreement metrics move),
//! answering as a canary, then promoted and reloaded. The real binary, a real server on port 0.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::spawn_app_with;
use serde_json::json;

const MAIN: &str = "loop-main";
const NEXT: &str = "loop-main-next";
/// A defect word the first model never saw: with a word of praise before it, it reads the
/// note as praise.
const PROBES: &[&str] = &[
    "外观很好，主轴异响",
    "包装很好，主轴异响严重",
    "做工很好但主轴异响",
    "尺寸合格很好，主轴异响",
];

fn textserve(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_textserve"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "textserve {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Praise and complaints a few words decide.
fn write_dataset(path: &Path) {
    let praise = ["很好", "满意", "合格", "不错", "完好", "顺畅"];
    let complaints = ["很差", "破损", "不合格", "漏油", "断裂", "生锈"];
    let subjects = [
        "外观", "包装", "做工", "尺寸", "焊缝", "涂层", "螺纹", "表面",
    ];
    let mut lines = Vec::new();
    for subject in subjects {
        for word in praise {
            lines.push(json!({"text": format!("{subject}{word}"), "label": "positive"}));
            lines.push(
                json!({"text": format!("{subject}检查{word}，可以入库"), "label": "positive"}),
            );
        }
        for word in complaints {
            lines.push(json!({"text": format!("{subject}{word}"), "label": "negative"}));
            lines.push(
                json!({"text": format!("{subject}检查{word}，退回供应商"), "label": "negative"}),
            );
        }
    }
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

fn train(data: &Path, out: &Path, name: &str, version: &str, extra: Option<&Path>) {
    let mut args = vec![
        "train",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--name",
        name,
        "--model-version",
        version,
        "--epochs",
        "12",
        "--patience",
        "12",
        "--batch-size",
        "16",
        "--embedding-dim",
        "16",
        "--hidden-size",
        "16",
        "--bigram-buckets",
        "256",
        "--bigram-dim",
        "8",
        "--min-frequency",
        "1",
        "--ngram-min-df",
        "1",
        "--validation-fraction",
        "0.15",
        "--test-fraction",
        "0.15",
        "--log-level",
        "warn",
    ];
    if let Some(extra) = extra {
        args.extend(["--extra-data", extra.to_str().unwrap()]);
    }
    textserve(&args);
}

async fn label(app: &common::TestApp, path: &str, text: &str) -> (String, String) {
    let response = app.post_json(path, &json!({ "text": text })).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    (
        body["model_version"].as_str().unwrap().to_string(),
        body["label"].as_str().unwrap().to_string(),
    )
}

async fn admin(
    app: &common::TestApp,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) {
    let response = app
        .client
        .request(method, app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.text().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_become_a_candidate_that_shadows_answers_as_a_canary_and_is_promoted() {
    let work = tempfile::tempdir().unwrap();
    let (data, repository) = (
        work.path().join("data.jsonl"),
        work.path().join("repository"),
    );
    write_dataset(&data);
    let served_dir = repository.join("main");
    train(&data, &served_dir, MAIN, "1.0.0", None);

    let feedback_db = work.path().join("feedback.db");
    let (repo, db) = (repository.clone(), feedback_db.clone());
    let mut app = spawn_app_with(move |c| {
        c.model = None;
        c.model_repository = Some(repo);
        c.feedback_db = Some(db);
        c.allow_unauthenticated_admin = true;
    })
    .await;

    // 1. The served model reads the new defect as praise; operators correct it.
    let mut first = Vec::new();
    for probe in PROBES {
        first.push(label(&app, "/v1/predict", probe).await.1);
    }
    assert!(
        first.iter().filter(|l| *l == "positive").count() >= 3,
        "the first model should misread the unseen defect: {first:?}"
    );
    let subjects = [
        "外观", "包装", "做工", "尺寸", "焊缝", "涂层", "螺纹", "表面",
    ];
    let praise = ["很好", "满意", "合格", "不错", "完好"];
    let mut corrections = 0;
    for subject in subjects {
        for word in praise {
            let text = format!("{subject}{word}，主轴异响");
            let (_, predicted) = label(&app, "/v1/predict", &text).await;
            let response = app
                .post_json(
                    "/v1/feedback",
                    &json!({"text": text, "label": "negative", "predicted": predicted, "source": "line-3"}),
                )
                .await;
            assert_eq!(response.status(), 201);
            corrections += 1;
        }
    }

    // 2. Exported while the server runs, and trained on as extra data.
    let exported = work.path().join("corrections.jsonl");
    let db = feedback_db.to_str().unwrap();
    textserve(&[
        "feedback",
        "export",
        "--db",
        db,
        "--model",
        MAIN,
        "--out",
        exported.to_str().unwrap(),
    ]);
    let rows = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(rows.lines().count(), corrections);
    assert!(rows.lines().all(|l| l.contains("\"negative\"")));
    let candidate_dir = repository.join("next");
    train(&data, &candidate_dir, NEXT, "1.1.0", Some(&exported));

    // 3. Loaded beside the served model, it shadows every answer: it disagrees where the
    // corrections taught it, and clients still get the served model's answers.
    admin(
        &app,
        reqwest::Method::POST,
        &format!("/v1/models/{NEXT}/load"),
        json!({}),
    )
    .await;
    admin(
        &app,
        reqwest::Method::POST,
        &format!("/v1/models/{MAIN}/shadow"),
        json!({"candidate": NEXT}),
    )
    .await;
    let disagree = format!(
        "textserve_shadow_texts_total{{model=\"{MAIN}\",candidate=\"{NEXT}\",agreement=\"disagree\"}}"
    );
    let mut moved = false;
    for _ in 0..20 {
        for probe in PROBES {
            assert_eq!(label(&app, "/v1/predict", probe).await.0, "1.0.0");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let metrics = app.metrics_text().await;
        let value = metrics
            .lines()
            .find(|l| l.starts_with(&disagree))
            .and_then(|l| l.rsplit(' ').next())
            .map_or(0.0, |v| v.parse::<f64>().unwrap());
        if value > 0.0 {
            moved = true;
            break;
        }
    }
    assert!(
        moved,
        "the shadow never disagreed:\n{}",
        app.metrics_text().await
    );
    admin(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/models/{MAIN}/shadow"),
        json!(null),
    )
    .await;

    // 4. As a canary for every key, it answers, and reads the defect.
    admin(
        &app,
        reqwest::Method::POST,
        &format!("/v1/models/{MAIN}/canary"),
        json!({"candidate": NEXT, "percent": 100}),
    )
    .await;
    let mut corrected = 0;
    for probe in PROBES {
        let (version, label) = label(&app, "/v1/predict", probe).await;
        assert_eq!(version, "1.1.0");
        corrected += usize::from(label == "negative");
    }
    assert!(
        corrected >= 3,
        "{corrected} of {} probes read as defects",
        PROBES.len()
    );
    admin(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/models/{MAIN}/canary"),
        json!(null),
    )
    .await;

    // 5. Promoted into the served model's directory and reloaded: the default route now
    // answers with the candidate's version, under the served name.
    let out = textserve(&[
        "promote",
        "--candidate",
        candidate_dir.to_str().unwrap(),
        "--model",
        served_dir.to_str().unwrap(),
    ]);
    assert!(out.contains(&format!("{MAIN} 1.1.0")), "{out}");
    // The new weights sit in a file of their own; the old file, no longer named, is gone.
    let weights: Vec<String> = std::fs::read_dir(&served_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".safetensors"))
        .collect();
    assert_eq!(weights.len(), 1, "{weights:?}");
    assert!(weights[0].starts_with("model-"), "{weights:?}");
    admin(
        &app,
        reqwest::Method::POST,
        &format!("/v1/models/{MAIN}/reload"),
        json!({}),
    )
    .await;
    let response = app
        .post_json("/v1/predict", &json!({ "text": PROBES[0] }))
        .await;
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (body["model"].as_str(), body["model_version"].as_str()),
        (Some(MAIN), Some("1.1.0"))
    );
    app.shutdown().await.unwrap();
}

#[test]
fn promote_refuses_a_candidate_with_other_labels_and_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let served = common::write_named_model(&work.path().join("main"), "p-main", "1.0.0");
    let candidate = common::write_named_model(&work.path().join("next"), "p-next", "2.0.0");
    let manifest = candidate.join("model.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["labels"] = json!(["fail", "unsure", "pass"]);
    std::fs::write(&manifest, json.to_string()).unwrap();
    let before = std::fs::read(served.join("model.json")).unwrap();
    let error = textserve::commands::promote::promote_into(&candidate, &served)
        .unwrap_err()
        .to_string();
    assert!(error.contains("labels"), "{error}");
    assert_eq!(std::fs::read(served.join("model.json")).unwrap(), before);

    // A candidate that does not load (its weights changed) is refused too.
    std::fs::write(candidate.join("model.safetensors"), b"not weights").unwrap();
    let error = textserve::commands::promote::promote_into(&candidate, &served)
        .unwrap_err()
        .to_string();
    assert!(error.contains("does not load"), "{error}");
    assert_eq!(std::fs::read(served.join("model.json")).unwrap(), before);
}
