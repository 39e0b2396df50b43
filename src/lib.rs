//! newsearch: full-text search for scraped news articles, with entity aliases.
//!
//! The data flows through one module per stage:
//!
//! ```text
//!  index:  corpus::walk ─▶ corpus::detect  ─▶ analysis ─▶ indexer ─▶ store (commit)
//!          (1 walk)         (2 parse)          (3 analyze)  (4 index)
//!
//!  query:  query ─▶ analysis ─▶ search ─▶ output
//!          (5 query) (3 analyze) (6 collect) (7 render)
//! ```
//!
//! [`analysis`] is the only place where alias spellings (ISIL, Daesh, "Islamic
//! State") become one entity (ISIS). [`store`] registers that analyzer on every
//! index it opens, so indexing, query parsing and snippet highlighting agree.
//! The library never prints: progress comes back as [`indexer::IndexEvent`]s and
//! output is written to the writer the caller passes.
//!
//! ```
//! use newsearch::indexer::{index_corpus, IndexOptions};
//! use newsearch::query::SearchRequest;
//! use newsearch::search::Searcher;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let corpus = dir.path().join("corpus");
//! std::fs::create_dir(&corpus)?;
//! std::fs::write(
//!     corpus.join("a.txt"),
//!     "Militants leave Sirte\n\nSun Sep 4, 2016 15:14:55\n\nDaesh fighters left the city.\n",
//! )?;
//! let options = IndexOptions::new(vec![corpus], dir.path().join("index"));
//! index_corpus(&options, &|_event| {})?;
//!
//! let searcher = Searcher::open(&dir.path().join("index"))?;
//! let results = searcher.search(&SearchRequest::new("ISIL"))?;
//! assert_eq!(results.total_hits, 1);
//! let hit = &results.hits[0];
//! let [start, end] = hit.highlights[0];
//! assert_eq!(&hit.snippet[start..end], "Daesh"); // highlighted as the article wrote it
//! # Ok(())
//! # }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod clusters;
pub mod corpus;
pub mod dates;
pub mod dupes;
pub mod error;
pub mod export;
pub mod extract;
pub mod fields;
pub mod indexer;
pub mod output;
pub mod query;
pub mod search;
pub mod show;
pub mod stats;
pub mod store;

pub use error::{Error, Result};
