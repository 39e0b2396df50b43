//! The only code that creates, opens and commits a tantivy `Index`. Every index
//! it returns has the analyzer registered (tantivy saves only its name), built
//! from the alias table stored in the index's own last commit.
//!
//! An index folder holds tantivy's files plus `newsearch.json`, the marker that
//! says which index format wrote it. newsearch never deletes or writes into a
//! folder without that marker unless the folder is empty.
//!
//! Reading never writes: an index on read-only media, or one this user may
//! read but not write (a colleague's), is searched as it is (see
//! `ReadDirectory`). A file it may not read is a permission problem, never
//! damage: nothing here deletes an index because of one.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, OwnedBytes,
    WatchCallback, WatchHandle, WritePtr,
};
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy};
use tantivy::{Index, IndexReader, IndexWriter, TantivyError};

use crate::analysis::{self, Aliases, stems};
use crate::clusters::Merges;
use crate::dates::SlashDates;
use crate::error::{Error, Result, report};
use crate::fields::{self, Fields};

/// The index format this build reads and writes. Bump it when the schema or the
/// meaning of the stored data changes. Format 2 dropped the `entity` facet
/// field: entity counts come from the title and body terms. Format 3 writes
/// entity terms with a reserved prefix (`#isis`) and a stem table with each
/// segment (`analysis::stems`). Format 4 stores `author`, `language` and a WARC
/// record's `offset` (web pages and WARC archives). Format 5 stores each
/// article's near-duplicate `cluster` and `signature`, and the commit payload the
/// clusters' merges (`clusters`). Format 6 hashes a signature's words eight
/// bytes at a time: its signatures differ from format 5's, and an index must not
/// hold both, or new articles would never match the old.
pub const FORMAT: u32 = 6;

/// The marker file in every index folder.
pub const MARKER_FILE: &str = "newsearch.json";

/// Whether `folder` holds a newsearch index (its marker and tantivy's metadata).
pub fn holds_index(folder: &Path) -> bool {
    folder.join(MARKER_FILE).is_file() && folder.join("meta.json").is_file()
}

/// Who holds the writer lock, for the message a second writer gets.
const WRITER_FILE: &str = "newsearch-writer.txt";

/// The writer lock tantivy takes, which a killed process releases with its file
/// handles (it is an OS file lock, not the file's existence).
const TANTIVY_LOCK_FILE: &str = ".tantivy-writer.lock";

#[derive(Serialize, Deserialize)]
struct Marker {
    format: u32,
    created_by: String,
}

/// What every commit records about itself, in tantivy's commit payload: the
/// alias table travels with the documents it analyzed, atomically.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Index format.
    pub format: u32,
    /// `newsearch` version that made the commit.
    pub newsearch_version: String,
    /// Fingerprint of the alias table the documents were analyzed with.
    pub aliases_fingerprint: String,
    /// The alias table itself.
    pub aliases: String,
    /// How the documents' slash dates were read. `None` in commits made
    /// before it was recorded: month first unless that run had `--day-first`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slash_dates: Option<SlashDates>,
    /// Near-duplicate clusters merged since their articles were indexed:
    /// (stored name, name it goes by), sorted (see `clusters::Merges`).
    /// Stored here so that they commit with the documents, atomically.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_merges: Vec<(u64, u64)>,
}

/// An opened index with its fields and the alias table it was built with.
pub struct Store {
    /// The tantivy index, analyzer registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The alias table of the index.
    pub aliases: Arc<Aliases>,
    /// The index folder.
    pub dir: PathBuf,
}

/// A successful commit.
pub struct Committed {
    /// The store, at its new commit.
    pub store: Store,
    /// Why merging segments failed after the commit was durable: a warning for
    /// the run's report, not a failure.
    pub merge_error: Option<String>,
}

/// Opens a committed index for reading, with the alias table stored in it.
/// Nothing is written: the folder may be read-only.
pub fn open(dir: &Path) -> Result<Store> {
    open_with(dir, StoredReads::Mapped)
}

