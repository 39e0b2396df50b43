//! `--collapse`: the hits grouped into stories (near-duplicate clusters, see
//! [`crate::clusters`]) in the one collector pass, by the `cluster` fast field.
//!
//! Each segment groups its hits by the cluster name they store (one hash
//! lookup per hit); names merged since are resolved once per group when the
//! segments' groups are merged. A story is shown by its best-ranked member
//! (the request's order) and dated by its earliest member among the hits
//! (undated members count only when none is dated): that member alone is
//! counted in facets and the timeline, so they count stories.

use std::cmp::Ordering;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::clusters::Merges;
use crate::fields;
use crate::query::Sort;

/// A story among the hits.
#[derive(Clone, Debug)]
pub(super) struct Story {
    /// Its best-ranked member: what the page shows.
    pub(super) best: Member,
    /// Its earliest member, which dates it (and is counted in facets).
    pub(super) earliest: Member,
    /// Every member among the hits (the best one included).
    pub(super) members: Vec<DocAddress>,
}

/// One hit as the collapse ranks it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Member {
    pub(super) score: Score,
    /// Seconds since the epoch, if dated.
    pub(super) date: Option<i64>,
    pub(super) address: DocAddress,
}

/// Whether `a` ranks before `b` in the request's order: relevance (ties newest
/// first, undated last), newest or oldest first; then index order.
pub(super) fn ranks_before(sort: Sort, a: &Member, b: &Member) -> bool {
    rank_order(sort, a, b) == Ordering::Less
}

/// The request's order of members.
pub(super) fn rank_order(sort: Sort, a: &Member, b: &Member) -> Ordering {
    let newest = |x: &Member| (x.date.is_none(), std::cmp::Reverse(x.date));
    let by = match sort {
        Sort::Relevance => b.score.total_cmp(&a.score).then_with(|| newest(a).cmp(&newest(b))),
        Sort::Newest => newest(a).cmp(&newest(b)),
        Sort::Oldest => (a.date.is_none(), a.date).cmp(&(b.date.is_none(), b.date)),
    };
    by.then(a.address.cmp(&b.address))
}

/// Whether `a` is earlier than `b` (undated last, then index order).
fn earlier(a: &Member, b: &Member) -> bool {
    (a.date.is_none(), a.date, a.address) < (b.date.is_none(), b.date, b.address)
}

impl Story {
    fn add(&mut self, sort: Sort, member: Member) {
        if ranks_before(sort, &member, &self.best) {
            self.best = member;
        }
        if earlier(&member, &self.earliest) {
            self.earliest = member;
        }
        self.members.push(member.address);
    }

    fn absorb(&mut self, sort: Sort, other: Story) {
        if ranks_before(sort, &other.best, &self.best) {
            self.best = other.best;
        }
        if earlier(&other.earliest, &self.earliest) {
            self.earliest = other.earliest;
        }
        self.members.extend(other.members);
    }
}

/// Groups the hits into stories.
pub(super) struct Stories {
    pub(super) merges: Arc<Merges>,
    pub(super) sort: Sort,
}

pub(super) struct SegmentStories {
    segment: u32,
    sort: Sort,
    clusters: Column<u64>,
    dates: Column<tantivy::DateTime>,
    /// Stored cluster name → story.
    stories: FxHashMap<u64, Story>,
    /// Hits with no cluster (none in an index of this format): each its own story.
    alone: Vec<Story>,
}

impl Collector for Stories {
    type Fruit = Vec<Story>;
    type Child = SegmentStories;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentStories> {
        Ok(SegmentStories {
            segment,
            sort: self.sort,
            clusters: reader.fast_fields().u64(fields::CLUSTER)?,
            dates: reader.fast_fields().date(fields::DATE)?,
            stories: FxHashMap::default(),
            alone: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, Story)>>) -> tantivy::Result<Vec<Story>> {
        let mut merged: FxHashMap<u64, Story> = FxHashMap::default();
        let mut alone = Vec::new();
        for (stored, story) in fruits.into_iter().flatten() {
            if stored == 0 {
                alone.push(story);
                continue;
            }
            match merged.entry(self.merges.resolve(stored)) {
                std::collections::hash_map::Entry::Occupied(mut entry) => {
                    entry.get_mut().absorb(self.sort, story);
                }
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(story);
                }
            }
        }
        alone.extend(merged.into_values());
        Ok(alone)
    }
}

impl SegmentCollector for SegmentStories {
    type Fruit = Vec<(u64, Story)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let date = self.dates.first(doc).map(tantivy::DateTime::into_timestamp_secs);
        let member = Member { score, date, address: DocAddress::new(self.segment, doc) };
        let Some(stored) = self.clusters.first(doc).filter(|&c| c != 0) else {
            self.alone.push(Story {
                best: member,
                earliest: member,
                members: vec![member.address],
            });
            return;
        };
        match self.stories.entry(stored) {
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                entry.get_mut().add(self.sort, member);
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(Story {
                    best: member,
                    earliest: member,
                    members: vec![member.address],
                });
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let alone = self.alone.into_iter().map(|story| (0, story));
        self.stories.into_iter().chain(alone).collect()
    }
}

/// Runs `collector` over the given documents of each segment (`docs[ord]`,
/// ascending) instead of a query's hits: the facets and timeline of the
/// stories' earliest members.
pub(super) fn collect_docs<C: Collector>(
    collector: &C,
    searcher: &tantivy::Searcher,
    docs: &[Vec<DocId>],
) -> tantivy::Result<C::Fruit> {
    let mut fruits = Vec::with_capacity(docs.len());
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut child = collector.for_segment(ord as u32, segment)?;
        for &doc in docs.get(ord).map_or(&[][..], Vec::as_slice) {
            child.collect(doc, 0.0);
        }
        fruits.push(child.harvest());
    }
    collector.merge_fruits(fruits)
}

/// The stories' earliest members, per segment, ascending.
pub(super) fn earliest_members(stories: &[Story], segments: usize) -> Vec<Vec<DocId>> {
    let mut docs = vec![Vec::new(); segments];
    for story in stories {
        let address = story.earliest.address;
        if let Some(list) = docs.get_mut(address.segment_ord as usize) {
            list.push(address.doc_id);
        }
    }
    for list in &mut docs {
        list.sort_unstable();
    }
    docs
}
