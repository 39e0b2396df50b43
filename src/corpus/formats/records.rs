//! Part of stage 2 (parse): files of many records (a JSON array, JSON Lines, CSV) → one
//! article per record.
//!
//! Input is the decoded text of one file; output is the articles and warnings. Datasets
//! name their fields differently (`title`, `headline`, `article_title`; `body`, `text`,
//! `maintext`, ...), so each field is looked up by a list of names, case-insensitively,
//! the first present one winning. A bad record is skipped with a warning naming its line;
//! the rest of the file is still indexed.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::json_scan::array_element_starts;
use super::{json_message, truncate};
use crate::corpus::article::{Article, ParseError, ParseOptions, Warning};
use crate::dates::{SlashDates, parse_date};

const TITLE: &[&str] = &["title", "headline", "article_title"];
const BODY: &[&str] =
    &["body", "text", "content", "maintext", "article_content", "article", "description"];
const DATE: &[&str] = &[
    "date",
    "published",
    "date_publish",
    "published_at",
    "publish_date",
    "pubdate",
    "datetime",
    "timestamp",
];
// trafilatura's JSON names the site `source-hostname` and its domain `hostname`, and
// gives the page's URL as `source` (which `Fields::source` passes over, and
// `Fields::url` takes when there is no `url`).
const SOURCE: &[&str] = &[
    "source",
    "source_domain",
    "source-hostname",
    "sitename",
    "publisher",
    "outlet",
    "site",
    "hostname",
];
const URL: &[&str] = &["url", "link", "source_url"];
/// news-please's `authors` is a list; trafilatura's `author` a string.
const AUTHOR: &[&str] = &["author", "authors", "byline", "creator"];
const LANGUAGE: &[&str] = &["language", "lang"];
const ID: &[&str] = &["id", "unit_id", "uuid", "guid", "article_id"];

/// Numbers this large are Unix time in milliseconds (JavaScript's `Date.now()`): as seconds
/// they would be past the year 5000.
const MILLISECONDS_FROM: f64 = 1e11;

/// A `.json` document: one object (one article) or an array of objects.
pub(crate) fn parse_json(
    path: &Path,
    text: &str,
    options: &ParseOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Article>, ParseError> {
    let value = serde_json::from_str::<Value>(text).map_err(|source| ParseError::Json {
        path: path.to_owned(),
        line: source.line(),
        column: source.column(),
        source,
    })?;
    let mut records = Records::new(options, warnings);
    match value {
        Value::Object(object) => records.add(&object, None, None),
        Value::Array(items) => {
            let mut lines = LineCounter::new(text);
            let starts = array_element_starts(text);
            // The scan agrees with serde_json on valid JSON; were it ever to fall short, the
            // rest would take the last line found, which keeps the lines growing.
            let mut line = 1;
            let item_lines: Vec<usize> = (0..items.len())
                .map(|index| {
                    if let Some(&offset) = starts.get(index) {
                        line = lines.line_of(offset);
                    }
                    line
                })
                .collect();
            // Lines only grow, so the elements that start on one line are neighbours.
            let mut first_on_line = 0;
            for (index, item) in items.iter().enumerate() {
                let line = item_lines[index];
                if index > 0 && item_lines[index - 1] != line {
                    first_on_line = index;
                }
                // A minified array puts every record on line 1: its place on the line keeps
                // their ids apart. Counting elements, not articles, keeps a record's place
                // when a neighbour is skipped.
                let shared = item_lines.get(index + 1) == Some(&line) || first_on_line < index;
                let place = shared.then_some(index - first_on_line + 1);
                match item {
                    Value::Object(object) => records.add(object, Some(line), place),
                    other => records.warnings.push(Warning::at(
                        line,
                        format!("expected a JSON object, found {}; record skipped", kind(other)),
                    )),
                }
            }
        }
        other => records.warnings.push(Warning::whole_file(format!(
            "expected a JSON object or array, found {}",
            kind(&other)
        ))),
    }
    Ok(records.articles)
}

/// JSON Lines: one object per line; blank lines are allowed, broken lines are skipped.
pub(crate) fn parse_json_lines(
    text: &str,
    options: &ParseOptions,
    warnings: &mut Vec<Warning>,
) -> Vec<Article> {
    let mut records = Records::new(options, warnings);
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => records.add(&object, Some(number), None),
            Ok(other) => records.warnings.push(Warning::at(
                number,
                format!("expected a JSON object, found {}; record skipped", kind(&other)),
            )),
            Err(error) => records.warnings.push(Warning::at(
                number,
                format!(
                    "expected a JSON object: {} at column {}; record skipped",
                    json_message(&error),
                    error.column()
                ),
            )),
        }
    }
    records.articles
}

