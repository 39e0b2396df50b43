//! Export (issue 17): the documents of an index, or a query's hits, streamed
//! into files that a distributed engine loads, with the text normalised by
//! the one analyzer so that the remote engine matches as newsearch does (see
//! [`document`]).
//!
//! Input: an index and a [`ExportOptions`]; output: `docs.ndjson` and
//! `index-config.yaml` (Quickwit), or `bulk-NNNN.ndjson` and `index.json`
//! (`OpenSearch`), or `docs.ndjson` alone. Documents are read one at a time
//! from the index's document store and written at once, so memory does not
//! grow with the index. The hits of a query are found by the same request
//! and filter code as `newsearch query` ([`query::build()`]).

pub mod document;
pub mod opensearch;
pub mod quickwit;
pub mod remote;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use tantivy::collector::Count;
use tantivy::query::EnableScoring;
use tantivy::schema::{Facet, Value};
use tantivy::{DocAddress, DocSet, TERMINATED, TantivyDocument};

use crate::error::{Error, Result};
use crate::query::{self, QueryArgs, QueryTokenizers, SearchRequest};
use crate::store;
use document::{DocumentV1, Mentions, Normalizer};

/// The name of the documents file.
pub const DOCS_FILE: &str = "docs.ndjson";
/// The name of Quickwit's index configuration.
pub const QUICKWIT_CONFIG_FILE: &str = "index-config.yaml";
/// The name of `OpenSearch`'s settings and mappings.
pub const OPENSEARCH_SETTINGS_FILE: &str = "index.json";

/// What the export is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `docs.ndjson` and Quickwit's `index-config.yaml`.
    Quickwit,
    /// `bulk-NNNN.ndjson` and `index.json`.
    OpenSearch,
    /// `docs.ndjson` only.
    Ndjson,
}

/// What to export, as the user wrote it; the index decides how its dates and
/// filters read.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The index folder.
    pub index: PathBuf,
    /// The folder to write into: new, or empty.
    pub to: PathBuf,
    /// The engine.
    pub target: Target,
    /// Export only this query's hits (`newsearch query`'s syntax); every
    /// document when `None`.
    pub query: Option<String>,
    /// `--since`, as written.
    pub since: Option<String>,
    /// `--until`, as written.
    pub until: Option<String>,
    /// `--filter FIELD:VALUE`s, as written.
    pub filters: Vec<String>,
    /// The remote index's name (Quickwit's `index_id`, `OpenSearch`'s `_index`).
    pub name: String,
    /// Largest `OpenSearch` bulk file, in bytes.
    pub bulk_max_bytes: u64,
}

impl ExportOptions {
    /// Every document of the index at `index`, for `target`, into `to`.
    pub fn new(index: PathBuf, to: PathBuf, target: Target) -> ExportOptions {
        ExportOptions {
            index,
            to,
            target,
            query: None,
            since: None,
            until: None,
            filters: Vec::new(),
            name: "newsearch".to_owned(),
            bulk_max_bytes: opensearch::MAX_BULK_BYTES,
        }
    }
}

/// Progress of an export, for the caller to show.
#[derive(Clone, Copy, Debug)]
pub enum ExportEvent {
    /// The documents to write are counted.
    Started {
        /// How many.
        documents: u64,
    },
    /// One document is written.
    Written {
        /// Bytes it took.
        bytes: u64,
    },
}

/// What an export did.
#[derive(Clone, Debug)]
pub struct ExportSummary {
    /// Documents written.
    pub documents: u64,
    /// Bytes written, all files together.
    pub bytes: u64,
    /// Files written, in the order they were made.
    pub files: Vec<PathBuf>,
    /// How long it took.
    pub elapsed: Duration,
    /// The shell commands that load the files into the engine (none for ndjson).
    pub load_commands: Vec<String>,
}

