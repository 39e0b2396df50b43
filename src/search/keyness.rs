//! Keyness: the words most over-represented in the hits against the rest of
//! the index (`--facet terms`), by log-likelihood G² over document counts,
//! with the log ratio as the effect size; and with `--keyness`, the same
//! figures for each value of the entity facet.
//!
//! Takes the query and the words it searched for; gives [`FacetCount`]s (a
//! word and the hits whose body holds it) with a [`Keyness`] each. The hits'
//! bodies are read again with the index's analyzer, so a word is what the
//! index holds (lowercased as it indexes it); the corpus side is the body
//! field's document frequency, which the index keeps.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, Query};
use tantivy::schema::Value;
use tantivy::tokenizer::TokenStream;
use tantivy::{TantivyDocument, Term};

use super::Searcher;
use super::collect::EntityCounts;
use super::facets::FacetCount;
use crate::analysis::{self, ENTITY_PREFIX, LITERAL_PREFIX};
use crate::error::{Error, Result};
use crate::query::bm25f::GroupQuery;

/// How many over-represented words are listed.
pub const KEY_TERMS: usize = 50;

/// Words in fewer hits than this are not listed: a word in one or two hits is
/// an accident of those articles, whatever its G².
const MIN_HITS: u64 = 3;

/// Words left out of the list besides [`analysis::stop_words`]'s: news words
/// that say nothing of what the hits are about; sorted, for binary search.
const STOP_WORDS: &[&str] =
    &["cent", "last", "mr", "mrs", "ms", "now", "per", "told", "year", "years"];

/// How over-represented a word is in the hits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Keyness {
    /// Articles in the index whose body holds the word.
    pub corpus_count: u64,
    /// Log-likelihood G² of the 2×2 table (hits or the rest, with or without the word).
    pub g2: f64,
    /// Log ratio (log2 of the share of hits holding it over the share of the
    /// rest holding it; a count of 0 is taken as 0.5).
    pub effect: f64,
}

