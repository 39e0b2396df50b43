//! Where a query's words, phrases and entities stand in a text: the spans that
//! highlights mark, that the snippet window is chosen by, and that keyword-in-
//! context rows cut out.
//!
//! Takes the groups the query was built from ([`GroupQuery`]: per word, the
//! indexed forms it matches) and a stored text; gives byte ranges. The text is
//! read by the index's own analyzer (see [`crate::analysis`]), so a span covers
//! exactly what the index matched: an alias as the article wrote it (one span
//! for a multi-word spelling), any form of a stem group. A phrase is found only
//! where its words stand in order, at most its slop apart, and marked as one
//! span from its first word to its last; its words elsewhere are not marked.
//! tantivy's `SnippetGenerator` marks every term of the query wherever it
//! stands, so `"barrel bombs"` marked `barrel` in "a barrel containing gas".

use rustc_hash::FxHashSet;
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::query::bm25f::GroupQuery;

/// One word, phrase or entity of the query, ready to be found in text.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// What the user wrote.
    pub label: String,
    /// Per word: the indexed forms it matches.
    slots: Vec<FxHashSet<String>>,
    /// Words the phrase's words may stand apart, in all.
    slop: u32,
    /// Fields it is searched in.
    fields: Vec<Field>,
}

impl Pattern {
    /// The patterns of a query's groups.
    pub fn of_groups(groups: &[GroupQuery]) -> Vec<Pattern> {
        groups
            .iter()
            .map(|group| Pattern {
                label: group.label().to_owned(),
                slots: group.slots().iter().map(|forms| forms.iter().cloned().collect()).collect(),
                slop: group.slop(),
                fields: group.fields().iter().map(|f| f.field).collect(),
            })
            .collect()
    }

    /// The single indexed form of a one-word pattern of one form (an entity's
    /// canonical term), if it is one.
    pub fn only_form(&self) -> Option<&str> {
        match self.slots.as_slice() {
            [forms] if forms.len() == 1 => forms.iter().next().map(String::as_str),
            _ => None,
        }
    }
}

/// A span of text one pattern matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Index of the pattern in the list searched.
    pub pattern: usize,
}

/// A token of the text: its position and span.
struct Token {
    position: usize,
    start: usize,
    end: usize,
    text: String,
}

/// Every occurrence of `patterns` searched in `field` within `text`, in text
/// order (by start, then end, then pattern). Occurrences of different patterns
/// may overlap; one pattern's never start at the same token twice.
pub fn find(
    analyzer: &mut TextAnalyzer,
    patterns: &[Pattern],
    field: Field,
    text: &str,
) -> Vec<Occurrence> {
    let wanted: Vec<usize> =
        (0..patterns.len()).filter(|&i| patterns[i].fields.contains(&field)).collect();
    if wanted.is_empty() || text.is_empty() {
        return Vec::new();
    }
    // Tokens by position: the index's analyzer may put two terms at one
    // position (an alias's canonical term and its spelling as written).
    // Only tokens that some pattern's word can match are kept: the others can
    // start or continue no occurrence, and copying every word of every hit's
    // body cost more than the search itself.
    let matchable = |text: &str| {
        wanted.iter().any(|&i| patterns[i].slots.iter().any(|forms| forms.contains(text)))
    };
    let mut by_position: Vec<Vec<Token>> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        let position = token.position;
        if position >= by_position.len() {
            by_position.resize_with(position + 1, Vec::new);
        }
        if !matchable(&token.text) {
            continue;
        }
        by_position[position].push(Token {
            position,
            start: token.offset_from,
            end: token.offset_to,
            text: token.text.clone(),
        });
    }
    let mut found = Vec::new();
    for &index in &wanted {
        let pattern = &patterns[index];
        let Some(first) = pattern.slots.first() else { continue };
        for tokens in &by_position {
            let Some(head) = tokens.iter().find(|t| first.contains(&t.text)) else { continue };
            if let Some(end) = rest_of_phrase(&by_position, pattern, head) {
                found.push(Occurrence { start: head.start, end, pattern: index });
            }
        }
    }
    found.sort_unstable();
    found
}

/// The end of the phrase whose first word is `head`: each later word at a
/// later position, the gaps adding up to at most the slop. `None` when the
/// phrase does not go on from `head`.
fn rest_of_phrase(by_position: &[Vec<Token>], pattern: &Pattern, head: &Token) -> Option<usize> {
    let mut position = head.position;
    let mut end = head.end;
    let mut slack = pattern.slop as usize;
    for forms in &pattern.slots[1..] {
        let mut next = None;
        for gap in 0..=slack {
            let at = position + 1 + gap;
            let Some(tokens) = by_position.get(at) else { break };
            if let Some(token) = tokens.iter().find(|t| forms.contains(&t.text)) {
                next = Some((at, token.end, gap));
                break;
            }
        }
        let (at, token_end, gap) = next?;
        position = at;
        end = end.max(token_end);
        slack -= gap;
    }
    Some(end)
}

