//! What `newsearch index` tells its user while and after it runs: each warning
//! and skipped file on stderr as it happens (and once in the summary on
//! stdout), a count of them that `--quiet` does not hide, and counts that say
//! what happened to the user's documents (`index.v2`).

use serde_json::Value;

use crate::util::{Output, Workdir, run_command};

/// A corpus with one good article, one binary file (NUL bytes) and, unless
/// `only_one_bad`, a JSON Lines file with a broken record on line 2.
fn corpus_with_bad_files(only_one_bad: bool) -> Workdir {
    let wd = Workdir::new();
    wd.write("corpus/good.txt", "Sirte siege\n\n2016-09-04\n\nFighters entered Sirte.\n");
    wd.write("corpus/blob.txt", b"PK\x03\x04\x00\x00binary\x00data\n");
    if !only_one_bad {
        wd.write(
            "corpus/records.jsonl",
            "{\"title\": \"One\", \"body\": \"Mosul\"}\n{\"title\": \"broken\",\n",
        );
    }
    wd
}

/// Lines of `text` that contain `needle`.
fn lines_with<'t>(text: &'t str, needle: &str) -> Vec<&'t str> {
    text.lines().filter(|line| line.contains(needle)).collect()
}

fn index_schema() -> jsonschema::Validator {
    crate::util::schema_validator("index.v2.schema.json")
}

/// `index --format json` on `roots`, checked against `schema/index.v2.schema.json`
/// and against the rule that the counts add up to the documents in the index.
fn index_json(wd: &Workdir, args: &[&str]) -> Value {
    let all = [&["index"], args, &["--format", "json"]].concat();
    let summary = wd.run(&all).success().json();
    let errors: Vec<String> = index_schema().iter_errors(&summary).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{summary}: {errors:?}");
    assert_eq!(summary["schema_version"], 2, "{summary}");
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(count("added") + count("updated") + count("unchanged"), count("documents"));
    summary
}

/// `(added, updated, removed, unchanged, documents)` of a JSON summary.
fn counts(summary: &Value) -> (u64, u64, u64, u64, u64) {
    let count = |key: &str| summary[key].as_u64().unwrap();
    (count("added"), count("updated"), count("removed"), count("unchanged"), count("documents"))
}

#[test]
fn quiet_still_says_how_many_files_were_skipped_and_where_they_are_listed() {
    for bad in ["blob.txt", "empty.txt"] {
        let wd = Workdir::new();
        wd.write("corpus/good.txt", "Sirte siege\n\n2016-09-04\n\nFighters entered Sirte.\n");
        match bad {
            "blob.txt" => wd.write("corpus/blob.txt", b"binary\x00data\n"),
            _ => wd.write("corpus/empty.txt", ""),
        };
        let quiet = wd.run(&["index", "corpus", "--quiet"]).success();
        assert!(quiet.stdout.is_empty(), "{quiet}");
        // One line: the count, and where the list is; no per-file line.
        assert_eq!(quiet.stderr.lines().count(), 1, "{quiet}");
        let quiet = quiet.stderr_has("newsearch: 1 file skipped (").stderr_has("--format json");
        assert!(!quiet.stderr.contains(bad), "--quiet names the file\n{quiet}");

        // With JSON the report holds the list, and the line says so.
        let args = ["index", "corpus", "--quiet", "--format", "json"];
        let json = wd.run(&args).success().stderr_has("1 file skipped").stderr_has("JSON report");
        assert_eq!(json.stderr.lines().count(), 1, "{json}");
        let skipped = json.json()["skipped"].as_array().unwrap().clone();
        assert_eq!(skipped.len(), 1, "{json}");
        assert!(skipped[0]["path"].as_str().unwrap().ends_with(bad), "{json}");
    }

    // Warnings are counted too; a clean run says nothing at all.
    let wd = corpus_with_bad_files(false);
    wd.run(&["index", "corpus", "--quiet"]).success().stderr_has("1 file skipped and 1 warning (");
    let clean = Workdir::new();
    clean.write("corpus/good.txt", "Sirte siege\n\n2016-09-04\n\nFighters entered Sirte.\n");
    let out = clean.run(&["index", "corpus", "--quiet"]).success();
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out}");
}

