//! Part of stage 2 (parse): the readers of each format, given decoded text:
//! [`text_layout`] (the scraper's one-article layout), [`records`] (JSON arrays,
//! JSON Lines, CSV: one article per record), [`json_scan`] (the structural scans
//! both need), [`html`] (a saved web page, through the extractor) and [`warc`] (WARC
//! archives: one article per web page they hold). [`super::detect`] chooses which one reads a file.

pub(crate) mod html;
pub(crate) mod json_scan;
pub(crate) mod records;
pub(crate) mod text_layout;
pub(crate) mod warc;

/// `text` cut to at most `max` bytes at a character boundary, or `None` if it fits.
pub(crate) fn truncate(text: &str, max: usize) -> Option<&str> {
    if text.len() <= max {
        return None;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end)
}

/// `serde_json`'s message without its `at line L column C` suffix, for messages that give
/// the location their own way.
pub(crate) fn json_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((head, _position)) => head.to_owned(),
        None => message,
    }
}
