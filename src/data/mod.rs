//! Labelled text in, clean leak-free splits out: reading the user's files, deduplication,
//! conflict removal and the stratified split that is recorded with every model.

mod dataset;
mod rng;
mod split;

pub use dataset::{
    Dataset, DatasetError, Example, Format, ReadOptions, import_line_files, sha256_bytes,
    sha256_file, write_jsonl,
};
pub use rng::SplitMix64;
pub use split::{CleanStats, Split, SplitConfig, clean, dedup_key, split};

use std::path::Path;

/// A dataset file read, cleaned and split: the one path `train` and `eval` both take, so `eval`
/// rebuilds exactly the split the model was trained with.
#[derive(Debug)]
pub struct PreparedData {
    pub sha256: String,
    pub rows_read: usize,
    pub empty_skipped: usize,
    pub cleaning: CleanStats,
    pub split: Split,
}

pub fn prepare(
    path: &Path,
    options: &ReadOptions,
    config: SplitConfig,
) -> Result<PreparedData, DatasetError> {
    let dataset = Dataset::read(path, options)?;
    let rows_read = dataset.examples.len() + dataset.empty_skipped;
    let (examples, cleaning) = clean(dataset.examples);
    Ok(PreparedData {
        sha256: dataset.sha256,
        rows_read,
        empty_skipped: dataset.empty_skipped,
        cleaning,
        split: split(&examples, config),
    })
}
