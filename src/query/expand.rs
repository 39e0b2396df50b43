//! `--expand`: pseudo-relevance feedback (RM3, as Lavrenko and Croft's
//! relevance model with the original query mixed back in).
//!
//! The query runs once; the words of its top [`FEEDBACK_DOCS`] hits are
//! weighted by how much of each hit they make up, times the hit's share of the
//! top scores (RM1); the [`FEEDBACK_TERMS`] heaviest (stop words left out)
//! join the query, each as its stem group, with [`ORIGINAL_WEIGHT`] kept for
//! the query as written. Under `--any` the expanded query may find new
//! articles; otherwise the hits are the same and only their order changes.
//! It never runs unless asked: it costs a second search, and its words are
//! ones the user did not write.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{LITERAL_PREFIX, stems};

/// Hits whose words feed the expansion.
pub const FEEDBACK_DOCS: usize = 10;
/// Words added to the query.
pub const FEEDBACK_TERMS: usize = 10;
/// The query as written keeps this share of the weight; the added words share the rest.
pub const ORIGINAL_WEIGHT: f32 = 0.5;

/// A word added to the query, with its share of the added weight.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExpansionTerm {
    /// The word as the index holds it (an entity as its term, `#isis`); its
    /// whole stem group is searched.
    pub term: String,
    /// Share of the expansion's weight (the weights add up to 1).
    #[schemars(range(min = 0))]
    pub weight: f32,
}

/// The expansion words of `docs` (each hit's score and its title and body).
pub fn feedback_terms(analyzer: &mut TextAnalyzer, docs: &[(f32, String)]) -> Vec<ExpansionTerm> {
    let total_score: f32 = docs.iter().map(|(score, _)| score.max(0.0)).sum();
    if total_score <= 0.0 {
        return Vec::new();
    }
    // Stem (or entity term) → (weight, the form seen most often, form counts).
    let mut weights: HashMap<String, f32> = HashMap::new();
    let mut forms: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (score, text) in docs {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut length = 0_u32;
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            let word = token.text.as_str();
            if word.starts_with(LITERAL_PREFIX) {
                continue;
            }
            length += 1;
            if !is_content_word(word) {
                continue;
            }
            let key = if stems::is_stemmable(word) {
                stems::stem(word).into_owned()
            } else {
                word.to_owned()
            };
            *forms.entry(key.clone()).or_default().entry(word.to_owned()).or_default() += 1;
            *counts.entry(key).or_default() += 1;
        }
        if length == 0 {
            continue;
        }
        let doc_weight = score.max(0.0) / total_score;
        for (key, count) in counts {
            *weights.entry(key).or_default() += doc_weight * count as f32 / length as f32;
        }
    }
    let mut ranked: Vec<(String, f32)> = weights.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(FEEDBACK_TERMS);
    let sum: f32 = ranked.iter().map(|(_, w)| w).sum();
    ranked
        .into_iter()
        .filter_map(|(key, weight)| {
            let seen = forms.get(&key)?;
            let (form, _) = seen.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
            Some(ExpansionTerm { term: form.clone(), weight: weight / sum })
        })
        .collect()
}

/// Words worth adding: letters in them, and not a stop word.
fn is_content_word(word: &str) -> bool {
    word.chars().count() > 1
        && word.chars().any(char::is_alphabetic)
        && !crate::analysis::stop_words::is_stop_word(word, STOP_WORDS)
}

/// Words never added besides [`crate::analysis::stop_words`]'s: the rest of
/// the Snowball project's English list and words of news prose that say
/// nothing of a topic; sorted, for binary search.
const STOP_WORDS: &[&str] = &[
    "above",
    "aren",
    "back",
    "below",
    "cannot",
    "couldn",
    "d",
    "didn",
    "doesn",
    "don",
    "even",
    "get",
    "hadn",
    "hasn",
    "haven",
    "isn",
    "let",
    "ll",
    "mustn",
    "ought",
    "re",
    "shan",
    "shouldn",
    "since",
    "still",
    "ve",
    "wasn",
    "well",
    "weren",
    "won",
    "wouldn",
    "yet",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::{Aliases, query_analyzer};

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "{:?}",
            STOP_WORDS.windows(2).find(|w| w[0] >= w[1])
        );
    }

    #[test]
    fn the_heaviest_words_of_the_best_hits_lead_and_weights_add_up() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut analyzer = query_analyzer(&aliases, false);
        let docs = vec![
            (3.0, "Airstrikes hit Sirte. The airstrikes hit the port; Daesh fled.".to_owned()),
            (1.0, "An airstrike near the port of Sirte.".to_owned()),
        ];
        let terms = feedback_terms(&mut analyzer, &docs);
        assert_eq!(terms[0].term, "airstrikes", "{terms:?}");
        assert!(terms.iter().any(|t| t.term == "#isis"), "entities stay as their term: {terms:?}");
        assert!(terms.iter().all(|t| t.term != "the" && t.term != "of"), "{terms:?}");
        let sum: f32 = terms.iter().map(|t| t.weight).sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
    }
}