/// [`open`] for one pass over the stored documents (`newsearch export`): the
/// doc store is read with positioned reads instead of being mapped, so that
/// the blocks already read do not stay in the process's memory. Mapped, every
/// page of a 1M article store that a pass touched stayed resident: 2.4 GB of
/// RSS for an export whose own memory was 30 MB.
pub fn open_for_one_pass(dir: &Path) -> Result<Store> {
    open_with(dir, StoredReads::Positioned)
}

/// How a reader reads the doc store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoredReads {
    /// Mapped, as tantivy maps every file: best for random access (queries).
    Mapped,
    /// Positioned reads of each block: best for one pass over all of them.
    Positioned,
}

fn open_with(dir: &Path, stored_reads: StoredReads) -> Result<Store> {
    let meta = dir.join("meta.json");
    if let Err(err) = fs::metadata(&meta)
        && err.kind() == std::io::ErrorKind::PermissionDenied
    {
        // The folder itself may not be searched: not "no index".
        return Err(Error::PermissionDenied { path: dir.to_path_buf() });
    }
    if !meta.is_file() {
        // `--index` naming the corpus: "run newsearch index ... --index CORPUS" would
        // send the user to a command that refuses that folder.
        let holds_files = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
        if holds_files && !dir.join(MARKER_FILE).is_file() {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                reason: "it holds other files and no index".to_owned(),
            });
        }
        return Err(Error::NoIndex { path: dir.to_path_buf() });
    }
    check_marker(dir)?;
    let directory = MmapDirectory::open(dir).map_err(|err| Error::index(dir)(err.into()))?;
    let mut index =
        Index::open(ReadDirectory { mapped: directory, root: dir.to_path_buf(), stored_reads })
            .map_err(Error::index(dir))?;
    register_plugins(&mut index);
    let commit = read_commit(&index, dir)?.ok_or_else(|| match running_writer(dir) {
        Some(holder) => Error::BeingBuilt { path: dir.to_path_buf(), holder },
        None => Error::NoIndex { path: dir.to_path_buf() },
    })?;
    let aliases = Arc::new(Aliases::parse(&commit.aliases, dir).map_err(|err| match err {
        // The table was valid when it was committed, so this is damage to the index
        // (edited or corrupted), not a usage error: the line is one of the embedded
        // table, not of meta.json. `IndexVersion` is the error that `index --rebuild`
        // replaces, as with an unreadable commit record.
        Error::AliasTable { line, message, .. } => Error::IndexVersion {
            path: dir.to_path_buf(),
            found: format!(
                "{FORMAT} with a damaged alias table (the stored table's line {line}: {message})"
            ),
            expected: FORMAT,
        },
        other => other,
    })?);
    finish_open(index, dir, aliases)
}

/// The alias table of the index at `dir`, or the built-in table where there is
/// no index yet: what `index` uses without `--aliases`, and what `aliases` shows.
pub fn aliases_or_built_in(dir: &Path) -> Result<Arc<Aliases>> {
    match open(dir) {
        Ok(store) => Ok(store.aliases),
        // A first run still going: the writer lock, taken next, says so.
        Err(Error::NoIndex { .. } | Error::BeingBuilt { .. }) => Ok(Arc::new(Aliases::built_in()?)),
        Err(err) => Err(err),
    }
}

/// The `newsearch index` run recorded as the writer of `dir`, if it still
/// runs. A run killed with `kill -9` leaves its record behind: where `/proc`
/// shows processes, a record whose process is gone names no one.
fn running_writer(dir: &Path) -> Option<String> {
    let holder = fs::read_to_string(dir.join(WRITER_FILE)).ok()?;
    let holder = holder.trim();
    let pid = holder.strip_prefix("pid ")?.split(',').next()?.trim();
    let processes = Path::new("/proc");
    if processes.join("self").exists() && !processes.join(pid).exists() {
        return None;
    }
    Some(holder.to_owned())
}

