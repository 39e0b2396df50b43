//! Provenance: what a figure made from the results can be traced back to: the
//! query and options as run, and the index that answered (documents, the
//! commit's opstamp, the alias table's fingerprint, the newsearch version).
//!
//! Takes the request; gives its options as a JSON object for
//! [`super::SearchResults::options`]. Plain output carries no time, so that it
//! stays identical from run to run; `--provenance FILE` adds it beside an export.

use serde_json::{Value, json};

use super::{IndexInfo, Searcher};
use crate::query::{SearchRequest, Sort};

impl Searcher {
    /// The index that answers through `searcher`.
    pub(super) fn index_info(&self, searcher: &tantivy::Searcher) -> IndexInfo {
        IndexInfo {
            documents: searcher.num_docs(),
            aliases_fingerprint: self.store.aliases.fingerprint().to_owned(),
            newsearch_version: env!("CARGO_PKG_VERSION").to_owned(),
            opstamp: self.opstamp(searcher),
        }
    }
}

impl Searcher {
    /// The opstamp of the last commit as the reader's generation opened it,
    /// read once per generation. A missing meta.json cannot happen on an opened
    /// index, and provenance is no reason to fail: 0 then.
    fn opstamp(&self, searcher: &tantivy::Searcher) -> u64 {
        let generation = searcher.generation().generation_id();
        let mut known = self.opstamp.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *known {
            Some((seen, opstamp)) if seen == generation => opstamp,
            _ => {
                let opstamp = self.store.index.load_metas().map_or(0, |metas| metas.opstamp);
                *known = Some((generation, opstamp));
                opstamp
            }
        }
    }
}

/// `request`'s options as run (defaults included), for provenance.
pub fn request_options(request: &SearchRequest) -> Value {
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    let mut options = json!({
        "limit": request.limit,
        "offset": request.offset,
        "since": date(request.since),
        "until": date(request.until),
        "filters": request.filters.iter().map(|(f, v)| format!("{f}:{v}")).collect::<Vec<_>>(),
        "facets": request.facets.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "sort": match request.sort {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        },
        "any": request.any,
        "literal": request.literal,
        "expand": request.expand,
        "keyness": request.keyness,
        "timeline": request.timeline.map(|p| format!("{p:?}").to_lowercase()),
        "snippet_chars": request.snippet_chars,
    });
    // Only when asked for: without it, provenance stays as it was.
    if request.collapse
        && let Some(object) = options.as_object_mut()
    {
        object.insert("collapse".to_owned(), serde_json::Value::Bool(true));
    }
    options
}
