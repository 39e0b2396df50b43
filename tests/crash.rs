//! Crashes and concurrent use: a killed, failed or concurrent `index` run never loses
//! the last commit, and a query only ever sees whole commits.
//!
//! The corpora are generated here: thousands of small articles, so that an index run
//! lasts long enough to be killed or raced. No test depends on timing to pass: where a
//! kill or a race comes too late to matter, the test says so and checks the rest.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use serde_json::Value;

use crate::util::{Workdir, skip};

/// Words of the generated articles: enough of them that every article differs.
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ran", "sul", "te", "vor", "an", "bel", "dri", "es", "fum", "gar", "hol",
    "in", "jat", "ke", "lum", "nor", "op", "qua", "ris", "tam", "zu",
];

/// Writes articles `first..first + count` of the seed layout into `dir`, 100 to a
/// folder, each about 2 KB of pseudo-random words.
fn write_articles(dir: &Path, first: usize, count: usize) {
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

/// `newsearch index ARGS` started in the background, its output discarded.
fn spawn_index(wd: &Workdir, args: &[&str]) -> Child {
    let mut all = vec!["index"];
    all.extend_from_slice(args);
    wd.command(&all).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
}

/// Waits until `child` holds the index's writer lock (it records its pid beside the
/// lock once it has it) and returns true, or returns false if it exited first.
fn wait_for_writer(wd: &Workdir, child: &mut Child) -> bool {
    let holder = wd.join("index/newsearch-writer.txt");
    let needle = format!("pid {},", child.id());
    loop {
        if std::fs::read_to_string(&holder).is_ok_and(|text| text.contains(&needle)) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        sleep(Duration::from_millis(2));
    }
}

/// Documents a `*` query finds; the query must succeed.
fn count(wd: &Workdir) -> u64 {
    wd.query_json(&["*", "-n", "1"])["total_hits"].as_u64().unwrap()
}

fn stats_documents(wd: &Workdir) -> u64 {
    wd.run(&["stats", "--format", "json"]).success().json()["documents"].as_u64().unwrap()
}

#[test]
fn kill_9_in_the_middle_of_a_run_leaves_the_last_commit_and_the_next_run_finishes() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 4000);

    // Killed before its first commit, a new index is no index yet, and says so.
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    if wait_for_writer(&wd, &mut child) && child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
        child.wait().unwrap();
        wd.run(&["query", "*"]).code(1).stderr_has("run `newsearch index");
        wd.run(&["stats"]).code(1).stderr_has("no index at");
    } else {
        eprintln!("note: the first run ended before kill -9");
        child.wait().unwrap();
    }
    let first = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(first["documents"], 4000, "{first}");
    write_articles(&corpus, 4000, 4000);

    // Kill a rebuild, then the run that adds the second 4,000 at several points of its
    // life: right as it takes the lock, while it parses, and later (as it commits, on a
    // fast machine).
    let runs: [(&[&str], u64); 4] = [
        (&["corpus", "--rebuild", "--quiet"], 300),
        (&["corpus", "--quiet"], 0),
        (&["corpus", "--quiet"], 300),
        (&["corpus", "--quiet"], 1500),
    ];
    for (args, delay) in runs {
        let mut child = spawn_index(&wd, args);
        let running = wait_for_writer(&wd, &mut child);
        sleep(Duration::from_millis(delay));
        let killed = running && child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        let documents = count(&wd);
        if killed {
            // The kill may land after the commit, while merges finish: then the second
            // commit is whole. Anything between would be a torn index.
            assert!(documents == 4000 || documents == 8000, "{documents} documents after kill -9");
            if documents == 8000 {
                eprintln!("note: kill -9 of {args:?} after {delay} ms came after the commit");
            }
        } else {
            eprintln!("note: {args:?} ended ({status}) before kill -9 after {delay} ms");
            assert!(status.success());
            assert_eq!(documents, 8000);
        }
        assert_eq!(stats_documents(&wd), documents);
        if documents == 8000 {
            break;
        }
    }

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

#[test]
fn queries_while_indexing_see_the_last_commit_and_never_a_half_written_index() {
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 3000);
    wd.run(&["index", "corpus", "--quiet"]).success();
    write_articles(&corpus, 3000, 3000);

    // Growing: each answer is the old commit or the new one, never back again.
    let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
    let seen = counts_while_running(&wd, &mut child);
    assert!(child.wait().unwrap().success());
    assert!(seen.iter().all(|&n| n == 3000 || n == 6000), "{seen:?}");
    assert!(seen.windows(2).all(|pair| pair[0] <= pair[1]), "{seen:?}");
    eprintln!("note: {} answers during the growing run", seen.len());
    assert_eq!(count(&wd), 6000);

    // Rebuilding deletes every document and adds them again, in one commit: a query
    // must never see the index empty or half full.
    for _ in 0..3 {
        let mut child = spawn_index(&wd, &["corpus", "--rebuild", "--quiet"]);
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
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let holds_lock = wait_for_writer(&wd, &mut first);
    let second = wd.run(&["index", "corpus", "--format", "json"]);
    if holds_lock && second.code == Some(1) {
        let second = second
            .stderr_has("another `newsearch index`")
            .stderr_has(&format!("pid {}", first.id()));
        assert!(second.stdout.is_empty(), "{second}");
        assert_eq!(second.stderr.lines().count(), 1, "{second}");
    } else {
        // The first run ended before the second asked for the lock: no race to test.
        assert!(first.try_wait().unwrap().is_some(), "{second}");
        second.success();
        eprintln!("note: the first writer finished before the second started");
    }

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

/// Sends `signal` (`STOP`, `CONT`) to a child with kill(1).
fn signal(child: &Child, signal: &str) {
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
    assert!(wait_for_writer(&wd, &mut child), "the first run ended before it took the lock");
    signal(&child, "STOP");
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
    assert!(wait_for_writer(&wd, &mut child), "the first run ended before it took the lock");
    child.kill().unwrap();
    child.wait().unwrap();
    wd.run(&["query", "Dispatch"]).code(1).stderr_has("run `newsearch index");
}