/// An index opened for writing: the store, and its writer holding the lock.
pub struct WriteSession {
    /// The index.
    pub store: Store,
    /// Its only writer.
    pub writer: IndexWriter,
    /// How this session reads slash dates: asked for, or the index's own order.
    pub slash_dates: SlashDates,
    /// The index has documents but does not record their order, and this run
    /// was given none: month first is a guess the run should report.
    pub slash_dates_guessed: bool,
    /// The cluster merges the commit records: the index's own until the run
    /// sets the new ones.
    pub cluster_merges: Merges,
}

/// How to open an index for writing.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Indexing threads.
    pub threads: usize,
    /// Total memory budget for the writer's buffers, in bytes.
    pub memory_bytes: usize,
    /// Start over: drop every document at the next commit.
    pub rebuild: bool,
    /// How to read slash dates; `None` keeps the index's own order (month
    /// first for a new index).
    pub slash_dates: Option<SlashDates>,
}

/// Opens (or creates) the index at `dir` for writing with `aliases`.
///
/// Refuses a folder that holds anything but a newsearch index, an index made with
/// another alias table or format (unless `rebuild`), and an index another process
/// is writing.
pub fn open_for_writing(
    dir: &Path,
    aliases: Arc<Aliases>,
    options: &WriteOptions,
) -> Result<WriteSession> {
    let fresh = prepare_folder(dir, options.rebuild)?;
    let index = if fresh {
        let (schema, fields) = fields::schema();
        let index = Index::builder()
            .schema(schema)
            .register_plugin(stems_plugin(&fields))
            .create_in_dir(dir)
            .map_err(Error::index(dir))?;
        let marker = Marker { format: FORMAT, created_by: version_string() };
        let json = serde_json::to_string_pretty(&marker).unwrap_or_default();
        fs::write(dir.join(MARKER_FILE), json).map_err(Error::io(dir.join(MARKER_FILE)))?;
        index
    } else {
        let mut index = Index::open_in_dir(dir).map_err(Error::index(dir))?;
        register_plugins(&mut index);
        index
    };
    let commit = read_commit(&index, dir)?;
    if let Some(stored) = &commit
        && stored.aliases_fingerprint != aliases.fingerprint()
        && !options.rebuild
    {
        return Err(Error::AliasMismatch {
            path: dir.to_path_buf(),
            stored: stored.aliases_fingerprint.clone(),
            given: aliases.fingerprint().to_owned(),
        });
    }
    let stored_order = commit.as_ref().and_then(|info| info.slash_dates);
    if let (Some(stored), Some(given)) = (stored_order, options.slash_dates)
        && stored != given
        && !options.rebuild
    {
        // Changed files would be read one way and the rest stay read the other:
        // one corpus, two meanings of 4/5/2017.
        return Err(Error::Usage(format!(
            "{}: the index reads slash dates {}, this run asked for {}: re-run with \
             --rebuild to read every article that way",
            dir.display(),
            describe(stored),
            describe(given)
        )));
    }
    let slash_dates = options.slash_dates.or(stored_order).unwrap_or_default();
    let cluster_merges = match &commit {
        Some(info) if !options.rebuild => Merges::from_pairs(&info.cluster_merges),
        _ => Merges::default(),
    };
    let slash_dates_guessed = commit.is_some()
        && stored_order.is_none()
        && options.slash_dates.is_none()
        && !options.rebuild;
    let store = finish_open(index, dir, aliases)?;
    let writer_options = IndexWriterOptions::builder()
        .num_worker_threads(options.threads.max(1))
        .memory_budget_per_thread(
            (options.memory_bytes / options.threads.max(1))
                .clamp(MIN_BUDGET_PER_THREAD, MAX_BUDGET_PER_THREAD),
        )
        .num_merge_threads(1)
        .build();
    let writer: IndexWriter =
        store.index.writer_with_options(writer_options).map_err(|err| match err {
            TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked {
                path: dir.to_path_buf(),
                holder: fs::read_to_string(dir.join(WRITER_FILE))
                    .map_or_else(|_| "holder unknown".to_owned(), |s| s.trim().to_owned()),
            },
            // The lock file cannot be created: no other writer is involved (tantivy's
            // message would say there is one), the folder may not be written.
            TantivyError::LockFailure(LockError::IoError(err), _) if is_read_only(&err) => {
                Error::ReadOnly { path: dir.to_path_buf(), reason: err.to_string() }
            }
            other => Error::Index { path: dir.to_path_buf(), source: other },
        })?;
    // Merging reads whole segments through mmap, and those pages count in RSS:
    // indexing 1M articles with tantivy's default policy cascaded into one
    // segment and a 4.8 GB peak. The big segments a run flushes (hundreds of
    // thousands of articles each at the default budget) are therefore left as
    // they are; only small ones, as incremental runs leave them, are merged.
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_DOCS_BEFORE_MERGE);
    writer.set_merge_policy(Box::new(policy));
    let holder = format!(
        "pid {}, started {}",
        std::process::id(),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    // Informational only: the lock itself is tantivy's OS file lock.
    let _ = fs::write(dir.join(WRITER_FILE), holder);
    if options.rebuild {
        writer.delete_all_documents().map_err(Error::index(dir))?;
    }
    Ok(WriteSession { store, writer, slash_dates, slash_dates_guessed, cluster_merges })
}

