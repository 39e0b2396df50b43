//! Stage 6 (collect): a tantivy query → [`SearchResults`]: the page of hits with
//! snippets, facet counts and the timeline over every hit, and how many matching
//! articles have no date, which a date range or a timeline leaves out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Datelike, Utc};
use tantivy::InvertedIndexReader;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::Query;
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, DocSet, IndexReader, Order, Score, SegmentReader, TERMINATED,
    TantivyDocument, Term,
};

use crate::analysis::EntityFinder;
use crate::error::{Error, Result};
use crate::fields;
use crate::query::expand::{self, ExpansionTerm};
use crate::query::{self, FacetKind, Period, QueryTokenizers, SearchRequest, Sort};
use crate::store::{self, Store};

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

/// Matching articles without a publication date, which a date range or a
/// timeline cannot place. A corpus whose outlet prints no dates (BBC pages)
/// would otherwise answer `--since 2016` with no hits and no reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UndatedExcluded {
    /// Articles the query matches, left out of the hits by the date range
    /// (and so out of any timeline too).
    ByDateRange(u64),
    /// Hits counted in `total_hits` but in no period of the timeline.
    FromTimeline(u64),
}

impl UndatedExcluded {
    /// How many articles were left out.
    pub fn count(self) -> u64 {
        match self {
            UndatedExcluded::ByDateRange(count) | UndatedExcluded::FromTimeline(count) => count,
        }
    }
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
    /// Requested facets in the order asked for (each once), their values most
    /// frequent first.
    pub facets: Vec<(&'static str, Vec<FacetCount>)>,
    /// Hits per period, oldest first, with `--timeline`.
    pub timeline: Option<Vec<FacetCount>>,
    /// Undated articles the date range or the timeline left out; `None`
    /// without either.
    pub undated_excluded: Option<UndatedExcluded>,
    /// Provenance.
    pub index: IndexInfo,
    /// The words `--expand` added, heaviest first (empty without it).
    pub expansion: Vec<ExpansionTerm>,
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
        let reader = store.reader()?;
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
        let searcher = self.reader.searcher();
        let dir = &self.store.dir;
        let index_error = Error::index(dir.clone());
        let mut query = query::build(&self.store, &searcher, &self.tokenizers, request, &[])?;
        let mut expansion = Vec::new();
        if request.expand {
            expansion = self.feedback(&searcher, &*query)?;
            query = query::build(&self.store, &searcher, &self.tokenizers, request, &expansion)?;
        }

        let wanted = request.limit.map(|limit| request.offset.saturating_add(limit));
        let facet_fields: Vec<&'static str> = request
            .facets
            .iter()
            .filter(|f| matches!(f, FacetKind::Source | FacetKind::Folder))
            .map(|f| f.name())
            .collect();
        let need_entities = request.facets.contains(&FacetKind::Entity);
        let need_days = request.timeline.is_some()
            || request.facets.iter().any(|f| matches!(f, FacetKind::Year | FacetKind::Month));
        let counting = !facet_fields.is_empty() || need_days || need_entities;
        let facet_collector =
            (FacetPaths { fields: facet_fields }, EntityCounts::new(&self.store, need_entities));
        // Undated hits, which a timeline leaves out, are counted in the same pass
        // (with a date range there are none: see `undated_excluded`).
        let undated_hits = Undated { enabled: request.timeline.is_some() && !has_dates(request) };
        let day_collector = (DayCounts { enabled: need_days }, undated_hits);

        let (total_hits, (facet_counts, entity_counts), (days, undated), page) = match wanted {
            // A relevance page: one scored pass over every hit counts them,
            // and the facets with them. Two passes (an unscored one to count,
            // then top-k) visit every hit twice: the BM25F scorers cannot skip
            // hits that could not reach the page (tantivy's block-max pruning
            // knows only its own term scorer), and counting them cannot be
            // answered from document frequencies either.
            Some(wanted) if request.sort == Sort::Relevance && wanted > request.offset => {
                let collector = (by_relevance(wanted), Count, facet_collector, day_collector);
                let (top, total, facets, days) =
                    searcher.search(&*query, &collector).map_err(index_error)?;
                (total, facets, days, relevance_page(top, request.offset))
            }
            _ => {
                let (total, facets, days) = if counting {
                    let collector = (Count, facet_collector, day_collector);
                    searcher.search(&*query, &collector).map_err(index_error)?
                } else {
                    // `Count` alone is answered from document frequencies where it can.
                    let total = searcher.search(&*query, &Count).map_err(index_error)?;
                    (total, (HashMap::new(), Vec::new()), (BTreeMap::new(), 0))
                };
                let page = self.page(&searcher, &*query, request, wanted.unwrap_or(total))?;
                (total, facets, days, page)
            }
        };

        let undated_excluded = self.undated_excluded(&searcher, request, &expansion, undated)?;

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

        let mut facets: Vec<(&'static str, Vec<FacetCount>)> = Vec::new();
        for kind in &request.facets {
            if facets.iter().any(|(name, _)| *name == kind.name()) {
                continue;
            }
            let counts = match kind {
                FacetKind::Year => bucket(&days, Period::Year, true),
                FacetKind::Month => bucket(&days, Period::Month, true),
                FacetKind::Entity => self.entity_values(&entity_counts),
                FacetKind::Source | FacetKind::Folder => {
                    let paths = facet_counts.get(kind.name()).cloned().unwrap_or_default();
                    facet_values(*kind, paths)
                }
            };
            facets.push((kind.name(), counts));
        }
        Ok(SearchResults {
            query: request.query.clone(),
            total_hits,
            offset: request.offset,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
            timeline: request.timeline.map(|period| bucket(&days, period, false)),
            undated_excluded,
            index: IndexInfo {
                documents: searcher.num_docs(),
                aliases_fingerprint: self.store.aliases.fingerprint().to_owned(),
                newsearch_version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            expansion,
        })
    }

    /// The undated articles `request` left out: with a date range, those the
    /// query matches without it, counted in one unscored pass of the query
    /// without it (skipped when every article of the index has a date); with a
    /// timeline alone, the `undated_hits` the search counted.
    fn undated_excluded(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        expansion: &[ExpansionTerm],
        undated_hits: u64,
    ) -> Result<Option<UndatedExcluded>> {
        if !has_dates(request) {
            let timeline = request.timeline.is_some();
            return Ok(timeline.then_some(UndatedExcluded::FromTimeline(undated_hits)));
        }
        let dir = &self.store.dir;
        let mut any_undated = false;
        for segment in searcher.segment_readers() {
            let column =
                segment.fast_fields().date(fields::DATE).map_err(Error::index(dir.clone()))?;
            any_undated |= !column.index.get_cardinality().is_full();
        }
        if !any_undated {
            return Ok(Some(UndatedExcluded::ByDateRange(0)));
        }
        let mut undated = request.clone();
        (undated.since, undated.until) = (None, None);
        let query = query::build(&self.store, searcher, &self.tokenizers, &undated, expansion)?;
        let count = searcher
            .search(&*query, &Undated { enabled: true })
            .map_err(Error::index(dir.clone()))?;
        Ok(Some(UndatedExcluded::ByDateRange(count)))
    }

    /// `--expand`'s words: from the title and body of the query's best hits.
    fn feedback(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Result<Vec<ExpansionTerm>> {
        let dir = &self.store.dir;
        let top = searcher
            .search(query, &by_relevance(expand::FEEDBACK_DOCS))
            .map_err(Error::index(dir.clone()))?;
        let f = &self.store.fields;
        let mut docs = Vec::with_capacity(top.len());
        for ((score, _), address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(Error::index(dir.clone()))?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
            docs.push((score, format!("{}\n{}", text(f.title), text(f.body))));
        }
        Ok(expand::feedback_terms(&mut self.tokenizers.analyzer(false), &docs))
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
                let top = searcher.search(query, &by_relevance(wanted)).map_err(index_error)?;
                return Ok(relevance_page(top, request.offset));
            }
            Sort::Newest => Order::Desc,
            Sort::Oldest => Order::Asc,
        };
        let top = TopDocs::with_limit(wanted)
            .order_by_fast_field::<tantivy::DateTime>(fields::DATE, order);
        let page = searcher.search(query, &top).map_err(index_error)?;
        Ok(page.into_iter().skip(request.offset).map(|(_, address)| (0.0, address)).collect())
    }

    /// Entities a hit mentions, by name in table order: found by the same
    /// filter that wrote the terms the entity facet counts.
    fn entities_of(&self, title: Option<&str>, body: &str) -> Vec<String> {
        let mut finder = EntityFinder::new(&self.store.aliases);
        let mut found = BTreeSet::new();
        if let Some(title) = title {
            finder.find(title, &mut found);
        }
        finder.find(body, &mut found);
        found.into_iter().map(|id| self.store.aliases.entity(id).name.clone()).collect()
    }

    /// Entity counts → facet values, most frequent first, ties by name.
    fn entity_values(&self, counts: &[u64]) -> Vec<FacetCount> {
        let entities = self.store.aliases.entities();
        let mut values: Vec<FacetCount> = entities
            .iter()
            .zip(counts)
            .filter(|&(_, &count)| count > 0)
            .map(|(entity, &count)| FacetCount { value: entity.name.clone(), count })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values
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
            let (fragment, shift) = widen_to_punctuation(&body, snippet.fragment(), snippet_chars);
            // One matched token longer than the limit (a multi-word entity spelling)
            // is cut at it, with its highlight.
            let end =
                fragment.char_indices().nth(snippet_chars).map_or(fragment.len(), |(at, _)| at);
            let ranges = snippet
                .highlighted()
                .iter()
                .map(|r| [r.start + shift, (r.end + shift).min(end)])
                .filter(|[start, end]| start < end)
                .collect();
            (fragment[..end].to_owned(), ranges)
        };

        let title = text(f.title);
        let entities = self.entities_of(title.as_deref(), &body);
        Hit {
            rank,
            score,
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            source: doc.get_first(f.source).and_then(|v| v.as_facet()).and_then(facet_leaf),
            url: text(f.url),
            title,
            snippet,
            highlights,
            entities,
            related: doc.get_all(f.related).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            explanation: None,
        }
    }
}

