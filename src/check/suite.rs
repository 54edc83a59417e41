//! The suite file: JSONL, one behavioural test case per line (blank lines allowed).
//!
//! ```text
//! {"capability": "negated_defect", "type": "mft", "text": "来料检验未见异常", "expect": "positive"}
//! {"capability": "contrast", "type": "mft", "text": "…", "expect_not": "negative"}
//! {"capability": "invariance", "type": "inv", "text": "3号线主轴异响", "variants": ["5号线主轴异响"]}
//! {"capability": "intensity", "type": "dir", "text": "质量好", "variants": ["质量非常好"],
//!  "label": "positive", "direction": "not_lower", "tolerance": 0.1}
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Used when a DIR case names no tolerance.
pub const DEFAULT_TOLERANCE: f64 = 0.1;

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: label {label:?} is not one of the model's labels {labels:?}", path.display())]
    UnknownLabel {
        path: PathBuf,
        line: usize,
        label: String,
        labels: Vec<String>,
    },
    #[error("{}: the suite holds no cases", path.display())]
    Empty { path: PathBuf },
}

/// Which way a DIR edit may not move the named label's probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    NotLower,
    NotRaise,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Minimum functionality: the text gets `label` (or, with `negate`, anything but it).
    Expect { label: String, negate: bool },
    /// Invariance: every variant gets the label the text gets.
    Invariant { variants: Vec<String> },
    /// Directional: no variant moves `label`'s probability against `direction` by more than
    /// `tolerance`.
    Directional {
        variants: Vec<String>,
        label: String,
        direction: Direction,
        tolerance: f64,
    },
}

impl Test {
    pub fn kind(&self) -> &'static str {
        match self {
            Test::Expect { .. } => "mft",
            Test::Invariant { .. } => "inv",
            Test::Directional { .. } => "dir",
        }
    }

    /// Every label the case names, which the model must know.
    fn labels(&self) -> Vec<&str> {
        match self {
            Test::Expect { label, .. } | Test::Directional { label, .. } => vec![label],
            Test::Invariant { .. } => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case's own id, or `FILE:LINE` when it has none.
    pub id: String,
    pub line: usize,
    pub capability: String,
    pub text: String,
    pub test: Test,
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub path: PathBuf,
    pub sha256: String,
    pub cases: Vec<Case>,
}

/// One line as written; turned into a [`Case`] by [`RawCase::parse`], which says what is wrong.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: Option<String>,
    capability: String,
    #[serde(rename = "type")]
    kind: String,
    text: String,
    expect: Option<String>,
    expect_not: Option<String>,
    variants: Option<Vec<String>>,
    label: Option<String>,
    direction: Option<Direction>,
    tolerance: Option<f64>,
}

impl RawCase {
    fn parse(self, default_id: String, line: usize) -> Result<Case, String> {
        if self.capability.trim().is_empty() {
            return Err("capability must not be empty".into());
        }
        if self.text.trim().is_empty() {
            return Err("text must not be empty".into());
        }
        let variants = |variants: Option<Vec<String>>| -> Result<Vec<String>, String> {
            let variants = variants.ok_or(format!("a {} case needs \"variants\"", self.kind))?;
            if variants.is_empty() || variants.iter().any(|v| v.trim().is_empty()) {
                return Err("variants must be a non-empty list of non-empty texts".into());
            }
            Ok(variants)
        };
        let unused = |fields: &[(&str, bool)]| -> Result<(), String> {
            match fields.iter().find(|(_, present)| *present) {
                Some((name, _)) => Err(format!("{name:?} does not belong in a {} case", self.kind)),
                None => Ok(()),
            }
        };
        let test = match self.kind.as_str() {
            "mft" => {
                unused(&[
                    ("variants", self.variants.is_some()),
                    ("label", self.label.is_some()),
                    ("direction", self.direction.is_some()),
                    ("tolerance", self.tolerance.is_some()),
                ])?;
                match (self.expect, self.expect_not) {
                    (Some(label), None) => Test::Expect {
                        label,
                        negate: false,
                    },
                    (None, Some(label)) => Test::Expect {
                        label,
                        negate: true,
                    },
                    _ => {
                        return Err(
                            "an mft case needs exactly one of \"expect\" and \"expect_not\"".into(),
                        );
                    }
                }
            }
            "inv" => {
                unused(&[
                    ("expect", self.expect.is_some()),
                    ("expect_not", self.expect_not.is_some()),
                    ("label", self.label.is_some()),
                    ("direction", self.direction.is_some()),
                    ("tolerance", self.tolerance.is_some()),
                ])?;
                Test::Invariant {
                    variants: variants(self.variants)?,
                }
            }
            "dir" => {
                unused(&[
                    ("expect", self.expect.is_some()),
                    ("expect_not", self.expect_not.is_some()),
                ])?;
                let tolerance = self.tolerance.unwrap_or(DEFAULT_TOLERANCE);
                if !(0.0..=1.0).contains(&tolerance) {
                    return Err("tolerance must be in [0, 1]".into());
                }
                Test::Directional {
                    variants: variants(self.variants)?,
                    label: self.label.ok_or("a dir case needs \"label\"")?,
                    direction: self
                        .direction
                        .ok_or("a dir case needs \"direction\": \"not_lower\" or \"not_raise\"")?,
                    tolerance,
                }
            }
            other => {
                return Err(format!(
                    "unknown type {other:?} (expected \"mft\", \"inv\" or \"dir\")"
                ));
            }
        };
        Ok(Case {
            id: self.id.unwrap_or(default_id),
            line,
            capability: self.capability,
            text: self.text,
            test,
        })
    }
}

