//! `newsearch query Q --print-remote quickwit|opensearch`: the remote request
//! on stdout (pretty JSON), notes on what it approximates on stderr, and no
//! search (see [`newsearch::export::remote`]).

use std::io::{self, Write};

use newsearch::error::Result;
use newsearch::export::remote::{self, Target};

use crate::cli::{QueryArgs, RemoteArg};
use crate::{Outcome, stdout_error};

/// Prints the request for `engine`.
pub fn run(args: &QueryArgs, engine: RemoteArg) -> Result<Outcome> {
    let target = match engine {
        RemoteArg::Quickwit => Target::Quickwit,
        RemoteArg::Opensearch => Target::OpenSearch,
    };
    let (body, notes) = remote::print_remote(&args.index.dir, &args.query_args(), target)?;
    for note in notes {
        eprintln!("newsearch: note: {note}");
    }
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &body)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
        .map_err(stdout_error)?;
    Ok(Outcome::Done)
}
