//! `newsearch index` and `newsearch stats` on real folders.

use std::collections::BTreeMap;

use serde_json::Value;

#[cfg(unix)]
use crate::util::run_as_nobody;
use crate::util::{Workdir, run_command, sample_articles, shared};

fn stats(wd: &Workdir) -> Value {
    wd.run(&["stats", "--format", "json"]).success().json()
}

fn facet_map(list: &Value) -> BTreeMap<String, u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| (item["value"].as_str().unwrap().to_owned(), item["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn sample_corpus_is_indexed_and_stats_agree_with_the_files() {
    let wd = Workdir::new();
    wd.copy_sample_corpus();
    let summary = wd.run(&["index", "sample-corpus", "--format", "json"]).success().json();
    let articles = sample_articles();
    // One document per .txt file, plus 6 JSON Lines records and 6 CSV rows.
    let expected = articles.len() as u64 + 12;
    assert_eq!(summary["schema_version"], 2);
    assert_eq!(summary["added"].as_u64(), Some(expected), "{summary}");
    assert_eq!(summary["documents"].as_u64(), Some(expected));
    // The corpus's own README is documentation, not an article.
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("sample-corpus/README.md"));
    assert!(skipped[0]["reason"].as_str().unwrap().contains("documentation"));

    let stats = stats(&wd);
    assert_eq!(stats["documents"].as_u64(), Some(expected));
    // Sources: the folder under the corpus root for text files, the records' own for the rest.
    let mut by_folder: BTreeMap<String, u64> = BTreeMap::new();
    for (path, _) in &articles {
        let relative = path.strip_prefix(crate::util::repo().join("sample-corpus")).unwrap();
        let source =
            relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        *by_folder.entry(source).or_default() += 1;
    }
    by_folder.insert("Desert Dispatch".into(), 6);
    by_folder.insert("Gulf Courier".into(), 6);
    assert_eq!(facet_map(&stats["sources"]), by_folder);
    let [date_min, date_max] = crate::promises::sample_date_range();
    assert_eq!((&stats["date_min"], &stats["date_max"]), (&date_min.into(), &date_max.into()));
    assert!(stats["index_bytes"].as_u64().unwrap() > 10_000);
}

#[test]
fn the_seed_article_is_parsed_title_date_body_and_related() {
    let Some(seed) = shared("seeds/000_eb01103cdc812aa0.txt") else { return };
    let wd = Workdir::new();
    wd.run(&["index", seed.to_str().unwrap(), "--quiet"]).success();
    let result = wd.query_json(&["Sirte"]);
    let hit = &result["hits"][0];
    assert_eq!(hit["title"], "Pro-Government Forces in Libya Attack ISIS Leftovers in Sirte");
    assert_eq!(hit["date"], "2016-09-04T15:14:55Z");
    let related: Vec<&str> =
        hit["related"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(related.len(), 6, "{related:?}");
    assert_eq!(related[0], "STILLS: Refugees Rescued off the Coast of Libya by Spanish Volunteers");
    // The trailer is cut from the body: its words are not found without `related:`.
    assert_eq!(wd.query_json(&["Spanish Volunteers"])["total_hits"], 0);
    assert_eq!(wd.query_json(&["string"])["total_hits"], 0);
    assert_eq!(wd.query_json(&["related:Spanish"])["total_hits"], 1);
}

#[test]
fn bbc_corpus_has_2225_documents_in_five_folders() {
    let Some(bbc) = shared("corpora/bbc/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", bbc.to_str().unwrap(), "--quiet"]).success();
    let stats = stats(&wd);
    assert_eq!(stats["documents"], 2225);
    let folders = facet_map(&stats["folders"]);
    let expected: BTreeMap<String, u64> = [
        ("/articles/business", 510),
        ("/articles/entertainment", 386),
        ("/articles/politics", 417),
        ("/articles/sport", 511),
        ("/articles/tech", 401),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(folders, expected);
}

#[test]
fn fakes_csv_gives_one_document_per_distinct_id() {
    let Some(csv) = shared("corpora/fakes/FA-KES-Dataset.csv") else { return };
    let wd = Workdir::new();
    let summary = wd.run(&["index", csv.to_str().unwrap(), "--format", "json"]).success().json();
    // 804 rows, 12 of which repeat an earlier row's unit_id: the first is kept,
    // and each repeat is reported as a warning naming both rows.
    assert_eq!(summary["documents"], 792, "{summary}");
    let repeats = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains("repeats id"))
        .count();
    assert_eq!(repeats, 12);
    let stats = stats(&wd);
    assert_eq!(facet_map(&stats["sources"]).get("ahram"), Some(&149));
}