/// `day first (4/5/2017 is 4 May)`.
fn describe(order: SlashDates) -> &'static str {
    match order {
        SlashDates::MonthFirst => "month first (4/5/2017 is April 5)",
        SlashDates::DayFirst => "day first (4/5/2017 is 4 May)",
    }
}

/// Segments with more documents than this are never merged (see above).
const MAX_DOCS_BEFORE_MERGE: usize = 50_000;

/// tantivy's limits on the per-thread arena.
const MIN_BUDGET_PER_THREAD: usize = 15_000_000;
const MAX_BUDGET_PER_THREAD: usize = 4_000_000_000;

impl Store {
    /// How the index's documents read slash dates; `None` for an index made
    /// before that was recorded.
    pub fn slash_dates(&self) -> Result<Option<SlashDates>> {
        Ok(read_commit(&self.index, &self.dir)?.and_then(|info| info.slash_dates))
    }

    /// The near-duplicate clusters merged since their articles were indexed,
    /// as the last commit recorded them.
    pub fn cluster_merges(&self) -> Result<Merges> {
        let info = read_commit(&self.index, &self.dir)?;
        Ok(info.map(|info| Merges::from_pairs(&info.cluster_merges)).unwrap_or_default())
    }

    /// A reader of the last commit. Where the folder cannot be locked (see
    /// `ReadDirectory`), a writer run by someone who may write the folder can
    /// remove a segment between this reader's reading of `meta.json` and its
    /// opening of the segment: the commit that replaced it is then read
    /// instead. A segment missing from the newest commit too is damage.
    pub fn reader(&self) -> Result<IndexReader> {
        let mut attempts = 0;
        loop {
            match self.index.reader() {
                Err(TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_)))
                    if attempts < READER_RETRIES =>
                {
                    attempts += 1;
                }
                result => return result.map_err(Error::index(&self.dir)),
            }
        }
    }
}

/// How often [`Store::reader`] reads a newer commit after a segment vanished.
const READER_RETRIES: u32 = 3;

