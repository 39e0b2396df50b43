//! Stage 7 (render): results → text for people or JSON/CSV for scripts, written
//! to the writer the caller gives. Nothing here decides what to search.

pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::searcher::SearchResults;

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

/// The CSV header; `query` leads in batch mode.
pub const CSV_HEADER: [&str; 8] = ["rank", "score", "id", "path", "title", "date", "source", "url"];

/// Writes one search's results. `first` says whether this is the first search
/// of the run (the CSV header is written once).
pub fn write_results(
    results: &SearchResults,
    format: Format,
    style: Style,
    first: bool,
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
            if first {
                writer.write_record(CSV_HEADER).map_err(csv_io_error)?;
            }
            for hit in &results.hits {
                let date = hit.date.as_ref().map(json::rfc3339).unwrap_or_default();
                writer
                    .write_record([
                        hit.rank.to_string().as_str(),
                        &format!("{:.4}", hit.score),
                        &hit.id,
                        &hit.path,
                        hit.title.as_deref().unwrap_or_default(),
                        &date,
                        hit.source.as_deref().unwrap_or_default(),
                        hit.url.as_deref().unwrap_or_default(),
                    ])
                    .map_err(csv_io_error)?;
            }
            writer.flush()
        }
    }
}

/// The I/O error inside a CSV error. `csv` wraps write errors in its own type, and
/// its `From` conversion hides them under `ErrorKind::Other`: a closed stdout would
/// then no longer be seen as a broken pipe, and `… --format csv | head` would fail.
fn csv_io_error(err: csv::Error) -> io::Error {
    if !err.is_io_error() {
        return io::Error::other(err);
    }
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        // Unreachable: `is_io_error` guarantees `Io`.
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes a batch line that could not run, in `format`; human output and CSV
/// leave it to stderr.
pub fn write_query_error(
    query: &str,
    error: &str,
    format: Format,
    out: &mut impl Write,
) -> io::Result<()> {
    if format == Format::Json {
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