#[test]
fn records_on_one_line_get_distinct_ids() {
    let wd = Workdir::new();
    // A minified array (no id fields): every record starts on line 1.
    wd.write(
        "dir/min.json",
        r#"[{"title":"Truce holds","body":"A quiet okapi night."},{"title":"Truce broken","body":"Shelling, okapi fled."},{"title":"Talks resume","body":"Envoys and an okapi."}]"#,
    );
    wd.write(
        "dir/pretty.json",
        "[\n  {\"title\": \"One\", \"body\": \"okapi one\"},\n  {\"title\": \"Two\", \"body\": \"okapi two\"}\n]\n",
    );
    let summary = wd.run(&["index", "dir", "--format", "json"]).success().json();
    assert_eq!(summary["documents"], 5, "{summary:#}");
    // Three records on one line are not repeats of each other.
    assert_eq!(summary["warnings"], Value::Array(Vec::new()), "{summary:#}");
    let ids = wd.query_ids(&["okapi"]);
    assert_eq!(
        ids,
        [
            "dir/min.json#1.1",
            "dir/min.json#1.2",
            "dir/min.json#1.3",
            "dir/pretty.json#2",
            "dir/pretty.json#3"
        ]
    );
    // Stable: the same files give the same ids when indexed again from scratch.
    wd.run(&["index", "dir", "--rebuild", "--quiet"]).success();
    assert_eq!(wd.query_ids(&["okapi"]), ids);
}

