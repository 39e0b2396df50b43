//! The JSON wire format: structs separate from the domain types, so that a
//! change to the library cannot silently change what scripts read.
//! `schema/query.v1.schema.json`, `schema/index.v2.schema.json` and
//! `schema/stats.v1.schema.json` are generated from these structs (their doc
//! comments are the schemas' descriptions: see [`super::schemas`]); tests
//! validate real output against them.
//!
//! Each document has its own version. Adding an optional field keeps it;
//! renaming, removing or retyping a field, or changing what it means, takes
//! the next version and a new schema file (the old one stays for old readers).

use std::collections::BTreeMap;

use schemars::JsonSchema;
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
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QueryReport")]
#[schemars(deny_unknown_fields)]
pub struct QueryReportV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// The query as given.
    pub query: &'a str,
    /// Hits over the whole index, not only this page; with `--collapse`,
    /// stories (near-duplicate clusters) among the hits.
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
    /// Only the facets asked for with --facet; counts over all hits, most frequent first.
    #[schemars(schema_with = "facets_schema")]
    pub facets: BTreeMap<&'a str, Vec<FacetCountV1<'a>>>,
    /// Present only with --timeline: hits per period over all hits, oldest
    /// first, one entry for every period from the first dated hit's to the
    /// last's (periods without hits count 0). Hits without a date are not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<PeriodCountV1<'a>>>,
    /// Present only with --since/--until or --timeline: how many articles the
    /// query matches that have no date and so were left out, by the date range
    /// (they are not hits) or else by the timeline (they are hits, in no period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<u64>,
    /// Provenance: the index that answered.
    pub index: IndexInfoV1<'a>,
    /// Present only with --expand: the words added to the query
    /// (pseudo-relevance feedback from the top 10 hits), heaviest first; each
    /// searches its stem group. Weights are shares of the added weight and add up to 1.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub expansion: &'a [ExpansionTerm],
    /// What the answer can be traced back to: the query and options as run,
    /// the index's documents and commit opstamp, the alias table's fingerprint,
    /// the newsearch version. `--provenance FILE` writes the same object with
    /// `written_at` (the time, only there, so that plain output stays identical
    /// from run to run).
    pub provenance: ProvenanceV1<'a>,
}

/// The schema of `facets`: a key for each facet kind a request can name,
/// each an array of counts.
fn facets_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    use clap::ValueEnum;
    let names: Vec<&str> = FacetKind::value_variants().iter().map(|kind| kind.name()).collect();
    let counts = generator.subschema_for::<FacetCountV1<'static>>();
    schemars::json_schema!({
        "type": "object",
        "propertyNames": { "enum": names },
        "additionalProperties": { "type": "array", "items": counts },
    })
}

/// What an answer can be traced back to (`--provenance FILE` adds `written_at`).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Provenance")]
#[schemars(deny_unknown_fields)]
pub struct ProvenanceV1<'a> {
    /// The query as run.
    pub query: &'a str,
    /// The options as run, defaults included.
    #[schemars(extend("type" = "object"))]
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
    #[schemars(extend("format" = "date-time"))]
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
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QueryError")]
#[schemars(deny_unknown_fields)]
pub struct QueryErrorV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// The line as given (a line that is not UTF-8 shows U+FFFD for its bad bytes).
    pub query: &'a str,
    /// Why the line could not run, led by its line number: `line 2: ...`.
    pub error: String,
}

/// One hit (with `--format jsonl`, one line).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Hit")]
#[schemars(deny_unknown_fields)]
pub struct HitV1<'a> {
    /// With `--format jsonl` only: the query the hit answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<&'a str>,
    /// 1-based rank.
    #[schemars(range(min = 1))]
    pub rank: usize,
    /// BM25F over title and body (a title occurrence weighs more), words
    /// matched by stem; 0 when sorted by date.
    pub score: f32,
    /// Document id.
    pub id: &'a str,
    /// Source file.
    pub path: &'a str,
    /// Headline, or null.
    pub title: Option<&'a str>,
    /// RFC 3339 UTC date, or null.
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub date: Option<String>,
    /// Outlet, or null.
    pub source: Option<&'a str>,
    /// Link, or null.
    pub url: Option<&'a str>,
    /// Best fragment of the body: plain text, no markup.
    pub snippet: &'a str,
    /// [start, end) byte ranges in snippet of the words that matched, as the
    /// article wrote them; a phrase is one range, where the phrase occurs.
    pub highlights: &'a [[usize; 2]],
    /// Canonical names of the entities the article mentions.
    pub entities: &'a [String],
    /// The article's entity mentions (title and body) per entity and per
    /// spelling of the alias table that matched (as `aliases --explain` names
    /// it: a variant in any case is its one form, an acronym matches only in
    /// its own case), entities in table order. Their counts add up to the
    /// entity tokens `aliases --explain` shows for the same text.
    pub matches: Vec<EntityMatchV1<'a>>,
    /// Headlines from the scraper trailer.
    pub related: &'a [String],
    /// With --explain: tantivy's score explanation, fields named.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("type" = "object"))]
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
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Duplicate")]
pub struct DuplicateV1<'a> {
    /// Document id.
    pub id: &'a str,
    /// Outlet, or null.
    pub source: Option<&'a str>,
    /// RFC 3339 UTC date, or null.
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub date: Option<String>,
}

