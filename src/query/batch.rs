//! `query --batch` lines written as JSON objects: one request per line, as
//! search servers' multi-search takes them, so that each line can carry its
//! own options (`{"query": "Palmyra", "since": "2016", "facet": ["source"]}`).
//!
//! The keys are the long option names of `newsearch query`; `query` is
//! required. A line's keys override the command line's options for that line
//! (a line's `filter` or `facet` replaces the command line's list); options
//! that shape the whole run (`format`, `index`, `batch`, `color`) cannot be
//! set per line. An unknown key, or a value of the wrong kind, is that line's
//! error.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{FacetKind, Period, SearchRequest, Sort, parse_filter};
use crate::dates::{SlashDates, parse_date_bound};
use crate::error::{Error, Result as Outcome, report};
use crate::output::{self, Format, Position, Style};
use crate::search::Searcher;

/// The keys a line may hold.
const KEYS: &str = "query, since, until, filter, facet, limit, offset, all, sort, any, literal, \
                    expand, keyness, collapse, timeline, explain, snippet-chars";

/// Where a batch's lines come from and where its results go.
pub struct BatchIo<'a> {
    /// The lines.
    pub input: &'a mut dyn BufRead,
    /// The input's name in messages (`<stdin>`, a path); `path` for read errors.
    pub name: &'a str,
    /// The input's path, for read errors.
    pub path: &'a std::path::Path,
    /// Results and error objects, one per line, in `format`.
    pub out: &'a mut dyn Write,
    /// How results are written.
    pub format: Format,
    /// Colour or not, for human output.
    pub style: Style,
}

/// Runs `query --batch`: one search per line of `io.input`, each starting from
/// `template` (a plain line is its query; a line that opens an object is a JSON
/// request, read with the index's slash-date order). A line that cannot run is
/// written as an error object, and `on_rejected` gets its one-line message
/// (`NAME:LINE: why`) for stderr; the rest still run. Returns whether any line
/// was rejected. Errors that are not the line's (the index, the output) end it.
pub fn run(
    searcher: &Searcher,
    template: &SearchRequest,
    mut io: BatchIo<'_>,
    on_rejected: &mut dyn FnMut(&str),
) -> Outcome<bool> {
    let slash = searcher.store().slash_dates()?.unwrap_or_default();
    let out_error = |err| Error::Io { path: "<stdout>".into(), source: err };
    let mut rejected = false;
    let mut position = Position::BatchFirst;
    // Lines are read as bytes: one line that is not UTF-8 is that line's error,
    // not the end of the batch (`BufRead::lines` would stop at it).
    let mut bytes = Vec::new();
    for number in 1.. {
        bytes.clear();
        if io.input.read_until(b'\n', &mut bytes).map_err(Error::io(io.path))? == 0 {
            break;
        }
        // Editors on Windows save UTF-8 with a byte-order mark: not part of the query.
        if number == 1 && bytes.starts_with(b"\xef\xbb\xbf") {
            bytes.drain(..3);
        }
        // The line's results, or why it was rejected.
        let (text, result) = match std::str::from_utf8(&bytes) {
            Ok(line) => {
                let text = line.trim();
                if text.is_empty() {
                    continue;
                }
                // A line that opens an object is a request with options of its own.
                let request = if text.starts_with('{') {
                    request_from_json(template, text, slash)
                } else {
                    let mut request = template.clone();
                    text.clone_into(&mut request.query);
                    Ok(request)
                };
                match request.map(|request| searcher.search(&request)) {
                    Ok(Ok(results)) => (text.to_owned(), Ok(results)),
                    Ok(Err(err)) if err.is_usage() => (text.to_owned(), Err(report(&err))),
                    Ok(Err(err)) => return Err(err),
                    Err(message) => (text.to_owned(), Err(message)),
                }
            }
            Err(err) => {
                let at = err.valid_up_to();
                let message = format!(
                    "not UTF-8 text (byte 0x{:02x} at column {})",
                    bytes.get(at).copied().unwrap_or_default(),
                    at + 1
                );
                (String::from_utf8_lossy(&bytes).trim().to_owned(), Err(message))
            }
        };
        match result {
            Ok(results) => {
                output::write_results(&results, io.format, io.style, position, &mut io.out)
                    .map_err(out_error)?;
                position = Position::BatchRest;
            }
            Err(message) => {
                rejected = true;
                // The error object names the line: its `query` need not be the line
                // as written (one that is not UTF-8 shows replacement characters).
                let error = format!("line {number}: {message}");
                output::write_query_error(&text, &error, io.format, &mut io.out)
                    .map_err(out_error)?;
                on_rejected(&format!("{}:{number}: {message}", io.name));
            }
        }
    }
    Ok(rejected)
}

/// The request of one JSON batch line: `template` (the command line's
/// request) with the line's keys applied. The error says what is wrong.
/// Slash dates are read in `slash` order, the index's.
pub fn request_from_json(
    template: &SearchRequest,
    line: &str,
    slash: SlashDates,
) -> Result<SearchRequest, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|err| format!("not a JSON request: {err}"))?;
    let Value::Object(object) = value else {
        return Err("a JSON request must be an object: {\"query\": ...}".to_owned());
    };
    let mut request = template.clone();
    let Some(query) = object.get("query") else {
        return Err("a JSON request needs a \"query\"".to_owned());
    };
    text(query, "query")?.clone_into(&mut request.query);
    for (key, value) in &object {
        apply(&mut request, key, value, &object, slash)?;
    }
    if let (Some(since), Some(until)) = (request.since, request.until)
        && since > until
    {
        return Err("\"since\" is after \"until\"".to_owned());
    }
    Ok(request)
}

