//! Several models from a repository, reloads without dropping a request, loading and
//! unloading, and the admin key that guards them: real servers on port 0, real tiny models.

mod common;

use std::path::{Path, PathBuf};

use common::{TestApp, error_code, spawn_app_with, write_named_model};
use serde_json::json;
use textserve::config::ReadyRequires;
use textserve::serve::Application;

const ADMIN_KEY: &str = "admin-key-for-the-tests-0001";
const API_KEY: &str = "inference-key-for-the-tests-01";

/// A repository directory holding the given (directory, model name, version) models.
fn repository(models: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for (dir, name, version) in models {
        write_named_model(&repo.path().join(dir), name, version);
    }
    repo
}

async fn serve_repository(
    repo: &Path,
    adjust: impl FnOnce(&mut textserve::config::ServeConfig),
) -> TestApp {
    let repo = repo.to_path_buf();
    spawn_app_with(move |c| {
        c.model = None;
        c.model_repository = Some(repo);
        c.allow_unauthenticated_admin = true;
        adjust(c);
    })
    .await
}

fn listed_model<'a>(models: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed in {models}"))
}

#[tokio::test]
async fn a_repository_serves_each_model_by_name_and_the_default_without_one() {
    let repo = repository(&[("a", "alpha", "1.0.0"), ("b", "beta", "2.0.0")]);
    // Ready once both have loaded: beta's version is read before any request asks for it.
    let mut app = serve_repository(repo.path(), |c| {
        c.default_model = Some("alpha".into());
        c.ready_requires = ReadyRequires::All;
    })
    .await;

    let models = app.get_json("/v1/models").await;
    assert_eq!(models["models"].as_array().unwrap().len(), 2, "{models}");
    let (alpha, beta) = (
        listed_model(&models, "alpha"),
        listed_model(&models, "beta"),
    );
    assert_eq!(alpha["state"], "ready");
    assert_eq!(alpha["version"], "1.0.0");
    assert_eq!(alpha["default"], true);
    assert_eq!(beta["version"], "2.0.0");
    assert_eq!(beta["default"], false);
    assert!(beta["error"].is_null());

    let text = json!({ "text": "质量很好" });
    let default = app.predict("质量很好").await;
    assert_eq!(default["model"], "alpha");
    let response = app.post_json("/v1/models/beta/predict", &text).await;
    assert_eq!(response.status(), 200);
    let named: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (&named["model"], &named["model_version"]),
        (&json!("beta"), &json!("2.0.0"))
    );
    let batch: serde_json::Value = app
        .post_json(
            "/v1/models/beta/predict/batch",
            &json!({ "texts": ["好", "坏"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(batch["model"], "beta");
    assert_eq!(batch["predictions"].as_array().unwrap().len(), 2);
    let explained: serde_json::Value = app
        .post_json("/v1/models/beta/explain", &text)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(explained["model"], "beta");
    assert_eq!(app.get_json("/v1/models/beta").await["version"], "2.0.0");
    let v2 = app
        .post_json(
            "/v2/models/beta/infer",
            &json!({ "inputs": [{ "name": "text", "datatype": "BYTES", "shape": [1], "data": ["好"] }] }),
        )
        .await;
    assert_eq!(v2.status(), 200);
    assert_eq!(
        v2.json::<serde_json::Value>().await.unwrap()["model_version"],
        "2.0.0"
    );

    // Metrics name the model and version that answered.
    let metrics = app.metrics_text().await;
    let has = |prefix: &str, parts: &[&str]| {
        metrics
            .lines()
            .any(|l| l.starts_with(prefix) && parts.iter().all(|p| l.contains(p)))
    };
    assert!(
        has(
            "textserve_requests_total{",
            &[
                "route=\"/v1/models/{name}/predict\"",
                "model=\"beta\"",
                "version=\"2.0.0\""
            ]
        ),
        "{metrics}"
    );
    assert!(has(
        "textserve_requests_total{",
        &["route=\"/v1/predict\"", "model=\"alpha\""]
    ));
    for metric in [
        "textserve_queue_wait_seconds_count{",
        "textserve_batch_size_count{",
    ] {
        assert!(
            has(metric, &["model=\"beta\"", "version=\"2.0.0\""]),
            "{metric}"
        );
    }

    // An unknown model is 404 on every route that names one.
    for path in ["/v1/models/gamma/predict", "/v1/models/gamma/explain"] {
        let response = app.post_json(path, &text).await;
        assert_eq!(error_code(response, 404).await, "not_found", "{path}");
    }
    assert_eq!(
        error_code(app.get("/v1/models/gamma").await, 404).await,
        "not_found"
    );
    let v2 = app
        .post_json(
            "/v2/models/gamma/infer",
            &json!({ "inputs": [{ "name": "text", "datatype": "BYTES", "shape": [1], "data": ["好"] }] }),
        )
        .await;
    assert_eq!(v2.status(), 404);
    assert!(v2.json::<serde_json::Value>().await.unwrap()["error"].is_string());
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_repository_that_is_ambiguous_is_refused_at_start_naming_the_cause() {
    let config = |repo: &Path, default: Option<&str>| textserve::config::ServeConfig {
        model: None,
        model_repository: Some(repo.to_path_buf()),
        default_model: default.map(String::from),
        ..common::test_config(repo)
    };
    let twins = repository(&[("one", "alpha", "1.0.0"), ("two", "alpha", "1.0.1")]);
    let error = format!(
        "{:#}",
        Application::build(&config(twins.path(), Some("alpha")))
            .await
            .err()
            .unwrap()
    );
    assert!(
        error.contains("alpha") && error.contains("one") && error.contains("two"),
        "{error}"
    );
    let two = repository(&[("a", "alpha", "1.0.0"), ("b", "beta", "1.0.0")]);
    let error = format!(
        "{:#}",
        Application::build(&config(two.path(), None))
            .await
            .err()
            .unwrap()
    );
    assert!(error.contains("--default-model"), "{error}");
    let error = format!(
        "{:#}",
        Application::build(&config(two.path(), Some("gamma")))
            .await
            .err()
            .unwrap()
    );
    assert!(
        error.contains("gamma") && error.contains("alpha, beta"),
        "{error}"
    );
}

#[tokio::test]
async fn management_needs_the_admin_key_and_the_admin_key_opens_nothing_else() {
    let repo = repository(&[("a", "alpha", "1.0.0")]);
    // No admin key and no opt-out: closed, even on loopback.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = audit_dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let mut closed = serve_repository(repo.path(), move |c| {
        c.allow_unauthenticated_admin = false;
        c.audit_log = Some(audit_path);
    })
    .await;
    let response = closed
        .post_json("/v1/models/alpha/reload", &json!({}))
        .await;
    assert_eq!(error_code(response, 403).await, "admin_disabled");
    closed.shutdown().await.unwrap();
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&audit).unwrap().trim()).unwrap();
    assert_eq!(
        (&line["event"], &line["outcome"], &line["model"]),
        (&json!("admin_disabled"), &json!("refused"), &json!("alpha"))
    );

    let mut app = serve_repository(repo.path(), |c| {
        c.allow_unauthenticated_admin = false;
        c.admin_api_keys = vec![ADMIN_KEY.parse().unwrap()];
        c.api_keys = vec![API_KEY.parse().unwrap()];
    })
    .await;
    let post = |path: &str, key: Option<&str>| {
        let request = app
            .client
            .post(app.url(path))
            .json(&json!({ "text": "好" }));
        match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
        .send()
    };
    for key in [None, Some(API_KEY), Some("not-the-admin-key-at-all")] {
        let response = post("/v1/models/alpha/reload", key).await.unwrap();
        assert_eq!(error_code(response, 401).await, "unauthorized", "{key:?}");
    }
    let response = post("/v1/models/alpha/reload", Some(ADMIN_KEY))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = post("/v1/predict", Some(ADMIN_KEY)).await.unwrap();
    assert_eq!(error_code(response, 401).await, "unauthorized");
    let response = post("/v1/predict", Some(API_KEY)).await.unwrap();
    assert_eq!(response.status(), 200);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_reload_swaps_the_new_version_in_and_a_bad_one_leaves_the_served_one() {
    let repo = repository(&[("m", "reloaded", "1.0.0")]);
    let dir = repo.path().join("m");
    let mut app = serve_repository(repo.path(), |_| {}).await;
    assert_eq!(app.predict("好").await["model_version"], "1.0.0");

    write_named_model(&dir, "reloaded", "1.1.0");
    let response = app
        .post_json("/v1/models/reloaded/reload", &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let status: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (&status["state"], &status["version"]),
        (&json!("ready"), &json!("1.1.0"))
    );
    assert_eq!(app.predict("好").await["model_version"], "1.1.0");

    // Weights that do not match their checksum: refused, the file named, 1.1.0 serves on.
    std::fs::write(dir.join("model.safetensors"), b"not weights").unwrap();
    let response = app
        .post_json("/v1/models/reloaded/reload", &json!({}))
        .await;
    let body: serde_json::Value = {
        assert_eq!(response.status(), 422);
        response.json().await.unwrap()
    };
    assert_eq!(body["error"]["code"], "load_failed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("model.safetensors") && message.contains("checksum"),
        "{message}"
    );
    assert_eq!(app.predict("好").await["model_version"], "1.1.0");
    let listed = app.get_json("/v1/models").await;
    let listed = listed_model(&listed, "reloaded");
    assert_eq!(
        (&listed["state"], &listed["version"]),
        (&json!("ready"), &json!("1.1.0"))
    );
    assert!(
        listed["error"].as_str().unwrap().contains("checksum"),
        "{listed}"
    );

    // A format this build cannot read: the same.
    write_named_model(&dir, "reloaded", "1.2.0");
    let manifest = std::fs::read_to_string(dir.join("model.json")).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    manifest["format_version"] = json!(999);
    std::fs::write(dir.join("model.json"), manifest.to_string()).unwrap();
    let response = app
        .post_json("/v1/models/reloaded/reload", &json!({}))
        .await;
    assert_eq!(error_code(response, 422).await, "load_failed");
    assert_eq!(app.predict("好").await["model_version"], "1.1.0");

    // The directory now holds another model: refused as a conflict, nothing changed.
    write_named_model(&dir, "someone-else", "9.0.0");
    let response = app
        .post_json("/v1/models/reloaded/reload", &json!({}))
        .await;
    assert_eq!(error_code(response, 409).await, "model_name_mismatch");
    assert_eq!(app.predict("好").await["model_version"], "1.1.0");

    let metrics = app.metrics_text().await;
    for (result, count) in [("ok", 1), ("failed", 2), ("refused", 1)] {
        let line = format!(
            "textserve_model_reloads_total{{model=\"reloaded\",result=\"{result}\"}} {count}"
        );
        assert!(metrics.contains(&line), "{line} in\n{metrics}");
    }
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_during_reloads_are_all_answered_by_a_version_that_was_live() {
    let repo = repository(&[("m", "busy", "1")]);
    let dir: PathBuf = repo.path().join("m");
    let app = serve_repository(repo.path(), |_| {}).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, stop) = (app.client.clone(), app.url("/v1/predict"), stop.clone());
            tokio::spawn(async move {
                let mut versions = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let response = client
                        .post(&url)
                        .json(&json!({ "text": "质量很好" }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let body: serde_json::Value = response.json().await.unwrap();
                    versions.push(
                        body["model_version"]
                            .as_str()
                            .unwrap()
                            .parse::<u32>()
                            .unwrap(),
                    );
                }
                versions
            })
        })
        .collect();
    for version in 2..=6 {
        write_named_model(&dir, "busy", &version.to_string());
        let response = app.post_json("/v1/models/busy/reload", &json!({})).await;
        assert_eq!(response.status(), 200);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for client in clients {
        let versions = client.await.unwrap();
        // Each client's answers come from versions in the order they went live.
        assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
        assert!(versions.iter().all(|v| (1..=6).contains(v)), "{versions:?}");
        answered += versions.len();
    }
    assert!(answered > 0);
    assert_eq!(app.predict("好").await["model_version"], "6");
}

#[tokio::test]
async fn models_are_loaded_and_unloaded_by_name_and_bad_names_never_reach_the_disk() {
    let repo = repository(&[("a", "alpha", "1.0.0")]);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = audit_dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let mut app = serve_repository(repo.path(), move |c| c.audit_log = Some(audit_path)).await;
    write_named_model(&repo.path().join("later"), "gamma", "3.0.0");

    let response = app
        .post_json("/v1/models/gamma/predict", &json!({ "text": "好" }))
        .await;
    assert_eq!(error_code(response, 404).await, "not_found");
    let response = app.post_json("/v1/models/gamma/load", &json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["version"],
        "3.0.0"
    );
    let response = app
        .post_json("/v1/models/gamma/predict", &json!({ "text": "好" }))
        .await;
    assert_eq!(response.status(), 200);
    let response = app.post_json("/v1/models/gamma/load", &json!({})).await;
    assert_eq!(error_code(response, 409).await, "already_loaded");

    let info = "textserve_model_info{name=\"gamma\",version=\"3.0.0\"}";
    assert!(app.metrics_text().await.contains(&format!("{info} 1")));
    let response = app.post_json("/v1/models/gamma/unload", &json!({})).await;
    assert_eq!(response.status(), 204);
    let metrics = app.metrics_text().await;
    assert!(metrics.contains(&format!("{info} 0")), "{metrics}");
    assert!(
        metrics.contains("textserve_model_ready{model=\"gamma\"} 0"),
        "{metrics}"
    );
    let response = app
        .post_json("/v1/models/gamma/predict", &json!({ "text": "好" }))
        .await;
    assert_eq!(error_code(response, 404).await, "not_found");
    let response = app.post_json("/v1/models/alpha/unload", &json!({})).await;
    assert_eq!(error_code(response, 409).await, "default_model");
    let response = app
        .post_json("/v1/models/nothing-here/load", &json!({}))
        .await;
    assert_eq!(error_code(response, 404).await, "not_found");

    for name in ["..%2F..%2Fetc", "..", "a%00b", &"x".repeat(129)] {
        let response = app
            .post_json(&format!("/v1/models/{name}/load"), &json!({}))
            .await;
        let code = error_code(response, 404).await;
        assert!(
            code == "invalid_model_name" || code == "not_found",
            "{name}: {code}"
        );
    }
    app.shutdown().await.unwrap();

    // Every management call is an audit line, whatever its outcome.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(&str, &str, u64)> = lines
        .iter()
        .take(6)
        .map(|l| {
            (
                l["event"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("model_load", "ok", 200),
            ("model_load", "failed", 409),
            ("model_unload", "ok", 204),
            ("model_unload", "failed", 409),
            ("model_load", "failed", 404),
            ("model_load", "failed", 404),
        ]
    );
    assert_eq!(lines[0]["model"], "gamma");
    assert!(lines[0].get("key").is_none(), "opened without a key");
    // Nine calls; the client resolves `/v1/models/../load` to `/v1/load` before sending, which
    // is no management route.
    assert_eq!(lines.len(), 8, "one line per management call");
}

#[tokio::test]
async fn a_model_that_fails_at_start_is_listed_as_failed_while_the_default_serves() {
    let repo = repository(&[("a", "alpha", "1.0.0"), ("b", "broken", "1.0.0")]);
    std::fs::write(repo.path().join("b/model.safetensors"), b"not weights").unwrap();
    let mut app = serve_repository(repo.path(), |c| c.default_model = Some("alpha".into())).await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    let models = loop {
        let models = app.get_json("/v1/models").await;
        if listed_model(&models, "broken")["state"] != "loading" {
            break models;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let broken = listed_model(&models, "broken");
    assert_eq!(broken["state"], "failed");
    assert!(
        broken["error"].as_str().unwrap().contains("checksum"),
        "{broken}"
    );
    let response = app
        .post_json("/v1/models/broken/predict", &json!({ "text": "好" }))
        .await;
    assert_eq!(error_code(response, 503).await, "model_not_ready");
    app.shutdown().await.unwrap();

    // Ready only when every model is, if asked.
    let config = textserve::config::ServeConfig {
        model: None,
        model_repository: Some(repo.path().to_path_buf()),
        default_model: Some("alpha".into()),
        ready_requires: ReadyRequires::All,
        ..common::test_config(repo.path())
    };
    let mut strict = common::start(Application::build(&config).await.unwrap(), None);
    while strict
        .state
        .registry()
        .statuses()
        .iter()
        .any(|m| m.state == textserve::runtime::registry::ModelState::Loading)
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(strict.state.default_model().is_some());
    assert_eq!(
        error_code(strict.get("/health/ready").await, 503).await,
        "model_not_ready"
    );
    strict.shutdown().await.unwrap();
}