/// Whether `request` narrows the hits to a date range.
fn has_dates(request: &SearchRequest) -> bool {
    request.since.is_some() || request.until.is_some()
}

/// A hit's place in relevance order: its score, then its date (newest first,
/// undated last), then its place in the index.
type RelevanceKey = (Score, Option<tantivy::DateTime>);

/// The `wanted` best hits in relevance order. The date is part of the collector's
/// key, not a re-sort of its output: among more equal scores than fit on a
/// page (every hit of `*` or of a filter alone scores the same), the page must
/// hold the newest, and the next page must start where this one ended.
/// tantivy reads a hit's date only when its score ties the page's last one.
fn by_relevance(wanted: usize) -> impl Collector<Fruit = Vec<(RelevanceKey, DocAddress)>> + use<> {
    let newest = (SortByStaticFastValue::<tantivy::DateTime>::for_field(fields::DATE), Order::Desc);
    TopDocs::with_limit(wanted.max(1)).order_by((SortBySimilarityScore, newest))
}

/// The page `offset..` of the best hits, in display order.
fn relevance_page(top: Vec<(RelevanceKey, DocAddress)>, offset: usize) -> Vec<(f32, DocAddress)> {
    top.into_iter().skip(offset).map(|((score, _), address)| (score, address)).collect()
}

