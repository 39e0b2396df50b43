//! Stage 7 (render): results → text for people or JSON/CSV for scripts, written
//! to the writer the caller gives. Nothing here decides what to search.

pub mod aliases;
pub mod human;
pub mod json;
pub mod kwic;
pub mod schemas;

use std::io::{self, Write};

use crate::indexer::IndexSummary;
use crate::search::SearchResults;
use crate::stats::IndexStats;

/// Output formats of `newsearch query`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text for a terminal.
    Human,
    /// One JSON document per search.
    Json,
    /// One JSON object per hit.
    Jsonl,
    /// One CSV row per hit, with a header.
    Csv,
}

/// Human output options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Colour highlights (a terminal); plain `[markers]` otherwise.
    pub color: bool,
}

/// The CSV header of one query's results.
pub const CSV_HEADER: [&str; 9] =
    ["rank", "score", "id", "path", "title", "date", "source", "url", "entities"];

/// The CSV header of `--batch`: a leading `query` column tells the rows of
/// different queries apart.
pub const BATCH_CSV_HEADER: [&str; 10] =
    ["query", "rank", "score", "id", "path", "title", "date", "source", "url", "entities"];

/// Which search of a run is written: CSV writes its header once per run, and in a
/// batch leads every row with the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// The run's only search.
    Single,
    /// The first search of a batch to write results.
    BatchFirst,
    /// Any later search of a batch.
    BatchRest,
}

/// Writes one search's results at `position` in the run's output.
pub fn write_results(
    results: &SearchResults,
    format: Format,
    style: Style,
    position: Position,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::write_results(results, style, out),
        Format::Json => {
            serde_json::to_writer(&mut *out, &json::QueryReportV1::new(results))?;
            writeln!(out)
        }
        Format::Jsonl => {
            for hit in &results.hits {
                serde_json::to_writer(&mut *out, &json::HitV1::new(hit, Some(&results.query)))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            let batch = position != Position::Single;
            match position {
                Position::Single => writer.write_record(CSV_HEADER),
                Position::BatchFirst => writer.write_record(BATCH_CSV_HEADER),
                Position::BatchRest => Ok(()),
            }
            .map_err(csv_io_error)?;
            for hit in &results.hits {
                let date = hit.date.as_ref().map(json::rfc3339).unwrap_or_default();
                let rank = hit.rank.to_string();
                let score = format!("{:.4}", hit.score);
                let entities = csv_entities(&hit.matches);
                let row = [
                    rank.as_str(),
                    &score,
                    &hit.id,
                    &hit.path,
                    hit.title.as_deref().unwrap_or_default(),
                    &date,
                    hit.source.as_deref().unwrap_or_default(),
                    hit.url.as_deref().unwrap_or_default(),
                    &entities,
                ];
                if batch {
                    writer.write_record(std::iter::once(results.query.as_str()).chain(row))
                } else {
                    writer.write_record(row)
                }
                .map_err(csv_io_error)?;
            }
            writer.flush()
        }
    }
}

/// A hit's `entities` cell: each entity with its mentions per spelling,
/// `ISIS (Daesh 3, ISIL 1); Syria (Syria 5)`, entities in table order.
fn csv_entities(matches: &[crate::search::EntityMatch]) -> String {
    let mut cell = String::new();
    let mut current: Option<&str> = None;
    for m in matches {
        if current == Some(m.entity.as_str()) {
            cell.push_str(", ");
        } else {
            if current.is_some() {
                cell.push_str("); ");
            }
            cell.push_str(&m.entity);
            cell.push_str(" (");
            current = Some(&m.entity);
        }
        cell.push_str(&m.form);
        cell.push(' ');
        cell.push_str(&m.count.to_string());
    }
    if current.is_some() {
        cell.push(')');
    }
    cell
}

/// The I/O error inside a CSV error. `csv` wraps write errors in its own type, and
/// its `From` conversion hides them under `ErrorKind::Other`: a closed stdout would
/// then no longer be seen as a broken pipe, and `… --format csv | head` would fail.
pub(crate) fn csv_io_error(err: csv::Error) -> io::Error {
    if !err.is_io_error() {
        return io::Error::other(err);
    }
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        // Unreachable: `is_io_error` guarantees `Io`.
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes a batch line that could not run, in `format`: JSON and JSON Lines get
/// an error object in the line's place, so a script sees which query failed;
/// human output and CSV leave it to stderr.
pub fn write_query_error(
    query: &str,
    error: &str,
    format: Format,
    out: &mut impl Write,
) -> io::Result<()> {
    if matches!(format, Format::Json | Format::Jsonl) {
        let line = json::QueryErrorV1 {
            schema_version: json::SCHEMA_VERSION,
            query,
            error: error.to_owned(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Writes the end-of-run report of `newsearch index`: the `index.v2` JSON
/// document, or the summary a person reads (nothing when `quiet`, which leaves
/// a count on stderr to the caller).
pub fn write_index_report(
    summary: &IndexSummary,
    json: bool,
    quiet: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, &json::IndexReportV2::new(summary))?;
        writeln!(out)
    } else if quiet {
        Ok(())
    } else {
        human::write_index_summary(summary, out)
    }
}

/// Writes `newsearch stats`: the `stats.v1` JSON document, or tables a person reads.
pub fn write_stats_report(
    stats: &IndexStats,
    json: bool,
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, &json::StatsReportV1::new(stats))?;
        writeln!(out)
    } else {
        human::write_stats(stats, style, out)
    }
}
