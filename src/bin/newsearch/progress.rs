//! The observer of an index run, on stderr. It renders the indexer's events as
//! they come: progress in an indicatif bar (shown only where a person watches:
//! stderr and stdout are terminals, without `--quiet` or `--format json`), and
//! each warning and skipped file as one line, naming the file (and line),
//! printed above the bar. `--quiet` silences both; [`print_quiet_tally`] then
//! still says how many files were skipped (and warnings) and where they are
//! listed. The end-of-run summary on stdout stays the record of the run.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsearch::corpus::path_text;
use newsearch::indexer::{IndexEvent, IndexSummary, Skip};
use newsearch::output::human::{sanitize, sanitize_path};

/// A test hook: with `NEWSEARCH_TEST_STOP_AT=planned` in its environment, a
/// run stops itself (SIGSTOP) once it holds the writer lock and has walked
/// the corpus, before it parses a file, and goes on when continued
/// (SIGCONT). Tests that interrupt, kill or query a run "while it works" need
/// it at a known point: paused from outside, a small run could commit between
/// being seen at work and the signal.
pub const STOP_AT_VAR: &str = "NEWSEARCH_TEST_STOP_AT";

/// What one index run shows on stderr while it goes on.
pub struct Progress {
    bar: ProgressBar,
    /// Whether warnings and skipped files are shown as they happen.
    lines: bool,
    /// See [`STOP_AT_VAR`].
    stop_when_planned: bool,
}

impl Progress {
    /// An observer whose bar shows only where a person is watching (and
    /// `bar` is asked for), and that prints a line per warning and skipped
    /// file when `lines` is asked for, wherever stderr goes.
    pub fn new(bar: bool, lines: bool) -> Progress {
        let visible = bar && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
        let target =
            if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let stop_when_planned = std::env::var_os(STOP_AT_VAR).is_some_and(|at| at == "planned");
        Progress { bar, lines, stop_when_planned }
    }

    /// Shows one event: the bar moves, a warning or skipped file gets its line.
    /// Called from the indexer's parse threads.
    pub fn on_event(&self, event: &IndexEvent<'_>) {
        match event {
            IndexEvent::Planned { files, bytes } => {
                self.bar.set_length(*bytes);
                self.bar.set_message(format!("{files} files"));
                if self.stop_when_planned {
                    stop_self();
                }
            }
            IndexEvent::Parsed { bytes } => self.bar.inc(*bytes),
            IndexEvent::Committing => self.bar.set_message("committing"),
            IndexEvent::Warning { path, line, message } => {
                if self.lines {
                    self.say(&warning_line(path, *line, message));
                }
            }
            IndexEvent::Skipped { skip } => {
                if self.lines {
                    self.say(&skip_line(skip));
                }
            }
        }
    }

    /// Prints `line` on stderr above the bar. (`ProgressBar::println` would
    /// print nothing where the bar is hidden, as in a pipe or a log.)
    fn say(&self, line: &str) {
        self.bar.suspend(|| {
            // A stderr that cannot be written to (closed, a full disk) must not
            // stop the run: the summary still records every line.
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `newsearch: warning: FILE:LINE: MESSAGE`, the file named as the summary
/// names it (a line break in its name escaped).
fn warning_line(path: &Path, line: Option<usize>, message: &str) -> String {
    let path = sanitize_path(&path_text(path)).into_owned();
    let message = sanitize(message);
    match line {
        Some(line) => format!("newsearch: warning: {path}:{line}: {message}"),
        None => format!("newsearch: warning: {path}: {message}"),
    }
}

/// `newsearch: skipped FILE: REASON`.
fn skip_line(skip: &Skip) -> String {
    let path = sanitize_path(&path_text(&skip.path)).into_owned();
    format!("newsearch: skipped {path}: {}", sanitize(&skip.reason))
}

/// With `--quiet`, which hides the per-file lines (and, in human output, the
/// summary): one line on stderr with how many files were skipped and how many
/// warnings there were, and where they are listed. Nothing when there were none.
pub fn print_quiet_tally(summary: &IndexSummary, json: bool) {
    if let Some(line) = quiet_tally(summary, json) {
        let _ = writeln!(io::stderr().lock(), "{line}");
    }
}

/// The line [`print_quiet_tally`] prints.
fn quiet_tally(summary: &IndexSummary, json: bool) -> Option<String> {
    let (skipped, warnings) = (summary.skipped.len(), summary.warnings.len());
    let mut parts = Vec::new();
    if skipped > 0 {
        parts.push(format!("{skipped} {} skipped", if skipped == 1 { "file" } else { "files" }));
    }
    if warnings > 0 {
        parts.push(format!("{warnings} {}", if warnings == 1 { "warning" } else { "warnings" }));
    }
    if parts.is_empty() {
        return None;
    }
    let listed = if json {
        "listed in the JSON report"
    } else {
        "listed without --quiet, and by --format json"
    };
    Some(format!("newsearch: {} ({listed})", parts.join(" and ")))
}

/// Stops this process until it is continued ([`STOP_AT_VAR`]): `kill -STOP`
/// on itself, with no unsafe code; where that fails, the run simply goes on.
fn stop_self() {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill").args(["-STOP", &pid]).status();
}
