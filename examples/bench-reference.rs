//! The engine's own limit, for `scripts/bench.sh`: the corpus walked and parsed
//! exactly as `newsearch index` does, but indexed by plain tantivy.
//!
//! ```text
//! cargo run --release --example bench-reference -- CORPUS_DIR INDEX_DIR [--threads N] [--memory-mb N]
//! ```
//!
//! What stays the same as newsearch: `corpus::walk`, `parse_file`, one parse
//! thread per core, each calling `add_document` on one shared `IndexWriter`,
//! the writer's threads and single merge thread, tantivy's default merge
//! policy, one commit, `wait_merging_threads`.
//!
//! The memory budget is the issue's engine-limit pipeline's (1 GB), not
//! newsearch's: at newsearch's 600 MB the reference's default merge policy
//! merged segments at 1M articles (3.9 GB peak RSS, and slower), which would
//! flatter the ratio. A bigger budget only makes the reference faster.
//!
//! What is left out, and is therefore the cost newsearch adds: the alias filter
//! (title and body use tantivy's `default` tokenizer), the source and folder
//! facets, the `related`, `id`, `path` and `url` fields, and the fast fields
//! for incremental runs.
//!
//! Prints one JSON line to stdout: `docs`, `files`, `skipped`, `bytes` (input)
//! and `seconds` (wall, walk to merged commit). Errors print
//! `bench-reference: ...` and exit 2.
//!
//! With `--jsonl FILE` nothing is indexed: `INDEX_DIR` gets an empty index with
//! the same schema, and FILE the parsed documents as JSON lines
//! (`{"title","body","date"}`), which is what `tantivy index` of tantivy-cli
//! reads: the peer comparison in `scripts/bench.sh --peers`.

use std::num::NonZero;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use clap::Parser;
use newsearch::corpus::article::ParseOptions;
use newsearch::corpus::parse_file;
use newsearch::corpus::{self, CorpusFile};
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy};
use tantivy::schema::{DateOptions, DateTimePrecision, Field, STORED, Schema, TEXT};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

/// The reference's memory budget, MiB: 1 GB, as in the issue's engine-limit
/// pipeline (and tantivy-cli's `-m 1000000000` in the peer run).
const REFERENCE_MEMORY_MB: u32 = 1000;

/// Plain-tantivy indexing of a corpus, parsed by newsearch's parser.
#[derive(Parser)]
#[command(name = "bench-reference")]
struct Args {
    /// Corpus folder (as given to `newsearch index`).
    corpus: PathBuf,
    /// Index folder to create; must be missing or empty.
    index: PathBuf,
    /// Writer threads [default: as newsearch: the number of cores, at most 8].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Writer memory budget in MiB, split between the writer threads.
    #[arg(long, default_value_t = REFERENCE_MEMORY_MB, value_parser = clap::value_parser!(u32).range(16..=65_536))]
    memory_mb: u32,
    /// Write the parsed documents here as JSON lines instead of indexing them;
    /// INDEX is left empty, with the schema, for tantivy-cli.
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
}

/// tantivy's limits on one writer thread's arena; newsearch clamps to the same.
const MIN_BUDGET_PER_THREAD: usize = 15_000_000;
const MAX_BUDGET_PER_THREAD: usize = 4_000_000_000;

struct Fields {
    title: Field,
    body: Field,
    date: Field,
}

struct Summary {
    docs: u64,
    files: usize,
    skipped: u64,
    bytes: u64,
    seconds: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(summary) => {
            let line = serde_json::json!({
                "docs": summary.docs,
                "files": summary.files,
                "skipped": summary.skipped,
                "bytes": summary.bytes,
                "seconds": summary.seconds,
            });
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-reference: {message}");
            ExitCode::from(2)
        }
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // TEXT is the `default` tokenizer (split, drop tokens over 40 bytes,
    // lowercase) with positions: the plain-tantivy baseline the issue asks for.
    let fields = Fields {
        title: builder.add_text_field("title", TEXT | STORED),
        body: builder.add_text_field("body", TEXT | STORED),
        date: builder.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
    };
    (builder.build(), fields)
}

