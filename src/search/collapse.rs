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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::clusters::Merges;
use crate::fields;
use crate::query::Sort;

/// A story among the hits: a run of [`Stories`]' members, which share a cluster.
#[derive(Clone, Copy, Debug)]
pub(super) struct Story {
    /// Its best-ranked member: what the page shows.
    pub(super) best: Member,
    /// Its earliest member, which dates it (and is counted in facets).
    pub(super) earliest: Member,
    /// Where its members start in the members list, and how many there are.
    pub(super) start: usize,
    pub(super) len: usize,
}

/// One hit as the collapse ranks it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Member {
    /// Its cluster (resolved through the merges).
    pub(super) cluster: u64,
    pub(super) score: Score,
    /// Seconds since the epoch; [`UNDATED`] when undated, so that undated
    /// members sort last.
    pub(super) date: i64,
    pub(super) address: DocAddress,
}

/// The date of an undated member.
const UNDATED: i64 = i64::MAX;

/// The request's order of members: relevance (ties newest first, undated
/// last), newest or oldest first (undated last); then index order.
pub(super) fn rank_order(sort: Sort, a: &Member, b: &Member) -> Ordering {
    let newest = |x: &Member| (x.date == UNDATED, std::cmp::Reverse(x.date));
    let by = match sort {
        Sort::Relevance => b.score.total_cmp(&a.score).then_with(|| newest(a).cmp(&newest(b))),
        Sort::Newest => newest(a).cmp(&newest(b)),
        Sort::Oldest => a.date.cmp(&b.date),
    };
    by.then(a.address.cmp(&b.address))
}

/// Collects every hit with its cluster, score and date: no allocation per
/// hit, and grouping is one sort of the list ([`group`]), which beat a hash
/// map of stories (one allocation and two lookups per hit) 4 to 1.
pub(super) struct Stories {
    pub(super) merges: Arc<Merges>,
    pub(super) sort: Sort,
}

pub(super) struct SegmentStories {
    segment: u32,
    merges: Arc<Merges>,
    clusters: Column<u64>,
    dates: Column<tantivy::DateTime>,
    members: Vec<Member>,
}

impl Collector for Stories {
    type Fruit = Vec<Member>;
    type Child = SegmentStories;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentStories> {
        Ok(SegmentStories {
            segment,
            merges: Arc::clone(&self.merges),
            clusters: reader.fast_fields().u64(fields::CLUSTER)?,
            dates: reader.fast_fields().date(fields::DATE)?,
            members: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Member>>) -> tantivy::Result<Vec<Member>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentStories {
    type Fruit = Vec<Member>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let date = self.dates.first(doc).map_or(UNDATED, tantivy::DateTime::into_timestamp_secs);
        let address = DocAddress::new(self.segment, doc);
        // A document without a cluster is a story of its own: its address names it
        // (the high bit keeps it apart from cluster names, which are hashes).
        let cluster = match self.clusters.first(doc) {
            Some(stored) if self.merges.is_empty() => stored,
            Some(stored) => self.merges.resolve(stored),
            None => 1 << 63 | u64::from(self.segment) << 32 | u64::from(doc),
        };
        self.members.push(Member { cluster, score, date, address });
    }

    fn harvest(self) -> Vec<Member> {
        self.members
    }
}

/// Groups `members` (reordered by cluster) into stories, in no order.
pub(super) fn group(sort: Sort, members: &mut [Member]) -> Vec<Story> {
    members.sort_unstable_by_key(|m| (m.cluster, m.address));
    let mut stories = Vec::new();
    let mut start = 0;
    while let Some(first) = members.get(start) {
        let cluster = first.cluster;
        let len = members[start..].iter().take_while(|m| m.cluster == cluster).count();
        let run = &members[start..start + len];
        let mut best = run[0];
        let mut earliest = run[0];
        for member in &run[1..] {
            if rank_order(sort, member, &best) == Ordering::Less {
                best = *member;
            }
            if (member.date, member.address) < (earliest.date, earliest.address) {
                earliest = *member;
            }
        }
        stories.push(Story { best, earliest, start, len });
        start += len;
    }
    stories
}

/// Puts the first `wanted` stories (all of them with `None`) in the
/// request's order of their best members; the rest stay unordered behind.
pub(super) fn rank(sort: Sort, stories: &mut [Story], wanted: Option<usize>) {
    let order = |a: &Story, b: &Story| rank_order(sort, &a.best, &b.best);
    match wanted {
        Some(wanted) if wanted < stories.len() => {
            if wanted > 0 {
                stories.select_nth_unstable_by(wanted - 1, order);
                stories[..wanted].sort_unstable_by(order);
            }
        }
        _ => stories.sort_unstable_by(order),
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
