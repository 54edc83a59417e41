//! Shadows and canaries: a candidate from the repository tried on live traffic. Real servers
//! on port 0, real tiny models; metrics read from `/metrics` as Prometheus would.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{TestApp, error_code, spawn_app_with, write_named_model};
use serde_json::json;

const ADMIN_KEY: &str = "admin-key-for-the-rollout-tests";

/// Copies the model in `from` to `to` under another name and version: the same weights, so
/// it answers every text exactly as the original.
fn copy_model(from: &Path, to: &Path, name: &str, version: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    let manifest = to.join("model.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["name"] = json!(name);
    json["version"] = json!(version);
    std::fs::write(&manifest, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

/// A repository with `model` (1.0.0) and `twin`, a copy of it named otherwise (2.0.0).
fn repository_with_twin(model: &str, twin: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let original = write_named_model(&repo.path().join("a"), model, "1.0.0");
    copy_model(&original, &repo.path().join("b"), twin, "2.0.0");
    repo
}

async fn serve(
    repo: &Path,
    default: &str,
    adjust: impl FnOnce(&mut textserve::config::ServeConfig),
) -> TestApp {
    let repo = repo.to_path_buf();
    let default = default.to_string();
    spawn_app_with(move |c| {
        c.model = None;
        c.model_repository = Some(repo);
        c.default_model = Some(default);
        c.admin_api_keys = vec![ADMIN_KEY.parse().unwrap()];
        c.ready_requires = textserve::config::ReadyRequires::All;
        adjust(c);
    })
    .await
}

async fn admin(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Which model answered a prediction sent with these headers.
async fn answered_by(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> String {
    let mut request = app
        .client
        .post(app.url(path))
        .json(&json!({ "text": "质量很好" }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["model"].as_str().unwrap().to_string()
}

/// The value of the Prometheus sample whose name and labels start as `prefix` (0 if absent).
fn sample(metrics: &str, prefix: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .map_or(0.0, |value| value.parse().unwrap())
}

/// Polls `/metrics` until `done` holds (shadow work runs after the answers), or fails.
async fn metrics_when(app: &TestApp, done: impl Fn(&str) -> bool) -> String {
    for _ in 0..300 {
        let metrics = app.metrics_text().await;
        if done(&metrics) {
            return metrics;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("metrics never got there:\n{}", app.metrics_text().await);
}

#[tokio::test]
async fn a_canary_answers_its_share_sticky_per_key_and_shows_in_the_model_list() {
    let repo = repository_with_twin("canary-main", "canary-next");
    let mut app = serve(repo.path(), "canary-main", |c| {
        c.canary_key_header = "x-client-id".parse().unwrap();
    })
    .await;

    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/canary-main/canary",
        json!({"candidate": "canary-next", "percent": 30}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let status: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        status["canary"],
        json!({"candidate": "canary-next", "percent": 30.0})
    );
    assert_eq!(status["shadow"], json!(null));
    let listed = app.get_json("/v1/models").await;
    let main = listed["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "canary-main")
        .unwrap();
    assert_eq!(main["canary"]["candidate"], "canary-next");

    // Requests without a client id are decided by their request id: about 30 % go over, on
    // both the default route and the named one, single and batch.
    let mut over = 0;
    for n in 0..400 {
        let id = format!("req-{n}");
        let path = ["/v1/predict", "/v1/models/canary-main/predict"][n % 2];
        if answered_by(&app, path, &[("x-request-id", &id)]).await == "canary-next" {
            over += 1;
        }
    }
    assert!(
        (80..=160).contains(&over),
        "{over} of 400 went to the canary"
    );
    let response = app
        .client
        .post(app.url("/v1/predict/batch"))
        .header("x-request-id", "req-batch")
        .json(&json!({ "texts": ["好", "坏"] }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(["canary-main", "canary-next"].contains(&body["model"].as_str().unwrap()));

    // A client id keeps one client on one side whatever its request ids.
    for client in ["line-1", "line-2", "line-3", "line-4", "line-5", "line-6"] {
        let first = answered_by(
            &app,
            "/v1/predict",
            &[("x-client-id", client), ("x-request-id", "r-0")],
        )
        .await;
        for n in 1..10 {
            let id = format!("r-{n}");
            let again = answered_by(
                &app,
                "/v1/predict",
                &[("x-client-id", client), ("x-request-id", &id)],
            )
            .await;
            assert_eq!(again, first, "{client} moved");
        }
    }
    // The version that answered is named, as ever.
    let response = app
        .client
        .post(app.url("/v1/predict"))
        .header("x-client-id", "line-1")
        .json(&json!({ "text": "好" }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    let expected = if body["model"] == "canary-next" {
        "2.0.0"
    } else {
        "1.0.0"
    };
    assert_eq!(body["model_version"], expected);

    // A candidate in a rollout cannot be unloaded; once the canary is removed it can.
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/canary-next/unload",
        json!({}),
    )
    .await;
    assert_eq!(error_code(response, 409).await, "rollout_candidate");
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/canary-main/canary",
        json!({"candidate": "canary-next", "percent": 100}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        answered_by(&app, "/v1/predict", &[("x-client-id", "any")]).await,
        "canary-next"
    );
    let response = admin(
        &app,
        reqwest::Method::DELETE,
        "/v1/models/canary-main/canary",
        json!(null),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["canary"],
        json!(null)
    );
    for n in 0..20 {
        let id = format!("after-{n}");
        assert_eq!(
            answered_by(&app, "/v1/predict", &[("x-request-id", &id)]).await,
            "canary-main"
        );
    }
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/canary-next/unload",
        json!({}),
    )
    .await;
    assert_eq!(response.status(), 204);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_rollout_settings_are_refused_with_the_reason_and_change_nothing() {
    let repo = repository_with_twin("bad-main", "bad-next");
    let other = write_named_model(&repo.path().join("c"), "bad-other-labels", "1.0.0");
    let manifest = other.join("model.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["labels"] = json!(["fail", "unsure", "pass"]);
    std::fs::write(&manifest, serde_json::to_string(&json).unwrap()).unwrap();
    let mut app = serve(repo.path(), "bad-main", |_| {}).await;

    let path = "/v1/models/bad-main/canary";
    let cases = [
        (
            json!({"candidate": "bad-next", "percent": 101}),
            422,
            "invalid_rollout",
        ),
        (
            json!({"candidate": "bad-next", "percent": -1}),
            422,
            "invalid_rollout",
        ),
        (
            json!({"candidate": "bad-main", "percent": 5}),
            422,
            "invalid_rollout",
        ),
        (
            json!({"candidate": "bad-other-labels", "percent": 5}),
            422,
            "invalid_rollout",
        ),
        (
            json!({"candidate": "nobody", "percent": 5}),
            404,
            "not_found",
        ),
        (json!({"candidate": "bad-next"}), 422, "invalid_request"),
        (
            json!({"candidate": "bad-next", "percent": 5, "sticky": true}),
            422,
            "invalid_request",
        ),
    ];
    for (body, status, code) in cases {
        let response = admin(&app, reqwest::Method::POST, path, body.clone()).await;
        assert_eq!(error_code(response, status).await, code, "{body}");
    }
    for (body, status, code) in [
        (
            json!({"candidate": "bad-next", "fraction": 0}),
            422,
            "invalid_rollout",
        ),
        (
            json!({"candidate": "bad-next", "fraction": 1.5}),
            422,
            "invalid_rollout",
        ),
        (json!({"fraction": 0.5}), 422, "invalid_request"),
    ] {
        let response = admin(
            &app,
            reqwest::Method::POST,
            "/v1/models/bad-main/shadow",
            body.clone(),
        )
        .await;
        assert_eq!(error_code(response, status).await, code, "{body}");
    }
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/nobody/shadow",
        json!({"candidate": "bad-next"}),
    )
    .await;
    assert_eq!(error_code(response, 404).await, "not_found");
    // Management needs the admin key; an unauthenticated call is refused before the body.
    let response = app
        .post_json(path, &json!({"candidate": "bad-next", "percent": 5}))
        .await;
    assert_eq!(error_code(response, 401).await, "unauthorized");

    let listed = app.get_json("/v1/models").await;
    for model in listed["models"].as_array().unwrap() {
        assert_eq!(model["canary"], json!(null), "{model}");
        assert_eq!(model["shadow"], json!(null), "{model}");
    }
    app.shutdown().await.unwrap();
}

/// What became of the texts `model` handed to `candidate`: compared (agreeing, disagreeing),
/// or dropped for want of an idle core or of queue room.
#[derive(Debug, PartialEq)]
struct Shadowed {
    agree: f64,
    disagree: f64,
    dropped: f64,
}

impl Shadowed {
    fn of(metrics: &str, model: &str, candidate: &str) -> Self {
        let texts = |agreement: &str| {
            sample(
                metrics,
                &format!(
                    "textserve_shadow_texts_total{{model=\"{model}\",candidate=\"{candidate}\",agreement=\"{agreement}\"}}"
                ),
            )
        };
        let dropped = |reason: &str| {
            sample(
                metrics,
                &format!(
                    "textserve_shadow_dropped_total{{model=\"{model}\",candidate=\"{candidate}\",reason=\"{reason}\"}}"
                ),
            )
        };
        Self {
            agree: texts("agree"),
            disagree: texts("disagree"),
            dropped: dropped("busy") + dropped("queue_full"),
        }
    }

    fn accounted(&self) -> f64 {
        self.agree + self.disagree + self.dropped
    }
}

/// Waits until `at_least` of `model`'s texts for `candidate` are accounted for; returns what
/// became of them and the metrics they were read from.
async fn shadowed_when(
    app: &TestApp,
    model: &str,
    candidate: &str,
    at_least: f64,
) -> (Shadowed, String) {
    let metrics = metrics_when(app, |m| {
        Shadowed::of(m, model, candidate).accounted() >= at_least
    })
    .await;
    (Shadowed::of(&metrics, model, candidate), metrics)
}

#[tokio::test]
async fn a_shadow_computes_what_the_model_answered_and_counts_agreement() {
    let repo = repository_with_twin("shadow-main", "shadow-twin");
    // The same weights with the labels' names reversed: it calls negative what the model
    // calls positive, so where those two decide, the answers differ.
    let swapped = repo.path().join("c");
    copy_model(&repo.path().join("a"), &swapped, "shadow-swapped", "1.0.0");
    let manifest = swapped.join("model.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["labels"] = json!(["positive", "neutral", "negative"]);
    std::fs::write(&manifest, serde_json::to_string(&json).unwrap()).unwrap();
    let mut app = serve(repo.path(), "shadow-main", |c| {
        c.shadows = vec!["shadow-main=shadow-twin".into()];
    })
    .await;
    let listed = app.get_json("/v1/models").await;
    let main = listed["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "shadow-main")
        .unwrap();
    assert_eq!(
        main["shadow"],
        json!({"candidate": "shadow-twin", "fraction": 1.0})
    );

    let texts = [
        "质量很好",
        "用了两天就坏了",
        "包装破损",
        "还行吧",
        "物流很快",
    ];
    let mut answers = Vec::new();
    for text in texts {
        let body = app.predict(text).await;
        assert_eq!(body["model"], "shadow-main", "clients never see the shadow");
        answers.push(body);
    }
    let response = app
        .post_json("/v1/predict/batch", &json!({ "texts": texts }))
        .await;
    assert_eq!(response.status(), 200);

    // Every text is accounted for: compared, or dropped when no core was idle in time (other
    // tests share the machine). The twin has the same weights: no comparison disagrees, and
    // no probability differs at all.
    let (twin, metrics) = shadowed_when(&app, "shadow-main", "shadow-twin", 10.0).await;
    assert_eq!(twin.accounted(), 10.0, "{twin:?}");
    assert!(twin.agree > 0.0, "{twin:?}");
    assert_eq!(twin.disagree, 0.0);
    let histogram = |part: &str, candidate: &str| {
        sample(
            &metrics,
            &format!(
                "textserve_shadow_probability_difference_{part}{{model=\"shadow-main\",candidate=\"{candidate}\"}}"
            ),
        )
    };
    assert_eq!(histogram("count", "shadow-twin"), twin.agree);
    assert!(histogram("sum", "shadow-twin") < 1e-6, "{metrics}");

    // The swapped candidate disagrees exactly where the model chose negative or positive.
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/shadow-main/shadow",
        json!({"candidate": "shadow-swapped", "fraction": 1.0}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let mut expected_disagreements = 0.0;
    for (text, first) in texts.iter().zip(&answers) {
        let body = app.predict(text).await;
        assert_eq!(body["label"], first["label"]);
        let scores = &body["probabilities"];
        if body["label"] != "neutral" && scores["negative"] != scores["positive"] {
            expected_disagreements += 1.0;
        }
    }
    let (swapped, metrics) = shadowed_when(&app, "shadow-main", "shadow-swapped", 5.0).await;
    assert_eq!(swapped.accounted(), 5.0, "{swapped:?}");
    if swapped.dropped == 0.0 {
        assert_eq!(swapped.disagree, expected_disagreements, "{swapped:?}");
    }
    if swapped.disagree > 0.0 {
        let sum = sample(
            &metrics,
            "textserve_shadow_probability_difference_sum{model=\"shadow-main\",candidate=\"shadow-swapped\"}",
        );
        assert!(sum > 0.0, "{metrics}");
    }

    // A fraction samples requests by their id, the same ids every time.
    let setting = textserve::runtime::rollout::ShadowSetting {
        candidate: "shadow-twin".into(),
        fraction: 0.25,
    };
    let response = admin(
        &app,
        reqwest::Method::POST,
        "/v1/models/shadow-main/shadow",
        serde_json::to_value(&setting).unwrap(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let before = Shadowed::of(&app.metrics_text().await, "shadow-main", "shadow-twin");
    let ids: Vec<String> = (0..400).map(|n| format!("sampled-{n}")).collect();
    let expected = ids
        .iter()
        .filter(|id| setting.samples(id.as_bytes()))
        .count() as f64;
    assert!((60.0..=140.0).contains(&expected), "{expected} of 400");
    for id in &ids {
        let response = app
            .client
            .post(app.url("/v1/predict"))
            .header("x-request-id", id)
            .json(&json!({ "text": "好" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let at_least = before.accounted() + expected;
    let (after, _) = shadowed_when(&app, "shadow-main", "shadow-twin", at_least).await;
    assert_eq!(
        after.accounted() - before.accounted(),
        expected,
        "{after:?}"
    );

    let response = admin(
        &app,
        reqwest::Method::DELETE,
        "/v1/models/shadow-main/shadow",
        json!(null),
    )
    .await;
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["shadow"],
        json!(null)
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn shadow_work_beyond_its_queue_is_dropped_and_counted_while_answers_go_on() {
    let repo = repository_with_twin("full-main", "full-twin");
    let mut app = serve(repo.path(), "full-main", |c| {
        c.shadows = vec!["full-main=full-twin:1".into()];
        c.shadow_queue = std::num::NonZeroUsize::new(2).unwrap();
    })
    .await;
    // Three texts in one request cannot fit a queue of two: all three are dropped.
    let response = app
        .post_json(
            "/v1/predict/batch",
            &json!({ "texts": ["好", "坏", "一般"] }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let dropped = "textserve_shadow_dropped_total{model=\"full-main\",candidate=\"full-twin\",reason=\"queue_full\"}";
    let metrics = metrics_when(&app, |m| sample(m, dropped) >= 3.0).await;
    assert_eq!(sample(&metrics, dropped), 3.0);
    // Two fit, and are taken (compared, or dropped if no core was idle in time).
    let response = app
        .post_json("/v1/predict/batch", &json!({ "texts": ["好", "坏"] }))
        .await;
    assert_eq!(response.status(), 200);
    let (shadowed, _) = shadowed_when(&app, "full-main", "full-twin", 5.0).await;
    assert_eq!(shadowed.accounted(), 5.0, "{shadowed:?}");
    assert_eq!(shadowed.disagree, 0.0);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn start_flags_naming_unknown_models_or_bad_shares_stop_the_server_with_the_reason() {
    let repo = repository_with_twin("flag-main", "flag-next");
    for (shadows, canaries, expected) in [
        (vec!["flag-main=nobody"], vec![], "nobody"),
        (vec!["nobody=flag-next"], vec![], "nobody"),
        (vec![], vec!["flag-main=flag-next"], "no percent"),
        (vec![], vec!["flag-main=flag-next:150"], "0 to 100"),
        (vec!["flag-main=flag-next:0"], vec![], "above 0"),
    ] {
        let mut config = common::test_config(Path::new("unused"));
        config.model = None;
        config.model_repository = Some(repo.path().to_path_buf());
        config.default_model = Some("flag-main".into());
        config.shadows = shadows.iter().map(|s| s.to_string()).collect();
        config.canaries = canaries.iter().map(|s| s.to_string()).collect();
        let error = match textserve::serve::Application::build(&config).await {
            Ok(_) => panic!("{shadows:?} {canaries:?} were accepted"),
            Err(error) => format!("{error:#}"),
        };
        assert!(error.contains(expected), "{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn setting_and_removing_shadows_and_canaries_under_load_fails_no_request() {
    let repo = repository_with_twin("busy-main", "busy-next");
    let mut app = serve(repo.path(), "busy-main", |_| {}).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for worker in 0..8 {
        let (client, url, stop) = (
            app.client.clone(),
            app.url("/v1/predict"),
            std::sync::Arc::clone(&stop),
        );
        clients.push(tokio::spawn(async move {
            let mut outcomes: Vec<(u16, String)> = Vec::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let response = client
                    .post(&url)
                    .header("x-request-id", format!("load-{worker}-{n}"))
                    .json(&json!({ "text": "焊缝检查合格" }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                outcomes.push((status, body["model"].as_str().unwrap_or("").to_string()));
            }
            outcomes
        }));
    }
    let steps = [
        (
            reqwest::Method::POST,
            "shadow",
            json!({"candidate": "busy-next"}),
        ),
        (
            reqwest::Method::POST,
            "canary",
            json!({"candidate": "busy-next", "percent": 10}),
        ),
        (
            reqwest::Method::POST,
            "canary",
            json!({"candidate": "busy-next", "percent": 50}),
        ),
        (
            reqwest::Method::POST,
            "canary",
            json!({"candidate": "busy-next", "percent": 100}),
        ),
        (reqwest::Method::DELETE, "canary", json!(null)),
        (reqwest::Method::DELETE, "shadow", json!(null)),
    ];
    for (method, what, body) in steps {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let response = admin(&app, method, &format!("/v1/models/busy-main/{what}"), body).await;
        assert_eq!(response.status(), 200, "{what}");
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for client in clients {
        outcomes.extend(client.await.unwrap());
    }
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(status, _)| *status != 200)
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} failed: {failed:?}",
        failed.len(),
        outcomes.len()
    );
    assert!(outcomes.len() >= 100, "{} requests", outcomes.len());
    let by_candidate = outcomes
        .iter()
        .filter(|(_, model)| model == "busy-next")
        .count();
    assert!(
        by_candidate > 0 && by_candidate < outcomes.len(),
        "{by_candidate} by the candidate"
    );
    app.shutdown().await.unwrap();
}
