//! newsearch: full-text search for scraped news articles.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod corpus;
pub mod error;
pub mod fields;
pub mod store;

pub use error::{Error, Result};
pub mod indexer;
pub mod output;
pub mod query;
pub mod searcher;
pub mod stats;
