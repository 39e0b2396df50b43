//! The article body: the page's main text, boilerplate removed, paragraphs kept.

/// Fewer words than this is not an article: what is left of an index page, a
/// login wall or an error page once its menus are gone. The shortest article
/// body of the measurement pages has 69 words.
const MIN_WORDS: usize = 25;

/// The same for scripts written without spaces between words (Chinese,
/// Japanese, Thai), counted in their letters.
const MIN_UNSPACED_LETTERS: usize = 100;

/// The main text of a page, its paragraphs separated by `"\n\n"`; empty when
/// none was found.
pub(super) fn extract_body(html: &str) -> String {
    let options = rs_trafilatura::Options::default();
    let Ok(result) = rs_trafilatura::extract_with_options(html, &options) else {
        return String::new();
    };
    paragraphs(&result.content_text)
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

/// Whether a text is long enough to be an article.
pub(super) fn is_article_length(text: &str) -> bool {
    let words = text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty());
    words.count() >= MIN_WORDS
        || text.chars().filter(|&c| c >= '\u{0E00}' && c.is_alphanumeric()).count()
            >= MIN_UNSPACED_LETTERS
}
