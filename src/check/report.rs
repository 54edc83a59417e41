//! A suite's results: pass rates per capability, failures most confident first, as a table or
//! as JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::suite::{Case, Suite};
use crate::model::artifact::{CapabilityResult, CheckSummary};

/// One case that did not behave, with what the model did instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub id: String,
    pub capability: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The text that misbehaved (for INV and DIR, the variant).
    pub text: String,
    pub predicted: String,
    pub score: f32,
    /// How far wrong: the probability of the wrong answer (MFT), the drop in the original
    /// label's probability (INV), or the move beyond the tolerance (DIR).
    pub severity: f32,
    pub detail: String,
}

impl Failure {
    pub(super) fn of(
        case: &Case,
        text: &str,
        (predicted, score): (&str, f32),
        severity: f32,
        detail: String,
    ) -> Self {
        Self {
            id: case.id.clone(),
            capability: case.capability.clone(),
            kind: case.test.kind(),
            text: text.to_string(),
            predicted: predicted.to_string(),
            score,
            severity,
            detail,
        }
    }
}

/// A suite's result: pass rates per capability and the failures, worst first.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub suite: String,
    pub suite_sha256: String,
    pub cases: usize,
    pub passed: usize,
    pub capabilities: Vec<CapabilityResult>,
    pub failures: Vec<Failure>,
}

impl Report {
    pub(super) fn new(suite: &Suite, outcomes: Vec<(&Case, Option<Failure>)>) -> Self {
        let mut per_capability: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut failures = Vec::new();
        for (case, failure) in outcomes {
            let counts = per_capability.entry(&case.capability).or_default();
            counts.0 += 1;
            match failure {
                None => counts.1 += 1,
                Some(failure) => failures.push(failure),
            }
        }
        failures.sort_by(|a, b| b.severity.total_cmp(&a.severity));
        let capabilities: Vec<CapabilityResult> = per_capability
            .into_iter()
            .map(|(capability, (cases, passed))| CapabilityResult {
                capability: capability.to_string(),
                cases,
                passed,
                pass_rate: passed as f64 / cases as f64,
            })
            .collect();
        Self {
            suite: suite.path.display().to_string(),
            suite_sha256: suite.sha256.clone(),
            cases: capabilities.iter().map(|c| c.cases).sum(),
            passed: capabilities.iter().map(|c| c.passed).sum(),
            capabilities,
            failures,
        }
    }

    /// The weakest capability's pass rate: what `--fail-under` gates on, since a model that
    /// passes 99 % of negation cases and 60 % of contrast cases does not read contrast.
    pub fn lowest_pass_rate(&self) -> f64 {
        self.capabilities
            .iter()
            .map(|c| c.pass_rate)
            .fold(1.0, f64::min)
    }

    /// What the model directory records (no failure list: it can be long, and `check` rebuilds
    /// it from the suite).
    pub fn summary(&self, fail_under: Option<f64>) -> CheckSummary {
        CheckSummary {
            suite: self.suite.clone(),
            suite_sha256: self.suite_sha256.clone(),
            cases: self.cases,
            passed: self.passed,
            capabilities: self.capabilities.clone(),
            fail_under,
        }
    }

    /// A table per capability, then up to `max_failures` failures.
    pub fn render(&self, max_failures: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "suite {}: {}/{} cases passed ({:.1} %)\n",
            self.suite,
            self.passed,
            self.cases,
            100.0 * self.passed as f64 / self.cases.max(1) as f64
        );
        out.push_str(&capability_table(&self.capabilities));
        if !self.failures.is_empty() {
            let _ = writeln!(
                out,
                "\nfailures, most confident first ({} of {}):",
                self.failures.len().min(max_failures),
                self.failures.len()
            );
            for f in self.failures.iter().take(max_failures) {
                let _ = writeln!(
                    out,
                    "  [{}] {} {} → {} {:.3}: {} ({})",
                    f.capability, f.kind, f.id, f.predicted, f.score, f.text, f.detail
                );
            }
        }
        out
    }
}

/// The per-capability table of the check report and of the model card.
pub fn capability_table(capabilities: &[CapabilityResult]) -> String {
    let mut out =
        String::from("| capability | cases | passed | pass rate |\n|---|---:|---:|---:|\n");
    for c in capabilities {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} % |",
            c.capability,
            c.cases,
            c.passed,
            100.0 * c.pass_rate
        );
    }
    out
}