/// The index folder as readers see it: tantivy's [`MmapDirectory`], except for
/// the meta lock. tantivy takes that lock (creating `.tantivy-meta.lock`) while
/// a reader opens the segments of `meta.json`, so that a writer's garbage
/// collection does not delete them meanwhile. Where the lock file cannot be
/// opened for writing (a read-only mount, a copy without write permission, a
/// colleague's index), the reader goes on without it: this user cannot run a
/// writer there either (its lock file is refused the same way), and a writer
/// run by someone who can is met by [`Store::reader`]. With
/// [`StoredReads::Positioned`], doc store files (`.store`) are read block by
/// block ([`PositionedFile`]) rather than mapped. Every other lock, and every
/// other call, is tantivy's own.
#[derive(Clone, Debug)]
struct ReadDirectory {
    mapped: MmapDirectory,
    /// The folder `mapped` opened (tantivy names files relative to it).
    root: PathBuf,
    stored_reads: StoredReads,
}

/// The extension of tantivy's doc store files.
const DOC_STORE_EXTENSION: &str = "store";

impl Directory for ReadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if self.stored_reads == StoredReads::Positioned
            && path.extension().is_some_and(|ext| ext == DOC_STORE_EXTENSION)
        {
            return PositionedFile::open(&self.root, path);
        }
        self.mapped.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<tantivy::directory::FileSlice, OpenReadError> {
        Ok(tantivy::directory::FileSlice::new(self.get_file_handle(path)?))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.mapped.acquire_lock(lock) {
            Err(LockError::IoError(err))
                if lock.filepath == META_LOCK.filepath && is_read_only(&err) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            result => result,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

/// A file read with positioned reads (`pread`), a copy of each range asked
/// for: what tantivy reads of it is freed once dropped.
#[derive(Debug)]
struct PositionedFile {
    file: fs::File,
    len: usize,
}

impl PositionedFile {
    /// `path` (as tantivy names files: relative to the index folder) in `root`.
    fn open(root: &Path, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let io_error = |err: std::io::Error| OpenReadError::wrap_io_error(err, path.to_path_buf());
        let full = root.join(path);
        let file = fs::File::open(&full).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => io_error(err),
        })?;
        let len = file.metadata().map_err(io_error)?.len();
        let len =
            usize::try_from(len).map_err(|_| io_error(std::io::ErrorKind::FileTooLarge.into()))?;
        Ok(Arc::new(PositionedFile { file, len }))
    }
}

