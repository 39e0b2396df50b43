//! Stage 4 (index): corpus files → documents in a committed tantivy index.
//!
//! The walk comes first and cheaply (stat only); files whose length and
//! modification time match what the index recorded are not read again. New and
//! changed files are parsed on all cores and handed straight to tantivy's
//! writer threads. Nothing is visible until the single commit at the end, so a
//! run that fails or is killed leaves the previous commit as it was.
//!
//! Everything the caller shows while the run goes on (progress, each warning
//! and skipped file as it happens) reaches it as an [`IndexEvent`], to one
//! observer; the [`IndexSummary`] it returns is the record of the run, with
//! counts of what the run did to the user's documents.

mod document;
mod plan;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::Term;

use crate::analysis::Aliases;
use crate::corpus::article::{ParseOptions, WarcCounts};
use crate::corpus::{self, CorpusFile, parse_file};
use crate::dates::SlashDates;
use crate::error::{Error, Result};
use crate::store::{self, WriteOptions};

use crate::clusters::{self, ClusterTable, Signature};
use document::{document, document_id};
use plan::{KnownFile, MissingFolders, Roots, documents_of, known_files, unwalked_files};

/// What `newsearch index` was asked to do.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Folders and files to index.
    pub corpus: Vec<PathBuf>,
    /// The index folder.
    pub index_dir: PathBuf,
    /// Drop every document and index everything again.
    pub rebuild: bool,
    /// tantivy writer threads.
    pub writer_threads: usize,
    /// Threads that read and parse files.
    pub parse_threads: usize,
    /// Writer memory budget, bytes.
    pub memory_bytes: usize,
    /// Alias table file; `None` keeps the index's own table (or the built-in one
    /// for a new index).
    pub aliases: Option<PathBuf>,
    /// How articles are parsed; its `slash_dates` gives way to the order
    /// resolved from [`IndexOptions::slash_dates`] and the index.
    pub parse: ParseOptions,
    /// Also remove the documents of files that are gone from outside the
    /// folders of this run (a corpus moved or deleted); they are otherwise kept,
    /// with a warning.
    pub prune: bool,
    /// How to read slash dates (`4/5/2017`); `None` keeps the index's own
    /// order (month first for a new index). An index refuses the other order
    /// without `rebuild`.
    pub slash_dates: Option<SlashDates>,
}

impl IndexOptions {
    /// Options for indexing `corpus` into `index_dir` with the defaults of
    /// `newsearch index`: every core, 600 MB, the index's own (or the built-in)
    /// alias table.
    pub fn new(corpus: Vec<PathBuf>, index_dir: PathBuf) -> IndexOptions {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        IndexOptions {
            corpus,
            index_dir,
            rebuild: false,
            writer_threads: cores.min(MAX_WRITER_THREADS),
            parse_threads: cores,
            memory_bytes: DEFAULT_MEMORY_MB * 1_048_576,
            aliases: None,
            parse: ParseOptions::default(),
            slash_dates: None,
            prune: false,
        }
    }
}

/// Writer threads beyond this add merge work without speeding up indexing.
pub const MAX_WRITER_THREADS: usize = 8;

/// The writer's default memory budget, in MB. Measured at 1M generated articles
/// on 2 cores: 640 MB indexed at 31.7 MB/s with a 1.44 GB peak RSS; 1024 MB
/// was no faster and peaked at 1.8 GB. With mimalloc, 640 MB peaked at
/// 1.47-1.49 GB (decimal), too close to the 1.5 GB the project promises;
/// 600 MB keeps a margin and leaves the segment count at 10.
pub const DEFAULT_MEMORY_MB: usize = 600;

