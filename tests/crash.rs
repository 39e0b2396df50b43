//! Crashes and concurrent use: a killed, failed or concurrent `index` run never loses
//! the last commit, and a query only ever sees whole commits.
//!
//! The corpora are generated here: thousands of small articles, so that an index run
//! lasts long enough to be killed or raced. No test depends on timing to pass: a
//! writer that must still be at work when it is killed, queried or raced is paused
//! with SIGSTOP once it holds the lock (before it has read a file), so it cannot
//! commit in between; a writer that never takes the lock fails the test. Timeouts
//! are only generous bounds against hangs.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Workdir, skip};

/// Words of the generated articles: enough of them that every article differs.
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ran", "sul", "te", "vor", "an", "bel", "dri", "es", "fum", "gar", "hol",
    "in", "jat", "ke", "lum", "nor", "op", "qua", "ris", "tam", "zu",
];

/// An upper bound for anything a test waits for, against hangs only: far above what
/// the slowest machine needs.
pub(crate) const HANG: Duration = Duration::from_secs(300);

/// Writes articles `first..first + count` of the seed layout into `dir`, 100 to a
/// folder, each about 2 KB of pseudo-random words.
pub(crate) fn write_articles(dir: &Path, first: usize, count: usize) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ first as u64;
    let mut word = || {
        let mut text = String::new();
        for _ in 0..2 + state % 3 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(SYLLABLES[(state >> 59) as usize % SYLLABLES.len()]);
        }
        text
    };
    for n in first..first + count {
        let folder = dir.join(format!("batch-{:03}", n / 100));
        std::fs::create_dir_all(&folder).unwrap();
        let mut text = format!(
            "Generated Dispatch {n}\n\nGenerated Dispatch {n}\nSun Sep 4, 2016 15:14:55\n\n"
        );
        for _ in 0..5 {
            let sentence: Vec<String> = (0..60).map(|_| word()).collect();
            text.push_str(&sentence.join(" "));
            text.push_str(".\n\n");
        }
        std::fs::write(folder.join(format!("{n:05}.txt")), text).unwrap();
    }
}

/// The binary's test hook: a run with this variable set to `planned` stops
/// itself once it holds the lock, before it reads a file (see [`wait_for_writer`]).
pub(crate) const STOP_AT_VAR: &str = "NEWSEARCH_TEST_STOP_AT";

/// `newsearch index ARGS` started in the background, its output discarded; it
/// stops itself at work (see [`wait_for_writer`]).
pub(crate) fn spawn_index(wd: &Workdir, args: &[&str]) -> Child {
    let mut all = vec!["index"];
    all.extend_from_slice(args);
    let mut command = wd.command(&all);
    command.env(STOP_AT_VAR, "planned").stdout(Stdio::null()).stderr(Stdio::null());
    command.spawn().unwrap()
}

/// Whether the process `pid` is stopped (`T` in `/proc/PID/stat`); `None`
/// where `/proc` does not say.
fn stopped(pid: u32) -> Option<bool> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses.
    let state = stat.rsplit_once(") ")?.1.chars().next()?;
    Some(state == 'T' || state == 't')
}

/// Waits until `child`, started with [`STOP_AT_VAR`] set, holds the writer lock
/// of the index at `index/` (it records its pid beside the lock once it has it)
/// and has stopped itself there, before it reads a file: it cannot commit until
/// it is continued, whatever the timing. Fails the test if the child exits first
/// or never gets there: a test that needs a writer at work must not pass
/// without one.
#[track_caller]
pub(crate) fn wait_for_writer(wd: &Workdir, child: &mut Child) {
    let holder = wd.join("index/newsearch-writer.txt");
    let needle = format!("pid {},", child.id());
    let start = Instant::now();
    loop {
        if std::fs::read_to_string(&holder).is_ok_and(|text| text.contains(&needle))
            && stopped(child.id()).unwrap_or(true)
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the writer ended ({status}) before it was seen holding the lock");
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("the writer did not record itself in {} within {HANG:?}", holder.display());
        }
        sleep(Duration::from_millis(2));
    }
}

