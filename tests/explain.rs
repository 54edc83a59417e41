//! POST /v1/explain over real TCP against a real (tiny) libtorch model: attributions checked
//! against the model's own answers, offsets against the text as sent, and every error class.

mod common;

use std::time::Duration;

use common::{MODEL_NAME, error_code, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use textserve::text::{Encoded, UNK_ID};

fn probability(body: &Value, label: &str) -> f64 {
    body["probabilities"][label].as_f64().unwrap()
}

fn attributions(body: &Value, field: &str) -> Vec<f64> {
    body[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["attribution"].as_f64().unwrap())
        .collect()
}

/// Every piece's text is the request text's code points start..end, in order, without overlap.
fn assert_pieces_point_into(text: &str, pieces: &Value) {
    let chars: Vec<char> = text.chars().collect();
    let mut previous_end = 0;
    for piece in pieces.as_array().unwrap() {
        let (start, end) = (
            piece["start"].as_u64().unwrap() as usize,
            piece["end"].as_u64().unwrap() as usize,
        );
        assert!(
            previous_end <= start && start < end && end <= chars.len(),
            "{piece}"
        );
        let covered: String = chars[start..end].iter().collect();
        assert_eq!(piece["text"], covered);
        previous_end = end;
    }
}

#[tokio::test]
async fn occlusion_attributes_to_each_token_what_removing_it_changes() {
    let app = spawn_app().await;
    let model = app.load_model();
    let text = "质量很好，物流也快";
    let response = app.post_json("/v1/explain", &json!({"text": text})).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-inference-time-ms"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["model"], MODEL_NAME);
    assert_eq!(body["method"], "occlusion");
    // The prediction part is /v1/predict's answer.
    let predicted = app.predict(text).await;
    assert_eq!(body["label"], predicted["label"]);
    assert_eq!(body["explained_label"], predicted["label"]);
    let label = body["label"].as_str().unwrap().to_string();
    let index = model.labels().iter().position(|l| *l == label).unwrap();
    assert!((body["base_score"].as_f64().unwrap() - probability(&predicted, &label)).abs() < 1e-5);
    // Each character is a token here, so removing token i is removing character i.
    let chars: Vec<char> = text.chars().collect();
    let without: Vec<String> = (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, c)| c)
                .collect()
        })
        .collect();
    let without: Vec<&str> = without.iter().map(String::as_str).collect();
    let direct = model.predict_texts(&without, 16);
    let served = attributions(&body, "tokens");
    assert_eq!(served.len(), chars.len());
    let whole = probability(&predicted, &label);
    for (i, (a, p)) in served.iter().zip(&direct).enumerate() {
        let expected = whole - f64::from(p[index]);
        assert!((a - expected).abs() < 1e-5, "token {i}: {a} vs {expected}");
    }
    assert_pieces_point_into(text, &body["tokens"]);
    assert_pieces_point_into(text, &body["words"]);
    let words: f64 = attributions(&body, "words").iter().sum();
    assert!((words - served.iter().sum::<f64>()).abs() < 1e-4);
}

#[tokio::test]
async fn offsets_are_code_points_of_the_text_as_sent() {
    let app = spawn_app().await;
    // Full-width letters, emoji outside the BMP (two UTF-16 units) and spaces.
    let text = "👍 ＣＮＣ  质量很好 \t用了两天";
    let body: Value = app
        .post_json("/v1/explain", &json!({"text": text}))
        .await
        .json()
        .await
        .unwrap();
    assert_pieces_point_into(text, &body["tokens"]);
    assert_pieces_point_into(text, &body["words"]);
    let tokens: Vec<&str> = body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(tokens[..2], ["👍", "ＣＮＣ"]);
    assert!(
        body["words"].as_array().unwrap().iter().all(|w| !w["text"]
            .as_str()
            .unwrap()
            .trim()
            .is_empty())
    );
}

