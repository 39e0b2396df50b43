//! Terminal output: hits with highlighted snippets, a hint where a page does not
//! show every hit, facet tables, a timeline bar chart, and how many undated
//! articles a date range or a timeline left out. Colour (anstyle's styles, written
//! to the stream the caller chose) only on a terminal; `[brackets]` mark
//! highlights otherwise. Text that comes from articles
//! (titles, snippets, sources) goes through [`sanitize`] first, and paths
//! through [`sanitize_path`]: the only escape sequences on stdout are
//! newsearch's own. The query is echoed cut short ([`echo`]).

use std::borrow::Cow;
use std::io::{self, Write};

use crate::corpus::path_text;
use crate::dates::SlashDates;
use crate::error::echo;
use crate::fields;
use crate::indexer::IndexSummary;
use crate::search::{FacetCount, Hit, PeriodCoverage, SearchResults, UndatedExcluded};
use crate::stats::{Coverage, IndexStats};

use super::Style;

/// A highlighted word of a snippet.
const HIGHLIGHT: anstyle::Style =
    anstyle::Style::new().bold().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Red)));
/// Titles and table headers.
const BOLD: anstyle::Style = anstyle::Style::new().bold();
/// What is said about a hit (date, source, path) and the page hint.
const DIM: anstyle::Style = anstyle::Style::new().dimmed();

/// Widest bar of a timeline, in characters.
const BAR_WIDTH: u64 = 40;

/// Writes a search's results for a person.
pub fn write_results(
    results: &SearchResults,
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    let noun = match (results.total_articles, results.total_hits) {
        (Some(_), 1) => "story",
        (Some(_), _) => "stories",
        (None, 1) => "hit",
        (None, _) => "hits",
    };
    let articles = results.total_articles.map_or_else(String::new, |articles| {
        format!(" ({articles} article{})", if articles == 1 { "" } else { "s" })
    });
    writeln!(
        out,
        "{} {noun}{articles} for {:?} ({:.1} ms)",
        results.total_hits,
        echo(&results.query),
        results.took_ms
    )?;
    if !results.expansion.is_empty() {
        let words: Vec<String> = results
            .expansion
            .iter()
            .map(|t| format!("{} ({:.3})", sanitize(&t.term), t.weight))
            .collect();
        writeln!(out, "expanded with: {}", words.join(", "))?;
    }
    if let Some(UndatedExcluded::ByDateRange(count @ 1..)) = results.undated_excluded {
        let noun = if count == 1 { "article" } else { "articles" };
        writeln!(out, "{count} undated {noun} left out by --since/--until")?;
    }
    // Paged past the end; with `-n 0` an empty page is what was asked for.
    if results.hits.is_empty() && results.total_hits > 0 && results.offset >= results.total_hits {
        writeln!(out, "(no hits on this page: offset {})", results.offset)?;
    }
    for hit in &results.hits {
        writeln!(out)?;
        write_hit(hit, style, out)?;
    }
    if let Some(hint) = page_hint(results) {
        writeln!(out)?;
        if style.color {
            writeln!(out, "{DIM}{hint}{DIM:#}")?;
        } else {
            writeln!(out, "{hint}")?;
        }
    }
    for (kind, counts) in &results.facets {
        writeln!(out)?;
        write_top(kind.name(), counts, style, out)?;
    }
    if let Some(timeline) = &results.timeline {
        writeln!(out)?;
        write_timeline(timeline, results.coverage.as_deref(), style, out)?;
        if let Some(UndatedExcluded::FromTimeline(count @ 1..)) = results.undated_excluded {
            let noun = if count == 1 { "hit" } else { "hits" };
            writeln!(out, "{count} undated {noun} not in the timeline")?;
        }
    }
    Ok(())
}

