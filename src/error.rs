//! Errors: every variant names the file, index, line or query it is about, so
//! that one line on stderr tells the user what to fix. A query is echoed cut
//! to [`ECHO_CHARS`] ([`echo`]): one line, however long the query.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::corpus::article::ParseError;

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a newsearch command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// An article file could not be parsed.
    #[error(transparent)]
    Article(#[from] ParseError),
    /// The alias table is malformed or inconsistent.
    #[error("{}:{line}: {message}", path.display())]
    AliasTable {
        /// The table file (or the built-in table's name).
        path: PathBuf,
        /// 1-based line of the offending entry.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The query text is not valid.
    #[error("query {:?}: {message}", echo(.query))]
    Query {
        /// The query as the user wrote it (the message echoes it cut short).
        query: String,
        /// What is wrong, and where.
        message: String,
    },
    /// A command-line value is not valid (beyond what clap checks).
    #[error("{0}")]
    Usage(String),
    /// An article id the index does not hold (`similar ID`).
    #[error("{id:?}: no article with this id in the index")]
    UnknownId {
        /// The id as given.
        id: String,
    },
    /// The folder holds an index whose first `newsearch index` run is still
    /// going: nothing is committed yet.
    #[error("{}: the index is being built by `newsearch index` ({holder}) and has no commit yet; it can be searched once that run finishes", path.display())]
    BeingBuilt {
        /// The index folder.
        path: PathBuf,
        /// The running writer, as it recorded itself (`pid 123, started ...`).
        holder: String,
    },
    /// There is no index where one was expected.
    #[error("no index at {}: run `newsearch index CORPUS --index {}` first", path.display(), path.display())]
    NoIndex {
        /// The index folder.
        path: PathBuf,
    },
    /// A folder that newsearch would write to is not one of its indexes.
    #[error("{} is not a newsearch index ({reason}); refusing to touch it: choose a new or empty folder with --index", path.display())]
    NotAnIndex {
        /// The folder.
        path: PathBuf,
        /// Why it was judged not to be an index.
        reason: String,
    },
    /// The index was built by an incompatible version of newsearch.
    #[error("{}: index format {found}, this newsearch reads format {expected}: rebuild it with `newsearch index --rebuild CORPUS --index {}`", path.display(), path.display())]
    IndexVersion {
        /// The index folder.
        path: PathBuf,
        /// The format found.
        found: String,
        /// The format this build reads.
        expected: u32,
    },
    /// The index's files are damaged (truncated, edited, deleted).
    #[error("{}: the index is damaged: rebuild it with `newsearch index --rebuild CORPUS --index {}`", path.display(), path.display())]
    Damaged {
        /// The index folder.
        path: PathBuf,
        /// What tantivy found.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index was built with another alias table than the one given.
    #[error("{}: the index was built with alias table {stored}, this run has {given}: re-run with --rebuild to re-analyze every article with the new table", path.display())]
    AliasMismatch {
        /// The index folder.
        path: PathBuf,
        /// Fingerprint of the table in the index.
        stored: String,
        /// Fingerprint of this run's table.
        given: String,
    },
    /// This user may not read a file (or search a folder) of the index. Not
    /// damage: the message must never send anyone to `--rebuild`, which would
    /// replace an index that is someone else's.
    #[error("{}: permission denied: this user may not read it; ask the index's owner for read access", path.display())]
    PermissionDenied {
        /// The file or folder that could not be read.
        path: PathBuf,
    },
    /// The index folder may not be written (read-only media, no write
    /// permission): it can be searched, not updated.
    #[error("{}: the index folder is read-only ({reason}): it can be searched but not updated; to update it, copy it to a folder you may write and pass that with --index", path.display())]
    ReadOnly {
        /// The index folder.
        path: PathBuf,
        /// What the OS said.
        reason: String,
    },
    /// Another process holds the index's writer lock.
    #[error("{}: another `newsearch index` is writing this index ({holder}); wait for it to finish", path.display())]
    Locked {
        /// The index folder.
        path: PathBuf,
        /// Who holds it, as recorded when it took the lock.
        holder: String,
    },
    /// Tantivy failed on the index.
    #[error("{}", path.display())]
    Index {
        /// The index folder.
        path: PathBuf,
        /// Tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
}

impl Error {
    /// Whether the user asked for something invalid (exit code 2) rather than
    /// the run failing (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Query { .. } | Error::Usage(_) | Error::AliasTable { .. })
    }

    /// Whether a broken pipe caused this (`newsearch query x | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// Wraps a tantivy error about the index at `path`: a file this user may
    /// not read is [`Error::PermissionDenied`], naming it; damage (a file cut
    /// short, missing or garbled) is [`Error::Damaged`], which names the fix.
    pub fn index(path: impl Into<PathBuf>) -> impl FnOnce(tantivy::TantivyError) -> Error {
        let path = path.into();
        move |source| {
            if let Some(denied) = denied_path(&path, &source) {
                return Error::PermissionDenied { path: denied };
            }
            match source {
                tantivy::TantivyError::DataCorruption(_)
                | tantivy::TantivyError::OpenReadError(_) => Error::Damaged { path, source },
                source => Error::Index { path, source },
            }
        }
    }

    /// Wraps an I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// The file or folder that tantivy was refused reading, if that is what `err`
/// says; tantivy names most index files relative to the index folder `dir`.
fn denied_path(dir: &Path, err: &tantivy::TantivyError) -> Option<PathBuf> {
    use tantivy::TantivyError;
    use tantivy::directory::error::{OpenDirectoryError, OpenReadError};

    let denied = |err: &std::io::Error| err.kind() == std::io::ErrorKind::PermissionDenied;
    match err {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath })
            if denied(io_error) =>
        {
            Some(dir.join(filepath))
        }
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError {
            io_error,
            directory_path,
        }) if denied(io_error) => Some(directory_path.clone()),
        // A bare `IoError` names no file, and may come from a write.
        _ => None,
    }
}

/// Longest echo of a user's text (a query) in a message or in human output,
/// in characters: a 10,000-character query, or one nested 20,000 levels deep,
/// would otherwise fill the screen, and the line that says what is wrong with it
/// would scroll away.
pub const ECHO_CHARS: usize = 200;

/// `text` as a message echoes it: whole up to [`ECHO_CHARS`] characters, else
/// its start, ending with `…`, [`ECHO_CHARS`] characters in all. JSON output keeps
/// the text whole (scripts join on it).
pub fn echo(text: &str) -> Cow<'_, str> {
    if text.chars().nth(ECHO_CHARS).is_none() {
        return Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(ECHO_CHARS - 1).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// The message and all its causes on one line, joined by `: `.
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        // Some sources (tantivy's) already repeat their own cause.
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message.replace(['\n', '\r'], " ")
}
