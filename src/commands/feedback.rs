//! `textserve feedback export` and `textserve feedback stats`: the corrections a server stored
//! with `--feedback-db`, as training data and as counts.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::feedback::FeedbackStore;

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Write the stored corrections as JSONL (`text`, `label` and where each came from), the
    /// format `train --extra-data` and `data` read.
    Export(ExportArgs),
    /// Counts per model, label and source, and how often the model agreed with the operator.
    Stats(StatsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The feedback database (`serve --feedback-db`); read only, safe while the server runs.
    #[arg(long, env = "TEXTSERVE_FEEDBACK_DB")]
    pub db: PathBuf,
    /// Output JSONL file.
    #[arg(long)]
    pub out: PathBuf,
    /// Only corrections stored at or after this time (RFC 3339, e.g. 2026-12-01 or
    /// 2026-12-01T06:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Only corrections for this model.
    #[arg(long)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    #[arg(long, env = "TEXTSERVE_FEEDBACK_DB")]
    pub db: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let since = args.since.as_deref().map(utc_since).transpose()?;
    let store = FeedbackStore::open_existing(&args.db)?;
    let rows = store.export(since.as_deref(), args.model.as_deref())?;
    crate::data::write_jsonl(&args.out, &rows)?;
    println!("wrote {} ({} corrections)", args.out.display(), rows.len());
    Ok(())
}

/// `--since` in the form rows are stored in (UTC, milliseconds), so comparing the text compares
/// the times, whatever offset the user wrote.
fn utc_since(since: &str) -> anyhow::Result<String> {
    let format = |time: chrono::DateTime<chrono::Utc>| {
        time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(since) {
        return Ok(format(time.with_timezone(&chrono::Utc)));
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d") {
        return Ok(format(date.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    anyhow::bail!(
        "--since {since:?}: give a date (2026-12-01) or an RFC 3339 time (2026-12-01T06:00:00Z)"
    )
}

pub fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let stats = FeedbackStore::open_existing(&args.db)?.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    println!("{} corrections in {}", stats.rows, args.db.display());
    println!(
        "{:<28} {:<14} {:<24} {:>7} {:>10}",
        "model", "label", "source", "rows", "agreement"
    );
    for group in &stats.groups {
        let agreement = if group.with_prediction == 0 {
            "-".to_string()
        } else {
            format!(
                "{:.1} %",
                100.0 * group.agreed as f64 / group.with_prediction as f64
            )
        };
        println!(
            "{:<28} {:<14} {:<24} {:>7} {:>10}",
            group.model,
            group.label,
            group.source.as_deref().unwrap_or("-"),
            group.rows,
            agreement
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_compared_in_utc_whatever_offset_was_written() {
        assert_eq!(
            utc_since("2026-12-01T08:00:00+08:00").unwrap(),
            "2026-12-01T00:00:00.000Z"
        );
        assert_eq!(utc_since("2026-12-01").unwrap(), "2026-12-01T00:00:00.000Z");
        assert!(utc_since("yesterday").is_err());
    }
}
