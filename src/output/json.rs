//! The JSON wire format: structs separate from the domain types, so that a
//! change to the library cannot silently change what scripts read.
//! `schema/query.v1.schema.json`, `schema/index.v2.schema.json` and
//! `schema/stats.v1.schema.json` describe these structs; tests validate real
//! output against them.
//!
//! Each document has its own version. Adding an optional field keeps it;
//! renaming, removing or retyping a field, or changing what it means, takes
//! the next version and a new schema file (the old one stays for old readers).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::corpus::path_text;
use crate::dates::SlashDates;
use crate::indexer::IndexSummary;
use crate::query::FacetKind;
use crate::query::expand::ExpansionTerm;
use crate::search::{FacetCount, Hit, SearchResults, UndatedExcluded};
use crate::stats::IndexStats;

/// The version of every document below but the index report's.
pub const SCHEMA_VERSION: u32 = 1;

/// The version of `newsearch index --format json` ([`IndexReportV2`]): 2 since
/// `updated` and `removed` count what happened to the user's documents (a
/// changed file's are updated, not also removed) and a rebuild says so.
pub const INDEX_SCHEMA_VERSION: u32 = 2;

/// `newsearch query --format json`: one search.
#[derive(Serialize)]
pub struct QueryReportV1<'a> {
    /// Always 1.
    pub schema_version: u32,
    /// The query as given.
    pub query: &'a str,
    /// Hits over the whole index; with `--collapse`, stories.
    pub total_hits: usize,
    /// With `--collapse`: the articles among the hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_articles: Option<usize>,
    /// With `--collapse`: the stories among the hits (as `total_hits`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_stories: Option<usize>,
    /// Hits skipped before this page.
    pub offset: usize,
    /// Time to answer, ms.
    pub took_ms: f64,
    /// The page.
    pub hits: Vec<HitV1<'a>>,
    /// Requested facets.
    pub facets: BTreeMap<&'a str, Vec<FacetCountV1<'a>>>,
    /// Hits per period, with `--timeline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<PeriodCountV1<'a>>>,
    /// With `--since`/`--until` or `--timeline`: matching articles without a
    /// date that the date range (or else the timeline) left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<u64>,
    /// Provenance.
    pub index: IndexInfoV1<'a>,
    /// The words `--expand` added, with their share of the added weight.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub expansion: &'a [ExpansionTerm],
    /// What the answer can be traced back to.
    pub provenance: ProvenanceV1<'a>,
}

/// What an answer can be traced back to (`--provenance FILE` adds `written_at`).
#[derive(Serialize)]
pub struct ProvenanceV1<'a> {
    /// The query as run.
    pub query: &'a str,
    /// The options as run, defaults included.
    pub options: &'a serde_json::Value,
    /// Documents in the index.
    pub documents: u64,
    /// Opstamp of the index commit that answered.
    pub opstamp: u64,
    /// Fingerprint of the index's alias table.
    pub aliases_fingerprint: &'a str,
    /// newsearch version that answered.
    pub newsearch_version: &'a str,
    /// When the export was written; only in `--provenance FILE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_at: Option<String>,
}

impl<'a> ProvenanceV1<'a> {
    /// The provenance of `results`.
    pub fn new(results: &'a SearchResults) -> ProvenanceV1<'a> {
        ProvenanceV1 {
            query: &results.query,
            options: &results.options,
            documents: results.index.documents,
            opstamp: results.index.opstamp,
            aliases_fingerprint: &results.index.aliases_fingerprint,
            newsearch_version: &results.index.newsearch_version,
            written_at: None,
        }
    }
}

/// A batch line that could not run.
#[derive(Serialize)]
pub struct QueryErrorV1<'a> {
    /// Always 1.
    pub schema_version: u32,
    /// The line as given.
    pub query: &'a str,
    /// Why it could not run.
    pub error: String,
}