fn apply(
    request: &mut SearchRequest,
    key: &str,
    value: &Value,
    line: &Map<String, Value>,
    slash: SlashDates,
) -> Result<(), String> {
    match key {
        "query" => {}
        "since" => request.since = date(value, key, false, slash)?,
        "until" => request.until = date(value, key, true, slash)?,
        "filter" => {
            request.filters = texts(value, key)?
                .into_iter()
                .map(|filter| {
                    parse_filter(filter)
                        .ok_or_else(|| format!("\"filter\": {filter:?}: expected FIELD:VALUE"))
                })
                .collect::<Result<_, _>>()?;
        }
        "facet" => {
            let mut facets = texts(value, key)?
                .into_iter()
                .map(|name| {
                    FacetKind::from_name(name).ok_or_else(|| {
                        format!(
                            "\"facet\": {name:?} is not one of source, folder, entity, year, month"
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            facets.sort();
            facets.dedup();
            request.facets = facets;
        }
        "limit" => {
            // `all` in the same line wins, as the command line refuses both.
            if !line.get("all").is_some_and(|all| all == &Value::Bool(true)) {
                request.limit = Some(number(value, key)?);
            }
        }
        "offset" => request.offset = number(value, key)?,
        "all" => {
            if flag(value, key)? {
                request.limit = None;
            }
        }
        "sort" => {
            request.sort = match text(value, key)? {
                "relevance" => Sort::Relevance,
                "newest" => Sort::Newest,
                "oldest" => Sort::Oldest,
                other => {
                    return Err(format!("\"sort\": {other:?} is not relevance, newest or oldest"));
                }
            };
        }
        "timeline" => request.timeline = period(value)?,
        "any" => request.any = flag(value, key)?,
        "literal" => request.literal = flag(value, key)?,
        "expand" => request.expand = flag(value, key)?,
        "keyness" => request.keyness = flag(value, key)?,
        "collapse" => request.collapse = flag(value, key)?,
        "explain" => request.explain = flag(value, key)?,
        "snippet-chars" => {
            let chars = number(value, key)?;
            if !(20..=100_000).contains(&chars) {
                return Err("\"snippet-chars\" must be 20 to 100000".to_owned());
            }
            request.snippet_chars = chars;
        }
        "format" | "index" | "batch" | "color" => {
            return Err(format!(
                "\"{key}\" applies to the whole batch: give it on the command line"
            ));
        }
        other => return Err(format!("unknown key \"{other}\" (the keys are {KEYS})")),
    }
    Ok(())
}

/// A date bound as `--since` (or, with `end`, `--until`) reads it; `null` for none.
fn date(
    value: &Value,
    key: &str,
    end: bool,
    slash: SlashDates,
) -> Result<Option<DateTime<Utc>>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let written = text(value, key)?;
    parse_date_bound(written, slash, end).map(Some).ok_or_else(|| {
        format!("\"{key}\": {written:?} is not a date (try 2016-09-04, 2016-09 or 2016)")
    })
}

/// A timeline period; `null` for none.
fn period(value: &Value) -> Result<Option<Period>, String> {
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(match text(value, "timeline")? {
        "day" => Period::Day,
        "week" => Period::Week,
        "month" => Period::Month,
        "year" => Period::Year,
        other => return Err(format!("\"timeline\": {other:?} is not day, week, month or year")),
    }))
}

fn text<'v>(value: &'v Value, key: &str) -> Result<&'v str, String> {
    value.as_str().ok_or_else(|| format!("\"{key}\" must be a string"))
}

/// A string, or an array of strings.
fn texts<'v>(value: &'v Value, key: &str) -> Result<Vec<&'v str>, String> {
    match value {
        Value::String(one) => Ok(vec![one]),
        Value::Array(many) => many.iter().map(|v| text(v, key)).collect(),
        _ => Err(format!("\"{key}\" must be a string or an array of strings")),
    }
}

fn number(value: &Value, key: &str) -> Result<usize, String> {
    value
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("\"{key}\" must be a whole number"))
}

fn flag(value: &Value, key: &str) -> Result<bool, String> {
    value.as_bool().ok_or_else(|| format!("\"{key}\" must be true or false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_override_the_template_and_mistakes_are_named() {
        let mut template = SearchRequest::new("ignored");
        template.filters = vec![("source".into(), "FNA".into())];
        let line = r#"{"query": "Palmyra", "since": "2016", "facet": ["source", "year"], "filter": "entity:ISIS", "all": true, "any": true}"#;
        let request = request_from_json(&template, line, SlashDates::MonthFirst).unwrap();
        assert_eq!(request.query, "Palmyra");
        assert_eq!(request.facets, [FacetKind::Source, FacetKind::Year]);
        assert_eq!(request.filters, [("entity".to_owned(), "ISIS".to_owned())]);
        assert_eq!(request.limit, None);
        assert!(request.any && request.since.is_some());
        let error = |line| request_from_json(&template, line, SlashDates::MonthFirst).unwrap_err();
        assert!(error(r#"{"query": "a", "colour": "red"}"#).contains("unknown key \"colour\""));
        assert!(error(r#"{"since": "2016"}"#).contains("needs a \"query\""));
        assert!(error(r#"{"query": "a", "format": "csv"}"#).contains("whole batch"));
        assert!(error(r#"{"query": "a", "limit": -1}"#).contains("whole number"));
        assert!(error(r#"{"query": "a", "since": "2017", "until": "2016"}"#).contains("after"));
        assert!(error("{\"query\": ").contains("not a JSON request"));
    }
}
