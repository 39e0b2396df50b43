//! Stages 1 and 2 (walk, parse): the corpus folders the user named → the article files
//! in them ([`walk`]) → the articles in each file ([`parse_file`]).
//!
//! - `walk`: folders → [`CorpusFile`]s in a stable order; reads no contents,
//!   and leaves out the folders its caller's predicate names.
//! - `detect`: one file's bytes → decoded text (`decode`) → the format
//!   (by extension, else by content) → the reader in `formats` (text layout,
//!   JSON and CSV records, web pages, WARC archives); `compressed` unpacks `.gz`,
//!   `.bz2` and `.zst` files first.
//! - [`article`]: the types parsing gives: [`article::Article`],
//!   [`article::ParsedFile`], [`article::Warning`], [`article::ParseError`].
//!
//! What dates mean is part of the index contract, shared with queries: [`crate::dates`].

pub mod article;
mod compressed;
mod decode;
mod detect;
mod formats;
mod walk;

pub use detect::{parse_bytes, parse_file};
pub use walk::{CorpusFile, Ignored, SkipFolder, Walk, key_path, path_text, walk};
