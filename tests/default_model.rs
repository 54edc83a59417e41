//! The shipped models still behave as their model.json says: their behavioural suites, run by
//! the current tokenizer and network code, give exactly the per-capability counts recorded when they
//! were trained. A change to the scope rules, the folding or the n-gram features that would
//! silently change what a shipped model answers fails here.

use std::path::{Path, PathBuf};

use textserve::check::{self, Suite};
use textserve::model::Model;
use textserve::model::artifact::CheckSummary;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What must not move: each capability's cases and passes (rates are derived, and model.json
/// holds them as rounded decimals).
fn counts(summary: &CheckSummary) -> Vec<(String, usize, usize)> {
    summary
        .capabilities
        .iter()
        .map(|c| (c.capability.clone(), c.cases, c.passed))
        .collect()
}

fn rerun(model: &Model, recorded: &CheckSummary) -> Vec<(String, usize, usize)> {
    let suite = Suite::read(&repository().join(Path::new(&recorded.suite))).unwrap();
    assert_eq!(
        suite.sha256, recorded.suite_sha256,
        "{} changed since the model was trained",
        recorded.suite
    );
    counts(&check::run_on_model(&suite, model).unwrap().summary(None))
}

#[test]
fn the_shipped_models_read_their_suites_as_recorded() {
    tch::set_num_threads(1);
    for dir in ["models/zh-reviews-sentiment", "models/zh-factory-sentiment"] {
        reads_its_suites_as_recorded(&repository().join(dir));
    }
}

fn reads_its_suites_as_recorded(dir: &Path) {
    let model = Model::load(dir).unwrap();
    let held_out = model
        .manifest()
        .unwrap()
        .check
        .clone()
        .expect("a recorded check");
    assert_eq!(
        rerun(&model, &held_out),
        counts(&held_out),
        "{}",
        dir.display()
    );
    let tuning = model
        .manifest()
        .unwrap()
        .training
        .as_ref()
        .and_then(|t| t.tune_check.clone())
        .expect("a recorded tuning check");
    assert_eq!(rerun(&model, &tuning), counts(&tuning), "{}", dir.display());
}

/// The factory-notes development suite parses, fits the shipped models' labels and holds the
/// cases its README counts.
#[test]
fn the_factory_notes_dev_suite_is_what_its_readme_says() {
    let suite = Suite::read(&repository().join("suites/factory-notes/dev.jsonl")).unwrap();
    suite
        .check_labels(&["negative".to_string(), "positive".to_string()])
        .unwrap();
    let mut per_capability = std::collections::BTreeMap::new();
    for case in &suite.cases {
        *per_capability.entry(case.capability.as_str()).or_insert(0) += 1;
    }
    let expected = [
        ("contrast", 45),
        ("domain_defect", 25),
        ("domain_ok", 25),
        ("double_negation", 45),
        ("negated_defect", 55),
        ("negated_praise", 25),
    ];
    assert_eq!(per_capability.into_iter().collect::<Vec<_>>(), expected);
}

/// The n-gram model is served over TCP as shipped (no LSTM tensors, weight 1.0): the API says
/// what it computes, and its answers are the ones the model gives in process.
#[tokio::test]
async fn the_shipped_ngram_model_is_served_as_it_says() {
    let dir = repository().join("models/zh-factory-sentiment");
    let model = Model::load(&dir).unwrap();
    assert!(
        !model.classifier().unwrap().has_lstm(),
        "the factory model ships no LSTM"
    );
    let config = textserve::config::ServeConfig {
        port: 0,
        model: Some(dir.clone()),
        workers: std::num::NonZeroUsize::MIN,
        ..textserve::config::ServeConfig::default()
    };
    let app = textserve::serve::Application::build(&config).await.unwrap();
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    while state.ready().is_err() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let client = reqwest::Client::new();
    let details: serde_json::Value = client
        .get(format!("{address}/v1/models/zh-factory-sentiment"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(details["architecture"]["computes"], "n-gram model, no LSTM");
    let texts = [
        "来料检验未见异常",
        "电机异响严重，已停机",
        "虽然包装简单，但是质量过硬",
    ];
    let expected = model.predict_texts(&texts, 8);
    let served: serde_json::Value = client
        .post(format!("{address}/v1/predict/batch"))
        .json(&serde_json::json!({ "texts": texts }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (i, probabilities) in expected.iter().enumerate() {
        for (j, label) in model.labels().iter().enumerate() {
            let got = served["predictions"][i]["probabilities"][label]
                .as_f64()
                .unwrap();
            assert!(
                (got - f64::from(probabilities[j])).abs() < 1e-5,
                "{}: {label} served {got}, in process {}",
                texts[i],
                probabilities[j]
            );
        }
    }
    let explained = client
        .post(format!("{address}/v1/explain"))
        .json(&serde_json::json!({ "text": texts[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(explained.status(), 200);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
