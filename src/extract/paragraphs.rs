//! A second, narrower body candidate: the `<p>` paragraphs of the one element
//! that holds the most paragraph text (the readability idea, kept small).
//!
//! It misses what an article holds outside `<p>` (lists, quotes, tables), so
//! it only stands in when the main extractor took a much larger region that
//! contains it (see `body::extract_body`).

use dom_query::{Document, NodeId, NodeRef};

use rustc_hash::FxHashMap;

/// Elements whose text is never article text.
const NEVER: &str = "script, style, noscript, template, nav, aside, footer, form, figcaption, \
    button, select, iframe, svg";

/// The paragraphs of the element with the most paragraph text, joined by
/// `"\n\n"`; empty when the page has none.
pub(super) fn densest_paragraphs(html: &str) -> String {
    let document = Document::from(html);
    document.select(NEVER).remove();
    let mut scores: FxHashMap<NodeId, usize> = FxHashMap::default();
    let mut parents: FxHashMap<NodeId, NodeRef> = FxHashMap::default();
    for paragraph in document.select("p").nodes() {
        let Some(length) = paragraph_length(paragraph) else { continue };
        if let Some(parent) = paragraph.parent() {
            *scores.entry(parent.id).or_default() += length;
            parents.entry(parent.id).or_insert(parent);
        }
    }
    let Some((&best, &best_score)) =
        scores.iter().max_by_key(|(id, score)| (**score, std::cmp::Reverse(**id)))
    else {
        return String::new();
    };
    // An article split into several blocks (between ads, say) has its other
    // blocks near the densest one: they share an ancestor two or three levels up.
    let ancestor = |id: &NodeId, levels: usize| {
        let mut node = parents.get(id).copied();
        for _ in 0..levels {
            node = node.and_then(|node| node.parent());
        }
        node.map(|node| node.id)
    };
    let near: Vec<NodeId> = scores
        .iter()
        .filter(|(id, score)| {
            **id == best
                || (**score * 5 >= best_score
                    && (ancestor(id, 2) == ancestor(&best, 2)
                        || ancestor(id, 3) == ancestor(&best, 3)))
        })
        .map(|(id, _)| *id)
        .collect();
    let mut out = String::new();
    for paragraph in document.select("p").nodes() {
        if !paragraph.parent().is_some_and(|parent| near.contains(&parent.id)) {
            continue;
        }
        if paragraph_length(paragraph).is_none() {
            continue;
        }
        let text = paragraph.text();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&text);
    }
    out
}

/// The length of a paragraph's text, `None` for an empty one or one that is
/// mostly links (a list of related stories).
fn paragraph_length(paragraph: &NodeRef) -> Option<usize> {
    let length = paragraph.text().trim().chars().count();
    let mut links = 0;
    for descendant in paragraph.descendants() {
        if descendant.node_name().is_some_and(|name| name.as_ref() == "a") {
            links += descendant.text().trim().chars().count();
        }
    }
    (length > 0 && links * 2 < length).then_some(length)
}
