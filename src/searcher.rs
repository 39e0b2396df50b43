//! Stage 6 (collect): a tantivy query → [`SearchResults`]: the page of hits with
//! snippets, facet counts and the timeline over every hit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Datelike, Utc};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::schema::{Facet, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, IndexReader, Order, Score, SegmentReader, TantivyDocument};

use crate::error::{Error, Result};
use crate::fields;
use crate::query::{self, FacetKind, Period, QueryTokenizers, SearchRequest, Sort};
use crate::store::{self, Store};

/// Extra hits fetched past the page so that hits with equal scores can be
/// ordered newest first across the page boundary.
const TIE_MARGIN: usize = 16;

/// One hit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// 1-based rank over all hits (offset included).
    pub rank: usize,
    /// Relevance score (BM25); 0 when sorted by date.
    pub score: f32,
    /// Document id.
    pub id: String,
    /// Source file.
    pub path: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date.
    pub date: Option<DateTime<Utc>>,
    /// Outlet.
    pub source: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// The best fragment of the body.
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// Canonical names of the entities the article mentions.
    pub entities: Vec<String>,
    /// Headlines of related articles from the scraper trailer.
    pub related: Vec<String>,
    /// Score breakdown, with `--explain`.
    pub explanation: Option<serde_json::Value>,
}

/// A facet value and how many hits have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    /// The value (`FNA`, `/bbc/business`, `ISIS`, `2016`, `2016-09`).
    pub value: String,
    /// Hits with it.
    pub count: u64,
}

/// Where the results came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexInfo {
    /// Documents in the index.
    pub documents: u64,
    /// Fingerprint of the index's alias table.
    pub aliases_fingerprint: String,
    /// newsearch version that answered.
    pub newsearch_version: String,
}

/// The answer to a [`SearchRequest`].
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Hits over the whole index.
    pub total_hits: usize,
    /// Hits skipped before this page.
    pub offset: usize,
    /// Time to answer, ms.
    pub took_ms: f64,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Requested facet counts, most frequent first.
    pub facets: BTreeMap<&'static str, Vec<FacetCount>>,
    /// Hits per period, oldest first, with `--timeline`.
    pub timeline: Option<Vec<FacetCount>>,
    /// Provenance.
    pub index: IndexInfo,
}

/// An open index, ready for any number of searches.
pub struct Searcher {
    store: Store,
    reader: IndexReader,
    tokenizers: QueryTokenizers,
}

impl Searcher {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Searcher> {
        let store = store::open(dir)?;
        let reader = store.index.reader().map_err(Error::index(dir))?;
        let tokenizers = QueryTokenizers::new(&store);
        Ok(Searcher { store, reader, tokenizers })
    }

    /// The opened index.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Documents in the index.
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs one search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        let query = query::build(&self.store, &self.tokenizers, request)?;
        let searcher = self.reader.searcher();
        let dir = &self.store.dir;
        let index_error = Error::index(dir.clone());

        let wanted = request.limit.map(|limit| request.offset.saturating_add(limit));
        let facet_fields: Vec<&'static str> = request
            .facets
            .iter()
            .filter(|f| matches!(f, FacetKind::Source | FacetKind::Folder | FacetKind::Entity))
            .map(|f| f.name())
            .collect();
        let need_days = request.timeline.is_some()
            || request.facets.iter().any(|f| matches!(f, FacetKind::Year | FacetKind::Month));
        let counting = !facet_fields.is_empty() || need_days;
        let facet_collector = FacetPaths { fields: facet_fields };
        let day_collector = DayCounts { enabled: need_days };

        let (total_hits, facet_counts, days, page) = match wanted {
            // Facets and a relevance page: one scored pass over every hit does both.
            // Two passes (an unscored one to count, then top-k) visit every hit
            // twice when the query is a conjunction, which top-k cannot prune:
            // the five commonest words at 1M articles took 107 ms that way.
            Some(wanted) if counting && request.sort == Sort::Relevance => {
                let top = TopDocs::with_limit(wanted.saturating_add(TIE_MARGIN)).order_by_score();
                let collector = (top, Count, facet_collector, day_collector);
                let (top, total, facets, days) =
                    searcher.search(&*query, &collector).map_err(index_error)?;
                (total, facets, days, Self::relevance_page(&searcher, top, request.offset, wanted))
            }
            _ => {
                let (total, facets, days) = if counting {
                    let collector = (Count, facet_collector, day_collector);
                    searcher.search(&*query, &collector).map_err(index_error)?
                } else {
                    // `Count` alone is answered from document frequencies where it can.
                    let total = searcher.search(&*query, &Count).map_err(index_error)?;
                    (total, HashMap::new(), BTreeMap::new())
                };
                let page = self.page(&searcher, &*query, request, wanted.unwrap_or(total))?;
                (total, facets, days, page)
            }
        };

