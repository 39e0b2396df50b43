//! A clause that narrows the hits and scores nothing (`--since`/`--until`,
//! `--filter`, `source:`, `date:` ranges), named in explanations by what it
//! keeps: `--explain` then says `filter --filter source:BBC` where tantivy's
//! `ConstScoreQuery` says only `Const`.

use std::fmt;

use tantivy::query::{ConstScoreQuery, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SeekDangerResult, SegmentReader, Term};

/// `query` as a filter: its documents, each scored 0, explained as `filter NAME`.
pub struct Filter {
    query: ConstScoreQuery,
    name: String,
}

impl Filter {
    /// A filter of the documents `query` matches, named `name` in explanations
    /// (`--since 2016-01-01`, `source:BBC`).
    pub fn new(query: Box<dyn Query>, name: impl Into<String>) -> Filter {
        Filter { query: ConstScoreQuery::new(query, 0.0), name: name.into() }
    }
}

impl Clone for Filter {
    fn clone(&self) -> Self {
        Filter { query: self.query.clone(), name: self.name.clone() }
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({:?}, {:?})", self.name, self.query)
    }
}

impl Query for Filter {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scoring = enable_scoring.is_scoring_enabled();
        let weight = self.query.weight(enable_scoring)?;
        Ok(if scoring {
            Box::new(FilterWeight { weight, name: format!("filter {}", self.name) })
        } else {
            weight
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

/// `ConstScoreQuery`'s weight with the filter's name in its explanation.
struct FilterWeight {
    weight: Box<dyn Weight>,
    name: String,
}

impl Weight for FilterWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.weight.scorer(reader, boost)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        self.weight.scorer_danger(reader, target, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        // Fails as tantivy's does when the document does not match.
        let constant = self.weight.explain(reader, doc)?;
        Ok(Explanation::new_with_string(self.name.clone(), constant.value()))
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.weight.count(reader)
    }
}