impl tantivy::HasLen for PositionedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for PositionedFile {
    fn read_bytes(&self, range: std::ops::Range<usize>) -> std::io::Result<OwnedBytes> {
        let mut bytes = vec![0; range.len()];
        read_exact_at(&self.file, &mut bytes, range.start as u64)?;
        Ok(OwnedBytes::new(bytes))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &fs::File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &fs::File, mut bytes: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Whether an error says the folder (or a file in it) may not be written.
fn is_read_only(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

impl WriteSession {
    /// Commits everything added or deleted so far, with this store's alias table
    /// in the payload, then waits for merges to finish.
    pub fn commit(self) -> Result<Committed> {
        let WriteSession { store, mut writer, slash_dates, slash_dates_guessed, cluster_merges } =
            self;
        let info = CommitInfo {
            format: FORMAT,
            newsearch_version: env!("CARGO_PKG_VERSION").to_owned(),
            aliases_fingerprint: store.aliases.fingerprint().to_owned(),
            aliases: store.aliases.source_text().to_owned(),
            // A guess is not recorded: the next run warns again until told.
            slash_dates: (!slash_dates_guessed).then_some(slash_dates),
            cluster_merges: cluster_merges.to_pairs(),
        };
        let payload = serde_json::to_string(&info).unwrap_or_default();
        let dir = store.dir.clone();
        let committed = writer.prepare_commit().and_then(|mut prepared| {
            prepared.set_payload(&payload);
            prepared.commit()
        });
        if let Err(source) = committed {
            // Disk full while the segments were written out: the last commit stands;
            // clear this run's files so the next run has room.
            let session =
                WriteSession { store, writer, slash_dates, slash_dates_guessed, cluster_merges };
            return Err(session.abandon(Error::Index { path: dir, source }));
        }
        // The commit above is durable: its documents are searchable and the next run
        // starts from it. A merge that fails now only leaves more segments than the
        // policy wanted (the next commit merges again), so it must not fail the run:
        // exit code 1 promises that nothing was committed. It is kept for the caller
        // to report as a warning.
        let merge_error = writer
            .wait_merging_threads()
            .err()
            .map(|err| format!("merging segments after the commit failed: {}", report(&err)));
        share_metadata(&dir);
        let _ = fs::remove_file(dir.join(WRITER_FILE));
        Ok(Committed { store, merge_error })
    }

    /// Drops everything since the last commit, and returns the error that made the run
    /// give up: `err`, or the cause it hides. When one of tantivy's indexing threads
    /// fails (disk full, say), `add_document` reports only that the writer was killed;
    /// joining the threads, as preparing a commit does, yields their own error. The
    /// prepared commit is never committed.
    pub fn abandon(self, err: Error) -> Error {
        let WriteSession { store, mut writer, .. } = self;
        let err = match err {
            Error::Index { path, source: TantivyError::ErrorInThread(message) } => {
                match writer.prepare_commit() {
                    Err(cause) => Error::Index { path, source: cause },
                    Ok(prepared) => {
                        let _ = prepared.abort();
                        Error::Index { path, source: TantivyError::ErrorInThread(message) }
                    }
                }
            }
            other => other,
        };
        let _ = writer.rollback();
        // The abandoned run's segment files would stay until the next commit, and on a
        // full disk they leave no room for that commit.
        let _ = writer.garbage_collect_files().wait();
        drop(writer);
        let _ = fs::remove_file(store.dir.join(WRITER_FILE));
        err
    }
}

/// tantivy writes `meta.json` and `.managed.json` through temporary files,
/// which are private (0600 on Unix) whatever the umask: no one but the user who
/// built an index could read it, though its segments are as readable as the
/// umask made them. Both take the marker's permissions, which the umask set.
fn share_metadata(dir: &Path) {
    let Ok(marker) = fs::metadata(dir.join(MARKER_FILE)) else { return };
    for name in ["meta.json", ".managed.json"] {
        let _ = fs::set_permissions(dir.join(name), marker.permissions());
    }
}

/// The stem tables' writer, for the text fields (see `analysis::stems`).
fn stems_plugin(fields: &Fields) -> Arc<stems::StemsPlugin> {
    stems::StemsPlugin::new(vec![fields.title, fields.body, fields.related])
}

/// Plugins are not saved with an index: they are attached on every open,
/// before anything writes or merges (an index of another format has none to
/// attach, and is refused later by its format).
fn register_plugins(index: &mut Index) {
    if let Some(fields) = Fields::from_schema(&index.schema()) {
        index.register_plugin(stems_plugin(&fields));
    }
}

fn finish_open(index: Index, dir: &Path, aliases: Arc<Aliases>) -> Result<Store> {
    let fields = Fields::from_schema(&index.schema()).ok_or_else(|| Error::IndexVersion {
        path: dir.to_path_buf(),
        found: "unknown (fields differ)".to_owned(),
        expected: FORMAT,
    })?;
    index.tokenizers().register(analysis::ANALYZER, analysis::analyzer(&aliases));
    Ok(Store { index, fields, aliases, dir: dir.to_path_buf() })
}

/// The last commit's record, if the index was ever committed by newsearch.
fn read_commit(index: &Index, dir: &Path) -> Result<Option<CommitInfo>> {
    let metas = index.load_metas().map_err(Error::index(dir))?;
    let Some(payload) = metas.payload else { return Ok(None) };
    let info: CommitInfo = serde_json::from_str(&payload).map_err(|err| Error::IndexVersion {
        path: dir.to_path_buf(),
        found: format!("unreadable commit record ({err})"),
        expected: FORMAT,
    })?;
    if info.format != FORMAT {
        return Err(Error::IndexVersion {
            path: dir.to_path_buf(),
            found: info.format.to_string(),
            expected: FORMAT,
        });
    }
    Ok(Some(info))
}

/// Checks that `dir` holds a newsearch index of this format.
fn check_marker(dir: &Path) -> Result<()> {
    let path = dir.join(MARKER_FILE);
    let text = fs::read_to_string(&path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::PermissionDenied {
            Error::PermissionDenied { path: path.clone() }
        } else {
            Error::NotAnIndex { path: dir.to_path_buf(), reason: format!("no {MARKER_FILE}") }
        }
    })?;
    let marker: Marker = serde_json::from_str(&text).map_err(|_| Error::NotAnIndex {
        path: dir.to_path_buf(),
        reason: format!("{MARKER_FILE} is not newsearch's"),
    })?;
    if marker.format != FORMAT {
        return Err(Error::IndexVersion {
            path: dir.to_path_buf(),
            found: marker.format.to_string(),
            expected: FORMAT,
        });
    }
    Ok(())
}

/// Makes sure `dir` may be written; returns whether a new index must be created.
/// With `rebuild`, an index of another format is deleted, but only if its marker
/// proves newsearch made it.
fn prepare_folder(dir: &Path, rebuild: bool) -> Result<bool> {
    match fs::read_dir(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
            return Ok(true);
        }
        Err(err) => return Err(Error::Io { path: dir.to_path_buf(), source: err }),
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(true);
            }
        }
    }
    if !dir.join(MARKER_FILE).is_file() {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
            reason: format!("it is not empty and has no {MARKER_FILE}"),
        });
    }
    match check_marker(dir) {
        // A rebuild is how a damaged index is mended, and one whose metadata
        // tantivy cannot read cannot be rebuilt in place: it starts anew. One this
        // user may not read is not damaged, and is left as it is.
        Ok(()) if dir.join("meta.json").is_file() => {
            if rebuild && let Err(err) = Index::open_in_dir(dir) {
                if let err @ Error::PermissionDenied { .. } = Error::index(dir)(err) {
                    return Err(err);
                }
                remove_index_files(dir)?;
                return Ok(true);
            }
            Ok(false)
        }
        // A marker without meta.json: creation was interrupted; start again.
        Ok(()) => Ok(true),
        Err(Error::IndexVersion { .. }) if rebuild => {
            remove_index_files(dir)?;
            Ok(true)
        }
        Err(err) => Err(err),
    }
}

