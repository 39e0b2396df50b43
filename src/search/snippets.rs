//! Snippets: the fragment of a hit's body shown under its headline, with the
//! byte ranges of the matched words and phrases, found by
//! [`super::occurrences`] with the index's analyzer (so highlights fall on
//! aliases as the article wrote them); the body's lead when nothing matched.

use super::occurrences::{self, Occurrence};

/// The fragment of `body` to show and its highlighted byte ranges: the passage
/// holding the most distinct words and phrases of the query
/// ([`occurrences::best_window`]), cut at whitespace so that punctuation
/// touching its first and last words stays; the lead of the body
/// (`snippet_chars` long) when no word of the query is in it.
pub(super) fn snippet(
    body: &str,
    found: &[Occurrence],
    snippet_chars: usize,
) -> (String, Vec<[usize; 2]>) {
    let Some((start, end)) = occurrences::best_window(body, found, snippet_chars) else {
        return (lead(body, snippet_chars), Vec::new());
    };
    let inside: Vec<Occurrence> =
        found.iter().filter(|o| o.start >= start && o.end <= end).copied().collect();
    // A window is never longer than the limit, but one matched token longer
    // than it (a multi-word entity spelling) is cut at it, with its highlight.
    let window = &body[start..end];
    let cut = window.char_indices().nth(snippet_chars).map_or(window.len(), |(at, _)| at);
    let ranges = occurrences::highlight_ranges(&inside)
        .into_iter()
        .map(|[from, to]| [from - start, (to - start).min(cut)])
        .filter(|[from, to]| from < to)
        .collect();
    (window[..cut].to_owned(), ranges)
}

/// The first `chars` characters of `text`, at a word boundary.
fn lead(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.trim().to_owned(),
        Some((end, _)) => {
            // Room for the `…` where there is no space to cut at.
            let last = text[..end].char_indices().next_back().map_or(0, |(at, _)| at);
            let cut = text[..end].rfind(char::is_whitespace).unwrap_or(last);
            format!("{}…", text[..cut].trim_end())
        }
    }
}
