//! Alias normalization end to end: `newsearch aliases`, custom tables, and the
//! ISIS set on the real FA-KES articles checked against regular expressions
//! over the raw text (recall and precision both 100%).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::util::{IsisTruth, Workdir, shared, without_trailer};

fn ids(wd: &Workdir, args: &[&str]) -> BTreeSet<String> {
    wd.query_ids(args).into_iter().collect()
}

/// Runs every ISIS query form and compares it with `truth`; prints the counts.
fn check_isis_queries(wd: &Workdir, truth: &BTreeSet<String>, label: &str) {
    let verb_only = wd.query_ids(&["is"]).into_iter().filter(|id| !truth.contains(id)).count();
    eprintln!(
        "{label}: {} articles mention ISIS; {verb_only} more contain the word `is` and are rightly left out",
        truth.len()
    );
    assert!(verb_only > 0, "the corpus has articles with the verb `is` and no ISIS");
    for query in ["ISIL", "Daesh", "\"Islamic State\"", "ISIS", "entity:ISIS"] {
        let got = ids(wd, &[query]);
        let missed: Vec<&String> = truth.difference(&got).take(5).collect();
        let extra: Vec<&String> = got.difference(truth).take(5).collect();
        assert!(
            missed.is_empty() && extra.is_empty(),
            "{label} query {query}: missed {missed:?}, extra {extra:?}"
        );
    }
    let filtered = ids(wd, &["*", "--filter", "entity:ISIS"]);
    assert_eq!(&filtered, truth, "{label}: --filter entity:ISIS");
}

#[test]
fn fakes_seed_layout_isis_set_matches_the_regex_truth() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let truth_rule = IsisTruth::of_built_in_table(&wd, "");
    let mut truth = BTreeSet::new();
    for entry in std::fs::read_dir(&articles).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if truth_rule.mentions(without_trailer(&text)) {
            truth.insert(format!("articles/{}", path.file_name().unwrap().to_string_lossy()));
        }
    }
    check_isis_queries(&wd, &truth, "fakes-seedformat");
}

#[test]
fn fakes_csv_isis_set_matches_the_regex_truth() {
    let Some(csv_path) = shared("corpora/fakes/FA-KES-Dataset.csv") else { return };
    let wd = Workdir::new();
    wd.run(&["index", csv_path.to_str().unwrap(), "--quiet"]).success();
    let truth_rule = IsisTruth::of_built_in_table(&wd, "");
    // The file is not UTF-8: read its bytes as Latin-1 (every byte is a char).
    let mut reader = csv::ReaderBuilder::new().from_path(Path::new(&csv_path)).unwrap();
    let mut seen = BTreeSet::new();
    let mut truth = BTreeSet::new();
    for record in reader.byte_records() {
        let record = record.unwrap();
        let field = |i: usize| record[i].iter().map(|&b| char::from(b)).collect::<String>();
        let id = field(0);
        // Repeated ids keep their first row, as newsearch does.
        if !seen.insert(id.clone()) {
            continue;
        }
        if truth_rule.mentions(&field(1)) || truth_rule.mentions(&field(2)) {
            truth.insert(id);
        }
    }
    check_isis_queries(&wd, &truth, "FA-KES-Dataset.csv");
}