/// One hit.
#[derive(Serialize)]
pub struct HitV1<'a> {
    /// With `--format jsonl` only: the query the hit answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<&'a str>,
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
    /// Document id.
    pub id: &'a str,
    /// Source file.
    pub path: &'a str,
    /// Headline, or null.
    pub title: Option<&'a str>,
    /// RFC 3339 UTC date, or null.
    pub date: Option<String>,
    /// Outlet, or null.
    pub source: Option<&'a str>,
    /// Link, or null.
    pub url: Option<&'a str>,
    /// Best fragment of the body.
    pub snippet: &'a str,
    /// `[start, end]` byte ranges in `snippet` of matched words.
    pub highlights: &'a [[usize; 2]],
    /// Canonical entities mentioned.
    pub entities: &'a [String],
    /// Mentions per entity and table spelling.
    pub matches: Vec<EntityMatchV1<'a>>,
    /// Related headlines from the scraper trailer.
    pub related: &'a [String],
    /// Score breakdown, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<&'a serde_json::Value>,
    /// With `--collapse`: how many other members of the hit's story are among
    /// the hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copies: Option<usize>,
    /// With `--collapse`: those members, earliest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<Vec<DuplicateV1<'a>>>,
}

/// Another copy of a hit's story (`--collapse`).
#[derive(Serialize)]
pub struct DuplicateV1<'a> {
    /// Document id.
    pub id: &'a str,
    /// Outlet, or null.
    pub source: Option<&'a str>,
    /// RFC 3339 UTC date, or null.
    pub date: Option<String>,
}

/// An entity's mentions by one spelling of the table.
#[derive(Serialize)]
pub struct EntityMatchV1<'a> {
    /// Canonical name.
    pub entity: &'a str,
    /// The table's spelling that matched.
    pub form: &'a str,
    /// Mentions in title and body.
    pub count: u64,
}

/// A facet value's count.
#[derive(Serialize)]
pub struct FacetCountV1<'a> {
    /// The value.
    pub value: &'a str,
    /// Hits with it.
    pub count: u64,
    /// `terms` only: articles in the index whose body holds the word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corpus_count: Option<u64>,
    /// `terms` only: log-likelihood G² against the rest of the index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub g2: Option<f64>,
    /// `terms` only: log ratio (log2 of the share of hits over the share of the rest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<f64>,
}

/// A timeline bucket.
#[derive(Serialize)]
pub struct PeriodCountV1<'a> {
    /// `2016`, `2016-09`, `2016-W35` or `2016-09-04`.
    pub period: &'a str,
    /// Hits in it.
    pub count: u64,
    /// Articles in it under the same filters and dates, without the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// `count / total`; absent in a gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// The (filtered) corpus holds no article in the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<bool>,
}

/// Provenance of a query's answer.
#[derive(Serialize)]
pub struct IndexInfoV1<'a> {
    /// Documents in the index.
    pub documents: u64,
    /// Fingerprint of the index's alias table.
    pub aliases_fingerprint: &'a str,
    /// newsearch version that answered.
    pub newsearch_version: &'a str,
}

impl<'a> QueryReportV1<'a> {
    /// The wire form of `results`.
    pub fn new(results: &'a SearchResults) -> QueryReportV1<'a> {
        let facet_counts = |kind: FacetKind, counts: &'a [FacetCount]| {
            counts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let keyness =
                        (kind == FacetKind::Terms).then(|| results.keyness.get(i)).flatten();
                    FacetCountV1 {
                        value: &c.value,
                        count: c.count,
                        corpus_count: keyness.map(|k| k.corpus_count),
                        g2: keyness.map(|k| k.g2),
                        effect: keyness.map(|k| k.effect),
                    }
                })
                .collect()
        };
        QueryReportV1 {
            schema_version: SCHEMA_VERSION,
            query: &results.query,
            total_hits: results.total_hits,
            total_articles: results.total_articles,
            total_stories: results.total_articles.map(|_| results.total_hits),
            offset: results.offset,
            took_ms: (results.took_ms * 1000.0).round() / 1000.0,
            hits: results.hits.iter().map(|hit| HitV1::new(hit, None)).collect(),
            facets: results
                .facets
                .iter()
                .map(|(kind, counts)| (kind.name(), facet_counts(*kind, counts)))
                .collect(),
            timeline: results.timeline.as_ref().map(|periods| {
                periods
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let coverage = results.coverage.as_ref().and_then(|c| c.get(i));
                        PeriodCountV1 {
                            period: &p.value,
                            count: p.count,
                            total: coverage.map(|c| c.total),
                            share: coverage.and_then(|c| c.share),
                            gap: coverage.map(|c| c.gap),
                        }
                    })
                    .collect()
            }),
            undated_excluded: results.undated_excluded.map(UndatedExcluded::count),
            index: IndexInfoV1 {
                documents: results.index.documents,
                aliases_fingerprint: &results.index.aliases_fingerprint,
                newsearch_version: &results.index.newsearch_version,
            },
            expansion: &results.expansion,
            provenance: ProvenanceV1::new(results),
        }
    }
}

