//! The test harness: a temporary working directory, the real `newsearch` binary
//! run in it with a pinned environment, and outputs that print the command,
//! stdout and stderr when an assertion fails.

pub mod labelled;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder of `../shared`, or `None` (with the reason printed) where the
/// shared material is absent, as in a fresh clone. In CI, which always has
/// it, its absence fails the test (see [`skip`]).
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = repo().join("../shared").join(relative);
    if path.exists() {
        Some(path)
    } else {
        skip(&format!("{} is absent (it ships beside the repository, not in it)", path.display()));
        None
    }
}

/// A temporary directory to run newsearch in; removed on drop.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// An empty workdir.
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::Builder::new().prefix("newsearch-test-").tempdir().unwrap() }
    }

    /// A workdir with `sample-corpus/` copied in and indexed into `index/`.
    pub fn indexed_sample_corpus() -> Workdir {
        let wd = Workdir::new();
        wd.copy_sample_corpus();
        wd.run(&["index", "sample-corpus", "--quiet"]).success();
        wd
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the workdir.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Copies the repository's sample corpus to `sample-corpus/`.
    pub fn copy_sample_corpus(&self) -> PathBuf {
        let to = self.join("sample-corpus");
        copy_dir(&repo().join("sample-corpus"), &to);
        to
    }

    /// Writes a file (creating folders).
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The binary with `args`, cwd here, the index at `index/`, and no
    /// `NEWSEARCH_*` or colour variables from the caller's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_newsearch"));
        command.current_dir(self.path()).args(args).stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("NEWSEARCH_") || key == "NO_COLOR" || key == "CLICOLOR_FORCE" {
                command.env_remove(key);
            }
        }
        command.env("NEWSEARCH_INDEX", self.join("index"));
        command
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        Output::of(&mut command, args)
    }

    /// Runs the binary to completion, failing the test (and killing the run) if it
    /// has not ended within `limit`: for a run that must not wait on anything.
    #[track_caller]
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Output {
        let child = self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
        let child = child.unwrap();
        let pid = child.id();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(child.wait_with_output()));
        let Ok(output) = finished.recv_timeout(limit) else {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("newsearch {} still running after {limit:?}", args.join(" "));
        };
        let output = output.unwrap();
        Output {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs a query with `--format json` and returns the parsed document.
    pub fn query_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["query", "--format", "json"];
        all.extend_from_slice(args);
        self.run(&all).success().json()
    }

    /// The ids of all hits of a query (sorted), for set comparisons.
    pub fn query_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["--all", "--format", "jsonl"];
        all.extend_from_slice(args);
        let mut full = vec!["query"];
        full.extend(all);
        let out = self.run(&full).success();
        let mut ids: Vec<String> = out
            .stdout
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_owned()
            })
            .collect();
        ids.sort();
        ids
    }
}

/// A finished run.
pub struct Output {
    /// The command line, for failure messages.
    pub args: Vec<String>,
    /// Exit code (None if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    fn of(command: &mut Command, args: &[&str]) -> Output {
        let output = command.output().unwrap();
        Output {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit code 0.
    pub fn success(self) -> Output {
        self.code(0)
    }

    /// Asserts an exit code.
    #[track_caller]
    pub fn code(self, code: i32) -> Output {
        assert_eq!(self.code, Some(code), "unexpected exit code\n{self}");
        self
    }

    /// Asserts stderr contains `text`.
    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Output {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n{self}");
        self
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON: {err}\n{self}"))
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "command: newsearch {}", self.args.join(" "))?;
        writeln!(f, "exit code: {:?}", self.code)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        write!(f, "--- stderr ---\n{}", self.stderr)
    }
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every sample-corpus article file with its raw text, for computing expected
/// answers independently of newsearch.
pub fn sample_articles() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    collect_txt(&repo().join("sample-corpus"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

fn collect_txt(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_txt(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

/// Runs any command to completion (another program wrapping newsearch, say), with
/// `args` shown in failure messages.
pub fn run_command(command: &mut Command, args: &[&str]) -> Output {
    Output::of(command, args)
}

/// Runs newsearch in `wd` as user `nobody` (uid 65534) through `setpriv`, with the
/// workdir opened up to that user; `None`, with the reason printed, where it cannot.
#[cfg(unix)]
pub fn run_as_nobody(wd: &Workdir, args: &[&str]) -> Option<Output> {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    let binary = env!("CARGO_BIN_EXE_newsearch");
    let setpriv = |args: &[&str]| {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(binary)
            .args(args)
            .current_dir(wd.path())
            .env("NEWSEARCH_INDEX", wd.join("index"))
            .stdin(std::process::Stdio::null());
        command
    };
    let probe = setpriv(&["--version"]).output();
    if !probe.as_ref().is_ok_and(|output| output.status.success()) {
        skip(&format!(
            "running as root and `setpriv` cannot run newsearch as nobody \
             ({probe:?}), so permissions are not enforced"
        ));
        return None;
    }
    let open = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open(wd.path(), 0o755);
    open(&wd.join("corpus"), 0o755);
    std::fs::create_dir_all(wd.join("index")).unwrap();
    open(&wd.join("index"), 0o777);
    Some(run_command(&mut setpriv(args), args))
}

/// Ends a test that cannot run here (no `setpriv`, no mount): the reason is
/// printed and the test passes, except where the environment variable `CI` is
/// set: there the test fails, since CI must run every test.
#[track_caller]
pub fn skip(reason: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must run this test, but {reason}");
    eprintln!("skipped: {reason}");
}

/// Article text without the scraper trailer, which lists other articles.
pub fn without_trailer(text: &str) -> &str {
    text.rfind("\nstring(").map_or(text, |at| &text[..at])
}

/// Which texts mention ISIS, decided by regular expressions over the raw text
/// rather than by newsearch: any variant in any case; an acronym in exact case
/// on a line that has lowercase letters (a line in capitals is a headline,
/// where `IS` is the verb).
pub struct IsisTruth {
    any_case: regex::Regex,
    exact: regex::Regex,
}

impl IsisTruth {
    /// The rule for the ISIS spellings of the built-in table, as
    /// `newsearch aliases` lists them; a mention must be followed by `after`
    /// (a regex; empty for any mention).
    pub fn of_built_in_table(wd: &Workdir, after: &str) -> IsisTruth {
        let table = wd.run(&["aliases", "--format", "json"]).success().json();
        let entities = table["entities"].as_array().unwrap();
        let isis = entities.iter().find(|e| e["name"] == "ISIS").unwrap();
        let list = |key: &str| -> Vec<String> {
            isis[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
        };
        // A spelling's words with any non-alphanumeric run between them.
        let spelling = |s: &String| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"[^\p{L}\p{N}]+")
        };
        let bounded = |list: &[String]| {
            let alternatives = list.iter().map(spelling).collect::<Vec<_>>().join("|");
            format!(r"(?:^|[^\p{{L}}\p{{N}}])(?:{alternatives}){after}(?:$|[^\p{{L}}\p{{N}}])")
        };
        IsisTruth {
            any_case: regex::Regex::new(&format!("(?i){}", bounded(&list("variants")))).unwrap(),
            exact: regex::Regex::new(&bounded(&list("acronyms"))).unwrap(),
        }
    }

    /// Whether `text` mentions ISIS by this rule.
    pub fn mentions(&self, text: &str) -> bool {
        self.any_case.is_match(text)
            || text
                .lines()
                .any(|line| line.chars().any(char::is_lowercase) && self.exact.is_match(line))
    }
}

/// The validator of `schema/NAME` (a file the library generates from its wire structs).
pub fn schema_validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schema").join(name)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}