/// CSV with a header row. Rows may be ragged (missing cells are missing fields).
pub(crate) fn parse_csv(
    path: &Path,
    text: &str,
    options: &ParseOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Article>, ParseError> {
    let csv_error = |source| ParseError::Csv { path: path.to_owned(), source };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let has_text_column =
        headers.iter().any(|name| is_one_of(name, TITLE) || is_one_of(name, BODY));
    if !has_text_column {
        let found = headers.iter().collect::<Vec<_>>().join(", ");
        return Err(ParseError::CsvHeader { path: path.to_owned(), found });
    }

    let mut records = Records::new(options, warnings);
    // Where the last record started, and whether it became an article (see below).
    let mut last: Option<(usize, usize, bool)> = None;
    for result in reader.records() {
        let row = match result {
            Ok(row) => row,
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line() as usize);
                records.warnings.push(Warning::at(line, format!("{error}; record skipped")));
                continue;
            }
        };
        let (line, byte) = row
            .position()
            .map_or((0, 0), |position| (position.line() as usize, position.byte() as usize));
        if row.len() != headers.len() {
            records.warnings.push(Warning::at(
                line,
                format!("row has {} fields, the header {}", row.len(), headers.len()),
            ));
        }
        let object: Map<String, Value> = headers
            .iter()
            .zip(row.iter())
            .map(|(name, cell)| (name.to_owned(), Value::String(cell.to_owned())))
            .collect();
        let before = records.articles.len();
        records.add(&object, Some(line), None);
        last = Some((line, byte, records.articles.len() > before));
    }

    // A quote left open makes the csv reader run the rest of the file into one field of the
    // last record. Its quotes are then odd in number (closed quotes and `""` escapes come in
    // pairs), and it spans several lines: drop it rather than index a jumble of rows.
    if let Some((line, byte, added)) = last
        && let Some(tail) = text.get(byte..)
    {
        let tail = tail.trim_end();
        let lines = tail.matches('\n').count() + 1;
        if lines > 1 && tail.matches('"').count() % 2 == 1 {
            if added {
                records.articles.pop();
            }
            records.warnings.push(Warning::at(
                line,
                format!(
                    "quote left open, so the last {lines} lines were read as one record; \
                     record skipped"
                ),
            ));
        }
    }
    Ok(records.articles)
}

/// Turns field maps into articles, keeping the first of each id.
struct Records<'a> {
    options: &'a ParseOptions,
    warnings: &'a mut Vec<Warning>,
    articles: Vec<Article>,
    /// Each id seen, with the line of its first record.
    ids: HashMap<String, Option<usize>>,
}

impl<'a> Records<'a> {
    fn new(options: &'a ParseOptions, warnings: &'a mut Vec<Warning>) -> Self {
        Self { options, warnings, articles: Vec::new(), ids: HashMap::new() }
    }

