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
    let held_out = model.manifest().check.clone().expect("a recorded check");
    assert_eq!(
        rerun(&model, &held_out),
        counts(&held_out),
        "{}",
        dir.display()
    );
    let tuning = model
        .manifest()
        .training
        .as_ref()
        .and_then(|t| t.tune_check.clone())
        .expect("a recorded tuning check");
    assert_eq!(rerun(&model, &tuning), counts(&tuning), "{}", dir.display());
}

/// The hand-written development suite parses, fits the shipped models' labels and holds the
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