impl<'a> HitV1<'a> {
    /// The wire form of `hit`; `query` is set for JSON Lines.
    pub fn new(hit: &'a Hit, query: Option<&'a str>) -> HitV1<'a> {
        HitV1 {
            query,
            rank: hit.rank,
            score: hit.score,
            id: &hit.id,
            path: &hit.path,
            title: hit.title.as_deref(),
            date: hit.date.map(|d| rfc3339(&d)),
            source: hit.source.as_deref(),
            url: hit.url.as_deref(),
            snippet: &hit.snippet,
            highlights: &hit.highlights,
            entities: &hit.entities,
            matches: hit
                .matches
                .iter()
                .map(|m| EntityMatchV1 { entity: &m.entity, form: &m.form, count: m.count })
                .collect(),
            related: &hit.related,
            explanation: hit.explanation.as_ref(),
            copies: hit.copies.as_ref().map(Vec::len),
            duplicates: hit.copies.as_ref().map(|copies| {
                copies
                    .iter()
                    .map(|c| DuplicateV1 {
                        id: &c.id,
                        source: c.source.as_deref(),
                        date: c.date.map(|d| rfc3339(&d)),
                    })
                    .collect()
            }),
        }
    }
}

/// `2016-09-04T15:14:55Z`.
pub fn rfc3339(date: &chrono::DateTime<chrono::Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `newsearch index --format json`, version 2 (`schema/index.v2.schema.json`).
#[derive(Serialize)]
pub struct IndexReportV2<'a> {
    /// Always 2.
    pub schema_version: u32,
    /// Documents from new files (all of them with `--rebuild`), and records a
    /// changed file gained.
    pub added: u64,
    /// Documents of changed files, as many as each held before and still holds.
    pub updated: u64,
    /// Documents that left the index: of files gone, and records a changed
    /// file lost (never a rebuild's old copies: see `replaced`).
    pub removed: u64,
    /// Documents of unchanged files.
    pub unchanged: u64,
    /// Whether the run was a `--rebuild`.
    pub rebuilt: bool,
    /// With `--rebuild`, the documents of the old index that this run's
    /// replace; 0 otherwise.
    pub replaced: u64,
    /// Files left out.
    pub skipped: Vec<SkipV1>,
    /// Files indexed with warnings.
    pub warnings: Vec<WarningV1>,
    /// Documents in the index now.
    pub documents: u64,
    /// Wall time, ms.
    pub took_ms: u64,
    /// Fingerprint of the alias table the index uses.
    pub aliases_fingerprint: &'a str,
    /// The records of the WARC archives read, by what became of them; only when the
    /// run read one (an optional key of version 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcRecordsV1>,
}

/// The records of the WARC archives an index run read (`warc` of [`IndexReportV2`]).
#[derive(Serialize)]
pub struct WarcRecordsV1 {
    /// HTTP responses whose page became an article.
    pub articles: u64,
    /// Responses passed over: `not_html + redirects + errors + no_article`.
    pub skipped: u64,
    /// Responses that are not web pages (images, scripts, feeds).
    pub not_html: u64,
    /// HTTP redirects (3xx).
    pub redirects: u64,
    /// HTTP errors (4xx, 5xx) and other statuses.
    pub errors: u64,
    /// Pages in which no article was found.
    pub no_article: u64,
    /// Records that are not responses (`request`, `metadata`, `warcinfo`, ...).
    pub other_records: u64,
}

