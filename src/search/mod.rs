//! Stage 6 (collect): a tantivy query → [`SearchResults`]: the page of hits with
//! snippets, facet counts and the timeline over every hit, and how many matching
//! articles have no date, which a date range or a timeline leaves out.
//!
//! Takes an opened [`Store`] and a [`SearchRequest`]; gives [`SearchResults`].
//! The stage is split by what it does to the hits:
//! `collect` counts them in one pass (collectors), `hits` shapes the page,
//! `snippets` cuts each hit's fragment and `facets` turns counts into
//! facet values and timeline periods.

mod collapse;
mod collect;
mod coverage;
mod entity_facets;
mod facets;
mod hits;
mod keyness;
mod kwic;
pub mod occurrences;
mod provenance;
mod similar;
mod snippets;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, IndexReader, Order, TantivyDocument};

use crate::clusters::Merges;
use crate::error::{Error, Result};
use crate::fields;
use crate::query::bm25f::GroupQuery;
use crate::query::expand::{self, ExpansionTerm};
use crate::query::{self, FacetKind, Period, QueryTokenizers, SearchRequest, Sort};
use crate::store::{self, Store};

use collect::{DayCounts, EntityCounts, FacetPaths, Undated, by_relevance, relevance_page};
pub use coverage::PeriodCoverage;
pub use facets::FacetCount;
use facets::{bucket, facet_values};
pub use hits::{Copy, EntityMatch, Hit};
pub use keyness::{KEY_TERMS, Keyness, g2, log_ratio};
pub use kwic::{KwicResults, KwicRow};

/// What one pass of the collectors counted over all hits.
struct Counted<'a> {
    total_hits: usize,
    /// Source and folder facet paths.
    paths: &'a BTreeMap<FacetKind, HashMap<String, u64>>,
    /// Hits per entity, in table order.
    entities: &'a [u64],
    /// Dated hits per day.
    days: &'a BTreeMap<i64, u64>,
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
    /// Opstamp of the index commit that answered.
    pub opstamp: u64,
}

/// The answer to a [`SearchRequest`].
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Hits over the whole index; with `--collapse`, stories.
    pub total_hits: usize,
    /// With `--collapse`: the articles among the hits (`total_hits` counts
    /// their stories).
    pub total_articles: Option<usize>,
    /// Hits skipped before this page.
    pub offset: usize,
    /// Time to answer, ms.
    pub took_ms: f64,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Requested facets in the order asked for (each once), their values most
    /// frequent first.
    pub facets: Vec<(FacetKind, Vec<FacetCount>)>,
    /// Hits per period, oldest first, with `--timeline`.
    pub timeline: Option<Vec<FacetCount>>,
    /// What the corpus holds in each period of `timeline`, in its order.
    pub coverage: Option<Vec<PeriodCoverage>>,
    /// Undated articles the date range or the timeline left out; `None`
    /// without either.
    pub undated_excluded: Option<UndatedExcluded>,
    /// Provenance.
    pub index: IndexInfo,
    /// The words `--expand` added, heaviest first (empty without it).
    pub expansion: Vec<ExpansionTerm>,
    /// The request's options as run, for provenance.
    pub options: serde_json::Value,
}

/// An open index, ready for any number of searches.
pub struct Searcher {
    store: Store,
    reader: IndexReader,
    tokenizers: QueryTokenizers,
    /// The index's cluster merges, for `--collapse`.
    merges: Arc<Merges>,
    /// The opstamp of the commit the reader's generation opened (by
    /// generation id): `meta.json` is read again only when the reader has
    /// reloaded, not for every search (reading and parsing it was a tenth of
    /// a rare word's search).
    opstamp: std::sync::Mutex<Option<(u64, u64)>>,
}

