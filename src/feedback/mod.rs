//! Operators' corrections, stored durably in SQLite (`--feedback-db`): the one place where
//! textserve keeps comment text by design, off unless asked for. A row is committed to disk
//! (WAL, synchronous commits) before the request that wrote it is answered, and the file is
//! what `textserve feedback export` turns into training data. Nothing here knows of HTTP.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, params};
use serde::Serialize;

/// Each entry brings the schema from the version before it to its own; `PRAGMA user_version`
/// records how far a file has come, so an old file is brought forward when it is opened.
const MIGRATIONS: &[&str] = &[
    // 1: the corrections.
    "CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        model TEXT NOT NULL,
        model_version TEXT NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        predicted TEXT,
        request_id TEXT,
        source TEXT,
        note TEXT,
        key TEXT
    );
    CREATE INDEX feedback_created_at ON feedback (created_at);
    CREATE INDEX feedback_model ON feedback (model, created_at);",
];

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("{}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: schema version {found} is newer than this build knows ({known})", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

/// A correction as it arrives.
#[derive(Debug, Clone, Default)]
pub struct NewFeedback {
    pub model: String,
    pub model_version: String,
    pub text: String,
    pub label: String,
    pub predicted: Option<String>,
    pub request_id: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// The name of the key that sent it, when keys have names.
    pub key: Option<String>,
}

/// A stored correction, as exported: `text` and `label` are what `train --extra-data` reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    pub id: i64,
    pub created_at: String,
    pub model: String,
    pub model_version: String,
    pub text: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Counts for `textserve feedback stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub rows: i64,
    /// Per model, label and source: rows, and of those that said what the model predicted, how
    /// many agreed with the operator.
    pub groups: Vec<StatsGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsGroup {
    pub model: String,
    pub label: String,
    pub source: Option<String>,
    pub rows: i64,
    pub with_prediction: i64,
    pub agreed: i64,
}

pub struct FeedbackStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for FeedbackStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedbackStore")
            .field("path", &self.path)
            .finish()
    }
}

impl FeedbackStore {
    /// Opens (creating it) and migrates the database.
    pub fn open(path: &Path) -> Result<Self, FeedbackError> {
        let wrap = sqlite_error(path);
        // Comment text lives here: the file is its owner's alone (SQLite gives its -wal and -shm
        // files the database file's mode).
        create_private(path).map_err(|source| FeedbackError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut connection = Connection::open(path).map_err(wrap)?;
        // WAL lets exports read while the server writes; FULL syncs the log at every commit,
        // so a row acknowledged with 201 survives a crash or power loss.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(wrap)?;
        connection
            // Short: a request waits this long for another writer before it gets 503, and the
            // next request waits behind it.
            .busy_timeout(std::time::Duration::from_millis(500))
            .map_err(wrap)?;
        migrate(&mut connection, path)?;
        Ok(Self {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
        })
    }

    /// Opens an existing database for reading only (export, stats): never creates or migrates.
    pub fn open_existing(path: &Path) -> Result<Self, FeedbackError> {
        let wrap = sqlite_error(path);
        let connection = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(wrap)?;
        if version > MIGRATIONS.len() as i64 {
            return Err(FeedbackError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                known: MIGRATIONS.len() as i64,
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        run: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, FeedbackError> {
        let mut connection = match self.connection.lock() {
            Ok(connection) => connection,
            Err(poisoned) => poisoned.into_inner(),
        };
        run(&mut connection).map_err(sqlite_error(&self.path))
    }

    /// Stores one correction; returns its id once the commit is on disk.
    pub fn insert(&self, feedback: &NewFeedback) -> Result<i64, FeedbackError> {
        let now = now();
        self.with(|connection| {
            connection.execute(
                "INSERT INTO feedback (created_at, model, model_version, text, label, predicted,
                                       request_id, source, note, key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    now,
                    feedback.model,
                    feedback.model_version,
                    feedback.text,
                    feedback.label,
                    feedback.predicted,
                    feedback.request_id,
                    feedback.source,
                    feedback.note,
                    feedback.key
                ],
            )?;
            Ok(connection.last_insert_rowid())
        })
    }

    /// Rows created at or after `since` (RFC 3339), of `model` if given, oldest first.
    pub fn export(
        &self,
        since: Option<&str>,
        model: Option<&str>,
    ) -> Result<Vec<Feedback>, FeedbackError> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT id, created_at, model, model_version, text, label, predicted, request_id,
                        source, note
                 FROM feedback
                 WHERE (?1 IS NULL OR created_at >= ?1) AND (?2 IS NULL OR model = ?2)
                 ORDER BY id",
            )?;
            let rows = statement.query_map(params![since, model], |row| {
                Ok(Feedback {
                    id: row.get(0)?,
                    created_at: row.get(1)?,
                    model: row.get(2)?,
                    model_version: row.get(3)?,
                    text: row.get(4)?,
                    label: row.get(5)?,
                    predicted: row.get(6)?,
                    request_id: row.get(7)?,
                    source: row.get(8)?,
                    note: row.get(9)?,
                })
            })?;
            rows.collect()
        })
    }

    pub fn stats(&self) -> Result<Stats, FeedbackError> {
        self.with(|connection| {
            let rows: i64 =
                connection.query_row("SELECT COUNT(*) FROM feedback", [], |row| row.get(0))?;
            let mut statement = connection.prepare(
                "SELECT model, label, source, COUNT(*), COUNT(predicted),
                        SUM(CASE WHEN predicted = label THEN 1 ELSE 0 END)
                 FROM feedback GROUP BY model, label, source ORDER BY model, label, source",
            )?;
            let groups = statement
                .query_map([], |row| {
                    Ok(StatsGroup {
                        model: row.get(0)?,
                        label: row.get(1)?,
                        source: row.get(2)?,
                        rows: row.get(3)?,
                        with_prediction: row.get(4)?,
                        agreed: row.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Stats { rows, groups })
        })
    }

    /// Deletes rows older than `days` days; returns how many went.
    pub fn purge_older_than(&self, days: u32) -> Result<usize, FeedbackError> {
        let cutoff = (chrono::Utc::now() - chrono::Duration::days(i64::from(days)))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.with(|connection| {
            connection.execute("DELETE FROM feedback WHERE created_at < ?1", [cutoff])
        })
    }

    /// `PRAGMA integrity_check`'s verdict: "ok" for a sound file.
    pub fn integrity_check(&self) -> Result<String, FeedbackError> {
        self.with(|connection| connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)))
    }
}

fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> FeedbackError + Copy + '_ {
    move |source| FeedbackError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates the file readable and writable by its owner only, if it does not exist yet.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Millisecond RFC 3339 in UTC: sorts as text in time order, which export's `--since` relies on.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn migrate(connection: &mut Connection, path: &Path) -> Result<(), FeedbackError> {
    let wrap = sqlite_error(path);
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(wrap)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(FeedbackError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let transaction = connection.transaction().map_err(wrap)?;
        transaction.execute_batch(migration).map_err(wrap)?;
        transaction
            .pragma_update(None, "user_version", index as i64 + 1)
            .map_err(wrap)?;
        transaction.commit().map_err(wrap)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, label: &str, predicted: Option<&str>) -> NewFeedback {
        NewFeedback {
            model: "m".into(),
            model_version: "1.0.0".into(),
            text: text.into(),
            label: label.into(),
            predicted: predicted.map(str::to_string),
            source: Some("line-4".into()),
            ..NewFeedback::default()
        }
    }

    #[test]
    fn rows_survive_reopening_and_export_and_stats_count_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        let store = FeedbackStore::open(&path).unwrap();
        let first = store
            .insert(&row("来料检验合格", "positive", Some("negative")))
            .unwrap();
        let second = store
            .insert(&row("焊缝有气孔", "negative", Some("negative")))
            .unwrap();
        store.insert(&row("包装破损", "negative", None)).unwrap();
        assert!(second > first);
        drop(store);

        let store = FeedbackStore::open_existing(&path).unwrap();
        let rows = store.export(None, None).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].text, "来料检验合格");
        assert_eq!(rows[0].predicted.as_deref(), Some("negative"));
        assert!(store.export(None, Some("other")).unwrap().is_empty());
        assert!(store.export(Some("2999-01-01"), None).unwrap().is_empty());
        assert_eq!(store.export(Some("2000-01-01"), None).unwrap().len(), 3);
        let stats = store.stats().unwrap();
        assert_eq!(stats.rows, 3);
        let negative = stats.groups.iter().find(|g| g.label == "negative").unwrap();
        assert_eq!(
            (negative.rows, negative.with_prediction, negative.agreed),
            (2, 1, 1)
        );
        let positive = stats.groups.iter().find(|g| g.label == "positive").unwrap();
        assert_eq!(
            (positive.rows, positive.with_prediction, positive.agreed),
            (1, 1, 0)
        );
        assert_eq!(store.integrity_check().unwrap(), "ok");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "comment text readable by others");
        }
    }

    #[test]
    fn a_file_from_a_newer_build_is_refused_and_an_old_one_is_brought_forward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        let connection = Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", 99).unwrap();
        drop(connection);
        assert!(matches!(
            FeedbackStore::open(&path),
            Err(FeedbackError::NewerSchema { found: 99, .. })
        ));
        let fresh = dir.path().join("fresh.db");
        FeedbackStore::open(&fresh).unwrap();
        let connection = Connection::open(&fresh).unwrap();
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        // Opening again runs no migration twice.
        FeedbackStore::open(&fresh).unwrap();
    }

    #[test]
    fn old_rows_are_purged_and_recent_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = FeedbackStore::open(&dir.path().join("feedback.db")).unwrap();
        store.insert(&row("新的", "positive", None)).unwrap();
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO feedback (created_at, model, model_version, text, label)
                     VALUES ('2020-01-01T00:00:00.000Z', 'm', '1', '旧的', 'negative')",
                    [],
                )
            })
            .unwrap();
        assert_eq!(store.purge_older_than(30).unwrap(), 1);
        let rows = store.export(None, None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text, "新的");
    }
}
