//! `newsearch dupes`: the index's near-duplicate clusters (see [`crate::clusters`])
//! → [`DupesResults`]: the clusters, largest first, each with its articles in
//! the order they were published (undated ones last), so that the first outlet
//! to publish a story and who followed it, and when, can be read off.
//!
//! [`dupes`] finds them; [`write_human`] and [`write_json`] render them. The
//! JSON form is one [`DupesReportV1`] (`schema/dupes.v1.schema.json`).

use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tantivy::schema::{Facet, Value};
use tantivy::{DocAddress, TantivyDocument};

use crate::clusters;
use crate::error::{Error, Result};
use crate::fields::Fields;
use crate::store;

/// The version of `newsearch dupes --format json` ([`DupesReportV1`]).
pub const DUPES_SCHEMA_VERSION: u32 = 1;

/// One article of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Document id.
    pub id: String,
    /// Outlet.
    pub source: Option<String>,
    /// Publication date.
    pub date: Option<DateTime<Utc>>,
    /// Headline.
    pub title: Option<String>,
}

/// One cluster: the copies of one story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Its name, as the `cluster` field and `query --collapse` give it.
    pub cluster: u64,
    /// Its articles, earliest first (undated last; ties by id).
    pub members: Vec<Member>,
}

impl Cluster {
    /// The earliest and latest publication dates of its members.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let mut dates = self.members.iter().filter_map(|m| m.date);
        let first = dates.next()?;
        let (low, high) = dates.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d)));
        Some((low, high))
    }
}

/// What [`dupes`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DupesResults {
    /// Clusters with at least the minimum size, largest first (then earliest
    /// first, then by name).
    pub clusters: Vec<Cluster>,
    /// Documents in the index.
    pub documents: u64,
}

/// A cluster's name as output writes it: 16 hex digits (JSON numbers lose
/// precision past 2^53).
pub fn cluster_name(cluster: u64) -> String {
    format!("{cluster:016x}")
}

/// The clusters of the index at `dir` with at least `min_size` articles.
pub fn dupes(dir: &Path, min_size: usize) -> Result<DupesResults> {
    let store = store::open(dir)?;
    let found = clusters::clusters_of_index(&store, min_size.max(2))?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut results = DupesResults { clusters: Vec::new(), documents: searcher.num_docs() };
    for (cluster, addresses) in found {
        let mut members = addresses
            .into_iter()
            .map(|address| member(&searcher, &store.fields, address))
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(Error::index(&store.dir))?;
        members.sort_by(|a, b| {
            (a.date.is_none(), a.date, &a.id).cmp(&(b.date.is_none(), b.date, &b.id))
        });
        results.clusters.push(Cluster { cluster, members });
    }
    results.clusters.sort_by(|a, b| {
        let first = |c: &Cluster| c.span().map(|(first, _)| first);
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| (first(a).is_none(), first(a)).cmp(&(first(b).is_none(), first(b))))
            .then(a.cluster.cmp(&b.cluster))
    });
    Ok(results)
}

/// The stored fields of one member.
pub(crate) fn member(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    address: DocAddress,
) -> tantivy::Result<Member> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_owned);
    let source = doc
        .get_first(fields.source)
        .and_then(|v| v.as_facet())
        .and_then(|encoded| Facet::from_encoded(encoded.as_bytes().to_vec()).ok())
        .and_then(|facet| facet.to_path().last().map(|s| (*s).to_owned()));
    Ok(Member {
        id: text(fields.id).unwrap_or_default(),
        source,
        date: doc
            .get_first(fields.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
        title: text(fields.title),
    })
}

/// `newsearch dupes --format json` (schema version 1).
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "DupesReport")]
pub struct DupesReportV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// Documents in the index.
    pub documents: u64,
    /// Clusters listed (of at least --min-size articles).
    pub total_clusters: usize,
    /// Articles in the clusters listed.
    pub total_articles: usize,
    /// The clusters, largest first.
    pub clusters: Vec<ClusterV1<'a>>,
}

