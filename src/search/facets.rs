//! Facet shaping: the counts the collectors gathered → [`FacetCount`] values:
//! facet paths to source names and folder paths (case-folded as `--filter`
//! reads them), entity counts to entity names, day counts to years, months,
//! weeks or days.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike};
use tantivy::schema::Facet;

use super::Searcher;
use super::keyness::Keyness;
use crate::query::{self, FacetKind, Period};

/// A facet value and how many hits have it.
#[derive(Clone, Debug, PartialEq)]
pub struct FacetCount {
    /// The value (`FNA`, `/bbc/business`, `ISIS`, `2016`, `2016-09`).
    pub value: String,
    /// Hits with it.
    pub count: u64,
    /// How over-represented the value is in the hits against the whole
    /// index: for `terms`, and for `entity` with `--keyness`.
    pub keyness: Option<Keyness>,
}

impl FacetCount {
    /// `count` hits have `value`; no keyness.
    pub fn new(value: String, count: u64) -> FacetCount {
        FacetCount { value, count, keyness: None }
    }
}

impl Searcher {
    /// Entity counts → facet values, most frequent first, ties by name.
    pub(super) fn entity_values(&self, counts: &[u64]) -> Vec<FacetCount> {
        let entities = self.store.aliases.entities();
        let mut values: Vec<FacetCount> = entities
            .iter()
            .zip(counts)
            .filter(|&(_, &count)| count > 0)
            .map(|(entity, &count)| FacetCount::new(entity.name.clone(), count))
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values
    }
}

/// The last component of an encoded facet: `/organization/ISIS` → `ISIS`.
pub(super) fn facet_leaf(encoded: &str) -> Option<String> {
    let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).ok()?;
    facet.to_path().last().map(|s| (*s).to_owned())
}

/// Facet paths → output values: sources by name, folders by path; most
/// frequent first, ties by value. Values that differ only in letter case are
/// one value, shown in its commonest spelling, as `--filter source:fna` finds
/// them all: a count must be what filtering on its value gives.
pub(super) fn facet_values(kind: FacetKind, paths: HashMap<String, u64>) -> Vec<FacetCount> {
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
            Some(FacetCount::new(value, count))
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// Day counts → period counts. Facets (`by_count`) list the most frequent first;
/// timelines list periods in order.
pub(super) fn bucket(days: &BTreeMap<i64, u64>, period: Period, by_count: bool) -> Vec<FacetCount> {
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
        buckets.into_iter().map(|(value, count)| FacetCount::new(value, count)).collect();
    if by_count {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    counts
}
