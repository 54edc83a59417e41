//! A Hugging Face `tokenizer.json` (WordPiece, BPE or unigram, read by Hugging Face's own
//! `tokenizers` crate) behind the calls the rest of textserve makes of a tokenizer: ids for a
//! text, the tokens with the characters they came from, and ids for a chosen subset of those
//! tokens (explanations remove tokens and classify what is left).

use std::path::Path;

use super::{Encoded, TokenSpan};

#[derive(Debug, thiserror::Error)]
pub enum ForeignTokenizerError {
    #[error("{path}: not a Hugging Face tokenizer.json: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path}: {message}")]
    Unusable { path: String, message: String },
}

#[derive(Debug, Clone)]
pub struct ForeignTokenizer {
    inner: tokenizers::Tokenizer,
    max_length: usize,
    /// Special tokens the post-processor puts before a text's tokens (`[CLS]`) and after them
    /// (`[SEP]`): an explanation's row is `prefix + kept tokens + suffix`, as the text's own is.
    prefix: Vec<i64>,
    suffix: Vec<i64>,
    unknown_id: i64,
    /// What the network reads on padded positions.
    pad_id: i64,
}

impl ForeignTokenizer {
    /// Reads `tokenizer.json`; texts are cut to `max_length` ids, special tokens included.
    /// The file's own padding is switched off: batches are padded by the model, to the
    /// longest text of each pass.
    pub fn from_file(path: &Path, max_length: usize) -> Result<Self, ForeignTokenizerError> {
        let shown = path.display().to_string();
        let mut inner = tokenizers::Tokenizer::from_file(path).map_err(|e| {
            ForeignTokenizerError::Unreadable {
                path: shown.clone(),
                message: e.to_string(),
            }
        })?;
        let unusable = |message: String| ForeignTokenizerError::Unusable {
            path: shown.clone(),
            message,
        };
        inner.with_padding(None);
        inner
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length,
                ..Default::default()
            }))
            .map_err(|e| unusable(format!("cannot truncate to {max_length} tokens: {e}")))?;
        let probe = inner
            .encode("a", true)
            .map_err(|e| unusable(format!("cannot encode a text: {e}")))?;
        let ids = to_i64(probe.get_ids());
        let mask = probe.get_special_tokens_mask();
        let first = mask.iter().position(|&m| m == 0).unwrap_or(ids.len());
        let last = mask.iter().rposition(|&m| m == 0).map_or(first, |i| i + 1);
        let id_of = |candidates: &[&str]| {
            candidates
                .iter()
                .find_map(|token| inner.token_to_id(token))
                .map(i64::from)
        };
        let unknown_id = id_of(&["[UNK]", "<unk>", "<UNK>", "[unk]"]).unwrap_or(0);
        let pad_id = inner
            .get_padding()
            .map(|p| i64::from(p.pad_id))
            .or_else(|| id_of(&["[PAD]", "<pad>", "<PAD>"]))
            .unwrap_or(0);
        Ok(Self {
            max_length,
            prefix: ids[..first].to_vec(),
            suffix: ids[last..].to_vec(),
            unknown_id,
            pad_id,
            inner,
        })
    }

    pub fn max_length(&self) -> usize {
        self.max_length
    }

    pub fn unknown_id(&self) -> i64 {
        self.unknown_id
    }

    pub fn pad_id(&self) -> i64 {
        self.pad_id
    }

    pub fn vocabulary_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The text's encoding; `offsets` asks for character offsets, which only spans need (a
    /// request's ids are read without them).
    fn encoding(&self, text: &str, offsets: bool) -> Option<tokenizers::Encoding> {
        let encoded = if offsets {
            self.inner.encode_char_offsets(text, true)
        } else {
            self.inner.encode_fast(text, true)
        };
        match encoded {
            Ok(encoding) => Some(encoding),
            Err(error) => {
                // The tokenizers crate fails only on configurations it cannot run (checked at
                // load with a probe text); a text it still refuses reads as the empty text.
                tracing::warn!(%error, "tokenizer.json could not encode a text");
                None
            }
        }
    }

    pub fn encode(&self, text: &str) -> Encoded {
        let mut ids = self
            .encoding(text, false)
            .map(|e| to_i64(e.get_ids()))
            .unwrap_or_else(|| self.encode_tokens(&[]));
        if ids.is_empty() {
            ids.push(self.unknown_id);
        }
        Encoded { ids }
    }

    /// The text's tokens other than the special ones, with the characters (Unicode code point
    /// offsets) each came from.
    pub fn spans(&self, text: &str) -> Vec<TokenSpan> {
        let Some(encoding) = self.encoding(text, true) else {
            return Vec::new();
        };
        encoding
            .get_tokens()
            .iter()
            .zip(encoding.get_offsets())
            .zip(encoding.get_special_tokens_mask())
            .filter(|(_, special)| **special == 0)
            .map(|((token, &(start, end)), _)| TokenSpan {
                token: token.clone(),
                start,
                end,
            })
            .collect()
    }

    /// Ids for tokens as [`ForeignTokenizer::spans`] gives them, between the special tokens a
    /// text gets; `encode_tokens` of a text's span tokens is `encode(text)`.
    pub fn encode_tokens(&self, tokens: &[&str]) -> Vec<i64> {
        let mut ids = self.prefix.clone();
        ids.extend(tokens.iter().map(|token| {
            self.inner
                .token_to_id(token)
                .map_or(self.unknown_id, i64::from)
        }));
        ids.extend(&self.suffix);
        if ids.is_empty() {
            ids.push(self.unknown_id);
        }
        ids
    }
}

fn to_i64(ids: &[u32]) -> Vec<i64> {
    ids.iter().map(|&id| i64::from(id)).collect()
}
