//! The commands that read what the index holds: `show`, `stats`, `aliases` and
//! `dupes`: arguments → the library's call → its output on stdout.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use newsearch::analysis::Aliases;
use newsearch::error::Result;
use newsearch::{output, stats, store};

use crate::cli::{
    AliasesArgs, ColorArg, DupesArgs, PeriodArg, QueryFormat, ReportFormat, ShowArgs, SimilarArgs,
    StatsArgs,
};
use crate::query_cmd::stdout;
use crate::{Outcome, stdout_error};

pub(crate) fn run_show(args: &ShowArgs) -> Result<Outcome> {
    let results = newsearch::show::show(&args.index.dir, &args.ids)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Json => newsearch::show::write_json(&results.articles, &mut out),
        ReportFormat::Human => newsearch::show::write_human(&results.articles, &mut out),
    }
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    for id in &results.unknown {
        eprintln!("newsearch: {id:?}: no article with this id in the index");
    }
    Ok(if results.unknown.is_empty() { Outcome::Done } else { Outcome::NotFound })
}

pub(crate) fn run_stats(args: &StatsArgs) -> Result<Outcome> {
    let stats = stats::index_stats(&args.index.dir, args.timeline.map(PeriodArg::period))?;
    let json = args.format == ReportFormat::Json;
    let (mut out, style) = stdout(ColorArg::Auto, !json);
    output::write_stats_report(&stats, json, style, &mut out).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}

pub(crate) fn run_aliases(args: &AliasesArgs) -> Result<Outcome> {
    let aliases = match &args.aliases {
        Some(path) => Arc::new(Aliases::from_path(path)?),
        None => store::aliases_or_built_in(&args.index.dir)?,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let json = args.format == ReportFormat::Json;
    match &args.explain {
        Some(text) => output::aliases::write_explanation(&aliases, text, json, &mut out),
        None => output::aliases::write_table(&aliases, json, &mut out),
    }
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}

pub(crate) fn run_similar(args: &SimilarArgs) -> Result<Outcome> {
    let format = match args.format {
        QueryFormat::Human => output::Format::Human,
        QueryFormat::Json => output::Format::Json,
        QueryFormat::Jsonl => output::Format::Jsonl,
        QueryFormat::Csv => output::Format::Csv,
    };
    let query_args = newsearch::query::QueryArgs {
        limit: Some(args.limit as usize),
        since: args.selection.since.clone(),
        until: args.selection.until.clone(),
        filter: args.selection.filter.clone(),
        snippet_chars: newsearch::query::DEFAULT_SNIPPET_CHARS,
        ..newsearch::query::QueryArgs::default()
    };
    newsearch::query::check_args(&query_args)?;
    let searcher = newsearch::search::Searcher::open(&args.index.dir)?;
    let request = newsearch::query::search_request(&query_args, &searcher)?;
    let results = searcher.similar(&args.id, &request)?;
    let (mut out, style) = stdout(args.color, format == output::Format::Human);
    output::write_results(&results, format, style, output::Position::Single, &mut out)
        .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}

pub(crate) fn run_dupes(args: &DupesArgs) -> Result<Outcome> {
    let results = newsearch::dupes::dupes(&args.index.dir, args.min_size as usize)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Json => newsearch::dupes::write_json(&results, &mut out),
        ReportFormat::Human => newsearch::dupes::write_human(&results, &mut out),
    }
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}
