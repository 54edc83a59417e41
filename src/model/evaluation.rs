//! Accuracy, macro-F1 and per-label precision and recall of a model on labelled examples.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// Classification quality on one set of examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub examples: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]`, in label order.
    pub confusion: Vec<Vec<u64>>,
}

impl Evaluation {
    /// `pairs` are (true, predicted) label indices below `labels.len()`.
    pub fn from_predictions(
        labels: &[String],
        pairs: impl IntoIterator<Item = (usize, usize)>,
    ) -> Self {
        let n = labels.len();
        let mut confusion = vec![vec![0u64; n]; n];
        for (truth, predicted) in pairs {
            confusion[truth][predicted] += 1;
        }
        Self::from_confusion(labels, confusion)
    }

    pub fn from_confusion(labels: &[String], confusion: Vec<Vec<u64>>) -> Self {
        let total: u64 = confusion.iter().flatten().sum();
        let correct: u64 = (0..labels.len()).map(|i| confusion[i][i]).sum();
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        let per_class: Vec<ClassMetrics> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let tp = confusion[i][i];
                let support: u64 = confusion[i].iter().sum();
                let predicted: u64 = confusion.iter().map(|row| row[i]).sum();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassMetrics {
                    label: label.clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let macro_f1 = if per_class.is_empty() {
            0.0
        } else {
            per_class.iter().map(|c| c.f1).sum::<f64>() / per_class.len() as f64
        };
        Self {
            examples: total,
            accuracy: ratio(correct, total),
            macro_f1,
            per_class,
            confusion,
        }
    }

    /// A plain-text report for terminals and the model card.
    pub fn report(&self) -> String {
        let mut out = format!(
            "examples {}  accuracy {:.4}  macro-F1 {:.4}\n\n{:<16} {:>9} {:>9} {:>9} {:>9}\n",
            self.examples,
            self.accuracy,
            self.macro_f1,
            "label",
            "precision",
            "recall",
            "f1",
            "support"
        );
        for c in &self.per_class {
            out += &format!(
                "{:<16} {:>9.4} {:>9.4} {:>9.4} {:>9}\n",
                c.label, c.precision, c.recall, c.f1, c.support
            );
        }
        out += "\nconfusion (rows: true, columns: predicted)\n";
        out += &format!("{:<16}", "");
        for c in &self.per_class {
            out += &format!(" {:>10}", truncate(&c.label, 10));
        }
        out.push('\n');
        for (c, row) in self.per_class.iter().zip(&self.confusion) {
            out += &format!("{:<16}", truncate(&c.label, 16));
            for v in row {
                out += &format!(" {v:>10}");
            }
            out.push('\n');
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn matches_a_hand_computed_confusion_matrix() {
        let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        // true a: 5 → a, 1 → b;  true b: 2 → a, 3 → b, 1 → c;  true c: 4 → c
        let eval =
            Evaluation::from_confusion(&labels, vec![vec![5, 1, 0], vec![2, 3, 1], vec![0, 0, 4]]);
        assert_eq!(eval.examples, 16);
        assert!(close(eval.accuracy, 12.0 / 16.0));
        let a = &eval.per_class[0];
        assert!(close(a.precision, 5.0 / 7.0) && close(a.recall, 5.0 / 6.0));
        assert!(close(
            a.f1,
            2.0 * (5.0 / 7.0) * (5.0 / 6.0) / (5.0 / 7.0 + 5.0 / 6.0)
        ));
        let b = &eval.per_class[1];
        assert!(close(b.precision, 3.0 / 4.0) && close(b.recall, 3.0 / 6.0) && close(b.f1, 0.6));
        let c = &eval.per_class[2];
        assert!(close(c.precision, 4.0 / 5.0) && close(c.recall, 1.0));
        assert!(close(c.f1, 2.0 * 0.8 / 1.8));
        assert!(close(eval.macro_f1, (a.f1 + b.f1 + c.f1) / 3.0));
        assert_eq!(b.support, 6);
    }

    #[test]
    fn builds_the_same_matrix_from_prediction_pairs() {
        let labels: Vec<String> = ["x", "y"].map(String::from).to_vec();
        let eval = Evaluation::from_predictions(&labels, [(0, 0), (0, 1), (1, 1), (1, 1)]);
        assert_eq!(eval.confusion, vec![vec![1, 1], vec![0, 2]]);
        assert!(close(eval.accuracy, 0.75));
        // A class never predicted has precision 0, not NaN.
        let eval = Evaluation::from_predictions(&labels, [(0, 1), (1, 1)]);
        assert_eq!(eval.per_class[0].precision, 0.0);
        assert!(eval.report().contains("accuracy 0.5000"));
    }
}
