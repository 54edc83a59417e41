//! Trying a candidate model on live traffic before it answers all of it.
//!
//! A **shadow** candidate computes a sample of the texts a model answers, after the answer has
//! gone, and only on spare cores: its work waits in a bounded queue of its own, and a pass that
//! finds no idle core is dropped and counted instead of delaying an answer. Agreement with the
//! answering model and the difference in probabilities are metrics; the texts are not kept.
//!
//! A **canary** candidate answers a share of a model's requests itself. The share is sticky: a
//! routing key (the client's header, or the request id) always falls on the same side, and
//! raising the percentage only moves keys from the model to the candidate.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::ServedModel;
use super::inference::InferenceHandle;

/// What the shadow task needs of the models served (the registry): kept to a trait so the
/// registry, which holds the shadow queue, is not also a dependency of it.
pub trait ShadowHost: Send + Sync + 'static {
    /// Whether answering traffic wants the cores now: no spare slot, or texts waiting for
    /// `model`.
    fn busy(&self, model: &str) -> bool;
    /// The served version of `name`: its workers and what it answers with.
    fn candidate(&self, name: &str) -> Option<(InferenceHandle, ServedModel)>;
}

/// A shadow: `candidate` also computes `fraction` of the texts the model answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShadowSetting {
    /// A loaded model with the same labels.
    #[schema(example = "zh-reviews-sentiment-next")]
    pub candidate: String,
    /// Share of requests whose texts the candidate also computes, above 0 and at most 1.
    #[serde(default = "whole")]
    #[schema(example = 1.0, exclusive_minimum = 0.0, maximum = 1.0)]
    pub fraction: f64,
}

fn whole() -> f64 {
    1.0
}

/// A canary: `candidate` answers `percent` of the model's prediction requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CanarySetting {
    /// A loaded model with the same labels.
    #[schema(example = "zh-reviews-sentiment-next")]
    pub candidate: String,
    /// Share of routing keys the candidate answers, 0 to 100.
    #[schema(example = 10.0, minimum = 0.0, maximum = 100.0)]
    pub percent: f64,
}

/// A model's shadow and canary, as `GET /v1/models` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Rollout {
    pub shadow: Option<ShadowSetting>,
    pub canary: Option<CanarySetting>,
}

impl ShadowSetting {
    pub fn check(&self) -> Result<(), String> {
        if self.fraction > 0.0 && self.fraction <= 1.0 {
            Ok(())
        } else {
            Err(format!(
                "the shadow's fraction must be above 0 and at most 1, not {}",
                self.fraction
            ))
        }
    }

    /// Whether the request with this routing key is shadowed.
    pub fn samples(&self, key: &[u8]) -> bool {
        position(key, SHADOW_SALT) < self.fraction
    }
}

impl CanarySetting {
    pub fn check(&self) -> Result<(), String> {
        if (0.0..=100.0).contains(&self.percent) {
            Ok(())
        } else {
            Err(format!(
                "the canary's percent must be 0 to 100, not {}",
                self.percent
            ))
        }
    }

    /// Whether the candidate answers the request with this routing key.
    pub fn takes(&self, key: &[u8]) -> bool {
        position(key, CANARY_SALT) * 100.0 < self.percent
    }
}

/// Different salts, so a canary's keys are not also the shadow's sample.
const CANARY_SALT: u64 = 0x6361_6e61_7279;
const SHADOW_SALT: u64 = 0x7368_6164_6f77;

/// Where a routing key falls in [0, 1): the same key and salt always give the same place,
/// across restarts and replicas (FNV-1a, then a 64-bit finaliser so that keys differing only
/// in their last characters, as request ids do, spread over the whole range).
pub fn position(key: &[u8], salt: u64) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for &byte in key {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

/// `NAME=CANDIDATE[:FRACTION]`, as `--shadow` takes it.
pub fn parse_shadow(spec: &str) -> Result<(String, ShadowSetting), String> {
    let (name, rest) = split_name(spec, "--shadow NAME=CANDIDATE[:FRACTION]")?;
    let (candidate, fraction) = match rest.rsplit_once(':') {
        Some((candidate, number)) if number.parse::<f64>().is_ok() => {
            (candidate, number.parse::<f64>().unwrap_or(1.0))
        }
        _ => (rest, 1.0),
    };
    let setting = ShadowSetting {
        candidate: candidate.to_string(),
        fraction,
    };
    setting.check()?;
    Ok((name, setting))
}

/// `NAME=CANDIDATE:PERCENT`, as `--canary` takes it.
pub fn parse_canary(spec: &str) -> Result<(String, CanarySetting), String> {
    let form = "--canary NAME=CANDIDATE:PERCENT";
    let (name, rest) = split_name(spec, form)?;
    let Some((candidate, percent)) = rest.rsplit_once(':') else {
        return Err(format!("{spec:?} names no percent; the form is {form}"));
    };
    let percent = percent
        .parse::<f64>()
        .map_err(|_| format!("{spec:?}: {percent:?} is not a number; the form is {form}"))?;
    let setting = CanarySetting {
        candidate: candidate.to_string(),
        percent,
    };
    setting.check()?;
    Ok((name, setting))
}

fn split_name<'a>(spec: &'a str, form: &str) -> Result<(String, &'a str), String> {
    match spec.split_once('=') {
        Some((name, rest)) if !name.is_empty() && !rest.is_empty() => Ok((name.to_string(), rest)),
        _ => Err(format!("{spec:?} is not of the form {form}")),
    }
}