#[test]
fn aliases_lists_the_table_and_explains_tokens() {
    let wd = Workdir::new();
    let table = wd.run(&["aliases", "--format", "json"]).success().json();
    let entities = table["entities"].as_array().unwrap().len();
    assert_eq!(entities, crate::promises::built_in_entity_names().len());
    let human = wd.run(&["aliases"]).success();
    assert!(human.stdout.contains("ISIS [organization]:"), "{human}");
    let explained = wd
        .run(&[
            "aliases",
            "--explain",
            "WHAT IS NEXT\nas Islamic State fighters flee",
            "--format",
            "json",
        ])
        .success()
        .json();
    let tokens: Vec<(String, Value)> = explained["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["written"].as_str().unwrap().to_owned(), t["entity"].clone()))
        .collect();
    assert_eq!(
        tokens[1],
        ("IS".to_owned(), Value::Null),
        "the verb in a capitals line: {tokens:?}"
    );
    assert_eq!(tokens[4], ("Islamic State".to_owned(), Value::from("ISIS")), "{tokens:?}");
}

#[test]
fn a_custom_table_is_stored_in_the_index_and_a_different_one_needs_rebuild() {
    let wd = Workdir::new();
    wd.write(
        "corpus/a.txt",
        "Title one\n\n2016-09-04\n\nThe Blue Widgets met the Acme Corp board.\n",
    );
    wd.write("corpus/b.txt", "Title two\n\n2016-09-05\n\nBW held talks.\n");
    let table = "version = 1\n[[entity]]\nname = \"Blue Widgets\"\nkind = \"organization\"\nvariants = [\"BW\"]\n";
    wd.write("mine.toml", table);
    wd.run(&["index", "corpus", "--aliases", "mine.toml", "--quiet"]).success();
    // The query side uses the index's own copy: no --aliases needed.
    assert_eq!(ids(&wd, &["\"blue widgets\""]).len(), 2);
    assert_eq!(ids(&wd, &["entity:BW"]).len(), 2);
    // The built-in table is not the index's: refuse rather than mix tables.
    let other = format!(
        "{table}\n[[entity]]\nname = \"Acme\"\nkind = \"organization\"\nvariants = [\"Acme Corp\"]\n"
    );
    wd.write("other.toml", other);
    wd.run(&["index", "corpus", "--aliases", "other.toml"]).code(1).stderr_has("--rebuild");
    assert_eq!(ids(&wd, &["entity:BW"]).len(), 2, "the index is unharmed");
    wd.run(&["index", "corpus", "--aliases", "other.toml", "--rebuild", "--quiet"]).success();
    assert_eq!(ids(&wd, &["entity:Acme"]).len(), 1);
    // Re-running without --aliases keeps the index's own table.
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert_eq!(ids(&wd, &["entity:Acme"]).len(), 1);
}

#[test]
fn a_bad_alias_table_is_a_usage_error_naming_file_line_and_entry() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Title\n\nBody.\n");
    wd.write(
        "bad.toml",
        "version = 1\n[[entity]]\nname = \"A\"\nkind = \"place\"\nvariants = [\"Zed\"]\n[[entity]]\nname = \"B\"\nkind = \"place\"\nvariants = [\"zed\"]\n",
    );
    wd.run(&["index", "corpus", "--aliases", "bad.toml"])
        .code(2)
        .stderr_has("bad.toml:9: entity `B`: variant \"zed\" also belongs to `A`");
    assert!(!wd.join("index").exists());
}

#[test]
fn literal_queries_find_a_spelling_as_written() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "One\n\n2016-09-04\n\nISIL fighters left.\n");
    wd.write("corpus/b.txt", "Two\n\n2016-09-05\n\nDaesh fighters stayed.\n");
    wd.write("corpus/c.txt", "Three\n\n2016-09-06\n\nIslamic State fighters returned.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert_eq!(ids(&wd, &["ISIL"]).len(), 3);
    assert_eq!(ids(&wd, &["ISIL", "--literal"]), BTreeSet::from(["corpus/a.txt".to_owned()]));
    assert_eq!(
        ids(&wd, &["\"daesh fighters\"", "--literal"]),
        BTreeSet::from(["corpus/b.txt".to_owned()])
    );
    // Multi-word spellings have no literal copy: they still mean the entity.
    assert_eq!(ids(&wd, &["\"Islamic State\"", "--literal"]).len(), 3);
    let hit = &wd.query_json(&["ISIL", "--literal"])["hits"][0];
    let [start, end] = [
        hit["highlights"][0][0].as_u64().unwrap() as usize,
        hit["highlights"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(&hit["snippet"].as_str().unwrap()[start..end], "ISIL");
}