/// An entity's mentions by one spelling of the table.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "EntityMatch")]
#[schemars(deny_unknown_fields)]
pub struct EntityMatchV1<'a> {
    /// Canonical name.
    pub entity: &'a str,
    /// The table's spelling that matched.
    pub form: &'a str,
    /// Mentions in title and body.
    #[schemars(range(min = 1))]
    pub count: u64,
}

/// A facet value's count.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "FacetCount")]
#[schemars(deny_unknown_fields)]
pub struct FacetCountV1<'a> {
    /// The value.
    pub value: &'a str,
    /// Hits with it (in `stats`, documents with it).
    #[schemars(range(min = 1))]
    pub count: u64,
    /// --facet terms, and --facet entity with --keyness: articles in the
    /// index whose body holds the word (count is the hits whose body holds
    /// it), or that mention the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub corpus_count: Option<u64>,
    /// --facet terms, and --facet entity with --keyness: log-likelihood G² of
    /// the 2x2 table of articles (hits or the rest of the index, with or
    /// without the word or entity). Terms are the 50 words of highest G² that
    /// more of the hits hold than of the rest, in at least 3 hits, leaving out
    /// stop words and the query's own words; entities keep their order by hits
    /// (an under-represented one has a negative effect).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub g2: Option<f64>,
    /// --facet terms, and --facet entity with --keyness: log ratio, log2 of
    /// the share of hits holding the word or entity over the share of the rest
    /// holding it (a zero count taken as 0.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<f64>,
}

impl<'a> FacetCountV1<'a> {
    /// The wire form of `count`.
    pub fn new(count: &'a FacetCount) -> FacetCountV1<'a> {
        let keyness = count.keyness.as_ref();
        FacetCountV1 {
            value: &count.value,
            count: count.count,
            corpus_count: keyness.map(|k| k.corpus_count),
            g2: keyness.map(|k| k.g2),
            effect: keyness.map(|k| k.effect),
        }
    }
}

/// A timeline bucket.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PeriodCount")]
#[schemars(deny_unknown_fields)]
pub struct PeriodCountV1<'a> {
    /// `2016`, `2016-09`, `2016-W35` or `2016-09-04`.
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?|-W[0-9]{2})?$"))]
    pub period: &'a str,
    /// Hits in it.
    pub count: u64,
    /// Articles the index holds in the period under the same --filter,
    /// --since and --until, without the query (what `query '*'` with them counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// `count / total`; absent in a gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub share: Option<f64>,
    /// true when the (filtered) corpus holds no article at all in the period:
    /// a gap in the collection rather than a period without news.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<bool>,
}

/// Provenance of a query's answer.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "IndexInfo")]
#[schemars(deny_unknown_fields)]
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
        let facet_counts =
            |counts: &'a [FacetCount]| counts.iter().map(FacetCountV1::new).collect();
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
                .map(|(kind, counts)| (kind.name(), facet_counts(counts)))
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
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "IndexReport")]
#[schemars(deny_unknown_fields)]
pub struct IndexReportV2<'a> {
    /// Always 2.
    #[schemars(extend("const" = 2))]
    pub schema_version: u32,
    /// Documents from files the index did not have (every document with
    /// --rebuild), and the records a changed file gained.
    pub added: u64,
    /// Documents of files that changed since the last run: as many as each
    /// file held before and still holds. They replace their old copies, which
    /// are not counted as removed.
    pub updated: u64,
    /// Documents that left the index: of files that are gone, and the records
    /// a changed file lost (a JSON file with fewer records). Never the old
    /// copies that --rebuild replaces (see replaced).
    pub removed: u64,
    /// Documents kept as they were: of files not read again (same size and
    /// modification time), and of files outside this run's folders.
    pub unchanged: u64,
    /// Whether the run was a --rebuild, which indexed every file anew.
    pub rebuilt: bool,
    /// With --rebuild, the documents the old index held, all replaced by this
    /// run's (those of files that are gone are lost); 0 otherwise.
    pub replaced: u64,
    /// Files left out, each with the reason. Skipped files are not an error
    /// (exit code 0).
    pub skipped: Vec<SkipV1>,
    /// Files indexed with what could be read, and what was off.
    pub warnings: Vec<WarningV1>,
    /// Documents in the index after the commit.
    pub documents: u64,
    /// Wall time, ms.
    pub took_ms: u64,
    /// Fingerprint of the alias table the index uses.
    pub aliases_fingerprint: &'a str,
    /// Present only when the run read WARC archives: their records, by what
    /// became of them (an optional key, added within version 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcRecordsV1>,
}

