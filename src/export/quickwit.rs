//! Quickwit 0.9: the `index-config.yaml` for the exported `docs.ndjson`.
//!
//! Text as written is indexed with Quickwit's `default` tokenizer (tantivy's
//! simple tokenizer, lowercased); the normalised fields also use `default`,
//! which splits them exactly where newsearch's analyzer split them (the
//! tokens hold letters and digits only) and keeps entity tokens whole.
//! Quickwit has no stemming tokenizer to configure, so words are indexed as
//! newsearch indexes them, as written, and stems belong in the query, as
//! newsearch expands them. Entities, sources and folders are `raw` fast
//! fields, so terms aggregations count them as the facets do.

use std::fmt::Write as _;

use super::document::{self, FieldKind};

/// Quickwit's name for the text tokenizer of plain text.
const TEXT_TOKENIZER: &str = "default";

/// The YAML text of the index configuration for index `name`.
pub fn index_config(name: &str) -> String {
    let mut yaml = String::new();
    let _ = writeln!(yaml, "# Written by `newsearch export --target quickwit` (Quickwit 0.9).");
    let _ = writeln!(yaml, "version: 0.9");
    let _ = writeln!(yaml, "index_id: {name}");
    let _ = writeln!(yaml, "doc_mapping:");
    // Lines of a later newsearch with more fields still load.
    let _ = writeln!(yaml, "  mode: lenient");
    let _ = writeln!(yaml, "  field_mappings:");
    for (field, kind) in document::FIELDS {
        let _ = writeln!(yaml, "    - name: {field}");
        let lines: &[&str] = match kind {
            FieldKind::Keyword => &["type: text", "tokenizer: raw"],
            FieldKind::Keywords => &["type: array<text>", "tokenizer: raw"],
            FieldKind::Facet if field == document::ENTITIES => {
                &["type: array<text>", "tokenizer: raw", "fast: true"]
            }
            FieldKind::Facet => &["type: text", "tokenizer: raw", "fast: true"],
            FieldKind::Text => &["type: text", "record: position"],
            // Field norms make BM25 scores, which `sort_by: _score` (the
            // requests of `query --print-remote`) ranks by.
            FieldKind::Normalized => &["type: text", "record: position", "fieldnorms: true"],
            FieldKind::Texts => &["type: array<text>", "record: position"],
            FieldKind::Integer => &["type: u64", "indexed: false"],
            FieldKind::Date => &[
                "type: datetime",
                "input_formats: [rfc3339]",
                "output_format: rfc3339",
                "fast: true",
                "fast_precision: seconds",
            ],
        };
        for line in lines {
            let _ = writeln!(yaml, "      {line}");
        }
        if matches!(kind, FieldKind::Text | FieldKind::Texts | FieldKind::Normalized) {
            let _ = writeln!(yaml, "      tokenizer: {TEXT_TOKENIZER}");
        }
    }
    let _ = writeln!(yaml, "  timestamp_field: {}", document::DATE);
    let _ = writeln!(yaml, "search_settings:");
    let _ = writeln!(
        yaml,
        "  default_search_fields: [{}, {}]",
        document::TITLE_NORM,
        document::BODY_NORM
    );
    let _ = writeln!(yaml, "indexing_settings:");
    let _ = writeln!(yaml, "  commit_timeout_secs: 30");
    yaml
}
