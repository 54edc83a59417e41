//! Token ↔ id, with `<pad>` and `<unk>` first; built from the training split only.

use std::collections::HashMap;

pub const PAD_TOKEN: &str = "<pad>";
pub const UNK_TOKEN: &str = "<unk>";
pub const PAD_ID: i64 = 0;
pub const UNK_ID: i64 = 1;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VocabularyError {
    #[error("vocabulary must start with \"{PAD_TOKEN}\" and \"{UNK_TOKEN}\"")]
    MissingSpecialTokens,
    #[error("vocabulary token {0:?} appears more than once")]
    DuplicateToken(String),
}

/// Token ↔ id mapping. Ids 0 and 1 are always `<pad>` and `<unk>`.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    tokens: Vec<String>,
    ids: HashMap<String, i64>,
}

impl Vocabulary {
    /// Keeps tokens seen at least `min_frequency` times, most frequent first, up to `max_size`
    /// entries including the two special tokens. Ties are broken by the token itself so the same
    /// corpus always yields the same ids.
    pub fn build<'a>(
        tokens: impl IntoIterator<Item = &'a str>,
        min_frequency: usize,
        max_size: usize,
    ) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for token in tokens {
            *counts.entry(token).or_default() += 1;
        }
        let mut ranked: Vec<(&str, usize)> = counts
            .into_iter()
            .filter(|(token, count)| {
                *count >= min_frequency.max(1) && *token != PAD_TOKEN && *token != UNK_TOKEN
            })
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut list = vec![PAD_TOKEN.to_string(), UNK_TOKEN.to_string()];
        list.extend(
            ranked
                .into_iter()
                .take(max_size.saturating_sub(2))
                .map(|(token, _)| token.to_string()),
        );
        Self::from_tokens(list).expect("built vocabulary is well formed")
    }

    pub fn from_tokens(tokens: Vec<String>) -> Result<Self, VocabularyError> {
        if tokens.len() < 2 || tokens[0] != PAD_TOKEN || tokens[1] != UNK_TOKEN {
            return Err(VocabularyError::MissingSpecialTokens);
        }
        let mut ids = HashMap::with_capacity(tokens.len());
        for (id, token) in tokens.iter().enumerate() {
            if ids.insert(token.clone(), id as i64).is_some() {
                return Err(VocabularyError::DuplicateToken(token.clone()));
            }
        }
        Ok(Self { tokens, ids })
    }

    pub fn id(&self, token: &str) -> i64 {
        self.ids.get(token).copied().unwrap_or(UNK_ID)
    }

    pub fn token(&self, id: i64) -> Option<&str> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.tokens.get(i))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_frequency_then_token_and_applies_limits() {
        let corpus = ["b", "a", "b", "c", "a", "b", "d"];
        let vocab = Vocabulary::build(corpus.iter().copied(), 1, 10);
        assert_eq!(vocab.tokens(), ["<pad>", "<unk>", "b", "a", "c", "d"]);

        let vocab = Vocabulary::build(corpus.iter().copied(), 2, 10);
        assert_eq!(vocab.tokens(), ["<pad>", "<unk>", "b", "a"]);

        let vocab = Vocabulary::build(corpus.iter().copied(), 1, 3);
        assert_eq!(vocab.tokens(), ["<pad>", "<unk>", "b"]);
        assert_eq!(vocab.id("zzz"), UNK_ID);
        assert_eq!(vocab.id("b"), 2);
    }

    #[test]
    fn rejects_malformed_token_lists() {
        assert_eq!(
            Vocabulary::from_tokens(vec!["a".into()]).unwrap_err(),
            VocabularyError::MissingSpecialTokens
        );
        let dup = vec![PAD_TOKEN.into(), UNK_TOKEN.into(), "x".into(), "x".into()];
        assert_eq!(
            Vocabulary::from_tokens(dup).unwrap_err(),
            VocabularyError::DuplicateToken("x".into())
        );
    }
}
