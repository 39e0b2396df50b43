//! Quickwit 0.9: the JSON body of `POST /api/v1/INDEX/search`.
//!
//! The query is written in the part of Quickwit's query language that
//! tantivy's grammar shares (Quickwit parses user queries with it): `field:`
//! terms, quoted phrases with `~slop`, `+`, `-`, `OR`, parentheses,
//! `field:[A TO B]` ranges, `*` and `^boost`. Every clause names its field
//! and every clause of a boolean group its `+` or `-`, so neither `search_field` nor the default
//! operator changes what matches. `--since`/`--until` become
//! `start_timestamp`/`end_timestamp` (seconds; the end is exclusive).
//!
//! Aggregations: facets are `terms` aggregations over the raw fast fields;
//! the timeline is a `date_histogram`. Quickwit 0.9 takes fixed intervals
//! only: days (`1d`) and ISO weeks (`7d`, offset `-3d`: 1970-01-01 was a
//! Thursday) are counted as such, and calendar months and years are counted
//! by day, to be added up (a note says so).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{Expr, Translation};
use crate::error::Result;
use crate::export::document;
use crate::query::{FacetKind, Period, Sort};

/// Terms per facet aggregation.
pub const TERMS_SIZE: u32 = 10_000;

/// The search request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// The query, in Quickwit's query language.
    pub query: String,
    /// Fields of clauses without one (every clause here has one).
    pub search_field: String,
    /// Hits to return.
    pub max_hits: u64,
    /// Hits to skip.
    pub start_offset: u64,
    /// First second, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timestamp: Option<i64>,
    /// Last second, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_timestamp: Option<i64>,
    /// `_score`, or a fast field (descending; `-` ascending).
    pub sort_by: String,
    /// Aggregations by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aggs: BTreeMap<String, Aggregation>,
}

/// The aggregations used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counts per value.
    Terms(TermsAggregation),
    /// Counts per period.
    DateHistogram(DateHistogramAggregation),
}

/// `terms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsAggregation {
    /// A fast field.
    pub field: String,
    /// Most values returned.
    pub size: u32,
}

/// `date_histogram` with a fixed interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateHistogramAggregation {
    /// The timestamp field.
    pub field: String,
    /// `1d` or `7d`.
    pub fixed_interval: String,
    /// Shift of the bucket boundaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
}

/// The body for `translation`, and notes on what it approximates.
pub fn search_body(translation: &Translation) -> Result<(SearchBody, Vec<String>)> {
    let mut notes = Vec::new();
    let mut aggs = BTreeMap::new();
    for kind in &translation.facets {
        let field = match kind {
            FacetKind::Source => document::SOURCE,
            FacetKind::Folder => document::FOLDER,
            FacetKind::Entity => document::ENTITIES,
            // Refused by `translate`.
            FacetKind::Form | FacetKind::Lineage | FacetKind::Terms => continue,
            FacetKind::Year | FacetKind::Month => {
                aggs.insert(kind.name().to_owned(), day_histogram(Period::Day));
                notes.push(format!(
                    "the `{}` aggregation counts days (Quickwit 0.9 has no calendar intervals): add \
                     them up by {}",
                    kind.name(),
                    kind.name()
                ));
                continue;
            }
        };
        aggs.insert(
            kind.name().to_owned(),
            Aggregation::Terms(TermsAggregation { field: field.to_owned(), size: TERMS_SIZE }),
        );
    }
    if let Some(period) = translation.timeline {
        aggs.insert("timeline".to_owned(), day_histogram(period));
        if matches!(period, Period::Month | Period::Year) {
            notes.push(
                "the `timeline` aggregation counts days (Quickwit 0.9 has no calendar intervals): \
                 add them up by calendar month or year"
                    .to_owned(),
            );
        }
    }
    if aggs.keys().any(|name| name == FacetKind::Source.name()) {
        notes.push(
            "`source` counts values as written; newsearch adds up values that differ only in \
             letter case"
                .to_owned(),
        );
    }
    let body = SearchBody {
        query: render(&translation.query),
        search_field: format!("{},{}", document::TITLE_NORM, document::BODY_NORM),
        max_hits: translation.limit as u64,
        start_offset: translation.offset as u64,
        start_timestamp: translation.since.map(|d| d.timestamp()),
        end_timestamp: translation.until.map(|d| d.timestamp().saturating_add(1)),
        sort_by: match translation.sort {
            Sort::Relevance => "_score".to_owned(),
            Sort::Newest => document::DATE.to_owned(),
            Sort::Oldest => format!("-{}", document::DATE),
        },
        aggs,
    };
    Ok((body, notes))
}

