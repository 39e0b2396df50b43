//! `OpenSearch` (and Elasticsearch): `index.json` (settings and mappings) and
//! the `_bulk` files, each at most [`MAX_BULK_BYTES`] with whole action and
//! source pairs and a final newline.
//!
//! The normalised fields use the analyzer `newsearch_norm`: the `whitespace`
//! tokenizer (the export already split the text where newsearch splits it)
//! and Snowball English, the stemmer newsearch matches words by (Porter2;
//! `OpenSearch`'s `stemmer` filter with `english` is the older Porter). A
//! `keyword_marker` keeps entity tokens away from the stemmer, which their
//! final digit already does.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::document::{self, ENTITY_TOKEN_PREFIX, ENTITY_TOKEN_SUFFIX, FieldKind};
use crate::error::{Error, Result};

/// Largest bulk file, in bytes: under `OpenSearch`'s default
/// `http.max_content_length` (100 MiB).
pub const MAX_BULK_BYTES: u64 = 100_000_000;

/// The analyzer of the normalised fields.
pub const NORM_ANALYZER: &str = "newsearch_norm";

/// `index.json`: the body of `PUT /NAME`.
pub fn index_settings() -> Value {
    let mut properties = serde_json::Map::new();
    for (field, kind) in document::FIELDS {
        let mapping = match kind {
            FieldKind::Keyword | FieldKind::Keywords | FieldKind::Facet => {
                json!({"type": "keyword"})
            }
            FieldKind::Text | FieldKind::Texts => json!({"type": "text"}),
            FieldKind::Normalized => json!({"type": "text", "analyzer": NORM_ANALYZER}),
            FieldKind::Date => json!({"type": "date", "format": "strict_date_time_no_millis"}),
            FieldKind::Integer => json!({"type": "long", "index": false}),
        };
        properties.insert(field.to_owned(), mapping);
    }
    json!({
        "settings": {
            "analysis": {
                "filter": {
                    "newsearch_entities": {
                        "type": "keyword_marker",
                        "keywords_pattern": format!("^{ENTITY_TOKEN_PREFIX}.*{ENTITY_TOKEN_SUFFIX}$"),
                    },
                    "newsearch_stem": {"type": "snowball", "language": "English"},
                },
                "analyzer": {
                    NORM_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "whitespace",
                        "filter": ["newsearch_entities", "newsearch_stem"],
                    },
                },
            },
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    })
}

/// Writes action and source lines into `bulk-0001.ndjson`, `bulk-0002.ndjson`,
/// ..., starting a new file before a pair would take one past its limit.
pub struct BulkWriter {
    dir: PathBuf,
    index: String,
    max_bytes: u64,
    current: Option<(PathBuf, BufWriter<File>, u64)>,
    files: Vec<PathBuf>,
    action: Vec<u8>,
}

impl BulkWriter {
    /// A writer into `dir` for index `index`, with files of at most `max_bytes`
    /// (a single pair larger than that gets a file of its own).
    pub fn new(dir: &Path, index: &str, max_bytes: u64) -> BulkWriter {
        BulkWriter {
            dir: dir.to_path_buf(),
            index: index.to_owned(),
            max_bytes,
            current: None,
            files: Vec::new(),
            action: Vec::new(),
        }
    }

    /// Writes one document (its JSON without a newline); returns the bytes written.
    pub fn write(&mut self, id: &str, source: &[u8]) -> Result<u64> {
        self.action.clear();
        serde_json::to_writer(
            &mut self.action,
            &json!({"index": {"_index": self.index, "_id": id}}),
        )
        .map_err(|err| Error::io(&self.dir)(err.into()))?;
        let pair = (self.action.len() + source.len() + 2) as u64;
        let full = self.current.as_ref().is_some_and(|(_, _, len)| len + pair > self.max_bytes);
        if full {
            self.finish_file()?;
        }
        if self.current.is_none() {
            let path = self.dir.join(format!("bulk-{:04}.ndjson", self.files.len() + 1));
            let file = File::create(&path).map_err(Error::io(&path))?;
            self.files.push(path.clone());
            self.current = Some((path, BufWriter::with_capacity(1 << 20, file), 0));
        }
        if let Some((path, out, len)) = &mut self.current {
            let written = out
                .write_all(&self.action)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.write_all(source))
                .and_then(|()| out.write_all(b"\n"));
            written.map_err(Error::io(path.as_path()))?;
            *len += pair;
        }
        Ok(pair)
    }

    fn finish_file(&mut self) -> Result<()> {
        if let Some((path, mut out, _)) = self.current.take() {
            out.flush().map_err(Error::io(path))?;
        }
        Ok(())
    }

    /// Flushes the last file; returns every file written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>> {
        self.finish_file()?;
        Ok(self.files)
    }
}
