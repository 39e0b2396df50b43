//! Stage 2 (parse), its types: what parsing one corpus file gives ([`ParsedFile`]: the
//! [`Article`]s in it and the [`Warning`]s about it), what makes a whole file be skipped
//! ([`ParseError`]), and how to parse ([`ParseOptions`]). The parsing itself is
//! `corpus::detect` (decode, choose the format) and `corpus::formats` (read it).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::dates::SlashDates;

/// How [`super::parse_file`] and [`super::parse_bytes`] read articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// How to read an ambiguous `4/5/2017`.
    pub slash_dates: SlashDates,
    /// A one-article text file longer than this is cut (with a warning); it also caps each
    /// record's body. JSON and CSV files are always read whole.
    pub max_article_bytes: usize,
    /// A compressed file that unpacks to more than this is skipped, and so is a WARC
    /// record longer than this: memory stays bounded whatever a file claims.
    pub max_unpacked_bytes: usize,
    /// Threads that extract the pages of one WARC archive, so that a single large
    /// archive keeps every core busy.
    pub warc_threads: usize,
}

impl Default for ParseOptions {
    /// US slash dates and 16 MiB articles: no news article comes near that size, so only
    /// runaway files (logs, dumps) are cut. Compressed files may unpack to 256 MiB (a
    /// day of a large crawl's JSON Lines); WARC archives are read one record at a time.
    fn default() -> Self {
        Self {
            slash_dates: SlashDates::MonthFirst,
            max_article_bytes: 16 * 1024 * 1024,
            max_unpacked_bytes: 256 * 1024 * 1024,
            warc_threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        }
    }
}

/// One news article, as found in a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Article {
    /// For files with many records (JSON Lines, JSON arrays, CSV): the 1-based line where
    /// this record starts. `None` for files that hold a single article.
    pub record: Option<usize>,
    /// For a record that shares its line with other records (a JSON array written on one
    /// line): its 1-based place among the array's elements that start on that line, so
    /// that ids made from the line stay distinct. `None` where a line starts one record.
    pub place_on_line: Option<usize>,
    /// The record's own id (`id`, `unit_id`, `uuid`, ... field), if it has one.
    pub id: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// The article text: paragraphs separated by a blank line (`"\n\n"`).
    pub body: String,
    /// When the article was published.
    pub date: Option<DateTime<Utc>>,
    /// The 1-based line the date was read from, where the layout has a dateline
    /// (records name their own line in `record`).
    pub date_line: Option<usize>,
    /// The outlet or site, when the record names it.
    pub source: Option<String>,
    /// Where the article was published, when the record says.
    pub url: Option<String>,
    /// Headlines of related articles, from the scraper's `string(N) "[...]"` trailer.
    pub related: Vec<String>,
    /// The author(s), as a web page or a crawler's record names them.
    pub author: Option<String>,
    /// The language tag a web page or a crawler's record declares (`en`, `ar`).
    pub language: Option<String>,
    /// For a record of a WARC archive: the byte offset in the archive file where the
    /// record starts (of its gzip member, in a `.warc.gz`), so it can be found again.
    pub offset: Option<u64>,
}

/// The articles of one file, and what was off about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// At least one article (an empty result is [`ParseError::NoArticles`]).
    pub articles: Vec<Article>,
    /// Problems that did not stop the file from being indexed, in file order.
    pub warnings: Vec<Warning>,
    /// For a WARC archive: what its records were, and why those that gave no article
    /// were passed over. `None` for every other kind of file.
    pub warc: Option<WarcCounts>,
}

/// The records of a WARC archive, counted by what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WarcCounts {
    /// HTTP responses with an HTML page that became articles.
    pub articles: u64,
    /// HTTP responses whose body is not HTML (images, scripts, PDFs, feeds).
    pub not_html: u64,
    /// HTTP redirects (3xx).
    pub redirects: u64,
    /// HTTP errors (4xx, 5xx) and other statuses that are not a page.
    pub errors: u64,
    /// HTML pages in which no article was found (index pages, login walls).
    pub no_article: u64,
    /// Records that are not HTTP responses (`request`, `metadata`, `warcinfo`, ...).
    pub other_records: u64,
}