/// How one text's two answers compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Both chose the same label.
    pub agree: bool,
    /// The largest difference between the two probabilities of any label.
    pub difference: f32,
}

/// Compares two answers label by label (the candidate may order its labels differently).
pub fn compare(answered: &BTreeMap<String, f32>, shadow: &BTreeMap<String, f32>) -> Comparison {
    let best = |scores: &BTreeMap<String, f32>| {
        scores
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(label, _)| label.clone())
    };
    let difference = answered
        .iter()
        .map(|(label, p)| (p - shadow.get(label).copied().unwrap_or(0.0)).abs())
        .fold(0.0_f32, f32::max);
    Comparison {
        agree: best(answered) == best(shadow),
        difference,
    }
}

/// The buckets of `textserve_shadow_probability_difference`.
pub const DIFFERENCE_BUCKETS: &[f64] = &[0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0];

/// A model's shadow as the request path uses it: the setting and its metrics, registered once
/// when the shadow is set, so a request whose shadow work is dropped under load builds no label
/// strings (with them per request, a shadow dropping nearly everything at 64 clients still cost
/// 7 % of requests/s).
pub struct ShadowTarget {
    pub model: String,
    pub setting: ShadowSetting,
    agree: metrics::Counter,
    disagree: metrics::Counter,
    difference: metrics::Histogram,
    /// By `Dropped as usize`.
    dropped: [metrics::Counter; 3],
}

impl ShadowTarget {
    pub fn new(model: &str, setting: ShadowSetting) -> Self {
        let pair = vec![
            metrics::Label::new("model", model.to_string()),
            metrics::Label::new("candidate", setting.candidate.clone()),
        ];
        let labels = |(key, value): (&'static str, &'static str)| {
            let mut labels = pair.clone();
            labels.push(metrics::Label::new(key, value));
            labels
        };
        let texts = |agreement| {
            metrics::counter!(
                "textserve_shadow_texts_total",
                labels(("agreement", agreement))
            )
        };
        let dropped = |why: Dropped| {
            metrics::counter!(
                "textserve_shadow_dropped_total",
                labels(("reason", why.reason()))
            )
        };
        Self {
            model: model.to_string(),
            agree: texts("agree"),
            disagree: texts("disagree"),
            difference: metrics::histogram!(
                "textserve_shadow_probability_difference",
                pair.clone()
            ),
            dropped: [
                dropped(Dropped::QueueFull),
                dropped(Dropped::Busy),
                dropped(Dropped::CandidateUnavailable),
            ],
            setting,
        }
    }

    fn drop_texts(&self, why: Dropped, texts: usize) {
        self.dropped[why as usize].increment(texts as u64);
    }

    fn record(&self, comparisons: &[Comparison]) {
        let agreed = comparisons.iter().filter(|c| c.agree).count();
        self.agree.increment(agreed as u64);
        self.disagree.increment((comparisons.len() - agreed) as u64);
        for comparison in comparisons {
            self.difference.record(f64::from(comparison.difference));
        }
    }
}

/// Texts an answering model's request handed to its shadow.
pub struct ShadowJob {
    pub target: std::sync::Arc<ShadowTarget>,
    pub texts: Vec<String>,
    /// The answering model's probabilities, by label, one map per text.
    pub answers: Vec<BTreeMap<String, f32>>,
}

