//! Keyword-in-context rows → concordance lines for people, or one JSON object
//! or CSV row per occurrence for scripts (`schema/kwic.v1.schema.json`).

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::human::sanitize;
use super::json::rfc3339;
use super::{Format, Style, csv_io_error};
use crate::search::{KwicResults, KwicRow};

/// Version of the row format (`schema/kwic.v1.schema.json`).
pub const KWIC_SCHEMA_VERSION: u32 = 1;

/// The CSV header of keyword-in-context rows.
pub const KWIC_CSV_HEADER: [&str; 13] = [
    "rank", "id", "date", "source", "field", "left", "match", "right", "start", "end", "entity",
    "form", "query",
];

/// Characters of context shown on each side of a concordance line.
const HUMAN_SIDE_CHARS: usize = 50;

/// One occurrence on the wire (with `--format jsonl`, one line; with
/// `--format csv`, the same columns, empty where a key is absent).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KwicRow")]
#[schemars(deny_unknown_fields)]
pub struct KwicRowV1<'a> {
    /// Rank of the hit the occurrence is in.
    #[schemars(range(min = 1))]
    pub rank: usize,
    /// Document id.
    pub id: &'a str,
    /// RFC 3339 publication date; absent for an undated article.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub date: Option<String>,
    /// Outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    /// Which stored field start and end are offsets into.
    #[schemars(extend("enum" = ["title", "body"]))]
    pub field: &'a str,
    /// Up to --context words before the match, whitespace runs as one space;
    /// ends with a space when the article has whitespace before the match.
    pub left: &'a str,
    /// The match as the article wrote it: field[start..end]. A phrase is one
    /// match from its first word to its last.
    #[serde(rename = "match")]
    pub matched: &'a str,
    /// Up to --context words after the match, whitespace runs as one space;
    /// starts with a space when the article has whitespace after the match.
    pub right: &'a str,
    /// Byte offset of the match in the field as stored (as `newsearch show`
    /// prints it).
    pub start: usize,
    /// Byte offset one past the match.
    pub end: usize,
    /// When the match is an entity of the alias table: its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<&'a str>,
    /// When the match is an entity: its spelling as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<&'a str>,
    /// The query the row answers.
    pub query: &'a str,
}

impl<'a> KwicRowV1<'a> {
    /// The wire row of `row`, answering `query`.
    pub fn new(row: &'a KwicRow, query: &'a str) -> KwicRowV1<'a> {
        KwicRowV1 {
            rank: row.rank,
            id: &row.id,
            date: row.date.as_ref().map(rfc3339),
            source: row.source.as_deref(),
            field: row.field,
            left: &row.left,
            matched: &row.matched,
            right: &row.right,
            start: row.start,
            end: row.end,
            entity: row.entity.as_deref(),
            form: row.form.as_deref(),
            query,
        }
    }
}

/// The whole answer on the wire (`--format json`).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KwicReport")]
#[schemars(deny_unknown_fields)]
pub struct KwicReportV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// The query as given.
    pub query: &'a str,
    /// Hits over the whole index; rows come from the page of hits asked for
    /// (every hit with --all).
    pub total_hits: usize,
    /// The rows.
    pub rows: Vec<KwicRowV1<'a>>,
}

/// Writes keyword-in-context rows in `format`.
pub fn write_kwic(
    results: &KwicResults,
    format: Format,
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    let query = results.query.as_str();
    match format {
        Format::Human => {
            for row in &results.rows {
                writeln!(out, "{}", concordance_line(row, style))?;
            }
            Ok(())
        }
        Format::Json => {
            let report = KwicReportV1 {
                schema_version: KWIC_SCHEMA_VERSION,
                query,
                total_hits: results.total_hits,
                rows: results.rows.iter().map(|row| KwicRowV1::new(row, query)).collect(),
            };
            serde_json::to_writer(&mut *out, &report)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for row in &results.rows {
                serde_json::to_writer(&mut *out, &KwicRowV1::new(row, query))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(KWIC_CSV_HEADER).map_err(csv_io_error)?;
            for row in &results.rows {
                let date = row.date.as_ref().map(rfc3339).unwrap_or_default();
                let (rank, start, end) =
                    (row.rank.to_string(), row.start.to_string(), row.end.to_string());
                writer
                    .write_record([
                        rank.as_str(),
                        &row.id,
                        &date,
                        row.source.as_deref().unwrap_or_default(),
                        row.field,
                        &row.left,
                        &row.matched,
                        &row.right,
                        &start,
                        &end,
                        row.entity.as_deref().unwrap_or_default(),
                        row.form.as_deref().unwrap_or_default(),
                        query,
                    ])
                    .map_err(csv_io_error)?;
            }
            writer.flush()
        }
    }
}

/// One concordance line: the left context right-aligned in a fixed width, the
/// match marked, the right context cut to the same width, then where it is from.
fn concordance_line(row: &KwicRow, style: Style) -> String {
    let one_line = |text: &str| sanitize(text).split_whitespace().collect::<Vec<_>>().join(" ");
    let mut left = one_line(&row.left);
    if row.left.ends_with(' ') {
        left.push(' ');
    }
    let left_chars = left.chars().count();
    let left: String = if left_chars > HUMAN_SIDE_CHARS {
        left.chars().skip(left_chars - HUMAN_SIDE_CHARS).collect()
    } else {
        format!("{}{left}", " ".repeat(HUMAN_SIDE_CHARS - left_chars))
    };
    let mut right = if row.right.starts_with(' ') { " ".to_owned() } else { String::new() };
    right.push_str(&one_line(&row.right));
    let right: String = right.chars().take(HUMAN_SIDE_CHARS).collect();
    let right = format!("{right:<HUMAN_SIDE_CHARS$}");
    let (open, close) = if style.color { ("\x1b[1;31m", "\x1b[0m") } else { ("[", "]") };
    let date = row.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let place = if row.field == "title" { " (title)" } else { "" };
    format!(
        "{left}{open}{}{close}{right}  {date} {}{place}",
        one_line(&row.matched),
        sanitize(&row.id)
    )
}