    /// Adds the record at `line` (`None` for a file that is one record), the
    /// `place_on_line`th of the records starting there if there are several, or warns why
    /// not.
    fn add(
        &mut self,
        object: &Map<String, Value>,
        line: Option<usize>,
        place_on_line: Option<usize>,
    ) {
        let slash = self.options.slash_dates;
        let mut fields = Fields { object, line, slash, warnings: self.warnings };
        let id = fields.id();
        let title = fields.text(TITLE, "title");
        let body = fields.body();
        let date = fields.date();
        let source = fields.source();
        let url = fields.text(URL, "url").or_else(|| fields.url_as_source());
        let author = fields.author();
        let language = fields.text(LANGUAGE, "language");
        let (title, mut body) = match (title, body) {
            (None, None) => {
                fields.warn("record has no title or body; record skipped");
                return;
            }
            (title, body) => (title, body.unwrap_or_default()),
        };
        if let Some(id) = &id {
            if let Some(first) = self.ids.get(id) {
                let message = match (line, first) {
                    (Some(_), Some(first)) => {
                        format!("repeats id {id} of line {first}; record skipped")
                    }
                    _ => format!("id {id} repeats; record skipped"),
                };
                self.warnings.push(Warning { line, message });
                return;
            }
            self.ids.insert(id.clone(), line);
        }
        if let Some(kept) = truncate(&body, self.options.max_article_bytes).map(str::len) {
            body.truncate(kept);
            let message = format!(
                "article truncated to {}",
                indicatif::HumanBytes(self.options.max_article_bytes as u64)
            );
            self.warnings.push(match line {
                Some(line) => Warning::at(line, message),
                None => Warning::whole_file(message),
            });
        }
        self.articles.push(Article {
            record: line,
            place_on_line,
            id,
            title,
            body,
            date,
            // A record's date is on its own line, `record`.
            date_line: None,
            source,
            url,
            related: Vec::new(),
            author,
            language,
            offset: None,
        });
    }
}

/// The fields of one record, and where to report problems with them.
struct Fields<'r> {
    object: &'r Map<String, Value>,
    line: Option<usize>,
    slash: SlashDates,
    warnings: &'r mut Vec<Warning>,
}

impl Fields<'_> {
    fn warn(&mut self, message: &str) {
        self.warnings.push(match self.line {
            Some(line) => Warning::at(line, message),
            None => Warning::whole_file(message),
        });
    }

    /// The first string among `names`; other types are warned about and passed over.
    fn text(&mut self, names: &'static [&'static str], what: &str) -> Option<String> {
        for (key, value) in candidates(self.object, names) {
            if let Some(text) = value.as_str() {
                return Some(text.trim().to_owned());
            }
            self.warn(&format!("{what} `{key}` is {}, not text; ignored", kind(value)));
        }
        None
    }

    /// Like [`Fields::text`], but a list of strings (paragraphs) is joined as paragraphs.
    fn body(&mut self) -> Option<String> {
        for (key, value) in candidates(self.object, BODY) {
            match value {
                Value::String(text) => return Some(text.trim().to_owned()),
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    let paragraphs: Vec<&str> = items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::trim)
                        .filter(|paragraph| !paragraph.is_empty())
                        .collect();
                    if !paragraphs.is_empty() {
                        return Some(paragraphs.join("\n\n"));
                    }
                }
                other => {
                    self.warn(&format!("body `{key}` is {}, not text; ignored", kind(other)));
                }
            }
        }
        None
    }

    /// Ids may be numbers (`unit_id` in FA-KES); they are compared as text.
    fn id(&mut self) -> Option<String> {
        for (key, value) in candidates(self.object, ID) {
            match value {
                Value::String(text) => return Some(text.trim().to_owned()),
                Value::Number(number) => return Some(number.to_string()),
                other => self.warn(&format!("id `{key}` is {}, not text; ignored", kind(other))),
            }
        }
        None
    }

    /// A `source` that is a link (trafilatura's): the article's url.
    fn url_as_source(&self) -> Option<String> {
        candidates(self.object, &["source"])
            .find_map(|(_, value)| value.as_str().map(str::trim).filter(|text| is_link(text)))
            .map(str::to_owned)
    }

    /// One author, or a list of them joined with `; `.
    fn author(&mut self) -> Option<String> {
        for (key, value) in candidates(self.object, AUTHOR) {
            match value {
                Value::String(text) => return Some(text.trim().to_owned()),
                Value::Array(items) => {
                    let names: Vec<&str> = items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .collect();
                    if !names.is_empty() {
                        return Some(names.join("; "));
                    }
                }
                other => {
                    self.warn(&format!("author `{key}` is {}, not text; ignored", kind(other)));
                }
            }
        }
        None
    }

    /// NewsAPI-style `{"id": ..., "name": "BBC News"}` sources give their name. A link is
    /// no outlet's name (trafilatura's `source` is the page's URL).
    fn source(&mut self) -> Option<String> {
        for (key, value) in candidates(self.object, SOURCE) {
            match value {
                Value::String(text) if is_link(text.trim()) => {}
                Value::String(text) => return Some(text.trim().to_owned()),
                Value::Object(object) => {
                    if let Some(name) = object.get("name").and_then(Value::as_str) {
                        return Some(name.trim().to_owned());
                    }
                    self.warn(&format!("source `{key}` is an object without a name; ignored"));
                }
                other => {
                    self.warn(&format!("source `{key}` is {}, not text; ignored", kind(other)));
                }
            }
        }
        None
    }

    /// A date string, or Unix time as a number (or a string of digits, as CSV has it).
    fn date(&mut self) -> Option<DateTime<Utc>> {
        let (key, value) = candidates(self.object, DATE).next()?;
        let date = match value {
            Value::Number(number) => match number.as_i64() {
                Some(whole) => from_unix_whole(whole),
                None => number.as_f64().and_then(from_unix),
            },
            Value::String(text) => {
                let text = text.trim();
                // Unix seconds have 9-10 digits for any date after 1973 (8 digits would be
                // `20160904`, which parse_date reads as a calendar date).
                if text.len() >= 9 && text.bytes().all(|byte| byte.is_ascii_digit()) {
                    text.parse::<i64>().ok().and_then(from_unix_whole)
                } else {
                    parse_date(text, self.slash)
                }
            }
            other => {
                self.warn(&format!("date `{key}` is {}, not a date; ignored", kind(other)));
                return None;
            }
        };
        if date.is_none() {
            self.warn(&format!("date `{}` not understood", shorten(&value_text(value))));
        }
        date
    }
}