/// The records of the WARC archives an index run read (`warc` of an index report).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "WarcRecords")]
#[schemars(deny_unknown_fields)]
pub struct WarcRecordsV1 {
    /// HTTP responses whose web page became an article.
    pub articles: u64,
    /// HTTP responses passed over: `not_html + redirects + errors + no_article`.
    pub skipped: u64,
    /// Responses whose body is not a web page (images, scripts, feeds, PDFs).
    pub not_html: u64,
    /// HTTP redirects (3xx).
    pub redirects: u64,
    /// HTTP errors (4xx, 5xx) and other statuses that are not a page.
    pub errors: u64,
    /// Web pages in which no article was found (index pages, login walls).
    pub no_article: u64,
    /// Records that are not HTTP responses: request, metadata, warcinfo, revisit, ...
    pub other_records: u64,
}

/// A skipped file (the same since version 1).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Skip")]
#[schemars(deny_unknown_fields)]
pub struct SkipV1 {
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A warning about an indexed file (the same since version 1).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Warning")]
#[schemars(deny_unknown_fields)]
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
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StatsReport")]
#[schemars(deny_unknown_fields)]
pub struct StatsReportV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// Documents in the index.
    pub documents: u64,
    /// Earliest publication date, or null.
    #[schemars(extend("format" = "date-time"))]
    pub date_min: Option<String>,
    /// Latest publication date, or null.
    #[schemars(extend("format" = "date-time"))]
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
    /// How 4/5/2017 was read (--month-first or --day-first); kept by the index
    /// until --rebuild; absent when the index does not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slash_dates: Option<SlashDates>,
    /// Present only with --timeline: the articles the index holds per period,
    /// oldest first, one entry for every period from the first dated
    /// article's to the last's: the collection's own coverage, in all and per
    /// source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<CoveragePeriodV1<'a>>>,
    /// Present only with --timeline: articles without a date, in no period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<u64>,
}

/// A period of `stats --timeline`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "CoveragePeriod")]
pub struct CoveragePeriodV1<'a> {
    /// `2016`, `2016-09`, `2016-W35` or `2016-09-04`.
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?|-W[0-9]{2})?$"))]
    pub period: &'a str,
    /// Articles the index holds in the period (what `query '*' --since P
    /// --until P` counts).
    pub total: u64,
    /// Every source of the index (as `sources` names them) with its articles
    /// in the period, 0 included: a 0 where other sources have articles is a
    /// gap in that source's collection (what `query '*' --filter source:S`
    /// counts in the period). Articles that name no source count in total only.
    pub sources: BTreeMap<&'a str, u64>,
    /// true when the index holds no article at all in the period: a gap in
    /// the collection.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gap: bool,
}

impl<'a> StatsReportV1<'a> {
    /// The wire form of `stats`.
    pub fn new(stats: &'a IndexStats) -> StatsReportV1<'a> {
        let counts = |counts: &'a [FacetCount]| counts.iter().map(FacetCountV1::new).collect();
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
            timeline: stats.coverage.as_ref().map(|coverage| {
                let sources = |i: usize| {
                    coverage
                        .sources
                        .iter()
                        .map(|(name, counts)| (name.as_str(), counts.get(i).copied().unwrap_or(0)))
                        .collect()
                };
                coverage
                    .periods
                    .iter()
                    .zip(&coverage.totals)
                    .enumerate()
                    .map(|(i, (period, &total))| CoveragePeriodV1 {
                        period,
                        total,
                        sources: sources(i),
                        gap: total == 0,
                    })
                    .collect()
            }),
            undated_excluded: stats.coverage.as_ref().map(|coverage| coverage.undated),
        }
    }
}
