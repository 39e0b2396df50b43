//! Part of stage 2 (parse): a saved web page (its bytes) → one article, through the
//! extractor ([`crate::extract`]), which removes the page's boilerplate and reads its
//! metadata.
//!
//! The bytes are decoded as a browser would: a byte-order mark first, then the charset
//! the server sent (a WARC record's `Content-Type`), then the page's own `<meta
//! charset>` (or `http-equiv` `Content-Type`) in its first kilobytes, and only then UTF-8
//! or, failing that, the legacy encoding chardetng guesses, with a warning, as for text
//! files. A page that declares its charset is taken at its word even when its bytes
//! would also pass for another encoding: that is what the page's author saw.

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE};

use crate::corpus::article::{Article, ParseOptions, Warning};
use crate::corpus::decode::{self, NotText};
use crate::extract;

use super::truncate;

/// How far into a page a `<meta charset>` is looked for. The HTML standard's prescan
/// stops at 1024 bytes; saved pages often carry a longer comment or script first.
const META_PRESCAN: usize = 4096;

/// Why a page gave no article.
pub(crate) enum PageError {
    /// The bytes are not text.
    Binary,
    /// The extractor found no article; its reason.
    NotAnArticle(&'static str),
}

/// The article of one web page, with warnings about how it was read. `charset` is the
/// encoding the server declared, if known; `url_hint` where the page was fetched from.
pub(crate) fn parse(
    bytes: &[u8],
    charset: Option<&str>,
    url_hint: Option<&str>,
    options: &ParseOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Article, PageError> {
    let (html, warning) =
        decode_page(bytes, charset).map_err(|NotText::Binary| PageError::Binary)?;
    warnings.extend(warning.map(Warning::whole_file));
    let page = extract::extract_page(&html, url_hint)
        .map_err(|not| PageError::NotAnArticle(not.reason))?;
    let mut body = page.body;
    if let Some(kept) = truncate(&body, options.max_article_bytes).map(str::len) {
        body.truncate(kept);
        warnings.push(Warning::whole_file(format!(
            "article truncated to {}",
            indicatif::HumanBytes(options.max_article_bytes as u64)
        )));
    }
    Ok(Article {
        title: page.title,
        body,
        date: page.date,
        source: page.source,
        url: page.url,
        author: page.author,
        language: page.language,
        ..Article::default()
    })
}

/// The page's text, and a warning if its encoding was guessed or its bytes were off.
fn decode_page(bytes: &[u8], charset: Option<&str>) -> Result<(String, Option<String>), NotText> {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        let warning = had_errors.then(|| replaced(encoding));
        return Ok((text.replace('\0', ""), warning));
    }
    let declared = charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| meta_charset(bytes.get(..META_PRESCAN).unwrap_or(bytes)));
    if let Some(encoding) = declared {
        // A page cannot really be UTF-16 without a BOM; the standard reads the label as
        // UTF-8.
        let encoding = if encoding == UTF_16LE || encoding == UTF_16BE { UTF_8 } else { encoding };
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        let warning = had_errors.then(|| replaced(encoding));
        return Ok((text.replace('\0', ""), warning));
    }
    let decoded = decode::decode(bytes, false)?;
    Ok((decoded.text, decoded.warning))
}

fn replaced(encoding: &'static Encoding) -> String {
    format!(
        "invalid {} sequences replaced with U+FFFD (the charset the page declares)",
        encoding.name().to_lowercase()
    )
}

/// The encoding a `<meta charset="...">` or `<meta http-equiv="Content-Type"
/// content="text/html; charset=...">` in `head` names, if it is one `encoding_rs` knows.
/// A plain scan, as the standard's prescan is: the page is not parsed yet.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at + 5;
        let end = lower[start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(at) = find(tag, b"charset") {
            let rest = &tag[at + 7..];
            let rest = rest.iter().position(|&b| b == b'=').map(|eq| &rest[eq + 1..])?;
            let rest = trim_start(rest);
            let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
            let label_end = rest
                .iter()
                .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/') || b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            // `replacement` (the label of encodings unsafe to decode) would turn the
            // page into one U+FFFD: detection does better.
            if let Some(encoding) = Encoding::for_label(&rest[..label_end])
                && encoding != REPLACEMENT
            {
                return Some(encoding);
            }
        }
        from = end.min(lower.len());
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charset_is_found_in_both_spellings() {
        assert_eq!(
            meta_charset(b"<head><meta charset=\"windows-1256\">"),
            Encoding::for_label(b"windows-1256")
        );
        assert_eq!(
            meta_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=KOI8-R'>"),
            Encoding::for_label(b"koi8-r")
        );
        assert_eq!(meta_charset(b"<meta name=viewport content=width><title>x</title>"), None);
        assert_eq!(meta_charset(b"<meta charset=nonsense>"), None);
    }

    #[test]
    fn a_declared_charset_wins_over_detection() {
        // "Привет" in windows-1251 is also valid windows-1252 (as gibberish).
        let mut bytes = b"<html><head><meta charset=\"windows-1251\"></head><body>".to_vec();
        bytes.extend([0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]);
        let (text, warning) = decode_page(&bytes, None).unwrap();
        assert!(text.contains("Привет"), "{text}");
        assert_eq!(warning, None);
        // The server's charset goes first.
        let (text, _) = decode_page("<p>é</p>".as_bytes(), Some("utf-8")).unwrap();
        assert!(text.contains('é'));
    }

    #[test]
    fn undeclared_pages_are_decoded_like_text_files() {
        let (text, warning) = decode_page(b"<p>caf\xE9 cr\xE8me</p>", None).unwrap();
        assert!(text.contains("café"), "{text}");
        assert_eq!(warning.as_deref(), Some("decoded as windows-1252 (not valid utf-8)"));
    }
}
