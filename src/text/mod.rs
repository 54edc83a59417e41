//! Text → token ids. The one tokenizer shared by training and serving: whatever the model saw
//! during training is exactly what it sees in production. Models trained elsewhere bring their
//! own (`foreign`), and [`ModelTokenizer`] is whichever of the two a loaded model reads.

mod foreign;
mod scope;
mod tokenizer;
mod vocab;

pub use foreign::{ForeignTokenizer, ForeignTokenizerError};
pub use scope::{Scope, base_id, scope_of, scopes};
pub use tokenizer::{
    DEGREE_TOKEN, Encoded, TokenSpan, Tokenizer, TokenizerConfig, normalize, segment,
};
pub use vocab::{PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary, VocabularyError};

/// The tokenizer of a loaded model: textserve's own, or a Hugging Face `tokenizer.json` that
/// came with a model trained elsewhere. Serving, explanations and checks call only these.
#[derive(Debug, Clone)]
pub enum ModelTokenizer {
    Native(Tokenizer),
    // Boxed: Hugging Face's tokenizer is large, and one is made per loaded model only.
    Foreign(Box<ForeignTokenizer>),
}

impl ModelTokenizer {
    pub fn encode(&self, text: &str) -> Encoded {
        match self {
            Self::Native(t) => t.encode(text),
            Self::Foreign(t) => t.encode(text),
        }
    }

    /// The tokens the model sees for `text` (after truncation), each with the characters it
    /// came from.
    pub fn spans(&self, text: &str) -> Vec<TokenSpan> {
        match self {
            Self::Native(t) => t.spans(text),
            Self::Foreign(t) => t.spans(text),
        }
    }

    /// Ids for some of a text's span tokens, in order: what the model reads of the text with
    /// the others removed.
    pub fn encode_tokens(&self, tokens: &[&str]) -> Vec<i64> {
        match self {
            Self::Native(t) => t.encode_tokens(tokens),
            Self::Foreign(t) => t.encode_tokens(tokens),
        }
    }

    /// The id of a token the tokenizer does not know.
    pub fn unknown_id(&self) -> i64 {
        match self {
            Self::Native(_) => UNK_ID,
            Self::Foreign(t) => t.unknown_id(),
        }
    }

    pub fn max_length(&self) -> usize {
        match self {
            Self::Native(t) => t.config().max_length,
            Self::Foreign(t) => t.max_length(),
        }
    }

    pub fn vocabulary_size(&self) -> usize {
        match self {
            Self::Native(t) => t.vocabulary().len(),
            Self::Foreign(t) => t.vocabulary_size(),
        }
    }
}