fn run(args: &Args) -> Result<Summary, String> {
    let started = Instant::now();
    if !args.corpus.is_dir() {
        return Err(format!("{}: not a folder", args.corpus.display()));
    }
    let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
    let writer_threads = args.threads.map_or(cores.min(8), usize::from);
    let memory_bytes = args.memory_mb as usize * 1_048_576;

    std::fs::create_dir_all(&args.index)
        .map_err(|err| format!("{}: cannot create: {err}", args.index.display()))?;
    let not_empty = std::fs::read_dir(&args.index)
        .map_err(|err| format!("{}: {err}", args.index.display()))?
        .next()
        .is_some();
    if not_empty {
        // Refuse rather than delete: the path came from the command line.
        return Err(format!("{}: not empty; give a new folder", args.index.display()));
    }
    let (schema, fields) = schema();
    let index = Index::create_in_dir(&args.index, schema)
        .map_err(|err| format!("{}: {err}", args.index.display()))?;
    // The same writer layout as newsearch's store.rs, so that the ratio
    // measures analysis and document building, not writer settings.
    let options = IndexWriterOptions::builder()
        .num_worker_threads(writer_threads)
        .memory_budget_per_thread(
            (memory_bytes / writer_threads).clamp(MIN_BUDGET_PER_THREAD, MAX_BUDGET_PER_THREAD),
        )
        .num_merge_threads(1)
        .build();
    let mut writer: IndexWriter = index
        .writer_with_options(options)
        .map_err(|err| format!("{}: {err}", args.index.display()))?;
    writer.set_merge_policy(Box::new(LogMergePolicy::default()));

    let walk = corpus::walk(std::slice::from_ref(&args.corpus), &|_| None);
    let bytes = walk.files.iter().map(|file| file.len).sum();
    if let Some(path) = &args.jsonl {
        drop(writer);
        let (docs, skipped) = write_jsonl(&walk.files, path)?;
        return Ok(Summary {
            docs,
            files: walk.files.len(),
            skipped: skipped + walk.ignored.len() as u64,
            bytes,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let (docs, skipped) = parse_and_add(&walk.files, &writer, &fields, cores)?;
    writer.commit().map_err(|err| format!("{}: commit: {err}", args.index.display()))?;
    writer
        .wait_merging_threads()
        .map_err(|err| format!("{}: merge: {err}", args.index.display()))?;
    Ok(Summary {
        docs,
        files: walk.files.len(),
        skipped: skipped + walk.ignored.len() as u64,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The parsed documents as JSON lines for tantivy-cli, with the field names of
/// [`schema`]; dates as RFC 3339. One thread: this is preparation, not timed
/// against anything.
fn write_jsonl(files: &[CorpusFile], path: &std::path::Path) -> Result<(u64, u64), String> {
    use std::io::Write;
    let out = std::fs::File::create(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let mut out = std::io::BufWriter::new(out);
    let options = ParseOptions::default();
    let (mut docs, mut skipped) = (0, 0);
    for file in files {
        let Ok(parsed) = parse_file(&file.path, &options) else {
            skipped += 1;
            continue;
        };
        for article in parsed.articles {
            let mut line = serde_json::json!({ "body": article.body });
            if let Some(title) = article.title {
                line["title"] = title.into();
            }
            if let Some(date) = article.date {
                line["date"] = date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
            }
            writeln!(out, "{line}").map_err(|err| format!("{}: {err}", path.display()))?;
            docs += 1;
        }
    }
    out.flush().map_err(|err| format!("{}: {err}", path.display()))?;
    Ok((docs, skipped))
}

/// newsearch's parse layout: `threads` workers take the next file from a shared
/// counter, parse it and add its articles to the shared writer. Returns the
/// documents added and the files that failed to parse.
fn parse_and_add(
    files: &[CorpusFile],
    writer: &IndexWriter,
    fields: &Fields,
    threads: usize,
) -> Result<(u64, u64), String> {
    let next = AtomicUsize::new(0);
    let docs = AtomicU64::new(0);
    let skipped = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let options = ParseOptions::default();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    // newsearch skips and reports a bad file; the reference only counts it.
                    let Ok(parsed) = parse_file(&file.path, &options) else {
                        skipped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    for article in parsed.articles {
                        let mut doc = TantivyDocument::new();
                        if let Some(title) = &article.title {
                            doc.add_text(fields.title, title);
                        }
                        doc.add_text(fields.body, &article.body);
                        if let Some(date) = article.date {
                            doc.add_date(
                                fields.date,
                                DateTime::from_timestamp_secs(date.timestamp()),
                            );
                        }
                        if let Err(err) = writer.add_document(doc) {
                            failed.store(true, Ordering::Relaxed);
                            let mut slot = first_error
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            slot.get_or_insert(format!("add_document: {err}"));
                            return;
                        }
                        docs.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let first_error = first_error.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    match first_error {
        Some(message) => Err(message),
        None => Ok((docs.into_inner(), skipped.into_inner())),
    }
}