#[test]
fn reindexing_reads_only_what_changed_and_counts_agree_with_stats() {
    let wd = Workdir::new();
    let corpus = wd.copy_sample_corpus();
    let first = wd.run(&["index", "sample-corpus", "--format", "json"]).success().json();
    let total = first["documents"].as_u64().unwrap();

    let again = wd.run(&["index", "sample-corpus", "--format", "json"]).success().json();
    assert_eq!(
        (again["added"].as_u64(), again["updated"].as_u64(), again["removed"].as_u64()),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(again["unchanged"].as_u64(), Some(total));

    // Touch one file (new mtime and content), add one, delete one.
    let changed = corpus.join("Alalam/2015-05-21-palmyra-falls.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\nAn added closing paragraph about Palmyra.\n");
    std::fs::write(&changed, text).unwrap();
    wd.write(
        "sample-corpus/Alalam/2019-01-01-new.txt",
        "A new article\n\nA new article\n2019-01-01\n\nSomething about a quokka.\n",
    );
    std::fs::remove_file(corpus.join("Alalam/2014-07-05-houthis-advance-amran.txt")).unwrap();

    let third = wd.run(&["index", "sample-corpus", "--format", "json"]).success().json();
    assert_eq!(third["added"].as_u64(), Some(1), "{third}");
    assert_eq!(third["updated"].as_u64(), Some(1), "{third}");
    // The changed file's document is updated, not also removed: only the deleted one is.
    assert_eq!(third["removed"].as_u64(), Some(1), "one deleted: {third}");
    assert_eq!(third["unchanged"].as_u64(), Some(total - 2));
    assert_eq!(third["documents"].as_u64(), Some(total));
    assert_eq!(stats(&wd)["documents"].as_u64(), Some(total));
    assert_eq!(wd.query_json(&["quokka"])["total_hits"], 1);
    let phrase = wd.query_json(&["\"added closing paragraph\""]);
    assert_eq!(phrase["total_hits"], 1, "{phrase}");
}

#[test]
fn a_corpus_named_twice_or_from_elsewhere_is_indexed_once() {
    let wd = Workdir::new();
    wd.copy_sample_corpus();
    let total = sample_articles().len() as u64 + 12;
    let counts = |summary: &Value| {
        let count = |key: &str| summary[key].as_u64().unwrap();
        (count("added"), count("updated"), count("removed"), count("unchanged"), count("documents"))
    };

    // First from a sibling folder, as `../sample-corpus`.
    std::fs::create_dir_all(wd.join("sub")).unwrap();
    let args = ["index", "../sample-corpus", "--format", "json"];
    let mut command = wd.command(&args);
    command.current_dir(wd.join("sub"));
    let first = run_command(&mut command, &args).success().json();
    assert_eq!(counts(&first), (total, 0, 0, 0, total), "{first}");

    // The same folder, spelled from its parent and named again below itself: the same
    // files, which must be neither added again nor counted twice.
    for roots in [
        &["sample-corpus"][..],
        &["sample-corpus", "sample-corpus/FNA"],
        &["sample-corpus/FNA", "sample-corpus/FNA/../../sample-corpus"],
    ] {
        let args = [&["index"], roots, &["--format", "json"]].concat();
        let again = wd.run(&args).success().json();
        assert_eq!(counts(&again), (0, 0, 0, total, total), "{again}");
    }
    assert_eq!(stats(&wd)["documents"].as_u64(), Some(total));

    // A new index from overlapping roots: each file once, named after the first root.
    let fresh = ["index", "sample-corpus", "sample-corpus/FNA", "--index", "fresh"];
    let summary = wd.run(&[&fresh[..], &["--format", "json"]].concat()).success().json();
    assert_eq!(counts(&summary), (total, 0, 0, 0, total), "{summary}");
    let again = wd.run(&[&fresh[..], &["--format", "json"]].concat()).success().json();
    assert_eq!(counts(&again), (0, 0, 0, total, total), "{again}");
    let stats = wd.run(&["stats", "--index", "fresh", "--format", "json"]).success().json();
    let folders = facet_map(&stats["folders"]);
    assert!(folders.keys().all(|folder| folder.starts_with("/sample-corpus/")), "{folders:?}");
    assert_eq!(folders.values().sum::<u64>(), total);
}

/// A folder a test takes the permissions of, and gives them back.
#[cfg(unix)]
struct Lockable<'w> {
    wd: &'w Workdir,
    folder: std::path::PathBuf,
    /// Root reads every folder: newsearch then runs as `nobody`.
    as_root: bool,
}

