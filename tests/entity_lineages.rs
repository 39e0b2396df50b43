//! Which spelling matched (a hit's `matches`, the CSV `entities` column,
//! `--facet form`) and lineages of renamed groups (`lineage:`, `--filter
//! lineage:`, `--facet lineage`, the table's `succeeds`), on the real binary:
//! checked against `aliases --explain`, `--literal` and the members'
//! `entity:` queries, on a corpus of our own, the sample corpus and FA-KES.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::{Workdir, shared};

/// Articles of our own: spellings in several cases, scripts and contexts.
fn spellings_corpus() -> Workdir {
    let wd = Workdir::new();
    wd.write(
        "corpus/a.txt",
        "Daesh Retreats From Town As IS Fighters Flee\n\n2016-09-04\n\n\
         The Islamic State (IS) lost the town. DAESH commanders and daesh recruits fled; \
         officials said ISIL would regroup. Jabhat al-Nusra was absent.\n",
    );
    wd.write(
        "corpus/b.txt",
        "WHAT IS NEXT FOR THE TOWN\n\n2016-10-01\n\n\
         Fighters of Jabhat Fateh al-Sham and of the Nusra Front held the road, \
         while وداعش and الدَّولة الإسلامية were named in Arabic reports. US officials \
         spoke; shares of Marlow (NYSE: US) rose.\n",
    );
    wd.write(
        "corpus/c.txt",
        "HTS takes Idlib\n\n2017-02-01\n\n\
         Hay'at Tahrir al-Sham, which grew out of Fateh al-Sham, took Idlib. \
         The Islamic State of Iraq was its rival years before.\n",
    );
    wd.write("corpus/d.txt", "Weather\n\n2017-03-01\n\nRain fell on the town all week.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

/// Entity tokens (`#…`) of `text` per (entity, variant), as `aliases
/// --explain` reports them.
fn explained_forms(wd: &Workdir, text: &str) -> BTreeMap<(String, String), u64> {
    let explained = wd.run(&["aliases", "--explain", text, "--format", "json"]).success().json();
    let mut forms = BTreeMap::new();
    for token in explained["tokens"].as_array().unwrap() {
        if token["term"].as_str().unwrap().starts_with('#') {
            let key = (
                token["entity"].as_str().unwrap().to_owned(),
                token["variant"].as_str().unwrap().to_owned(),
            );
            *forms.entry(key).or_default() += 1;
        }
    }
    forms
}

fn hit_forms(hit: &Value) -> BTreeMap<(String, String), u64> {
    hit["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let key =
                (m["entity"].as_str().unwrap().to_owned(), m["form"].as_str().unwrap().to_owned());
            (key, m["count"].as_u64().unwrap())
        })
        .collect()
}

fn schema(name: &str) -> jsonschema::Validator {
    crate::util::schema_validator(name)
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{value}: {errors:?}");
}

#[test]
fn each_hit_lists_its_matches_as_aliases_explain_counts_them() {
    let wd = spellings_corpus();
    let report = wd.query_json(&["*", "-n", "10"]);
    assert_valid(&schema("query.v1.schema.json"), &report);
    let texts = BTreeMap::from([
        (
            "corpus/a.txt",
            (
                "Daesh Retreats From Town As IS Fighters Flee",
                "The Islamic State (IS) lost the town. DAESH commanders and daesh recruits fled; \
                 officials said ISIL would regroup. Jabhat al-Nusra was absent.",
            ),
        ),
        (
            "corpus/b.txt",
            (
                "WHAT IS NEXT FOR THE TOWN",
                "Fighters of Jabhat Fateh al-Sham and of the Nusra Front held the road, \
                 while وداعش and الدَّولة الإسلامية were named in Arabic reports. US officials \
                 spoke; shares of Marlow (NYSE: US) rose.",
            ),
        ),
        (
            "corpus/c.txt",
            (
                "HTS takes Idlib",
                "Hay'at Tahrir al-Sham, which grew out of Fateh al-Sham, took Idlib. \
                 The Islamic State of Iraq was its rival years before.",
            ),
        ),
        ("corpus/d.txt", ("Weather", "Rain fell on the town all week.")),
    ]);
    let hits = report["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 4);
    for hit in hits {
        let id = hit["id"].as_str().unwrap();
        let (title, body) = texts[id];
        let mut expected = explained_forms(&wd, title);
        for (key, count) in explained_forms(&wd, body) {
            *expected.entry(key).or_default() += count;
        }
        assert_eq!(hit_forms(hit), expected, "{id}");
        let entities: BTreeSet<String> = expected.keys().map(|(e, _)| e.clone()).collect();
        let listed: BTreeSet<String> = hit["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().into())
            .collect();
        assert_eq!(listed, entities, "{id}");
    }
    let a = hits.iter().find(|h| h["id"] == "corpus/a.txt").unwrap();
    let forms = hit_forms(a);
    let isis = |form: &str| forms.get(&("ISIS".to_owned(), form.to_owned())).copied();
    // Daesh, DAESH and daesh are the one variant "Daesh"; IS twice, in context.
    assert_eq!((isis("Daesh"), isis("IS"), isis("ISIL")), (Some(3), Some(2), Some(1)), "{forms:?}");
    let b = hits.iter().find(|h| h["id"] == "corpus/b.txt").unwrap();
    let forms = hit_forms(b);
    assert_eq!(forms.get(&("ISIS".to_owned(), "داعش".to_owned())), Some(&1), "{forms:?}");
    assert_eq!(forms.get(&("ISIS".to_owned(), "الدولة الإسلامية".to_owned())), Some(&1));
    assert_eq!(
        forms.get(&("United States".to_owned(), "US".to_owned())),
        Some(&1),
        "not the ticker"
    );
    assert!(hits.iter().any(|h| h["id"] == "corpus/d.txt" && h["matches"] == Value::Array(vec![])));

    // JSON Lines carry the same matches; CSV writes them in its last column.
    let jsonl = wd.run(&["query", "*", "--format", "jsonl"]).success();
    for line in jsonl.stdout.lines() {
        let hit: Value = serde_json::from_str(line).unwrap();
        let same = hits.iter().find(|h| h["id"] == hit["id"]).unwrap();
        assert_eq!(hit["matches"], same["matches"]);
    }
    let csv = wd.run(&["query", "Daesh", "--format", "csv"]).success();
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next_back(), Some("entities"));
    let cells: Vec<String> = reader.records().map(|r| r.unwrap()[8].to_owned()).collect();
    assert!(
        cells.iter().any(|c| c.starts_with(
            "ISIS (Daesh 3, IS 2, ISIL 1, Islamic State 1); al-Nusra Front (Jabhat al-Nusra 1)"
        )),
        "{cells:?}"
    );
}

/// `--facet form` over every article against `--literal FORM` for every
/// one-word ASCII spelling it lists; returns how many were compared.
fn check_forms_against_literal(wd: &Workdir) -> usize {
    let report = wd.query_json(&["*", "-n", "0", "--facet", "form"]);
    assert_valid(&schema("query.v1.schema.json"), &report);
    let mut compared = 0;
    for value in report["facets"]["form"].as_array().unwrap() {
        let form = value["value"].as_str().unwrap();
        if !form.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let literal = wd.query_json(&["--literal", form, "-n", "0"]);
        assert_eq!(
            literal["total_hits"].as_u64(),
            value["count"].as_u64(),
            "--facet form {form} against --literal {form}"
        );
        compared += 1;
    }
    compared
}

#[test]
fn form_facet_counts_what_literal_queries_find_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    let compared = check_forms_against_literal(&wd);
    assert!(compared > 20, "{compared} one-word spellings");
    let isis = wd.query_json(&["entity:ISIS", "-n", "0", "--facet", "form"]);
    let forms: Vec<&str> = isis["facets"]["form"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    for form in ["ISIS", "ISIL", "Daesh", "Islamic State", "IS"] {
        assert!(forms.contains(&form), "{forms:?}");
    }
}

#[test]
fn form_facet_counts_what_literal_queries_find_on_fakes() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let compared = check_forms_against_literal(&wd);
    assert!(compared > 50, "{compared} one-word spellings");
}

/// The ids of the union of the members' `entity:` queries.
fn union_of_entities(wd: &Workdir, members: &[&str]) -> BTreeSet<String> {
    let mut union = BTreeSet::new();
    for member in members {
        union.extend(wd.query_ids(&[&format!("entity:\"{member}\"")]));
    }
    union
}

fn facet_count(report: &Value, facet: &str, value: &str) -> Option<u64> {
    report["facets"][facet].as_array().unwrap().iter().find(|v| v["value"] == value)?["count"]
        .as_u64()
}

/// `lineage:` (query and filter), the lineage facet and the timeline of a
/// line against the union of its members' `entity:` queries.
fn check_lineage(wd: &Workdir, name: &str, members: &[&str], spelling: &str) -> usize {
    let union = union_of_entities(wd, members);
    let ids = |args: &[&str]| wd.query_ids(args).into_iter().collect::<BTreeSet<_>>();
    assert_eq!(ids(&[&format!("lineage:\"{spelling}\"")]), union, "lineage:{spelling}");
    assert_eq!(ids(&["*", "--filter", &format!("lineage:{spelling}")]), union);
    let facets = wd.query_json(&["*", "-n", "0", "--facet", "lineage", "--facet", "entity"]);
    assert_valid(&schema("query.v1.schema.json"), &facets);
    assert_eq!(facet_count(&facets, "lineage", name), Some(union.len() as u64), "{facets}");
    for member in members {
        assert_eq!(facet_count(&facets, "lineage", member).filter(|_| *member != name), None);
    }
    let timeline =
        wd.query_json(&[&format!("lineage:\"{spelling}\""), "-n", "0", "--timeline", "year"]);
    let counted: u64 =
        timeline["timeline"].as_array().unwrap().iter().map(|p| p["count"].as_u64().unwrap()).sum();
    let undated = timeline["undated_excluded"].as_u64().unwrap_or(0);
    assert_eq!(counted + undated, union.len() as u64, "each article of the line counts once");
    union.len()
}

#[test]
fn a_lineage_finds_the_union_of_its_members_on_our_corpus() {
    let wd = spellings_corpus();
    let line = ["al-Nusra Front", "Jabhat Fateh al-Sham", "Hayat Tahrir al-Sham"];
    assert_eq!(check_lineage(&wd, "Hayat Tahrir al-Sham", &line, "HTS"), 3);
    // entity: stays exact: each name finds its own articles.
    assert_eq!(wd.query_ids(&["entity:HTS"]), ["corpus/c.txt"]);
    assert_eq!(wd.query_ids(&["entity:\"al-Nusra Front\""]), ["corpus/a.txt", "corpus/b.txt"]);
    assert_eq!(wd.query_ids(&["entity:JFS"]), ["corpus/b.txt", "corpus/c.txt"]);
    assert_eq!(check_lineage(&wd, "ISIS", &["Islamic State of Iraq", "ISIS"], "ISIL"), 3);
    // An entity of no line is its own line.
    assert_eq!(wd.query_ids(&["lineage:Idlib"]), wd.query_ids(&["entity:Idlib"]));
    wd.run(&["query", "lineage:Nowhere"]).code(2).stderr_has("not an entity");
    wd.run(&["query", "*", "--filter", "lineage:Nowhere"]).code(2).stderr_has("lineage:Nowhere");
    wd.run(&["query", "--literal", "lineage:HTS"]).code(2).stderr_has("--filter lineage:HTS");
}

#[test]
fn a_lineage_finds_the_union_of_its_members_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    let line = ["al-Nusra Front", "Jabhat Fateh al-Sham", "Hayat Tahrir al-Sham"];
    assert!(check_lineage(&wd, "Hayat Tahrir al-Sham", &line, "Jabhat al-Nusra") > 1);
}

