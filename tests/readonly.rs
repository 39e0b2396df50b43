//! Indexes newsearch may read but not write (read-only media, a colleague's copy
//! without write permission) answer `query` and `stats` as the original does,
//! and `index` there says the folder is read-only. Indexes it may not read say
//! permission denied, naming the file: never damaged, never `--rebuild`, which
//! would replace someone else's index.
//!
//! Root ignores permissions: these tests then run newsearch as `nobody`
//! (`setpriv`). A read-only mount is made in a private mount namespace
//! (`unshare`), so that nothing outlives the test. Where either cannot be had,
//! the test skips with the reason, and fails instead under CI.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{Output, Workdir, copy_dir, run_as_nobody, run_command, skip};

/// A query with hits in several sources, every hit listed.
const QUERY: [&str; 5] = ["query", "Syria", "--all", "--format", "json"];
const STATS: [&str; 3] = ["stats", "--format", "json"];

/// What a run answered, without its timing.
#[track_caller]
fn answer(output: Output) -> Value {
    let mut json = output.success().json();
    if let Some(fields) = json.as_object_mut() {
        fields.remove("took_ms");
    }
    json
}

/// `args` with `--index FOLDER`.
fn with_index<'a>(args: &[&'a str], folder: &'a str) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--index", folder]);
    all
}

/// The original index's answers to [`QUERY`] and [`STATS`].
fn expected(wd: &Workdir) -> (Value, Value) {
    let query = answer(wd.run(&QUERY));
    assert!(query["total_hits"].as_u64().unwrap() > 1, "{query:#}");
    (query, answer(wd.run(&STATS)))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Permissions a test takes away, given back on drop (a folder without them
/// could not be removed with the workdir).
struct Restore(Vec<(PathBuf, u32)>);

impl Restore {
    /// Sets `path` to `mode`.
    fn mode(path: &Path, mode: u32) -> Restore {
        let restore = Restore(vec![(path.to_path_buf(), self::mode(path))]);
        set_mode(path, mode);
        restore
    }

    /// `chmod -R a-w path`.
    fn read_only_tree(path: &Path) -> Restore {
        fn walk(path: &Path, saved: &mut Vec<(PathBuf, u32)>) {
            if path.is_dir() {
                for entry in std::fs::read_dir(path).unwrap() {
                    walk(&entry.unwrap().path(), saved);
                }
            }
            let was = mode(path);
            saved.push((path.to_path_buf(), was));
            set_mode(path, was & !0o222);
        }
        let mut saved = Vec::new();
        walk(path, &mut saved);
        Restore(saved)
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, mode) in self.0.iter().rev() {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(*mode));
        }
    }
}

/// The names in a folder, for "nothing was written here".
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs newsearch where the permissions taken away hold: as this user, or as
/// `nobody` where this user (root) ignores them. `None` where that cannot be
/// done: the test is skipped (a failure under CI).
fn run_restricted(wd: &Workdir, as_root: bool, args: &[&str]) -> Option<Output> {
    if !as_root {
        return Some(wd.run(args));
    }
    // `run_as_nobody` opens `corpus/` and `index/` to nobody.
    std::fs::create_dir_all(wd.join("corpus")).unwrap();
    let output = run_as_nobody(wd, args);
    if output.is_none() {
        skip("root ignores permissions and newsearch cannot run as `nobody` here");
    }
    output
}

/// Asserts that a run failed on a permission, named `file`, and neither called
/// the index damaged nor suggested a rebuild.
#[track_caller]
fn assert_permission_denied(output: Output, file: &str) {
    let output = output.code(1).stderr_has("permission denied").stderr_has(file);
    assert!(!output.stderr.contains("damaged"), "{output}");
    assert!(!output.stderr.contains("--rebuild"), "{output}");
}

#[test]
fn a_copy_without_write_permission_answers_query_and_stats() {
    let wd = Workdir::indexed_sample_corpus();
    let (query, stats) = expected(&wd);
    let copy = wd.join("colleague-copy");
    copy_dir(&wd.join("index"), &copy);
    let files = listing(&copy);
    let read_only = Restore::read_only_tree(&copy);
    let probe = copy.join("write-probe");
    let as_root = std::fs::write(&probe, "").is_ok();
    let _ = std::fs::remove_file(&probe);
    let run = |args: &[&str]| run_restricted(&wd, as_root, &with_index(args, "colleague-copy"));

    let Some(output) = run(&QUERY) else { return };
    assert_eq!(answer(output), query);
    assert_eq!(answer(run(&STATS).unwrap()), stats);
    // Updating it is refused for what it is, not blamed on another writer.
    let output = run(&["index", "sample-corpus"]).unwrap().code(1).stderr_has("read-only");
    assert!(!output.stderr.contains("another"), "{output}");
    assert_eq!(listing(&copy), files, "reading wrote into the folder");
    drop(read_only);
}

