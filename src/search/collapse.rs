//! `--collapse`: the hits grouped into stories (near-duplicate clusters, see
//! [`crate::clusters`]), by the `cluster` fast field.
//!
//! The scored pass collects every hit's cluster, score and date, and counts
//! facets and the timeline over every hit as a search without `--collapse`
//! does. Most stories have one member among the hits; [`group`] finds the few
//! that have more (one hash lookup per hit; names merged since indexing are
//! resolved as hits are collected). A story is shown by its best-ranked member
//! (the request's order) and dated by its earliest member among the hits
//! (undated members count only when none is dated): that member alone counts in
//! facets and the timeline, so the counts of the other members are taken back
//! ([`TakeBack`]) in a second pass over those members only.
//!
//! Sorting every hit by cluster and counting facets in a second pass over each
//! story's earliest member took 3.5 to 5.5 times as long as the same query
//! without `--collapse` at 300,000 hits (`Daesh` with 3 facets, 1M articles),
//! half of it in the kernel zeroing the pages of the large lists it built; this
//! way takes 1.6 times as long.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::clusters::Merges;
use crate::fields;
use crate::query::Sort;

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

/// Collects every hit with its cluster, score and date, in index order.
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

    fn merge_fruits(&self, mut fruits: Vec<Vec<Member>>) -> tantivy::Result<Vec<Member>> {
        if fruits.len() == 1 {
            return Ok(fruits.pop().unwrap_or_default());
        }
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

/// Pages up to this many stories are kept in order as the hits go by; longer
/// ones select from all of them.
const SMALL_PAGE: usize = 1_000;

/// A story with more than one member among the hits.
#[derive(Debug)]
pub(super) struct SharedStory {
    /// Its members (indexes in the members list), in index order.
    members: Vec<u32>,
    /// Its best-ranked member, which the page shows.
    best: u32,
    /// Its earliest member, which dates it and counts in facets.
    earliest: u32,
}

/// The stories among the hits: each member is a story of its own except the
/// members of [`SharedStory`]s.
#[derive(Debug, Default)]
pub(super) struct Grouped {
    shared: Vec<SharedStory>,
    /// The shared story each shown member is the best of.
    shown_story: FxHashMap<u32, usize>,
    /// Per member, a bit set when it is a shared story's member but not its
    /// best: no story of its own.
    hidden: Vec<u64>,
    /// Stories among the hits.
    pub(super) stories: usize,
}

/// The clusters that may be repeated among the members, found in one pass
/// over a bit table of 16 bits a member (600 KB at 300,000 hits) before any
/// hash map: a cluster whose bit is set already may have been seen, and only
/// such clusters' members are grouped through a map. A map of every hit's
/// cluster cost more than the rest of grouping and paging together.
struct Repeated {
    /// The bits of clusters seen once, then of clusters that may repeat.
    may_repeat: Vec<u64>,
    shift: u32,
}

impl Repeated {
    fn of(members: &[Member]) -> Repeated {
        let bits = (members.len() * 16).next_power_of_two().max(64);
        let shift = 64 - bits.trailing_zeros();
        let mut seen = vec![0_u64; bits / 64];
        let mut repeated = Repeated { may_repeat: vec![0_u64; bits / 64], shift };
        for member in members {
            let bit = repeated.bit(member.cluster);
            let (word, mask) = (bit / 64, 1_u64 << (bit % 64));
            if seen[word] & mask == 0 {
                seen[word] |= mask;
            } else {
                repeated.may_repeat[word] |= mask;
            }
        }
        repeated
    }

    /// A cluster's bit: the top bits of a multiplicative hash.
    fn bit(&self, cluster: u64) -> usize {
        (cluster.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// Whether `cluster` may have more than one member (no when it has not).
    fn may_hold(&self, cluster: u64) -> bool {
        let bit = self.bit(cluster);
        self.may_repeat[bit / 64] >> (bit % 64) & 1 == 1
    }
}

/// Finds the stories among `members` (indexes fit in `u32`: one index holds
/// fewer documents than that).
pub(super) fn group(sort: Sort, members: &[Member]) -> Grouped {
    let repeated = Repeated::of(members);
    let mut shared_of: FxHashMap<u64, usize> = FxHashMap::default();
    let mut shared: Vec<SharedStory> = Vec::new();
    let mut first: FxHashMap<u64, u32> = FxHashMap::default();
    for (index, member) in members.iter().enumerate().filter(|(_, m)| repeated.may_hold(m.cluster))
    {
        let index = index as u32;
        let &mut first_member = first.entry(member.cluster).or_insert(index);
        if first_member == index {
            continue;
        }
        let story = *shared_of.entry(member.cluster).or_insert_with(|| {
            shared.push(SharedStory {
                members: vec![first_member],
                best: first_member,
                earliest: first_member,
            });
            shared.len() - 1
        });
        if let Some(story) = shared.get_mut(story) {
            story.members.push(index);
        }
    }
    let member = |index: u32| &members[index as usize];
    let mut hidden = vec![0_u64; members.len().div_ceil(64)];
    let mut shown_story = FxHashMap::default();
    let mut stories = members.len();
    for (at, story) in shared.iter_mut().enumerate() {
        for &index in &story.members {
            if rank_order(sort, member(index), member(story.best)) == Ordering::Less {
                story.best = index;
            }
            let (this, earliest) = (member(index), member(story.earliest));
            if (this.date, this.address) < (earliest.date, earliest.address) {
                story.earliest = index;
            }
        }
        for &index in story.members.iter().filter(|&&index| index != story.best) {
            hidden[index as usize / 64] |= 1 << (index % 64);
        }
        shown_story.insert(story.best, at);
        stories -= story.members.len() - 1;
    }
    Grouped { shared, shown_story, hidden, stories }
}

impl Grouped {
    /// Whether some story has more than one member among the hits.
    pub(super) fn has_shared(&self) -> bool {
        !self.shared.is_empty()
    }

    /// The `offset..wanted` stories (all of them with `None`) in the request's
    /// order of their best members: indexes in the members list.
    pub(super) fn page(
        &self,
        sort: Sort,
        members: &[Member],
        offset: usize,
        wanted: Option<usize>,
    ) -> Vec<u32> {
        let is_hidden = |index: u32| self.hidden[index as usize / 64] >> (index % 64) & 1 == 1;
        let visible = (0..members.len() as u32).filter(|&index| !is_hidden(index));
        let order =
            |a: &u32, b: &u32| rank_order(sort, &members[*a as usize], &members[*b as usize]);
        let mut shown: Vec<u32> = match wanted {
            // A page of the usual size: the best `wanted` kept in order as the
            // members go by, most rejected by one comparison with the last.
            Some(wanted) if wanted <= SMALL_PAGE => {
                let mut best: Vec<u32> = Vec::with_capacity(wanted + 1);
                for index in visible {
                    let fits = best.len() < wanted
                        || best.last().is_some_and(|last| order(&index, last) == Ordering::Less);
                    if fits {
                        let at = best.partition_point(|kept| order(kept, &index) == Ordering::Less);
                        best.insert(at, index);
                        best.truncate(wanted);
                    }
                }
                best
            }
            Some(wanted) => {
                let mut all: Vec<u32> = visible.collect();
                if wanted < all.len() {
                    all.select_nth_unstable_by(wanted - 1, order);
                    all.truncate(wanted);
                }
                all.sort_unstable_by(order);
                all
            }
            None => {
                let mut all: Vec<u32> = visible.collect();
                all.sort_unstable_by(order);
                all
            }
        };
        shown.drain(..offset.min(shown.len()));
        shown
    }

    /// The other members of the story that `shown` is the best of.
    pub(super) fn copies_of(&self, shown: u32, members: &[Member]) -> Vec<DocAddress> {
        let Some(story) = self.shown_story.get(&shown).and_then(|&at| self.shared.get(at)) else {
            return Vec::new();
        };
        let others = story.members.iter().filter(|&&index| index != shown);
        others.filter_map(|&index| members.get(index as usize)).map(|m| m.address).collect()
    }

    /// The members whose counts are taken back: all but the earliest of each
    /// shared story, per segment, ascending.
    pub(super) fn surplus(&self, members: &[Member], segments: usize) -> Vec<Vec<DocId>> {
        let mut docs = vec![Vec::new(); segments];
        for story in &self.shared {
            for &index in story.members.iter().filter(|&&index| index != story.earliest) {
                let address = members[index as usize].address;
                if let Some(list) = docs.get_mut(address.segment_ord as usize) {
                    list.push(address.doc_id);
                }
            }
        }
        for list in &mut docs {
            list.sort_unstable();
        }
        docs
    }
}

/// Counts from which the counts of some of the documents they counted can be
/// taken back.
pub(super) trait TakeBack {
    /// Subtracts `counted`, counted over documents that `self` counted too.
    fn take_back(&mut self, counted: Self);
    /// Whether nothing is left: a facet value or a day no hit has any more.
    fn is_nothing(&self) -> bool;
}

impl TakeBack for u64 {
    fn take_back(&mut self, counted: u64) {
        *self = self.saturating_sub(counted);
    }

    fn is_nothing(&self) -> bool {
        *self == 0
    }
}

impl TakeBack for Vec<u64> {
    fn take_back(&mut self, counted: Vec<u64>) {
        for (count, taken) in self.iter_mut().zip(counted) {
            count.take_back(taken);
        }
    }

    fn is_nothing(&self) -> bool {
        self.iter().all(TakeBack::is_nothing)
    }
}

/// Takes each of `counted`'s values back from the same key of `map`, and
/// drops the keys left with nothing (a `BTreeMap` or a `HashMap`).
macro_rules! take_back_by_key {
    ($map:expr, $counted:expr) => {
        for (key, taken) in $counted {
            if let Some(count) = $map.get_mut(&key) {
                count.take_back(taken);
                if count.is_nothing() {
                    $map.remove(&key);
                }
            }
        }
    };
}

impl<K: Ord, V: TakeBack> TakeBack for BTreeMap<K, V> {
    fn take_back(&mut self, counted: BTreeMap<K, V>) {
        take_back_by_key!(self, counted);
    }

    fn is_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<K: Eq + Hash, V: TakeBack, S: BuildHasher> TakeBack for HashMap<K, V, S> {
    fn take_back(&mut self, counted: HashMap<K, V, S>) {
        take_back_by_key!(self, counted);
    }

    fn is_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<A: TakeBack, B: TakeBack> TakeBack for (A, B) {
    fn take_back(&mut self, counted: (A, B)) {
        self.0.take_back(counted.0);
        self.1.take_back(counted.1);
    }

    fn is_nothing(&self) -> bool {
        self.0.is_nothing() && self.1.is_nothing()
    }
}

/// Runs `collector` over the given documents of each segment (`docs[ord]`,
/// ascending) instead of a query's hits: what the stories' later members
/// counted.
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