impl WarcCounts {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &WarcCounts) {
        self.articles += other.articles;
        self.not_html += other.not_html;
        self.redirects += other.redirects;
        self.errors += other.errors;
        self.no_article += other.no_article;
        self.other_records += other.other_records;
    }

    /// HTTP responses passed over (not HTML, redirects, errors, no article).
    pub fn skipped_responses(&self) -> u64 {
        self.not_html + self.redirects + self.errors + self.no_article
    }
}

/// Something off in a file that was still indexed.
///
/// The message is complete on its own and leads with its location when it has one
/// (`line 7: expected a JSON object: ...; record skipped`), so it can be shown as
/// `{path}: {message}`. It is lowercase with no final period. `line` repeats the number
/// for sorting and machine-readable output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line the warning is about, if it is about one.
    pub line: Option<usize>,
    /// What was off, and what was done about it.
    pub message: String,
}

impl Warning {
    pub(crate) fn whole_file(message: impl Into<String>) -> Self {
        Self { line: None, message: message.into() }
    }

    /// A warning about `line`; the line is kept apart from the message so that
    /// callers can print `path:line: message` without saying it twice.
    pub(crate) fn at(line: usize, message: impl fmt::Display) -> Self {
        Self { line: Some(line), message: message.to_string() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a whole file was skipped. Every message leads with the path.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be opened or read.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The file has NUL bytes, so it is not text.
    #[error("{}: binary file (NUL bytes), not an article", path.display())]
    Binary {
        /// The file.
        path: PathBuf,
    },
    /// The file is empty or only whitespace.
    #[error("{}: empty file", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A `.json` file that is not JSON at all.
    #[error("{}:{line}:{column}: malformed JSON", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What `serde_json` said.
        #[source]
        source: serde_json::Error,
    },
    /// A `.csv` file the csv reader could not even start on.
    #[error("{}: malformed CSV", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the csv crate said, with its position.
        #[source]
        source: csv::Error,
    },
    /// A CSV whose header names no title or body column: usually a file without a header
    /// row, whose first article was taken for one.
    #[error("{}: CSV header has no title or body column (found {found})", path.display())]
    CsvHeader {
        /// The file.
        path: PathBuf,
        /// The header's column names, comma-separated.
        found: String,
    },
    /// A web page in which no article was found (an index page, a login wall).
    #[error("{}: {reason}", path.display())]
    NotAnArticle {
        /// The file.
        path: PathBuf,
        /// What the extractor found missing.
        reason: String,
    },
    /// A compressed file (`.gz`, `.bz2`, `.zst`) or WARC archive that cannot be read
    /// through: damaged, cut short, or not what its name says.
    #[error("{}: damaged {what}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// `gzip file`, `WARC archive` ...
        what: &'static str,
        /// What the decompressor or reader said.
        #[source]
        source: io::Error,
    },
    /// A compressed file that unpacks to more than newsearch reads of one file (a zip
    /// bomb, or a dump better unpacked first).
    #[error("{}: decompresses to more than {limit}; skipped (unpack it to index it)", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in words (`256 MiB`).
        limit: String,
    },
    /// The file was read, but nothing in it is an article (every record was skipped;
    /// the common causes have their own variants).
    #[error("{}: no articles found{}", path.display(), why.as_ref().map(|why| format!(" ({why})")).unwrap_or_default())]
    NoArticles {
        /// The file.
        path: PathBuf,
        /// The first warning about the file (a record's line and what was wrong
        /// with it), and how many more there were: the warnings go with the file.
        why: Option<String>,
    },
}

impl ParseError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::Binary { path }
            | Self::Empty { path }
            | Self::Json { path, .. }
            | Self::Csv { path, .. }
            | Self::CsvHeader { path, .. }
            | Self::NotAnArticle { path, .. }
            | Self::Damaged { path, .. }
            | Self::TooLarge { path, .. }
            | Self::NoArticles { path, .. } => path,
        }
    }
}
