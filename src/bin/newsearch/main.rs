//! The `newsearch` command: parse arguments, call the library, report errors,
//! return the exit code. No search logic lives here.

mod cli;
mod docs;
mod export_cmd;
mod info_cmd;
mod panic_hook;
mod print_remote;
mod progress;
mod query_cmd;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use newsearch::dates::SlashDates;
use newsearch::error::{Error, Result, report};
use newsearch::indexer::{self, IndexEvent, IndexOptions};
use newsearch::output;

use crate::cli::{Cli, Command, IndexArgs, ReportFormat};

/// glibc's allocator spent about 5% of indexing CPU in malloc, free and arena
/// consolidation across the parse and writer threads; with mimalloc a 1M
/// article run took 5-10% less time (2 paired runs) and 30 MB more memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command reports when it did its job.
pub(crate) enum Outcome {
    Done,
    /// Some lines of a batch were rejected (exit 2), the rest ran.
    BatchErrors,
    /// Some ids given to `show` are not in the index (exit 1); the others were shown.
    NotFound,
}

fn main() -> ExitCode {
    panic_hook::install();
    // clap prints its own errors and help (a usage error exits with code 2).
    let cli = Cli::parse();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Index(args) => run_index(&args),
        Command::Query(args) => query_cmd::run(&args),
        Command::Stats(args) => info_cmd::run_stats(&args),
        Command::Aliases(args) => info_cmd::run_aliases(&args),
        Command::Completions(args) => docs::completions(args.shell).map(|()| Outcome::Done),
        Command::Man(args) => docs::man(args.command).map(|()| Outcome::Done),
        Command::Export(args) => export_cmd::run(&args).map(|()| Outcome::Done),
        Command::Show(args) => info_cmd::run_show(&args),
        Command::Dupes(args) => info_cmd::run_dupes(&args),
        Command::Similar(args) => info_cmd::run_similar(&args),
    }));
    // The hook has said what happened; nothing was committed.
    let Ok(result) = run else { return ExitCode::from(1) };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::BatchErrors) => ExitCode::from(2),
        Ok(Outcome::NotFound) => ExitCode::from(1),
        // `newsearch query x | head` closes the pipe early: that is not a failure.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsearch: {}", report(&err));
            ExitCode::from(if err.is_usage() { 2 } else { 1 })
        }
    }
}

/// stdout, buffered; write errors become `Error::Io` so a broken pipe is seen.
pub(crate) fn stdout_error(err: io::Error) -> Error {
    Error::Io { path: "<stdout>".into(), source: err }
}

fn run_index(args: &IndexArgs) -> Result<Outcome> {
    let mut options = IndexOptions::new(args.corpus.clone(), args.index.dir.clone());
    options.rebuild = args.rebuild;
    options.prune = args.prune;
    if let Some(threads) = args.threads {
        options.writer_threads = usize::from(threads);
    }
    options.memory_bytes = args.memory_mb as usize * 1_048_576;
    options.aliases.clone_from(&args.aliases);
    if args.slash_dates.day_first {
        options.slash_dates = Some(SlashDates::DayFirst);
    } else if args.slash_dates.month_first {
        options.slash_dates = Some(SlashDates::MonthFirst);
    }
    let json = args.format == ReportFormat::Json;
    // Warnings and skipped files show on stderr as they happen (the bar, only for
    // a person); `--quiet` leaves a count of them at the end instead.
    let observer = progress::Progress::new(!args.quiet && !json, !args.quiet);
    let on_event = |event: IndexEvent<'_>| observer.on_event(&event);
    let summary = indexer::index_corpus(&options, &on_event);
    observer.finish();
    let summary = summary?;
    let mut out = BufWriter::new(io::stdout().lock());
    output::write_index_report(&summary, json, args.quiet, &mut out).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    if args.quiet {
        progress::print_quiet_tally(&summary, json);
    }
    Ok(Outcome::Done)
}