/// What happens during a run, as it happens; the caller renders it. Every
/// warning and skipped file of the [`IndexSummary`] is also sent here once,
/// when it is found.
#[derive(Debug)]
pub enum IndexEvent<'a> {
    /// The walk is done: this many files (and bytes) will be parsed.
    Planned {
        /// Files to parse.
        files: usize,
        /// Their total size.
        bytes: u64,
    },
    /// A file was parsed (or failed to be).
    Parsed {
        /// Its size.
        bytes: u64,
    },
    /// A file was indexed, but something in it was off; or something is off
    /// with the index or a folder as a whole (a missing corpus folder, a merge
    /// that failed after the commit), which `path` then names.
    Warning {
        /// The file (or index, or folder).
        path: &'a Path,
        /// Line in the file, if known.
        line: Option<usize>,
        /// What was off.
        message: &'a str,
    },
    /// A file was left out.
    Skipped {
        /// The skipped file, and why.
        skip: &'a Skip,
    },
    /// All files are parsed; the commit (and merges) are under way.
    Committing,
}

/// A file left out of the index, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// A file that was indexed with a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWarning {
    /// The file.
    pub path: PathBuf,
    /// Line in the file, if known.
    pub line: Option<usize>,
    /// What was off.
    pub message: String,
}

/// What an index run did. Counts are of documents (a CSV file holds many), and
/// say what happened to the user's documents, not how the index did it:
/// `added + updated + unchanged` is what the index holds after the run.
///
/// A changed file that still holds as many documents as before counts them all
/// as updated (its old copies are replaced, not lost); one that shrank (a JSON
/// file with fewer records) counts the records it lost as removed and the rest
/// as updated; one that grew counts the records it gained as added.
#[derive(Clone, Debug, Default)]
pub struct IndexSummary {
    /// Documents from files the index did not have (every document, with
    /// `--rebuild`), and the records a changed file gained.
    pub added: u64,
    /// Documents of files that changed since the last run, as many as the file
    /// held before and still holds.
    pub updated: u64,
    /// Documents that left the index: of files that are gone, and the records a
    /// changed file lost. Never the old copies that a `--rebuild` replaces: see
    /// [`IndexSummary::replaced`].
    pub removed: u64,
    /// Documents of files that did not change, which were not read again.
    pub unchanged: u64,
    /// Whether the run was a `--rebuild`, which indexed everything anew.
    pub rebuilt: bool,
    /// With `--rebuild`, the documents the old index held, which this run's
    /// replace (some may be gone, if their files are); 0 otherwise.
    pub replaced: u64,
    /// Files left out, with reasons.
    pub skipped: Vec<Skip>,
    /// Files indexed with warnings.
    pub warnings: Vec<FileWarning>,
    /// Documents in the index after the commit.
    pub documents: u64,
    /// Wall time of the run.
    pub took_ms: u64,
    /// Fingerprint of the alias table the index now uses.
    pub aliases_fingerprint: String,
    /// The records of the WARC archives this run read, by what became of them;
    /// `None` when it read none.
    pub warc: Option<WarcCounts>,
}

