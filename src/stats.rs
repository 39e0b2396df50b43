//! `newsearch stats`: what an index holds.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::dates::SlashDates;
use crate::error::{Error, Result};
use crate::fields;
use crate::query::{FacetKind, SearchRequest};
use crate::search::{FacetCount, Searcher};
use crate::store;

/// A summary of an index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexStats {
    /// Documents.
    pub documents: u64,
    /// Earliest publication date.
    pub date_min: Option<DateTime<Utc>>,
    /// Latest publication date.
    pub date_max: Option<DateTime<Utc>>,
    /// Documents per source, most first.
    pub sources: Vec<FacetCount>,
    /// Documents per folder, most first.
    pub folders: Vec<FacetCount>,
    /// Documents per entity, most first.
    pub entities: Vec<FacetCount>,
    /// Bytes on disk.
    pub index_bytes: u64,
    /// Index format.
    pub index_format: u32,
    /// Fingerprint of the alias table.
    pub aliases_fingerprint: String,
    /// How the documents' slash dates were read; `None` if the index does not
    /// record it (made before it was recorded).
    pub slash_dates: Option<SlashDates>,
}

/// Summarizes the index at `dir`.
pub fn index_stats(dir: &Path) -> Result<IndexStats> {
    let searcher = Searcher::open(dir)?;
    let mut request = SearchRequest::new("*");
    request.limit = Some(0);
    request.facets = vec![FacetKind::Source, FacetKind::Folder, FacetKind::Entity];
    let mut results = searcher.search(&request)?;
    let mut take = |kind: FacetKind| {
        let at = results.facets.iter().position(|(counted, _)| *counted == kind);
        at.map(|at| results.facets.swap_remove(at).1).unwrap_or_default()
    };
    let (sources, folders, entities) =
        (take(FacetKind::Source), take(FacetKind::Folder), take(FacetKind::Entity));

    let reader = searcher.store().reader()?;
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    for segment in reader.searcher().segment_readers() {
        let column = segment.fast_fields().date(fields::DATE).map_err(Error::index(dir))?;
        for doc in segment.doc_ids_alive() {
            if let Some(date) = column.first(doc) {
                let secs = date.into_timestamp_secs();
                min = min.min(secs);
                max = max.max(secs);
            }
        }
    }
    let date = |secs: i64| DateTime::from_timestamp(secs, 0);
    Ok(IndexStats {
        documents: results.index.documents,
        date_min: (min != i64::MAX).then(|| date(min)).flatten(),
        date_max: (max != i64::MIN).then(|| date(max)).flatten(),
        sources,
        folders,
        entities,
        index_bytes: store::size_on_disk(dir),
        index_format: store::FORMAT,
        aliases_fingerprint: results.index.aliases_fingerprint,
        slash_dates: searcher.store().slash_dates()?,
    })
}
