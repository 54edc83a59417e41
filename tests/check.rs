//! Behavioural suites end to end: a model trained in-test on data where one marker word decides
//! the label, so which cases must pass and which must fail is known; `train --extra-data`,
//! `--check-suite` and the gate; the report in model.json, the card, the API and the CLI.

mod common;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use textserve::check::{self, Suite};
use textserve::data::{ReadOptions, dedup_key};
use textserve::model::Model;
use textserve::train::{
    CheckGate, RecordedSplit, TrainConfig, TrainJob, evaluation_examples, train,
};

const FILLERS: [&str; 6] = [
    "三号线",
    "夜班巡检",
    "今天早上",
    "CNC-12",
    "检查后",
    "第二次",
];

/// Two labels: "异响"/"漏油" make a text a `defect`, "正常"/"合格" an `ok`, whatever surrounds
/// them.
fn write_data(dir: &Path) -> PathBuf {
    let mut out = String::new();
    for (label, markers) in [("defect", ["异响", "漏油"]), ("ok", ["正常", "合格"])] {
        for i in 0..60 {
            let text = format!(
                "{}{}{} {i}",
                FILLERS[i % FILLERS.len()],
                markers[i % 2],
                FILLERS[(i / 2) % FILLERS.len()]
            );
            writeln!(out, "{}", serde_json::json!({"text": text, "label": label})).unwrap();
        }
    }
    let path = dir.join("data.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

/// Augmentation: a third defect marker the main data never shows ("裂纹"), plus one text the
/// main data holds (it must be left out).
fn write_extra(dir: &Path, main_text: &str) -> PathBuf {
    let mut out = String::new();
    for i in 0..40 {
        let text = format!("{}裂纹{}", FILLERS[i % FILLERS.len()], i + 100);
        writeln!(
            out,
            "{}",
            serde_json::json!({"text": text, "label": "defect", "source": "synthetic:test"})
        )
        .unwrap();
    }
    writeln!(
        out,
        "{}",
        serde_json::json!({"text": main_text, "label": "defect"})
    )
    .unwrap();
    let path = dir.join("extra.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

/// Cases whose outcome the marker rule decides: ids starting with "pass" must pass, "fail" must
/// fail.
const SUITE: &str = r#"{"id": "pass-mft", "capability": "markers", "type": "mft", "text": "夜班巡检异响", "expect": "defect"}
{"id": "pass-mft-not", "capability": "markers", "type": "mft", "text": "检查后合格", "expect_not": "defect"}
{"id": "fail-mft", "capability": "markers", "type": "mft", "text": "三号线漏油", "expect": "ok"}
{"id": "pass-extra", "capability": "markers", "type": "mft", "text": "今天早上裂纹", "expect": "defect"}
{"id": "pass-inv", "capability": "fillers", "type": "inv", "text": "三号线异响", "variants": ["第二次异响", "CNC-12异响"]}
{"id": "fail-inv", "capability": "fillers", "type": "inv", "text": "三号线异响", "variants": ["三号线合格"]}
{"id": "pass-dir", "capability": "edits", "type": "dir", "text": "三号线合格", "variants": ["三号线合格 正常"], "label": "ok", "direction": "not_lower", "tolerance": 0.2}
{"id": "fail-dir", "capability": "edits", "type": "dir", "text": "三号线合格", "variants": ["三号线漏油"], "label": "ok", "direction": "not_lower", "tolerance": 0.0}
"#;

fn small_config() -> TrainConfig {
    TrainConfig {
        epochs: 25,
        patience: 25,
        ..common::small_train_config()
    }
}

struct Run {
    _dir: tempfile::TempDir,
    job: TrainJob,
    suite: PathBuf,
}

fn setup(fail_under: Option<f64>, allow_failing: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path());
    let main =
        textserve::data::prepare(&data, &ReadOptions::default(), small_config().split()).unwrap();
    let extra = write_extra(dir.path(), &main.split.validation[0].text);
    let suite = dir.path().join("suite.jsonl");
    std::fs::write(&suite, SUITE).unwrap();
    let job = TrainJob {
        data,
        read: ReadOptions::default(),
        out: dir.path().join("model"),
        name: "markers".into(),
        version: "t".into(),
        config: small_config(),
        card_notes: None,
        extra_data: vec![extra],
        tune_suite: None,
        check: Some(CheckGate {
            suite: suite.clone(),
            fail_under,
            allow_failing,
        }),
    };
    Run {
        _dir: dir,
        job,
        suite,
    }
}

#[test]
fn cases_pass_and_fail_as_the_model_behaves_and_the_report_is_recorded() {
    let _turn = common::torch_turn();
    let run = setup(Some(0.5), false);
    let manifest = train(&run.job).unwrap();
    let model = Model::load(&run.job.out).unwrap();
    assert_eq!(manifest.metrics.as_ref().unwrap().test.accuracy, 1.0);

    let suite = Suite::read(&run.suite).unwrap();
    let report = check::run_on_model(&suite, &model).unwrap();
    let mut failed: Vec<&str> = report.failures.iter().map(|f| f.id.as_str()).collect();
    failed.sort();
    assert_eq!(
        failed,
        ["fail-dir", "fail-inv", "fail-mft"],
        "{}",
        report.render(10)
    );
    // The model directory records what `check` reports, and the card shows it.
    let recorded = Model::load(&run.job.out)
        .unwrap()
        .manifest()
        .unwrap()
        .check
        .clone()
        .unwrap();
    assert_eq!(recorded, report.summary(Some(0.5)));
    assert_eq!((recorded.cases, recorded.passed), (8, 5));
    let card = std::fs::read_to_string(run.job.out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("## Behaviour") && card.contains("| markers | 4 | 3 | 75.0 % |"),
        "{card}"
    );

    // Augmentation trains (the unseen marker is learnt) but never reaches validation or test,
    // and the text the main data already holds is left out.
    let training = manifest.training.as_ref().unwrap();
    let extra = training.extra_data.as_ref().unwrap();
    assert_eq!(
        (extra.rows_read, extra.used, extra.dropped_as_main_data),
        (41, 40, 1)
    );
    for part in [RecordedSplit::Validation, RecordedSplit::Test] {
        let examples = evaluation_examples(&model, None, &ReadOptions::default(), part).unwrap();
        assert!(
            examples
                .iter()
                .all(|e| !dedup_key(&e.text).contains("裂纹"))
        );
        assert_eq!(examples.len(), 18);
    }
    assert_eq!(training.split_sizes.train, 120 - 36);

    // The served model describes its behaviour next to its accuracy.
    let dir = run.job.out.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let app = common::spawn_app_with(|c| c.model = Some(dir)).await;
        let details = app.get_json("/v1/models/markers").await;
        assert_eq!(details["check"]["passed"], 5);
        assert_eq!(details["check"]["capabilities"][0]["capability"], "edits");
        // The API's own view types show exactly what model.json records.
        assert_eq!(details["check"], serde_json::to_value(&recorded).unwrap());
        assert_eq!(
            details["metrics"],
            serde_json::to_value(manifest.metrics.as_ref().unwrap()).unwrap()
        );
    });

    // The command line: the report, JSON, and the exit code of the bar.
    let check = |flags: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_textserve"))
            .args(["check", "--threads", "1"])
            .args(flags)
            .arg("--model")
            .arg(&run.job.out)
            .arg("--suite")
            .arg(&run.suite)
            .output()
            .unwrap()
    };
    let output = check(&[]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("5/8 cases passed") && text.contains("fail-mft"),
        "{text}"
    );
    let output = check(&["--json", "--fail-under", "0.7"]);
    assert_eq!(output.status.code(), Some(1), "fillers and edits pass 50 %");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("edits 50.0 %") && stderr.contains("fillers 50.0 %"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["failures"].as_array().unwrap().len(), 3);
    let output = check(&["--fail-under", "0.5"]);
    assert!(output.status.success());
}