/// A skipped file (the same since version 1).
#[derive(Serialize)]
pub struct SkipV1 {
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A warning about an indexed file (the same since version 1).
#[derive(Serialize)]
pub struct WarningV1 {
    /// The file.
    pub path: String,
    /// Line, or null.
    pub line: Option<usize>,
    /// What was off.
    pub message: String,
}

impl<'a> IndexReportV2<'a> {
    /// The wire form of `summary`.
    pub fn new(summary: &'a IndexSummary) -> IndexReportV2<'a> {
        IndexReportV2 {
            schema_version: INDEX_SCHEMA_VERSION,
            added: summary.added,
            updated: summary.updated,
            removed: summary.removed,
            unchanged: summary.unchanged,
            rebuilt: summary.rebuilt,
            replaced: summary.replaced,
            skipped: summary
                .skipped
                .iter()
                .map(|s| SkipV1 { path: path_text(&s.path).into_owned(), reason: s.reason.clone() })
                .collect(),
            warnings: summary
                .warnings
                .iter()
                .map(|w| WarningV1 {
                    path: path_text(&w.path).into_owned(),
                    line: w.line,
                    message: w.message.clone(),
                })
                .collect(),
            documents: summary.documents,
            took_ms: summary.took_ms,
            aliases_fingerprint: &summary.aliases_fingerprint,
            warc: summary.warc.map(|counts| WarcRecordsV1 {
                articles: counts.articles,
                skipped: counts.skipped_responses(),
                not_html: counts.not_html,
                redirects: counts.redirects,
                errors: counts.errors,
                no_article: counts.no_article,
                other_records: counts.other_records,
            }),
        }
    }
}

/// `newsearch stats --format json`.
#[derive(Serialize)]
pub struct StatsReportV1<'a> {
    /// Always 1.
    pub schema_version: u32,
    /// Documents in the index.
    pub documents: u64,
    /// Earliest publication date, or null.
    pub date_min: Option<String>,
    /// Latest publication date, or null.
    pub date_max: Option<String>,
    /// Documents per source, most first.
    pub sources: Vec<FacetCountV1<'a>>,
    /// Documents per folder, most first.
    pub folders: Vec<FacetCountV1<'a>>,
    /// Documents per entity, most first.
    pub entities: Vec<FacetCountV1<'a>>,
    /// Bytes on disk.
    pub index_bytes: u64,
    /// Index format.
    pub index_format: u32,
    /// Fingerprint of the index's alias table.
    pub aliases_fingerprint: &'a str,
    /// How slash dates were read: `month-first` or `day-first`; absent when
    /// the index does not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slash_dates: Option<SlashDates>,
}

impl<'a> StatsReportV1<'a> {
    /// The wire form of `stats`.
    pub fn new(stats: &'a IndexStats) -> StatsReportV1<'a> {
        let counts = |counts: &'a [FacetCount]| {
            counts
                .iter()
                .map(|c| FacetCountV1 {
                    value: &c.value,
                    count: c.count,
                    corpus_count: None,
                    g2: None,
                    effect: None,
                })
                .collect()
        };
        StatsReportV1 {
            schema_version: SCHEMA_VERSION,
            documents: stats.documents,
            date_min: stats.date_min.as_ref().map(rfc3339),
            date_max: stats.date_max.as_ref().map(rfc3339),
            sources: counts(&stats.sources),
            folders: counts(&stats.folders),
            entities: counts(&stats.entities),
            index_bytes: stats.index_bytes,
            index_format: stats.index_format,
            aliases_fingerprint: &stats.aliases_fingerprint,
            slash_dates: stats.slash_dates,
        }
    }
}