/// Documents a `*` query finds; the query must succeed.
pub(crate) fn count(wd: &Workdir) -> u64 {
    wd.query_json(&["*", "-n", "1"])["total_hits"].as_u64().unwrap()
}

pub(crate) fn stats_documents(wd: &Workdir) -> u64 {
    wd.run(&["stats", "--format", "json"]).success().json()["documents"].as_u64().unwrap()
}

#[test]
fn kill_9_in_the_middle_of_a_run_leaves_the_last_commit_and_the_next_run_finishes() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 4000);

    // Killed before its first commit (paused while it holds the lock, so it cannot
    // have committed), a new index is no index yet, and says so.
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    wait_for_writer(&wd, &mut child);
    signal(&child, "STOP");
    child.kill().unwrap(); // SIGKILL, which a paused process cannot hold off
    child.wait().unwrap();
    wd.run(&["query", "*"]).code(1).stderr_has("run `newsearch index");
    wd.run(&["stats"]).code(1).stderr_has("no index at");
    let first = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(first["documents"], 4000, "{first}");
    write_articles(&corpus, 4000, 4000);

    // Kill a rebuild and the run that adds the second 4,000 at several points of
    // their lives. Paused (`None`): right as they take the lock, before any commit,
    // so these kills always land mid-run. Then after a delay, while they parse or
    // later (as they commit, on a fast machine): these may come after the commit.
    let runs: [(&[&str], Option<u64>); 5] = [
        (&["corpus", "--rebuild", "--quiet"], None),
        (&["corpus", "--quiet"], None),
        (&["corpus", "--rebuild", "--quiet"], Some(300)),
        (&["corpus", "--quiet"], Some(300)),
        (&["corpus", "--quiet"], Some(1500)),
    ];
    let mut killed_mid_run = 0;
    for (args, delay) in runs {
        let mut child = spawn_index(&wd, args);
        wait_for_writer(&wd, &mut child);
        match delay {
            None => signal(&child, "STOP"),
            Some(delay) => {
                signal(&child, "CONT");
                sleep(Duration::from_millis(delay));
            }
        }
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        let documents = count(&wd);
        if delay.is_none() {
            assert!(killed, "{args:?} ended ({status}) while paused");
            assert_eq!(documents, 4000, "{args:?} killed before its commit");
        }
        if killed {
            // A late kill may land after the commit, while merges finish: then the
            // second commit is whole. Anything between would be a torn index.
            assert!(documents == 4000 || documents == 8000, "{documents} documents after kill -9");
            killed_mid_run += u32::from(documents == 4000);
        } else {
            assert!(status.success(), "{args:?}: {status}");
            assert_eq!(documents, 8000);
        }
        assert_eq!(stats_documents(&wd), documents);
        if documents == 8000 {
            break;
        }
    }
    assert!(killed_mid_run >= 2, "{killed_mid_run} runs killed before their commit");

    // The next run is not blocked by a stale lock and ends with every document.
    let last = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(last["documents"], 8000, "{last}");
    assert_eq!(count(&wd), 8000);
    assert_eq!(stats_documents(&wd), 8000);
    assert_eq!(wd.query_json(&["title:\"Generated Dispatch 7999\""])["total_hits"], 1);
}

/// Runs `*` queries and `stats` until `child` exits, and returns every count seen, in
/// order; each query must succeed.
fn counts_while_running(wd: &Workdir, child: &mut Child) -> Vec<u64> {
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        seen.push(count(wd));
        seen.push(stats_documents(wd));
    }
    seen
}

/// Pauses the writer `child` once it holds the lock (so it cannot commit), asks a
/// `*` query and `stats` for their counts, and lets it go on: at least one answer is
/// always given while the writer is at work.
fn counts_while_paused(wd: &Workdir, child: &mut Child) -> [u64; 2] {
    wait_for_writer(wd, child);
    pause_writer(child);
    let counts = [count(wd), stats_documents(wd)];
    signal(child, "CONT");
    counts
}

