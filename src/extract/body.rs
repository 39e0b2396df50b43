//! The article body: the page's main text, boilerplate removed, paragraphs kept.
//!
//! Two candidates, measured on `../shared/extraction` (EXTRACTION.md):
//! rs-trafilatura's main text, which rarely misses article text but often
//! takes too large a region (a list of other headlines, the site's sidebar),
//! and the `<p>` paragraphs of the densest element ([`super::paragraphs`]),
//! which is narrow. When the narrow one lies inside the wide one, the wide one
//! is cut to the paragraphs from the first to the last that the narrow one
//! shares: the article's own lists and quotes between them stay.

use rustc_hash::FxHashSet;

/// Fewer words than this is not an article: what is left of an index page, a
/// login wall or an error page once its menus are gone. The shortest article
/// body of the measurement pages has 69 words.
const MIN_WORDS: usize = 25;

/// The same for scripts written without spaces between words (Chinese,
/// Japanese, Thai), counted in their letters.
const MIN_UNSPACED_LETTERS: usize = 100;

/// A narrow candidate shorter than this is too little to trim by.
const MIN_CORE_WORDS: usize = 50;

/// The share of the narrow candidate's shingles that the wide one must hold
/// for the narrow one to count as inside it.
const MIN_CONTAINED: f64 = 0.8;

/// The main text of a page, its paragraphs separated by `"\n\n"`; empty when
/// none was found.
pub(super) fn extract_body(html: &str) -> String {
    let options = rs_trafilatura::Options::default();
    let Ok(result) = rs_trafilatura::extract_with_options(html, &options) else {
        return String::new();
    };
    let text = paragraphs(&result.content_text);
    let core = words(&super::paragraphs::densest_paragraphs(html));
    if core.len() >= MIN_CORE_WORDS && contained(&core, &words(&text)) >= MIN_CONTAINED {
        span(&text, &core)
    } else {
        text
    }
}

/// Text with one paragraph a line (or more) → trimmed paragraphs joined by a
/// blank line, white space runs inside a paragraph made one space.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Lowercase words of a text, for comparing texts without punctuation or case.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The share of the 4-word shingles of `part` that `whole` also has.
fn contained(part: &[String], whole: &[String]) -> f64 {
    let shingles: FxHashSet<&[String]> = whole.windows(4).collect();
    let total = part.windows(4).count();
    if total == 0 {
        return 0.0;
    }
    part.windows(4).filter(|shingle| shingles.contains(shingle)).count() as f64 / total as f64
}

/// The paragraphs of `text` from the first to the last that has at least half
/// of its shingles in `core`.
fn span(text: &str, core: &[String]) -> String {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let in_core = |paragraph: &&str| {
        let words = words(paragraph);
        words.len() >= 4 && contained(&words, core) >= 0.5
    };
    let first = paragraphs.iter().position(in_core);
    let last = paragraphs.iter().rposition(in_core);
    match (first, last) {
        (Some(first), Some(last)) => paragraphs[first..=last].join("\n\n"),
        _ => text.to_owned(),
    }
}

/// Whether a text is long enough to be an article.
pub(super) fn is_article_length(text: &str) -> bool {
    let words = text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty());
    words.count() >= MIN_WORDS
        || text.chars().filter(|&c| c >= '\u{0E00}' && c.is_alphanumeric()).count()
            >= MIN_UNSPACED_LETTERS
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "<p>After a dry summer the first autumn storm reached the coast on \
        Sunday morning, filling the reservoirs that had fallen to a third of their capacity.</p>\
        <p>Farmers in the valley said the rain came too late for the harvest but in time for the \
        winter sowing, which they had been ready to postpone until the spring.</p>\
        <p>The weather service expects two more days of rain before a cold front brings clear \
        skies and the first frost of the season to the higher villages.</p>";

    #[test]
    fn boilerplate_goes_and_paragraphs_stay() {
        let html = format!(
            "<html><body><header><nav><ul><li><a href=/>Home</a></li><li><a href=/w>World</a>\
            </li></ul></nav></header><div id=cookie>We use cookies to improve your experience. \
            <button>Accept</button></div><main><article><h1>Rain returns</h1>{ARTICLE}</article>\
            <aside><h2>Related</h2><ul><li><a href=/a>Snow expected in the mountains next week \
            as temperatures drop</a></li><li><a href=/b>Drought hits the southern farms hard \
            this year</a></li></ul></aside></main><script>var tracking = 'gtag';</script>\
            <footer>Copyright 2016 The Daily Example. All rights reserved.</footer></body></html>"
        );
        let body = extract_body(&html);
        let paragraphs: Vec<&str> = body.split("\n\n").collect();
        assert_eq!(paragraphs.len(), 3, "{body}");
        assert!(paragraphs[0].starts_with("After a dry summer"));
        assert!(paragraphs[2].ends_with("higher villages."));
        for boilerplate in ["Home", "cookies", "Snow expected", "gtag", "Copyright"] {
            assert!(!body.contains(boilerplate), "{boilerplate} in {body}");
        }
    }

    #[test]
    fn the_wide_text_is_cut_to_the_article() {
        let core = words(
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
        );
        let text = "Latest headlines here today\n\none two three four five six seven\n\n\
            a list item inside\n\neight nine ten eleven twelve thirteen fourteen\n\n\
            More stories from the site";
        assert_eq!(
            span(text, &core),
            "one two three four five six seven\n\na list item inside\n\n\
            eight nine ten eleven twelve thirteen fourteen"
        );
    }

    #[test]
    fn article_length() {
        assert!(!is_article_length("Sign in to read this story"));
        assert!(is_article_length(&"word ".repeat(30)));
        assert!(is_article_length(&"東京".repeat(60)));
    }
}
