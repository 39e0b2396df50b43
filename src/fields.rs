//! The tantivy schema: the only place field names are spelled. See
//! `schema/fields.md` for the same list written for users.

use tantivy::schema::{
    BytesOptions, DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption,
    NumericOptions, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::ANALYZER;

/// Stable document id: the record's own id, else its path relative to the
/// corpus root's parent, plus `#LINE` for a record of a multi-record file, or
/// `#LINE.PLACE` where several records start on that line (a minified JSON array:
/// `min.json#1.2` is the second record of line 1), so ids within a file are distinct.
pub const ID: &str = "id";
/// The file the document came from, as walked from the corpus root's canonical path;
/// also the key for incremental runs.
pub const PATH: &str = "path";
/// Headline.
pub const TITLE: &str = "title";
/// Article text without the scraper trailer.
pub const BODY: &str = "body";
/// Headlines of other articles left by the scraper: searchable only with `related:`.
pub const RELATED: &str = "related";
/// Publication date, UTC.
pub const DATE: &str = "date";
/// Outlet, as a facet (`/FNA`).
pub const SOURCE: &str = "source";
/// The file's folder relative to the corpus root's parent, as a facet (`/bbc/business`).
pub const FOLDER: &str = "folder";
/// Not a stored field: the name of the entity facet and filter, which are
/// computed from the canonical entity terms the analyzer writes into title
/// and body (see `search::collect::EntityCounts`).
pub const ENTITY: &str = "entity";
/// Not a stored field: the name of the lineage facet, filter and query
/// prefix, which search the canonical terms of every entity of a line of
/// renamed groups (`schema/aliases.toml`'s `succeeds`).
pub const LINEAGE: &str = "lineage";
/// Not a stored field: the name of the facet of entity spellings, read from
/// the hits' text.
pub const FORM: &str = "form";
/// Link to the article, if the record had one.
pub const URL: &str = "url";
/// The author(s), as a web page or a crawler's record names them.
pub const AUTHOR: &str = "author";
/// The language tag a web page or a crawler's record declares (`en`).
pub const LANGUAGE: &str = "language";
/// For a record of a WARC archive: where the record starts in the archive file (`path`).
pub const OFFSET: &str = "offset";
/// The near-duplicate cluster the article belongs to, as stored when it was
/// indexed (a `u64`; see `clusters::Merges` for names that were merged since).
pub const CLUSTER: &str = "cluster";
/// The article body's near-duplicate signature (`clusters::Signature`), bytes.
pub const SIGNATURE: &str = "signature";
/// The file's modification time (ns) when it was indexed: to skip unchanged files.
pub const FILE_MODIFIED: &str = "file_modified";
/// The file's length when it was indexed: to skip unchanged files.
pub const FILE_LEN: &str = "file_len";

/// Fields a query searches when it names none.
pub const DEFAULT_SEARCH: [&str; 2] = [TITLE, BODY];
/// Where an article mentions an entity: the entity's canonical term in one of
/// these fields. The `entity` facet, filter and query prefix all look here.
pub const ENTITY_SEARCH: [&str; 2] = [TITLE, BODY];
/// Facet fields whose query values are plain names.
pub const NAME_FACETS: [&str; 2] = [SOURCE, FOLDER];

/// Handles of every field.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// See [`ID`].
    pub id: Field,
    /// See [`PATH`].
    pub path: Field,
    /// See [`TITLE`].
    pub title: Field,
    /// See [`BODY`].
    pub body: Field,
    /// See [`RELATED`].
    pub related: Field,
    /// See [`DATE`].
    pub date: Field,
    /// See [`SOURCE`].
    pub source: Field,
    /// See [`FOLDER`].
    pub folder: Field,
    /// See [`URL`].
    pub url: Field,
    /// See [`AUTHOR`].
    pub author: Field,
    /// See [`LANGUAGE`].
    pub language: Field,
    /// See [`OFFSET`].
    pub offset: Field,
    /// See [`CLUSTER`].
    pub cluster: Field,
    /// See [`SIGNATURE`].
    pub signature: Field,
    /// See [`FILE_MODIFIED`].
    pub file_modified: Field,
    /// See [`FILE_LEN`].
    pub file_len: Field,
}

/// A date as the index stores it (whole seconds), or `None` where the index cannot
/// hold it: tantivy counts nanoseconds in an `i64`, which spans 1677-09-21 to
/// 2262-04-11, and its conversion overflows (a panic, or a wrong date) beyond.
pub fn index_date(date: &chrono::DateTime<chrono::Utc>) -> Option<tantivy::DateTime> {
    let secs = date.timestamp();
    secs.checked_mul(1_000_000_000)?;
    Some(tantivy::DateTime::from_timestamp_secs(secs))
}

/// The schema of a newsearch index, and handles of its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Positions make phrase queries work; stored text makes snippets.
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_text_field(ID, STRING | STORED),
        path: builder.add_text_field(PATH, (STRING | STORED).set_fast("raw")),
        title: builder.add_text_field(TITLE, text.clone()),
        body: builder.add_text_field(BODY, text.clone()),
        related: builder.add_text_field(RELATED, text),
        date: builder.add_date_field(
            DATE,
            DateOptions::default()
                .set_indexed()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        source: builder.add_facet_field(SOURCE, FacetOptions::default().set_stored()),
        folder: builder.add_facet_field(FOLDER, FacetOptions::default().set_stored()),
        url: builder.add_text_field(URL, STRING | STORED),
        author: builder.add_text_field(AUTHOR, STRING | STORED),
        language: builder.add_text_field(LANGUAGE, STRING | STORED),
        offset: builder.add_u64_field(OFFSET, STORED),
        // Not indexed: `dupes` and `--collapse` read the fast field, and a term per
        // cluster (one per article, mostly) cost indexing time. Stored for `export`.
        cluster: builder.add_u64_field(CLUSTER, NumericOptions::default().set_fast().set_stored()),
        signature: builder.add_bytes_field(SIGNATURE, BytesOptions::default().set_fast()),
        file_modified: builder.add_i64_field(FILE_MODIFIED, NumericOptions::default().set_fast()),
        file_len: builder.add_u64_field(FILE_LEN, NumericOptions::default().set_fast()),
    };
    (builder.build(), fields)
}

impl Fields {
    /// Handles of [`ENTITY_SEARCH`].
    pub fn entity_search(&self) -> [Field; 2] {
        [self.title, self.body]
    }

    /// Handles for an index's schema; `None` if a field is missing, i.e. the
    /// index was not made by this version of newsearch.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let get = |name| schema.get_field(name).ok();
        Some(Fields {
            id: get(ID)?,
            path: get(PATH)?,
            title: get(TITLE)?,
            body: get(BODY)?,
            related: get(RELATED)?,
            date: get(DATE)?,
            source: get(SOURCE)?,
            folder: get(FOLDER)?,
            url: get(URL)?,
            author: get(AUTHOR)?,
            language: get(LANGUAGE)?,
            offset: get(OFFSET)?,
            cluster: get(CLUSTER)?,
            signature: get(SIGNATURE)?,
            file_modified: get(FILE_MODIFIED)?,
            file_len: get(FILE_LEN)?,
        })
    }
}
