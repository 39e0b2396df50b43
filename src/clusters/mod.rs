//! Stories, not placements (issue 15): near-duplicate clusters, found while
//! indexing.
//!
//! Every article gets a [`Signature`] of its body (MinHash over five-word
//! shingles, see [`signature`]) in the parse threads. Candidates come from
//! locality-sensitive hashing: [`BANDS`] bands of [`ROWS`] bins each, so that
//! two articles of Jaccard similarity 0.5 share a band with probability
//! 1 − (1 − 0.5²)¹⁶ = 0.99. A candidate is a copy when the signatures say that
//! at least [`MIN_CONTAINMENT`] of the shorter article's shingles are in the
//! other (see [`is_copy`]): newspapers cut wire copy from the bottom, and a cut
//! copy keeps all its shingles in the original while its Jaccard similarity
//! falls to 0.6.
//!
//! Clusters grow as articles arrive ([`ClusterTable::assign`]): an article
//! with no copy starts a cluster named by its own key ([`doc_key`]); one with
//! copies joins theirs. That name is stored in the document (`fields::CLUSTER`)
//! and never rewritten: an article that bridges two clusters records a merge
//! (the larger name now means the smaller), and the merges travel in the commit
//! payload with the documents, atomically. Readers resolve a stored name
//! through [`Merges`] once per cluster they meet, not once per hit.

pub mod signature;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use tantivy::DocId;

use crate::error::{Error, Result};
use crate::fields;
use crate::store::Store;
pub use signature::Signature;

/// Bands of the LSH table.
pub const BANDS: usize = 16;
/// Bins per band.
pub const ROWS: usize = 2;
/// The share of the shorter article's shingles the longer one must hold for
/// the two to be copies of one story.
pub const MIN_CONTAINMENT: f64 = 0.8;
/// The Jaccard estimate below which two articles are never copies, whatever
/// the sizes say: with so few bins agreeing, chance agreement of a handful of
/// bins would pass the containment test for a brief beside a long article.
pub const MIN_JACCARD: f64 = 0.3;

/// Whether two signatures are copies of one story.
pub fn is_copy(a: &Signature, b: &Signature) -> bool {
    copies_at(a.jaccard(b), a.shingles, b.shingles)
}

/// The rule of [`is_copy`], from a Jaccard estimate and the two shingle counts.
fn copies_at(jaccard: f64, a_shingles: u32, b_shingles: u32) -> bool {
    jaccard >= MIN_JACCARD
        && signature::containment_of(jaccard, a_shingles, b_shingles) >= MIN_CONTAINMENT
}

/// A document's key, which names the cluster it starts: a hash of what makes
/// the document unique in the index (its file key, its id and its place in the
/// file). Never 0.
pub fn doc_key(file_key: &str, id: &str, record: Option<usize>, place: Option<usize>) -> u64 {
    let mut hasher = blake3::Hasher::new();
    for part in [file_key, id] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    for number in [record, place] {
        hasher.update(&number.map_or(u64::MAX, |n| n as u64).to_le_bytes());
    }
    let bytes = hasher.finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first).max(1)
}

/// The merges of cluster names: a stored name → the name it now goes by.
/// Every value is final (never itself a key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merges(FxHashMap<u64, u64>);

impl Merges {
    /// From the commit payload's list.
    pub fn from_pairs(pairs: &[(u64, u64)]) -> Merges {
        Merges(pairs.iter().copied().collect())
    }

    /// The name a stored cluster name goes by.
    pub fn resolve(&self, stored: u64) -> u64 {
        self.0.get(&stored).copied().unwrap_or(stored)
    }

    /// The stored names that now mean `cluster` (itself included), smallest
    /// first: what a search for a cluster's documents looks for.
    pub fn names_of(&self, cluster: u64) -> Vec<u64> {
        let mut names: Vec<u64> =
            self.0.iter().filter(|&(_, &to)| to == cluster).map(|(&from, _)| from).collect();
        names.push(cluster);
        names.sort_unstable();
        names
    }

