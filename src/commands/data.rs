//! `textserve data import`: one-text-per-line files, one per label, into a dataset;
//! `textserve data split`: the split a model recorded, written out for other tools.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Build a JSONL dataset from plain files holding one text per line, one file per label.
    Import(ImportArgs),
    /// Write the train, validation and test parts a model recorded as JSONL files, so a model
    /// trained elsewhere learns from the same texts and is measured on the same test part.
    Split(SplitArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SplitArgs {
    /// A model trained by textserve (its data file must be where it was, unchanged).
    #[arg(long)]
    pub model: PathBuf,
    /// Directory for train.jsonl, validation.jsonl and test.jsonl.
    #[arg(long)]
    pub out_dir: PathBuf,
}

pub fn data_split(args: SplitArgs) -> anyhow::Result<()> {
    let model = crate::model::Model::load(&args.model)?;
    let split = crate::train::recorded_split(&model)?;
    std::fs::create_dir_all(&args.out_dir)?;
    for (part, examples) in [
        ("train", &split.train),
        ("validation", &split.validation),
        ("test", &split.test),
    ] {
        let path = args.out_dir.join(format!("{part}.jsonl"));
        crate::data::write_jsonl(&path, examples.iter())?;
        println!("wrote {} ({} examples)", path.display(), examples.len());
    }
    Ok(())
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// LABEL=FILE, repeated once per label.
    #[arg(long = "label", value_parser = parse_label_source, required = true)]
    pub labels: Vec<(String, PathBuf)>,
    /// Output JSONL file.
    #[arg(long)]
    pub out: PathBuf,
}

fn parse_label_source(s: &str) -> Result<(String, PathBuf), String> {
    let (label, path) = s.split_once('=').ok_or("expected LABEL=FILE")?;
    if label.trim().is_empty() || path.is_empty() {
        return Err("expected LABEL=FILE".into());
    }
    Ok((label.trim().to_string(), PathBuf::from(path)))
}

pub fn data_import(args: ImportArgs) -> anyhow::Result<()> {
    let counts = crate::data::import_line_files(&args.labels, &args.out)?;
    let sha256 = crate::data::sha256_file(&args.out)?;
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    println!("wrote {} ({total} examples)", args.out.display());
    for (label, n) in counts {
        println!("  {label}: {n}");
    }
    println!("sha256 {sha256}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_labels_parse() {
        assert_eq!(
            parse_label_source("negative=a/neg.txt").unwrap(),
            ("negative".into(), PathBuf::from("a/neg.txt"))
        );
        assert!(parse_label_source("nolabel").is_err());
        assert!(parse_label_source("=x").is_err());
    }
}