/// The first `chars` characters of `text`, at a word boundary.
fn lead(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.trim().to_owned(),
        Some((end, _)) => {
            // Room for the `…` where there is no space to cut at.
            let last = text[..end].char_indices().next_back().map_or(0, |(at, _)| at);
            let cut = text[..end].rfind(char::is_whitespace).unwrap_or(last);
            format!("{}…", text[..cut].trim_end())
        }
    }
}

/// tantivy cuts a snippet at its first and last words, leaving out the
/// punctuation that touches them (an article ending `camps.` gave `camps`): the
/// fragment is widened to it, as the article wrote it. Returns the fragment and
/// how many bytes were added in front (highlights move by that much). The widened
/// fragment keeps within `max_chars`.
fn widen_to_punctuation<'b>(
    body: &'b str,
    fragment: &'b str,
    max_chars: usize,
) -> (&'b str, usize) {
    let Some(start) = body.find(fragment) else { return (fragment, 0) };
    let end = start + fragment.len();
    let touching = |c: &char| !c.is_whitespace() && !c.is_alphanumeric();
    // A few characters at most: a run of `-----` is a rule, not punctuation.
    let room = max_chars.saturating_sub(fragment.chars().count());
    let after: Vec<char> = body[end..].chars().take_while(touching).take(3.min(room)).collect();
    let before: usize = body[..start]
        .chars()
        .rev()
        .take_while(touching)
        .take(3.min(room - after.len()))
        .map(char::len_utf8)
        .sum();
    let after: usize = after.iter().copied().map(char::len_utf8).sum();
    (&body[start - before..end + after], before)
}