#[test]
fn queries_while_indexing_see_the_last_commit_and_never_a_half_written_index() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 3000);
    wd.run(&["index", "corpus", "--quiet"]).success();
    write_articles(&corpus, 3000, 3000);

    // Growing: while the writer works, the answer is the last commit; after that,
    // each answer is the old commit or the new one, never back again.
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    assert_eq!(counts_while_paused(&wd, &mut child), [3000, 3000]);
    let seen = counts_while_running(&wd, &mut child);
    assert!(child.wait().unwrap().success());
    assert!(seen.iter().all(|&n| n == 3000 || n == 6000), "{seen:?}");
    assert!(seen.windows(2).all(|pair| pair[0] <= pair[1]), "{seen:?}");
    assert_eq!(count(&wd), 6000);

    // Rebuilding deletes every document and adds them again, in one commit: a query
    // must never see the index empty or half full.
    for _ in 0..3 {
        let mut child = spawn_index(&wd, &["corpus", "--rebuild", "--quiet"]);
        assert_eq!(counts_while_paused(&wd, &mut child), [6000, 6000]);
        let seen = counts_while_running(&wd, &mut child);
        assert!(child.wait().unwrap().success());
        assert!(seen.iter().all(|&n| n == 6000), "{seen:?}");
    }
    assert_eq!(count(&wd), 6000);
}

#[test]
fn a_second_writer_fails_fast_naming_the_first_which_is_unharmed() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 10);
    wd.run(&["index", "corpus", "--quiet"]).success();
    write_articles(&corpus, 10, 3990);

    let mut first = wd
        .command(&["index", "corpus", "--rebuild", "--format", "json"])
        .env(STOP_AT_VAR, "planned")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Paused while it holds the lock: a second writer that waited for the lock
    // instead of failing would wait until the bound below, and fail the test.
    wait_for_writer(&wd, &mut first);
    pause_writer(&first);
    let second = wd.run_within(&["index", "corpus", "--format", "json"], HANG);
    signal(&first, "CONT");
    let second = second
        .code(1)
        .stderr_has("another `newsearch index`")
        .stderr_has(&format!("pid {}", first.id()));
    assert!(second.stdout.is_empty(), "{second}");
    assert_eq!(second.stderr.lines().count(), 1, "{second}");

    let output = first.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["documents"], 4000, "{summary}");
    assert_eq!(count(&wd), 4000);
    assert_eq!(stats_documents(&wd), 4000);
}

