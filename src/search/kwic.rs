//! Keyword in context: one row per occurrence of the query's words, phrases
//! and entities in the hits (not one per article), with the words around it,
//! in the hits' order and then by position (title before body).
//!
//! Takes a [`SearchRequest`] and how many words of context; gives
//! [`KwicRow`]s. Occurrences are found by [`super::occurrences`], with the
//! index's analyzer, so a row is exactly what the index matched: an alias as
//! written, any form of a stem group, a phrase only where it stands.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;
use tantivy::collector::Count;
use tantivy::schema::Value;

use super::Searcher;
use super::facets::facet_leaf;
use super::occurrences::{self, Pattern};
use crate::analysis::{self, ENTITY_PREFIX};
use crate::error::{Error, Result};
use crate::fields;
use crate::query::{self, SearchRequest};

/// One occurrence of a query word, phrase or entity in a hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KwicRow {
    /// 1-based rank of the hit.
    pub rank: usize,
    /// Document id.
    pub id: String,
    /// Publication date.
    pub date: Option<DateTime<Utc>>,
    /// Outlet.
    pub source: Option<String>,
    /// `title` or `body`.
    pub field: &'static str,
    /// The words before the match, whitespace runs as one space.
    pub left: String,
    /// The match as the article wrote it.
    pub matched: String,
    /// The words after the match, whitespace runs as one space.
    pub right: String,
    /// Byte offset of the match in the field as stored.
    pub start: usize,
    /// Byte offset one past the match.
    pub end: usize,
    /// The entity matched, by name, when the match is an entity.
    pub entity: Option<String>,
    /// The entity's spelling as written, when the match is an entity.
    pub form: Option<String>,
}

/// Every row of a keyword-in-context search.
#[derive(Clone, Debug, PartialEq)]
pub struct KwicResults {
    /// The query as given.
    pub query: String,
    /// Hits over the whole index.
    pub total_hits: usize,
    /// The rows, in the hits' order, then by position.
    pub rows: Vec<KwicRow>,
}

impl Searcher {
    /// The keyword-in-context rows of `request`'s page of hits (every hit
    /// without a limit), with `context` words on each side.
    pub fn kwic(&self, request: &SearchRequest, context: usize) -> Result<KwicResults> {
        let searcher = self.reader.searcher();
        let index_error = || Error::index(self.store.dir.clone());
        let (query, groups) =
            query::build_searched(&self.store, &searcher, &self.tokenizers, request, &[])?;
        let total_hits = searcher.search(&*query, &Count).map_err(index_error())?;
        let wanted = request.limit.map_or(total_hits, |limit| request.offset.saturating_add(limit));
        let page = self.page(&searcher, &*query, request, wanted)?;

        let patterns = Pattern::of_groups(&groups);
        let entity_names: HashMap<&str, &str> = self
            .store
            .aliases
            .entities()
            .iter()
            .map(|entity| (entity.term.as_str(), entity.name.as_str()))
            .collect();
        let mut analyzer = analysis::analyzer(&self.store.aliases);
        let f = &self.store.fields;
        let mut rows = Vec::new();
        for (i, (_, address)) in page.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error())?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
            let id = text(f.id).to_owned();
            let date = doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0));
            let source = doc.get_first(f.source).and_then(|v| v.as_facet()).and_then(facet_leaf);
            for (field, name) in [(f.title, fields::TITLE), (f.body, fields::BODY)] {
                let stored = text(field);
                for found in occurrences::find(&mut analyzer, &patterns, field, stored) {
                    let entity = patterns[found.pattern]
                        .only_form()
                        .filter(|form| form.starts_with(ENTITY_PREFIX))
                        .and_then(|form| entity_names.get(form))
                        .map(|&name| name.to_owned());
                    let matched = stored[found.start..found.end].to_owned();
                    rows.push(KwicRow {
                        rank: request.offset + i + 1,
                        id: id.clone(),
                        date,
                        source: source.clone(),
                        field: name,
                        left: words_before(&stored[..found.start], context),
                        right: words_after(&stored[found.end..], context),
                        start: found.start,
                        end: found.end,
                        form: entity.as_ref().map(|_| matched.clone()),
                        entity,
                        matched,
                    });
                }
            }
        }
        Ok(KwicResults { query: request.query.clone(), total_hits, rows })
    }
}

/// The last `words` whitespace-separated words of `text`, joined by spaces.
fn words_before(text: &str, words: usize) -> String {
    let mut last: Vec<&str> = text.split_whitespace().rev().take(words).collect();
    last.reverse();
    let mut joined = last.join(" ");
    // What touches the match (`(`, `al-`) stays touching it; a space stays one.
    if !joined.is_empty() && text.ends_with(char::is_whitespace) {
        joined.push(' ');
    }
    joined
}

/// The first `words` whitespace-separated words of `text`, joined by spaces.
fn words_after(text: &str, words: usize) -> String {
    let first: Vec<&str> = text.split_whitespace().take(words).collect();
    let joined = first.join(" ");
    if !joined.is_empty() && text.starts_with(char::is_whitespace) {
        format!(" {joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_what_touches_the_match_and_one_space_otherwise() {
        assert_eq!(words_before("a b  c\nd ", 2), "c d ");
        assert_eq!(words_before("the (", 1), "(");
        assert_eq!(words_after("'s fall to  the\tarmy", 3), "'s fall to");
        assert_eq!(words_after(" fell, officials", 1), " fell,");
        assert_eq!(words_before("", 3), "");
    }
}