    /// The list the commit payload stores, sorted.
    pub fn to_pairs(&self) -> Vec<(u64, u64)> {
        let mut pairs: Vec<(u64, u64)> = self.0.iter().map(|(&a, &b)| (a, b)).collect();
        pairs.sort_unstable();
        pairs
    }

    /// Whether no cluster was ever merged.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The bins band keys are made of (band `b` is bins `b·ROWS..(b+1)·ROWS`).
const BAND_BINS: usize = BANDS * ROWS;

/// A signature as the table keeps it: the bins that make band keys whole, the
/// low byte of the others, and the shingle count. Two different bins agree in
/// their low byte once in 256, which moves a Jaccard estimate by 0.002; the
/// 100 bytes instead of 132 save 32 MB at a million articles, where the
/// table's peak sat at the edge of the 1.5 GB target.
struct Kept {
    band_bins: [u16; BAND_BINS],
    other_bins: [u8; signature::BINS - BAND_BINS],
    shingles: u32,
}

impl Kept {
    fn of(signature: &Signature) -> Kept {
        let mut band_bins = [0; BAND_BINS];
        band_bins.copy_from_slice(&signature.bins[..BAND_BINS]);
        let mut other_bins = [0; signature::BINS - BAND_BINS];
        for (kept, &bin) in other_bins.iter_mut().zip(&signature.bins[BAND_BINS..]) {
            *kept = bin as u8;
        }
        Kept { band_bins, other_bins, shingles: signature.shingles }
    }

    /// Whether `signature` is a copy of this one's article ([`is_copy`]).
    fn is_copied_by(&self, signature: &Signature) -> bool {
        let (band, other) = signature.bins.split_at(BAND_BINS);
        let same = self.band_bins.iter().zip(band).filter(|(a, b)| a == b).count()
            + self.other_bins.iter().zip(other).filter(|(a, b)| **a == **b as u8).count();
        copies_at(same as f64 / signature::BINS as f64, self.shingles, signature.shingles)
    }
}

/// One article the table knows: its signature and the cluster name it stores.
struct Entry {
    kept: Kept,
    stored: u64,
}

/// A band's key in a signature's band bins: its [`ROWS`] bins.
fn band_key(band_bins: &[u16], band: usize) -> [u16; ROWS] {
    let mut key = [0; ROWS];
    if let Some(bins) = band_bins.get(band * ROWS..(band + 1) * ROWS) {
        key.copy_from_slice(bins);
    }
    key
}

/// One band of the LSH table: for each key, the latest entry that holds it.
/// Only the latest: copies of one story share their band keys, so the latest
/// holder of a key is as good a way into its cluster as any, and an article
/// with copies meets them in several bands.
///
/// Open addressing with linear probing over entry numbers + 1 (0 is an empty
/// slot), each at the slot its key hashes to. The key is not kept: the entry's
/// signature holds it. At a million articles a map of 32-bit key hashes to
/// entries took 302 MB (9 bytes a slot, 16 million keys); these slots take 4
/// bytes, half of them empty at most: 134 MB.
#[derive(Default)]
struct Band {
    slots: Vec<u32>,
    filled: usize,
}

/// The slot a key's probe starts at, in a table of `mask + 1` slots.
fn home_slot(key: [u16; ROWS], band: usize, mask: usize) -> usize {
    let mut value = band as u64;
    for bin in key {
        value = value << 16 | u64::from(bin);
    }
    (signature::mix(value) as usize) & mask
}

impl Band {
    /// The slot that holds `key`'s latest entry, or the empty slot where it
    /// would go; `None` only for a table with no slots.
    fn find(
        &self,
        entries: &[Entry],
        band: usize,
        key: [u16; ROWS],
    ) -> Option<(usize, Option<u32>)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = home_slot(key, band, mask);
        loop {
            let held = *self.slots.get(slot)?;
            let Some(entry) = held.checked_sub(1) else { return Some((slot, None)) };
            let holds = entries
                .get(entry as usize)
                .is_some_and(|e| band_key(&e.kept.band_bins, band) == key);
            if holds {
                return Some((slot, Some(entry)));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Makes `entry` the latest holder of its key (`entries[entry]` exists).
    fn insert(&mut self, entries: &[Entry], band: usize, entry: u32) {
        if (self.filled + 1) * 2 > self.slots.len() {
            self.grow(entries, band);
        }
        let Some(key) = entries.get(entry as usize).map(|e| band_key(&e.kept.band_bins, band))
        else {
            return;
        };
        if let Some((slot, held)) = self.find(entries, band, key) {
            if held.is_none() {
                self.filled += 1;
            }
            self.slots[slot] = entry + 1;
        }
    }

    /// Doubles the slots (1,024 at first) and places every entry again.
    fn grow(&mut self, entries: &[Entry], band: usize) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = self.slots.len() - 1;
        for held in old.into_iter().filter(|&held| held != 0) {
            let Some(entry) = entries.get(held as usize - 1) else { continue };
            let mut slot = home_slot(band_key(&entry.kept.band_bins, band), band, mask);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = held;
        }
    }
}

/// The clusters of an index run: every known signature, in LSH bands, and the
/// merges so far.
#[derive(Default)]
pub struct ClusterTable {
    entries: Vec<Entry>,
    bands: [Band; BANDS],
    merges: Merges,
    /// Copies found this run (pairs verified), for the run's summary.
    pub copies_found: u64,
}

impl ClusterTable {
    /// An empty table that starts from an index's merges.
    pub fn new(merges: Merges) -> ClusterTable {
        ClusterTable { merges, ..ClusterTable::default() }
    }

