//! The `newsearch` command: parse arguments, call the library, report errors,
//! return the exit code. No search logic lives here.

mod cli;
mod export_cmd;
mod progress;

use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use newsearch::analysis::Aliases;
use newsearch::dates::SlashDates;
use newsearch::error::{Error, Result, report};
use newsearch::indexer::{self, IndexEvent, IndexOptions};
use newsearch::output::{self, Format, Position, Style, human, json};
use newsearch::query;
use newsearch::query::batch::{self, BatchIo};
use newsearch::search::Searcher;
use newsearch::{stats, store};

use crate::cli::{
    AliasesArgs, Cli, ColorArg, Command, IndexArgs, ManPage, QueryArgs, QueryFormat, ReportFormat,
    ShellArg, StatsArgs,
};

/// glibc's allocator spent about 5% of indexing CPU in malloc, free and arena
/// consolidation across the parse and writer threads; with mimalloc a 1M
/// article run took 5-10% less time (2 paired runs) and 30 MB more memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command reports when it did its job.
enum Outcome {
    Done,
    /// Some lines of a batch were rejected (exit 2), the rest ran.
    BatchErrors,
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Index(args) => run_index(&args),
        Command::Query(args) => run_query(&args),
        Command::Stats(args) => run_stats(&args),
        Command::Aliases(args) => run_aliases(&args),
        Command::Completions(args) => run_completions(args.shell),
        Command::Man(args) => run_man(args.command),
        Command::Export(args) => export_cmd::run(&args).map(|()| Outcome::Done),
    }));
    // The hook has said what happened; nothing was committed.
    let Ok(result) = run else { return ExitCode::from(1) };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::BatchErrors) => ExitCode::from(2),
        // `newsearch query x | head` closes the pipe early: that is not a failure.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsearch: {}", report(&err));
            ExitCode::from(if err.is_usage() { 2 } else { 1 })
        }
    }
}

/// A panic is a bug, or an index damaged behind newsearch's back (tantivy asserts
/// on a truncated segment file): either way one `newsearch:` line on stderr,
/// with the way out, instead of a backtrace. The run then exits with code 1.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    let at = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
    eprintln!(
        "newsearch: internal error: {}{at}. If the index was damaged (a file truncated or \
         edited), `newsearch index CORPUS --rebuild` makes it anew; otherwise this is a bug",
        message.replace(['\n', '\r'], " ")
    );
}

/// Parses the command line. Help and version output stay as clap prints them; a usage
/// error becomes one `newsearch: ` line on stderr and exit code 2, like every other error.
fn parse_cli() -> std::result::Result<Cli, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        // `newsearch` alone prints the help (to stderr, exit 2): keep that.
        Err(err)
            if !err.use_stderr()
                || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            err.exit()
        }
        Err(err) => {
            eprintln!("newsearch: {}", clap_message(&err));
            Err(ExitCode::from(2))
        }
    }
}

/// Clap's error on one line: its message (an indented list of missing arguments joined
/// on), then its tips in parentheses; the usage and `--help` hint are dropped.
fn clap_message(err: &clap::Error) -> String {
    // `StyledStr`'s `Display` leaves out colours.
    let text = err.render().to_string();
    let mut paragraphs = text.split("\n\n").filter(|p| !p.trim().is_empty());
    let first = paragraphs.next().unwrap_or_default();
    let first = first.trim().strip_prefix("error: ").unwrap_or(first.trim());
    let mut message = first.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    for line in paragraphs.flat_map(str::lines) {
        if let Some(tip) = line.trim().strip_prefix("tip: ") {
            message = format!("{message} (tip: {tip})");
        }
    }
    message
}

/// stdout, buffered; write errors become `Error::Io` so a broken pipe is seen.
fn stdout_error(err: io::Error) -> Error {
    Error::Io { path: "<stdout>".into(), source: err }
}

