//! Compositional augmentation: new training texts whose label follows their structure, built
//! from clauses of the training texts. "质量不错，但是噪音很大" is negative because of the clause
//! after 但是; a bag of n-grams sees one praise and one complaint, an LSTM can learn which
//! clause decides — if it is shown enough texts where that is the only thing that tells.
//!
//! Clauses come from the training side only (the split's training part and `--extra-data`),
//! so no validation or test text reaches training. A clause's polarity is the label of the text
//! it came from, kept only where the wide part, reading the clause alone, agrees with at least
//! `--compose-confidence`: a clause of a positive review that complains ("就是物流慢") is not
//! taken as praise.

use std::collections::HashMap;

use super::{Labelled, TrainConfig};
use crate::data::{Example, SplitMix64};
use crate::model::artifact::ComposeRecord;
use crate::model::{Wide, predict_sequences};
use crate::text::{Encoded, Tokenizer};

/// Connectives after which the second clause decides ("A，但是B" reads as B).
const CONTRAST: &[&str] = &["但是", "但", "可是", "不过", "然而", "只是"];
/// Connectives that concede the clause they open ("虽然A，B" reads as B).
const CONCESSION: &[&str] = &["虽然", "尽管", "虽说"];
/// Connectives that join two clauses of the same polarity.
const ADDITION: &[&str] = &["而且", "并且", "同时", "另外", ""];
/// Clauses holding any of these already carry structure of their own; they are left out so a
/// composed text has exactly the structure its label follows.
const STRUCTURE_WORDS: &[&str] = &[
    "但", "可是", "不过", "然而", "只是", "虽", "尽管", "而且", "并且", "却", "如果", "要是",
    "除了", "可惜",
];
const CLAUSE_BREAKS: &[char] = &[
    '，', ',', '。', '.', '！', '!', '？', '?', '；', ';', '～', '~', '…', '、', '\n', ' ', '\t',
];
/// Clause length in characters: shorter ones rarely carry a polarity, longer ones are often
/// several clauses without punctuation.
const CLAUSE_CHARS: std::ops::RangeInclusive<usize> = 2..=24;

/// Distinct clauses of the texts, with the label of the text each came from; a clause found
/// under two labels is dropped.
pub(super) fn clauses(texts: &[Example]) -> Vec<(String, String)> {
    // Clause → (its label, whether another label also had it), in order of first sight.
    let mut found: Vec<(String, String, bool)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for example in texts {
        for clause in example.text.split(CLAUSE_BREAKS) {
            let clause = clause.trim();
            let chars = clause.chars().count();
            if !CLAUSE_CHARS.contains(&chars) || STRUCTURE_WORDS.iter().any(|w| clause.contains(w))
            {
                continue;
            }
            match index.get(clause) {
                Some(&i) => found[i].2 |= found[i].1 != example.label,
                None => {
                    index.insert(clause.to_string(), found.len());
                    found.push((clause.to_string(), example.label.clone(), false));
                }
            }
        }
    }
    found
        .into_iter()
        .filter(|(_, _, conflicting)| !conflicting)
        .map(|(clause, label, _)| (clause, label))
        .collect()
}