#[test]
fn a_model_below_the_bar_is_not_written_unless_allowed() {
    let _turn = common::torch_turn();
    let run = setup(Some(0.9), false);
    let error = train(&run.job).unwrap_err().to_string();
    assert!(
        error.contains("below 90.0 %") && error.contains("no model written"),
        "{error}"
    );
    assert!(!run.job.out.join("model.json").exists());

    let run = setup(Some(0.9), true);
    let manifest = train(&run.job).unwrap();
    let check = manifest.check.unwrap();
    assert_eq!(check.fail_under, Some(0.9));
    assert!(check.capabilities.iter().any(|c| c.pass_rate < 0.9));
    assert!(run.job.out.join("model.json").is_file());
}

#[test]
fn a_suite_naming_an_unknown_label_is_refused_before_training() {
    let run = setup(None, false);
    std::fs::write(
        &run.suite,
        "{\"capability\": \"c\", \"type\": \"mft\", \"text\": \"t\", \"expect\": \"defect\"}\n{\"capability\": \"c\", \"type\": \"mft\", \"text\": \"t\", \"expect\": \"broken\"}\n",
    )
    .unwrap();
    let error = train(&run.job).unwrap_err().to_string();
    assert!(
        error.contains("suite.jsonl:2") && error.contains("\"broken\""),
        "{error}"
    );
}
