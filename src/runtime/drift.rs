//! Drift signals per model and version, from what is served, never keeping a text: the label
//! mix, how sure the model was, the share of tokens it has never seen, how long texts are, and
//! how many carry negation or contrast cues (the frames the model finds hardest). Compared
//! week over week, they show a line's vocabulary or its mix of reports moving away from what
//! the model was trained on (alert rules: `deploy/prometheus/textserve-rules.yml`).

/// Characters that start a negation in Chinese factory text (不合格, 没有, 无异常, 未发现 ...).
pub const NEGATION_CUES: &[char] = &['不', '没', '无', '未', '非', '别', '否', '勿', '莫'];

/// Words that turn a sentence (合格但是有划痕, 虽然…却…).
pub const CONTRAST_CUES: &[&str] = &["但", "却", "不过", "然而", "可是", "只是", "虽然"];

/// The winning probability's buckets; with two labels it is never below 0.5.
pub const CONFIDENCE_BUCKETS: &[f64] = &[0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0];
pub const UNKNOWN_RATIO_BUCKETS: &[f64] = &[0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];
pub const TOKEN_BUCKETS: &[f64] = &[4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// What a text shows before the model sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSignals {
    pub tokens: usize,
    pub unknown_ratio: f64,
    pub negation: bool,
    pub contrast: bool,
}

/// `unknown_id` is the id the model's tokenizer gives a token it does not know.
pub fn text_signals(text: &str, ids: &[i64], unknown_id: i64) -> TextSignals {
    let unknown = ids.iter().filter(|&&id| id == unknown_id).count();
    TextSignals {
        tokens: ids.len(),
        unknown_ratio: if ids.is_empty() {
            0.0
        } else {
            unknown as f64 / ids.len() as f64
        },
        negation: text.contains(NEGATION_CUES),
        contrast: CONTRAST_CUES.iter().any(|cue| text.contains(cue)),
    }
}

/// The drift metrics of one model version, registered once when it loads: recording a text is
/// then a few atomic updates, with no label strings built or looked up on the request path.
#[derive(Debug, Clone)]
pub struct DriftRecorder {
    tokens: metrics::Histogram,
    unknown_ratio: metrics::Histogram,
    confidence: metrics::Histogram,
    negation: metrics::Counter,
    contrast: metrics::Counter,
    /// One counter per label, in the model's label order.
    predictions: Vec<metrics::Counter>,
}

impl DriftRecorder {
    pub fn new(model: &str, version: &str, labels: &[String]) -> Self {
        let version_labels = || {
            vec![
                metrics::Label::new("model", model.to_string()),
                metrics::Label::new("version", version.to_string()),
            ]
        };
        let with = |name: &'static str, value: String| {
            let mut labels = version_labels();
            labels.push(metrics::Label::new(name, value));
            labels
        };
        Self {
            tokens: metrics::histogram!("textserve_text_tokens", version_labels()),
            unknown_ratio: metrics::histogram!("textserve_unknown_token_ratio", version_labels()),
            confidence: metrics::histogram!("textserve_prediction_confidence", version_labels()),
            negation: metrics::counter!(
                "textserve_cue_texts_total",
                with("cue", "negation".into())
            ),
            contrast: metrics::counter!(
                "textserve_cue_texts_total",
                with("cue", "contrast".into())
            ),
            predictions: labels
                .iter()
                .map(|label| {
                    metrics::counter!("textserve_predictions_total", with("label", label.clone()))
                })
                .collect(),
        }
    }

    /// Records one served text (interactive or stream; explanations' perturbed copies are not
    /// traffic and are not recorded).
    pub fn observe_text(&self, signals: TextSignals) {
        self.tokens.record(signals.tokens as f64);
        self.unknown_ratio.record(signals.unknown_ratio);
        if signals.negation {
            self.negation.increment(1);
        }
        if signals.contrast {
            self.contrast.increment(1);
        }
    }

    /// Records the answer for one served text: its label and how sure the model was.
    pub fn observe_prediction(&self, probabilities: &[f32]) {
        let (best, score) = crate::model::argmax(probabilities);
        self.confidence.record(f64::from(score));
        if let Some(counter) = self.predictions.get(best) {
            counter.increment(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_count_unknown_tokens_and_find_cues_without_keeping_the_text() {
        let signals = text_signals("外观合格，但是有划痕", &[5, 1, 7, 1], 1);
        assert_eq!(
            signals,
            TextSignals {
                tokens: 4,
                unknown_ratio: 0.5,
                negation: false,
                contrast: true
            }
        );
        let signals = text_signals("未发现异常", &[3], 1);
        assert!(signals.negation && !signals.contrast);
        assert_eq!(signals.unknown_ratio, 0.0);
        assert_eq!(text_signals("", &[], 1).unknown_ratio, 0.0);
    }
}
