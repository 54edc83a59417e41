//! Behavioural tests in the CheckList style (Ribeiro et al., ACL 2020): held-out accuracy says
//! little about negation, contrast or invariance to ids and punctuation, so a suite tests those
//! capabilities directly, on any model. `textserve check` and `train --check-suite` run it.

mod report;
mod suite;

pub use report::{Failure, Report, capability_table};
pub use suite::{Case, DEFAULT_TOLERANCE, Direction, Suite, SuiteError, Test};

use crate::model::{Model, argmax};

/// Runs every case of `suite` through `predict`, which maps texts to probabilities over
/// `labels` (in that order). All texts go through one call so the model batches them.
pub fn run(
    suite: &Suite,
    labels: &[String],
    predict: impl FnOnce(&[&str]) -> Vec<Vec<f32>>,
) -> Result<Report, SuiteError> {
    suite.check_labels(labels)?;
    let mut texts: Vec<&str> = Vec::new();
    for case in &suite.cases {
        texts.push(&case.text);
        match &case.test {
            Test::Expect { .. } => {}
            Test::Invariant { variants } | Test::Directional { variants, .. } => {
                texts.extend(variants.iter().map(String::as_str));
            }
        }
    }
    let probabilities = predict(&texts);
    assert_eq!(probabilities.len(), texts.len(), "one prediction per text");
    let index = |label: &str| labels.iter().position(|l| l == label).expect("checked");
    let mut next = probabilities.iter();
    let mut outcomes = Vec::with_capacity(suite.cases.len());
    for case in &suite.cases {
        let original = next.next().expect("counted");
        let failure = match &case.test {
            Test::Expect { label, negate } => {
                let (predicted, score) = argmax(original);
                let wanted = index(label);
                ((predicted == wanted) == *negate).then(|| {
                    Failure::of(
                        case,
                        &case.text,
                        (&labels[predicted], score),
                        // How sure the model was of the wrong answer.
                        if *negate { original[wanted] } else { score },
                        if *negate {
                            format!("expected anything but {label}")
                        } else {
                            format!("expected {label}")
                        },
                    )
                })
            }
            Test::Invariant { variants } => {
                let (label, _) = argmax(original);
                let changed = variants
                    .iter()
                    .zip(next.by_ref().take(variants.len()))
                    .filter(|(_, p)| argmax(p).0 != label)
                    .map(|(variant, p)| (variant, p, original[label] - p[label]))
                    .max_by(|a, b| a.2.total_cmp(&b.2));
                changed.map(|(variant, p, drop)| {
                    let (predicted, score) = argmax(p);
                    Failure::of(
                        case,
                        variant,
                        (&labels[predicted], score),
                        drop,
                        format!(
                            "the original text {:?} is {} ({:.3})",
                            case.text, labels[label], original[label]
                        ),
                    )
                })
            }
            Test::Directional {
                variants,
                label,
                direction,
                tolerance,
            } => {
                let wanted = index(label);
                let before = original[wanted];
                let worst = variants
                    .iter()
                    .zip(next.by_ref().take(variants.len()))
                    .map(|(variant, p)| {
                        let moved = p[wanted] - before;
                        let against = match direction {
                            Direction::NotLower => -moved,
                            Direction::NotRaise => moved,
                        };
                        (variant, p, f64::from(against))
                    })
                    .filter(|(_, _, against)| *against > *tolerance)
                    .max_by(|a, b| a.2.total_cmp(&b.2));
                worst.map(|(variant, p, against)| {
                    let (predicted, score) = argmax(p);
                    let verb = match direction {
                        Direction::NotLower => "lowered",
                        Direction::NotRaise => "raised",
                    };
                    Failure::of(
                        case,
                        variant,
                        (&labels[predicted], score),
                        against as f32,
                        format!(
                            "{verb} {label} from {before:.3} to {:.3} (tolerance {tolerance}) against {:?}",
                            p[wanted], case.text
                        ),
                    )
                })
            }
        };
        outcomes.push((case, failure));
    }
    Ok(Report::new(suite, outcomes))
}