/// Indexes `options.corpus` into `options.index_dir`, reporting progress to
/// `on_event`. On error nothing is committed.
pub fn index_corpus(
    options: &IndexOptions,
    on_event: &(dyn Fn(IndexEvent<'_>) + Sync),
) -> Result<IndexSummary> {
    let started = Instant::now();
    // Absolute roots, so that the same file keeps its key whatever the working
    // directory of the next run; the walk resolves them further (see below).
    let given = options
        .corpus
        .iter()
        .map(|root| std::path::absolute(root).map_err(Error::io(root)))
        .collect::<Result<Vec<_>>>()?;
    for (root, spelled) in given.iter().zip(&options.corpus) {
        if !root.exists() {
            return Err(Error::Usage(format!("{}: no such file or folder", spelled.display())));
        }
    }
    // The walk keys files by their canonical paths (`..` and links resolved), so that
    // `../corpus` and `corpus`, or a link to it, are one folder and not two copies;
    // files gone from the corpus are looked for under the same canonical roots.
    let canonical = given
        .iter()
        .zip(&options.corpus)
        .map(|(root, spelled)| std::fs::canonicalize(root).map_err(Error::io(spelled)))
        .collect::<Result<Vec<_>>>()?;
    // `newsearch index .` run inside the corpus puts the index there: its files
    // are not articles (binary segments, JSON metadata), and reading them on
    // every run would report each one.
    let skip_indexes = |folder: &Path| {
        store::holds_index(folder).then(|| "a newsearch index, not articles".to_owned())
    };
    let walk = corpus::walk(&given, &skip_indexes);

    let aliases = alias_table(options)?;
    let mut session = store::open_for_writing(
        &options.index_dir,
        Arc::clone(&aliases),
        &WriteOptions {
            threads: options.writer_threads,
            memory_bytes: options.memory_bytes,
            rebuild: options.rebuild,
            slash_dates: options.slash_dates,
        },
    )?;
    let fields = session.store.fields;
    let mut summary = IndexSummary::default();
    let known = if options.rebuild {
        // Everything goes (delete_all_documents is queued) and comes back as new:
        // the old copies are replaced, not removed.
        summary.rebuilt = true;
        summary.replaced = committed_documents(&session.store)?;
        HashMap::new()
    } else {
        known_files(&session.store)?
    };
    let unread: Vec<PathBuf> =
        walk.ignored.iter().filter(|ignored| ignored.unread).map(|i| i.path.clone()).collect();
    for ignored in walk.ignored {
        let skip = Skip { path: ignored.path, reason: ignored.reason };
        on_event(IndexEvent::Skipped { skip: &skip });
        summary.skipped.push(skip);
    }

    let plan::Plan { to_parse, seen, unchanged } = plan::classify(walk.files, &known);
    summary.unchanged += unchanged;
    let roots = Roots { canonical: &canonical, given: &given, unread: &unread };
    let unwalked = unwalked_files(&known, &seen, &roots, options.prune);
    summary.unchanged += unwalked.kept_documents;

    on_event(IndexEvent::Planned {
        files: to_parse.len(),
        bytes: to_parse.iter().map(|(f, _)| f.len).sum(),
    });
    let table = match cluster_table(&session, &to_parse, options.rebuild) {
        Ok(table) => Mutex::new(table),
        Err(err) => return Err(session.abandon(err)),
    };
    let parsing = !to_parse.is_empty();
    let outcome = parse_and_add(to_parse, &known, &session, options, &table, on_event);
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => return Err(session.abandon(err)),
    };
    if parsing {
        lock(&table).merges().clone_into(&mut session.cluster_merges);
    }
    // The table (a few hundred bytes an article) is done with before the
    // commit flushes the writer's last segments, the run's peak of memory.
    drop(table);
    summary.added = outcome.added;
    summary.updated = outcome.updated;
    summary.removed += outcome.removed;
    summary.skipped.extend(outcome.skipped);
    summary.warnings = outcome.warnings;
    summary.warc = outcome.warc;
    let missing = unwalked.missing_elsewhere;
    summary.warnings.extend(index_warnings(&session, options, missing, on_event));
    // A changed file that failed to parse keeps its old documents: they are
    // stale, but nothing is lost, and the next run tries the file again.
    summary.unchanged += outcome.kept;
    for (path, old) in unwalked.gone {
        session.writer.delete_term(Term::from_field_text(fields.path, path));
        summary.removed += old.documents;
    }

    on_event(IndexEvent::Committing);
    let store::Committed { store, merge_error } = session.commit()?;
    if let Some(message) = merge_error {
        // The documents are committed; the index only has more segments than it
        // should until the next run merges them.
        let path = store.dir.clone();
        on_event(IndexEvent::Warning { path: &path, line: None, message: &message });
        summary.warnings.push(FileWarning { path, line: None, message });
    }
    let reader = store.index.reader().map_err(Error::index(&store.dir))?;
    summary.documents = reader.searcher().num_docs();
    store.aliases.fingerprint().clone_into(&mut summary.aliases_fingerprint);
    summary.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(summary)
}

/// The clusters new articles join: every article the index keeps (a rebuild
/// keeps none); a run with nothing to parse needs no table.
fn cluster_table(
    session: &store::WriteSession,
    to_parse: &[(CorpusFile, bool)],
    rebuild: bool,
) -> Result<ClusterTable> {
    if to_parse.is_empty() || rebuild {
        Ok(ClusterTable::default())
    } else {
        ClusterTable::of_index(&session.store)
    }
}

/// Warnings about the index as a whole rather than one file's content, each
/// also sent to `on_event`.
fn index_warnings(
    session: &store::WriteSession,
    options: &IndexOptions,
    missing_elsewhere: MissingFolders,
    on_event: &(dyn Fn(IndexEvent<'_>) + Sync),
) -> Vec<FileWarning> {
    let mut warnings = Vec::new();
    if session.slash_dates_guessed {
        warnings.push(FileWarning {
            path: options.index_dir.clone(),
            line: None,
            message: "the index does not record how it reads slash dates (it was made before \
                      newsearch recorded it): this run read them month first; give --day-first \
                      or --month-first once to record the index's order"
                .to_owned(),
        });
    }
    for (folder, (files, documents)) in missing_elsewhere.tops {
        let message = format!(
            "gone, and outside the folders this run indexed: {files} file(s) below it keep \
             their {documents} document(s) in the index until a run with --prune"
        );
        warnings.push(FileWarning { path: folder, line: None, message });
    }
    for warning in &warnings {
        on_event(IndexEvent::Warning {
            path: &warning.path,
            line: None,
            message: &warning.message,
        });
    }
    warnings
}

/// Documents of the last commit, counted from the segment list alone: a
/// rebuild is how a damaged index is mended, so it must not read the segments.
fn committed_documents(store: &store::Store) -> Result<u64> {
    let metas = store.index.searchable_segment_metas().map_err(Error::index(&store.dir))?;
    Ok(metas.iter().map(|segment| u64::from(segment.num_docs())).sum())
}

/// The alias table of the run: `--aliases`, else the index's own, else the built-in one.
fn alias_table(options: &IndexOptions) -> Result<Arc<Aliases>> {
    Ok(match &options.aliases {
        Some(path) => Arc::new(Aliases::from_path(path)?),
        None => match store::aliases_or_built_in(&options.index_dir) {
            // An index of another format, or a damaged one, is what `--rebuild`
            // replaces (the error says so): its table cannot be read.
            Err(Error::IndexVersion { .. } | Error::Damaged { .. }) if options.rebuild => {
                Arc::new(Aliases::built_in()?)
            }
            result => result?,
        },
    })
}

/// What parsing did, counted as [`IndexSummary`] counts it.
#[derive(Default)]
struct Outcome {
    added: u64,
    updated: u64,
    /// Records that changed files lost.
    removed: u64,
    /// Documents of changed files that failed to parse, which stay as they were.
    kept: u64,
    skipped: Vec<Skip>,
    warnings: Vec<FileWarning>,
    warc: Option<WarcCounts>,
}

/// Parses files on `parse_threads` threads, each adding its documents to the
/// shared writer (tantivy's `add_document` takes `&self` and queues to its own
/// threads). Stops at the first writer error.
fn parse_and_add(
    files: Vec<(CorpusFile, bool)>,
    known: &HashMap<String, KnownFile>,
    session: &store::WriteSession,
    options: &IndexOptions,
    table: &Mutex<ClusterTable>,
    on_event: &(dyn Fn(IndexEvent<'_>) + Sync),
) -> Result<Outcome> {
    let files = Mutex::new(files.into_iter());
    let failed = AtomicBool::new(false);
    let added = AtomicU64::new(0);
    let updated = AtomicU64::new(0);
    let outcome = Mutex::new(Outcome::default());
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let fields = session.store.fields;
    let parse_options = ParseOptions { slash_dates: session.slash_dates, ..options.parse };

    std::thread::scope(|scope| {
        for _ in 0..options.parse_threads.max(1) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    // Each file's plan is dropped once it is parsed: at a million
                    // files the plan's paths, keys and folders are some 300 MB.
                    let Some((file, changed)) = lock(&files).next() else { break };
                    let (file, changed) = (&file, &changed);
                    let parsed = parse_file(&file.path, &parse_options);
                    on_event(IndexEvent::Parsed { bytes: file.len });
                    let parsed = match parsed {
                        Ok(parsed) => parsed,
                        Err(err) => {
                            // The error leads with the path, which `Skip` already holds
                            // (`report` folds line breaks, in a file's name too, to spaces).
                            let message = crate::error::report(&err);
                            let prefix =
                                format!("{}: ", file.path.display()).replace(['\n', '\r'], " ");
                            let reason = message.strip_prefix(&prefix).unwrap_or(&message);
                            let skip = Skip { path: file.path.clone(), reason: reason.to_owned() };
                            on_event(IndexEvent::Skipped { skip: &skip });
                            let mut out = lock(&outcome);
                            out.skipped.push(skip);
                            if *changed {
                                out.kept += documents_of(known, file);
                            }
                            continue;
                        }
                    };
                    // The documents the index holds for the file, which this
                    // run's replace.
                    let old = if *changed {
                        session.writer.delete_term(Term::from_field_text(fields.path, &file.key));
                        documents_of(known, file)
                    } else {
                        0
                    };
                    count_warc_records(&outcome, parsed.warc.as_ref());
                    for warning in &parsed.warnings {
                        on_event(IndexEvent::Warning {
                            path: &file.path,
                            line: warning.line,
                            message: &warning.message,
                        });
                    }
                    lock(&outcome).warnings.extend(parsed.warnings.iter().map(|w| FileWarning {
                        path: file.path.clone(),
                        line: w.line,
                        message: w.message.clone(),
                    }));
                    let mut new = 0_u64;
                    for article in &parsed.articles {
                        if let Some(date) = article.date
                            && crate::fields::index_date(&date).is_none()
                        {
                            let message = format!(
                                "date {} is outside what the index can hold (1677 to 2262); left out",
                                date.format("%Y-%m-%d")
                            );
                            let line = article.record.or(article.date_line);
                            on_event(IndexEvent::Warning { path: &file.path, line, message: &message });
                            lock(&outcome).warnings.push(FileWarning {
                                path: file.path.clone(),
                                line,
                                message,
                            });
                        }
                        let doc = clustered_document(&fields, file, article, table);
                        if let Err(err) = session.writer.add_document(doc) {
                            failed.store(true, Ordering::Relaxed);
                            lock(&first_error).get_or_insert(Error::Index {
                                path: session.store.dir.clone(),
                                source: err,
                            });
                            return;
                        }
                        new += 1;
                    }
                    // What the user sees: a file's documents that are there again
                    // are updated; only the ones it lost are removed.
                    let same = old.min(new);
                    updated.fetch_add(same, Ordering::Relaxed);
                    added.fetch_add(new - same, Ordering::Relaxed);
                    if old > same {
                        lock(&outcome).removed += old - same;
                    }
                }
            });
        }
    });
    if let Some(err) = lock(&first_error).take() {
        return Err(err);
    }
    let mut outcome = outcome.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    outcome.added = added.into_inner();
    outcome.updated = updated.into_inner();
    outcome.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    outcome.warnings.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(outcome)
}

/// The document of one article, with its near-duplicate cluster: the
/// signature costs one hash per word, here on the parse threads; only the
/// table's lookup holds the lock.
fn clustered_document(
    fields: &crate::fields::Fields,
    file: &CorpusFile,
    article: &crate::corpus::article::Article,
    table: &Mutex<ClusterTable>,
) -> tantivy::TantivyDocument {
    let id = document_id(file, article);
    let key = clusters::doc_key(&file.key, &id, article.record, article.place_on_line);
    let signature = Signature::of_text(&article.body);
    let cluster = match &signature {
        Some(signature) => lock(table).assign(signature, key),
        None => key,
    };
    document(fields, file, article, &id, cluster, signature.as_ref())
}

/// Adds a WARC archive's record counts to the run's.
fn count_warc_records(outcome: &Mutex<Outcome>, counts: Option<&WarcCounts>) {
    if let Some(counts) = counts {
        lock(outcome).warc.get_or_insert_default().add(counts);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking parse thread must not hide the others' results.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
