//! The collectors: one pass over the hits counts them, their facet paths,
//! their days, their undated articles and their entities, beside the top-k
//! that makes the page. Each takes what to count from the request and gives
//! raw counts; [`super::facets`] turns them into values.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{
    BitSet, DocAddress, DocId, DocSet, InvertedIndexReader, Order, Score, SegmentReader,
    TERMINATED, Term,
};

use crate::fields;
use crate::query::FacetKind;
use crate::store::Store;

/// A hit's place in relevance order: its score, then its date (newest first,
/// undated last), then its place in the index.
type RelevanceKey = (Score, Option<tantivy::DateTime>);

/// The `wanted` best hits in relevance order. The date is part of the collector's
/// key, not a re-sort of its output: among more equal scores than fit on a
/// page (every hit of `*` or of a filter alone scores the same), the page must
/// hold the newest, and the next page must start where this one ended.
/// tantivy reads a hit's date only when its score ties the page's last one.
pub(super) fn by_relevance(
    wanted: usize,
) -> impl Collector<Fruit = Vec<(RelevanceKey, DocAddress)>> + use<> {
    let newest = (SortByStaticFastValue::<tantivy::DateTime>::for_field(fields::DATE), Order::Desc);
    TopDocs::with_limit(wanted.max(1)).order_by((SortBySimilarityScore, newest))
}

/// The page `offset..` of the best hits, in display order.
pub(super) fn relevance_page(
    top: Vec<(RelevanceKey, DocAddress)>,
    offset: usize,
) -> Vec<(f32, DocAddress)> {
    top.into_iter().skip(offset).map(|((score, _), address)| (score, address)).collect()
}

/// Counts every full facet path of some facet fields over all hits (tantivy's
/// `FacetCollector` counts one level below a chosen facet; we want the leaves).
pub(super) struct FacetPaths {
    pub(super) kinds: Vec<FacetKind>,
}

pub(super) struct SegmentFacetPaths {
    readers: Vec<(FacetKind, tantivy::fastfield::FacetReader, Vec<u64>)>,
}

impl Collector for FacetPaths {
    type Fruit = BTreeMap<FacetKind, HashMap<String, u64>>;
    type Child = SegmentFacetPaths;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentFacetPaths> {
        let mut readers = Vec::with_capacity(self.kinds.len());
        for &kind in &self.kinds {
            let Some(field) = kind.facet_field() else { continue };
            let reader = segment.facet_reader(field)?;
            let counts = vec![0; reader.num_facets()];
            readers.push((kind, reader, counts));
        }
        Ok(SegmentFacetPaths { readers })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged: Self::Fruit = BTreeMap::new();
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
    type Fruit = BTreeMap<FacetKind, HashMap<String, u64>>;

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
        let mut fruit = BTreeMap::new();
        for (kind, reader, counts) in self.readers {
            let mut paths = HashMap::new();
            let mut facet = Facet::root();
            for (ord, count) in counts.into_iter().enumerate() {
                if count > 0 && reader.facet_from_ord(ord as u64, &mut facet).is_ok() {
                    paths.insert(facet.encoded_str().to_owned(), count);
                }
            }
            fruit.insert(kind, paths);
        }
        fruit
    }
}

/// Counts hits per publication day (days since the epoch), for year and month
/// facets and timelines. Hits without a date are not counted.
pub(super) struct DayCounts {
    pub(super) enabled: bool,
}

pub(super) struct SegmentDayCounts {
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
pub(super) struct Undated {
    pub(super) enabled: bool,
}

pub(super) struct SegmentUndated {
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
pub(super) struct EntityCounts {
    /// Where mentions are (`fields::ENTITY_SEARCH`): title and body.
    fields: [Field; 2],
    /// Per entity, in table order: its term in title and in body; empty when
    /// the facet was not asked for.
    terms: Vec<[Term; 2]>,
}

impl EntityCounts {
    pub(super) fn new(store: &Store, enabled: bool) -> EntityCounts {
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
pub(super) struct SegmentEntityCounts {
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
    hit_bits: &BitSet,
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
    hit_bits: &BitSet,
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

/// Whether `doc` is in `bits`; false beyond its range (tantivy's `contains`
/// indexes without checking).
fn is_set(bits: &BitSet, doc: DocId) -> bool {
    doc < bits.max_value() && bits.contains(doc)
}

/// `hits` as a bitset over the segment's doc ids.
fn bitset(hits: &[DocId], max_doc: DocId) -> BitSet {
    let mut bits = BitSet::with_max_value(max_doc);
    for &doc in hits.iter().filter(|&&doc| doc < max_doc) {
        bits.insert(doc);
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