fn day_histogram(period: Period) -> Aggregation {
    let (interval, offset) = match period {
        Period::Week => ("7d", Some("-3d".to_owned())),
        Period::Day | Period::Month | Period::Year => ("1d", None),
    };
    Aggregation::DateHistogram(DateHistogramAggregation {
        field: document::DATE.to_owned(),
        fixed_interval: interval.to_owned(),
        offset,
    })
}

/// `expr` in the query language (see the module docs).
pub fn render(expr: &Expr) -> String {
    let mut out = String::new();
    write(expr, &mut out);
    out
}

fn write(expr: &Expr, out: &mut String) {
    match expr {
        Expr::All => out.push('*'),
        Expr::Nothing => {
            let _ = write!(out, "{}:{}", document::BODY_NORM, super::NOTHING_TOKEN);
        }
        Expr::Text { fields, slots, slop } => {
            let mut alternatives = Vec::new();
            for (field, boost) in fields {
                for phrase in Expr::phrases(slots) {
                    let mut clause = if phrase.len() == 1 {
                        format!("{field}:{}", phrase[0])
                    } else {
                        format!("{field}:\"{}\"", phrase.join(" "))
                    };
                    if phrase.len() > 1 && *slop > 0 {
                        let _ = write!(clause, "~{slop}");
                    }
                    if (*boost - 1.0).abs() > f32::EPSILON {
                        let _ = write!(clause, "^{boost}");
                    }
                    alternatives.push(clause);
                }
            }
            any_of(&alternatives, out);
        }
        Expr::Keyword { field, values } => {
            let alternatives: Vec<String> =
                values.iter().map(|value| format!("{field}:{}", quote(value))).collect();
            if alternatives.is_empty() {
                write(&Expr::Nothing, out);
            } else {
                any_of(&alternatives, out);
            }
        }
        Expr::Dates { from, to } => {
            let bound = |date: &Option<DateTime<Utc>>| {
                date.map_or_else(
                    || "*".to_owned(),
                    |d| d.to_rfc3339_opts(SecondsFormat::Secs, true),
                )
            };
            let _ = write!(out, "{}:[{} TO {}]", document::DATE, bound(from), bound(to));
        }
        Expr::Bool { must, should, must_not } => {
            // Every clause carries its occurrence, so that the default
            // operator does not matter.
            let mut clauses: Vec<String> = must.iter().map(|m| format!("+{}", render(m))).collect();
            if must.is_empty() {
                let alternatives: Vec<String> = should.iter().map(render).collect();
                let mut one = String::new();
                any_of(&alternatives, &mut one);
                clauses.push(format!("+{one}"));
            }
            clauses.extend(must_not.iter().map(|n| format!("-{}", render(n))));
            let _ = write!(out, "({})", clauses.join(" "));
        }
        Expr::Boost(inner, boost) => {
            let _ = write!(out, "({})^{boost}", render(inner));
        }
    }
}

fn any_of(alternatives: &[String], out: &mut String) {
    if alternatives.len() == 1 {
        out.push_str(&alternatives[0]);
    } else {
        let _ = write!(out, "({})", alternatives.join(" OR "));
    }
}

/// A value as one quoted term.
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}
