//! Renders indexing progress on stderr with indicatif: hidden when stderr or
//! stdout is not a terminal, and with `--quiet` or `--format json`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsearch::indexer::IndexEvent;

/// The progress bar of one index run.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar that shows only where a person is watching.
    pub fn new(wanted: bool) -> Progress {
        let visible = wanted && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
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
        Progress { bar }
    }

    /// Updates the bar for one event.
    pub fn on_event(&self, event: &IndexEvent<'_>) {
        match event {
            IndexEvent::Planned { files, bytes } => {
                self.bar.set_length(*bytes);
                self.bar.set_message(format!("{files} files"));
            }
            IndexEvent::Parsed { bytes } => self.bar.inc(*bytes),
            IndexEvent::Committing => self.bar.set_message("committing"),
            IndexEvent::Warning { .. } | IndexEvent::Skipped { .. } => {}
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
