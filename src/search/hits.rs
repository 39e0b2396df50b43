//! A hit's shape: the stored fields of a document on the page, its snippet and
//! the entities it mentions → [`Hit`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;

use super::Searcher;
use super::facets::facet_leaf;
use super::occurrences::{self, Pattern};
use super::snippets;
use crate::analysis::EntityFinder;

/// One hit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// 1-based rank over all hits (offset included).
    pub rank: usize,
    /// Relevance score (BM25); 0 when sorted by date.
    pub score: f32,
    /// Document id.
    pub id: String,
    /// Source file.
    pub path: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date.
    pub date: Option<DateTime<Utc>>,
    /// Outlet.
    pub source: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// The best fragment of the body.
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// Canonical names of the entities the article mentions.
    pub entities: Vec<String>,
    /// Each entity's mentions by the table's spelling that matched, in
    /// table order of entities, then by spelling.
    pub matches: Vec<EntityMatch>,
    /// Headlines of related articles from the scraper trailer.
    pub related: Vec<String>,
    /// Score breakdown, with `--explain`.
    pub explanation: Option<serde_json::Value>,
    /// With `--collapse`: the other members of the hit's story among the hits
    /// (its copies), earliest first.
    pub copies: Option<Vec<Copy>>,
}

/// Another copy of a hit's story (`--collapse`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// Document id.
    pub id: String,
    /// Outlet.
    pub source: Option<String>,
    /// Publication date.
    pub date: Option<DateTime<Utc>>,
}

/// How often an article names an entity by one of the table's spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityMatch {
    /// The entity's canonical name (`ISIS`).
    pub entity: String,
    /// The table's spelling that matched (`Daesh`), as `aliases --explain`
    /// names it: any case of a variant is its one form; an acronym is
    /// matched in its own case only.
    pub form: String,
    /// Mentions in title and body.
    pub count: u64,
}

impl Searcher {
    /// Entities a hit mentions, by name in table order, and their mentions
    /// by spelling: found by the same filter that wrote the terms the entity
    /// facet counts. Only for the hits on the page.
    fn entities_of(&self, title: Option<&str>, body: &str) -> (Vec<String>, Vec<EntityMatch>) {
        let aliases = &self.store.aliases;
        let mut finder = EntityFinder::new(aliases);
        let mut forms = BTreeMap::new();
        if let Some(title) = title {
            finder.count_forms(title, &mut forms);
        }
        finder.count_forms(body, &mut forms);
        let found: BTreeSet<_> = forms.keys().map(|&(id, _)| id).collect();
        let entities = found.into_iter().map(|id| aliases.entity(id).name.clone()).collect();
        let matches = forms
            .into_iter()
            .map(|((id, form), count)| EntityMatch {
                entity: aliases.entity(id).name.clone(),
                form,
                count,
            })
            .collect();
        (entities, matches)
    }

    /// The hit for a stored document at `rank` on the page.
    pub(super) fn hit(
        &self,
        doc: &TantivyDocument,
        rank: usize,
        score: f32,
        patterns: &[Pattern],
        analyzer: &mut TextAnalyzer,
        snippet_chars: usize,
    ) -> Hit {
        let f = &self.store.fields;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_owned);
        let body = text(f.body).unwrap_or_default();
        let found = occurrences::find(analyzer, patterns, f.body, &body);
        let (snippet, highlights) = snippets::snippet(&body, &found, snippet_chars);

        let title = text(f.title);
        let (entities, matches) = self.entities_of(title.as_deref(), &body);
        Hit {
            rank,
            score,
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            source: doc.get_first(f.source).and_then(|v| v.as_facet()).and_then(facet_leaf),
            url: text(f.url),
            title,
            snippet,
            highlights,
            entities,
            matches,
            related: doc.get_all(f.related).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            explanation: None,
            copies: None,
        }
    }
}
