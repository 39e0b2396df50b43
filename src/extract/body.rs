//! The article body: the page's main text, boilerplate removed, paragraphs kept.
//!
//! Two kinds of candidate, measured on `../shared/extraction` (EXTRACTION.md):
//! rs-trafilatura's main text, which rarely misses article text but often
//! takes too large a region (a list of other headlines, the site's sidebar),
//! and narrow ones ([`super::paragraphs`]): the body the page declares
//! (`itemprop=articleBody`, JSON-LD `articleBody`), else the `<p>` paragraphs
//! of the densest element. When the narrow one lies inside the wide one, the
//! wide one is cut to the paragraphs from the first to the last that the
//! narrow one shares (the article's own lists and quotes between them stay),
//! widened over neighbouring text paragraphs and headings up to a boilerplate
//! line, and short boilerplate lines at its ends go.

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
    let candidates = super::paragraphs::candidates(html);
    let wide = words(&text);
    // The body the page declares guides the cut when the wide text holds it;
    // else the densest block does.
    let declared = candidates.declared.as_deref().map(words).filter(|declared| {
        declared.len() >= MIN_WORDS && contained(declared, &wide) >= MIN_CONTAINED
    });
    let densest = words(&candidates.densest);
    let narrow_is_densest = densest.len() >= MIN_CORE_WORDS;
    let core = match declared {
        Some(declared) => declared,
        None if narrow_is_densest && contained(&densest, &wide) >= MIN_CONTAINED => densest,
        None => return text,
    };
    let cut = span(&text, &core, &words(&candidates.text_paragraphs));
    // A wide text that says the same thing over and over (an article's text
    // repeated in page fragments, run together in one paragraph) cannot be
    // cut by paragraphs: the narrow candidate, said once, stands in.
    if repeated_share(&words(&cut)) > MAX_REPEATED {
        let narrow = if narrow_is_densest {
            candidates.densest
        } else {
            candidates.declared.unwrap_or_default()
        };
        if repeated_share(&words(&narrow)) < MAX_REPEATED / 3.0 && is_article_length(&narrow) {
            return narrow;
        }
    }
    trim_boilerplate(&cut)
}

/// A text with more of its shingles repeating an earlier one than this share
/// is repeated text, not an article.
const MAX_REPEATED: f64 = 0.3;

/// The share of a text's 4-word shingles that repeat an earlier one.
fn repeated_share(words: &[String]) -> f64 {
    let total = words.windows(4).count();
    if total == 0 {
        return 0.0;
    }
    let distinct: FxHashSet<&[String]> = words.windows(4).collect();
    1.0 - distinct.len() as f64 / total as f64
}