/// A tmpfs mounted on a folder for the length of a test; unmounted on drop, also when
/// the test fails.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`1m`) on `dir`, or says why it cannot.
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|err| format!("mount: {err}"))?;
        if output.status.success() {
            Ok(Tmpfs(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).status().is_ok_and(|s| s.success());
        if !unmounted {
            // Busy (a child still running): detach it now, it goes when released.
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

#[test]
fn a_full_disk_fails_the_run_clearly_and_keeps_the_last_commit() {
    let wd = Workdir::new();
    let small = wd.join("disk");
    let _tmpfs = match Tmpfs::mount(&small, "1m") {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            skip(&format!("cannot mount a small tmpfs to fill ({why})"));
            return;
        }
    };
    let index = small.join("index");
    let index = index.to_str().unwrap();
    write_articles(&wd.join("few"), 0, 3);
    // ~2 MB of text: its index cannot fit in 1 MB.
    write_articles(&wd.join("many"), 3, 1000);
    let before = wd.run(&["index", "few", "--index", index, "--format", "json"]).success().json();
    assert_eq!(before["documents"], 3);

    let full = wd.run(&["index", "many", "--index", index, "--format", "json"]).code(1);
    let full = full.stderr_has("No space left on device");
    assert!(full.stdout.is_empty(), "{full}");
    assert!(full.stderr.starts_with("newsearch: ") && full.stderr.lines().count() == 1, "{full}");

    // The last commit answers, and the failed run's files are gone, so the next run
    // has room to commit.
    let query = |args: &[&str]| {
        let mut all = vec!["--index", index];
        all.extend_from_slice(args);
        wd.query_json(&all)
    };
    assert_eq!(query(&["*"])["total_hits"], 3);
    let stats = wd.run(&["stats", "--index", index, "--format", "json"]).success().json();
    assert_eq!(stats["documents"], 3);
    let again = wd.run(&["index", "few", "--index", index, "--format", "json"]).success().json();
    assert_eq!((again["unchanged"].as_u64(), again["documents"].as_u64()), (Some(3), Some(3)));
    write_articles(&wd.join("few"), 1003, 2);
    let grown = wd.run(&["index", "few", "--index", index, "--format", "json"]).success().json();
    assert_eq!(grown["documents"], 5, "{grown}");
}

/// Every file below `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn index_and_rebuild_never_touch_files_that_are_not_newsearch_s() {
    // tests/index_cmd.rs covers a plain folder of user files; these are the other ways
    // to point --index at something precious.
    let wd = Workdir::new();
    write_articles(&wd.join("corpus"), 0, 3);
    wd.write("notes.txt", "my notes");
    let corpus_before = snapshot(&wd.join("corpus"));

    // A file, not a folder.
    for rebuild in [false, true] {
        let mut args = vec!["index", "corpus", "--index", "notes.txt"];
        args.extend(rebuild.then_some("--rebuild"));
        let output = wd.run(&args).code(1);
        assert_eq!(output.stderr.lines().count(), 1, "{output}");
    }
    assert_eq!(std::fs::read_to_string(wd.join("notes.txt")).unwrap(), "my notes");

    // The corpus itself.
    for rebuild in [false, true] {
        let mut args = vec!["index", "corpus", "--index", "corpus"];
        args.extend(rebuild.then_some("--rebuild"));
        wd.run(&args).code(1).stderr_has("not a newsearch index");
    }
    assert_eq!(snapshot(&wd.join("corpus")), corpus_before);

    // An index of an older format, with the user's files beside it: without --rebuild
    // it is refused; --rebuild replaces newsearch's files and only those.
    wd.write("old/newsearch.json", r#"{"format":0,"created_by":"newsearch 0.0.1"}"#);
    wd.write("old/meta.json", "{}");
    let mine = [
        ("old/notes.txt", "mine"),
        ("old/meta.json.bak", "my backup"),
        ("old/sub/deep.txt", "deep"),
        ("old/newsearch.json.orig", "kept"),
    ];
    for (path, text) in mine {
        wd.write(path, text);
    }
    let refused = wd.run(&["index", "corpus", "--index", "old"]).code(1);
    let refused = refused.stderr_has("index format 0").stderr_has("--rebuild");
    assert_eq!(std::fs::read_to_string(wd.join("old/meta.json")).unwrap(), "{}", "{refused}");
    let rebuilt = wd.run(&["index", "corpus", "--index", "old", "--rebuild", "--format", "json"]);
    assert_eq!(rebuilt.success().json()["documents"], 3);
    for (path, text) in mine {
        assert_eq!(std::fs::read_to_string(wd.join(path)).unwrap(), text, "{path}");
    }
    assert_eq!(wd.query_json(&["--index", "old", "*"])["total_hits"], 3);

    // The user's file inside a live index survives runs and rebuilds.
    wd.write("old/notes.txt", "still mine");
    wd.run(&["index", "corpus", "--index", "old", "--rebuild", "--quiet"]).success();
    wd.run(&["index", "corpus", "--index", "old", "--quiet"]).success();
    assert_eq!(std::fs::read_to_string(wd.join("old/notes.txt")).unwrap(), "still mine");
    assert_eq!(snapshot(&wd.join("corpus")), corpus_before);
}

/// Damage done behind newsearch's back: one line and exit 1 (never a panic's
/// backtrace), and `--rebuild` makes the index anew.
#[test]
fn a_damaged_index_is_reported_in_one_line_and_rebuild_mends_it() {
    let wd = Workdir::new();
    write_articles(&wd.join("corpus"), 0, 20);
    wd.run(&["index", "corpus", "--quiet"]).success();
    let before = count(&wd);
    let index = wd.join("index");
    let one_line = |out: &crate::util::Output| {
        assert!(out.stderr.starts_with("newsearch: ") && out.stderr.lines().count() == 1, "{out}");
        assert!(out.stderr.contains("--rebuild"), "{out}");
    };

    // A segment file cut short: tantivy asserts on it.
    let segment = std::fs::read_dir(&index)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "idx"))
        .unwrap();
    std::fs::OpenOptions::new().write(true).open(&segment).unwrap().set_len(5).unwrap();
    for args in [&["query", "article"][..], &["stats"]] {
        let out = wd.run(args).code(1);
        one_line(&out);
    }
    wd.run(&["index", "corpus", "--rebuild", "--quiet"]).success();
    assert_eq!(count(&wd), before);

    // A segment file gone: tantivy reports it rather than panicking.
    let term = std::fs::read_dir(&index)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "term"))
        .unwrap();
    std::fs::remove_file(term).unwrap();
    let out = wd.run(&["query", "article"]).code(1);
    one_line(&out);
    assert!(out.stderr.contains("the index is damaged"), "{out}");
    wd.run(&["index", "corpus", "--rebuild", "--quiet"]).success();
    assert_eq!(count(&wd), before);

    // Metadata that is not JSON.
    std::fs::write(index.join("meta.json"), "garbage").unwrap();
    let out = wd.run(&["query", "article"]).code(1);
    one_line(&out);
    assert!(out.stderr.contains("the index is damaged"), "{out}");
    wd.run(&["index", "corpus", "--rebuild", "--quiet"]).success();
    assert_eq!(count(&wd), before);
}

