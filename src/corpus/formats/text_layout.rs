//! Part of stage 2 (parse): the scraper's plain-text layout → one article.
//!
//! Input is the decoded text of one file (`\n` line ends); output is an [`Article`] and
//! warnings. The layout, as in the seed file:
//!
//! ```text
//! <title>
//!
//! <title again>                 (optional)
//! Sun Sep 4, 2016 15:14:55      (optional dateline)
//!
//! <paragraph>
//!
//! <paragraph> ...
//!
//!
//! string(1192) "[{"id":"1855993",...,"title":"<related headline>"} ,{...} ]"   (optional)
//! ```
//!
//! The trailer is a PHP `var_dump` of the site's related-articles widget that the scraper
//! saved along with the page: `N` is the byte length of the JSON. BBC-style files (title,
//! blank line, body) are the same layout without the optional parts.

use serde_json::Value;

use super::json_scan::complete_objects;
use crate::corpus::article::{Article, Warning};
use crate::dates::{SlashDates, looks_like_date, parse_date};

/// A first line longer than this is the start of the body, not a headline.
const MAX_TITLE_CHARS: usize = 300;

/// How many non-empty lines after the title may hold the dateline.
const DATE_WINDOW: usize = 3;

/// Reads one article from `text`, or `None` if there is neither a title nor a body.
pub(crate) fn parse(text: &str, slash: SlashDates, warnings: &mut Vec<Warning>) -> Option<Article> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let mut related = Vec::new();
    if let Some(index) = find_trailer(&lines) {
        // The header line starts at the sum of the line lengths before it, plus a `\n` each.
        let start: usize = lines.iter().take(index).map(|line| line.len() + 1).sum();
        let trailer = text.get(start..).unwrap_or_default();
        let (headlines, after) = read_trailer(trailer, index + 1, warnings);
        related = headlines;
        lines.truncate(index);
        // Text after the trailer's JSON is the article's, not the scraper's: it is kept.
        if !after.trim().is_empty() {
            warnings
                .push(Warning::at(index + 1, "text after the scraper trailer kept in the body"));
            lines.push("");
            lines.extend(after.split('\n'));
        }
    }
    let head = lines.as_slice();

    // Lines taken out of the body (title, its repeat, the dateline) act as blank lines, so
    // the paragraphs around them stay apart.
    let mut taken = vec![false; head.len()];
    let non_empty: Vec<usize> = (0..head.len()).filter(|&i| !head[i].trim().is_empty()).collect();
    let mut title = None;
    let mut date_window = non_empty.as_slice();
    if let Some((&first, rest)) = non_empty.split_first() {
        let line = head[first].trim();
        if parse_date(line, slash).is_some() {
            // A dateline first: no title, and the window below finds the date right here.
        } else if line.chars().count() > MAX_TITLE_CHARS {
            date_window = rest;
        } else {
            title = Some(line.to_owned());
            taken[first] = true;
            date_window = rest;
            if let Some((&next, after)) = rest.split_first()
                && head[next].trim() == line
            {
                taken[next] = true;
                date_window = after;
            }
        }
    }

    let mut date = None;
    let mut date_line = None;
    for &index in date_window.iter().take(DATE_WINDOW) {
        let line = head[index].trim();
        if let Some(parsed) = parse_date(line, slash) {
            date = Some(parsed);
            date_line = Some(index + 1);
            taken[index] = true;
            break;
        }
        if looks_like_date(line) {
            warnings.push(Warning::at(index + 1, format!("date line `{line}` not understood")));
        }
    }

    let body = paragraphs(head, &taken);
    if title.is_none() && body.is_empty() {
        return None;
    }
    Some(Article { title, body, date, date_line, related, ..Article::default() })
}

/// The body: runs of non-blank lines, each run trimmed, runs joined by a blank line.
fn paragraphs(lines: &[&str], taken: &[bool]) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (line, &taken) in lines.iter().zip(taken) {
        if taken || line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n").trim().to_owned());
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n").trim().to_owned());
    }
    paragraphs.join("\n\n")
}