/// Where a page that shows some of the hits sits among them, and how to see
/// the others: `showing 1-10 of 16: -n N for more, --offset 10 for the next
/// page, --all for every hit`. `None` when the page shows every hit, or none
/// (`-n 0` asks for counts only; a page past the end says so already).
fn page_hint(results: &SearchResults) -> Option<String> {
    let shown = results.hits.len();
    if shown == 0 || shown >= results.total_hits {
        return None;
    }
    let (first, last) = (results.offset + 1, results.offset + shown);
    let range = if first == last { first.to_string() } else { format!("{first}-{last}") };
    let how = if last < results.total_hits {
        format!("-n N for more, --offset {last} for the next page")
    } else {
        "--offset 0 for the first page".to_owned()
    };
    Some(format!("showing {range} of {}: {how}, --all for every hit", results.total_hits))
}

/// Article-derived `text` made safe to print on one line of a terminal. Scraped
/// text can hold anything, and an escape sequence in a headline (ESC, or the
/// one-character C1 CSI) would recolour, clear or retitle the reader's terminal:
/// every control character is shown as a Rust escape (`\u{1b}`) instead, so the
/// reader sees that the article holds it. Tabs and line breaks become spaces,
/// as they would break the field's line. JSON and CSV keep the text exact.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    escape_controls(text, |c| matches!(c, '\t' | '\n' | '\r' | '\u{b}' | '\u{c}').then_some(" "))
}

/// A path made safe to print on one line, as [`sanitize`] makes article text,
/// except that a line break or tab in a file name is shown as its escape (`\n`,
/// `\r`, `\t`), not as a space: a space would name another file. Paths are
/// [`path_text`], which on Unix already doubles a backslash, so `\n` cannot be
/// read as a file name's own backslash and `n`.
pub fn sanitize_path(text: &str) -> Cow<'_, str> {
    escape_controls(text, |c| match c {
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    })
}