#[tokio::test]
async fn shap_attributions_add_up_from_the_empty_text_and_repeat_with_the_seed() {
    let app = spawn_app().await;
    let model = app.load_model();
    let text = "用了两天就坏了，太差，质量很好，物流也快";
    let request =
        json!({"text": text, "method": "shap", "samples": 64, "seed": 5, "label": "positive"});
    let body: Value = app
        .post_json("/v1/explain", &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["method"], "shap");
    assert_eq!(body["explained_label"], "positive");
    let positive = model.labels().iter().position(|l| l == "positive").unwrap();
    let empty = model.probabilities_for_encoded(&[Encoded { ids: vec![UNK_ID] }], 1)[0][positive];
    let base = body["base_score"].as_f64().unwrap();
    assert!((base - f64::from(empty)).abs() < 1e-5, "{base} vs {empty}");
    let total: f64 = attributions(&body, "tokens").iter().sum();
    let expected = probability(&body, "positive") - base;
    assert!(
        (total - expected).abs() < 1e-3,
        "efficiency: {total} vs {expected}"
    );
    let again: Value = app
        .post_json("/v1/explain", &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["tokens"], again["tokens"],
        "same seed, same attributions"
    );
    let mut other = request.clone();
    other["seed"] = json!(6);
    let other: Value = app
        .post_json("/v1/explain", &other)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(
        body["tokens"], other["tokens"],
        "another seed samples other coalitions"
    );
}

#[tokio::test]
async fn bad_explain_requests_get_clear_errors() {
    let app = spawn_app_with(|c| {
        c.max_explain_tokens = Some(4);
        c.max_explain_samples = Some(32);
    })
    .await;
    let cases = [
        (
            json!({"text": "好", "label": "great"}),
            404,
            "unknown_label",
        ),
        (
            json!({"text": "好", "method": "lime"}),
            422,
            "invalid_request",
        ),
        (
            json!({"text": "好", "method": "shap", "samples": 0}),
            422,
            "samples_out_of_range",
        ),
        (
            json!({"text": "好", "method": "shap", "samples": 33}),
            422,
            "samples_out_of_range",
        ),
        (
            json!({"text": "好", "samples": 33}),
            422,
            "samples_out_of_range",
        ),
        (
            json!({"text": "好", "method": "shap", "samples": 2.5}),
            422,
            "invalid_request",
        ),
        (json!({"text": "  "}), 422, "empty_text"),
        (json!({"text": "质量很好呀"}), 413, "too_many_tokens"),
    ];
    for (request, status, code) in cases {
        let response = app.post_json("/v1/explain", &request).await;
        assert_eq!(error_code(response, status).await, code, "{request}");
    }
    // Occlusion has no sampling to configure: samples and seed leave it as it is.
    let plain: Value = app
        .post_json("/v1/explain", &json!({"text": "质量很好"}))
        .await
        .json()
        .await
        .unwrap();
    let with_sampling: Value = app
        .post_json(
            "/v1/explain",
            &json!({"text": "质量很好", "samples": 8, "seed": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plain["method"], "occlusion");
    assert_eq!(plain["tokens"], with_sampling["tokens"]);
}

#[tokio::test]
async fn limits_that_cannot_fit_the_queue_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::write_tiny_model(dir.path());
    let mut config = common::test_config(&model);
    config.max_queue = common::nz(100);
    config.max_explain_samples = Some(200);
    let error = textserve::serve::Application::build(&config)
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("--max-explain-samples"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explanation_rows_count_toward_the_queue_bound() {
    let app = spawn_app_with(|c| {
        c.max_queue = common::nz(16);
        c.max_explain_tokens = Some(8);
        c.max_explain_samples = Some(8);
        c.max_batch_delay_ms = 300;
    })
    .await;
    let filler = app
        .client
        .post(app.url("/v1/predict/batch"))
        .json(&json!({"texts": vec!["好"; 12]}));
    let filler = tokio::spawn(async move { filler.send().await });
    while app.state.default_model().unwrap().inference.queue_depth() < 12 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Five tokens: six rows do not fit the four free places, one prediction does.
    let rejected = app
        .post_json("/v1/explain", &json!({"text": "质量很好呀"}))
        .await;
    assert_eq!(error_code(rejected, 429).await, "overloaded");
    let single = app.post_json("/v1/predict", &json!({"text": "好"})).await;
    assert_eq!(single.status(), 200);
    assert_eq!(filler.await.unwrap().unwrap().status(), 200);
    let later = app
        .post_json("/v1/explain", &json!({"text": "质量很好呀"}))
        .await;
    assert_eq!(later.status(), 200);
}