/// The index of the line where the trailer starts, if the text ends with one.
fn find_trailer(lines: &[&str]) -> Option<usize> {
    // The trailer is the last thing in the file, so the last header line is the one; an
    // article quoting `string(5) "..."` in its body does not count, since what follows
    // the quote must be JSON.
    lines.iter().rposition(|line| trailer_header(line).is_some())
}

/// The parts of a trailer's first line: the declared byte length, and the rest after the
/// opening quote. `None` if the line is not a trailer header.
fn trailer_header(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("string(")?;
    let (length, rest) = rest.split_once(')')?;
    let json = rest.strip_prefix(" \"")?;
    let plausible = !length.is_empty()
        && length.bytes().all(|byte| byte.is_ascii_digit())
        && json.trim_start().starts_with(['[', '{']);
    plausible.then_some((length, json))
}

/// The related headlines in a trailer, which starts on line `line_number`, and
/// the text after its JSON and closing quote (empty when the trailer ends the file).
fn read_trailer<'t>(
    trailer: &'t str,
    line_number: usize,
    warnings: &mut Vec<Warning>,
) -> (Vec<String>, &'t str) {
    let Some((declared, rest)) = trailer_header(trailer) else {
        return (Vec::new(), "");
    };
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    match values.next() {
        Some(Ok(value)) => {
            let (mut json, mut after) = rest.split_at(values.byte_offset());
            // `var_dump` closes the string with a quote that is not part of the JSON,
            // after any whitespace the string ends with (which it counts); a scraper
            // may have lost the quote.
            let spaces = after.len() - after.trim_start().len();
            if let Some(closed) = after[spaces..].strip_prefix('"') {
                json = &rest[..json.len() + spaces];
                after = closed;
            }
            check_length(declared, json, line_number, warnings);
            let headlines = match value {
                Value::Array(items) => items.iter().filter_map(headline).collect(),
                object @ Value::Object(_) => headline(&object).into_iter().collect(),
                _ => Vec::new(),
            };
            (headlines, after)
        }
        Some(Err(error)) => {
            // Where the declared length ends in the closing quote and text follows,
            // the string ends there, and what follows is the article's; otherwise
            // the trailer runs to the end of the file.
            let declared_end = declared
                .parse::<usize>()
                .ok()
                .and_then(|end| Some((rest.get(..end)?, rest.get(end..)?.strip_prefix('"')?)))
                .filter(|(_, after)| !after.trim().is_empty());
            let (json, after) = declared_end.unwrap_or_else(|| {
                let json = rest.trim_end();
                (json.strip_suffix('"').unwrap_or(json), "")
            });
            let titles = headlines_of_objects(json);
            let what = if error.is_eof() { "cut off" } else { "is not valid JSON" };
            warnings.push(Warning::at(
                line_number,
                format!("scraper trailer {what}: kept {} of its headlines", titles.len()),
            ));
            check_length(declared, json, line_number, warnings);
            (titles, after)
        }
        // The header promises JSON (`[` or `{`), so there is a value or an error.
        None => (Vec::new(), ""),
    }
}

/// The headlines of the complete JSON objects in `json`, which as a whole is not
/// valid JSON (cut off or garbled).
fn headlines_of_objects(json: &str) -> Vec<String> {
    complete_objects(json)
        .into_iter()
        .filter_map(|object| serde_json::from_str::<Value>(object).ok())
        .filter_map(|object| headline(&object))
        .collect()
}

/// Warns when the trailer's `string(N)` disagrees with the JSON's length in bytes: a sign
/// that the scraper lost or mangled part of it.
fn check_length(declared: &str, json: &str, line_number: usize, warnings: &mut Vec<Warning>) {
    if declared.parse::<usize>().ok() != Some(json.len()) {
        warnings.push(Warning::at(
            line_number,
            format!("trailer length says {declared} bytes, found {}", json.len()),
        ));
    }
}