#[test]
fn a_lineage_finds_the_union_of_its_members_on_fakes() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let line = ["al-Nusra Front", "Jabhat Fateh al-Sham", "Hayat Tahrir al-Sham"];
    let size = check_lineage(&wd, "Hayat Tahrir al-Sham", &line, "HTS");
    let separate: Vec<usize> = line.iter().map(|m| union_of_entities(&wd, &[m]).len()).collect();
    eprintln!("FA-KES: lineage of HTS {size} articles; members {separate:?}");
    assert!(separate.iter().all(|&n| n > 0 && n < size), "{separate:?} of {size}");
    let isis = check_lineage(&wd, "ISIS", &["Islamic State of Iraq", "ISIS"], "Daesh");
    eprintln!("FA-KES: lineage of ISIS {isis} articles");
}

#[test]
fn aliases_shows_successions_and_refuses_cycles_and_unknown_names() {
    let wd = Workdir::new();
    let human = wd.run(&["aliases"]).success();
    assert!(
        human.stdout.contains(
            "Hayat Tahrir al-Sham: al-Nusra Front → Jabhat Fateh al-Sham (2016-07) → Hayat Tahrir al-Sham (2017-01)"
        ),
        "{human}"
    );
    assert!(human.stdout.contains("  succeeds al-Nusra Front in 2016-07"), "{human}");
    let json = wd.run(&["aliases", "--format", "json"]).success().json();
    assert_valid(&schema("aliases.v1.schema.json"), &json);
    let jfs = json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Jabhat Fateh al-Sham")
        .unwrap();
    assert_eq!(
        (&jfs["succeeds"], &jfs["since"]),
        (&Value::from("al-Nusra Front"), &Value::from("2016-07"))
    );
    let lines = json["lineages"].as_array().unwrap();
    assert!(
        lines.iter().any(|l| l["name"] == "ISIS" && l["members"][0] == "Islamic State of Iraq"),
        "{json}"
    );

    let table = "version = 1\n[[entity]]\nname = \"A\"\nkind = \"organization\"\nsucceeds = \"B\"\n\
                 [[entity]]\nname = \"B\"\nkind = \"organization\"\nsucceeds = \"A\"\n";
    wd.write("cycle.toml", table);
    wd.run(&["aliases", "--aliases", "cycle.toml"])
        .code(2)
        .stderr_has("cycle.toml:5: entity `A`: successions make a cycle: A → B → A");
    wd.write("unknown.toml", table.replace("succeeds = \"A\"", "succeeds = \"C\""));
    wd.run(&["aliases", "--aliases", "unknown.toml"])
        .code(2)
        .stderr_has("unknown.toml:9: entity `B`: succeeds \"C\"");
    wd.write("corpus/a.txt", "Title\n\n2016-09-04\n\nText.\n");
    wd.run(&["index", "corpus", "--aliases", "unknown.toml", "--quiet"])
        .code(2)
        .stderr_has("unknown.toml:9:");
}