/// Deletes a newsearch index's own files (and nothing it did not write).
fn remove_index_files(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
        let entry = entry.map_err(Error::io(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name == TANTIVY_LOCK_FILE
            || name == ".tantivy-meta.lock"
            || name == MARKER_FILE
            || name == WRITER_FILE
            || is_segment_file(&name);
        if ours {
            fs::remove_file(entry.path()).map_err(Error::io(entry.path()))?;
        }
    }
    Ok(())
}

/// tantivy segment files: a 32-hex-digit id and a known extension.
fn is_segment_file(name: &str) -> bool {
    let Some((id, _ext)) = name.split_once('.') else { return false };
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn version_string() -> String {
    format!("newsearch {}", env!("CARGO_PKG_VERSION"))
}

/// Total size of the files in the index folder, in bytes.
pub fn size_on_disk(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(|e| e.ok()?.metadata().ok())
            .filter(fs::Metadata::is_file)
            .map(|m| m.len())
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positioned_file_reads_the_ranges_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        fs::write(dir.path().join("seg.store"), &bytes).unwrap();
        let file = PositionedFile::open(dir.path(), Path::new("seg.store")).unwrap();
        assert_eq!(file.len(), bytes.len());
        for range in [0..0, 0..1, 17..4_113, 9_000..10_000] {
            assert_eq!(file.read_bytes(range.clone()).unwrap().as_slice(), &bytes[range]);
        }
        // Past the end is an error, not a short read.
        assert!(file.read_bytes(9_999..10_001).is_err());
        assert!(matches!(
            PositionedFile::open(dir.path(), Path::new("gone.store")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