/// `count` composed examples from clauses grouped by label (`pools[i]` holds label `labels[i]`'s
/// clauses). Contrast and concession join clauses of different labels and take the deciding
/// clause's label; addition joins two of the same label. Deterministic for a seed.
pub(super) fn compose(
    pools: &[Vec<String>],
    labels: &[String],
    count: usize,
    seed: u64,
) -> (Vec<Example>, ComposeRecord) {
    let mut record = ComposeRecord::default();
    let usable: Vec<usize> = (0..pools.len()).filter(|&i| !pools[i].is_empty()).collect();
    if usable.len() < 2 {
        return (Vec::new(), record);
    }
    let mut rng = SplitMix64::new(seed);
    let pick = |rng: &mut SplitMix64, items: &[&'static str]| items[rng.below(items.len())];
    let mut examples = Vec::with_capacity(count);
    for n in 0..count {
        // Labels take turns as the deciding one, so composed texts are balanced.
        let decides = usable[n % usable.len()];
        let other = loop {
            let i = usable[rng.below(usable.len())];
            if i != decides {
                break i;
            }
        };
        let b = &pools[decides][rng.below(pools[decides].len())];
        let a = &pools[other][rng.below(pools[other].len())];
        let text = match rng.below(20) {
            0..=6 => {
                record.contrast += 1;
                format!("{a}，{}{b}", pick(&mut rng, CONTRAST))
            }
            7..=12 => {
                record.concession_first += 1;
                let then = pick(&mut rng, &["但是", "但", "可是", "不过", "还是", ""]);
                format!("{}{a}，{then}{b}", pick(&mut rng, CONCESSION))
            }
            13..=15 => {
                record.concession_after += 1;
                format!("{b}，{}{a}", pick(&mut rng, CONCESSION))
            }
            _ => {
                record.addition += 1;
                let a = &pools[decides][rng.below(pools[decides].len())];
                format!("{a}，{}{b}", pick(&mut rng, ADDITION))
            }
        };
        examples.push(Example {
            text,
            label: labels[decides].clone(),
        });
    }
    (examples, record)
}

/// The composition stage: clauses of `sources` read by the trained wide part, the confident
/// ones composed into `--compose` examples, encoded for the LSTM members.
pub(super) fn composed_examples(
    wide: &Wide,
    tokenizer: &Tokenizer,
    sources: &[Example],
    labels: &[String],
    config: &TrainConfig,
) -> (Vec<Labelled>, ComposeRecord) {
    let found = clauses(sources);
    let encoded: Vec<Encoded> = found.iter().map(|(c, _)| tokenizer.encode(c)).collect();
    let sequences: Vec<&[i64]> = encoded.iter().map(|e| e.ids.as_slice()).collect();
    let probabilities = predict_sequences(wide, &sequences, 256);
    let mut pools: Vec<Vec<String>> = vec![Vec::new(); labels.len()];
    for ((clause, label), p) in found.iter().zip(&probabilities) {
        let index = labels
            .iter()
            .position(|l| l == label)
            .expect("labels checked");
        if f64::from(p[index]) >= config.compose_confidence {
            pools[index].push(clause.clone());
        }
    }
    let (examples, mut record) = compose(&pools, labels, config.compose, config.seed);
    record.clauses = found.len();
    record.confident_clauses = pools.iter().map(Vec::len).sum();
    let encoded = examples
        .iter()
        .map(|e| {
            let label = labels
                .iter()
                .position(|l| *l == e.label)
                .expect("composed labels");
            (tokenizer.encode(&e.text), label)
        })
        .collect();
    (encoded, record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(text: &str, label: &str) -> Example {
        Example {
            text: text.into(),
            label: label.into(),
        }
    }

    #[test]
    fn clauses_skip_structure_short_and_conflicting_ones() {
        let found = clauses(&[
            example("质量很好，物流很快！但是包装破了", "pos"),
            example("质量很好。好", "pos"),
            example("物流很快，虽然贵", "neg"),
        ]);
        assert_eq!(found, vec![("质量很好".to_string(), "pos".to_string())]);
    }

    #[test]
    fn the_deciding_clause_gives_the_label() {
        let labels = vec!["neg".to_string(), "pos".to_string()];
        let pools = vec![vec!["噪音很大".to_string()], vec!["质量很好".to_string()]];
        let (examples, record) = compose(&pools, &labels, 400, 7);
        assert_eq!(examples.len(), 400);
        assert_eq!(
            record.contrast + record.concession_first + record.concession_after + record.addition,
            400
        );
        assert!(record.contrast > 0 && record.concession_first > 0);
        assert!(record.concession_after > 0 && record.addition > 0);
        for e in &examples {
            let decided_by = if e.label == "pos" {
                "质量很好"
            } else {
                "噪音很大"
            };
            let other = if e.label == "pos" {
                "噪音很大"
            } else {
                "质量很好"
            };
            let t = &e.text;
            let contrast = CONTRAST
                .iter()
                .any(|c| t.contains(&format!("，{c}{decided_by}")));
            let conceded_first = CONCESSION
                .iter()
                .any(|c| t.starts_with(&format!("{c}{other}")));
            let conceded_after = CONCESSION
                .iter()
                .any(|c| t.ends_with(&format!("{c}{other}")));
            let added = !t.contains(other);
            assert!(
                (contrast || conceded_first || conceded_after || added) && t.contains(decided_by),
                "{t} labelled {}",
                e.label
            );
        }
        let positives = examples.iter().filter(|e| e.label == "pos").count();
        assert_eq!(positives, 200);
        assert_eq!(compose(&pools, &labels, 400, 7).0, examples);
    }

    #[test]
    fn one_usable_label_composes_nothing() {
        let labels = vec!["neg".to_string(), "pos".to_string()];
        let pools = vec![Vec::new(), vec!["质量很好".to_string()]];
        assert!(compose(&pools, &labels, 10, 1).0.is_empty());
    }
}