/// The byte ranges to highlight: the occurrences' spans, overlapping ones
/// merged, in order.
pub fn highlight_ranges(occurrences: &[Occurrence]) -> Vec<[usize; 2]> {
    let mut ranges: Vec<[usize; 2]> = Vec::with_capacity(occurrences.len());
    for occurrence in occurrences {
        match ranges.last_mut() {
            Some(last) if occurrence.start < last[1] => last[1] = last[1].max(occurrence.end),
            _ => ranges.push([occurrence.start, occurrence.end]),
        }
    }
    ranges
}

/// The passage of `text` at most `chars` characters long holding the most
/// distinct patterns (then the most occurrences; the earliest on a tie), as a
/// byte range `[start, end)` at word boundaries. `None` without occurrences.
pub fn best_window(text: &str, occurrences: &[Occurrence], chars: usize) -> Option<(usize, usize)> {
    let first = occurrences.first()?;
    // A byte bound first: counting characters needs a pass over the passage.
    let budget = |from: usize, to: usize| text.get(from..to).map_or(0, |s| s.chars().count());
    let mut best = (0usize, 0usize, first.start, first.end);
    for (i, from) in occurrences.iter().enumerate() {
        let mut distinct: Vec<usize> = Vec::new();
        let mut count = 0;
        let mut end = from.end;
        for occurrence in &occurrences[i..] {
            if occurrence.end - from.start > chars.saturating_mul(4)
                || budget(from.start, occurrence.end) > chars
            {
                break;
            }
            if !distinct.contains(&occurrence.pattern) {
                distinct.push(occurrence.pattern);
            }
            count += 1;
            end = end.max(occurrence.end);
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, from.start, end);
        }
    }
    let (_, _, start, end) = best;
    Some(widen(text, start, end, chars))
}

/// `[start, end)` grown to about `chars` characters, a quarter of the room
/// before it and the rest after, cut at whitespace.
fn widen(text: &str, start: usize, end: usize, chars: usize) -> (usize, usize) {
    let used = text[start..end].chars().count();
    let room = chars.saturating_sub(used);
    let mut from =
        text[..start].char_indices().rev().take(room / 4).last().map_or(start, |(at, _)| at);
    // Start at a word: a cut word in front is left out.
    if from > 0 && from < start && !text[..from].ends_with(char::is_whitespace) {
        from = match text[from..start].find(char::is_whitespace) {
            Some(space) => {
                let at = from + space;
                at + text[at..start].len() - text[at..start].trim_start().len()
            }
            None => start,
        };
    }
    let after = room.saturating_sub(text[from..start].chars().count());
    let mut to = text[end..].char_indices().nth(after).map_or(text.len(), |(at, _)| end + at);
    // End at a word: a cut word at the end is left out.
    if to < text.len() && !text[to..].starts_with(char::is_whitespace) {
        to = text[end..to].rfind(char::is_whitespace).map_or(end, |space| end + space);
    }
    (from, end + text[end..to].trim_end().len())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::schema::{Schema, TEXT};

    use super::*;
    use crate::analysis::{self, Aliases};

    fn pattern(slots: &[&[&str]], slop: u32, field: Field) -> Pattern {
        Pattern {
            label: String::new(),
            slots: slots
                .iter()
                .map(|forms| forms.iter().map(|&f| f.to_owned()).collect())
                .collect(),
            slop,
            fields: vec![field],
        }
    }

    fn spans<'t>(text: &'t str, patterns: &[Pattern], field: Field) -> Vec<&'t str> {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut analyzer = analysis::analyzer(&aliases);
        find(&mut analyzer, patterns, field, text).iter().map(|o| &text[o.start..o.end]).collect()
    }

    #[test]
    fn a_phrase_is_found_only_where_its_words_stand_together() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let phrase = pattern(&[&["barrel"], &["bomb", "bombs"]], 0, body);
        let text = "A barrel containing gas. Barrel bombs fell; barrel  bomb.";
        assert_eq!(
            spans(text, std::slice::from_ref(&phrase), body),
            ["Barrel bombs", "barrel  bomb"]
        );
        let loose = Pattern { slop: 1, ..phrase };
        assert_eq!(spans("a barrel of bombs", &[loose], body), ["barrel of bombs"]);
    }

    #[test]
    fn windows_prefer_distinct_words_and_merge_overlaps() {
        let text = "aa bb aa aa aa zz zz zz zz zz zz zz zz zz zz cc dd cc";
        let at = |word: &str, n: usize| text.match_indices(word).nth(n).unwrap().0;
        let occurrences = vec![
            Occurrence { start: at("aa", 0), end: at("aa", 0) + 2, pattern: 0 },
            Occurrence { start: at("aa", 1), end: at("aa", 1) + 2, pattern: 0 },
            Occurrence { start: at("cc", 0), end: at("cc", 0) + 2, pattern: 1 },
            Occurrence { start: at("dd", 0), end: at("dd", 0) + 2, pattern: 2 },
        ];
        let (start, end) = best_window(text, &occurrences, 10).unwrap();
        assert!(text[start..end].contains("cc dd"), "{:?}", &text[start..end]);
        let merged = highlight_ranges(&[
            Occurrence { start: 0, end: 5, pattern: 0 },
            Occurrence { start: 3, end: 8, pattern: 1 },
        ]);
        assert_eq!(merged, [[0, 8]]);
    }
}