/// Pauses the writer `child` (SIGSTOP) at a moment when it does not hold tantivy's
/// meta lock. A writer takes that lock for moments (as it opens a searcher on the
/// last commit, or collects garbage) and readers wait for it: paused inside it, the
/// writer would keep every query waiting, which no real run does. A process that
/// has no `.tantivy-meta.lock` open cannot hold the lock (an flock lives with its
/// open file); where `/proc` does not list open files, the pause is taken as it is.
pub(crate) fn pause_writer(child: &Child) {
    let fds = PathBuf::from(format!("/proc/{}/fd", child.id()));
    let start = Instant::now();
    loop {
        signal(child, "STOP");
        let Ok(entries) = std::fs::read_dir(&fds) else { return };
        let holds = entries.flatten().any(|entry| {
            std::fs::read_link(entry.path()).is_ok_and(|to| to.ends_with(".tantivy-meta.lock"))
        });
        if !holds {
            return;
        }
        assert!(start.elapsed() < HANG, "the writer held the meta lock for {HANG:?}");
        signal(child, "CONT");
        sleep(Duration::from_millis(1));
    }
}

/// Sends `signal` (`STOP`, `CONT`, `INT`) to a child with kill(1).
pub(crate) fn signal(child: &Child, signal: &str) {
    let sent = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
    assert!(sent.unwrap().success(), "kill -{signal} failed");
}

#[test]
fn a_query_during_the_first_run_says_the_index_is_being_built() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 3000);
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    // The writer records itself before it reads a file; paused there, it
    // cannot commit, so what the query sees does not depend on timing.
    wait_for_writer(&wd, &mut child);
    pause_writer(&child);
    let during = wd.run(&["query", "Dispatch"]);
    signal(&child, "CONT");
    assert!(child.wait().unwrap().success());
    let during = during.code(1).stderr_has("is being built by `newsearch index`");
    assert!(during.stderr.contains(&format!("pid {}", child.id())), "{during}");
    assert!(!during.stderr.contains("run `newsearch index"), "{during}");
    assert_eq!(count(&wd), 3000);

    // A first run killed before its commit leaves no one building: the usual advice.
    std::fs::remove_dir_all(wd.join("index")).unwrap();
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    wait_for_writer(&wd, &mut child);
    signal(&child, "STOP");
    child.kill().unwrap();
    child.wait().unwrap();
    wd.run(&["query", "Dispatch"]).code(1).stderr_has("run `newsearch index");
}
