//! `newsearch stats`: what an index holds, and with a timeline, how many
//! articles of each source it holds per period: the coverage of the
//! collection itself, against which a query's timeline can be read.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::dates::SlashDates;
use crate::error::{Error, Result};
use crate::fields;
use crate::query::{FacetKind, Period, SearchRequest};
use crate::search::{FacetCount, Searcher, UndatedExcluded};
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
    /// With a timeline: the articles per period, in all and per source.
    pub coverage: Option<Coverage>,
}

/// The articles an index holds per period, in all and per source: one entry
/// for every period from the first dated article's to the last's.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// `2016`, `2016-09`, `2016-W35` or `2016-09-04`, oldest first.
    pub periods: Vec<String>,
    /// Articles per period, in the order of `periods`.
    pub totals: Vec<u64>,
    /// Per source (most articles first, as [`IndexStats::sources`]): its
    /// articles per period, in the order of `periods`. A 0 where other
    /// sources have articles is a gap in that source's collection.
    pub sources: Vec<(String, Vec<u64>)>,
    /// Articles without a date, which no period holds.
    pub undated: u64,
}

/// Summarizes the index at `dir`; with `timeline`, its coverage per period.
pub fn index_stats(dir: &Path, timeline: Option<Period>) -> Result<IndexStats> {
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
    let coverage = match timeline {
        Some(period) => Some(coverage(&searcher, period, &sources)?),
        None => None,
    };
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
        coverage,
    })
}

/// The coverage per `period`: the timeline of `*`, and for each of
/// `sources` the timeline of `* --filter source:NAME`, so that each count is
/// what that query gives (case-folded sources included).
fn coverage(searcher: &Searcher, period: Period, sources: &[FacetCount]) -> Result<Coverage> {
    let timeline = |filters: Vec<(String, String)>| -> Result<(Vec<FacetCount>, u64)> {
        let mut request = SearchRequest::new("*");
        request.limit = Some(0);
        request.timeline = Some(period);
        request.filters = filters;
        let results = searcher.search(&request)?;
        let undated = results.undated_excluded.map_or(0, UndatedExcluded::count);
        Ok((results.timeline.unwrap_or_default(), undated))
    };
    let (all, undated) = timeline(Vec::new())?;
    let periods: Vec<String> = all.iter().map(|p| p.value.clone()).collect();
    let totals = all.iter().map(|p| p.count).collect();
    let mut per_source = Vec::with_capacity(sources.len());
    for source in sources {
        let (counts, _) = timeline(vec![(fields::SOURCE.to_owned(), source.value.clone())])?;
        // A source's own timeline spans its own first and last article; the
        // corpus's spans them all.
        let at: std::collections::HashMap<&str, u64> =
            counts.iter().map(|p| (p.value.as_str(), p.count)).collect();
        let counts = periods.iter().map(|p| at.get(p.as_str()).copied().unwrap_or(0)).collect();
        per_source.push((source.value.clone(), counts));
    }
    Ok(Coverage { periods, totals, sources: per_source, undated })
}
