//! Augmentation examples (`--extra-data`): texts written for a capability the corpus rarely
//! shows (negated defects, contrast), added to the training split only. They never enter
//! validation or test, and any of them that is also a text of the main data is dropped, so the
//! held-out figures stay figures of the main data.

use std::collections::HashSet;
use std::path::Path;

use anyhow::bail;

use crate::data::{self, Example, ReadOptions, Split};
use crate::model::artifact::ExtraDataRecord;

pub struct ExtraData {
    pub examples: Vec<Example>,
    pub record: ExtraDataRecord,
}

/// Every `--extra-data` file in order, as one set: a text an earlier file already gave is left
/// out of a later one (and counted in its record).
pub fn read_all(
    paths: &[std::path::PathBuf],
    read_options: &ReadOptions,
    main: &Split,
    labels: &[String],
) -> anyhow::Result<(Vec<Example>, Vec<ExtraDataRecord>)> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut examples = Vec::new();
    let mut records = Vec::new();
    for path in paths {
        let mut extra = read(path, read_options, main, labels)?;
        let before = extra.examples.len();
        extra
            .examples
            .retain(|e| seen.insert(data::dedup_key(&e.text)));
        extra.record.dropped_as_earlier_extra_data = before - extra.examples.len();
        extra.record.used = extra.examples.len();
        examples.extend(extra.examples);
        records.push(extra.record);
    }
    Ok((examples, records))
}

pub fn read(
    path: &Path,
    read: &ReadOptions,
    main: &Split,
    labels: &[String],
) -> anyhow::Result<ExtraData> {
    let dataset = data::Dataset::read(path, read)?;
    let rows_read = dataset.examples.len() + dataset.empty_skipped;
    if let Some(e) = dataset.examples.iter().find(|e| !labels.contains(&e.label)) {
        bail!(
            "{}: label {:?} is not one of the main data's labels {labels:?}",
            path.display(),
            e.label
        );
    }
    let (cleaned, cleaning) = data::clean(dataset.examples);
    let main_keys: HashSet<String> = [&main.train, &main.validation, &main.test]
        .into_iter()
        .flatten()
        .map(|e| data::dedup_key(&e.text))
        .collect();
    let examples: Vec<Example> = cleaned
        .into_iter()
        .filter(|e| !main_keys.contains(&data::dedup_key(&e.text)))
        .collect();
    Ok(ExtraData {
        record: ExtraDataRecord {
            path: path.display().to_string(),
            sha256: dataset.sha256,
            rows_read,
            cleaning: cleaning.clone(),
            dropped_as_main_data: cleaning.kept - examples.len(),
            dropped_as_earlier_extra_data: 0,
            used: examples.len(),
        },
        examples,
    })
}