    /// The clusters of the committed index: every live document's signature
    /// and stored cluster name, and the index's merges.
    pub fn of_index(store: &Store) -> Result<ClusterTable> {
        let mut table = ClusterTable::new(store.cluster_merges()?);
        let reader = store.reader()?;
        let searcher = reader.searcher();
        let index_error = |err| Error::index(store.dir.clone())(err);
        let mut bytes = Vec::with_capacity(signature::SIGNATURE_BYTES);
        for segment in searcher.segment_readers() {
            let names = segment.fast_fields().u64(fields::CLUSTER).map_err(index_error)?;
            let Some(signatures) =
                segment.fast_fields().bytes(fields::SIGNATURE).map_err(index_error)?
            else {
                continue;
            };
            for doc in segment.doc_ids_alive() {
                let Some(stored) = names.first(doc) else { continue };
                let Some(signature) = read_signature(&signatures, doc, &mut bytes) else {
                    continue;
                };
                table.insert(&signature, stored);
            }
        }
        Ok(table)
    }

    fn insert(&mut self, signature: &Signature, stored: u64) {
        // Past four billion articles the table stops growing: later ones are
        // still compared with those before.
        let Ok(entry) = u32::try_from(self.entries.len()) else { return };
        if entry == u32::MAX {
            return;
        }
        self.entries.push(Entry { kept: Kept::of(signature), stored });
        for (band, table) in self.bands.iter_mut().enumerate() {
            table.insert(&self.entries, band, entry);
        }
    }

    /// The cluster name a new article stores: its copies' cluster, or `key`
    /// when it has none. An article with copies in several clusters merges
    /// them under the smallest name.
    pub fn assign(&mut self, signature: &Signature, key: u64) -> u64 {
        let mut seen: Vec<u32> = Vec::with_capacity(BANDS);
        let mut clusters: Vec<u64> = Vec::new();
        for (band, table) in self.bands.iter().enumerate() {
            let key = band_key(&signature.bins, band);
            let Some((_, Some(entry))) = table.find(&self.entries, band, key) else { continue };
            if seen.contains(&entry) {
                continue;
            }
            seen.push(entry);
            let Some(known) = self.entries.get(entry as usize) else { continue };
            let cluster = self.merges.resolve(known.stored);
            if clusters.contains(&cluster) || !known.kept.is_copied_by(signature) {
                continue;
            }
            self.copies_found += 1;
            clusters.push(cluster);
        }
        let name = clusters.iter().copied().min().unwrap_or(key);
        for &other in &clusters {
            if other != name {
                self.merge(other, name);
            }
        }
        self.insert(signature, name);
        name
    }