/// Why shadow work was not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// The shadow queue held its limit of texts.
    QueueFull,
    /// The answering model had texts waiting, or no core was idle when the pass's turn came.
    Busy,
    /// The candidate is not served (loading, failed, unloaded) or its labels differ.
    CandidateUnavailable,
}

impl Dropped {
    fn reason(self) -> &'static str {
        match self {
            Self::QueueFull => "queue_full",
            Self::Busy => "busy",
            Self::CandidateUnavailable => "candidate_unavailable",
        }
    }
}

/// Where answering requests leave shadow work; one task computes it, a job at a time.
pub struct ShadowQueue {
    sender: mpsc::UnboundedSender<ShadowJob>,
    queued: Arc<AtomicUsize>,
    limit: usize,
}

impl ShadowQueue {
    /// Starts the task that computes shadow work for `host`'s models; it ends when the host
    /// is gone. At most `limit` texts wait; more are dropped and counted.
    pub fn start(host: std::sync::Weak<dyn ShadowHost>, limit: usize, timeout: Duration) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        tokio::spawn(compute_shadows(
            host,
            receiver,
            Arc::clone(&queued),
            timeout,
        ));
        Self {
            sender,
            queued,
            limit,
        }
    }

    /// Takes `texts` of `target`'s shadow work if the queue has room for them and
    /// `spare_core()` says a core is free, copying them only then; otherwise counts them
    /// dropped (`queue_full` first, then `busy`). Never waits.
    pub fn offer_with(
        &self,
        target: &std::sync::Arc<ShadowTarget>,
        texts: &[String],
        answers: impl FnOnce() -> Vec<BTreeMap<String, f32>>,
        spare_core: impl FnOnce() -> bool,
    ) {
        if self.queued.load(Ordering::Acquire) + texts.len() > self.limit {
            target.drop_texts(Dropped::QueueFull, texts.len());
        } else if !spare_core() {
            target.drop_texts(Dropped::Busy, texts.len());
        } else {
            self.offer(ShadowJob {
                target: std::sync::Arc::clone(target),
                texts: texts.to_vec(),
                answers: answers(),
            });
        }
    }

    /// Leaves a job for the shadow task, or drops it (counted) if the queue is at its limit.
    /// Never waits.
    fn offer(&self, job: ShadowJob) {
        let texts = job.texts.len();
        let admitted = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued + texts <= self.limit).then_some(queued + texts)
            })
            .is_ok();
        if !admitted {
            job.target.drop_texts(Dropped::QueueFull, texts);
            return;
        }
        if let Err(mpsc::error::SendError(job)) = self.sender.send(job) {
            self.queued.fetch_sub(texts, Ordering::AcqRel);
            job.target.drop_texts(Dropped::QueueFull, texts);
        }
    }
}

async fn compute_shadows(
    host: std::sync::Weak<dyn ShadowHost>,
    mut receiver: mpsc::UnboundedReceiver<ShadowJob>,
    queued: Arc<AtomicUsize>,
    timeout: Duration,
) {
    while let Some(job) = receiver.recv().await {
        let texts = job.texts.len();
        let Some(live) = host.upgrade() else {
            return;
        };
        let outcome = shadow_one(&*live, &job, timeout).await;
        drop(live);
        queued.fetch_sub(texts, Ordering::AcqRel);
        match outcome {
            Ok(comparisons) => job.target.record(&comparisons),
            Err(why) => job.target.drop_texts(why, texts),
        }
    }
}

