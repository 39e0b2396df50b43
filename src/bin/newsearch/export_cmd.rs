//! `newsearch export`: arguments → [`newsearch::export::ExportOptions`], a
//! progress bar on stderr while documents are written, and the summary on
//! stdout (documents, bytes, files, time, and how to load the files).

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsearch::error::{Error, Result};
use newsearch::export::{self, ExportEvent, ExportOptions, ExportSummary, Target};
use newsearch::output::human::sanitize_path;

use crate::cli::{ExportArgs, TargetArg};

/// Runs `newsearch export`.
pub fn run(args: &ExportArgs) -> Result<()> {
    let target = match args.target {
        TargetArg::Quickwit => Target::Quickwit,
        TargetArg::Opensearch => Target::OpenSearch,
        TargetArg::Ndjson => Target::Ndjson,
    };
    let mut options = ExportOptions::new(args.index.dir.clone(), args.to.clone(), target);
    options.query.clone_from(&args.query);
    options.since.clone_from(&args.selection.since);
    options.until.clone_from(&args.selection.until);
    options.filters.clone_from(&args.selection.filter);
    options.name.clone_from(&args.name);
    options.bulk_max_bytes = args.bulk_max_bytes;

    let visible = !args.quiet && io::stderr().is_terminal() && io::stdout().is_terminal();
    let bar = ProgressBar::with_draw_target(
        None,
        if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {human_pos}/{human_len} documents, {msg} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let written = std::cell::Cell::new(0_u64);
    let result = export::export(&options, &|event| match event {
        ExportEvent::Started { documents } => bar.set_length(documents),
        ExportEvent::Written { bytes } => {
            written.set(written.get() + bytes);
            bar.inc(1);
            // Formatting costs more than the bar's redraws: once every 1024 documents.
            if bar.position().is_multiple_of(1024) {
                bar.set_message(format!("{}", indicatif::BinaryBytes(written.get())));
            }
        }
    });
    bar.finish_and_clear();
    let summary = result?;
    if !args.quiet {
        let mut out = io::stdout().lock();
        write_summary(&summary, args.target, &mut out)
            .and_then(|()| out.flush())
            .map_err(|source| Error::Io { path: "<stdout>".into(), source })?;
    }
    Ok(())
}

fn write_summary(
    summary: &ExportSummary,
    target: TargetArg,
    out: &mut impl Write,
) -> io::Result<()> {
    let secs = summary.elapsed.as_secs_f64().max(1e-6);
    writeln!(
        out,
        "exported {} documents, {} in {} files, in {:.1} s ({:.0} documents/s, {}/s)",
        summary.documents,
        indicatif::BinaryBytes(summary.bytes),
        summary.files.len(),
        secs,
        summary.documents as f64 / secs,
        indicatif::BinaryBytes((summary.bytes as f64 / secs) as u64),
    )?;
    for file in &summary.files {
        writeln!(out, "  {}", sanitize_path(&file.display().to_string()))?;
    }
    if !summary.load_commands.is_empty() {
        let engine = match target {
            TargetArg::Quickwit => "Quickwit",
            TargetArg::Opensearch => "OpenSearch (set OPENSEARCH to its URL)",
            TargetArg::Ndjson => "",
        };
        writeln!(out, "load into {engine}:")?;
        for command in &summary.load_commands {
            writeln!(out, "  {command}")?;
        }
    }
    Ok(())
}