/// One cluster on the wire.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Cluster")]
pub struct ClusterV1<'a> {
    /// The cluster's name, as export's `cluster` gives it: 16 hex digits.
    #[schemars(regex(pattern = "^[0-9a-f]{16}$"))]
    pub cluster: String,
    /// Articles in it.
    #[schemars(range(min = 2))]
    pub size: usize,
    /// The earliest publication date of a member (RFC 3339); null when none
    /// is dated.
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub first_date: Option<String>,
    /// The latest publication date, or null.
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub last_date: Option<String>,
    /// Whole days from `first_date` to `last_date`, or null.
    #[schemars(range(min = 0))]
    pub span_days: Option<i64>,
    /// The outlet of the earliest member: who published first; or null.
    pub first_source: Option<&'a str>,
    /// Earliest first (undated last, ties by id): the first outlet, then who
    /// followed.
    pub members: Vec<MemberV1<'a>>,
}

/// One article of a cluster on the wire.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Member")]
pub struct MemberV1<'a> {
    /// Document id.
    pub id: &'a str,
    /// Outlet, or null.
    pub source: Option<&'a str>,
    /// RFC 3339 UTC, or null.
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub date: Option<String>,
    /// Headline, or null.
    pub title: Option<&'a str>,
}

fn rfc3339(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes the clusters as one JSON document.
pub fn write_json(results: &DupesResults, mut out: impl Write) -> io::Result<()> {
    let clusters = results
        .clusters
        .iter()
        .map(|cluster| {
            let span = cluster.span();
            ClusterV1 {
                cluster: cluster_name(cluster.cluster),
                size: cluster.members.len(),
                first_date: span.map(|(first, _)| rfc3339(first)),
                last_date: span.map(|(_, last)| rfc3339(last)),
                span_days: span.map(|(first, last)| (last - first).num_days()),
                first_source: cluster.members.first().and_then(|m| m.source.as_deref()),
                members: cluster
                    .members
                    .iter()
                    .map(|m| MemberV1 {
                        id: &m.id,
                        source: m.source.as_deref(),
                        date: m.date.map(rfc3339),
                        title: m.title.as_deref(),
                    })
                    .collect(),
            }
        })
        .collect();
    let report = DupesReportV1 {
        schema_version: DUPES_SCHEMA_VERSION,
        documents: results.documents,
        total_clusters: results.clusters.len(),
        total_articles: results.clusters.iter().map(|c| c.members.len()).sum(),
        clusters,
    };
    serde_json::to_writer_pretty(&mut out, &report)?;
    writeln!(out)
}

/// Writes the clusters for a person: per cluster a heading (size, span, first
/// outlet), then its articles, each with how long after the first it came.
pub fn write_human(results: &DupesResults, mut out: impl Write) -> io::Result<()> {
    if results.clusters.is_empty() {
        return writeln!(out, "no clusters of copies in {} documents", results.documents);
    }
    let articles: usize = results.clusters.iter().map(|c| c.members.len()).sum();
    writeln!(
        out,
        "{} clusters, {articles} articles (of {} documents)",
        results.clusters.len(),
        results.documents
    )?;
    for cluster in &results.clusters {
        writeln!(out)?;
        let first = cluster.members.first();
        let first_source = first.and_then(|m| m.source.as_deref()).unwrap_or("unknown outlet");
        match cluster.span() {
            Some((start, end)) => writeln!(
                out,
                "cluster {}: {} copies, {} to {} ({} days), first: {first_source}",
                cluster_name(cluster.cluster),
                cluster.members.len(),
                start.format("%Y-%m-%d"),
                end.format("%Y-%m-%d"),
                (end - start).num_days()
            )?,
            None => writeln!(
                out,
                "cluster {}: {} copies, undated, first listed: {first_source}",
                cluster_name(cluster.cluster),
                cluster.members.len()
            )?,
        }
        let start = first.and_then(|m| m.date);
        for member in &cluster.members {
            let when = match (member.date, start) {
                (Some(date), Some(start)) if date > start => {
                    let hours = (date - start).num_hours();
                    format!("{} (+{}d {}h)", date.format("%Y-%m-%d"), hours / 24, hours % 24)
                }
                (Some(date), _) => date.format("%Y-%m-%d").to_string(),
                (None, _) => "undated".to_owned(),
            };
            let title = crate::output::human::sanitize(member.title.as_deref().unwrap_or(""));
            writeln!(
                out,
                "  {when:<22} {:<16} {}  {title}",
                member.source.as_deref().unwrap_or("-"),
                crate::output::human::sanitize(&member.id)
            )?;
        }
    }
    Ok(())
}