/// The present values for `names`, in the order of `names`: null and blank strings count
/// as absent, so an empty `title` column falls through to `headline`.
fn candidates<'r>(
    object: &'r Map<String, Value>,
    names: &'static [&'static str],
) -> impl Iterator<Item = (&'r str, &'r Value)> {
    names
        .iter()
        .flat_map(move |name| {
            object.iter().filter(move |(key, value)| {
                key.trim().eq_ignore_ascii_case(name)
                    && !value.is_null()
                    && value.as_str().is_none_or(|text| !text.trim().is_empty())
            })
        })
        .map(|(key, value)| (key.as_str(), value))
}

/// Unix time as a whole number of seconds or, past [`MILLISECONDS_FROM`], milliseconds.
fn from_unix_whole(number: i64) -> Option<DateTime<Utc>> {
    if number.unsigned_abs() >= MILLISECONDS_FROM as u64 {
        DateTime::from_timestamp_millis(number)
    } else {
        DateTime::from_timestamp(number, 0)
    }
}

/// Unix time with a fraction; seconds or, past [`MILLISECONDS_FROM`], milliseconds.
fn from_unix(seconds: f64) -> Option<DateTime<Utc>> {
    let seconds = if seconds.abs() >= MILLISECONDS_FROM { seconds / 1000.0 } else { seconds };
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
    DateTime::from_timestamp(whole as i64, nanos)
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Long values in warnings are cut: a runaway field should not flood the terminal.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

fn is_link(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.iter().any(|candidate| name.trim().eq_ignore_ascii_case(candidate))
}

/// `a string`, `a number`, ... for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Turns byte offsets into 1-based line numbers, for offsets in increasing order.
struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        Self { text, offset: 0, line: 1 }
    }

    fn line_of(&mut self, offset: usize) -> usize {
        if offset > self.offset {
            let skipped = self.text.get(self.offset..offset).unwrap_or_default();
            self.line += skipped.matches('\n').count();
            self.offset = offset;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    /// Warnings as printed: `line N: message` where the line is known.
    fn messages(warnings: &[Warning]) -> Vec<String> {
        warnings.iter().map(ToString::to_string).collect()
    }

    fn lines(text: &str) -> (Vec<Article>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let articles = parse_json_lines(text, &ParseOptions::default(), &mut warnings);
        (articles, warnings)
    }

    fn json(text: &str) -> (Vec<Article>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let articles =
            parse_json(Path::new("a.json"), text, &ParseOptions::default(), &mut warnings).unwrap();
        (articles, warnings)
    }

    fn csv(text: &str) -> (Vec<Article>, Vec<Warning>) {
        csv_with(text, &ParseOptions::default())
    }

    fn csv_with(text: &str, options: &ParseOptions) -> (Vec<Article>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let articles = parse_csv(Path::new("a.csv"), text, options, &mut warnings).unwrap();
        (articles, warnings)
    }

    #[test]
    fn json_lines_skip_broken_lines_and_wrong_types() {
        let text = concat!(
            r#"{"Headline": "Truce holds", "maintext": "Calm in Aleppo.", "date_publish": "2016-09-04 15:14:55", "source_domain": "example.com", "url": "https://example.com/1", "id": 7}"#,
            "\n",
            r#"{"title": "Cut off", "body": "#,
            "\n\n",
            r#"{"title": 42, "headline": "Number title", "text": {"p": 1}, "content": "Fallback body", "date": "Sun Sep 44, 2016"}"#,
            "\n",
            r#"["not", "an", "object"]"#,
            "\n",
            r#"{"title": null, "body": "", "url": "https://example.com/empty"}"#,
            "\n",
            r#"{"title": "Timestamps", "body": "x", "timestamp": 1473002095, "source": {"id": null, "name": "BBC News"}}"#,
            "\n",
        );
        let (articles, warnings) = lines(text);
        assert_eq!(articles.len(), 3);
        let first = &articles[0];
        assert_eq!(first.record, Some(1));
        assert_eq!(first.id.as_deref(), Some("7"));
        assert_eq!(first.title.as_deref(), Some("Truce holds"));
        assert_eq!(first.body, "Calm in Aleppo.");
        assert_eq!(first.date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(first.source.as_deref(), Some("example.com"));
        assert_eq!(first.url.as_deref(), Some("https://example.com/1"));

        let second = &articles[1];
        assert_eq!(second.record, Some(4));
        assert_eq!(second.title.as_deref(), Some("Number title"));
        assert_eq!(second.body, "Fallback body");
        assert_eq!(second.date, None);

        assert_eq!(articles[2].record, Some(7));
        assert_eq!(articles[2].date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(articles[2].source.as_deref(), Some("BBC News"));

        assert_eq!(
            messages(&warnings),
            [
                "line 2: expected a JSON object: EOF while parsing a value at column 29; record skipped",
                "line 4: title `title` is a number, not text; ignored",
                "line 4: body `text` is an object, not text; ignored",
                "line 4: date `Sun Sep 44, 2016` not understood",
                "line 5: expected a JSON object, found an array; record skipped",
                "line 6: record has no title or body; record skipped",
            ]
        );
        assert_eq!(warnings[0].line, Some(2));
    }

    #[test]
    fn json_arrays_give_each_record_its_line() {
        let text = "[\n  {\"title\": \"A\", \"body\": \"one\", \"published\": 1473002095123},\n  \"stray\",\n  {\n    \"title\": \"B\",\n    \"body\": [\"p1\", \" p2 \"]\n  }\n]\n";
        let (articles, warnings) = json(text);
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].record, Some(2));
        // Milliseconds, as JavaScript writes them.
        assert_eq!(articles[0].date, Some(utc("2016-09-04T15:14:55.123Z")));
        assert_eq!(articles[1].record, Some(4));
        assert_eq!(articles[1].body, "p1\n\np2");
        assert_eq!(
            messages(&warnings),
            ["line 3: expected a JSON object, found a string; record skipped"]
        );
    }

    #[test]
    fn records_sharing_a_line_take_their_place_on_it() {
        let (articles, warnings) = json(
            r#"[{"title": "A", "body": "x"}, {"title": "B", "body": "x"}, {"title": "C", "body": "x"}]"#,
        );
        let at = |a: &Article| (a.record, a.place_on_line);
        assert_eq!(
            articles.iter().map(at).collect::<Vec<_>>(),
            [(Some(1), Some(1)), (Some(1), Some(2)), (Some(1), Some(3))]
        );
        assert_eq!(warnings, []);
        // A line with one record keeps its plain line; a skipped neighbour keeps its place.
        let (articles, _) =
            json("[{\"title\": \"A\"},\n{\"title\": \"B\"}, 7, {\"title\": \"C\"}]");
        assert_eq!(
            articles.iter().map(at).collect::<Vec<_>>(),
            [(Some(1), None), (Some(2), Some(1)), (Some(2), Some(3))]
        );
    }

    #[test]
    fn a_json_object_is_one_article_without_a_record_line() {
        let (articles, warnings) =
            json(r#"{"TITLE": "A", "Article_Content": "one", "date": true}"#);
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].record, None);
        assert_eq!(articles[0].body, "one");
        assert_eq!(messages(&warnings), ["date `date` is a boolean, not a date; ignored"]);
        assert_eq!(warnings[0].line, None);
        let (articles, warnings) = json("42");
        assert!(articles.is_empty());
        assert_eq!(messages(&warnings), ["expected a JSON object or array, found a number"]);
    }

    #[test]
    fn csv_handles_quoted_commas_ragged_rows_and_duplicate_ids() {
        let text = "unit_id,article_title,article_content,source,date\n\
            1,\"Aleppo, Idlib shelled\",\"Shells fell, witnesses said; \"\"heavy\"\" damage.\",sana,4/5/2017\n\
            2,Short row,Body only\n\
            1,Again,Repeated id,nna,4/6/2017\n\
            3,\"Multi\nline title\",\"Para one.\n\nPara two.\",reuters,1473002095\n\
            4,Extra,Body,trt,7/10/2016,aleppo,1\n";
        let (articles, warnings) = csv(text);
        assert_eq!(articles.len(), 4);
        let first = &articles[0];
        assert_eq!(first.record, Some(2));
        assert_eq!(first.id.as_deref(), Some("1"));
        assert_eq!(first.title.as_deref(), Some("Aleppo, Idlib shelled"));
        assert_eq!(first.body, "Shells fell, witnesses said; \"heavy\" damage.");
        assert_eq!(first.source.as_deref(), Some("sana"));
        assert_eq!(first.date, Some(utc("2017-04-05T00:00:00Z")));
        assert_eq!(articles[1].body, "Body only");
        assert_eq!(articles[1].source, None);
        assert_eq!(articles[2].record, Some(5));
        assert_eq!(articles[2].body, "Para one.\n\nPara two.");
        assert_eq!(articles[2].date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(articles[3].record, Some(9));
        assert_eq!(
            messages(&warnings),
            [
                "line 3: row has 3 fields, the header 5",
                "line 4: repeats id 1 of line 2; record skipped",
                "line 9: row has 7 fields, the header 5",
            ]
        );
        assert_eq!(warnings[1].line, Some(4));
    }

    #[test]
    fn csv_slash_dates_follow_the_option() {
        let options = ParseOptions { slash_dates: SlashDates::DayFirst, ..ParseOptions::default() };
        let (articles, _) = csv_with("title,date\nA,4/5/2017\n", &options);
        assert_eq!(articles[0].date, Some(utc("2017-05-04T00:00:00Z")));
    }

    #[test]
    fn csv_quote_left_open_drops_the_swallowed_record() {
        let text = "id,title,body\n1,A,fine\n2,B,\"never closed\n3,C,lost\n4,D,lost too\n";
        let (articles, warnings) = csv(text);
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].title.as_deref(), Some("A"));
        assert_eq!(
            messages(&warnings),
            [
                "line 3: quote left open, so the last 3 lines were read as one record; record skipped"
            ]
        );
        // A quote left open on the last line loses nothing else, and is kept.
        let (articles, warnings) = csv("id,title,body\n1,A,\"open");
        assert_eq!(articles[0].body, "open");
        assert_eq!(warnings, []);
    }

    #[test]
    fn csv_without_a_text_column_is_an_error() {
        let mut warnings = Vec::new();
        let error = parse_csv(
            Path::new("a.csv"),
            "1914947530,Syria attack,Victims of\n2,b,c\n",
            &ParseOptions::default(),
            &mut warnings,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "a.csv: CSV header has no title or body column (found 1914947530, Syria attack, Victims of)"
        );
    }

    #[test]
    fn long_record_bodies_are_cut() {
        let options = ParseOptions { max_article_bytes: 5, ..ParseOptions::default() };
        let (articles, warnings) = csv_with("title,body\nA,abcdefgh\n", &options);
        assert_eq!(articles[0].body, "abcde");
        assert_eq!(messages(&warnings), ["line 2: article truncated to 5 B"]);
    }
}
