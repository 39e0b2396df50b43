//! `newsearch show`: document ids → the articles as the index stores them (title,
//! date, source, url, path, WARC offset, author, language, related headlines and the
//! whole body as indexed), so that a user can read a hit and check what was extracted
//! from a page.
//!
//! [`show`] looks the ids up; [`write_human`] and [`write_json`] render them. The JSON
//! form is one [`ShownV1`] object per line (`schema/show.v1.schema.json`).

use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::store;

/// The version of `newsearch show --format json` ([`ShownV1`]).
pub const SHOW_SCHEMA_VERSION: u32 = 1;

/// One stored article.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredArticle {
    /// Its id.
    pub id: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date, UTC.
    pub date: Option<DateTime<Utc>>,
    /// Outlet.
    pub source: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// The file it came from (the index's key).
    pub path: String,
    /// For a WARC record: its byte offset in the archive.
    pub offset: Option<u64>,
    /// The author(s).
    pub author: Option<String>,
    /// Declared language.
    pub language: Option<String>,
    /// Folder below the corpus root's parent (`articles/business`).
    pub folder: Option<String>,
    /// Headlines of related articles.
    pub related: Vec<String>,
    /// The body as indexed.
    pub body: String,
}

/// What [`show`] found: the articles in the order asked, and the ids not in the index.
#[derive(Clone, Debug, Default)]
pub struct ShowResults {
    /// Each id asked for that the index holds, in the order given.
    pub articles: Vec<StoredArticle>,
    /// The ids the index does not hold.
    pub unknown: Vec<String>,
}

/// Looks up `ids` in the index at `dir`.
pub fn show(dir: &Path, ids: &[String]) -> Result<ShowResults> {
    let store = store::open(dir)?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let f = store.fields;
    let mut results = ShowResults::default();
    for id in ids {
        let query = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        // Ids are unique within an index (a file's repeated ids are dropped at parsing).
        let found = searcher.search(&query, &DocSetCollector).map_err(Error::index(&store.dir))?;
        let Some(address) = found.iter().min() else {
            results.unknown.push(id.clone());
            continue;
        };
        let doc: TantivyDocument = searcher.doc(*address).map_err(Error::index(&store.dir))?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_owned);
        let facet = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_facet())
                .and_then(|encoded| Facet::from_encoded(encoded.as_bytes().to_vec()).ok())
        };
        results.articles.push(StoredArticle {
            id: id.clone(),
            title: text(f.title),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            source: facet(f.source).and_then(|s| s.to_path().last().map(|s| (*s).to_owned())),
            url: text(f.url),
            path: text(f.path).unwrap_or_default(),
            offset: doc.get_first(f.offset).and_then(|v| v.as_u64()),
            author: text(f.author),
            language: text(f.language),
            folder: facet(f.folder).map(|folder| folder.to_path().join("/")),
            related: doc.get_all(f.related).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            body: text(f.body).unwrap_or_default(),
        });
    }
    Ok(results)
}

/// `newsearch show --format json`: one article (schema version 1).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Shown")]
#[schemars(deny_unknown_fields)]
pub struct ShownV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// The document id, as query prints it.
    pub id: &'a str,
    /// Headline.
    pub title: Option<&'a str>,
    /// Publication date, RFC 3339 UTC (for a WARC record without a date of
    /// its own, when it was fetched).
    #[schemars(extend("format" = "date-time"))]
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<&'a str>,
    /// Link (for a WARC record, its WARC-Target-URI).
    pub url: Option<&'a str>,
    /// The file the article came from (a WARC archive for its records): the
    /// key of incremental indexing.
    pub path: &'a str,
    /// For a WARC record: the byte offset in the archive where the record
    /// (its gzip member in a .warc.gz) starts.
    pub offset: Option<u64>,
    /// Author(s), as the page or record names them.
    pub author: Option<&'a str>,
    /// Language tag the page or record declares.
    pub language: Option<&'a str>,
    /// The file's folder below the corpus root's parent.
    pub folder: Option<&'a str>,
    /// Headlines of related articles from the scraper trailer.
    pub related: &'a [String],
    /// The whole body as indexed (extracted text for a web page).
    pub body: &'a str,
}

impl<'a> ShownV1<'a> {
    /// The wire form of `article`.
    pub fn new(article: &'a StoredArticle) -> ShownV1<'a> {
        ShownV1 {
            schema_version: SHOW_SCHEMA_VERSION,
            id: &article.id,
            title: article.title.as_deref(),
            date: article.date.as_ref().map(crate::output::json::rfc3339),
            source: article.source.as_deref(),
            url: article.url.as_deref(),
            path: &article.path,
            offset: article.offset,
            author: article.author.as_deref(),
            language: article.language.as_deref(),
            folder: article.folder.as_deref(),
            related: &article.related,
            body: &article.body,
        }
    }
}

/// One JSON object per article, one per line.
pub fn write_json(articles: &[StoredArticle], out: &mut impl Write) -> io::Result<()> {
    for article in articles {
        serde_json::to_writer(&mut *out, &ShownV1::new(article)).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(())
}

/// For a person: a header of `name: value` lines, a blank line, the body; articles
/// separated by a line of dashes. Control characters are escaped, as in query output.
pub fn write_human(articles: &[StoredArticle], out: &mut impl Write) -> io::Result<()> {
    for (index, article) in articles.iter().enumerate() {
        if index > 0 {
            writeln!(out, "\n{}\n", "-".repeat(72))?;
        }
        let mut line = |name: &str, value: Option<&str>| -> io::Result<()> {
            match value {
                Some(value) => writeln!(out, "{name:<9} {}", escape_controls(value, false)),
                None => Ok(()),
            }
        };
        line("id", Some(&article.id))?;
        line("title", article.title.as_deref())?;
        line("date", article.date.as_ref().map(crate::output::json::rfc3339).as_deref())?;
        line("source", article.source.as_deref())?;
        line("url", article.url.as_deref())?;
        line("path", Some(&article.path))?;
        line("offset", article.offset.map(|offset| offset.to_string()).as_deref())?;
        line("author", article.author.as_deref())?;
        line("language", article.language.as_deref())?;
        line("folder", article.folder.as_deref())?;
        for headline in &article.related {
            line("related", Some(headline))?;
        }
        writeln!(out)?;
        writeln!(out, "{}", escape_controls(&article.body, true))?;
    }
    Ok(())
}

/// Control characters (an escape sequence in a scraped page) written as `\u{1b}`, so that
/// they never reach the terminal; line breaks are kept in the body.
fn escape_controls(text: &str, keep_lines: bool) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !(keep_lines && c == '\n') {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_output_escapes_controls_but_keeps_paragraphs() {
        let article = StoredArticle {
            id: "a".into(),
            title: Some("Title\u{1b}[31m".into()),
            body: "One.\n\nTwo.".into(),
            offset: Some(42),
            ..StoredArticle::default()
        };
        let mut out = Vec::new();
        write_human(std::slice::from_ref(&article), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "id        a\ntitle     Title\\u{1b}[31m\npath      \noffset    42\n\nOne.\n\nTwo.\n"
        );
    }
}
