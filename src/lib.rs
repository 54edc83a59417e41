//! textserve: train and serve LSTM text classifiers.
//!
//! The data path, in module order: `text` (tokenizer, vocabulary) → `data` (reading, cleaning,
//! splitting) → `model` (network, artifact) → `check` (behavioural suites) → `train` (loop, metrics,
//! card) → `serve` (HTTP).

pub mod allocator;
pub mod check;
pub mod commands;
pub mod config;
pub mod data;
pub mod explain;
pub mod feedback;
pub mod model;
pub mod runtime;
pub mod serve;
pub mod telemetry;
pub mod text;
pub mod train;
pub mod views;
