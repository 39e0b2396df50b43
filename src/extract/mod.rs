//! Stage 2 for saved web pages (extract): the HTML text of one page → a [`Page`]
//! (article body, title, date, source, url, author, language).
//!
//! The body is the page's main text with the boilerplate (navigation, menus,
//! footers, cookie banners, related links, comments, scripts) removed and the
//! paragraphs kept, separated by blank lines. The metadata comes from the page's
//! own declarations (JSON-LD, Open Graph and other `<meta>` tags, `<time>`,
//! `<link rel=canonical>`, `<html lang>`), falling back to the URL.
//!
//! How well the body matches what a person would call the article is measured on
//! real pages by `examples/extract_eval` (see `EXTRACTION.md`); every rule here
//! is general, none names a site.
//!
//! ```
//! let html = r#"<html lang="en"><head><title>Rain returns - The Daily Example</title>
//!   <meta property="article:published_time" content="2016-09-04T15:14:55Z"></head>
//!   <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
//!   <article><h1>Rain returns</h1>
//!   <p>After a dry summer the first autumn storm reached the coast on Sunday morning,
//!   filling the reservoirs that had fallen to a third of their capacity.</p>
//!   <p>Farmers in the valley said the rain came too late for the harvest but in time
//!   for the winter sowing, which they had been ready to postpone.</p></article>
//!   <footer>Copyright The Daily Example</footer></body></html>"#;
//! let page = newsearch::extract::extract_page(html, None)?;
//! assert_eq!(page.title.as_deref(), Some("Rain returns"));
//! assert!(page.body.starts_with("After a dry summer"));
//! assert!(!page.body.contains("Copyright"));
//! assert_eq!(page.date.map(|d| d.date_naive().to_string()).as_deref(), Some("2016-09-04"));
//! # Ok::<(), newsearch::extract::NotAnArticle>(())
//! ```

mod body;
mod dates;
mod metadata;
mod paragraphs;

use chrono::{DateTime, Utc};

/// An article extracted from a web page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The headline, without the site's name that `<title>` often appends.
    pub title: Option<String>,
    /// The article's text: paragraphs separated by a blank line (`"\n\n"`).
    pub body: String,
    /// When the article was published, in UTC. A page that states only a
    /// calendar day gets midnight UTC of that day; one that states a time with
    /// an offset is converted, so it may fall on the next or previous day.
    pub date: Option<DateTime<Utc>>,
    /// The publication's name (`og:site_name`, JSON-LD `publisher`), else the
    /// host name of the page's URL.
    pub source: Option<String>,
    /// The page's canonical URL (`<link rel=canonical>`, `og:url`), else the hint.
    pub url: Option<String>,
    /// The author(s), as the page names them.
    pub author: Option<String>,
    /// The language tag the page declares (`<html lang>`, `og:locale`), e.g. `en`.
    pub language: Option<String>,
}

/// Why a page did not give an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct NotAnArticle {
    /// What was missing, in words for the user.
    pub reason: &'static str,
}

/// The reason given for a page with no main text.
const NO_TEXT: &str = "no article text found (index page or login wall?)";

/// Extracts the article of one web page.
///
/// `url_hint` is where the page was fetched from (a WARC record's target URI, a
/// crawler's record); it is used for the date (`/2016/09/04/`) and the source
/// when the page itself states neither, and as the url when it has no canonical
/// one.
pub fn extract_page(html: &str, url_hint: Option<&str>) -> Result<Page, NotAnArticle> {
    let body = body::extract_body(html);
    if !body::is_article_length(&body) {
        return Err(NotAnArticle { reason: NO_TEXT });
    }
    let metadata = metadata::Metadata::read(html, url_hint);
    Ok(Page {
        title: metadata.title,
        body,
        date: metadata.date,
        source: metadata.source,
        url: metadata.url,
        author: metadata.author,
        language: metadata.language,
    })
}

/// Whether bytes look like an HTML document: after an optional byte-order mark
/// and white space, a doctype, an `<html>`, `<head>` or `<body>` tag, or an HTML
/// comment followed by one of those within the first kilobyte.
///
/// Used for files whose name does not say what they hold.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 1024)];
    if head.first() != Some(&b'<') {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|window| window == needle);
    lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || ((lower.starts_with(b"<!--") || lower.starts_with(b"<?xml"))
            && (contains(b"<!doctype html") || contains(b"<html")))
        || contains(b"<head>")
        || contains(b"<body")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_html() {
        assert!(looks_like_html(b"<!DOCTYPE html><html></html>"));
        assert!(looks_like_html(b"\xef\xbb\xbf\n  <html lang=en>"));
        assert!(looks_like_html(b"<!-- saved from url=(0042) -->\n<!doctype HTML>"));
        assert!(looks_like_html(b"<?xml version=\"1.0\"?><html xmlns=\"x\">"));
        assert!(!looks_like_html(b"{\"title\": \"<html>\"}"));
        assert!(!looks_like_html(b"Militants leave Sirte\n\n<b>bold</b>"));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn a_page_without_article_text_is_not_an_article() {
        let html = "<html><head><title>Sign in</title></head><body><nav><a href=/>Home</a>\
            </nav><form><input name=user><input type=password><button>Log in</button></form>\
            <footer>Terms</footer></body></html>";
        let error = extract_page(html, None).unwrap_err();
        assert_eq!(error.to_string(), "no article text found (index page or login wall?)");
    }
}