impl Searcher {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Searcher> {
        let store = store::open(dir)?;
        let reader = store.reader()?;
        let tokenizers = QueryTokenizers::new(&store);
        let merges = Arc::new(store.cluster_merges()?);
        Ok(Searcher { store, reader, tokenizers, merges, opstamp: std::sync::Mutex::default() })
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
        request.validate()?;
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let dir = &self.store.dir;
        let index_error = Error::index(dir.clone());
        let (mut query, groups) =
            query::build_searched(&self.store, &searcher, &self.tokenizers, request, &[])?;
        let mut expansion = Vec::new();
        if request.expand {
            expansion = self.feedback(&searcher, &*query)?;
            query = query::build(&self.store, &searcher, &self.tokenizers, request, &expansion)?;
        }

        let wanted = request.limit.map(|limit| request.offset.saturating_add(limit));
        let facet_kinds: Vec<FacetKind> =
            request.facets.iter().copied().filter(|f| f.facet_field().is_some()).collect();
        let need_entities = request.facets.contains(&FacetKind::Entity)
            || request.facets.contains(&FacetKind::Lineage);
        let need_days = request.timeline.is_some()
            || request.facets.iter().any(|f| matches!(f, FacetKind::Year | FacetKind::Month));
        let counting = !facet_kinds.is_empty() || need_days || need_entities;
        let facet_collector =
            (FacetPaths { kinds: facet_kinds }, EntityCounts::new(&self.store, need_entities));
        // Undated hits, which a timeline leaves out, are counted in the same pass
        // (with a date range there are none: see `undated_excluded`).
        let undated_hits = Undated { enabled: request.timeline.is_some() && !has_dates(request) };
        let day_collector = (DayCounts { enabled: need_days }, undated_hits);

        let mut collapsed: Option<Collapsed> = None;
        let (total_hits, (facet_counts, entity_counts), (days, undated), page) = if request.collapse
        {
            let counters = (facet_collector, day_collector);
            let (total, (facets, days), page, copies) =
                self.collapsed(&searcher, &*query, request, wanted, counters)?;
            collapsed = Some(copies);
            (total, facets, days, page)
        } else {
            match wanted {
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
                        (total, (BTreeMap::new(), Vec::new()), (BTreeMap::new(), 0))
                    };
                    let page = self.page(&searcher, &*query, request, wanted.unwrap_or(total))?;
                    (total, facets, days, page)
                }
            }
        };

        let undated_excluded = self.undated_excluded(&searcher, request, &expansion, undated)?;

        let copies = collapsed.as_ref().map(|(_, copies)| copies.as_slice());
        let hits = self.page_hits(&searcher, &*query, request, &groups, page, copies)?;

        let counted =
            Counted { total_hits, paths: &facet_counts, entities: &entity_counts, days: &days };
        let facets = self.facets(&searcher, request, &*query, &groups, &counted)?;
        let (timeline, coverage) = self.timeline(&searcher, request, &days)?;
        Ok(SearchResults {
            query: request.query.clone(),
            total_hits,
            total_articles: collapsed.as_ref().map(|(articles, _)| *articles),
            offset: request.offset,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
            timeline,
            coverage,
            undated_excluded,
            index: self.index_info(&searcher),
            expansion,
            options: provenance::request_options(request),
        })
    }

    /// The facets `request` asks for, in its order, from what the search
    /// `counted`; some read more (forms, lineages, keyness).
    fn facets(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        query: &dyn Query,
        groups: &[GroupQuery],
        counted: &Counted<'_>,
    ) -> Result<Vec<(FacetKind, Vec<FacetCount>)>> {
        let mut facets: Vec<(FacetKind, Vec<FacetCount>)> = Vec::new();
        for kind in &request.facets {
            if facets.iter().any(|(done, _)| done == kind) {
                continue;
            }
            let counts = match kind {
                FacetKind::Year => bucket(counted.days, Period::Year, true),
                FacetKind::Month => bucket(counted.days, Period::Month, true),
                FacetKind::Entity => {
                    let mut values = self.entity_values(counted.entities);
                    if request.keyness {
                        self.entity_keyness(searcher, &mut values, counted.total_hits as u64)?;
                    }
                    values
                }
                FacetKind::Form => self.form_values(searcher, query)?,
                FacetKind::Lineage => self.lineage_values(searcher, query, counted.entities)?,
                FacetKind::Terms => self.key_terms(searcher, query, groups)?,
                FacetKind::Source | FacetKind::Folder => {
                    let paths = counted.paths.get(kind).cloned().unwrap_or_default();
                    facet_values(*kind, paths)
                }
            };
            facets.push((*kind, counts));
        }
        Ok(facets)
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
}

