//! Narrower body candidates, read from the page's own structure:
//!
//! - the `<p>` paragraphs of the one element that holds the most paragraph
//!   text and of the blocks near it (the readability idea, kept small);
//! - the text the page itself declares as its article body (microdata
//!   `itemprop="articleBody"`, JSON-LD `articleBody`);
//! - every `<p>` paragraph of the page that is text rather than links, used to
//!   tell an article paragraph outside the densest block from boilerplate.
//!
//! They miss what an article holds outside `<p>` (lists, quotes, tables), so
//! they only guide the cut of the main extractor's larger text (see
//! `body::extract_body`).

use dom_query::{Document, NodeId, NodeRef};

use rustc_hash::FxHashMap;

/// Elements whose text is never article text.
const NEVER: &str = "script, style, noscript, template, nav, aside, footer, form, figcaption, \
    button, select, iframe, svg";

/// What the page's structure says about where its article is.
#[derive(Debug, Default)]
pub(super) struct Candidates {
    /// The paragraphs of the densest element and its near blocks, joined by
    /// `"\n\n"`; empty when the page has none.
    pub(super) densest: String,
    /// The text of the page's one declared article body, if it declares one.
    pub(super) declared: Option<String>,
    /// Every text (not link) `<p>` paragraph of the page, joined by `"\n\n"`.
    pub(super) text_paragraphs: String,
}

/// Reads the candidates of a page.
pub(super) fn candidates(html: &str) -> Candidates {
    let document = Document::from(html);
    let json_ld = json_ld_article_body(&document);
    document.select(NEVER).remove();
    let declared = declared_body(&document).or(json_ld);
    let mut text_paragraphs = String::new();
    for paragraph in document.select("p").nodes() {
        if paragraph_length(paragraph).is_some() {
            push_paragraph(&mut text_paragraphs, &paragraph.text());
        }
    }
    Candidates { densest: densest_paragraphs(&document), declared, text_paragraphs }
}

/// The text of the one element marked `itemprop="articleBody"`; `None` when
/// there is none or more than one (a list of teasers).
fn declared_body(document: &Document) -> Option<String> {
    let marked = document.select("[itemprop~=articleBody]");
    let nodes = marked.nodes();
    let [node] = nodes else { return None };
    let mut out = String::new();
    // Text nodes joined by a space: `<br>` and empty `<div>` separators keep
    // the words on either side apart.
    for descendant in node.descendants() {
        if descendant.is_text() {
            let text = descendant.text();
            if !text.trim().is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(text.trim());
            }
        }
    }
    Some(out)
}

/// The `articleBody` of the page's JSON-LD, tags stripped.
fn json_ld_article_body(document: &Document) -> Option<String> {
    for script in document.select("script[type]").iter() {
        let kind = script.attr("type").unwrap_or_default();
        if !kind.trim().eq_ignore_ascii_case("application/ld+json") {
            continue;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(script.text().trim()) else {
            continue;
        };
        if let Some(body) = find_article_body(&value) {
            return Some(strip_tags(body));
        }
    }
    None
}

fn find_article_body(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::Object(object) => object
            .get("articleBody")
            .and_then(serde_json::Value::as_str)
            .or_else(|| object.values().find_map(find_article_body)),
        serde_json::Value::Array(values) => values.iter().find_map(find_article_body),
        _ => None,
    }
}

/// Text with anything between `<` and `>` made a space.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn push_paragraph(out: &mut String, text: &str) {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&text);
}

/// The paragraphs of the element with the most paragraph text and of the
/// blocks near it, joined by `"\n\n"`; empty when the page has none.
fn densest_paragraphs(document: &Document) -> String {
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
        push_paragraph(&mut out, &paragraph.text());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_article_body_is_read() {
        let html = "<html><body><div itemprop=\"articleBody\">The first sentence ends.\
            <div class=br></div>The second begins.<br>A third.\
            <script>var ad = 1;</script></div></body></html>";
        assert_eq!(
            candidates(html).declared.as_deref(),
            Some("The first sentence ends. The second begins. A third.")
        );
        // Several marked elements are a list of teasers, not one article.
        let teasers = "<div itemprop=articleBody>One.</div><div itemprop=articleBody>Two.</div>";
        assert_eq!(candidates(teasers).declared, None);
    }

    #[test]
    fn the_json_ld_article_body_is_read() {
        let html = r#"<html><head><script type="application/ld+json">{"@graph":[{"@type":
            "WebPage"},{"@type":"NewsArticle","articleBody":"<p>Rain came.</p><p>It stayed.</p>"}]}
            </script></head><body><p>Rain came.</p></body></html>"#;
        let declared = candidates(html).declared.unwrap();
        assert_eq!(
            declared.split_whitespace().collect::<Vec<_>>(),
            ["Rain", "came.", "It", "stayed."]
        );
    }

    #[test]
    fn text_paragraphs_leave_out_link_lists() {
        let html = "<html><body><p>A paragraph of text with <a href=/x>one link</a> in it.</p>\
            <p><a href=/a>A headline of another story</a></p><nav><p>Menu text</p></nav>\
            </body></html>";
        assert_eq!(candidates(html).text_paragraphs, "A paragraph of text with one link in it.");
    }
}