    /// Records that cluster `from` is now called `into` (both final names).
    fn merge(&mut self, from: u64, into: u64) {
        for target in self.merges.0.values_mut() {
            if *target == from {
                *target = into;
            }
        }
        self.merges.0.insert(from, into);
    }

    /// The merges the next commit stores.
    pub fn merges(&self) -> &Merges {
        &self.merges
    }
}

/// A document's stored signature.
pub fn read_signature(
    column: &tantivy::columnar::BytesColumn,
    doc: DocId,
    buffer: &mut Vec<u8>,
) -> Option<Signature> {
    let ord = column.ords().first(doc)?;
    buffer.clear();
    column.ord_to_bytes(ord, buffer).ok()?;
    Signature::from_bytes(buffer)
}

/// Clusters by name with their members, counted over a whole index: what
/// `newsearch dupes` lists.
pub type Members = BTreeMap<u64, Vec<tantivy::DocAddress>>;

/// Every cluster of the index with at least `min_size` members.
pub fn clusters_of_index(store: &Store, min_size: usize) -> Result<Members> {
    let merges = store.cluster_merges()?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut members: FxHashMap<u64, Vec<tantivy::DocAddress>> = FxHashMap::default();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let names =
            segment.fast_fields().u64(fields::CLUSTER).map_err(Error::index(store.dir.clone()))?;
        for doc in segment.doc_ids_alive() {
            if let Some(stored) = names.first(doc) {
                let address = tantivy::DocAddress::new(ord as u32, doc);
                members.entry(merges.resolve(stored)).or_default().push(address);
            }
        }
    }
    Ok(members.into_iter().filter(|(_, docs)| docs.len() >= min_size.max(1)).collect())
}

#[cfg(test)]
mod tests {
    use super::{ClusterTable, Merges, Signature, doc_key};

    fn signature(text: &str) -> Signature {
        Signature::of_text(text).unwrap()
    }

    const A: &str = "Rebels and government forces agreed a truce around the northern city on \
        Friday, the first in four months, after talks brokered by neighbouring states in the \
        capital. The truce allows aid convoys to enter the old quarter, where thousands remain.";
    const B: &str = "Oil prices rose sharply on Monday as traders weighed new production cuts \
        announced by the cartel over the weekend, while stock markets in Asia fell for a third \
        day on worries about slowing growth in the region's largest economies and exporters.";

    #[test]
    fn copies_join_and_a_bridge_merges_under_the_smaller_name() {
        let mut table = ClusterTable::new(Merges::default());
        assert_eq!(table.assign(&signature(A), 10), 10);
        assert_eq!(table.assign(&signature(B), 5), 5);
        assert_eq!(table.assign(&signature(A), 11), 10);
        // An article holding both stories bridges them.
        let both = format!("{A} {B}");
        assert_eq!(table.assign(&signature(&both), 12), 5);
        assert_eq!(table.merges().resolve(10), 5);
        assert_eq!(table.merges().names_of(5), vec![5, 10]);
    }

    #[test]
    fn copies_are_found_after_the_bands_grow_and_keys_collide() {
        let mut table = ClusterTable::new(Merges::default());
        assert_eq!(table.assign(&signature(A), 10), 10);
        // Thousands of other articles grow every band many times over, and
        // their keys land in slots near A's.
        for n in 0..5_000_u64 {
            let text = format!(
                "{n} item {} in list {} of the register kept by office {}",
                n * 7,
                n % 13,
                n / 3
            );
            table.assign(&signature(&text), 1_000 + n);
        }
        assert!(table.bands.iter().all(|band| band.slots.len() >= 8_192));
        assert_eq!(table.assign(&signature(A), 11), 10);
        assert_eq!(table.assign(&signature(B), 12), 12);
    }

    #[test]
    fn keys_differ_by_place_and_are_never_zero() {
        let a = doc_key("f", "id", Some(1), None);
        assert_ne!(a, doc_key("f", "id", Some(2), None));
        assert_ne!(a, 0);
        assert_eq!(a, doc_key("f", "id", Some(1), None));
    }
}
