//! Fuzz target: the article parser (stage 2) on arbitrary bytes, in every format.
//!
//! The first byte picks the file name (and so the format the extension declares),
//! the slash-date order and the article size cap; the rest is the file's bytes.
//! Errors are expected; a panic or a broken invariant is a bug.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use newsearch::corpus::article::ParseOptions;
use newsearch::corpus::parse_bytes;
use newsearch::dates::SlashDates;
use newsearch::dates::{parse_date, parse_date_bound};

/// Names whose extensions select each format; the bare name is sniffed by content.
const NAMES: [&str; 8] =
    ["a.txt", "a.json", "a.jsonl", "a.csv", "a", "a.ndjson", "a.JSON", "a.dat"];

/// Article size caps: the default, and small ones that cut inside the text.
const CAPS: [usize; 4] = [16 * 1024 * 1024, 64, 7, 0];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector & 0b111)];
    let slash_dates =
        if selector & 0b1000 == 0 { SlashDates::MonthFirst } else { SlashDates::DayFirst };
    let max_article_bytes = CAPS[usize::from((selector >> 4) & 0b11)];
    let options = ParseOptions { slash_dates, max_article_bytes, ..ParseOptions::default() };
    if let Ok(parsed) = parse_bytes(Path::new(name), bytes, &options) {
        assert!(!parsed.articles.is_empty(), "Ok with no articles");
        let text_layout = matches!(name, "a.txt" | "a.dat")
            && parsed.articles.len() == 1
            && parsed.articles[0].record.is_none();
        if text_layout && !parsed.warnings.iter().any(|w| w.message.contains("JSON")) {
            assert!(parsed.articles[0].body.len() <= max_article_bytes, "body over the cap");
        }
    }
    // The date parser sees every line of a text article: feed it directly too.
    if let Ok(text) = std::str::from_utf8(bytes) {
        for line in text.lines().take(8) {
            let _ = parse_date(line, slash_dates);
            let _ = parse_date_bound(line, slash_dates, selector & 0b0100_0000 != 0);
        }
    }
});