/// `newsearch completions SHELL`: `clap_complete`'s script, made from the same clap
/// command that parses the arguments, so it cannot fall behind them.
fn run_completions(shell: ShellArg) -> Result<Outcome> {
    let shell = match shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
        ShellArg::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    // clap_complete panics when a write fails: the script is made in memory, and
    // written as every other output is (a closed pipe is no failure).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}

/// `newsearch man [COMMAND]`: `clap_mangen`'s roff page of newsearch, or of one
/// command (newsearch(1) lists them as newsearch-index(1) and so on).
fn run_man(page: Option<ManPage>) -> Result<Outcome> {
    // As clap_mangen's own `generate_to`: no page for the `help` subcommand, and a
    // built command, whose subcommands know their full names (`newsearch index`).
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    if let Some(page) = page {
        let name = page.command_name();
        let Some(sub) = command.find_subcommand(name).cloned() else {
            return Err(Error::Usage(format!("newsearch has no command {name:?}")));
        };
        command = sub;
    }
    let man = clap_mangen::Man::new(command).source(format!("newsearch {}", cli::VERSION.as_str()));
    let mut out = BufWriter::new(io::stdout().lock());
    man.render(&mut out).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
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
    if json {
        serde_json::to_writer(&mut out, &json::IndexReportV2::new(&summary))
            .map_err(io::Error::from)
            .map_err(stdout_error)?;
        writeln!(out).map_err(stdout_error)?;
    } else if !args.quiet {
        human::write_index_summary(&summary, &mut out).map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    if args.quiet {
        progress::print_quiet_tally(&summary, json);
    }
    Ok(Outcome::Done)
}

/// Whether stdout gets colour, decided once per run: `--color`, else what
/// anstream (clap's own choice) says of stdout (a terminal, `NO_COLOR`,
/// `CLICOLOR_FORCE`).
fn style(color: ColorArg) -> Style {
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    };
    Style { color }
}

fn run_query(args: &QueryArgs) -> Result<Outcome> {
    let format = match args.format {
        QueryFormat::Human => Format::Human,
        QueryFormat::Json => Format::Json,
        QueryFormat::Jsonl => Format::Jsonl,
        QueryFormat::Csv => Format::Csv,
    };
    let style = style(args.color);
    let searcher = Searcher::open(&args.index.dir)?;
    let template = query::search_request(&args.query_args(), &searcher)?;
    let mut out = BufWriter::new(io::stdout().lock());

    if args.kwic {
        let rows = searcher.kwic(&template, args.context as usize)?;
        output::kwic::write_kwic(&rows, format, style, &mut out).map_err(stdout_error)?;
        out.flush().map_err(stdout_error)?;
        return Ok(Outcome::Done);
    }
    let Some(batch) = &args.batch else {
        let results = searcher.search(&template)?;
        output::write_results(&results, format, style, Position::Single, &mut out)
            .map_err(stdout_error)?;
        if let Some(path) = &args.provenance {
            let mut provenance = json::ProvenanceV1::new(&results);
            provenance.written_at = Some(chrono::Utc::now().to_rfc3339());
            let text = serde_json::to_string_pretty(&provenance).map_err(io::Error::from);
            text.and_then(|text| std::fs::write(path, text + "\n")).map_err(Error::io(path))?;
        }
        out.flush().map_err(stdout_error)?;
        return Ok(Outcome::Done);
    };
    let (mut input, name): (Box<dyn BufRead>, _) = if batch == Path::new("-") {
        (Box::new(io::stdin().lock()), "<stdin>".into())
    } else {
        let file = std::fs::File::open(batch).map_err(Error::io(batch))?;
        (Box::new(io::BufReader::new(file)), batch.display().to_string())
    };
    let lines =
        BatchIo { input: &mut input, name: &name, path: batch, out: &mut out, format, style };
    let rejected =
        batch::run(&searcher, &template, lines, &mut |message| eprintln!("newsearch: {message}"))?;
    out.flush().map_err(stdout_error)?;
    Ok(if rejected { Outcome::BatchErrors } else { Outcome::Done })
}

fn run_stats(args: &StatsArgs) -> Result<Outcome> {
    let stats = stats::index_stats(&args.index.dir)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer(&mut out, &json::StatsReportV1::new(&stats))
                .map_err(io::Error::from)
                .map_err(stdout_error)?;
            writeln!(out).map_err(stdout_error)?;
        }
        ReportFormat::Human => {
            human::write_stats(&stats, style(ColorArg::Auto), &mut out).map_err(stdout_error)?;
        }
    }
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Done)
}

fn run_aliases(args: &AliasesArgs) -> Result<Outcome> {
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
