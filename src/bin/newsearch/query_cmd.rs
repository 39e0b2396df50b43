//! `newsearch query`: arguments → a [`newsearch::query::SearchRequest`] for the
//! opened index, then one search, a keyword-in-context listing or a batch, written
//! to stdout in the chosen format (and `--provenance FILE` beside it).

use std::io::{self, BufRead, BufWriter, StdoutLock, Write};
use std::path::Path;

use anstream::{AutoStream, ColorChoice};
use newsearch::error::{Error, Result};
use newsearch::output::{self, Format, Position, Style};
use newsearch::query;
use newsearch::query::batch::{self, BatchIo};
use newsearch::search::Searcher;

use crate::cli::{ColorArg, QueryArgs, QueryFormat};
use crate::{Outcome, print_remote, stdout_error};

/// stdout, buffered, and whether human output gets colour, decided once per run:
/// `--color`, else what anstream (clap's own choice) says of stdout (a terminal,
/// `NO_COLOR`, `CLICOLOR_FORCE`). Human output goes through anstream's stream for
/// that choice; JSON and CSV pass through it untouched (CSV keeps text exact).
pub fn stdout(color: ColorArg, human: bool) -> (BufWriter<AutoStream<StdoutLock<'static>>>, Style) {
    let stdout = io::stdout();
    let choice = match color {
        _ if !human => ColorChoice::AlwaysAnsi,
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto => AutoStream::choice(&stdout),
    };
    let style = Style { color: human && choice != ColorChoice::Never };
    (BufWriter::new(AutoStream::new(stdout.lock(), choice)), style)
}

/// Runs `newsearch query`.
pub fn run(args: &QueryArgs) -> Result<Outcome> {
    let format = match args.format {
        QueryFormat::Human => Format::Human,
        QueryFormat::Json => Format::Json,
        QueryFormat::Jsonl => Format::Jsonl,
        QueryFormat::Csv => Format::Csv,
    };
    let query_args = args.query_args();
    // What no index could read is said first, then whether there is an index.
    query::check_args(&query_args)?;
    if let Some(engine) = args.print_remote {
        return print_remote::run(args, engine);
    }
    let searcher = Searcher::open(&args.index.dir)?;
    let template = query::search_request(&query_args, &searcher)?;
    let (mut out, style) = stdout(args.color, format == Format::Human);

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
            let mut provenance = newsearch::output::json::ProvenanceV1::new(&results);
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