/// The last component of an encoded facet: `/organization/ISIS` → `ISIS`.
fn facet_leaf(encoded: &str) -> Option<String> {
    let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).ok()?;
    facet.to_path().last().map(|s| (*s).to_owned())
}

/// Facet paths → output values: sources by name, folders by path; most
/// frequent first, ties by value. Values that differ only in letter case are
/// one value, shown in its commonest spelling, as `--filter source:fna` finds
/// them all: a count must be what filtering on its value gives.
fn facet_values(kind: FacetKind, paths: HashMap<String, u64>) -> Vec<FacetCount> {
    // Folded value → (count, spellings with their counts).
    let mut merged: BTreeMap<String, (u64, Vec<(u64, String)>)> = BTreeMap::new();
    for (path, count) in paths {
        let value = match kind {
            // Steps joined as they are: folder names hold no `/`, and this is the
            // form `folder:` reads back.
            FacetKind::Folder => Facet::from_encoded(path.into_bytes())
                .map(|facet| format!("/{}", facet.to_path().join("/")))
                .unwrap_or_default(),
            _ => facet_leaf(&path).unwrap_or_default(),
        };
        let entry = merged.entry(query::fold_case(&value)).or_default();
        entry.0 += count;
        entry.1.push((count, value));
    }
    let mut counts: Vec<FacetCount> = merged
        .into_values()
        .filter_map(|(count, mut spellings)| {
            spellings.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let (_, value) = spellings.into_iter().next()?;
            Some(FacetCount { value, count })
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// Day counts → period counts. Facets (`by_count`) list the most frequent first;
/// timelines list periods in order.
fn bucket(days: &BTreeMap<i64, u64>, period: Period, by_count: bool) -> Vec<FacetCount> {
    let label = |day: i64| {
        let date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?;
        Some(match period {
            Period::Day => date.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = date.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => date.format("%Y-%m").to_string(),
            Period::Year => date.format("%Y").to_string(),
        })
    };
    let mut buckets: BTreeMap<String, u64> = BTreeMap::new();
    // A timeline has a row for every period from the first hit's to the last's: a
    // month without coverage is a finding, and neither a chart nor a script should
    // have to invent its zero. (The index holds no dates beyond 1677-2262, so the
    // walk is at most some 200,000 days.)
    if !by_count
        && let (Some((&first, _)), Some((&last, _))) =
            (days.first_key_value(), days.last_key_value())
    {
        for day in first..=last {
            if let Some(key) = label(day) {
                buckets.entry(key).or_insert(0);
            }
        }
    }
    for (&day, &count) in days {
        let Some(key) = label(day) else { continue };
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

/// Counts hits without a publication date, when `enabled`.
struct Undated {
    enabled: bool,
}

struct SegmentUndated {
    /// The segment's dates; `None` when nothing is counted, or when every
    /// document of the segment has a date.
    column: Option<Column<tantivy::DateTime>>,
    count: u64,
}

impl Collector for Undated {
    type Fruit = u64;
    type Child = SegmentUndated;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentUndated> {
        let column = if self.enabled {
            Some(segment.fast_fields().date(fields::DATE)?)
                .filter(|column| !column.index.get_cardinality().is_full())
        } else {
            None
        };
        Ok(SegmentUndated { column, count: 0 })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<u64>) -> tantivy::Result<u64> {
        Ok(fruits.into_iter().sum())
    }
}

impl SegmentCollector for SegmentUndated {
    type Fruit = u64;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            self.count += u64::from(column.first(doc).is_none());
        }
    }

    fn harvest(self) -> u64 {
        self.count
    }
}

/// Counts hits per entity of the alias table, from the index's own terms: an
/// article mentions an entity when its title or body holds the entity's
/// canonical term, which the analyzer writes for every spelling. So the facet
/// agrees with a search for the entity by construction, and indexing needs no
/// second pass over the text to find entities (that pass was a sixth of the
/// instructions of an index run).
struct EntityCounts {
    /// Where mentions are (`fields::ENTITY_SEARCH`): title and body.
    fields: [Field; 2],
    /// Per entity, in table order: its term in title and in body; empty when
    /// the facet was not asked for.
    terms: Vec<[Term; 2]>,
}

impl EntityCounts {
    fn new(store: &Store, enabled: bool) -> EntityCounts {
        let fields = store.fields.entity_search();
        let terms = if enabled {
            let entities = store.aliases.entities();
            entities.iter().map(|e| fields.map(|f| Term::from_field_text(f, &e.term))).collect()
        } else {
            Vec::new()
        };
        EntityCounts { fields, terms }
    }
}

/// A segment's hits, then its entities' postings.
struct SegmentEntityCounts {
    /// Hits in doc order (collectors see a segment's docs in order).
    hits: Vec<DocId>,
    max_doc: DocId,
    /// The segment's title and body indexes, if the facet was asked for.
    indexes: Option<[Arc<InvertedIndexReader>; 2]>,
    /// Per entity with any mention in the segment: its index, and where its
    /// term's postings are in title and in body.
    terms: Vec<(usize, [Option<TermInfo>; 2])>,
    entities: usize,
}

/// Below this many postings per hit, seeking each hit in the postings beats
/// reading them all.
const SEEK_RATIO: u64 = 8;

impl Collector for EntityCounts {
    type Fruit = Vec<u64>;
    type Child = SegmentEntityCounts;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentEntityCounts> {
        let mut terms = Vec::new();
        let mut indexes = None;
        if !self.terms.is_empty() {
            let [title, body] = self.fields;
            let [title_index, body_index] =
                [segment.inverted_index(title)?, segment.inverted_index(body)?];
            for (entity, [in_title, in_body]) in self.terms.iter().enumerate() {
                let infos =
                    [title_index.get_term_info(in_title)?, body_index.get_term_info(in_body)?];
                if infos.iter().any(Option::is_some) {
                    terms.push((entity, infos));
                }
            }
            indexes = Some([title_index, body_index]);
        }
        Ok(SegmentEntityCounts {
            hits: Vec::new(),
            max_doc: segment.max_doc(),
            indexes,
            terms,
            entities: self.terms.len(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<Vec<u64>>>) -> tantivy::Result<Vec<u64>> {
        let mut merged = vec![0; self.terms.len()];
        for fruit in fruits {
            for (total, count) in merged.iter_mut().zip(fruit?) {
                *total += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentEntityCounts {
    type Fruit = tantivy::Result<Vec<u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if !self.terms.is_empty() {
            self.hits.push(doc);
        }
    }

    /// Each entity is counted the cheapest of three ways: few hits are sought
    /// in its postings; most of the segment is counted through the few docs
    /// that are not hits; in between, its postings are read block by block
    /// against a bitset of the hits.
    fn harvest(self) -> tantivy::Result<Vec<u64>> {
        let mut counts = vec![0; self.entities];
        let Some([title_index, body_index]) = &self.indexes else { return Ok(counts) };
        if self.hits.is_empty() {
            return Ok(counts);
        }
        let hits = self.hits.len() as u64;
        let hit_bits = bitset(&self.hits, self.max_doc);
        let misses = (hits * 2 > u64::from(self.max_doc))
            .then(|| (0..self.max_doc).filter(|&doc| !is_set(&hit_bits, doc)).collect::<Vec<_>>());
        let mut marks: Vec<u32> = Vec::new();
        let postings = |index: &InvertedIndexReader, info: &Option<TermInfo>| {
            info.as_ref()
                .map(|info| index.read_postings_from_terminfo(info, IndexRecordOption::Basic))
                .transpose()
        };
        let blocks = |index: &InvertedIndexReader, info: &Option<TermInfo>| {
            info.as_ref()
                .map(|info| index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic))
                .transpose()
        };
        for (entity, [in_title, in_body]) in &self.terms {
            let mentions: u64 =
                [in_title, in_body].into_iter().flatten().map(|i| u64::from(i.doc_freq)).sum();
            let count = if hits.saturating_mul(SEEK_RATIO) < mentions {
                let mut lists = [postings(title_index, in_title)?, postings(body_index, in_body)?];
                count_by_seeking(&self.hits, &mut lists)
            } else if let Some(misses) = &misses {
                let body_docs = in_body.as_ref().map_or(0, |info| u64::from(info.doc_freq));
                let mut lists = [postings(title_index, in_title)?, postings(body_index, in_body)?];
                count_by_misses(&hit_bits, misses, body_docs, &mut lists)
            } else {
                if marks.is_empty() {
                    marks = vec![0; self.max_doc as usize];
                }
                let tag = u32::try_from(*entity + 1).unwrap_or(u32::MAX);
                let lists = [blocks(title_index, in_title)?, blocks(body_index, in_body)?];
                count_by_blocks(&hit_bits, &mut marks, tag, lists)
            };
            if let Some(slot) = counts.get_mut(*entity) {
                *slot = count;
            }
        }
        Ok(counts)
    }
}

/// Hits in either postings list, read a block of doc ids at a time: the body's
/// hits are counted and tagged in `marks`, then the title's untagged hits.
fn count_by_blocks(
    hit_bits: &[u64],
    marks: &mut [u32],
    tag: u32,
    [title, body]: [Option<BlockSegmentPostings>; 2],
) -> u64 {
    let mut count = 0;
    if let Some(mut body) = body {
        while !body.docs().is_empty() {
            for &doc in body.docs() {
                if is_set(hit_bits, doc) {
                    count += 1;
                    if let Some(mark) = marks.get_mut(doc as usize) {
                        *mark = tag;
                    }
                }
            }
            body.advance();
        }
    }
    if let Some(mut title) = title {
        while !title.docs().is_empty() {
            for &doc in title.docs() {
                let in_body = marks.get(doc as usize) == Some(&tag);
                count += u64::from(is_set(hit_bits, doc) && !in_body);
            }
            title.advance();
        }
    }
    count
}

/// Hits that appear in either postings list, by seeking each hit: for few hits.
fn count_by_seeking<D: DocSet>(hits: &[DocId], postings: &mut [Option<D>; 2]) -> u64 {
    let mut count = 0;
    for &hit in hits {
        let mut found = false;
        for list in postings.iter_mut().flatten() {
            // Seeking never goes back: a list already past this hit skips it.
            if list.doc() < hit {
                list.seek(hit);
            }
            found |= list.doc() == hit;
        }
        count += u64::from(found);
    }
    count
}

/// Hits that appear in either postings list, for a segment where most docs are
/// hits: the body's hits are its postings minus the misses found in it (doc
/// frequencies count deleted docs, and so do the misses: every doc id that is
/// not a hit), plus the title's hits that are not in the body. One forward
/// walk seeks the body list to each miss and each title doc, in order.
fn count_by_misses<D: DocSet>(
    hit_bits: &[u64],
    misses: &[DocId],
    body_docs: u64,
    postings: &mut [Option<D>; 2],
) -> u64 {
    let [title, body] = postings;
    let mut in_body = |doc: DocId| {
        body.as_mut().is_some_and(|list| {
            if list.doc() < doc {
                list.seek(doc);
            }
            list.doc() == doc
        })
    };
    let (mut missed_in_body, mut title_only) = (0, 0);
    let mut misses = misses.iter().copied().peekable();
    let mut title_doc = title.as_ref().map_or(TERMINATED, DocSet::doc);
    loop {
        let doc = misses.peek().copied().unwrap_or(TERMINATED).min(title_doc);
        if doc == TERMINATED {
            break;
        }
        let found = in_body(doc);
        if misses.next_if_eq(&doc).is_some() {
            missed_in_body += u64::from(found);
        }
        if title_doc == doc {
            title_only += u64::from(is_set(hit_bits, doc) && !found);
            title_doc = title.as_mut().map_or(TERMINATED, DocSet::advance);
        }
    }
    body_docs.saturating_sub(missed_in_body) + title_only
}

fn is_set(bits: &[u64], doc: DocId) -> bool {
    bits.get((doc / 64) as usize).is_some_and(|word| (word >> (doc % 64)) & 1 == 1)
}

/// `hits` as a bitset over the segment's doc ids.
fn bitset(hits: &[DocId], max_doc: DocId) -> Vec<u64> {
    let mut bits = vec![0_u64; (max_doc as usize).div_ceil(64)];
    for &doc in hits {
        if let Some(word) = bits.get_mut((doc / 64) as usize) {
            *word |= 1 << (doc % 64);
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tantivy::{DocId, DocSet, TERMINATED};

    use super::{bitset, count_by_misses, count_by_seeking};

    /// A postings list in memory (tantivy's own test doc sets are not public).
    struct Docs {
        docs: Vec<DocId>,
        at: usize,
    }

    impl DocSet for Docs {
        fn advance(&mut self) -> DocId {
            self.at += 1;
            self.doc()
        }

        fn doc(&self) -> DocId {
            self.docs.get(self.at).copied().unwrap_or(TERMINATED)
        }

        fn size_hint(&self) -> u32 {
            u32::try_from(self.docs.len()).unwrap()
        }
    }

    /// A postings list, or none when the term is not in the segment.
    fn postings(docs: &BTreeSet<DocId>) -> Option<Docs> {
        (!docs.is_empty()).then(|| Docs { docs: docs.iter().copied().collect(), at: 0 })
    }

    proptest::proptest! {
        /// Seeking the hits and walking the misses both count
        /// hits ∩ (title ∪ body), whichever list is missing or longer.
        /// (Reading blocks is checked against `--filter` on the sample
        /// corpus, in the integration tests.)
        #[test]
        fn seeking_and_reading_count_the_same_hits(
            hits in proptest::collection::btree_set(0_u32..3000, 0..3000),
            title in proptest::collection::btree_set(0_u32..3000, 0..300),
            body in proptest::collection::btree_set(0_u32..3000, 0..600),
        ) {
            let expected = hits.iter().filter(|d| title.contains(d) || body.contains(d)).count() as u64;
            let hit_list: Vec<DocId> = hits.iter().copied().collect();
            let mut lists = [postings(&title), postings(&body)];
            proptest::prop_assert_eq!(count_by_seeking(&hit_list, &mut lists), expected);
            let bits = bitset(&hit_list, 3000);
            let misses: Vec<DocId> = (0..3000).filter(|d| !hits.contains(d)).collect();
            let mut lists = [postings(&title), postings(&body)];
            let body_docs = body.len() as u64;
            proptest::prop_assert_eq!(count_by_misses(&bits, &misses, body_docs, &mut lists), expected);
        }
    }
}