        let snippets = SnippetGenerator::create(&searcher, &*query, self.store.fields.body)
            .map_err(Error::index(dir.clone()))
            .map(|mut generator| {
                generator.set_max_num_chars(request.snippet_chars);
                generator
            })?;
        let mut hits = Vec::with_capacity(page.len());
        for (i, (score, address)) in page.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address).map_err(Error::index(dir.clone()))?;
            let mut hit =
                self.hit(&doc, request.offset + i + 1, score, &snippets, request.snippet_chars);
            if request.explain {
                let explanation =
                    query.explain(&searcher, address).map_err(Error::index(dir.clone()))?;
                hit.explanation = serde_json::to_value(&explanation).ok();
            }
            hits.push(hit);
        }

        let mut facets = BTreeMap::new();
        for kind in &request.facets {
            let counts = match kind {
                FacetKind::Year => bucket(&days, Period::Year, true),
                FacetKind::Month => bucket(&days, Period::Month, true),
                FacetKind::Source | FacetKind::Folder | FacetKind::Entity => {
                    let paths = facet_counts.get(kind.name()).cloned().unwrap_or_default();
                    facet_values(*kind, paths)
                }
            };
            facets.insert(kind.name(), counts);
        }
        Ok(SearchResults {
            query: request.query.clone(),
            total_hits,
            offset: request.offset,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
            timeline: request.timeline.map(|period| bucket(&days, period, false)),
            index: IndexInfo {
                documents: searcher.num_docs(),
                aliases_fingerprint: self.store.aliases.fingerprint().to_owned(),
                newsearch_version: env!("CARGO_PKG_VERSION").to_owned(),
            },
        })
    }

    /// The requested page of (score, address), in display order.
    fn page(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        wanted: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let index_error = Error::index(self.store.dir.clone());
        if wanted <= request.offset {
            return Ok(Vec::new());
        }
        let order = match request.sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(wanted.saturating_add(TIE_MARGIN)).order_by_score();
                let top = searcher.search(query, &top).map_err(index_error)?;
                return Ok(Self::relevance_page(searcher, top, request.offset, wanted));
            }
            Sort::Newest => Order::Desc,
            Sort::Oldest => Order::Asc,
        };
        let top = TopDocs::with_limit(wanted)
            .order_by_fast_field::<tantivy::DateTime>(fields::DATE, order);
        let page = searcher.search(query, &top).map_err(index_error)?;
        Ok(page.into_iter().skip(request.offset).map(|(_, address)| (0.0, address)).collect())
    }

    /// Orders the top hits for display (equal scores newest first, then in index
    /// order, so output is stable) and cuts out the page `offset..wanted`.
    fn relevance_page(
        searcher: &tantivy::Searcher,
        top: Vec<(Score, DocAddress)>,
        offset: usize,
        wanted: usize,
    ) -> Vec<(f32, DocAddress)> {
        let mut scored: Vec<(Score, DocAddress, i64)> = top
            .into_iter()
            .map(|(score, address)| (score, address, Self::date_secs(searcher, address)))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.2.cmp(&a.2)).then(a.1.cmp(&b.1)));
        scored.truncate(wanted);
        scored.into_iter().skip(offset).map(|(score, address, _)| (score, address)).collect()
    }

    fn date_secs(searcher: &tantivy::Searcher, address: DocAddress) -> i64 {
        let segment = searcher.segment_reader(address.segment_ord);
        segment
            .fast_fields()
            .date(fields::DATE)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .map_or(i64::MIN, tantivy::DateTime::into_timestamp_secs)
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        rank: usize,
        score: f32,
        snippets: &SnippetGenerator,
        snippet_chars: usize,
    ) -> Hit {
        let f = &self.store.fields;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_owned);
        let body = text(f.body).unwrap_or_default();
        let snippet = snippets.snippet(&body);
        let (snippet, highlights) = if snippet.is_empty() {
            (lead(&body, snippet_chars), Vec::new())
        } else {
            let ranges = snippet.highlighted().iter().map(|r| [r.start, r.end]).collect();
            (snippet.fragment().to_owned(), ranges)
        };

        Hit {
            rank,
            score,
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            title: text(f.title),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            source: doc.get_first(f.source).and_then(|v| v.as_facet()).and_then(facet_leaf),
            url: text(f.url),
            snippet,
            highlights,
            entities: doc
                .get_all(f.entity)
                .filter_map(|v| v.as_facet())
                .filter_map(facet_leaf)
                .collect(),
            related: doc.get_all(f.related).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            explanation: None,
        }
    }
}

/// The first `chars` characters of `text`, at a word boundary.
fn lead(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.trim().to_owned(),
        Some((end, _)) => {
            let cut = text[..end].rfind(char::is_whitespace).unwrap_or(end);
            format!("{}…", text[..cut].trim_end())
        }
    }
}

/// The last component of an encoded facet: `/organization/ISIS` → `ISIS`.
fn facet_leaf(encoded: &str) -> Option<String> {
    let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).ok()?;
    facet.to_path().last().map(|s| (*s).to_owned())
}