/// `text` with each control character shown as `layout` says (line breaks
/// and tabs), or else as a Rust escape (`\u{1b}`).
fn escape_controls(text: &str, layout: fn(char) -> Option<&'static str>) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match layout(c) {
            Some(replacement) => shown.push_str(replacement),
            None if c.is_control() => shown.extend(c.escape_unicode()),
            None => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// A path from the corpus, for display ([`sanitize_path`]).
fn display_path(path: &std::path::Path) -> String {
    sanitize_path(&path_text(path)).into_owned()
}

fn write_hit(hit: &Hit, style: Style, out: &mut impl Write) -> io::Result<()> {
    let title = sanitize(hit.title.as_deref().unwrap_or("(untitled)"));
    if style.color {
        writeln!(out, "{:>3}. {BOLD}{title}{BOLD:#}", hit.rank)?;
    } else {
        writeln!(out, "{:>3}. {title}", hit.rank)?;
    }
    let meta = [
        hit.date.map_or_else(|| "no date".to_owned(), |d| d.format("%Y-%m-%d").to_string()),
        hit.source.as_deref().map_or_else(|| "no source".to_owned(), |s| sanitize(s).into_owned()),
        sanitize_path(&hit.path).into_owned(),
    ]
    .join(" · ");
    if style.color {
        writeln!(out, "     {DIM}{meta}{DIM:#}")?;
    } else {
        writeln!(out, "     {meta}")?;
    }
    if !hit.snippet.is_empty() {
        writeln!(out, "     {}", highlight(&hit.snippet, &hit.highlights, style))?;
    }
    if let Some(copies) = hit.copies.as_ref().filter(|copies| !copies.is_empty()) {
        // Each outlet once, in the order the copies were published.
        let mut sources: Vec<&str> = Vec::new();
        for copy in copies {
            let source = copy.source.as_deref().unwrap_or("no source");
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        let noun = if copies.len() == 1 { "copy" } else { "copies" };
        writeln!(out, "     +{} {noun}: {}", copies.len(), sanitize(&sources.join(", ")))?;
    }
    if let Some(explanation) = &hit.explanation {
        write_explanation(explanation, 5, out)?;
    }
    Ok(())
}

/// tantivy's score explanation as an indented tree, one line per step:
/// `2.206  idf, computed as ...`, the terms a step read in brackets.
fn write_explanation(
    step: &serde_json::Value,
    indent: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let value = step.get("value").and_then(serde_json::Value::as_f64).unwrap_or_default();
    let description = step.get("description").and_then(|d| d.as_str()).unwrap_or_default();
    let context: Vec<&str> = step
        .get("context")
        .and_then(|c| c.as_array())
        .map(|items| items.iter().filter_map(|item| item.as_str()).collect())
        .unwrap_or_default();
    write!(out, "{:indent$}{value:.3}  {}", "", sanitize(description))?;
    if !context.is_empty() {
        write!(out, "  [{}]", sanitize(&context.join("; ")))?;
    }
    writeln!(out)?;
    let details = step.get("details").and_then(|d| d.as_array());
    for detail in details.into_iter().flatten() {
        write_explanation(detail, indent + 2, out)?;
    }
    Ok(())
}

/// The snippet on one line with its highlights marked; each piece is
/// [`sanitize`]d apart, as the highlight ranges are offsets in the raw snippet.
fn highlight(snippet: &str, ranges: &[[usize; 2]], style: Style) -> String {
    let (open, close) = if style.color {
        (HIGHLIGHT.render().to_string(), HIGHLIGHT.render_reset().to_string())
    } else {
        ("[".to_owned(), "]".to_owned())
    };
    let mut text = String::with_capacity(snippet.len() + ranges.len() * 8);
    let mut at = 0;
    for &[start, end] in ranges {
        let (Some(before), Some(word)) = (snippet.get(at..start), snippet.get(start..end)) else {
            continue;
        };
        text.push_str(&sanitize(before));
        text.push_str(&open);
        text.push_str(&sanitize(word));
        text.push_str(&close);
        at = end;
    }
    text.push_str(&sanitize(snippet.get(at..).unwrap_or_default()));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rows of a facet table a person reads; `--format json` lists every value.
const FACET_ROWS: usize = 10;

/// The most frequent values of a facet, and how many more there are.
fn write_top(
    name: &str,
    counts: &[FacetCount],
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    let shown = &counts[..counts.len().min(FACET_ROWS)];
    write_table(name, shown, style, out)?;
    if counts.len() > shown.len() {
        writeln!(out, "({} more)", counts.len() - shown.len())?;
    }
    Ok(())
}

/// A two-column table of facet counts.
pub fn write_table(
    name: &str,
    counts: &[FacetCount],
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    // Source values come from the articles, folder values are paths.
    let shown = if name == fields::FOLDER { sanitize_path } else { sanitize };
    let values: Vec<Cow<'_, str>> = counts.iter().map(|c| shown(&c.value)).collect();
    let width = values.iter().map(|v| v.chars().count()).max().unwrap_or(0).max(name.len());
    // Keyness (terms, and entities with --keyness) adds the articles of the
    // index with the value, G² and the log ratio.
    let keyed = counts.iter().any(|c| c.keyness.is_some());
    let header = if keyed {
        format!("{name:<width$}  count  in index       G²  effect")
    } else {
        format!("{name:<width$}  count")
    };
    if style.color {
        writeln!(out, "{BOLD}{header}{BOLD:#}")?;
    } else {
        writeln!(out, "{header}")?;
    }
    if counts.is_empty() {
        writeln!(out, "(none)")?;
    }
    for (value, count) in values.iter().zip(counts) {
        match count.keyness {
            Some(k) if keyed => writeln!(
                out,
                "{value:<width$}  {:>5}  {:>8}  {:>7.2}  {:>6.2}",
                count.count, k.corpus_count, k.g2, k.effect
            )?,
            _ => writeln!(out, "{value:<width$}  {:>5}", count.count)?,
        }
    }
    Ok(())
}

fn write_timeline(
    timeline: &[FacetCount],
    coverage: Option<&[PeriodCoverage]>,
    style: Style,
    out: &mut impl Write,
) -> io::Result<()> {
    let max = timeline.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let width = timeline.iter().map(|p| p.value.len()).max().unwrap_or(0);
    if style.color {
        writeln!(out, "{BOLD}timeline{BOLD:#}")?;
    } else {
        writeln!(out, "timeline")?;
    }
    for (i, period) in timeline.iter().enumerate() {
        let bar = (period.count * BAR_WIDTH).div_ceil(max);
        let bar = "█".repeat(usize::try_from(bar).unwrap_or(0));
        // Hits beside what the corpus holds in the period: a rise in hits can
        // be a rise in the collection, and an empty period a gap in it.
        let of_total = match coverage.and_then(|c| c.get(i)) {
            Some(c) if c.gap => "  (gap: no articles in the corpus)".to_owned(),
            Some(c) => format!(" of {} ({:.1}%)", c.total, c.share.unwrap_or(0.0) * 100.0),
            None => String::new(),
        };
        writeln!(out, "{:<width$}  {bar} {}{of_total}", period.value, period.count)?;
    }
    Ok(())
}

/// The end-of-run report of `newsearch index`: the counts (a rebuild says it
/// rebuilt, and how many documents the old index held), then every warning and
/// skipped file, once. This list is the run's record; the binary shows the same
/// lines on stderr as they happen.
pub fn write_index_summary(summary: &IndexSummary, out: &mut impl Write) -> io::Result<()> {
    let seconds = summary.took_ms as f64 / 1000.0;
    if summary.rebuilt {
        // Everything was indexed anew: the old copies were replaced, not lost.
        writeln!(
            out,
            "rebuilt: {} added (the old index held {}); {} documents in the index ({seconds:.1} s)",
            summary.added, summary.replaced, summary.documents
        )?;
    } else {
        writeln!(
            out,
            "indexed: {} added, {} updated, {} removed, {} unchanged; {} documents in the index ({seconds:.1} s)",
            summary.added, summary.updated, summary.removed, summary.unchanged, summary.documents
        )?;
    }
    if let Some(warc) = &summary.warc {
        writeln!(
            out,
            "WARC records: {} articles; {} responses skipped ({} not HTML, {} redirects, \
             {} errors, {} without an article); {} other records",
            warc.articles,
            warc.skipped_responses(),
            warc.not_html,
            warc.redirects,
            warc.errors,
            warc.no_article,
            warc.other_records
        )?;
    }
    if !summary.warnings.is_empty() {
        let count = summary.warnings.len();
        writeln!(out, "{count} {}:", if count == 1 { "warning" } else { "warnings" })?;
        for warning in &summary.warnings {
            match warning.line {
                Some(line) => writeln!(
                    out,
                    "  {}:{line}: {}",
                    display_path(&warning.path),
                    sanitize(&warning.message)
                )?,
                None => writeln!(
                    out,
                    "  {}: {}",
                    display_path(&warning.path),
                    sanitize(&warning.message)
                )?,
            }
        }
    }
    if !summary.skipped.is_empty() {
        let count = summary.skipped.len();
        writeln!(out, "{count} {} skipped:", if count == 1 { "file" } else { "files" })?;
        for skip in &summary.skipped {
            writeln!(out, "  {}: {}", display_path(&skip.path), sanitize(&skip.reason))?;
        }
    }
    Ok(())
}

/// `newsearch stats` for a person.
pub fn write_stats(stats: &IndexStats, style: Style, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "documents   {}", stats.documents)?;
    let date = |d: Option<&chrono::DateTime<chrono::Utc>>| {
        d.map_or_else(|| "none".to_owned(), |d| d.format("%Y-%m-%d %H:%M:%S").to_string())
    };
    writeln!(
        out,
        "dates       {} .. {}",
        date(stats.date_min.as_ref()),
        date(stats.date_max.as_ref())
    )?;
    writeln!(out, "size        {:.1} MB", stats.index_bytes as f64 / 1_048_576.0)?;
    writeln!(out, "format      {}", stats.index_format)?;
    writeln!(out, "aliases     {}", stats.aliases_fingerprint)?;
    let order = match stats.slash_dates {
        Some(SlashDates::MonthFirst) => "month/day/year",
        Some(SlashDates::DayFirst) => "day/month/year",
        None => "not recorded (month/day/year unless built with --day-first)",
    };
    writeln!(out, "slash dates {order}")?;
    for (name, counts) in
        [("source", &stats.sources), ("folder", &stats.folders), ("entity", &stats.entities)]
    {
        writeln!(out)?;
        write_top(name, counts, style, out)?;
    }
    if let Some(coverage) = &stats.coverage {
        writeln!(out)?;
        write_coverage(coverage, style, out)?;
    }
    Ok(())
}

/// Sources shown as columns of a coverage table; the others add up in `other`.
const COVERAGE_SOURCES: usize = 8;

/// The index's articles per period: `all`, then a column per source (the
/// most prolific first, the rest as `other`); `-` where a source has none
/// (a gap in its collection), and a period without any article flagged.
fn write_coverage(coverage: &Coverage, style: Style, out: &mut impl Write) -> io::Result<()> {
    let shown = &coverage.sources[..coverage.sources.len().min(COVERAGE_SOURCES)];
    let others = coverage.sources.len() - shown.len();
    // Articles that name no source are in `all` and in no source's column.
    let sourced = |i: usize| -> u64 {
        coverage.sources.iter().map(|(_, counts)| counts.get(i).copied().unwrap_or(0)).sum()
    };
    let unsourced = (0..coverage.periods.len()).any(|i| coverage.totals[i] > sourced(i));
    let mut header: Vec<String> = vec!["period".into(), "all".into()];
    header.extend(shown.iter().map(|(name, _)| sanitize(name).into_owned()));
    if others > 0 {
        header.push(format!("other ({others})"));
    }
    if unsourced {
        header.push("no source".into());
    }
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(coverage.periods.len());
    for (i, (period, &total)) in coverage.periods.iter().zip(&coverage.totals).enumerate() {
        let cell = |count: u64| if count == 0 { "-".to_owned() } else { count.to_string() };
        let mut row = vec![period.clone(), total.to_string()];
        let mut in_shown = 0;
        for (_, counts) in shown {
            let count = counts.get(i).copied().unwrap_or(0);
            in_shown += count;
            row.push(cell(count));
        }
        if others > 0 {
            row.push(cell(sourced(i).saturating_sub(in_shown)));
        }
        if unsourced {
            row.push(cell(total.saturating_sub(sourced(i))));
        }
        if total == 0 {
            row.push("(gap: no articles in the index)".into());
        }
        rows.push(row);
    }
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let cells = rows.iter().filter_map(|row| row.get(c));
            cells.chain([&header[c]]).map(|cell| cell.chars().count()).max().unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(c, cell)| match widths.get(c) {
                // The period left, the counts right, as numbers are read.
                Some(&width) if c == 0 => format!("{cell:<width$}"),
                Some(&width) => format!("  {cell:>width$}"),
                None => format!("  {cell}"),
            })
            .collect()
    };
    let title = "coverage: articles in the index per period and source";
    if style.color {
        writeln!(out, "{BOLD}{title}{BOLD:#}")?;
        writeln!(out, "{BOLD}{}{BOLD:#}", line(&header))?;
    } else {
        writeln!(out, "{title}")?;
        writeln!(out, "{}", line(&header))?;
    }
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    if coverage.undated > 0 {
        let noun = if coverage.undated == 1 { "article" } else { "articles" };
        writeln!(out, "{} undated {noun} in no period", coverage.undated)?;
    }
    Ok(())
}
