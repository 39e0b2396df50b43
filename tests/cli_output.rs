//! What `newsearch` writes to stdout and which code it exits with, in the corners:
//! a reader that stops early, batches with bad lines, hostile article text, a
//! damaged index.

use std::io::Read;
use std::process::Stdio;

use crate::util::Workdir;

/// A workdir with `count` small articles in `corpus/`, indexed; every article
/// mentions Sirte, and titles are long enough that a few hundred hits make
/// more output than any buffer between newsearch and a pipe holds.
fn indexed_articles(count: usize) -> Workdir {
    let wd = Workdir::new();
    for n in 0..count {
        wd.write(
            &format!("corpus/{n:04}.txt"),
            format!(
                "Fighting near Sirte, report number {n} of a long series of reports\n\n\
                 2016-09-04\n\nForces advanced on Sirte on day {n}.\n"
            ),
        );
    }
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

#[test]
fn every_query_format_exits_0_when_the_reader_closes_the_pipe() {
    let wd = indexed_articles(400);
    for format in ["human", "json", "jsonl", "csv"] {
        let args = ["query", "*", "--all", "--format", format];
        let mut child =
            wd.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Close the read end before newsearch writes anything: its first write to
        // stdout fails with a broken pipe, as after `| head -1`.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "--format {format}: stderr {stderr:?}");
        assert_eq!(stderr, "", "--format {format}");
    }
}