/// A text without the boilerplate paragraphs at its start and end.
fn trim_boilerplate(text: &str) -> String {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let Some(first) = paragraphs.iter().position(|p| !is_boilerplate(p)) else {
        return text.to_owned();
    };
    let last = paragraphs.iter().rposition(|p| !is_boilerplate(p)).unwrap_or(first);
    paragraphs[first..=last].join("\n\n")
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
/// of its shingles in `core`, widened by the article paragraphs (half of their
/// shingles in `good`) that continue it on either side.
fn span(text: &str, core: &[String], good: &[String]) -> String {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let in_core = |paragraph: &&str| {
        let words = words(paragraph);
        words.len() >= 4 && contained(&words, core) >= 0.5
    };
    let first = paragraphs.iter().position(in_core);
    let last = paragraphs.iter().rposition(in_core);
    let (Some(mut first), Some(mut last)) = (first, last) else {
        return text.to_owned();
    };
    if !good.is_empty() {
        let good: FxHashSet<&[String]> = good.windows(4).collect();
        let kind = |paragraph: &str| {
            let words = words(paragraph);
            let total = words.windows(4).count();
            let inside = words.windows(4).filter(|shingle| good.contains(shingle)).count();
            if is_boilerplate(paragraph) {
                Continuation::Stop
            } else if words.len() >= MIN_GOOD_WORDS && inside * 2 >= total {
                Continuation::Article
            } else if words.len() <= MAX_HEADING_WORDS {
                Continuation::Heading
            } else {
                Continuation::Stop
            }
        };
        first = widen(first, (0..first).rev(), &paragraphs, &kind);
        last = widen(last, last + 1..paragraphs.len(), &paragraphs, &kind);
    }
    paragraphs[first..=last].join("\n\n")
}

/// An article paragraph outside the densest block has at least this many words.
const MIN_GOOD_WORDS: usize = 8;

/// A line this short between article paragraphs is a heading and stays.
const MAX_HEADING_WORDS: usize = 12;

/// At most this many headings in a row, followed by an article paragraph.
const MAX_HEADINGS: usize = 2;

#[derive(PartialEq)]
enum Continuation {
    Article,
    Heading,
    Stop,
}

/// The farthest paragraph in `order` reached through article paragraphs and
/// short runs of headings followed by one, starting from `from`.
fn widen(
    from: usize,
    order: impl Iterator<Item = usize>,
    paragraphs: &[&str],
    kind: &dyn Fn(&str) -> Continuation,
) -> usize {
    let mut reached = from;
    let mut headings = 0;
    for i in order {
        match kind(paragraphs[i]) {
            Continuation::Article => {
                reached = i;
                headings = 0;
            }
            Continuation::Heading if headings < MAX_HEADINGS => headings += 1,
            _ => break,
        }
    }
    reached
}

/// Phrases of the lines around an article that are not the article: calls
/// to subscribe, share or read on, legal lines.
const BOILERPLATE: &[&str] = &[
    "sign up",
    "subscribe",
    "newsletter",
    "read more",
    "all rights reserved",
    "copyright",
    "©",
    "follow us",
    "click here",
    "share this",
    "advertisement",
    "cookies",
    "leave a reply",
    "leave a comment",
    "post a comment",
    "logged in",
    "log in",
    "if you enjoyed",
];

/// A paragraph longer than this is article text whatever phrase it holds
/// ("leave a comment" in an opening paragraph).
const MAX_BOILERPLATE_WORDS: usize = 40;

/// Whether a short paragraph holds one of the [`BOILERPLATE`] phrases.
fn is_boilerplate(paragraph: &str) -> bool {
    if paragraph.split_whitespace().count() > MAX_BOILERPLATE_WORDS {
        return false;
    }
    let lower = paragraph.to_lowercase();
    BOILERPLATE.iter().any(|phrase| lower.contains(phrase))
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
            span(text, &core, &[]),
            "one two three four five six seven\n\na list item inside\n\n\
            eight nine ten eleven twelve thirteen fourteen"
        );
    }

    #[test]
    fn the_cut_widens_over_article_paragraphs_outside_the_core() {
        let core = words("the core paragraph of the story sits in the densest block here");
        let good = words(
            "an opening paragraph held in a block of its own above the rest\n\n\
            a closing paragraph in another block below the middle of the story\n\n\
            a paragraph of an unrelated story far below the article text",
        );
        let text = "Menu of the site and other links here for readers of all kinds today\n\n\
            An opening paragraph held in a block of its own above the rest\n\n\
            The core paragraph of the story sits in the densest block here\n\n\
            A heading\n\n\
            A closing paragraph in another block below the middle of the story\n\n\
            Sign up for our newsletter\n\n\
            A paragraph of an unrelated story far below the article text";
        assert_eq!(
            span(text, &core, &good),
            "An opening paragraph held in a block of its own above the rest\n\n\
            The core paragraph of the story sits in the densest block here\n\n\
            A heading\n\n\
            A closing paragraph in another block below the middle of the story"
        );
        // A heading with no article paragraph after it is not taken.
        let text = "The core paragraph of the story sits in the densest block here\n\nMore news";
        assert_eq!(
            span(text, &core, &good),
            "The core paragraph of the story sits in the densest block here"
        );
    }

    #[test]
    fn boilerplate_lines_at_either_end_go() {
        let text = "Follow us on social media\n\nThe story begins here.\n\n\
            It goes on to leave a comment about the weather, which is long enough to be a \
            paragraph of the article rather than a call to action at its end, and it stays \
            whatever phrase it holds because it runs well past forty words in all, as \
            an article's paragraphs do.\n\nSign up for the morning newsletter\n\n\
            © 2019 The Daily Example. All rights reserved.";
        let trimmed = trim_boilerplate(text);
        assert!(trimmed.starts_with("The story begins here."), "{trimmed}");
        assert!(trimmed.ends_with("paragraphs do."), "{trimmed}");
    }

    #[test]
    fn repeated_text_is_measured() {
        let once = words("one two three four five six seven eight nine ten");
        assert!(repeated_share(&once) < f64::EPSILON);
        let thrice = words(&"one two three four five six seven eight nine ten ".repeat(3));
        assert!(repeated_share(&thrice) > MAX_REPEATED, "{}", repeated_share(&thrice));
    }

    #[test]
    fn article_length() {
        assert!(!is_article_length("Sign in to read this story"));
        assert!(is_article_length(&"word ".repeat(30)));
        assert!(is_article_length(&"東京".repeat(60)));
    }
}