#[test]
fn warnings_and_skipped_files_show_on_stderr_once_each_naming_file_and_line() {
    let wd = corpus_with_bad_files(false);
    let out = wd.run(&["index", "corpus"]).success();
    // stderr, the live view: one line per event, with the line where there is one.
    let skipped = lines_with(&out.stderr, "blob.txt");
    assert_eq!(skipped.len(), 1, "{out}");
    assert!(skipped[0].starts_with("newsearch: skipped /"), "{out}");
    assert!(skipped[0].contains("/corpus/blob.txt: binary file"), "{out}");
    let warned = lines_with(&out.stderr, "records.jsonl");
    assert_eq!(warned.len(), 1, "{out}");
    assert!(warned[0].starts_with("newsearch: warning: /"), "{out}");
    assert!(warned[0].contains("/corpus/records.jsonl:2: "), "{out}");
    assert_eq!(out.stderr.lines().count(), 2, "{out}");
    // stdout, the record: the summary lists each once, as before.
    assert_eq!(lines_with(&out.stdout, "blob.txt").len(), 1, "{out}");
    assert_eq!(lines_with(&out.stdout, "records.jsonl:2: ").len(), 1, "{out}");
    assert!(out.stdout.contains("1 file skipped:"), "{out}");

    // JSON on stdout keeps the list whole; stderr still shows the lines.
    let json = wd.run(&["index", "corpus", "--format", "json"]).success();
    assert_eq!(json.json()["skipped"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(lines_with(&json.stderr, "newsearch: skipped ").len(), 1, "{json}");
}

#[test]
fn the_lines_come_as_the_files_are_read_before_the_summary() {
    // stdout and stderr into one file: the live lines must precede the summary,
    // which is written after the commit.
    let wd = corpus_with_bad_files(false);
    let log = std::fs::File::create(wd.join("log")).unwrap();
    let args = ["index", "corpus"];
    let mut command = wd.command(&args);
    command.stdout(log.try_clone().unwrap()).stderr(log);
    run_command(&mut command, &args).success();
    let log = std::fs::read_to_string(wd.join("log")).unwrap();
    let at = |needle: &str| log.find(needle).unwrap_or_else(|| panic!("no {needle:?}\n{log}"));
    assert!(at("newsearch: skipped ") < at("indexed: "), "{log}");
    assert!(at("newsearch: warning: ") < at("indexed: "), "{log}");
}

#[test]
fn a_warning_about_a_missing_corpus_folder_is_shown_as_it_is_found() {
    // Not every warning is a parsed file's: a corpus folder gone from outside
    // the run's folders is reported to the same observer.
    let wd = Workdir::new();
    wd.write("a/one.txt", "Sirte siege\n\n2016-09-04\n\nFighters entered Sirte.\n");
    wd.write("b/gone/two.txt", "Mosul battle\n\n2016-10-17\n\nThe battle for Mosul.\n");
    wd.run(&["index", "a", "b", "--quiet"]).success();
    std::fs::remove_dir_all(wd.join("b")).unwrap();
    let out = wd.run(&["index", "a"]).success();
    let warned = lines_with(&out.stderr, "newsearch: warning: ");
    assert_eq!(warned.len(), 1, "{out}");
    assert!(warned[0].contains("/b: gone, and outside the folders"), "{out}");
    let quiet = wd.run(&["index", "a", "--quiet"]).success();
    assert_eq!(
        quiet.stderr.trim_end(),
        "newsearch: 1 warning (listed without --quiet, and by --format json)"
    );
}

#[test]
fn a_changed_file_counts_as_updated_and_nothing_as_lost() {
    let wd = Workdir::new();
    let article = |body: &str| format!("Sirte siege\n\n2016-09-04\n\n{body}\n");
    wd.write("corpus/a.txt", article("Fighters entered Sirte."));
    wd.write("corpus/b.txt", article("Another story about Sirte."));
    let record =
        |n: usize, body: &str| format!("{{\"title\": \"Record {n}\", \"body\": \"{body}\"}}\n");
    let records = |bodies: &[&str]| -> String {
        bodies.iter().enumerate().map(|(n, body)| record(n, body)).collect()
    };
    wd.write("corpus/r.jsonl", records(&["Mosul", "Raqqa", "Aleppo"]));
    assert_eq!(counts(&index_json(&wd, &["corpus"])), (5, 0, 0, 0, 5));

    // One text file changed: updated, and nothing removed.
    wd.write("corpus/a.txt", article("Fighters entered Sirte, and an added paragraph."));
    assert_eq!(counts(&index_json(&wd, &["corpus"])), (0, 1, 0, 4, 5));
    wd.write("corpus/a.txt", article("Fighters entered Sirte; the paragraph is gone."));
    let human = wd.run(&["index", "corpus"]).success();
    let line = "indexed: 0 added, 1 updated, 0 removed, 4 unchanged; 5 documents";
    assert!(human.stdout.starts_with(line), "{human}");

    // A JSON Lines file that lost a record: two updated, the lost one removed.
    wd.write("corpus/r.jsonl", records(&["Mosul, changed", "Raqqa"]));
    assert_eq!(counts(&index_json(&wd, &["corpus"])), (0, 2, 1, 2, 4));
    // One that gained two: the two it had are updated, the new ones added.
    wd.write("corpus/r.jsonl", records(&["Mosul", "Raqqa", "Aleppo", "Sirte"]));
    let grown = index_json(&wd, &["corpus"]);
    assert_eq!(counts(&grown), (2, 2, 0, 2, 6), "{grown}");
    assert_eq!((&grown["rebuilt"], &grown["replaced"]), (&Value::from(false), &Value::from(0)));

    // A changed file and a deleted one in the same run: only the deleted one is removed.
    wd.write("corpus/a.txt", article("Fighters entered Sirte. Changed again."));
    std::fs::remove_file(wd.join("corpus/b.txt")).unwrap();
    let human = wd.run(&["index", "corpus"]).success();
    assert!(
        human
            .stdout
            .starts_with("indexed: 0 added, 1 updated, 1 removed, 4 unchanged; 5 documents"),
        "{human}"
    );
}

#[test]
fn rebuild_reports_what_it_indexed_as_added_and_says_it_rebuilt() {
    let wd = corpus_with_bad_files(true);
    wd.write("corpus/other.txt", "Mosul battle\n\n2016-10-17\n\nThe battle for Mosul.\n");
    let first = index_json(&wd, &["corpus"]);
    assert_eq!(counts(&first), (2, 0, 0, 0, 2));
    let rebuilt = index_json(&wd, &["corpus", "--rebuild"]);
    assert_eq!(counts(&rebuilt), (2, 0, 0, 0, 2), "{rebuilt}");
    assert_eq!((&rebuilt["rebuilt"], &rebuilt["replaced"]), (&Value::from(true), &Value::from(2)));

    // A file gone since: the rebuild still adds only what it found, and the old
    // index's count shows what it held.
    std::fs::remove_file(wd.join("corpus/other.txt")).unwrap();
    let out: Output = wd.run(&["index", "corpus", "--rebuild"]).success();
    assert!(
        out.stdout.starts_with("rebuilt: 1 added (the old index held 2); 1 documents in the index"),
        "{out}"
    );
    assert!(!out.stdout.contains("removed"), "{out}");
    // The rebuild read the binary file again, and says so as it did the first time.
    assert_eq!(lines_with(&out.stderr, "newsearch: skipped ").len(), 1, "{out}");
}

#[cfg(unix)]
#[test]
fn a_line_break_in_a_skipped_file_s_name_stays_on_its_one_line() {
    let wd = Workdir::new();
    wd.write("corpus/good.txt", "Sirte siege\n\n2016-09-04\n\nFighters entered Sirte.\n");
    wd.write("corpus/two\nlines.txt", "");
    let out = wd.run(&["index", "corpus"]).success();
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(out.stderr.contains("/corpus/two\\nlines.txt: empty file"), "{out}");
    // The reason does not name the file a second time, as the error behind it did.
    assert!(!out.stderr.contains("two lines"), "{out}");
    assert!(!out.stdout.contains("two lines"), "{out}");
}
