//! The JSON Schemas of newsearch's versioned outputs, generated from the wire
//! structs themselves (schemars), so that a schema cannot drift from what is
//! written. The files in `schema/` are these documents: `tests/schemas.rs`
//! fails when one differs, and `NEWSEARCH_WRITE_SCHEMAS=1 cargo test --test
//! schemas` writes them anew after a change to a wire struct.
//!
//! `schema/index.v1.schema.json` is not here: no struct writes version 1 of
//! the index report any more, and the file stays, frozen, for old readers.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

use super::aliases::{AliasTableV1, ExplanationV1};
use super::json::{HitV1, IndexReportV2, QueryErrorV1, QueryReportV1, StatsReportV1};
use super::kwic::{KwicReportV1, KwicRowV1};
use crate::dupes::DupesReportV1;
use crate::export::document::DocumentV1;
use crate::show::ShownV1;

/// Where the schemas say they live.
const ID_BASE: &str = "https://github.com/newsearch/newsearch/schema/";

/// What every document adds to its description.
const VERSIONING: &str = "Adding optional fields keeps the version; any other change takes the next version and a new file.";

/// One file of `schema/`.
#[derive(Debug)]
pub struct SchemaFile {
    /// File name in `schema/`.
    pub name: &'static str,
    /// The schema document.
    pub schema: Value,
}

impl SchemaFile {
    /// The file's text: pretty JSON with a final newline.
    pub fn text(&self) -> String {
        // A `Value` always serialises.
        serde_json::to_string_pretty(&self.schema).unwrap_or_default() + "\n"
    }
}

/// Every generated schema file, in a fixed order.
pub fn schema_files() -> Vec<SchemaFile> {
    vec![
        one_of(
            "query.v1.schema.json",
            "newsearch query --format json, version 1",
            "One document per query (one per line with --batch). A batch line that could not run \
             is a QueryError instead. With --format jsonl each line is a Hit (with its query), or \
             a QueryError for a batch line that could not run.",
            |generator| {
                vec![
                    generator.subschema_for::<QueryReportV1<'static>>(),
                    generator.subschema_for::<QueryErrorV1<'static>>(),
                    generator.subschema_for::<HitV1<'static>>(),
                ]
            },
        ),
        root::<IndexReportV2<'static>>(
            "index.v2.schema.json",
            "newsearch index --format json, version 2",
            "The end-of-run summary of an index run. Counts are of documents (a CSV or JSON Lines \
             file holds many) and say what happened to the user's documents: added + updated + \
             unchanged = documents. Version 2 changed what updated and removed count (in version 1 \
             a changed file's documents were counted both updated and removed, and --rebuild \
             counted the old index's documents as removed) and added rebuilt and replaced.",
        ),
        root::<StatsReportV1<'static>>(
            "stats.v1.schema.json",
            "newsearch stats --format json, version 1",
            "What an index holds: documents, dates, counts per source, folder and entity, size.",
        ),
        one_of(
            "aliases.v1.schema.json",
            "newsearch aliases --format json, version 1",
            "The alias table (`newsearch aliases`), or the analyzer's tokens of a text \
             (`newsearch aliases --explain TEXT`).",
            |generator| {
                vec![
                    generator.subschema_for::<AliasTableV1<'static>>(),
                    generator.subschema_for::<ExplanationV1<'static>>(),
                ]
            },
        ),
        one_of(
            "kwic.v1.schema.json",
            "newsearch query --kwic, version 1",
            "Keyword in context: one row per occurrence of a matched word, phrase or entity in the \
             hits (not one per article), in the hits' order and then by position, title before \
             body. With --format json one KwicReport; with --format jsonl each line is a KwicRow; \
             --format csv has the same columns as a KwicRow (empty where a key is absent). A file \
             of its own rather than part of query.v1: a row is an occurrence, not a hit, and \
             exports are read row by row.",
            |generator| {
                vec![
                    generator.subschema_for::<KwicReportV1<'static>>(),
                    generator.subschema_for::<KwicRowV1<'static>>(),
                ]
            },
        ),
        root::<DupesReportV1<'static>>(
            "dupes.v1.schema.json",
            "newsearch dupes --format json, version 1",
            "The index's near-duplicate clusters (copies of one story), largest first, then \
             earliest first.",
        ),
        root::<ShownV1<'static>>(
            "show.v1.schema.json",
            "newsearch show --format json, version 1",
            "One stored article, as the index holds it; `show` prints one such object per id \
             found, one per line (ids not in the index are reported on stderr, and the exit code \
             is 1).",
        ),
        root::<DocumentV1<'static>>(
            "export-doc.v1.schema.json",
            "newsearch export: one line of docs.ndjson (and the source line of a bulk pair), \
             version 1",
            "An article as exported for a remote engine.",
        ),
    ]
}

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().for_serialize().into_generator()
}

/// A file whose document is one struct's schema.
fn root<T: JsonSchema>(name: &'static str, title: &str, description: &str) -> SchemaFile {
    let schema = generator().root_schema_for::<T>();
    let mut object = schema.as_object().cloned().unwrap_or_default();
    // The struct's own doc comment gives way to the file's description.
    object.remove("title");
    object.remove("description");
    SchemaFile { name, schema: document(name, title, description, object) }
}

/// A file whose document is one of several structs' schemas.
fn one_of(
    name: &'static str,
    title: &str,
    description: &str,
    roots: impl FnOnce(&mut SchemaGenerator) -> Vec<Schema>,
) -> SchemaFile {
    let mut generator = generator();
    let roots: Vec<Value> = roots(&mut generator).into_iter().map(Schema::to_value).collect();
    let definitions: Map<String, Value> = generator.take_definitions(true);
    let mut object = Map::new();
    object.insert("oneOf".into(), Value::Array(roots));
    object.insert("$defs".into(), Value::Object(definitions));
    SchemaFile { name, schema: document(name, title, description, object) }
}

/// `$schema`, `$id`, title and description, and `body`; descriptions, which
/// come from doc comments, as one line each.
fn document(name: &str, title: &str, description: &str, body: Map<String, Value>) -> Value {
    let mut object = Map::new();
    object.insert("$schema".into(), "https://json-schema.org/draft/2020-12/schema".into());
    object.insert("$id".into(), format!("{ID_BASE}{name}").into());
    object.insert("title".into(), title.into());
    object.insert("description".into(), format!("{description} {VERSIONING}").into());
    for (key, value) in body {
        if key != "$schema" {
            object.insert(key, value);
        }
    }
    let mut document = Value::Object(object);
    unwrap_descriptions(&mut document);
    document
}

/// Joins the lines of every `description` (a doc comment's wrapping), keeping
/// paragraph breaks.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => {
                        *text = text
                            .split("\n\n")
                            .map(|paragraph| paragraph.split('\n').collect::<Vec<_>>().join(" "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    _ => unwrap_descriptions(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}