async fn shadow_one(
    host: &dyn ShadowHost,
    job: &ShadowJob,
    timeout: Duration,
) -> Result<Vec<Comparison>, Dropped> {
    // Shadow work yields before it costs anything (tokenizing, waking the candidate).
    if host.busy(&job.target.model) {
        return Err(Dropped::Busy);
    }
    let (inference, served) = host
        .candidate(&job.target.setting.candidate)
        .ok_or(Dropped::CandidateUnavailable)?;
    let same_labels = job.answers.first().is_none_or(|answer| {
        answer.len() == served.details.labels.len()
            && served.details.labels.iter().all(|l| answer.contains_key(l))
    });
    if !same_labels || !inference.is_alive() {
        return Err(Dropped::CandidateUnavailable);
    }
    // The candidate's own requests (as a canary, or by name) come first.
    if inference.queue_depth() > 0 {
        return Err(Dropped::Busy);
    }
    let sequences = job
        .texts
        .iter()
        .map(|text| served.tokenizer.encode(text).ids)
        .collect();
    let pending = inference
        .submit_shadow(sequences)
        .map_err(|_| Dropped::CandidateUnavailable)?;
    let mut comparisons = Vec::with_capacity(pending.len());
    let collect = async {
        for (receiver, answer) in pending.into_iter().zip(&job.answers) {
            let prediction = match receiver.await {
                Ok(Ok(prediction)) => prediction,
                Ok(Err(crate::runtime::inference::InferenceError::NoIdleCore)) => {
                    return Err(Dropped::Busy);
                }
                _ => return Err(Dropped::CandidateUnavailable),
            };
            let shadow = served.probabilities_by_label(&prediction.probabilities);
            comparisons.push(compare(answer, &shadow));
        }
        Ok(())
    };
    tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| Dropped::Busy)??;
    Ok(comparisons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(pairs: &[(&str, f32)]) -> BTreeMap<String, f32> {
        pairs.iter().map(|(l, p)| (l.to_string(), *p)).collect()
    }

    #[test]
    fn answers_agree_on_the_best_label_and_differ_by_the_largest_gap() {
        let a = scores(&[("negative", 0.9), ("positive", 0.1)]);
        let b = scores(&[("positive", 0.3), ("negative", 0.7)]);
        let c = scores(&[("negative", 0.4), ("positive", 0.6)]);
        let ab = compare(&a, &b);
        assert!(ab.agree);
        assert!((ab.difference - 0.2).abs() < 1e-6);
        let ac = compare(&a, &c);
        assert!(!ac.agree);
        assert!((ac.difference - 0.5).abs() < 1e-6);
        assert_eq!(compare(&a, &a).difference, 0.0);
    }

    #[test]
    fn a_key_always_falls_in_the_same_place_and_keys_spread_evenly() {
        assert_eq!(position(b"abc", 1), position(b"abc", 1));
        assert_ne!(position(b"abc", 1), position(b"abc", 2));
        // Request ids differ in their last characters; a tenth of them fall in each tenth.
        let mut tenths = [0usize; 10];
        for n in 0..20_000 {
            let p = position(format!("4f2a-1c9e33a0-{n:x}").as_bytes(), CANARY_SALT);
            assert!((0.0..1.0).contains(&p));
            tenths[(p * 10.0) as usize] += 1;
        }
        for count in tenths {
            assert!((1_800..=2_200).contains(&count), "{tenths:?}");
        }
    }

    #[test]
    fn raising_a_canary_only_moves_keys_to_the_candidate() {
        let at = |percent| CanarySetting {
            candidate: "next".into(),
            percent,
        };
        let keys: Vec<String> = (0..2_000).map(|n| format!("client-{n}")).collect();
        let taken = |percent| -> Vec<bool> {
            keys.iter()
                .map(|k| at(percent).takes(k.as_bytes()))
                .collect()
        };
        let (ten, thirty) = (taken(10.0), taken(30.0));
        assert!(ten.iter().zip(&thirty).all(|(&t, &u)| !t || u));
        let share = |v: &[bool]| v.iter().filter(|&&t| t).count();
        assert!((150..=250).contains(&share(&ten)), "{}", share(&ten));
        assert!((500..=700).contains(&share(&thirty)), "{}", share(&thirty));
        assert_eq!(share(&taken(0.0)), 0);
        assert_eq!(share(&taken(100.0)), keys.len());
    }

    #[test]
    fn settings_parse_from_the_command_line_and_bad_ones_say_why() {
        assert_eq!(
            parse_shadow("a=b").unwrap(),
            (
                "a".into(),
                ShadowSetting {
                    candidate: "b".into(),
                    fraction: 1.0
                }
            )
        );
        assert_eq!(parse_shadow("a=b:0.25").unwrap().1.fraction, 0.25);
        // A colon that is no number belongs to the name.
        assert_eq!(parse_shadow("a=b:next").unwrap().1.candidate, "b:next");
        assert!(parse_shadow("a=b:0").unwrap_err().contains("above 0"));
        assert!(parse_shadow("a=b:1.5").is_err());
        assert!(parse_shadow("=b").is_err());
        assert!(parse_shadow("ab").is_err());
        let (name, canary) = parse_canary("a=b:12.5").unwrap();
        assert_eq!(
            (name.as_str(), canary.candidate.as_str(), canary.percent),
            ("a", "b", 12.5)
        );
        assert!(parse_canary("a=b").unwrap_err().contains("no percent"));
        assert!(parse_canary("a=b:x").unwrap_err().contains("not a number"));
        assert!(parse_canary("a=b:101").unwrap_err().contains("0 to 100"));
    }
}
