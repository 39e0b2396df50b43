//! Coverage-aware timelines: beside each period's hits, how many articles the
//! index holds in that period under the same filters and dates (the query left
//! out), so that a rise in a chart can be told from a rise in the collection.
//!
//! Takes the request and its timeline; gives one [`PeriodCoverage`] per
//! period, counted in one unscored pass of `*` with the request's filters.

use std::collections::{BTreeMap, HashMap};

use super::Searcher;
use super::collect::DayCounts;
use super::facets::{FacetCount, bucket};
use crate::error::{Error, Result};
use crate::query::{self, Period, SearchRequest};

/// What the corpus holds in one period of a timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodCoverage {
    /// Articles in the period under the request's filters and dates, without
    /// the query.
    pub total: u64,
    /// Hits over `total`; `None` in a gap.
    pub share: Option<f64>,
    /// The (filtered) corpus has no article at all in the period: a gap in
    /// the collection, not a period without news.
    pub gap: bool,
}

/// A timeline's periods and the coverage of each.
type Timeline = (Option<Vec<FacetCount>>, Option<Vec<PeriodCoverage>>);

impl Searcher {
    /// `request`'s timeline of hits (counted per day in `days`), if it asks
    /// for one, with each period's coverage.
    pub(super) fn timeline(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        days: &BTreeMap<i64, u64>,
    ) -> Result<Timeline> {
        let Some(period) = request.timeline else { return Ok((None, None)) };
        let periods = bucket(days, period, false);
        let coverage = self.coverage(searcher, request, period, &periods)?;
        Ok((Some(periods), Some(coverage)))
    }

    /// The coverage of each period of `timeline` (`request`'s hits per
    /// `period`), in the same order.
    fn coverage(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        period: Period,
        timeline: &[FacetCount],
    ) -> Result<Vec<PeriodCoverage>> {
        let mut everything = request.clone();
        "*".clone_into(&mut everything.query);
        everything.expand = false;
        let query = query::build(&self.store, searcher, &self.tokenizers, &everything, &[])?;
        let days = searcher
            .search(&*query, &DayCounts { enabled: true })
            .map_err(Error::index(self.store.dir.clone()))?;
        let totals: HashMap<String, u64> =
            bucket(&days, period, true).into_iter().map(|p| (p.value, p.count)).collect();
        Ok(timeline
            .iter()
            .map(|p| {
                let total = totals.get(&p.value).copied().unwrap_or(0);
                PeriodCoverage {
                    total,
                    share: (total > 0).then(|| p.count as f64 / total as f64),
                    gap: total == 0,
                }
            })
            .collect())
    }
}