impl Suite {
    pub fn read(path: &Path) -> Result<Self, SuiteError> {
        let bytes = std::fs::read(path).map_err(|source| SuiteError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let sha256 = crate::data::sha256_bytes(&bytes);
        let malformed = |line: usize, message: String| SuiteError::Malformed {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            malformed(line + 1, "not valid UTF-8".into())
        })?;
        let mut cases = Vec::new();
        let mut ids = HashSet::new();
        for (index, content) in text.lines().enumerate() {
            let line = index + 1;
            if content.trim().is_empty() {
                continue;
            }
            let raw: RawCase =
                serde_json::from_str(content).map_err(|e| malformed(line, e.to_string()))?;
            let case = raw
                .parse(format!("{}:{line}", path.display()), line)
                .map_err(|message| malformed(line, message))?;
            if !ids.insert(case.id.clone()) {
                return Err(malformed(line, format!("duplicate id {:?}", case.id)));
            }
            cases.push(case);
        }
        if cases.is_empty() {
            return Err(SuiteError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            sha256,
            cases,
        })
    }

    /// Every label a case names must be one of `labels`: a typo would otherwise make a case that
    /// can never pass (or never fail).
    pub fn check_labels(&self, labels: &[String]) -> Result<(), SuiteError> {
        for case in &self.cases {
            if let Some(label) = case
                .test
                .labels()
                .into_iter()
                .find(|l| !labels.iter().any(|known| known == l))
            {
                return Err(SuiteError::UnknownLabel {
                    path: self.path.clone(),
                    line: case.line,
                    label: label.to_string(),
                    labels: labels.to_vec(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &str) -> Result<Suite, SuiteError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suite.jsonl");
        std::fs::write(&path, content).unwrap();
        Suite::read(&path)
    }

    fn error_at(content: &str) -> (usize, String) {
        match read(content).unwrap_err() {
            SuiteError::Malformed { line, message, .. } => (line, message),
            other => panic!("expected a malformed-line error, got {other}"),
        }
    }

    #[test]
    fn reads_each_type_of_case() {
        let suite = read(concat!(
            r#"{"id": "a", "capability": "neg", "type": "mft", "text": "未见异常", "expect": "positive"}"#,
            "\n\n",
            r#"{"capability": "neg", "type": "mft", "text": "x", "expect_not": "negative"}"#,
            "\n",
            r#"{"capability": "ids", "type": "inv", "text": "3号线", "variants": ["5号线"]}"#,
            "\n",
            r#"{"capability": "int", "type": "dir", "text": "好", "variants": ["很好"], "label": "positive", "direction": "not_lower"}"#,
            "\n"
        ))
        .unwrap();
        assert_eq!(suite.cases.len(), 4);
        assert_eq!(suite.cases[0].id, "a");
        assert_eq!(suite.cases[1].line, 3);
        assert!(suite.cases[1].id.ends_with("suite.jsonl:3"));
        assert_eq!(
            suite.cases[1].test,
            Test::Expect {
                label: "negative".into(),
                negate: true
            }
        );
        assert_eq!(
            suite.cases[3].test,
            Test::Directional {
                variants: vec!["很好".into()],
                label: "positive".into(),
                direction: Direction::NotLower,
                tolerance: DEFAULT_TOLERANCE,
            }
        );
        assert_eq!(suite.sha256.len(), 64);
    }

    #[test]
    fn every_mistake_names_its_line() {
        let ok = r#"{"capability": "c", "type": "mft", "text": "t", "expect": "positive"}"#;
        let cases = [
            ("not json", "expected"),
            (
                r#"{"capability": "c", "type": "mft", "text": "t", "expect": "positive", "extra": 1}"#,
                "unknown field",
            ),
            (
                r#"{"capability": "c", "type": "mft", "text": "t"}"#,
                "exactly one",
            ),
            (
                r#"{"capability": "c", "type": "mft", "text": "t", "expect": "a", "expect_not": "b"}"#,
                "exactly one",
            ),
            (
                r#"{"capability": "c", "type": "xyz", "text": "t"}"#,
                "unknown type",
            ),
            (
                r#"{"capability": "c", "type": "inv", "text": "t"}"#,
                "variants",
            ),
            (
                r#"{"capability": "c", "type": "inv", "text": "t", "variants": []}"#,
                "non-empty",
            ),
            (
                r#"{"capability": "c", "type": "inv", "text": "t", "variants": ["u"], "expect": "a"}"#,
                "does not belong",
            ),
            (
                r#"{"capability": "c", "type": "dir", "text": "t", "variants": ["u"], "label": "a"}"#,
                "direction",
            ),
            (
                r#"{"capability": "c", "type": "dir", "text": "t", "variants": ["u"], "label": "a", "direction": "up"}"#,
                "unknown variant",
            ),
            (
                r#"{"capability": "c", "type": "dir", "text": "t", "variants": ["u"], "label": "a", "direction": "not_raise", "tolerance": 2}"#,
                "tolerance",
            ),
            (
                r#"{"capability": " ", "type": "mft", "text": "t", "expect": "a"}"#,
                "capability",
            ),
            (
                r#"{"capability": "c", "type": "mft", "text": "  ", "expect": "a"}"#,
                "text",
            ),
            (ok, "duplicate id"),
        ];
        for (bad, expected) in cases {
            let duplicate = format!(
                "{}\n{}\n",
                ok.replace("\"c\"", "\"c\", \"id\": \"x\""),
                ok.replace("\"c\"", "\"c\", \"id\": \"x\"")
            );
            let content = if expected == "duplicate id" {
                duplicate
            } else {
                format!("{ok}\n\n{bad}\n")
            };
            let (line, message) = error_at(&content);
            let want_line = if expected == "duplicate id" { 2 } else { 3 };
            assert_eq!(line, want_line, "{bad}: {message}");
            assert!(message.contains(expected), "{bad}: {message}");
        }
    }

    #[test]
    fn empty_suites_unknown_labels_and_bad_bytes_are_refused() {
        assert!(matches!(read("\n \n"), Err(SuiteError::Empty { .. })));
        let suite = read(concat!(
            r#"{"capability": "c", "type": "mft", "text": "t", "expect": "positive"}"#,
            "\n",
            r#"{"capability": "c", "type": "dir", "text": "t", "variants": ["u"], "label": "postive", "direction": "not_raise"}"#,
        ))
        .unwrap();
        let labels = ["negative".to_string(), "positive".to_string()];
        match suite.check_labels(&labels).unwrap_err() {
            SuiteError::UnknownLabel { line, label, .. } => {
                assert_eq!((line, label.as_str()), (2, "postive"));
            }
            other => panic!("{other}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, b"{}\n{\"a\": \"\xff\"}\n").unwrap();
        match Suite::read(&path).unwrap_err() {
            SuiteError::Malformed { line, .. } => assert_eq!(line, 2),
            other => panic!("{other}"),
        }
    }
}
