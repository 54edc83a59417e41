//! Text → token ids. The one tokenizer shared by training and serving: whatever the model saw
//! during training is exactly what it sees in production.

mod tokenizer;
mod vocab;

pub use tokenizer::{Encoded, Tokenizer, TokenizerConfig, normalize, segment};
pub use vocab::{PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary, VocabularyError};