/// Refuses a report whose weakest capability is below `fail_under`, naming every capability
/// that is.
pub fn gate(report: &Report, fail_under: Option<f64>) -> anyhow::Result<()> {
    let Some(bar) = fail_under else {
        return Ok(());
    };
    let below: Vec<String> = report
        .capabilities
        .iter()
        .filter(|c| c.pass_rate < bar)
        .map(|c| format!("{} {:.1} %", c.capability, 100.0 * c.pass_rate))
        .collect();
    if below.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "behavioural check below {:.1} %: {}",
            100.0 * bar,
            below.join(", ")
        )
    }
}

/// [`run`] on a loaded model.
pub fn run_on_model(suite: &Suite, model: &Model) -> Result<Report, SuiteError> {
    run(suite, model.labels(), |texts| {
        model.predict_texts(texts, 256)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in model: P(positive) is read off the text ("p=0.8").
    fn fake(texts: &[&str]) -> Vec<Vec<f32>> {
        texts
            .iter()
            .map(|t| {
                let p: f32 = t
                    .split("p=")
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0.5);
                vec![1.0 - p, p]
            })
            .collect()
    }

    fn suite(lines: &[&str]) -> Suite {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        Suite::read(&path).unwrap()
    }

    fn labels() -> Vec<String> {
        vec!["negative".into(), "positive".into()]
    }

    #[test]
    fn each_type_passes_and_fails_as_specified() {
        let s = suite(&[
            r#"{"id":"m1","capability":"mft","type":"mft","text":"p=0.9","expect":"positive"}"#,
            r#"{"id":"m2","capability":"mft","type":"mft","text":"p=0.7","expect":"negative"}"#,
            r#"{"id":"m3","capability":"mft","type":"mft","text":"p=0.2","expect_not":"positive"}"#,
            r#"{"id":"m4","capability":"mft","type":"mft","text":"p=0.6","expect_not":"positive"}"#,
            r#"{"id":"i1","capability":"inv","type":"inv","text":"p=0.9","variants":["p=0.6","p=0.8"]}"#,
            r#"{"id":"i2","capability":"inv","type":"inv","text":"p=0.9","variants":["p=0.6","p=0.3","p=0.4"]}"#,
            r#"{"id":"d1","capability":"dir","type":"dir","text":"p=0.8","variants":["p=0.75"],"label":"positive","direction":"not_lower","tolerance":0.1}"#,
            r#"{"id":"d2","capability":"dir","type":"dir","text":"p=0.8","variants":["p=0.9","p=0.5"],"label":"positive","direction":"not_lower","tolerance":0.1}"#,
            r#"{"id":"d3","capability":"dir","type":"dir","text":"p=0.2","variants":["p=0.4"],"label":"positive","direction":"not_raise","tolerance":0.1}"#,
        ]);
        let report = run(&s, &labels(), fake).unwrap();
        let failed: Vec<&str> = report.failures.iter().map(|f| f.id.as_str()).collect();
        // Most confident first: m2 (0.7 wrong), m4 (0.6 on the forbidden label), i2 (drop
        // 0.6), d2 (0.2 past the tolerance), d3 (0.1 past it).
        assert_eq!(failed, ["m2", "m4", "i2", "d2", "d3"]);
        let i2 = &report.failures[2];
        assert_eq!(
            (i2.text.as_str(), i2.predicted.as_str()),
            ("p=0.3", "negative")
        );
        assert!(report.failures[3].detail.contains("lowered positive"));
        assert_eq!((report.cases, report.passed), (9, 4));
        let rates: Vec<(&str, usize, usize)> = report
            .capabilities
            .iter()
            .map(|c| (c.capability.as_str(), c.cases, c.passed))
            .collect();
        assert_eq!(rates, [("dir", 3, 1), ("inv", 2, 1), ("mft", 4, 2)]);
        assert_eq!(report.lowest_pass_rate(), 1.0 / 3.0);
    }

    #[test]
    fn unknown_labels_are_refused_before_predicting() {
        let s = suite(&[r#"{"capability":"c","type":"mft","text":"t","expect":"good"}"#]);
        let error = run(&s, &labels(), |_| panic!("must not predict")).unwrap_err();
        assert!(error.to_string().contains("\"good\""), "{error}");
    }
}
