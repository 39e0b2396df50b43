//! Snippets: the fragment of a hit's body shown under its headline, with the
//! byte ranges of the matched words. tantivy's `SnippetGenerator` picks the
//! fragment (it analyzes the body again with the field's analyzer, so
//! highlights fall on aliases as the article wrote them); this module widens it
//! to its punctuation, or falls back to the body's lead when nothing matched.

use tantivy::snippet::SnippetGenerator;

/// The fragment of `body` to show and its highlighted byte ranges; the lead of
/// the body (`snippet_chars` long) when no word of the query is in it.
pub(super) fn snippet(
    body: &str,
    generator: &SnippetGenerator,
    snippet_chars: usize,
) -> (String, Vec<[usize; 2]>) {
    let snippet = generator.snippet(body);
    if snippet.is_empty() {
        (lead(body, snippet_chars), Vec::new())
    } else {
        let (fragment, shift) = widen_to_punctuation(body, snippet.fragment(), snippet_chars);
        // One matched token longer than the limit (a multi-word entity spelling)
        // is cut at it, with its highlight.
        let end = fragment.char_indices().nth(snippet_chars).map_or(fragment.len(), |(at, _)| at);
        let ranges = snippet
            .highlighted()
            .iter()
            .map(|r| [r.start + shift, (r.end + shift).min(end)])
            .filter(|[start, end]| start < end)
            .collect();
        (fragment[..end].to_owned(), ranges)
    }
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

/// tantivy cuts a snippet at its first and last words, leaving out the
/// punctuation that touches them (an article ending `camps.` gave `camps`): the
/// fragment is widened to it, as the article wrote it. Returns the fragment and
/// how many bytes were added in front (highlights move by that much). The widened
/// fragment keeps within `max_chars`.
fn widen_to_punctuation<'b>(
    body: &'b str,
    fragment: &'b str,
    max_chars: usize,
) -> (&'b str, usize) {
    let Some(start) = body.find(fragment) else { return (fragment, 0) };
    let end = start + fragment.len();
    let touching = |c: &char| !c.is_whitespace() && !c.is_alphanumeric();
    // A few characters at most: a run of `-----` is a rule, not punctuation.
    let room = max_chars.saturating_sub(fragment.chars().count());
    let after: Vec<char> = body[end..].chars().take_while(touching).take(3.min(room)).collect();
    let before: usize = body[..start]
        .chars()
        .rev()
        .take_while(touching)
        .take(3.min(room - after.len()))
        .map(char::len_utf8)
        .sum();
    let after: usize = after.iter().copied().map(char::len_utf8).sum();
    (&body[start - before..end + after], before)
}
