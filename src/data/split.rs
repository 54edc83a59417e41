//! Cleaning (empty texts, duplicates, texts labelled both ways) and the stratified
//! train/validation/test split, so no test text is ever trained on.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::dataset::Example;
use super::rng::SplitMix64;
use crate::text::normalize;

/// What cleaning removed; recorded in the model card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanStats {
    pub input: usize,
    pub duplicates_removed: usize,
    /// Distinct texts dropped because they were labelled more than one way.
    pub conflicting_texts_dropped: usize,
    pub kept: usize,
}

/// Two texts are "the same" when they tokenize the same: equal after normalization and with
/// whitespace runs collapsed. Anything looser would let near-copies leak across splits.
pub fn dedup_key(text: &str) -> String {
    normalize(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Deduplicates and drops texts with conflicting labels, keeping first occurrences in order.
pub fn clean(examples: Vec<Example>) -> (Vec<Example>, CleanStats) {
    let input = examples.len();
    let mut labels_by_key: HashMap<String, BTreeSet<String>> = HashMap::new();
    let keyed: Vec<(String, Example)> = examples
        .into_iter()
        .map(|e| (dedup_key(&e.text), e))
        .collect();
    for (key, example) in &keyed {
        labels_by_key
            .entry(key.clone())
            .or_default()
            .insert(example.label.clone());
    }
    let conflicting_texts_dropped = labels_by_key.values().filter(|l| l.len() > 1).count();
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    let mut conflict_rows = 0;
    for (key, example) in keyed {
        if labels_by_key[&key].len() > 1 {
            conflict_rows += 1;
            continue;
        }
        if seen.insert(key) {
            kept.push(example);
        }
    }
    let stats = CleanStats {
        input,
        duplicates_removed: input - conflict_rows - kept.len(),
        conflicting_texts_dropped,
        kept: kept.len(),
    };
    (kept, stats)
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitConfig {
    pub seed: u64,
    pub validation_fraction: f64,
    pub test_fraction: f64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            validation_fraction: 0.1,
            test_fraction: 0.1,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Split {
    pub train: Vec<Example>,
    pub validation: Vec<Example>,
    pub test: Vec<Example>,
}

/// Stratified: every label keeps its share in each part. Deterministic for a given seed and
/// input order, which is what lets `eval` rebuild the exact test split later.
pub fn split(examples: &[Example], config: SplitConfig) -> Split {
    let mut by_label: BTreeMap<&str, Vec<&Example>> = BTreeMap::new();
    for example in examples {
        by_label.entry(&example.label).or_default().push(example);
    }
    let mut rng = SplitMix64::new(config.seed);
    let mut out = Split::default();
    for (_, mut group) in by_label {
        rng.shuffle(&mut group);
        let n = group.len();
        let n_test = ((n as f64) * config.test_fraction).round() as usize;
        let n_val = ((n as f64) * config.validation_fraction).round() as usize;
        // A label must keep at least one training example or the model can never predict it.
        let n_test = n_test.min(n.saturating_sub(1));
        let n_val = n_val.min(n.saturating_sub(1 + n_test));
        out.test
            .extend(group[..n_test].iter().map(|e| (*e).clone()));
        out.validation
            .extend(group[n_test..n_test + n_val].iter().map(|e| (*e).clone()));
        out.train
            .extend(group[n_test + n_val..].iter().map(|e| (*e).clone()));
    }
    rng.shuffle(&mut out.train);
    rng.shuffle(&mut out.validation);
    rng.shuffle(&mut out.test);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: &str) -> Example {
        Example {
            text: text.into(),
            label: label.into(),
        }
    }

    #[test]
    fn drops_duplicates_after_normalization_and_conflicts() {
        let (kept, stats) = clean(vec![
            ex("Good  item", "pos"),
            ex("good item", "pos"),
            ex("ＧＯＯＤ item", "pos"),
            ex("meh", "pos"),
            ex("meh", "neg"),
            ex("meh", "neg"),
            ex("bad", "neg"),
        ]);
        assert_eq!(kept, vec![ex("Good  item", "pos"), ex("bad", "neg")]);
        assert_eq!(
            stats,
            CleanStats {
                input: 7,
                duplicates_removed: 2,
                conflicting_texts_dropped: 1,
                kept: 2
            }
        );
    }

    fn corpus() -> Vec<Example> {
        (0..1000)
            .map(|i| ex(&format!("text {i}"), if i % 4 == 0 { "a" } else { "b" }))
            .collect()
    }

    #[test]
    fn split_is_stratified_deterministic_and_disjoint() {
        let data = corpus();
        let config = SplitConfig::default();
        let s = split(&data, config);
        assert_eq!(s.train.len() + s.validation.len() + s.test.len(), 1000);
        assert_eq!(s.test.len(), 100);
        assert_eq!(s.test.iter().filter(|e| e.label == "a").count(), 25);
        assert_eq!(s.validation.iter().filter(|e| e.label == "a").count(), 25);

        let again = split(&data, config);
        assert_eq!(s.test, again.test);
        let other = split(&data, SplitConfig { seed: 7, ..config });
        assert_ne!(s.test, other.test);

        let train: BTreeSet<_> = s.train.iter().map(|e| dedup_key(&e.text)).collect();
        assert!(s.test.iter().all(|e| !train.contains(&dedup_key(&e.text))));
        assert!(
            s.validation
                .iter()
                .all(|e| !train.contains(&dedup_key(&e.text)))
        );
    }

    #[test]
    fn tiny_labels_keep_a_training_example() {
        let data = vec![ex("only", "rare"), ex("x", "c"), ex("y", "c")];
        let s = split(
            &data,
            SplitConfig {
                test_fraction: 0.5,
                validation_fraction: 0.5,
                seed: 1,
            },
        );
        assert!(s.train.iter().any(|e| e.label == "rare"));
    }
}
