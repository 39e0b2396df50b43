//! `newsearch completions SHELL` and `newsearch man [COMMAND]`: both made from
//! the same clap command that parses the arguments, so they cannot fall behind.

use std::io::{self, BufWriter, Write};

use clap::CommandFactory;
use newsearch::error::{Error, Result};

use crate::cli::{self, Cli, ManPage, ShellArg};
use crate::stdout_error;

/// `newsearch completions SHELL`: `clap_complete`'s script.
pub fn completions(shell: ShellArg) -> Result<()> {
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
    out.flush().map_err(stdout_error)
}

/// `newsearch man [COMMAND]`: `clap_mangen`'s roff page of newsearch, or of one
/// command (newsearch(1) lists them as newsearch-index(1) and so on).
pub fn man(page: Option<ManPage>) -> Result<()> {
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
    out.flush().map_err(stdout_error)
}