#[cfg(unix)]
impl<'w> Lockable<'w> {
    fn new(wd: &'w Workdir, relative: &str) -> Lockable<'w> {
        let mut lockable = Lockable { wd, folder: wd.join(relative), as_root: false };
        lockable.lock();
        lockable.as_root = std::fs::read_dir(&lockable.folder).is_ok();
        lockable.unlock();
        lockable
    }

    fn set_mode(&self, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&self.folder, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn lock(&self) {
        self.set_mode(0o000);
    }

    fn unlock(&self) {
        self.set_mode(0o755);
    }

    /// The JSON summary of a successful run; `None` (the test skips) where a
    /// root test cannot run newsearch as `nobody`.
    fn run_json(&self, args: &[&str]) -> Option<Value> {
        let output = if self.as_root { run_as_nobody(self.wd, args)? } else { self.wd.run(args) };
        Some(output.success().json())
    }
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_read_keeps_its_documents() {
    let wd = Workdir::new();
    wd.write("corpus/open.txt", "Open article\n\n2016-09-04\n\nA story about a wombat.\n");
    wd.write("corpus/locked/a.txt", "Locked article\n\n2016-09-05\n\nA platypus story.\n");
    wd.write("corpus/locked/deeper/b.txt", "Deeper article\n\n2016-09-06\n\nMore platypus.\n");
    let locked = Lockable::new(&wd, "corpus/locked");
    let index = || locked.run_json(&["index", "corpus", "--format", "json"]);
    let Some(first) = index() else { return };
    assert_eq!(first["documents"], 3, "{first:#}");

    locked.lock();
    let again = index();
    locked.unlock();
    let again = again.unwrap();
    let count = |key: &str| again[key].as_u64().unwrap();
    assert_eq!(
        [count("added"), count("updated"), count("removed"), count("unchanged")],
        [0, 0, 0, 3],
        "{again:#}"
    );
    assert_eq!(count("documents"), 3, "{again:#}");
    let skipped = again["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{again:#}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("/corpus/locked"), "{again:#}");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("Permission denied"), "{again:#}");
    assert_eq!(wd.query_json(&["platypus"])["total_hits"], 2);

    // Readable again, the folder's files are as they were: nothing to read.
    let third = index().unwrap();
    assert_eq!((third["added"].as_u64(), third["unchanged"].as_u64()), (Some(0), Some(3)));
    assert_eq!(third["skipped"], Value::Array(Vec::new()), "{third:#}");
}

#[test]
fn rebuild_refuses_a_folder_that_is_not_an_index_and_leaves_it_alone() {
    let wd = Workdir::new();
    wd.copy_sample_corpus();
    wd.write("precious/notes.txt", "my notes");
    wd.write("precious/meta.json", "{}");
    for args in [
        vec!["index", "sample-corpus", "--index", "precious", "--rebuild"],
        vec!["index", "sample-corpus", "--index", "precious"],
    ] {
        wd.run(&args).code(1).stderr_has("not a newsearch index");
    }
    let left: Vec<String> = std::fs::read_dir(wd.join("precious"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(std::fs::read_to_string(wd.join("precious/notes.txt")).unwrap(), "my notes");
}

#[test]
fn rebuild_starts_over_and_keeps_the_document_count() {
    let wd = Workdir::indexed_sample_corpus();
    let before = stats(&wd)["documents"].as_u64().unwrap();
    let summary =
        wd.run(&["index", "sample-corpus", "--rebuild", "--format", "json"]).success().json();
    assert_eq!(summary["added"].as_u64(), Some(before));
    // The old copies are replaced, not removed.
    assert_eq!(summary["removed"].as_u64(), Some(0));
    assert_eq!(
        (&summary["rebuilt"], summary["replaced"].as_u64()),
        (&Value::Bool(true), Some(before))
    );
    assert_eq!(stats(&wd)["documents"].as_u64(), Some(before));
}

#[test]
fn missing_corpus_and_missing_index_are_clear_errors() {
    let wd = Workdir::new();
    wd.run(&["index", "no-such-folder"])
        .code(2)
        .stderr_has("no-such-folder: no such file or folder");
    assert!(!wd.join("index").exists(), "a failed run must not create an index");
    wd.run(&["stats"]).code(1).stderr_has("no index at");
    wd.run(&["query", "Sirte"]).code(1).stderr_has("run `newsearch index");
    // `--index` naming a folder of articles is not sent to a command that refuses it.
    wd.write("corpus/a.txt", "Sirte\n\nSirte falls.\n");
    wd.run(&["query", "Sirte", "--index", "corpus"])
        .code(1)
        .stderr_has("corpus is not a newsearch index (it holds other files and no index)");
}

#[test]
fn a_date_the_index_cannot_hold_is_left_out_with_a_warning() {
    let wd = Workdir::new();
    wd.write("corpus/far.txt", "Far future\n\n3000-01-01\n\nA zebra story.\n");
    let summary = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(summary["documents"], 1);
    let warning = &summary["warnings"][0];
    assert!(warning["path"].as_str().unwrap().ends_with("far.txt"), "{summary}");
    assert!(warning["message"].as_str().unwrap().contains("3000-01-01"), "{summary}");
    assert_eq!(warning["line"], 3, "the dateline: {summary}");
    let hit = &wd.query_json(&["zebra"])["hits"][0];
    assert_eq!(hit["date"], Value::Null);
}

/// Title → date of every article that mentions a zebra.
fn zebra_dates(wd: &Workdir) -> BTreeMap<String, Value> {
    wd.query_json(&["zebra", "--all"])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| (hit["title"].as_str().unwrap().to_owned(), hit["date"].clone()))
        .collect()
}

#[test]
fn labelled_datelines_are_read_and_impossible_numeric_ones_reported() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Talks resume\n\nUpdated: Sep 4, 2016 15:14\n\nThe zebra talks.\n");
    wd.write("corpus/b.txt", "Port reopens\n\nPublished on 5 September 2016\n\nA zebra port.\n");
    wd.write("corpus/c.txt", "Market fire\n\n13/25/2016\n\nA zebra market.\n");
    wd.write("corpus/d.txt", "Bridge opens\n\nSep. 6, 2016\n\nA zebra bridge.\n");
    wd.write("corpus/e.txt", "Road closes\n\n2016-09-07 10:00:00+03\n\nA zebra road.\n");
    let summary = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(summary["documents"], 5);
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{summary}");
    assert!(warnings[0]["path"].as_str().unwrap().ends_with("c.txt"), "{summary}");
    assert_eq!(warnings[0]["line"], 3, "{summary}");
    assert!(warnings[0]["message"].as_str().unwrap().contains("`13/25/2016`"), "{summary}");

    let dates = zebra_dates(&wd);
    assert_eq!(dates["Talks resume"], "2016-09-04T15:14:00Z");
    assert_eq!(dates["Port reopens"], "2016-09-05T00:00:00Z");
    assert_eq!(dates["Market fire"], Value::Null);
    assert_eq!(dates["Bridge opens"], "2016-09-06T00:00:00Z");
    assert_eq!(dates["Road closes"], "2016-09-07T07:00:00Z");
    // The unread dateline stays in the body, where a search finds it.
    assert_eq!(wd.query_json(&["\"13/25/2016\""])["total_hits"], 1);
}

#[test]
fn the_index_keeps_its_slash_date_order_until_a_rebuild() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "First report\n\n4/5/2017\n\nA zebra story.\n");
    wd.run(&["index", "corpus", "--day-first", "--quiet"]).success();
    assert_eq!(zebra_dates(&wd)["First report"], "2017-05-04T00:00:00Z");

    // A later run without the flag reads new files the index's way.
    wd.write("corpus/b.txt", "Second report\n\n4/6/2017\n\nAnother zebra story.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert_eq!(zebra_dates(&wd)["Second report"], "2017-06-04T00:00:00Z");
    let order = |wd: &Workdir| {
        wd.run(&["stats", "--format", "json"]).success().json()["slash_dates"].clone()
    };
    assert_eq!(order(&wd), "day-first");

    // The other order would give one corpus two meanings of 4/5/2017.
    wd.write("corpus/c.txt", "Third report\n\n4/7/2017\n\nA third zebra story.\n");
    wd.run(&["index", "corpus", "--month-first"])
        .code(2)
        .stderr_has("the index reads slash dates day first (4/5/2017 is 4 May)")
        .stderr_has("--rebuild");
    assert_eq!(zebra_dates(&wd).len(), 2, "the refused run changed nothing");

    wd.run(&["index", "corpus", "--month-first", "--rebuild", "--quiet"]).success();
    let after = zebra_dates(&wd);
    assert_eq!(after["First report"], "2017-04-05T00:00:00Z");
    assert_eq!(after["Third report"], "2017-04-07T00:00:00Z");
    assert_eq!(order(&wd), "month-first");
    wd.run(&["index", "corpus", "--day-first", "--month-first"]).code(2);

    // An index made before the order was recorded: its order is unknown, so
    // either flag is taken (and recorded), and a run without one says it guessed.
    let meta = wd.join("index/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let unrecorded = text.replace(r#",\"slash_dates\":\"month-first\""#, "");
    assert_ne!(unrecorded, text, "the commit records the order");
    std::fs::write(&meta, unrecorded).unwrap();
    assert_eq!(order(&wd), Value::Null);
    let guessed = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    let message = guessed["warnings"][0]["message"].as_str().unwrap();
    assert!(message.contains("does not record how it reads slash dates"), "{guessed}");
    assert_eq!(order(&wd), Value::Null, "a guess is not recorded");
    wd.run(&["index", "corpus", "--day-first", "--quiet"]).success();
    assert_eq!(order(&wd), "day-first");
}

/// Linux file names are bytes: two that differ only where they are not UTF-8 are two files.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_stay_apart() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let wd = Workdir::new();
    let folder = wd.join("corpus");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(OsStr::from_bytes(b"a\xff.txt")), "First okapi\n\nbody\n").unwrap();
    std::fs::write(folder.join(OsStr::from_bytes(b"a\xfe.txt")), "Second okapi\n\nbody\n").unwrap();
    let first = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!((&first["added"], &first["documents"]), (&Value::from(2), &Value::from(2)));
    let again = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!((&again["updated"], &again["removed"]), (&Value::from(0), &Value::from(0)));
    let paths: BTreeMap<String, String> = wd.query_json(&["okapi"])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            (hit["title"].as_str().unwrap().to_owned(), hit["path"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(paths["First okapi"].ends_with("corpus/a\\xFF.txt"), "{paths:?}");
    assert!(paths["Second okapi"].ends_with("corpus/a\\xFE.txt"), "{paths:?}");
}

#[test]
fn an_index_inside_the_corpus_is_not_read_as_articles() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Sirte falls\n\n2016-09-04\n\nForces took Sirte.\n");
    let first = wd.run(&["index", "corpus", "--index", "corpus/idx", "--format", "json"]);
    assert_eq!(first.success().json()["documents"], 1);
    let again =
        wd.run(&["index", "corpus", "--index", "corpus/idx", "--format", "json"]).success().json();
    assert_eq!((&again["unchanged"], &again["documents"]), (&Value::from(1), &Value::from(1)));
    let skipped = again["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{again}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("corpus/idx"), "{again}");
    assert_eq!(skipped[0]["reason"], "a newsearch index, not articles");
}

#[test]
fn a_moved_corpus_is_reported_and_pruned_on_request() {
    let wd = Workdir::new();
    wd.write("corpus/FNA/a.txt", "Sirte siege\n\n2016-09-01\n\nFighters in Sirte.\n");
    wd.write("other/b.txt", "Mosul push\n\n2016-10-17\n\nThe push on Mosul.\n");
    wd.run(&["index", "corpus", "other", "--quiet"]).success();
    std::fs::rename(wd.join("corpus"), wd.join("moved")).unwrap();

    // The old folder is gone, but it is not one this run was asked about: its
    // documents stay, counted as unchanged, and the run says so once per folder.
    let summary = wd.run(&["index", "moved", "--format", "json"]).success().json();
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!((count("added"), count("unchanged"), count("documents")), (1, 2, 3), "{summary}");
    assert_eq!(count("added") + count("updated") + count("unchanged"), count("documents"));
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{summary}");
    assert!(warnings[0]["path"].as_str().unwrap().ends_with("/corpus"), "{summary}");
    assert!(warnings[0]["message"].as_str().unwrap().contains("--prune"), "{summary}");

    let pruned = wd.run(&["index", "moved", "--prune", "--format", "json"]).success().json();
    assert_eq!((&pruned["removed"], &pruned["documents"]), (&Value::from(1), &Value::from(2)));
    assert_eq!(pruned["warnings"], Value::Array(Vec::new()), "{pruned}");
    let ids = wd.query_ids(&["*"]);
    assert_eq!(ids, ["moved/FNA/a.txt", "other/b.txt"]);
}

/// `--prune` removes only what is gone: a folder it may not look into now is
/// not "gone", and keeps its documents.
#[cfg(unix)]
#[test]
fn prune_keeps_the_documents_of_a_folder_it_cannot_look_into() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Open article\n\n2016-09-04\n\nA story about a wombat.\n");
    wd.write("other/locked/sub/b.txt", "Locked article\n\n2016-09-05\n\nA platypus story.\n");
    let locked = Lockable::new(&wd, "other/locked");
    let Some(first) = locked.run_json(&["index", "corpus", "other", "--format", "json"]) else {
        return;
    };
    assert_eq!(first["documents"], 2, "{first:#}");

    locked.lock();
    let pruned = locked.run_json(&["index", "corpus", "--prune", "--format", "json"]);
    locked.unlock();
    let pruned = pruned.unwrap();
    assert_eq!((&pruned["removed"], &pruned["documents"]), (&Value::from(0), &Value::from(2)));
    assert_eq!(pruned["warnings"], Value::Array(Vec::new()), "{pruned:#}");
}

/// A folder whose name is not UTF-8 is shown, filtered and searched by one
/// spelling (`caf\xE9`).
#[cfg(unix)]
#[test]
fn a_folder_named_in_latin1_is_found_by_the_value_its_facet_shows() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let wd = Workdir::new();
    let folder = wd.join("corpus").join(OsStr::from_bytes(b"caf\xE9"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "Sirte falls\n\nForces took Sirte.\n").unwrap();
    wd.write("corpus/plain/b.txt", "Sirte quiet\n\nSirte was quiet.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    let facets = wd.query_json(&["Sirte", "--facet", "folder"]);
    let shown: Vec<&str> = facets["facets"]["folder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert!(shown.contains(&"/corpus/caf\\xE9"), "{facets}");
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    assert_eq!(total(&["Sirte", "--filter", "folder:/corpus/caf\\xE9"]), 1);
    assert_eq!(total(&["Sirte folder:/corpus/caf\\xE9"]), 1);
    assert_eq!(total(&["Sirte -folder:corpus/caf\\xE9"]), 1);
}

#[test]
fn a_wider_root_names_files_as_a_fresh_index_would() {
    let wd = Workdir::new();
    wd.write("c/FNA/2016/a.txt", "Sirte siege\n\n2016-09-01\n\nFighters in Sirte.\n");
    wd.run(&["index", "c/FNA", "--quiet"]).success();
    let hit = |wd: &Workdir| wd.query_json(&["Sirte"])["hits"][0].clone();
    // Named from the root `c/FNA`: the first folder below it, `2016`, is the source.
    assert_eq!(
        (&hit(&wd)["id"], &hit(&wd)["source"]),
        (&Value::from("FNA/2016/a.txt"), &Value::from("2016"))
    );

    let wider = wd.run(&["index", "c", "--format", "json"]).success().json();
    assert_eq!(
        (&wider["updated"], &wider["documents"]),
        (&Value::from(1), &Value::from(1)),
        "{wider}"
    );
    assert_eq!(
        (&hit(&wd)["id"], &hit(&wd)["source"]),
        (&Value::from("c/FNA/2016/a.txt"), &Value::from("FNA"))
    );
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    assert_eq!(total(&["*", "--filter", "source:FNA"]), 1);
    assert_eq!(total(&["*", "--filter", "folder:c/FNA"]), 1);

    // The same root again, or a narrower one (one outlet's folder): nothing to
    // do, and the names the wider root gave stay.
    for root in ["c", "c/FNA"] {
        let again = wd.run(&["index", root, "--format", "json"]).success().json();
        let counts = (&again["updated"], &again["unchanged"]);
        assert_eq!(counts, (&Value::from(0), &Value::from(1)), "{root}: {again}");
        assert_eq!(hit(&wd)["id"], "c/FNA/2016/a.txt");
    }
}