/// Exports what `options` asks for; `on_event` hears about each document.
pub fn export(options: &ExportOptions, on_event: &dyn Fn(ExportEvent)) -> Result<ExportSummary> {
    let started = Instant::now();
    check_name(&options.name)?;
    // One pass over the stored documents: read, not mapped (see the function).
    let store = store::open_for_one_pass(&options.index)?;
    let request = request(&store, options)?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let index_error = || Error::index(store.dir.clone());
    let query = query::build(&store, &searcher, &QueryTokenizers::new(&store), &request, &[])?;
    let total = searcher.search(&*query, &Count).map_err(index_error())?;
    prepare_folder(&options.to)?;
    on_event(ExportEvent::Started { documents: total as u64 });

    let mut sink = Sink::new(options)?;
    let mut normalizer = Normalizer::new(&store.aliases);
    let mut document = Scratch { merges: store.cluster_merges()?, ..Scratch::default() };
    let mut line = Vec::with_capacity(1 << 16);
    let mut documents = 0_u64;
    let weight =
        query.weight(EnableScoring::disabled_from_searcher(&searcher)).map_err(index_error())?;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(segment, 1.0).map_err(index_error())?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                let address = DocAddress::new(ord as u32, doc);
                let stored: TantivyDocument = searcher.doc(address).map_err(index_error())?;
                line.clear();
                let id = document.fill(&store, &stored, &mut normalizer, &mut line)?;
                let bytes = sink.write(&id, &line)?;
                documents += 1;
                on_event(ExportEvent::Written { bytes });
            }
            doc = scorer.advance();
        }
    }
    let (mut files, mut bytes) = sink.finish()?;
    let mut load_commands = Vec::new();
    match options.target {
        Target::Ndjson => {}
        Target::Quickwit => {
            let config = options.to.join(QUICKWIT_CONFIG_FILE);
            let yaml = quickwit::index_config(&options.name);
            fs::write(&config, &yaml).map_err(Error::io(&config))?;
            bytes += yaml.len() as u64;
            load_commands
                .push(format!("quickwit index create --index-config {}", shell_quote(&config)));
            load_commands.push(format!(
                "quickwit index ingest --index {} --input-path {}",
                options.name,
                shell_quote(&options.to.join(DOCS_FILE))
            ));
            files.push(config);
        }
        Target::OpenSearch => {
            let settings = options.to.join(OPENSEARCH_SETTINGS_FILE);
            let mut json = serde_json::to_vec_pretty(&opensearch::index_settings())
                .map_err(|err| Error::io(&settings)(err.into()))?;
            json.push(b'\n');
            fs::write(&settings, &json).map_err(Error::io(&settings))?;
            bytes += json.len() as u64;
            load_commands.push(format!(
                "curl -fsS -XPUT \"$OPENSEARCH/{}\" -H 'Content-Type: application/json' --data-binary @{}",
                options.name,
                shell_quote(&settings)
            ));
            let bulk = shell_quote(&options.to.join("bulk-"));
            load_commands.push(format!(
                "for f in {bulk}*.ndjson; do curl -fsS -XPOST \"$OPENSEARCH/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @\"$f\" >/dev/null || break; done"
            ));
            files.push(settings);
        }
    }
    Ok(ExportSummary { documents, bytes, files, elapsed: started.elapsed(), load_commands })
}

/// The search request the options describe, read as `newsearch query` reads
/// the same options on this index (dates in its slash order, filters checked).
fn request(store: &store::Store, options: &ExportOptions) -> Result<SearchRequest> {
    let args = QueryArgs {
        query: Some(options.query.clone().unwrap_or_else(|| "*".to_owned())),
        since: options.since.clone(),
        until: options.until.clone(),
        filter: options.filters.clone(),
        ..QueryArgs::default()
    };
    query::request_with(&args, store.slash_dates()?.unwrap_or_default())
}

/// Quickwit's index ids and `OpenSearch`'s index names both accept this.
fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && (3..=100).contains(&name.len());
    if valid {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--name {name:?}: 3 to 100 lowercase letters, digits, `-` or `_`, starting with a letter (what Quickwit and OpenSearch both accept)"
        )))
    }
}

/// Makes `dir`, or accepts it empty: an export never overwrites files.
fn prepare_folder(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let mut entries = fs::read_dir(dir).map_err(Error::io(dir))?;
    if entries.next().is_some() {
        return Err(Error::Usage(format!(
            "--to {}: the folder is not empty; export writes into a new or empty folder",
            dir.display()
        )));
    }
    Ok(())
}

