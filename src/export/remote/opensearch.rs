//! `OpenSearch` (and Elasticsearch): the body of `POST /INDEX/_search`, as typed
//! mirror structs of the parts of the query DSL it uses, so that a request can
//! be checked by reading it back into them (unknown keys are refused).
//!
//! Words and phrases are `match` and `match_phrase` queries on the `_norm`
//! fields, whose analyzer (`index.json`) stems; each form of a stem group is
//! listed all the same, as newsearch matches them. `--since`, `--until` and
//! `--filter` are `filter` clauses; facets are `terms` aggregations and the
//! timeline a `date_histogram` with a calendar interval.

use std::collections::BTreeMap;

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

use super::{Expr, Translation};
use crate::error::Result;
use crate::export::document;
use crate::query::{FacetKind, Period, Sort};

/// Buckets per facet aggregation.
pub const TERMS_SIZE: u32 = 10_000;

/// The `_search` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// The query.
    pub query: Query,
    /// Hits to skip.
    pub from: u64,
    /// Hits to return.
    pub size: u64,
    /// Count every hit, not only the first 10,000.
    pub track_total_hits: bool,
    /// Order of hits; relevance when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<BTreeMap<String, SortOrder>>,
    /// Aggregations by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aggs: BTreeMap<String, Aggregation>,
}

/// `asc` or `desc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

/// The query clauses used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Query {
    /// Boolean combination.
    Bool(BoolQuery),
    /// Every document.
    MatchAll(Empty),
    /// No document.
    MatchNone(Empty),
    /// One analysed word in one field.
    Match(BTreeMap<String, MatchQuery>),
    /// An analysed phrase in one field.
    MatchPhrase(BTreeMap<String, MatchPhraseQuery>),
    /// Exact values of a keyword field.
    Terms(BTreeMap<String, Vec<String>>),
    /// A date range.
    Range(BTreeMap<String, DateRange>),
}

/// `{}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `bool`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoolQuery {
    /// Required, scoring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must: Vec<Query>,
    /// Optional, scoring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub should: Vec<Query>,
    /// Excluded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_not: Vec<Query>,
    /// Required, not scoring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<Query>,
    /// How many `should` clauses must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_should_match: Option<u32>,
    /// Weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boost: Option<f32>,
}

/// `match`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    /// The word.
    pub query: String,
    /// Weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boost: Option<f32>,
}

/// `match_phrase`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchPhraseQuery {
    /// The phrase.
    pub query: String,
    /// Positions its words may stand apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slop: Option<u32>,
    /// Weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boost: Option<f32>,
}

/// `range` over a date, bounds inclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<String>,
    /// Last instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<String>,
}

/// The aggregations used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counts per value.
    Terms(TermsAggregation),
    /// Counts per calendar period.
    DateHistogram(DateHistogramAggregation),
}

/// `terms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsAggregation {
    /// A keyword field.
    pub field: String,
    /// Most buckets.
    pub size: u32,
}

/// `date_histogram`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateHistogramAggregation {
    /// The date field.
    pub field: String,
    /// `day`, `week` (ISO, from Monday), `month` or `year`.
    pub calendar_interval: String,
    /// Empty periods between the first and the last are listed too.
    pub min_doc_count: u64,
}

/// The body for `translation`, and notes on what it approximates.
pub fn search_body(translation: &Translation) -> Result<(SearchBody, Vec<String>)> {
    let mut notes = Vec::new();
    let mut filter = Vec::new();
    if translation.since.is_some() || translation.until.is_some() {
        filter.push(dates(translation.since.as_ref(), translation.until.as_ref()));
    }
    let query = match query(&translation.query) {
        Query::Bool(mut inner) if inner.boost.is_none() && filter.is_empty() => {
            inner.minimum_should_match = minimum(&inner);
            Query::Bool(inner)
        }
        main if filter.is_empty() => main,
        main => Query::Bool(BoolQuery { must: vec![main], filter, ..BoolQuery::default() }),
    };
    let mut aggs = BTreeMap::new();
    for kind in &translation.facets {
        let aggregation = match kind {
            FacetKind::Source => terms(document::SOURCE),
            FacetKind::Folder => terms(document::FOLDER),
            FacetKind::Entity => terms(document::ENTITIES),
            FacetKind::Year => histogram(Period::Year),
            FacetKind::Month => histogram(Period::Month),
            // Refused by `translate`.
            FacetKind::Form | FacetKind::Lineage | FacetKind::Terms => continue,
        };
        aggs.insert(kind.name().to_owned(), aggregation);
    }
    if let Some(period) = translation.timeline {
        aggs.insert("timeline".to_owned(), histogram(period));
    }
    if translation.facets.contains(&FacetKind::Source) {
        notes.push(
            "`source` counts values as written; newsearch adds up values that differ only in \
             letter case"
                .to_owned(),
        );
    }
    let sort = match translation.sort {
        Sort::Relevance => Vec::new(),
        Sort::Newest => vec![BTreeMap::from([(document::DATE.to_owned(), SortOrder::Desc)])],
        Sort::Oldest => vec![BTreeMap::from([(document::DATE.to_owned(), SortOrder::Asc)])],
    };
    notes.dedup();
    Ok((
        SearchBody {
            query,
            from: translation.offset as u64,
            size: translation.limit as u64,
            track_total_hits: true,
            sort,
            aggs,
        },
        notes,
    ))
}