impl Searcher {
    /// The hits of the page: stored fields, snippet, entities, and with
    /// `--collapse` their copies (`copies[i]` for the page's i-th hit).
    fn page_hits(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        groups: &[query::bm25f::GroupQuery],
        page: Page,
        copies: Option<&[Vec<DocAddress>]>,
    ) -> Result<Vec<Hit>> {
        let dir = &self.store.dir;
        let patterns = occurrences::Pattern::of_groups(groups);
        let mut analyzer = crate::analysis::analyzer(&self.store.aliases);
        let mut hits = Vec::with_capacity(page.len());
        for (i, (score, address)) in page.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address).map_err(Error::index(dir.clone()))?;
            let mut hit = self.hit(
                &doc,
                request.offset + i + 1,
                score,
                &patterns,
                &mut analyzer,
                request.snippet_chars,
            );
            if let Some(copies) = copies {
                let others = copies.get(i).map_or(&[][..], Vec::as_slice);
                hit.copies = Some(self.copies(searcher, others)?);
            }
            if request.explain {
                let explanation =
                    query.explain(searcher, address).map_err(Error::index(dir.clone()))?;
                hit.explanation = serde_json::to_value(&explanation).ok();
            }
            hits.push(hit);
        }

        Ok(hits)
    }

    /// `--collapse`: the stories among the hits, what `counters` count over
    /// each story's earliest member, the page of best-ranked members, and the
    /// articles among the hits with the page's copies.
    fn collapsed<C>(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        wanted: Option<usize>,
        counters: C,
    ) -> Result<(usize, C::Fruit, Page, Collapsed)>
    where
        C: tantivy::collector::Collector,
        C::Fruit: collapse::TakeBack,
    {
        use collapse::TakeBack;
        let index_error = || Error::index(self.store.dir.clone());
        let stories = collapse::Stories { merges: Arc::clone(&self.merges), sort: request.sort };
        let collector = (stories, counters);
        let (members, mut counts) = searcher.search(query, &collector).map_err(index_error())?;
        let grouped = collapse::group(request.sort, &members);
        if grouped.has_shared() {
            let surplus = grouped.surplus(&members, searcher.segment_readers().len());
            let counted =
                collapse::collect_docs(&collector.1, searcher, &surplus).map_err(index_error())?;
            counts.take_back(counted);
        }
        let shown = grouped.page(request.sort, &members, request.offset, wanted);
        let member = |index: u32| &members[index as usize];
        let page =
            shown.iter().map(|&index| (member(index).score, member(index).address)).collect();
        let copies = shown.iter().map(|&index| grouped.copies_of(index, &members)).collect();
        Ok((grouped.stories, counts, page, (members.len(), copies)))
    }

    /// The copies of a shown hit among the hits: id, source and date, earliest
    /// first (undated last, then by id).
    fn copies(&self, searcher: &tantivy::Searcher, others: &[DocAddress]) -> Result<Vec<Copy>> {
        let mut copies = Vec::with_capacity(others.len());
        for &address in others {
            let member = crate::dupes::member(searcher, &self.store.fields, address)
                .map_err(Error::index(self.store.dir.clone()))?;
            copies.push(Copy { id: member.id, source: member.source, date: member.date });
        }
        copies.sort_by(|a, b| {
            (a.date.is_none(), a.date, &a.id).cmp(&(b.date.is_none(), b.date, &b.id))
        });
        Ok(copies)
    }
}

/// A page of hits: (score, address), in display order.
type Page = Vec<(f32, DocAddress)>;

/// With `--collapse`: the articles among the hits, and each shown hit's copies.
type Collapsed = (usize, Vec<Vec<DocAddress>>);

/// Whether `request` narrows the hits to a date range.
fn has_dates(request: &SearchRequest) -> bool {
    request.since.is_some() || request.until.is_some()
}