/// `path` as one shell word.
fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Where document lines go.
enum Sink {
    Docs { path: PathBuf, out: BufWriter<File>, bytes: u64 },
    Bulk(opensearch::BulkWriter),
}

impl Sink {
    fn new(options: &ExportOptions) -> Result<Sink> {
        Ok(match options.target {
            Target::OpenSearch => Sink::Bulk(opensearch::BulkWriter::new(
                &options.to,
                &options.name,
                options.bulk_max_bytes,
            )),
            Target::Quickwit | Target::Ndjson => {
                let path = options.to.join(DOCS_FILE);
                let file = File::create(&path).map_err(Error::io(&path))?;
                Sink::Docs { out: BufWriter::with_capacity(1 << 20, file), path, bytes: 0 }
            }
        })
    }

    fn write(&mut self, id: &str, line: &[u8]) -> Result<u64> {
        match self {
            Sink::Docs { path, out, bytes } => {
                out.write_all(line)
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(Error::io(path.as_path()))?;
                let written = line.len() as u64 + 1;
                *bytes += written;
                Ok(written)
            }
            Sink::Bulk(bulk) => bulk.write(id, line),
        }
    }

    /// The files, and the bytes in them.
    fn finish(self) -> Result<(Vec<PathBuf>, u64)> {
        match self {
            Sink::Docs { path, mut out, bytes } => {
                out.flush().map_err(Error::io(&path))?;
                Ok((vec![path], bytes))
            }
            Sink::Bulk(bulk) => {
                let files = bulk.finish()?;
                let mut bytes = 0;
                for file in &files {
                    bytes += fs::metadata(file).map_err(Error::io(file))?.len();
                }
                Ok((files, bytes))
            }
        }
    }
}

/// Buffers reused from one document to the next.
#[derive(Default)]
struct Scratch {
    /// The index's cluster merges, to name each document's cluster.
    merges: crate::clusters::Merges,
    title_norm: String,
    body_norm: String,
    mentions: Mentions,
}

impl Scratch {
    /// Writes the JSON of `stored` to `line`; returns its id.
    fn fill(
        &mut self,
        store: &store::Store,
        stored: &TantivyDocument,
        normalizer: &mut Normalizer,
        line: &mut Vec<u8>,
    ) -> Result<String> {
        let f = &store.fields;
        let text = |field| stored.get_first(field).and_then(|v| v.as_str());
        let facet = |field| {
            stored
                .get_first(field)
                .and_then(|v| v.as_facet())
                .and_then(|encoded| Facet::from_encoded(encoded.as_bytes().to_vec()).ok())
        };
        let title = text(f.title);
        let body = text(f.body).unwrap_or_default();
        self.mentions.clear();
        if let Some(title) = title {
            normalizer.normalize(title, &mut self.title_norm, &mut self.mentions);
        }
        normalizer.normalize(body, &mut self.body_norm, &mut self.mentions);
        let source = facet(f.source).and_then(|s| s.to_path().last().map(|s| (*s).to_owned()));
        let folder = facet(f.folder).map(|s| s.to_path_string());
        let date = stored
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true));
        let related: Vec<&str> = stored.get_all(f.related).filter_map(|v| v.as_str()).collect();
        let id = text(f.id).unwrap_or_default();
        let document = DocumentV1 {
            id,
            path: text(f.path).unwrap_or_default(),
            url: text(f.url),
            offset: stored.get_first(f.offset).and_then(|v| v.as_u64()),
            author: text(f.author),
            language: text(f.language),
            title,
            body,
            title_norm: title.map(|_| self.title_norm.as_str()),
            body_norm: &self.body_norm,
            entities: &self.mentions.entities,
            forms: &self.mentions.forms,
            source: source.as_deref(),
            folder: folder.as_deref(),
            date: date.as_deref(),
            related: &related,
            cluster: stored
                .get_first(f.cluster)
                .and_then(|v| v.as_u64())
                .map(|stored| crate::dupes::cluster_name(self.merges.resolve(stored))),
        };
        serde_json::to_writer(&mut *line, &document)
            .map_err(|err| Error::io(&store.dir)(err.into()))?;
        Ok(id.to_owned())
    }
}