/// Facet paths → output values: sources and entities by name, folders by path;
/// most frequent first, ties by value.
fn facet_values(kind: FacetKind, paths: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut counts: Vec<FacetCount> = paths
        .into_iter()
        .map(|(path, count)| {
            let value = match kind {
                FacetKind::Folder => Facet::from_encoded(path.into_bytes())
                    .map(|facet| facet.to_string())
                    .unwrap_or_default(),
                _ => facet_leaf(&path).unwrap_or_default(),
            };
            FacetCount { value, count }
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// Day counts → period counts. Facets (`by_count`) list the most frequent first;
/// timelines list periods in order.
fn bucket(days: &BTreeMap<i64, u64>, period: Period, by_count: bool) -> Vec<FacetCount> {
    let mut buckets: BTreeMap<String, u64> = BTreeMap::new();
    for (&day, &count) in days {
        let Some(date) = DateTime::from_timestamp(day * 86_400, 0) else { continue };
        let key = match period {
            Period::Day => date.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = date.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => date.format("%Y-%m").to_string(),
            Period::Year => date.format("%Y").to_string(),
        };
        *buckets.entry(key).or_default() += count;
    }
    let mut counts: Vec<FacetCount> =
        buckets.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    if by_count {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    counts
}

/// Counts every full facet path of some facet fields over all hits (tantivy's
/// `FacetCollector` counts one level below a chosen facet; we want the leaves).
struct FacetPaths {
    fields: Vec<&'static str>,
}

struct SegmentFacetPaths {
    readers: Vec<(&'static str, tantivy::fastfield::FacetReader, Vec<u64>)>,
}

impl Collector for FacetPaths {
    type Fruit = HashMap<&'static str, HashMap<String, u64>>;
    type Child = SegmentFacetPaths;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentFacetPaths> {
        let mut readers = Vec::with_capacity(self.fields.len());
        for &field in &self.fields {
            let reader = segment.facet_reader(field)?;
            let counts = vec![0; reader.num_facets()];
            readers.push((field, reader, counts));
        }
        Ok(SegmentFacetPaths { readers })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged: Self::Fruit = HashMap::new();
        for fruit in fruits {
            for (field, paths) in fruit {
                let into = merged.entry(field).or_default();
                for (path, count) in paths {
                    *into.entry(path).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetPaths {
    type Fruit = HashMap<&'static str, HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, reader, counts) in &mut self.readers {
            for ord in reader.facet_ords(doc) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut fruit = HashMap::new();
        for (field, reader, counts) in self.readers {
            let mut paths = HashMap::new();
            let mut facet = Facet::root();
            for (ord, count) in counts.into_iter().enumerate() {
                if count > 0 && reader.facet_from_ord(ord as u64, &mut facet).is_ok() {
                    paths.insert(facet.encoded_str().to_owned(), count);
                }
            }
            fruit.insert(field, paths);
        }
        fruit
    }
}

/// Counts hits per publication day (days since the epoch), for year and month
/// facets and timelines. Hits without a date are not counted.
struct DayCounts {
    enabled: bool,
}

struct SegmentDayCounts {
    column: Option<Column<tantivy::DateTime>>,
    /// The segment's first day: `days[i]` counts day `first_day + i`.
    first_day: i64,
    /// A dense array over the segment's date range: one add per hit, where a
    /// hash map cost a hash and a probe for each of up to a million hits.
    days: Vec<u64>,
}

/// Widest date range counted in a dense array (about 2,700 years); the index
/// holds no wider one (see `fields::index_date`).
const MAX_DENSE_DAYS: i64 = 1_000_000;

impl Collector for DayCounts {
    type Fruit = BTreeMap<i64, u64>;
    type Child = SegmentDayCounts;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentDayCounts> {
        if !self.enabled {
            return Ok(SegmentDayCounts { column: None, first_day: 0, days: Vec::new() });
        }
        let column = segment.fast_fields().date(fields::DATE)?;
        let day = |date: tantivy::DateTime| date.into_timestamp_secs().div_euclid(86_400);
        let (first_day, last_day) = (day(column.min_value()), day(column.max_value()));
        let span = (last_day - first_day + 1).clamp(0, MAX_DENSE_DAYS);
        let days = vec![0; usize::try_from(span).unwrap_or(0)];
        Ok(SegmentDayCounts { column: Some(column), first_day, days })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged = BTreeMap::new();
        for fruit in fruits {
            for (day, count) in fruit {
                *merged.entry(day).or_default() += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentDayCounts {
    type Fruit = BTreeMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(date) = self.column.as_ref().and_then(|c| c.first(doc)) {
            let offset = date.into_timestamp_secs().div_euclid(86_400) - self.first_day;
            if let Some(count) = usize::try_from(offset).ok().and_then(|i| self.days.get_mut(i)) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.first_day..).zip(self.days).filter(|&(_, count)| count > 0).collect()
    }
}