fn terms(field: &str) -> Aggregation {
    Aggregation::Terms(TermsAggregation { field: field.to_owned(), size: TERMS_SIZE })
}

fn histogram(period: Period) -> Aggregation {
    let interval = match period {
        Period::Day => "day",
        Period::Week => "week",
        Period::Month => "month",
        Period::Year => "year",
    };
    Aggregation::DateHistogram(DateHistogramAggregation {
        field: document::DATE.to_owned(),
        calendar_interval: interval.to_owned(),
        min_doc_count: 0,
    })
}

fn dates(
    from: Option<&chrono::DateTime<chrono::Utc>>,
    to: Option<&chrono::DateTime<chrono::Utc>>,
) -> Query {
    let text = |d: &chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(SecondsFormat::Secs, true);
    Query::Range(BTreeMap::from([(
        document::DATE.to_owned(),
        DateRange { gte: from.map(text), lte: to.map(text) },
    )]))
}

/// tantivy's reading: with no `must`, one `should` is required.
fn minimum(query: &BoolQuery) -> Option<u32> {
    (query.must.is_empty() && query.filter.is_empty() && !query.should.is_empty()).then_some(1)
}

/// `expr` as a DSL query.
pub fn query(expr: &Expr) -> Query {
    match expr {
        Expr::All => Query::MatchAll(Empty {}),
        Expr::Nothing => Query::MatchNone(Empty {}),
        Expr::Text { fields, slots, slop } => {
            let boost = |b: f32| ((b - 1.0).abs() > f32::EPSILON).then_some(b);
            let mut should = Vec::new();
            for (field, weight) in fields {
                for phrase in Expr::phrases(slots) {
                    let text = phrase.join(" ");
                    should.push(if phrase.len() == 1 {
                        Query::Match(BTreeMap::from([(
                            (*field).to_owned(),
                            MatchQuery { query: text, boost: boost(*weight) },
                        )]))
                    } else {
                        Query::MatchPhrase(BTreeMap::from([(
                            (*field).to_owned(),
                            MatchPhraseQuery {
                                query: text,
                                slop: (*slop > 0).then_some(*slop),
                                boost: boost(*weight),
                            },
                        )]))
                    });
                }
            }
            one_of(should)
        }
        Expr::Keyword { field, values } => {
            Query::Terms(BTreeMap::from([((*field).to_owned(), values.clone())]))
        }
        Expr::Dates { from, to } => dates(from.as_ref(), to.as_ref()),
        Expr::Bool { must, should, must_not } => {
            let mut inner = BoolQuery {
                must: must.iter().map(query).collect(),
                should: should.iter().map(query).collect(),
                must_not: must_not.iter().map(query).collect(),
                ..BoolQuery::default()
            };
            inner.minimum_should_match = minimum(&inner);
            Query::Bool(inner)
        }
        Expr::Boost(inner, boost) => Query::Bool(BoolQuery {
            must: vec![query(inner)],
            boost: Some(*boost),
            ..BoolQuery::default()
        }),
    }
}

fn one_of(mut should: Vec<Query>) -> Query {
    if should.len() == 1 {
        return should.remove(0);
    }
    Query::Bool(BoolQuery { should, minimum_should_match: Some(1), ..BoolQuery::default() })
}
