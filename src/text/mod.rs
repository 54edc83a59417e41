//! Text → token ids. The one tokenizer shared by training and serving: whatever the model saw
//! during training is exactly what it sees in production.

mod scope;
mod tokenizer;
mod vocab;

pub use scope::{Scope, base_id, scope_of, scopes};
pub use tokenizer::{
    DEGREE_TOKEN, Encoded, TokenSpan, Tokenizer, TokenizerConfig, normalize, segment,
};
pub use vocab::{PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary, VocabularyError};
