//! Drift signals over real TCP: every served text counts once in the label mix, confidence,
//! length, unknown-token and cue metrics of the version that answered; explanations' perturbed
//! copies do not count.

mod common;

use common::spawn_app;
use serde_json::json;

fn value(metrics: &str, prefix: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(prefix))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

#[tokio::test]
async fn every_served_text_counts_once_and_explanations_do_not() {
    let app = spawn_app().await;
    app.predict("外观合格，但是有划痕").await;
    app.predict("未发现异常").await;
    let response = app
        .post_json(
            "/v1/predict/batch",
            &json!({"texts": ["包装完好", "没有不合格品，不过交期晚了"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .post_json("/v1/explain", &json!({"text": "焊缝没有气孔"}))
        .await;
    assert_eq!(response.status(), 200);

    let metrics = app.metrics_text().await;
    let version = format!(r#"model="{}",version="0.0.1""#, common::MODEL_NAME);
    assert_eq!(
        value(&metrics, "textserve_predictions_total{"),
        4.0,
        "{metrics}"
    );
    assert_eq!(
        value(
            &metrics,
            &format!("textserve_text_tokens_count{{{version}}}")
        ),
        4.0
    );
    assert_eq!(
        value(
            &metrics,
            &format!("textserve_prediction_confidence_count{{{version}}}")
        ),
        4.0
    );
    assert_eq!(
        value(
            &metrics,
            &format!(r#"textserve_cue_texts_total{{{version},cue="contrast"}}"#)
        ),
        2.0
    );
    assert_eq!(
        value(
            &metrics,
            &format!(r#"textserve_cue_texts_total{{{version},cue="negation"}}"#)
        ),
        2.0
    );
    assert!(metrics.contains(&format!(
        "textserve_unknown_token_ratio_bucket{{{version},le=\"1\"}} 4"
    )));
}
