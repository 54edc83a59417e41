//! `textserve data import`: one-text-per-line files, one per label, into a dataset.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Build a JSONL dataset from plain files holding one text per line, one file per label.
    Import(ImportArgs),
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