/// Runs newsearch as this user in a private mount namespace where `folder` (in
/// the workdir) is mounted read-only onto itself; the mount ends with the run.
/// Root needs no more; another user maps itself to root in a user namespace.
fn run_in_read_only_mount(wd: &Workdir, unshare: &[&str], folder: &str, args: &[&str]) -> Output {
    const SCRIPT: &str = r#"set -e
mount --bind "$1" "$1"
mount -o remount,bind,ro "$1"
if touch "$1/write-probe" 2>/dev/null; then echo "the mount is writable" >&2; exit 99; fi
shift
exec "$@""#;
    let mut command = Command::new("unshare");
    command
        .args(unshare)
        .args(["sh", "-c", SCRIPT, "sh", folder, env!("CARGO_BIN_EXE_newsearch")])
        .args(args)
        .current_dir(wd.path())
        .stdin(std::process::Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("NEWSEARCH_") {
            command.env_remove(key);
        }
    }
    command.env("NEWSEARCH_INDEX", wd.join(folder));
    run_command(&mut command, args)
}

#[test]
fn an_index_on_a_read_only_mount_answers_query_and_stats() {
    let wd = Workdir::indexed_sample_corpus();
    let (query, stats) = expected(&wd);
    let mounted = wd.join("mounted");
    copy_dir(&wd.join("index"), &mounted);
    // Some copies leave tantivy's empty lock files behind: the reader may not create
    // them either.
    for lock in [".tantivy-meta.lock", ".tantivy-writer.lock"] {
        let _ = std::fs::remove_file(mounted.join(lock));
    }
    let files = listing(&mounted);
    if let Err(err) = Command::new("unshare").arg("--version").output() {
        skip(&format!("`unshare` cannot run here ({err}), so no read-only mount can be made"));
        return;
    }
    let ways: [&[&str]; 2] = [&["--mount"], &["--map-root-user", "--mount"]];
    let mut failures = Vec::new();
    let way = ways.into_iter().find(|way| {
        let probe = run_in_read_only_mount(&wd, way, "mounted", &["--version"]);
        let works = probe.code == Some(0);
        if !works {
            failures.push(format!("unshare {}: {}", way.join(" "), probe.stderr.trim()));
        }
        works
    });
    let Some(way) = way else {
        skip(&format!("no read-only mount can be made here ({})", failures.join("; ")));
        return;
    };
    let run = |args: &[&str]| run_in_read_only_mount(&wd, way, "mounted", args);

    assert_eq!(answer(run(&QUERY)), query);
    assert_eq!(answer(run(&STATS)), stats);
    let output =
        run(&["index", "sample-corpus"]).code(1).stderr_has("read-only").stderr_has("Read-only");
    assert!(!output.stderr.contains("another"), "{output}");
    assert_eq!(listing(&mounted), files, "reading wrote into the folder");
}

#[test]
fn an_index_this_user_may_not_read_says_permission_denied() {
    let wd = Workdir::indexed_sample_corpus();
    let (query, _) = expected(&wd);
    let index = wd.join("index");
    let segment = listing(&index)
        .into_iter()
        .find(|name| Path::new(name).extension().is_some_and(|ext| ext == "idx"))
        .unwrap();
    let rebuild = ["index", "sample-corpus", "--rebuild", "--format", "json"];
    // tantivy's own metadata, newsearch's marker, a segment.
    for file in [".managed.json", "meta.json", "newsearch.json", segment.as_str()] {
        let path = index.join(file);
        let taken = Restore::mode(&path, 0o000);
        let as_root = std::fs::read(&path).is_ok();
        if as_root {
            // As `index` leaves a file when root built it without sharing it.
            set_mode(&path, 0o600);
        }
        let Some(output) = run_restricted(&wd, as_root, &QUERY) else { return };
        assert_permission_denied(output, file);
        assert_permission_denied(run_restricted(&wd, as_root, &STATS).unwrap(), file);
        if file != segment {
            // Refused before anything is deleted. (A rebuild reads no segment: the
            // owner may rebuild an index with an unreadable one.)
            assert_permission_denied(run_restricted(&wd, as_root, &rebuild).unwrap(), file);
        }
        drop(taken);
        assert_eq!(answer(wd.run(&QUERY)), query, "after {file} was unreadable");
    }

    // A folder that may not be searched is not "no index".
    copy_dir(&index, &wd.join("private"));
    let _taken = Restore::mode(&wd.join("private"), 0o000);
    let as_root = std::fs::read_dir(wd.join("private")).is_ok();
    if as_root {
        set_mode(&wd.join("private"), 0o700);
    }
    for args in [&QUERY[..], &STATS[..]] {
        let output = run_restricted(&wd, as_root, &with_index(args, "private")).unwrap();
        assert_permission_denied(output, "private");
    }
}

#[test]
fn an_index_is_readable_by_others_as_its_segments_are() {
    // tantivy writes meta.json and .managed.json as private temporary files: an index
    // shared on a drive could then be searched by no one but its builder.
    let wd = Workdir::indexed_sample_corpus();
    let index = wd.join("index");
    let marker = mode(&index.join("newsearch.json"));
    for file in ["meta.json", ".managed.json"] {
        assert_eq!(mode(&index.join(file)), marker, "{file}");
    }
}