impl Searcher {
    /// The [`KEY_TERMS`] words most over-represented in the hits of `query`,
    /// highest G² first (ties by word), leaving out stop words and `groups`'
    /// forms, each with its keyness.
    pub(super) fn key_terms(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        groups: &[GroupQuery],
    ) -> Result<Vec<FacetCount>> {
        let index_error = || Error::index(self.store.dir.clone());
        let hits = searcher.search(query, &DocSetCollector).map_err(index_error())?;
        let own: FxHashSet<&str> =
            groups.iter().flat_map(|g| g.slots().iter().flatten()).map(String::as_str).collect();
        let mut analyzer = analysis::analyzer(&self.store.aliases);
        let body = self.store.fields.body;
        let mut in_hits: FxHashMap<String, u64> = FxHashMap::default();
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for address in &hits {
            let doc: TantivyDocument = searcher.doc(*address).map_err(index_error())?;
            let text = doc.get_first(body).and_then(|v| v.as_str()).unwrap_or_default();
            seen.clear();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let word = &stream.token().text;
                if !seen.contains(word) {
                    seen.insert(word.clone());
                }
            }
            for word in seen.drain() {
                *in_hits.entry(word).or_default() += 1;
            }
        }
        let n_hits = hits.len() as u64;
        let n_rest = searcher.num_docs().saturating_sub(n_hits);
        let mut scored: Vec<FacetCount> = Vec::new();
        for (word, a) in in_hits {
            let listed = a >= MIN_HITS
                && !word.starts_with(ENTITY_PREFIX)
                && !word.starts_with(LITERAL_PREFIX)
                && !word.chars().all(char::is_numeric)
                && !own.contains(word.as_str())
                && !analysis::stop_words::is_stop_word(&word, STOP_WORDS);
            if !listed {
                continue;
            }
            let df =
                searcher.doc_freq(&Term::from_field_text(body, &word)).map_err(index_error())?;
            let b = df.saturating_sub(a);
            // Over-represented only: more of the hits than of the rest hold it.
            if (a as f64) * (n_rest as f64) <= (b as f64) * (n_hits as f64) {
                continue;
            }
            let score = Keyness {
                corpus_count: df,
                g2: g2(a, n_hits, b, n_rest),
                effect: log_ratio(a, n_hits, b, n_rest),
            };
            scored.push(FacetCount { value: word, count: a, keyness: Some(score) });
        }
        let g2_of = |value: &FacetCount| value.keyness.map_or(0.0, |k| k.g2);
        scored.sort_by(|x, y| g2_of(y).total_cmp(&g2_of(x)).then_with(|| x.value.cmp(&y.value)));
        scored.truncate(KEY_TERMS);
        Ok(scored)
    }

    /// Gives each value of the entity facet (`values`, whose counts are among
    /// `n_hits` hits) its keyness against the rest of the index. The corpus
    /// side is the entity facet over every article: one counting pass of all
    /// documents, as `stats` counts entities. Values keep their order (by hits).
    pub(super) fn entity_keyness(
        &self,
        searcher: &tantivy::Searcher,
        values: &mut [FacetCount],
        n_hits: u64,
    ) -> Result<()> {
        let everything = EntityCounts::new(&self.store, true);
        let corpus = searcher
            .search(&AllQuery, &everything)
            .map_err(Error::index(self.store.dir.clone()))?;
        let n_rest = searcher.num_docs().saturating_sub(n_hits);
        let entities = self.store.aliases.entities();
        for value in values {
            let Some(at) = entities.iter().position(|entity| entity.name == value.value) else {
                continue;
            };
            let corpus_count = corpus.get(at).copied().unwrap_or(value.count).max(value.count);
            let (a, b) = (value.count, corpus_count - value.count);
            value.keyness = Some(Keyness {
                corpus_count,
                g2: g2(a, n_hits, b, n_rest),
                effect: log_ratio(a, n_hits, b, n_rest),
            });
        }
        Ok(())
    }
}

/// G² = 2 Σ O ln(O / E) over the 2×2 table of documents: `a` of `n1` hits
/// and `b` of `n2` other articles hold the word.
pub fn g2(a: u64, n1: u64, b: u64, n2: u64) -> f64 {
    let total = (n1 + n2) as f64;
    let with = (a + b) as f64;
    let without = total - with;
    let cell = |observed: f64, row: f64, column: f64| {
        let expected = row * column / total;
        if observed > 0.0 && expected > 0.0 { observed * (observed / expected).ln() } else { 0.0 }
    };
    let (n1, n2) = (n1 as f64, n2 as f64);
    let (a, b) = (a as f64, b as f64);
    2.0 * (cell(a, n1, with)
        + cell(b, n2, with)
        + cell(n1 - a, n1, without)
        + cell(n2 - b, n2, without))
}

/// Log ratio: log2((a / n1) / (b / n2)), a zero count taken as 0.5.
pub fn log_ratio(a: u64, n1: u64, b: u64, n2: u64) -> f64 {
    let part = |count: u64, of: u64| {
        let count = if count == 0 { 0.5 } else { count as f64 };
        count / (of.max(1) as f64)
    };
    (part(a, n1) / part(b, n2)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "{STOP_WORDS:?}");
    }

    #[test]
    fn g2_is_zero_without_difference_and_grows_with_it() {
        assert!(g2(10, 100, 100, 1000).abs() < 1e-9);
        assert!(g2(50, 100, 100, 1000) > g2(20, 100, 100, 1000));
        // 30 of 1000 against 10 of 1000, worked by hand over the four cells.
        assert!((g2(30, 1000, 10, 1000) - 10.669).abs() < 0.001, "{}", g2(30, 1000, 10, 1000));
        assert!((log_ratio(30, 1000, 10, 1000) - 3f64.log2()).abs() < 1e-12);
    }
}