fn headline(object: &Value) -> Option<String> {
    let title = object.get("title")?.as_str()?.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn read(text: &str) -> (Option<Article>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let article = parse(text, SlashDates::MonthFirst, &mut warnings);
        (article, warnings)
    }

    fn clean(text: &str) -> Article {
        let (article, warnings) = read(text);
        assert_eq!(warnings, [], "unexpected warnings");
        article.unwrap()
    }

    fn trailer(json: &str) -> String {
        format!("string({}) \"{json}\"", json.len())
    }

    #[test]
    fn bbc_layout_is_title_blank_body() {
        let article = clean("Ad sales boost profit\n\nQuarterly profits jumped.\n\nShares rose.\n");
        assert_eq!(article.title.as_deref(), Some("Ad sales boost profit"));
        assert_eq!(article.body, "Quarterly profits jumped.\n\nShares rose.");
        assert_eq!(article.date, None);
        assert!(article.related.is_empty());
    }

    #[test]
    fn a_missing_date_leaves_the_body_whole() {
        let article = clean("Title\n\nTitle\nFirst paragraph.\n\nSecond.");
        assert_eq!(article.title.as_deref(), Some("Title"));
        assert_eq!(article.date, None);
        assert_eq!(article.body, "First paragraph.\n\nSecond.");
    }

    #[test]
    fn a_dateline_first_means_no_title() {
        let article = clean("Sun Sep 4, 2016 15:14:55\n\nRebels said on Sunday.\n");
        assert_eq!(article.title, None);
        assert_eq!(article.date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(article.body, "Rebels said on Sunday.");
    }

    #[test]
    fn a_very_long_first_line_is_body() {
        let long = "word ".repeat(100);
        let article = clean(&format!("{long}\n\nSecond paragraph."));
        assert_eq!(article.title, None);
        assert_eq!(article.body, format!("{}\n\nSecond paragraph.", long.trim()));
    }

    #[test]
    fn the_date_is_found_within_three_lines_of_the_title_only() {
        let article = clean("Title\nBy Staff\nDamascus\n2016-09-04\nBody.");
        assert_eq!(article.date, Some(utc("2016-09-04T00:00:00Z")));
        assert_eq!(article.body, "By Staff\nDamascus\n\nBody.");
        let late = clean("Title\none\ntwo\nthree\n2016-09-04\nBody.");
        assert_eq!(late.date, None);
        assert!(late.body.contains("2016-09-04"));
    }

    #[test]
    fn an_unreadable_dateline_warns_and_stays_in_the_body() {
        let (article, warnings) = read("Title\n\nTitle\nSun Sep 44, 2016 15:14:55\n\nBody.");
        let article = article.unwrap();
        assert_eq!(article.date, None);
        assert_eq!(article.body, "Sun Sep 44, 2016 15:14:55\n\nBody.");
        assert_eq!(
            warnings,
            [Warning {
                line: Some(4),
                message: "date line `Sun Sep 44, 2016 15:14:55` not understood".into()
            }]
        );
    }

    #[test]
    fn a_repeated_title_is_dropped_only_when_identical() {
        let article = clean("Title\n\n  Title  \nBody.");
        assert_eq!(article.body, "Body.");
        let article = clean("Title\n\nTitle, continued\nBody.");
        assert_eq!(article.body, "Title, continued\nBody.");
    }

    #[test]
    fn the_trailer_becomes_related_headlines() {
        let json =
            r#"[{"id":"1","title":"A \u00e9 \"B\""} ,{"id":"2","title":"Libya’s C"} ,{"id":"3"} ]"#;
        let article = clean(&format!("Title\n\nBody.\n\n\n{}\n", trailer(json)));
        assert_eq!(article.body, "Body.");
        assert_eq!(article.related, ["A é \"B\"", "Libya’s C"]);
    }

    #[test]
    fn a_wrong_trailer_length_warns() {
        let json = r#"[{"title":"A"} ]"#;
        let (article, warnings) = read(&format!("Title\n\nBody.\n\nstring(1192) \"{json}\""));
        assert_eq!(article.unwrap().related, ["A"]);
        let found = json.len();
        assert_eq!(
            warnings,
            [Warning::at(5, format!("trailer length says 1192 bytes, found {found}"))]
        );
    }

    #[test]
    fn a_cut_off_trailer_keeps_its_complete_objects() {
        let text = "Title\n\nBody.\n\n\nstring(300) \"[{\"title\":\"A\"} ,{\"title\":\"B {\\\"x\\\"}\"} ,{\"title\":\"C";
        let (article, warnings) = read(text);
        let article = article.unwrap();
        assert_eq!(article.body, "Body.");
        assert_eq!(article.related, ["A", "B {\"x\"}"]);
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "line 6: scraper trailer cut off: kept 2 of its headlines",
                "line 6: trailer length says 300 bytes, found 50",
            ]
        );
    }

    #[test]
    fn a_garbled_trailer_is_reported_as_invalid() {
        let json = r#"[{"title":"A"} ,garbage ,{"title":"B"} ]"#;
        let (article, warnings) = read(&format!("Title\n\nBody.\n{}", trailer(json)));
        assert_eq!(article.unwrap().related, ["A", "B"]);
        assert_eq!(
            warnings,
            [Warning::at(4, "scraper trailer is not valid JSON: kept 2 of its headlines")]
        );
    }

    #[test]
    fn a_trailer_without_its_closing_quote_is_still_read() {
        let json = r#"[{"title":"A"} ]"#;
        let text = format!("Title\n\nBody.\nstring({}) \"{json}", json.len());
        assert_eq!(clean(&text).related, ["A"]);
    }

    #[test]
    fn text_after_a_trailer_stays_in_the_body() {
        let json = r#"[{"title":"A"}]"#;
        let text = format!(
            "Title\n\nBefore.\n{}\nAfter, the article goes on.\n\nAnd ends.\n",
            trailer(json)
        );
        let (article, warnings) = read(&text);
        let article = article.unwrap();
        assert_eq!(article.body, "Before.\n\nAfter, the article goes on.\n\nAnd ends.");
        assert_eq!(article.related, ["A"]);
        assert_eq!(warnings, [Warning::at(4, "text after the scraper trailer kept in the body")]);
        // On the trailer's own line too.
        let text = format!("Title\n\nBefore.\n{} and after.", trailer(json));
        assert_eq!(clean_body(&text), "Before.\n\nand after.");
    }

    #[test]
    fn a_trailer_whose_string_ends_in_whitespace_closes_after_it() {
        let json = "[{\"title\":\"A\"}]\n";
        let text = format!("Title\n\nBody.\n\nstring({}) \"{json}\"\n", json.len());
        let (article, warnings) = read(&text);
        let article = article.unwrap();
        assert_eq!(
            (article.body.as_str(), article.related.as_slice()),
            ("Body.", &["A".to_owned()][..])
        );
        assert_eq!(warnings, []);
    }

    #[test]
    fn text_after_a_garbled_trailer_of_the_declared_length_stays_in_the_body() {
        let text = "Title\n\nThe dump:\nstring(10) \"[not json]\"\nThe rest matters.\n";
        let (article, warnings) = read(text);
        assert_eq!(article.unwrap().body, "The dump:\n\nThe rest matters.");
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "line 4: scraper trailer is not valid JSON: kept 0 of its headlines",
                "line 4: text after the scraper trailer kept in the body",
            ]
        );
    }

    fn clean_body(text: &str) -> String {
        read(text).0.unwrap().body
    }

    #[test]
    fn string_lines_that_are_not_trailers_stay_in_the_body() {
        let article = clean("Title\n\nThe dump read:\nstring(5) \"hello\"\n\nEnd.");
        assert_eq!(article.body, "The dump read:\nstring(5) \"hello\"\n\nEnd.");
        assert!(article.related.is_empty());
    }

    #[test]
    fn only_a_trailer_or_only_a_date_is_no_article() {
        assert_eq!(read(&trailer(r#"[{"title":"A"}]"#)).0, None);
        assert_eq!(read("Sun Sep 4, 2016 15:14:55").0, None);
        assert_eq!(read("\n\n").0, None);
    }
}
